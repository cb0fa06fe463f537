/**
 * The service's error codes (its src/errors.ts). A test checks that this list and the
 * service's stay the same. A newer service may answer with a code not listed here, so
 * `ApiError.code` also accepts any string.
 */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_CREDENTIALS',
  'ORIGIN_REJECTED',
  'USER_NOT_FOUND',
  'USER_EXISTS',
  'LAST_ADMIN',
  'CONTAINER_NOT_FOUND',
  'AMBIGUOUS_CONTAINER_ID',
  'AMBIGUOUS',
  'CONTAINER_NOT_RUNNING',
  'CONTAINER_START_FAILED',
  'GROUP_NOT_FOUND',
  'GROUP_BUSY',
  'GROUP_OPERATION_FAILED',
  'GROUP_OPERATION_CANCELLED',
  'GROUP_OPERATION_NOT_FOUND',
  'COMPOSE_UNAVAILABLE',
  'COMPOSE_PROJECT_NOT_FOUND',
  'COMPOSE_NOT_MANAGED',
  'COMPOSE_UNSAFE',
  'COMPOSE_BUSY',
  'COMPOSE_FAILED',
  'LOG_SEARCH_INVALID_PATTERN',
  'LOG_SEARCH_PATTERN_TOO_COMPLEX',
  'CONTAINER_CONFLICT',
  'SWARM_SERVICE_NOT_FOUND',
  'SWARM_NODE_NOT_FOUND',
  'SWARM_AMBIGUOUS',
  'SWARM_VERSION_CONFLICT',
  'SWARM_NOT_REPLICATED',
  'SWARM_NO_PREVIOUS_SPEC',
  'SWARM_NOT_MANAGER',
  'METHOD_NOT_ALLOWED',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RANGE_NOT_SATISFIABLE',
  'MISDIRECTED_REQUEST',
  'RATE_LIMITED',
  'TOO_MANY_STREAMS',
  'INTERNAL_ERROR',
  'DOCKER_ERROR',
  'DOCKER_UNAVAILABLE',
  'DOCKER_TIMEOUT',
  'UPDATE_FAILED',
  'ALERT_RULE_NOT_FOUND',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Given by the client itself when an error answer is not the service's JSON (e.g. a proxy's page). */
export const UNEXPECTED_RESPONSE = 'UNEXPECTED_RESPONSE';

/** The service's error body: `{"error":{"code","message","details"?},"requestId"}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
  requestId: string;
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

/** A non-2xx answer of the service, with its stable code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status. */
  readonly status: number;
  /** Stable machine-readable code, e.g. CONTAINER_NOT_FOUND (or UNEXPECTED_RESPONSE). */
  readonly code: ErrorCode | typeof UNEXPECTED_RESPONSE | (string & {});
  /** The request's id (also in the service's log and audit rows). */
  readonly requestId: string | undefined;
  /** Extra data some errors carry, e.g. `result` of a failed group or compose run. */
  readonly details: Record<string, unknown> | undefined;

  constructor(init: { status: number; code: string; message: string; requestId?: string; details?: Record<string, unknown> }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details;
  }

  /** Builds the error from a response and its body (parsed JSON, or text when it was not JSON). */
  static from(response: Response, body: unknown): ApiError {
    const headerId = response.headers.get('x-request-id') ?? undefined;
    if (isErrorBody(body)) {
      return new ApiError({
        status: response.status,
        code: body.error.code,
        message: body.error.message,
        requestId: typeof body.requestId === 'string' ? body.requestId : headerId,
        details: body.error.details,
      });
    }
    const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
    return new ApiError({
      status: response.status,
      code: UNEXPECTED_RESPONSE,
      message: `HTTP ${response.status} ${response.statusText}${text ? `: ${text}` : ''}`.trim(),
      requestId: headerId,
    });
  }

  /** Reads a failed response's body and builds the error. */
  static async fromResponse(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return ApiError.from(response, body);
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
