import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { describe, test } from 'node:test';
import { AppError, ERRORS, appError, isAppError, type ErrorCode } from '../../src/errors.js';
import { FASTIFY_STATUS_CODES, renderError } from '../../src/http/error-handler.js';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('ERRORS table', () => {
  test('is not empty', () => {
    assert.ok(codes.length > 0);
  });

  for (const code of codes) {
    test(`${code} has an error status and a message`, () => {
      const entry = ERRORS[code];
      assert.ok(Number.isInteger(entry.status), 'status is an integer');
      assert.ok(entry.status >= 400 && entry.status <= 599, `status ${entry.status} is 4xx or 5xx`);
      assert.ok(entry.message.trim().length > 0, 'message is not empty');
    });
  }

  test('code names are UPPER_SNAKE', () => {
    for (const code of codes) assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code);
  });

  test('every 4xx status a framework or plugin error can carry renders as a coded 4xx', () => {
    const statuses = Object.keys(STATUS_CODES).map(Number).filter((s) => s >= 400 && s < 500);
    assert.ok(statuses.length > 20);
    for (const status of statuses) {
      const rendered = renderError(Object.assign(new Error(`status ${status}`), { status, statusCode: status }));
      assert.ok(rendered.status >= 400 && rendered.status < 500, `${status} stays a client error`);
      assert.equal(ERRORS[rendered.code].status, rendered.status, `${status}: the code's own status is answered`);
    }
  });

  test('statuses that static files, the router and the host check answer keep their number and a code of their own', () => {
    for (const status of [400, 403, 404, 405, 412, 413, 415, 416, 421, 429]) {
      const code = FASTIFY_STATUS_CODES[status];
      assert.ok(code, `${status} is mapped`);
      assert.equal(ERRORS[code].status, status, `${status} → ${code}`);
    }
  });

  test('messages are distinct, so a caller can tell codes apart by text too', () => {
    const messages = codes.map((c) => ERRORS[c].message);
    assert.equal(new Set(messages).size, messages.length);
  });
});

describe('appError', () => {
  test('builds an AppError with the status and message of the table', () => {
    for (const code of codes) {
      const err = appError(code);
      assert.ok(err instanceof AppError);
      assert.ok(err instanceof Error);
      assert.equal(err.name, 'AppError');
      assert.equal(err.code, code);
      assert.equal(err.status, ERRORS[code].status);
      assert.equal(err.message, ERRORS[code].message);
      assert.equal(err.details, undefined);
    }
  });

  test('a message overrides the table text but not the status', () => {
    const err = appError('CONTAINER_NOT_FOUND', 'No such container: web');
    assert.equal(err.message, 'No such container: web');
    assert.equal(err.status, 404);
    assert.equal(err.code, 'CONTAINER_NOT_FOUND');
  });

  test('details are kept', () => {
    const err = appError('VALIDATION_ERROR', undefined, { field: 'since' });
    assert.deepEqual(err.details, { field: 'since' });
    assert.equal(err.message, ERRORS.VALIDATION_ERROR.message);
  });

  test('isAppError tells AppError from other errors', () => {
    assert.equal(isAppError(appError('FORBIDDEN')), true);
    assert.equal(isAppError(new Error('x')), false);
    assert.equal(isAppError({ code: 'FORBIDDEN', status: 403, message: 'x' }), false);
    assert.equal(isAppError(undefined), false);
  });
});
