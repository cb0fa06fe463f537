import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAlertRules } from '../../src/alerts/rules-load.js';
import { parseContainerEvent } from '../../src/docker/container-events.js';

const NOTIFIERS = 'notifiers:\n  ops: { type: webhook, url: https://hooks.example.org/gdm, secret: change-me }\n';

test('the issue\'s example parses', () => {
  const rules = parseAlertRules('rules.yaml', `${NOTIFIERS}rules:\n  - name: core-died\n    when: container.died\n    groups: [core]\n    notify: [ops]\n`);
  assert.equal(rules.rules[0]?.when, 'container.died');
  assert.deepEqual(rules.rules[0]?.groups, ['core']);
  assert.equal(rules.notifiers.get('ops')?.url.host, 'hooks.example.org');
});

test('errors name the file, the rule and the key', () => {
  const cases: [string, RegExp][] = [
    [`${NOTIFIERS}rules:\n  - { name: r1, when: container.exploded, notify: [ops] }\n`, /: f\.yaml: rule "r1": key when: expected one of container\.died/],
    [`${NOTIFIERS}rules:\n  - { name: r2, when: container.died, notify: [pager] }\n`, /: f\.yaml: rule "r2": key notify: no notifier named "pager"/],
    [`${NOTIFIERS}rules:\n  - { name: r3, when: container.restart_loop, notify: [ops], restarts: 3 }\n`, /rule "r3": key within: required for container\.restart_loop/],
    [`${NOTIFIERS}rules:\n  - { name: r4, when: log.match, notify: [ops], pattern: "(a" }\n`, /rule "r4": key pattern: not an RE2 regular expression/],
    [`${NOTIFIERS}rules:\n  - { name: r5, when: usage.cpu, notify: [ops], above: 90, for: soon }\n`, /rule "r5": key for: /],
    [`${NOTIFIERS}rules:\n  - { name: r6, when: container.died, notify: [ops], colour: red }\n`, /rule "r6": key colour: unknown key/],
    [`${NOTIFIERS}rules:\n  - { name: r7, when: container.died, notify: [ops] }\n  - { name: r7, when: container.oom, notify: [ops] }\n`, /rule "r7": key name: used twice/],
    ['notifiers:\n  ops: { type: webhook, url: https://x.example }\nrules: []\n', /notifier "ops": key secret: required for a webhook/],
    ['notifiers:\n  ops: { type: webhook, url: "ftp://x.example/", secret: s }\nrules: []\n', /notifier "ops": key url: expected http or https/],
    ['rules: [\n', /: f\.yaml: YAML: /],
  ];
  for (const [text, expected] of cases) assert.throws(() => parseAlertRules('f.yaml', text), expected);
});

test('a catastrophic pattern is matched in linear time (RE2)', () => {
  const rules = parseAlertRules('f.yaml', `${NOTIFIERS}rules:\n  - { name: r, when: log.match, notify: [ops], pattern: "^(a+)+$" }\n`);
  const line = `${'a'.repeat(4000)}!`;
  const started = performance.now();
  assert.equal(rules.rules[0]?.pattern?.test(line), false);
  assert.ok(performance.now() - started < 500, 'a backtracking engine takes practically forever here');
});

test('a die event carries its exit code', () => {
  const line = JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'abc', Attributes: { exitCode: '3', name: 'x' } }, time: 1, timeNano: 1 });
  assert.deepEqual(parseContainerEvent(line), { id: 'abc', action: 'die', exitCode: 3 });
  const start = JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: {} }, time: 1, timeNano: 1 });
  assert.deepEqual(parseContainerEvent(start), { id: 'abc', action: 'start' });
});
