import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { postChecked } from '../../src/alerts/http-post.js';
import { AllowList, checkTarget, isForbiddenAddress, type Resolver } from '../../src/alerts/net-guard.js';
import { clip, render, signBody } from '../../src/alerts/notices.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const receiver = new WebhookReceiver();
let port = '';
before(async () => {
  await receiver.listen();
  port = new URL(receiver.url).port;
});
after(() => receiver.close());

/** A name whose DNS answers change: public at the first look, loopback afterwards (rebinding). */
function rebinding(): Resolver {
  let calls = 0;
  return async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
}

test('forbidden ranges', () => {
  for (const a of ['10.1.2.3', '127.0.0.1', '169.254.169.254', '172.20.0.1', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
    assert.equal(isForbiddenAddress(a), true, a);
  }
  for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) assert.equal(isForbiddenAddress(a), false, a);
});

test('a name that resolves to a private address at send time is refused, though it passed before', async () => {
  const resolve = rebinding();
  const url = new URL(`http://hooks.rebind.test:${port}/x`);
  await checkTarget(url, new AllowList([]), resolve);
  await assert.rejects(postChecked(url, '{}', {}, { allow: new AllowList([]), timeoutMs: 2000, resolve }), /resolves to 127\.0\.0\.1/);
  assert.equal(receiver.received.length, 0);
});

test('a listed host name does not make a private answer acceptable; an address entry does, and the checked address is the one connected to', async () => {
  const url = new URL(`http://hooks.rebind.test:${port}/pinned`);
  const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
  await assert.rejects(checkTarget(url, new AllowList(['hooks.rebind.test']), loopback), /private, loopback/);
  // hooks.rebind.test does not exist in real DNS: reaching the receiver proves the pinned address was used.
  const sent = await postChecked(url, '{"a":1}', {}, { allow: new AllowList(['127.0.0.1/32']), timeoutMs: 2000, resolve: loopback });
  assert.equal(sent.status, 204);
  assert.equal(receiver.received.at(-1)?.path, '/pinned');
});

test('with an allow-list set, an unlisted public target is refused; a mixed answer is refused whole', async () => {
  const publicOnly: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];
  await assert.rejects(checkTarget(new URL('https://hooks.example.org/'), new AllowList(['chat.example.org']), publicOnly), /not on ALERT_WEBHOOK_ALLOW/);
  await checkTarget(new URL('https://hooks.example.org/'), new AllowList(['*.example.org']), publicOnly);
  const mixed: Resolver = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.1', family: 4 }];
  await assert.rejects(checkTarget(new URL('https://hooks.example.org/'), new AllowList([]), mixed), /10\.0\.0\.1/);
});

test('webhook bodies are signed with HMAC-SHA256 of the exact bytes', () => {
  const notice = { rule: 'r', kind: 'container.died', state: 'firing' as const, message: 'm', time: new Date(0).toISOString(), alertId: 1, engine: 'local', container: null, group: null, groups: [], details: {} };
  const { body, headers } = render({ name: 'w', type: 'webhook', url: new URL('https://x.example/'), secret: 'k' }, notice);
  assert.equal(headers['X-GDM-Signature'], `sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
  assert.equal(signBody(body, 'k'), headers['X-GDM-Signature']);
  assert.match(render({ name: 's', type: 'slack', url: new URL('https://x.example/') }, notice).body, /"text":"\[FIRING\] r: m"/);
  assert.match(render({ name: 'd', type: 'discord', url: new URL('https://x.example/') }, notice).body, /"content"/);
  assert.equal(render({ name: 'n', type: 'ntfy', url: new URL('https://x.example/t') }, notice).headers['Priority'], '4');
});

test('chat payloads: Slack text escaped, Discord content cut to 2000 without half a surrogate pair', () => {
  const base = { rule: 'r', kind: 'log.match', state: 'firing' as const, time: new Date(0).toISOString(), alertId: 1, engine: 'local', container: null, group: null, groups: [], details: {} };
  const slack = render({ name: 's', type: 'slack', url: new URL('https://x.example/') }, { ...base, message: '<!here> a&b <http://x|y>' });
  assert.deepEqual(JSON.parse(slack.body), { text: '[FIRING] r: &lt;!here&gt; a&amp;b &lt;http://x|y&gt;' });
  // '[FIRING] r: ' is 12 units: the emoji straddles the 2000th unit and is left out whole.
  const long = render({ name: 'd', type: 'discord', url: new URL('https://x.example/') }, { ...base, message: `${'x'.repeat(1987)}😀tail` });
  const content = (JSON.parse(long.body) as { content: string }).content;
  assert.equal(content.length, 1999);
  assert.ok(content.endsWith('x'));
  assert.equal(clip('ab', 5), 'ab');
});
