import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError, ERRORS, appError, isAppError, type ErrorCode } from '../../src/errors.js';

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
