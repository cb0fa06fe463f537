#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { GroupsFileError } from './groups/load.js';
import { startServer } from './server.js';
import { PACKAGE } from './version.js';

const USAGE = `Usage: gui-docker-manager <command>

Commands:
  serve       start the API server (configuration from the environment; see .env.example)
  version     print the version

Options:
  -h, --help  show this help`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { help: { type: 'boolean', short: 'h' } } });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'serve': {
      let config;
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
        await startServer(config);
      } catch (err) {
        if (err instanceof GroupsFileError) {
          console.error(`gui-docker-manager: ${err.message}`);
          return 2;
        }
        throw err;
      }
      return -1; // keeps running
    }
    case 'version':
      console.log(PACKAGE.version);
      return 0;
    default:
      console.error(`gui-docker-manager: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    console.error('gui-docker-manager: failed to start:', err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
