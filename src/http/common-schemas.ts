import Type from 'typebox';

export const ErrorResponseSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. CONTAINER_NOT_FOUND' }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
    requestId: Type.String(),
  },
  { $id: 'ErrorResponse', description: 'Every error has this shape' },
);

/** 304 to a matching If-None-Match (the answer carries an ETag): no body. */
export const NotModifiedSchema = Type.Null({ description: 'Not modified: the ETag in If-None-Match still names the current answer; no body' });

/** Error responses a route may give, for its OpenAPI entry. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorResponse')]));
}

/**
 * A container reference: a full id, a unique id prefix or a name. Docker names are
 * [a-zA-Z0-9][a-zA-Z0-9_.-]*; anything else (slashes, dots-only, spaces) is refused before
 * the engine sees it.
 */
export const ContainerRefSchema = Type.String({
  minLength: 1,
  maxLength: 192,
  pattern: '^([a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}:)?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$',
  description: 'Full id, unique id prefix, or name; `{engine}:` in front names the engine (a bare name on several engines is 409 AMBIGUOUS)',
});

export const ContainerParamsSchema = Type.Object({ id: ContainerRefSchema });
