import { createRequire, Module } from 'node:module';
import type DockerClass from 'dockerode';
import { withSocketTimeouts } from './ssh-timeout.js';

const require = createRequire(import.meta.url);

/**
 * dockerode loads, at require time, two things this service never uses on a local socket or
 * TCP: docker-modem's SSH transport (ssh2, whose poly1305 WebAssembly heap alone is 16 MiB,
 * plus two native addons) and BuildKit sessions (@grpc/grpc-js, protobufjs and their .proto
 * files). Together about 30 MiB of RSS at idle (issue 13; bench/heap.ts). Each is one module
 * exporting one function; we put a stand-in into the require cache that loads the real one
 * on its first call, so DOCKER_HOST=ssh://… (and a BuildKit build) still work, paying then.
 * If a future dockerode moves these files, nothing is stubbed and all loads as before.
 */
type Factory = (...args: unknown[]) => unknown;

function deferModule(request: string, wrap: (real: Factory) => Factory = (real) => real): void {
  let path: string;
  try {
    path = require.resolve(request, { paths: [require.resolve('dockerode')] });
  } catch {
    return;
  }
  if (require.cache[path]) return;
  let real: Factory | undefined;
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  stub.exports = function deferred(this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete require.cache[path];
      real = wrap(require(path) as Factory);
    }
    return real.apply(this, args);
  };
  require.cache[path] = stub;
}

// The ssh transport also gets the socket timeouts node's http client expects (ssh-timeout.ts).
deferModule('docker-modem/lib/ssh.js', (real) => withSocketTimeouts(real as never) as Factory);
deferModule('dockerode/lib/session.js');

/** The dockerode class, loaded without the parts above until they are needed. */
export const Docker = require('dockerode') as typeof DockerClass;
export type Docker = DockerClass;
