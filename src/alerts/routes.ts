import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canSee, canSeeEngine, canSeeGroup, type Viewer } from '../access/principal.js';
import { viewerOf } from '../access/http/viewer.js';
import { appError } from '../errors.js';
import { errorResponses } from '../http/common-schemas.js';
import { streamResponse } from '../http/sse/events.js';
import { openStream, type StreamSettings } from '../http/sse/open.js';
import type { AlertsFeature } from './feature.js';
import type { AlertRule } from './rules-load.js';
import { durationMs } from './rules-schema.js';
import {
  AlertListQuerySchema,
  AlertListSchema,
  AlertRuleListSchema,
  RuleParamsSchema,
  SilenceBodySchema,
  SilenceSchema,
  TestResultSchema,
  type Alert,
  type AlertRuleView,
} from './schemas.js';
import { ALERTS_STREAM } from './stream-schemas.js';

const tags = ['alerts'];
const adminOnly = { access: { adminOnly: true as const } };
const MAX_SILENCE_MS = 30 * 86_400_000;

/**
 * Whether the caller may see an alert: each engine it names (a group.degraded alert names
 * every engine of its degraded members, comma-separated) and one of its groups.
 */
function mayRead(viewer: Viewer, alert: Alert): boolean {
  return alert.engine.split(',').every((e) => canSeeEngine(viewer, e)) && canSee(viewer, { groups: alert.groups });
}

/** An alert as the caller may see it: undefined when none of its groups is theirs; hidden group names left out. */
function visibleAlert(viewer: Viewer, alert: Alert): Alert | undefined {
  if (!mayRead(viewer, alert)) return undefined;
  const groups = alert.groups.filter((g) => canSeeGroup(viewer, g));
  if (groups.length === alert.groups.length) return alert;
  return { ...alert, groups, group: alert.group && canSeeGroup(viewer, alert.group) ? alert.group : (groups[0] ?? null) };
}

function ruleView(rule: AlertRule, silencedUntil: string | null): AlertRuleView {
  const settings: Record<string, unknown> = {};
  if (rule.when === 'container.restart_loop') Object.assign(settings, { restarts: rule.restarts, withinSeconds: rule.withinMs / 1000 });
  if (rule.when === 'usage.cpu' || rule.when === 'usage.memory') Object.assign(settings, { above: rule.above, forSeconds: rule.forMs / 1000 });
  if (rule.when === 'group.degraded' || rule.when === 'engine.unreachable') settings['forSeconds'] = rule.forMs / 1000;
  if (rule.when === 'log.match') Object.assign(settings, { pattern: rule.patternText, resolveAfterSeconds: rule.resolveAfterMs / 1000 });
  return {
    name: rule.name,
    when: rule.when,
    groups: rule.groups,
    containers: rule.containers.map((re) => re.source),
    engines: rule.engines,
    notify: rule.notify,
    repeatSeconds: rule.repeatMs === null ? null : rule.repeatMs / 1000,
    settings,
    silencedUntil,
  };
}

/** /api/v1/alerts: what fires and fired, the rules, tests and silences (admin), and a live stream. */
const alertRoutes: FastifyPluginAsyncTypebox<{ alerts: AlertsFeature; streams: StreamSettings }> = async (app, { alerts, streams }) => {
  const { center, store } = alerts;
  const ruleNamed = (name: string): AlertRule => {
    const rule = center.rule(name);
    if (!rule) throw appError('ALERT_RULE_NOT_FOUND', `No alert rule named ${name}`);
    return rule;
  };

  app.get(
    '/alerts',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'Alerts, newest first: firing and resolved (history), of the caller\'s groups',
        querystring: AlertListQuerySchema,
        response: { 200: AlertListSchema, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const viewer = viewerOf(request);
      const active = center.firingAlerts().filter((a) => mayRead(viewer, a)).length;
      const list = store.list(request.query, (a) => mayRead(viewer, a)).map((a) => visibleAlert(viewer, a) as Alert);
      return { active, alerts: list };
    },
  );

  app.get(
    '/alerts/rules',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags,
        summary: 'The alert rules (scoped to the caller\'s groups unless admin) and the notifiers\' types and hosts',
        response: { 200: AlertRuleListSchema, ...errorResponses(401) },
      },
    },
    async (request) => {
      const viewer = viewerOf(request);
      const admin = viewer.role === 'admin';
      const rules = center.rules.rules.filter((r) => admin || (r.groups.length > 0 && r.groups.some((g) => canSeeGroup(viewer, g))));
      const notifiers = admin ? [...center.rules.notifiers.values()].map((n) => ({ name: n.name, type: n.type, host: n.url.host })) : [];
      return { rules: rules.map((r) => ruleView(r, center.silencedUntil(r.name))), notifiers };
    },
  );

  app.post(
    '/alerts/rules/:name/test',
    {
      config: adminOnly,
      schema: {
        tags,
        summary: 'Send a test notification through each notifier of a rule, now (one attempt each), and say how each went',
        params: RuleParamsSchema,
        response: { 200: TestResultSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => center.test(ruleNamed(request.params.name), viewerOf(request).sub),
  );

  app.post(
    '/alerts/rules/:name/silence',
    {
      config: { ...adminOnly, audit: { body: ['duration'] } },
      schema: {
        tags,
        summary: 'Silence a rule for a while: its alerts are still recorded and shown, no notice is sent',
        params: RuleParamsSchema,
        body: SilenceBodySchema,
        response: { 200: SilenceSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rule = ruleNamed(request.params.name);
      const ms = durationMs(request.body.duration);
      if (ms <= 0 || ms > MAX_SILENCE_MS) throw appError('VALIDATION_ERROR', 'duration must be more than 0 and at most 30d');
      return { rule: rule.name, silencedUntil: center.silence(rule.name, ms, viewerOf(request).sub) };
    },
  );

  app.delete(
    '/alerts/rules/:name/silence',
    {
      config: adminOnly,
      schema: { tags, summary: 'End a rule\'s silence', params: RuleParamsSchema, response: { 200: SilenceSchema, ...errorResponses(400, 401, 403, 404) } },
    },
    async (request) => {
      const rule = ruleNamed(request.params.name);
      center.unsilence(rule.name);
      return { rule: rule.name, silencedUntil: null };
    },
  );

  app.get(
    '/alerts/stream',
    {
      config: { access: { permission: 'READ' } },
      schema: {
        tags: ['streams', ...tags],
        summary: 'Alerts as they fire and clear (SSE)',
        description: 'text/event-stream: `ready` with what fires now, then an `alert` event each time an alert the caller may see fires or clears.',
        response: { 200: streamResponse(ALERTS_STREAM, 'Alerts as Server-Sent Events (AlertsStreamMessage)'), ...errorResponses(401, 429) },
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      const stream = openStream(request, reply, streams, ALERTS_STREAM);
      stream.send('ready', { active: center.firingAlerts().flatMap((a) => visibleAlert(viewer, a) ?? []) });
      const onAlert = (alert: Alert) => {
        const seen = visibleAlert(viewer, alert);
        // Alerts are rare and small: a reader that is behind still gets them (no drop).
        if (seen) stream.send('alert', seen);
      };
      center.on('alert', onAlert);
      stream.onClose(() => center.off('alert', onAlert));
    },
  );
};

export default alertRoutes;
