#!/usr/bin/env node
import { ConfigError, loadConfig, type Config } from './config.js';
import { tokenCommand, TOKEN_USAGE } from './commands/token.js';
import { userCommand, USER_USAGE } from './commands/user.js';
import { isAppError } from './errors.js';
import { GroupsFileError } from './groups/load.js';
import { startServer } from './server.js';
import { PACKAGE } from './version.js';

const USAGE = `Usage: gui-docker-manager <command>

Commands:
  serve       start the API server (configuration from the environment; see .env.example)
  token       print a bearer token: ${TOKEN_USAGE.replace('gui-docker-manager token ', '')}
  user        manage local users (list, add, set-role, set-groups, set-password, disable, enable, delete)
  version     print the version

Options:
  -h, --help  show this help`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'version') {
    console.log(PACKAGE.version);
    return 0;
  }
  if (!['serve', 'token', 'user'].includes(command)) {
    console.error(`gui-docker-manager: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`gui-docker-manager: ${err.message}`);
      return 2;
    }
    throw err;
  }
  try {
    if (command === 'token') return await tokenCommand(rest, config);
    if (command === 'user') return await userCommand(rest, config);
    await startServer(config);
    return -1; // keeps running
  } catch (err) {
    // serve: a bad groups file is the operator's to fix; anything else is a crash.
    // token/user: every failure is a usage or data problem, said in one line.
    if (command === 'serve' && !(err instanceof GroupsFileError)) throw err;
    console.error(`gui-docker-manager: ${(err as Error).message}`);
    if (command === 'user' && !isAppError(err) && !(err as Error).message.includes('\n')) console.error(`\n${USER_USAGE}`);
    return 2;
  }
}

/**
 * A command that is done must end the process even if something it opened still holds the
 * event loop (a socket, a timer): a service that failed to start must not linger without
 * serving, or neither a restart policy nor systemd would ever restart it.
 */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1000).unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) exitSoon(code);
  },
  (err: unknown) => {
    console.error('gui-docker-manager: failed to start:', err instanceof Error ? err.message : err);
    // startServer has released what it opened (bounded); stderr to a pipe or file is synchronous.
    process.exit(1);
  },
);
