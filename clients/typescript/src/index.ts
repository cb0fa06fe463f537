/**
 * @gui-docker-manager/client: a typed client for the gui-docker-manager API.
 *
 * - `createClient({ baseUrl, token?, fetch? })` → `api` (openapi-fetch, every path typed
 *   from the service's OpenAPI document), login/logout, convenience calls that throw
 *   `ApiError`, and the SSE streams as async iterables.
 * - `paths` / `components`: the generated OpenAPI types (src/generated/schema.ts).
 */
export { createClient } from './client.js';
export type {
  ActionResult,
  ClientOptions,
  ContainerDetails,
  Engine,
  ContainerListQuery,
  ContainerSummary,
  ErrorResponse,
  EventsOptions,
  FollowLogsOptions,
  GdmClient,
  GroupActionResult,
  GroupCancelResult,
  GroupDetails,
  GroupStartOptions,
  GroupStopOptions,
  GroupSummary,
  Identity,
  LoginResult,
  Logs,
  LogsQuery,
  StatsHistory,
  StatsHistoryQuery,
  StatsSample,
  StatsSet,
  StatsSetQuery,
  SwarmChangeOptions,
  SwarmLogs,
  SwarmLogsQuery,
  SwarmNodeActionResult,
  SwarmNodeList,
  SwarmService,
  SwarmServiceActionResult,
  SwarmServiceDetails,
  SwarmServiceList,
  SwarmServiceStats,
  SwarmStacks,
} from './client.js';
export { ApiError, ERROR_CODES, UNEXPECTED_RESPONSE, isApiError, type ErrorBody, type ErrorCode } from './errors.js';
export {
  SseParser,
  readSse,
  type ComposeStreamEvent,
  type ContainerChange,
  type ContainerStreamEvent,
  type EngineChange,
  type EngineLostEvent,
  type GroupStreamEvent,
  type LogLine,
  type LogStreamEvent,
  type ShutdownEvent,
  type SseMessage,
  type StatsSetStreamEvent,
  type StatsStreamEvent,
} from './sse.js';
export type { components, paths } from './generated/schema.js';
