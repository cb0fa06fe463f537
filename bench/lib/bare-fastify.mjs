/* global process */
// The framework's floor on this machine (bench/hotpath.ts, bench/run.ts): a bare Fastify 5,
// no hooks, no plugins, no logger, serving ready bytes with an ETag (and 304 on
// If-None-Match) — what our list and details routes do after their checks. Plain JS run by
// node directly, like the service from dist/. Prints its port on stdout once listening.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = readFileSync(process.argv[2] ?? '/dev/null');
const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
const app = Fastify({ logger: false });
app.get('/ready-bytes', async (request, reply) => {
  reply.header('etag', etag).header('cache-control', 'private, no-cache');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(body);
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${app.server.address().port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
