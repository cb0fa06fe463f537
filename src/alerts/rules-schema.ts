import Type, { type Static } from 'typebox';

/** What a rule watches (README "Alerts"). */
export const ALERT_KINDS = [
  'container.died',
  'container.unhealthy',
  'container.restart_loop',
  'container.oom',
  'group.degraded',
  'usage.cpu',
  'usage.memory',
  'log.match',
  'engine.unreachable',
  'update.available',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const NOTIFIER_TYPES = ['webhook', 'slack', 'discord', 'ntfy'] as const;
export type NotifierType = (typeof NOTIFIER_TYPES)[number];

/** `30s`, `5m`, `1h`, `500ms`, `2d`, or a number of seconds. */
const Duration = Type.Union([Type.String({ pattern: '^\\d+(ms|s|m|h|d)$' }), Type.Integer({ minimum: 0 })], {
  description: 'a duration such as 30s, 5m, 1h (or a number of seconds)',
});
const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'letters, digits, _ . - (up to 64)' });

export const NotifierFileSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('webhook'), Type.Literal('slack'), Type.Literal('discord'), Type.Literal('ntfy')]),
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'an http(s) URL' }),
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'the HMAC-SHA256 key (webhook)' })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'a bearer token (ntfy)' })),
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: 'ntfy priority of firing alerts, 1-5' })),
  },
  { additionalProperties: false },
);
export type NotifierFile = Static<typeof NotifierFileSchema>;

export const RuleFileSchema = Type.Object(
  {
    name: Name,
    when: Type.String({ description: ALERT_KINDS.join(', ') }),
    notify: Type.Array(Name, { minItems: 1, description: 'notifier names' }),
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'service groups' })),
    containers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { description: 'container name patterns (* and ?)' })),
    engines: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'engine names' })),
    repeat: Type.Optional(Duration),
    restarts: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000, description: 'restarts that make a loop (restart_loop)' })),
    within: Type.Optional(Duration),
    above: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'percent (usage.cpu: 100 = one core; usage.memory: of the limit)' })),
    for: Type.Optional(Duration),
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'an RE2 regular expression (log.match)' })),
    ignoreCase: Type.Optional(Type.Boolean()),
    resolveAfter: Type.Optional(Duration),
  },
  { additionalProperties: false },
);
export type RuleFile = Static<typeof RuleFileSchema>;

export const RulesFileSchema = Type.Object(
  {
    notifiers: Type.Record(Type.String(), Type.Unknown()),
    rules: Type.Array(Type.Unknown()),
  },
  { additionalProperties: false },
);

export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value) as RegExpExecArray;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}
