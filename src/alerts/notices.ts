import { createHmac } from 'node:crypto';
import type { NotifierConfig } from './rules-load.js';

/** One notification, the same for every notifier; each type renders it its own way. */
export interface AlertNotice {
  rule: string;
  kind: string;
  state: 'firing' | 'resolved';
  message: string;
  /** ISO 8601: when this notice was made. */
  time: string;
  alertId: number | null;
  engine: string;
  container: { name: string; engine: string; id: string } | null;
  group: string | null;
  groups: string[];
  details: Record<string, unknown>;
  /** A repeat of a still-firing alert (the rule's `repeat`). */
  repeat?: boolean;
  /** Sent by POST /alerts/rules/{name}/test: not a real alert. */
  test?: boolean;
}

export interface Rendered {
  body: string;
  headers: Record<string, string>;
}

export const SIGNATURE_HEADER = 'X-GDM-Signature';

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the notifier's secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function headline(n: AlertNotice): string {
  const mark = n.test ? 'TEST' : n.state === 'firing' ? (n.repeat ? 'STILL FIRING' : 'FIRING') : 'RESOLVED';
  return `[${mark}] ${n.rule}: ${n.message}`;
}

/** Slack reads &, < and > as its own markup (links, <!channel> mentions): its API asks for them escaped. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair (invalid text a service may refuse). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** The body and headers a notifier type sends. */
export function render(notifier: NotifierConfig, n: AlertNotice): Rendered {
  switch (notifier.type) {
    case 'webhook': {
      const body = JSON.stringify(n);
      return { body, headers: { [SIGNATURE_HEADER]: signBody(body, notifier.secret ?? '') } };
    }
    case 'slack':
      // Slack's incoming webhooks (and Mattermost, Rocket.Chat) take {text}.
      return { body: JSON.stringify({ text: slackEscape(headline(n)) }), headers: {} };
    case 'discord':
      // At most 2000 characters; no @everyone, role or user mention is parsed from the text.
      return { body: JSON.stringify({ content: clip(headline(n), 2000), allowed_mentions: { parse: [] } }), headers: {} };
    case 'ntfy': {
      // Published to the topic URL as plain text; title, priority and tags as headers.
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        Title: `${n.state === 'firing' ? 'Alert' : 'Resolved'}: ${n.rule}`.replace(/[^\x20-\x7e]/g, '?'),
        Priority: String(n.state === 'firing' ? (notifier.priority ?? 4) : 2),
        Tags: n.state === 'firing' ? 'rotating_light' : 'white_check_mark',
      };
      if (notifier.token) headers['Authorization'] = `Bearer ${notifier.token}`;
      return { body: headline(n), headers };
    }
  }
}
