/**
 * Every error the API can answer with: code, HTTP status and the message a caller sees.
 * Services throw `appError(code)`; one handler renders it (see http/error-handler.ts).
 */
export const ERRORS = {
  VALIDATION_ERROR: { status: 400, message: 'The request is not valid' },
  UNAUTHORIZED: { status: 401, message: 'Authentication is required' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, message: 'No such resource' },
  INVALID_CREDENTIALS: { status: 401, message: 'Wrong user name or password' },
  ORIGIN_REJECTED: { status: 403, message: 'A cookie-authenticated change must come from an allowed origin' },
  USER_NOT_FOUND: { status: 404, message: 'No such user' },
  USER_EXISTS: { status: 409, message: 'A user with this name exists' },
  LAST_ADMIN: { status: 409, message: 'This would leave no enabled admin' },
  CONTAINER_NOT_FOUND: { status: 404, message: 'No such container' },
  AMBIGUOUS_CONTAINER_ID: { status: 409, message: 'The id prefix matches several containers; give more characters or the name' },
  AMBIGUOUS: { status: 409, message: 'The reference matches containers on several engines; name the engine ({engine}:{ref} or ?engine=)' },
  CONTAINER_NOT_RUNNING: { status: 409, message: 'The container is not running' },
  CONTAINER_START_FAILED: {
    status: 409,
    message: 'The engine could not start the container; check its command, mounts and ports (details in the service log)',
  },
  GROUP_NOT_FOUND: { status: 404, message: 'No such service group' },
  GROUP_BUSY: { status: 409, message: 'Another start or stop of this group is running; wait for it to finish' },
  GROUP_OPERATION_FAILED: { status: 409, message: 'The group operation stopped at a container that did not come up or down' },
  GROUP_OPERATION_CANCELLED: { status: 409, message: 'The group operation was cancelled before it completed' },
  GROUP_OPERATION_NOT_FOUND: { status: 404, message: 'No start or stop of this group is running' },
  UPDATE_FAILED: { status: 409, message: 'The image update stopped at a step whose members did not come up; they are back on their previous image' },
  COMPOSE_UNAVAILABLE: { status: 503, message: 'No compose tool was found (docker compose or docker-compose); set COMPOSE_COMMAND' },
  COMPOSE_PROJECT_NOT_FOUND: { status: 404, message: 'No such compose project' },
  COMPOSE_NOT_MANAGED: { status: 409, message: 'This project was started elsewhere; up and down act only on projects under COMPOSE_PROJECTS_DIR or declared ones' },
  COMPOSE_UNSAFE: { status: 400, message: 'A compose file reaches outside the project folder or gives a container the host' },
  COMPOSE_BUSY: { status: 409, message: 'Another compose operation on this project is running' },
  COMPOSE_FAILED: { status: 409, message: 'The compose command failed' },
  LOG_SEARCH_INVALID_PATTERN: { status: 400, message: 'The search pattern is not a valid regular expression (RE2 syntax: no backreferences or lookahead)' },
  LOG_SEARCH_PATTERN_TOO_COMPLEX: { status: 400, message: 'The search pattern is too complex to run over every log line; simplify it' },
  CONTAINER_CONFLICT: { status: 409, message: 'The container cannot do this in its current state' },
  ALERT_RULE_NOT_FOUND: { status: 404, message: 'No such alert rule' },
  SWARM_SERVICE_NOT_FOUND: { status: 404, message: 'No such swarm service' },
  SWARM_NODE_NOT_FOUND: { status: 404, message: 'No such swarm node' },
  SWARM_AMBIGUOUS: { status: 409, message: 'The reference matches several swarm services or nodes; give more characters, the name, or the engine (engine:ref or ?engine=)' },
  SWARM_VERSION_CONFLICT: {
    status: 409,
    message: 'The engine refused a stale update: the service or node changed since its version index was read; read it again and retry',
  },
  SWARM_NOT_REPLICATED: { status: 409, message: 'Only a replicated service can be scaled' },
  SWARM_NO_PREVIOUS_SPEC: { status: 409, message: 'The service has no previous spec to roll back to' },
  SWARM_NOT_MANAGER: { status: 409, message: 'The engine is not a swarm manager' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here' },
  PRECONDITION_FAILED: { status: 412, message: 'A precondition of the request (If-Match, If-Unmodified-Since) does not hold' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body type is not supported' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'The requested range lies outside the file' },
  MISDIRECTED_REQUEST: { status: 421, message: 'This service does not answer to this host name (see ALLOWED_HOSTS)' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry later' },
  TOO_MANY_STREAMS: { status: 429, message: 'Too many open streams for this client; close one first' },
  INTERNAL_ERROR: { status: 500, message: 'Internal error' },
  DOCKER_ERROR: { status: 502, message: 'The Docker engine refused the operation' },
  DOCKER_UNAVAILABLE: {
    status: 503,
    message: 'The Docker engine is unreachable; check that it runs and that DOCKER_HOST points to it',
  },
  DOCKER_TIMEOUT: { status: 504, message: 'The Docker engine did not answer in time' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
    /** What really happened, for the log only: never rendered to a caller. */
    readonly internal?: unknown,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

/** Builds a coded error; `message` overrides the table's text with a more precise one. */
export function appError(code: ErrorCode, message?: string, details?: Record<string, unknown>, internal?: unknown): AppError {
  return new AppError(code, message, details, internal);
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
