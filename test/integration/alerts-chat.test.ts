import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { Fixture, requireEngine } from '../helpers/docker-cli.js';
import { privateGroups } from '../helpers/private-groups.js';
import { WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';

const fixture = new Fixture();
const run = fixture.runId;
const groups = privateGroups(run, ['chat']);
const group = groups.group('chat');
const dir = mkdtempSync(join(tmpdir(), 'gdm-test-alerts-chat-'));
const receiver = new WebhookReceiver();
// Markup each service would read as its own: Slack links and mentions (<…>, &), a Discord-style @everyone.
const LINE = 'ALARM <b> & <!channel> @everyone';
let closeApp: (() => Promise<void>) | undefined;

const at = (path: string, state: 'FIRING' | 'RESOLVED') => (r: Received) => r.path === path && r.raw.includes(`[${state}] chat:`);

/** What every chat notifier must not send: the webhook signature (they have no secret) or a cookie/credential of ours. */
function noWebhookHeaders(r: Received): void {
  assert.equal(r.headers['x-gdm-signature'], undefined);
  assert.equal(r.headers['cookie'], undefined);
}

describe('Slack, Discord and ntfy notifiers, end to end', () => {
  before(async () => {
    await requireEngine();
    await receiver.listen();
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `notifiers:
  slack: { type: slack, url: "${receiver.url}/services/T000/B000/XXXX" }
  discord: { type: discord, url: "${receiver.url}/api/webhooks/1/abc" }
  ntfy: { type: ntfy, url: "${receiver.url}/gdm-alerts", token: tk_test, priority: 5 }
rules:
  - { name: chat, when: log.match, groups: [${group}], pattern: "ALARM <b> & <!channel>", resolveAfter: 1s, notify: [slack, discord, ntfy] }
`,
    );
    await buildTestApp({ after: (fn: () => Promise<void>) => (closeApp = fn) }, { ...groups.env, ALERT_RULES_FILE: file, ALERT_WEBHOOK_ALLOW: '127.0.0.1' });
  });
  after(async () => {
    await closeApp?.();
    await fixture.cleanup();
    await receiver.close();
    groups.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test('each gets the payload shape and headers its service expects, firing and resolved', async () => {
    const c = await fixture.run({ labels: { 'gdm.group': group }, command: ['sh', '-c', `echo '${LINE}'; sleep 3600 & wait`] });
    const message = `${c.name}: a log line matched /ALARM <b> & <!channel>/`;

    // Slack incoming webhook: JSON {text}; &, < and > escaped as Slack requires (else <!channel> pings everyone).
    const [slack] = await receiver.waitFor(at('/services/T000/B000/XXXX', 'FIRING'));
    assert.match(String(slack?.headers['content-type']), /^application\/json\b/);
    assert.deepEqual(JSON.parse(String(slack?.raw)), { text: `[FIRING] chat: ${c.name}: a log line matched /ALARM &lt;b&gt; &amp; &lt;!channel&gt;/` });
    noWebhookHeaders(slack as Received);

    // Discord webhook: JSON {content} (at most 2000 characters), no mention parsed.
    const [discord] = await receiver.waitFor(at('/api/webhooks/1/abc', 'FIRING'));
    assert.match(String(discord?.headers['content-type']), /^application\/json\b/);
    assert.deepEqual(JSON.parse(String(discord?.raw)), { content: `[FIRING] chat: ${message}`, allowed_mentions: { parse: [] } });
    noWebhookHeaders(discord as Received);

    // ntfy: the text published to the topic URL; title, priority, tags and the token as headers.
    const [ntfy] = await receiver.waitFor(at('/gdm-alerts', 'FIRING'));
    assert.equal(ntfy?.raw, `[FIRING] chat: ${message}`);
    assert.equal(ntfy?.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(ntfy?.headers['title'], 'Alert: chat');
    assert.equal(ntfy?.headers['priority'], '5');
    assert.equal(ntfy?.headers['tags'], 'rotating_light');
    assert.equal(ntfy?.headers['authorization'], 'Bearer tk_test');
    assert.equal(ntfy?.headers['content-length'], String(Buffer.byteLength(String(ntfy?.raw))));
    noWebhookHeaders(ntfy as Received);

    // No matching line for resolveAfter: each gets the recovery notice.
    const [slackResolved] = await receiver.waitFor(at('/services/T000/B000/XXXX', 'RESOLVED'));
    assert.match(JSON.parse(String(slackResolved?.raw)).text as string, /^\[RESOLVED\] chat: .* — resolved: /);
    assert.doesNotMatch(String(slackResolved?.raw), /<!channel>/);
    const [discordResolved] = await receiver.waitFor(at('/api/webhooks/1/abc', 'RESOLVED'));
    assert.deepEqual(Object.keys(JSON.parse(String(discordResolved?.raw)) as object), ['content', 'allowed_mentions']);
    const [ntfyResolved] = await receiver.waitFor(at('/gdm-alerts', 'RESOLVED'));
    assert.equal(ntfyResolved?.headers['title'], 'Resolved: chat');
    assert.equal(ntfyResolved?.headers['priority'], '2');
    assert.equal(ntfyResolved?.headers['tags'], 'white_check_mark');
    for (const path of ['/services/T000/B000/XXXX', '/api/webhooks/1/abc', '/gdm-alerts']) {
      assert.equal(receiver.received.filter((r) => r.path === path).length, 2, `${path}: one firing, one resolved`);
    }
  });
});
