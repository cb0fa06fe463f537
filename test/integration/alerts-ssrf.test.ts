import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { requireEngine } from '../helpers/docker-cli.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-ssrf-'));

function rules(name: string, url: string): string {
  const file = join(dir, name);
  writeFileSync(file, `notifiers:\n  out: { type: webhook, url: "${url}", secret: s }\nrules:\n  - { name: any, when: engine.unreachable, notify: [out] }\n`);
  return file;
}

describe('alert notifier targets (SSRF guard)', () => {
  const allowed = new WebhookReceiver();
  const elsewhere = new WebhookReceiver();
  before(async () => {
    await requireEngine();
    await allowed.listen('127.0.0.1');
    await elsewhere.listen('127.0.0.2');
  });
  after(async () => {
    await allowed.close();
    await elsewhere.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [what, url] of <[string, string][]>[
    ['a private address', 'http://10.20.30.40/hook'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['loopback not on the list', 'http://127.0.0.2:9/hook'],
    ['a unique-local IPv6 address', 'http://[fd00::1]/hook'],
    ['a CGNAT address', 'http://100.64.1.1/hook'],
  ]) {
    test(`refused at start: ${what}`, async (t) => {
      const file = rules(`start-${what.replaceAll(' ', '-')}.yaml`, url);
      await assert.rejects(
        buildTestApp(t, { ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1' }),
        (err: Error) => err.message.includes(file) && err.message.includes('notifier "out"') && /key url: refused/.test(err.message),
      );
    });
  }

  test('refused at send time when a permitted receiver redirects elsewhere (redirects are not followed)', async (t) => {
    allowed.answer = { redirect: `${elsewhere.url}/stolen` };
    const app = await buildTestApp(t, { ALERT_RULES_FILE: rules('redirect.yaml', `${allowed.url}/hook`), ALERT_WEBHOOK_ALLOW: '127.0.0.1' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/alerts/rules/any/test' });
    assert.equal(res.statusCode, 200);
    const [result] = res.json<{ results: { notifier: string; ok: boolean; error?: string }[] }>().results;
    assert.equal(result?.ok, false);
    assert.match(result?.error ?? '', /302.*redirects are not followed/);
    assert.equal(allowed.received.length, 1);
    assert.equal(elsewhere.received.length, 0, 'the redirect target was never contacted');
  });

  test('an allow-list entry that is not a host, address or CIDR stops the start', async (t) => {
    await assert.rejects(buildTestApp(t, { ALERT_WEBHOOK_ALLOW: '10.0.0.0/99' }), /ALERT_WEBHOOK_ALLOW/);
  });
});
