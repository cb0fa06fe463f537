import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERRORS, appError } from '../../src/errors.js';
import { renderError } from '../../src/http/error-handler.js';

/** An error shaped like the ones Fastify itself throws. */
function fastifyError(statusCode: number, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { statusCode, code: 'FST_ERR_SOMETHING', ...extra });
}

describe('renderError', () => {
  test('an AppError passes through with its status, code, message and details', () => {
    const rendered = renderError(appError('AMBIGUOUS_CONTAINER_ID', 'prefix "ab" matches 2 containers', { prefix: 'ab' }));
    assert.deepEqual(rendered, {
      status: 409,
      code: 'AMBIGUOUS_CONTAINER_ID',
      message: 'prefix "ab" matches 2 containers',
      details: { prefix: 'ab' },
    });
  });

  test("an AppError's internal cause is not rendered", () => {
    const rendered = renderError(appError('DOCKER_ERROR', undefined, undefined, 'engine says /srv/secret is busy'));
    assert.deepEqual(rendered, { status: 502, code: 'DOCKER_ERROR', message: ERRORS.DOCKER_ERROR.message, details: undefined });
    assert.ok(!JSON.stringify(rendered).includes('secret'));
  });

  test('a schema validation failure becomes 400 VALIDATION_ERROR with its message', () => {
    const err = fastifyError(400, 'querystring/tail must be <= 10000', { validation: [{ instancePath: '/tail' }] });
    assert.deepEqual(renderError(err), { status: 400, code: 'VALIDATION_ERROR', message: 'querystring/tail must be <= 10000' });
  });

  test('validation wins even without a statusCode', () => {
    const rendered = renderError({ validation: [], message: 'body must be object' });
    assert.equal(rendered.status, 400);
    assert.equal(rendered.code, 'VALIDATION_ERROR');
  });

  const mapped: [number, string][] = [
    [400, 'VALIDATION_ERROR'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [405, 'METHOD_NOT_ALLOWED'],
    [412, 'PRECONDITION_FAILED'],
    [413, 'PAYLOAD_TOO_LARGE'],
    [415, 'UNSUPPORTED_MEDIA_TYPE'],
    [416, 'RANGE_NOT_SATISFIABLE'],
    [421, 'MISDIRECTED_REQUEST'],
    [429, 'RATE_LIMITED'],
  ];
  for (const [statusCode, code] of mapped) {
    test(`a Fastify error with statusCode ${statusCode} becomes ${code}`, () => {
      const rendered = renderError(fastifyError(statusCode, `fastify says ${statusCode}`));
      assert.equal(rendered.code, code);
      assert.equal(rendered.status, statusCode);
      assert.equal(rendered.message, `fastify says ${statusCode}`);
    });
  }

  test('a plain Error becomes 500 INTERNAL_ERROR and its text does not leak', () => {
    const rendered = renderError(new Error('secret internal detail'));
    assert.equal(rendered.status, 500);
    assert.equal(rendered.code, 'INTERNAL_ERROR');
    assert.equal(rendered.message, ERRORS.INTERNAL_ERROR.message);
    assert.ok(!rendered.message.includes('secret'));
    assert.equal(rendered.details, undefined);
  });

  test('an error with an unmapped statusCode is internal, its text hidden', () => {
    const rendered = renderError(fastifyError(500, '/var/lib/docker/overlay2 is full'));
    assert.equal(rendered.status, 500);
    assert.equal(rendered.code, 'INTERNAL_ERROR');
    assert.ok(!rendered.message.includes('overlay2'));
  });

  test('an unmapped 4xx is a 400 with the table text (a client mistake is never a 500)', () => {
    assert.deepEqual(renderError(fastifyError(418, 'teapot at /srv/x')), { status: 400, code: 'VALIDATION_ERROR', message: ERRORS.VALIDATION_ERROR.message });
  });

  test('an http-errors style error (status, statusCode) from a plugin keeps its 4xx', () => {
    const err = Object.assign(new Error('Range Not Satisfiable'), { status: 416, statusCode: 416, expose: true });
    assert.equal(renderError(err).code, 'RANGE_NOT_SATISFIABLE');
    assert.equal(renderError(Object.assign(new Error('Precondition Failed'), { status: 412 })).code, 'PRECONDITION_FAILED');
  });

  test('a thrown non-error value is internal', () => {
    assert.equal(renderError('just a string').code, 'INTERNAL_ERROR');
    assert.equal(renderError(42).status, 500);
  });
});
