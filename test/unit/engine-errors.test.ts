import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isUnreachable, sshFailure, toAppError } from '../../src/docker/engine-errors.js';
import { AppError, ERRORS, appError } from '../../src/errors.js';

/** An error shaped like the ones docker-modem rejects with. */
function modemError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode, reason: 'server error', json: { message } });
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code, syscall: 'connect' });
}

describe('isUnreachable', () => {
  test('socket-level failures mean the engine is unreachable', () => {
    for (const code of ['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']) {
      assert.equal(isUnreachable(systemError(code)), true, code);
    }
    assert.equal(isUnreachable(new Error('socket hang up')), true);
  });

  test('an answer from the engine, even an error, is not unreachable', () => {
    assert.equal(isUnreachable(modemError(500, 'boom')), false);
    assert.equal(isUnreachable(modemError(404, 'no such container')), false);
    assert.equal(isUnreachable(undefined), false);
    assert.equal(isUnreachable(null), false);
  });

  test('an AppError is unreachable only when it already says so', () => {
    assert.equal(isUnreachable(appError('DOCKER_UNAVAILABLE')), true);
    assert.equal(isUnreachable(appError('DOCKER_ERROR')), false);
  });
});

describe('toAppError', () => {
  test('ECONNREFUSED and ENOENT become DOCKER_UNAVAILABLE (503)', () => {
    for (const code of ['ECONNREFUSED', 'ENOENT']) {
      const err = toAppError(systemError(code));
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'DOCKER_UNAVAILABLE');
      assert.equal(err.status, 503);
      assert.ok(!err.message.includes('/var/run/docker.sock'), 'the socket path from the system error does not leak');
    }
  });

  test('404 becomes CONTAINER_NOT_FOUND, or NOT_FOUND when asked', () => {
    const err = toAppError(modemError(404, 'No such container: 4f2a…'));
    assert.equal(err.code, 'CONTAINER_NOT_FOUND');
    assert.equal(err.status, 404);
    assert.equal(err.message, ERRORS.CONTAINER_NOT_FOUND.message);
    assert.equal(toAppError(modemError(404, 'No such image'), 'NOT_FOUND').code, 'NOT_FOUND');
  });

  test('409 becomes CONTAINER_CONFLICT', () => {
    const err = toAppError(modemError(409, 'Conflict. The container name "/web" is already in use'));
    assert.equal(err.code, 'CONTAINER_CONFLICT');
    assert.equal(err.status, 409);
    assert.ok(!err.message.includes('/web'));
  });

  test("a 500 becomes DOCKER_ERROR with the table's message, not the engine's", () => {
    const engineText = 'error mounting /var/lib/docker/volumes/secret_vol: permission denied';
    const err = toAppError(modemError(500, engineText));
    assert.equal(err.code, 'DOCKER_ERROR');
    assert.equal(err.status, 502);
    assert.equal(err.message, ERRORS.DOCKER_ERROR.message);
    assert.ok(!err.message.includes('secret_vol'));
  });

  test('a timeout becomes DOCKER_TIMEOUT (504)', () => {
    for (const err of [new Error('timeout'), Object.assign(new Error('socket timeout'), { code: 'ESOCKETTIMEDOUT' }), Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })]) {
      const coded = toAppError(err);
      assert.equal(coded.code, 'DOCKER_TIMEOUT', err.message);
      assert.equal(coded.status, 504);
    }
  });

  test("the engine's text is kept for the log in .internal, never in the message", () => {
    const engineText = 'driver failed programming external connectivity on endpoint web';
    const err = toAppError(modemError(500, engineText));
    assert.equal(err.internal, engineText);
    assert.ok(!err.message.includes('driver failed'));
    assert.equal(toAppError(systemError('ECONNREFUSED')).internal, 'connect ECONNREFUSED /var/run/docker.sock');
  });

  test('an AppError is returned as is', () => {
    const original = appError('CONTAINER_NOT_RUNNING');
    assert.equal(toAppError(original), original);
  });

  test('anything else, even nothing, becomes DOCKER_ERROR', () => {
    assert.equal(toAppError(undefined).code, 'DOCKER_ERROR');
    assert.equal(toAppError(null).code, 'DOCKER_ERROR');
    assert.equal(toAppError('weird').code, 'DOCKER_ERROR');
    assert.equal(toAppError(modemError(400, 'bad parameter')).code, 'DOCKER_ERROR');
  });
});

describe('ssh:// engines (ssh2 errors, told by their level)', () => {
  const sshError = (level: string, message: string) => Object.assign(new Error(message), { level });

  test('a refused host key, a refused login, an agent failure and a handshake timeout are each named, and unreachable', () => {
    const cases: [string, string, string][] = [
      ['handshake', 'Host denied (verification failed)', 'SSH_HOST_KEY_REFUSED'],
      ['handshake', 'Handshake failed: no matching key exchange algorithm', 'SSH_HANDSHAKE_FAILED'],
      ['client-authentication', 'All configured authentication methods failed', 'SSH_AUTH_FAILED'],
      ['agent', 'Failed to connect to agent', 'SSH_AGENT_FAILED'],
      ['client-timeout', 'Timed out while waiting for handshake', 'SSH_TIMEOUT'],
      ['protocol', 'Bad packet length', 'SSH_PROTOCOL_ERROR'],
    ];
    for (const [level, message, cause] of cases) {
      const err = sshError(level, message);
      assert.equal(sshFailure(err)?.cause, cause, message);
      assert.equal(isUnreachable(err), true, message);
      const coded = toAppError(err);
      assert.equal(coded.code, 'DOCKER_UNAVAILABLE', message);
      assert.equal(coded.status, 503);
      // Our own words to the caller; ssh2's text stays internal, behind the cause code.
      assert.equal(coded.message, sshFailure(err)?.message);
      assert.ok(String(coded.internal).startsWith(`${cause}: `), String(coded.internal));
    }
  });

  test('anything without an ssh2 level is not an ssh failure', () => {
    assert.equal(sshFailure(new Error('Host denied (verification failed)')), undefined);
    assert.equal(sshFailure(Object.assign(new Error('x'), { level: 'something-else' })), undefined);
    assert.equal(sshFailure(undefined), undefined);
    // ssh2's socket errors keep their system code and are read like any other.
    assert.equal(isUnreachable(Object.assign(systemError('ECONNREFUSED'), { level: 'client-socket' })), true);
  });
});
