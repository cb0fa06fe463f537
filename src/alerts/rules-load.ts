import { readFileSync } from 'node:fs';
import { RE2JS } from 're2js';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { parse } from 'yaml';
import {
  ALERT_KINDS,
  durationMs,
  NotifierFileSchema,
  RuleFileSchema,
  RulesFileSchema,
  type AlertKind,
  type NotifierType,
  type RuleFile,
} from './rules-schema.js';

export interface NotifierConfig {
  name: string;
  type: NotifierType;
  url: URL;
  secret?: string;
  token?: string;
  priority?: number;
}

export interface AlertRule {
  name: string;
  when: AlertKind;
  notify: string[];
  /** Empty: any group (and none). */
  groups: string[];
  /** Empty: any name. */
  containers: RegExp[];
  /** Empty: any engine. */
  engines: string[];
  repeatMs: number | null;
  restarts: number;
  withinMs: number;
  above: number;
  forMs: number;
  pattern: RE2JS | null;
  patternText: string | null;
  resolveAfterMs: number;
}

export interface AlertRules {
  file: string;
  notifiers: Map<string, NotifierConfig>;
  rules: AlertRule[];
}

/** A rules file that does not hold: names the file, the rule (or notifier) and the key. */
export class AlertRulesError extends Error {
  constructor(file: string, where: string, message: string) {
    super(`${file}: ${where}: ${message}`);
    this.name = 'AlertRulesError';
  }
}

function firstError(schema: TSchema, value: unknown): { key: string; message: string } | undefined {
  const error = [...Value.Errors(schema, value)][0];
  if (!error) return undefined;
  const key = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
  // An additional property fails against the `false` schema: say what that means.
  return { key, message: error.message === 'schema is false' ? 'unknown key (a typo?)' : error.message };
}

/** `api-*` → /^api-.*$/ (only * and ? are special: a name pattern cannot backtrack badly). */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

const NEEDS: Partial<Record<AlertKind, (keyof RuleFile)[]>> = {
  'container.restart_loop': ['restarts', 'within'],
  'usage.cpu': ['above'],
  'usage.memory': ['above'],
  'log.match': ['pattern'],
};

function compileRule(file: string, raw: unknown, index: number, notifiers: Map<string, NotifierConfig>): AlertRule {
  const label = typeof (raw as { name?: unknown })?.name === 'string' ? `rule ${JSON.stringify((raw as { name: string }).name)}` : `rules[${index}]`;
  const bad = firstError(RuleFileSchema, raw);
  if (bad) throw new AlertRulesError(file, label, `key ${bad.key}: ${bad.message}`);
  const r = raw as RuleFile;
  if (!(ALERT_KINDS as readonly string[]).includes(r.when)) throw new AlertRulesError(file, label, `key when: expected one of ${ALERT_KINDS.join(', ')}`);
  const when = r.when as AlertKind;
  for (const key of NEEDS[when] ?? []) if (r[key] === undefined) throw new AlertRulesError(file, label, `key ${key}: required for ${when}`);
  for (const n of r.notify) if (!notifiers.has(n)) throw new AlertRulesError(file, label, `key notify: no notifier named ${JSON.stringify(n)}`);
  let pattern: RE2JS | null = null;
  if (r.pattern !== undefined) {
    try {
      pattern = RE2JS.compile(r.pattern, r.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    } catch (err) {
      throw new AlertRulesError(file, label, `key pattern: not an RE2 regular expression (${(err as Error).message})`);
    }
  }
  const repeatMs = r.repeat === undefined ? null : durationMs(r.repeat);
  if (repeatMs !== null && repeatMs < 1000) throw new AlertRulesError(file, label, 'key repeat: at least 1s');
  return {
    name: r.name,
    when,
    notify: r.notify,
    groups: r.groups ?? [],
    containers: (r.containers ?? []).map(globToRegExp),
    engines: r.engines ?? [],
    repeatMs,
    restarts: r.restarts ?? 3,
    withinMs: r.within === undefined ? 60_000 : durationMs(r.within),
    above: r.above ?? 0,
    forMs: r.for === undefined ? 0 : durationMs(r.for),
    pattern,
    patternText: r.pattern ?? null,
    resolveAfterMs: r.resolveAfter === undefined ? 300_000 : durationMs(r.resolveAfter),
  };
}

/** Parses and validates a rules document (the notifiers' targets are checked by the plugin, against the allow-list). */
export function parseAlertRules(file: string, text: string): AlertRules {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new AlertRulesError(file, 'YAML', (err as Error).message.split('\n')[0] ?? 'cannot parse');
  }
  const top = firstError(RulesFileSchema, doc ?? {});
  if (top) throw new AlertRulesError(file, 'top level', `key ${top.key}: ${top.message} (expected notifiers: {…} and rules: […])`);
  const { notifiers: rawNotifiers, rules: rawRules } = doc as { notifiers: Record<string, unknown>; rules: unknown[] };
  const notifiers = new Map<string, NotifierConfig>();
  for (const [name, raw] of Object.entries(rawNotifiers)) {
    const label = `notifier ${JSON.stringify(name)}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new AlertRulesError(file, label, 'the name may hold letters, digits, _ . - (up to 64)');
    const bad = firstError(NotifierFileSchema, raw);
    if (bad) throw new AlertRulesError(file, label, `key ${bad.key}: ${bad.message}`);
    const n = raw as { type: NotifierType; url: string; secret?: string; token?: string; priority?: number };
    let url: URL;
    try {
      url = new URL(n.url);
    } catch {
      throw new AlertRulesError(file, label, 'key url: not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AlertRulesError(file, label, 'key url: expected http or https');
    if (n.type === 'webhook' && !n.secret) throw new AlertRulesError(file, label, 'key secret: required for a webhook (its body is signed with it)');
    notifiers.set(name, { name, type: n.type, url, secret: n.secret, token: n.token, priority: n.priority });
  }
  const rules: AlertRule[] = [];
  const seen = new Set<string>();
  rawRules.forEach((raw, i) => {
    const rule = compileRule(file, raw, i, notifiers);
    if (seen.has(rule.name)) throw new AlertRulesError(file, `rule ${JSON.stringify(rule.name)}`, 'key name: used twice');
    seen.add(rule.name);
    rules.push(rule);
  });
  return { file, notifiers, rules };
}

export function loadAlertRules(file: string): AlertRules {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AlertRulesError(file, 'file', `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseAlertRules(file, text);
}
