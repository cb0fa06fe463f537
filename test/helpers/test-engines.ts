import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dockerWith, TEST_IMAGE } from './docker-cli.js';

const run = promisify(execFile);
const ENV_FILE = '/run/gdm-test-engines/engines.env';
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'setup-test-engines.sh');

export type TestEngineName = 'e2' | 'e3';

/** One of the extra engines scripts/setup-test-engines.sh runs in its own network namespace. */
export interface TestEngine {
  name: TestEngineName;
  /** The URL the service is given (e2: unix socket; e3: tcp with mutual TLS). */
  url: string;
  /** e3: the folder with ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH). */
  certPath?: string;
  /** Environment for the docker CLI against this engine (an independent view of its state). */
  cliEnv: NodeJS.ProcessEnv;
}

function readEnvFile(): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(ENV_FILE, 'utf8');
  } catch {
    throw new Error(`${ENV_FILE} is missing: the extra test engines are not set up; run scripts/setup-test-engines.sh (the README test command does).`);
  }
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values[line.slice(0, at)] = line.slice(at + 1);
  }
  return values;
}

/** The two extra engines; fails loudly (never skips) when one does not answer or lacks the test image. */
export async function requireTestEngines(): Promise<Record<TestEngineName, TestEngine>> {
  const env = readEnvFile();
  const e2: TestEngine = { name: 'e2', url: env.GDM_E2_HOST!, cliEnv: { DOCKER_HOST: env.GDM_E2_HOST } };
  const e3: TestEngine = {
    name: 'e3',
    url: env.GDM_E3_HOST!,
    certPath: env.GDM_E3_CERT_PATH,
    cliEnv: { DOCKER_HOST: env.GDM_E3_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: env.GDM_E3_CERT_PATH },
  };
  for (const engine of [e2, e3]) {
    try {
      await dockerWith(engine.cliEnv, 'image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE);
    } catch (err) {
      throw new Error(`Test engine ${engine.name} (${engine.url}) does not answer or lacks ${TEST_IMAGE}; run scripts/setup-test-engines.sh. (${(err as Error).message})`);
    }
  }
  return { e2, e3 };
}

/** The docker CLI against one test engine. */
export function dockerOn(engine: TestEngine, ...args: string[]): Promise<string> {
  return dockerWith(engine.cliEnv, ...args);
}

/** Stops a test engine's dockerd (by its pid file) and waits until it is gone: for outage tests. */
export async function stopTestEngine(name: TestEngineName): Promise<void> {
  await run('bash', [SCRIPT, 'stop', name], { timeout: 90_000 });
}

/** Starts it again with the same command line; resolves once it answers (time-limited by the script). */
export async function startTestEngine(name: TestEngineName): Promise<void> {
  await run('bash', [SCRIPT, 'start', name], { timeout: 90_000 });
}
