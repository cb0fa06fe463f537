import Type, { type Static } from 'typebox';
import { defineStream } from '../http/sse/events.js';
import { PATTERN_MAX_LENGTH } from './matcher.js';

export const LOG_SEARCH_LIMIT_DEFAULT = 1000;
export const LOG_SEARCH_LIMIT_MAX = 10_000;

const TimeParam = (what: string) =>
  Type.String({ minLength: 1, maxLength: 64, description: `${what}: Unix seconds, an RFC 3339 date, or a duration before now such as 10m or 2h` });

export const LogSearchQuerySchema = Type.Object({
  q: Type.String({ minLength: 1, maxLength: PATTERN_MAX_LENGTH, description: 'The text to find (a regular expression with regex=true)' }),
  regex: Type.Boolean({ default: false, description: 'q is a regular expression in RE2 syntax (linear-time: no backreferences, no lookahead)' }),
  case: Type.Boolean({ default: false, description: 'Match case exactly (by default case is ignored)' }),
  group: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only the containers of this service group' })),
  project: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only the containers of this compose project (com.docker.compose.project)' })),
  name: Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-zA-Z0-9_.*?-]+$', description: 'Only containers whose name matches this glob (* any characters, ? one)' }),
  ),
  since: Type.Optional(TimeParam('Lines written at or after')),
  until: Type.Optional(TimeParam('Lines written at or before (default: now)')),
  order: Type.Union([Type.Literal('newest'), Type.Literal('oldest')], { default: 'newest', description: 'newest (default) or oldest first' }),
  limit: Type.Integer({ minimum: 1, maximum: LOG_SEARCH_LIMIT_MAX, default: LOG_SEARCH_LIMIT_DEFAULT, description: 'Matches at most; the summary says truncated when it was reached' }),
});
export type LogSearchQuery = Static<typeof LogSearchQuerySchema>;

export const SearchContainerSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  engine: Type.String({ description: 'The engine the container runs on (local with one engine)' }),
});
export type SearchContainer = Static<typeof SearchContainerSchema>;

export const LogSearchStartEventSchema = Type.Object(
  {
    containers: Type.Array(SearchContainerSchema, { description: 'The containers searched: those of the set that the caller may see' }),
    order: Type.Union([Type.Literal('newest'), Type.Literal('oldest')]),
  },
  { $id: 'LogSearchStartEvent', description: '`start`: what is searched, before any match' },
);

export const LogSearchMatchEventSchema = Type.Object(
  {
    container: SearchContainerSchema,
    stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
    timestamp: Type.String({ description: "The engine's RFC 3339 time of the line (nanoseconds)" }),
    line: Type.String(),
    truncated: Type.Optional(Type.Literal(true, { description: 'The line was longer than 64 KiB and was cut' })),
  },
  { $id: 'LogSearchMatchEvent', description: '`match`: one matching line, sent as soon as it is found' },
);
export type LogSearchMatch = Static<typeof LogSearchMatchEventSchema>;

export const LogSearchSummaryEventSchema = Type.Object(
  {
    containers: Type.Integer({ description: 'Containers searched' }),
    linesScanned: Type.Integer({ description: 'Lines read from the engine in the time range (newest first may read a line twice: in a tail, then in a window)' }),
    matches: Type.Integer(),
    truncated: Type.Boolean({ description: 'The limit was reached: more matches may exist' }),
    timedOut: Type.Boolean({ description: 'LOG_SEARCH_TIMEOUT_MS passed: the result is partial' }),
    failed: Type.Array(Type.Object({ container: SearchContainerSchema, code: Type.String() }), {
      description: 'Containers whose logs could not be read (removed meanwhile, engine unreachable)',
    }),
    durationMs: Type.Integer(),
  },
  { $id: 'LogSearchSummaryEvent', description: '`summary`: the last event of a search' },
);
export type LogSearchSummary = Static<typeof LogSearchSummaryEventSchema>;

export const LOG_SEARCH_STREAM = defineStream(
  'LogSearchMessage',
  { start: LogSearchStartEventSchema, match: LogSearchMatchEventSchema, summary: LogSearchSummaryEventSchema },
  'GET /api/v1/logs/search (as Server-Sent Events, or one message a line as NDJSON).',
);
