import createClient from 'openapi-fetch';
import type { components, paths } from '../../../clients/typescript/src/generated/schema';

/** The typed API client: paths and bodies come from our OpenAPI document. Cookie auth. */
// JSON answers; streams are read with EventSource or api/sse.ts.
export const api = createClient<paths, 'application/json'>({ baseUrl: window.location.origin, credentials: 'same-origin' });

export type ContainerSummary = components['schemas']['ContainerSummary'];
export type ContainerDetails = components['schemas']['ContainerDetails'];
export type Identity = paths['/api/v1/auth/me']['get']['responses']['200']['content']['application/json'];
export type GroupSummary = paths['/api/v1/services']['get']['responses']['200']['content']['application/json']['groups'][number];
export type GroupDetails = paths['/api/v1/services/{group}']['get']['responses']['200']['content']['application/json'];
export type ComposeProject = paths['/api/v1/compose/projects']['get']['responses']['200']['content']['application/json']['projects'][number];
export type User = paths['/api/v1/users']['get']['responses']['200']['content']['application/json']['users'][number];
export type AuditEntry = paths['/api/v1/audit']['get']['responses']['200']['content']['application/json']['entries'][number];
export type UpdateStatus = paths['/api/v1/updates']['get']['responses']['200']['content']['application/json']['updates'][number];
export type Engine = components['schemas']['Engine'];
export type Usage = paths['/api/v1/stats']['get']['responses']['200']['content']['application/json']['containers'][number];
export type StatsHistory = paths['/api/v1/stats/history']['get']['responses']['200']['content']['application/json'];

// Stream payloads and messages, as the OpenAPI document names them (components; see clients/typescript/README.md).
type Schemas = components['schemas'];
export type SnapshotEvent = Schemas['SnapshotEvent'];
export type ContainerChangeEvent = Schemas['ContainerChangeEvent'];
export type LogLineEvent = Schemas['LogLineEvent'];
export type LogEndEvent = Schemas['LogEndEvent'];
export type ContainerStatsEvent = Schemas['ContainerStatsEvent'];
export type StatsSetEvent = Schemas['StatsSetEvent'];
export type GroupProgressEvent = Schemas['GroupProgressEvent'];
export type GroupStreamMessage = Schemas['GroupStreamMessage'];
export type ComposeStreamMessage = Schemas['ComposeStreamMessage'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Unwraps an openapi-fetch result: the data, or a thrown ApiError from our error shape. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const body = (result.error ?? {}) as { error?: { code?: string; message?: string; details?: unknown } };
  throw new ApiError(result.response.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? result.response.statusText, body.error?.details);
}
