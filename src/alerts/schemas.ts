import Type, { type Static } from 'typebox';
import { ALERT_KINDS } from './rules-schema.js';

const Kind = Type.String({ description: ALERT_KINDS.join(', ') });
const State = Type.Union([Type.Literal('firing'), Type.Literal('resolved')]);

export const AlertSchema = Type.Object(
  {
    id: Type.Integer(),
    rule: Type.String(),
    kind: Kind,
    state: State,
    message: Type.String(),
    engine: Type.String({ description: "The engine's name ('local' with one engine)" }),
    container: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
    group: Type.Union([Type.String(), Type.Null()], { description: 'The group concerned (group.degraded) or the container\'s first group' }),
    groups: Type.Array(Type.String(), { description: 'Who may see it: the container\'s groups, or the degraded group' }),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'Per kind: exitCode, restarts, value and threshold, line, members…' }),
    firedAt: Type.String({ description: 'ISO 8601' }),
    notifiedAt: Type.Union([Type.String(), Type.Null()], { description: 'Last firing notice queued (null while silenced)' }),
    resolvedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Alert' },
);
export type Alert = Static<typeof AlertSchema>;

export const AlertListQuerySchema = Type.Object({
  state: Type.Optional(State),
  rule: Type.Optional(Type.String({ maxLength: 64 })),
  group: Type.Optional(Type.String({ maxLength: 200 })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Only alerts fired at or after (ISO 8601)' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export type AlertListQuery = Static<typeof AlertListQuerySchema>;

export const AlertListSchema = Type.Object(
  {
    active: Type.Integer({ description: 'Firing alerts the caller may see (all of them, whatever the filters)' }),
    alerts: Type.Array(Type.Ref('Alert'), { description: 'Newest first: firing and resolved, as filtered' }),
  },
  { $id: 'AlertList' },
);

export const AlertRuleViewSchema = Type.Object(
  {
    name: Type.String(),
    when: Kind,
    groups: Type.Array(Type.String()),
    containers: Type.Array(Type.String(), { description: 'Name patterns' }),
    engines: Type.Array(Type.String()),
    notify: Type.Array(Type.String()),
    repeatSeconds: Type.Union([Type.Number(), Type.Null()]),
    settings: Type.Record(Type.String(), Type.Unknown(), { description: 'The kind\'s own keys (restarts, within, above, for, pattern…)' }),
    silencedUntil: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'AlertRuleView' },
);
export type AlertRuleView = Static<typeof AlertRuleViewSchema>;

export const AlertRuleListSchema = Type.Object(
  {
    rules: Type.Array(Type.Ref('AlertRuleView')),
    notifiers: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), host: Type.String({ description: 'The target host; never the URL path, secret or token' }) })),
  },
  { $id: 'AlertRuleList' },
);

export const RuleParamsSchema = Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }) });

export const SilenceBodySchema = Type.Object(
  {
    duration: Type.String({ pattern: '^\\d+(s|m|h|d)$', description: 'How long, e.g. 30m, 2h, 1d (at most 30d)' }),
  },
  { additionalProperties: false },
);

export const SilenceSchema = Type.Object(
  { rule: Type.String(), silencedUntil: Type.Union([Type.String(), Type.Null()]) },
  { $id: 'AlertSilence' },
);

export const TestResultSchema = Type.Object(
  {
    rule: Type.String(),
    results: Type.Array(
      Type.Object({
        notifier: Type.String(),
        ok: Type.Boolean(),
        status: Type.Optional(Type.Integer({ description: "The receiver's HTTP status" })),
        error: Type.Optional(Type.String({ description: 'Why it failed (refused target, timeout, status)' })),
      }),
    ),
  },
  { $id: 'AlertTestResult' },
);
