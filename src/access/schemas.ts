import Type, { type Static } from 'typebox';

export const RoleSchema = Type.Union([Type.Literal('user'), Type.Literal('developer'), Type.Literal('admin')], { description: 'user, developer or admin' });
export const PermissionSchema = Type.Union([Type.Literal('READ'), Type.Literal('EXECUTE'), Type.Literal('WRITE'), Type.Literal('DELETE')]);
const GroupName = Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$' });
/** Also checked outside HTTP (CLI, first-run admin) by src/access/user-rules.ts: keep descriptions readable. */
export const EngineListSchema = Type.Array(Type.String({ pattern: '^(\\*|[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62})$' }), {
  maxItems: 100,
  description: 'a list of up to 100 engine names (ENGINES_FILE), or * for every engine',
});

export const GroupListSchema = Type.Array(GroupName, {
  maxItems: 100,
  description: 'a list of up to 100 group names (letters, digits, _ . -; starting with a letter or digit)',
});
export const UsernameSchema = Type.String({
  pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$',
  description: 'Letters, digits, _ . @ - (1-64 characters, starting with a letter or digit)',
});
export const PasswordSchema = Type.String({ minLength: 12, maxLength: 1024, description: 'At least 12 characters (at most 1024)' });

export const LoginBodySchema = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const IdentitySchema = Type.Object({
  sub: Type.String(),
  role: RoleSchema,
  permissions: Type.Array(PermissionSchema),
  groups: Type.Array(Type.String()),
  seesUngrouped: Type.Boolean(),
  engines: Type.Array(Type.String(), { description: 'Engines whose containers this caller may see; `*`: every engine' }),
  userId: Type.Optional(Type.Integer()),
  expiresAt: Type.Optional(Type.Integer({ description: 'Unix seconds' })),
});

export const LoginResponseSchema = Type.Object({
  token: Type.String({ description: 'Bearer token; browsers get the same in an httpOnly cookie' }),
  expiresAt: Type.Integer({ description: 'Unix seconds' }),
  identity: IdentitySchema,
});

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: RoleSchema,
  groups: Type.Union([Type.Array(Type.String()), Type.Null()], { description: "The user's own groups; null: the role's defaults" }),
  engines: Type.Union([Type.Array(Type.String()), Type.Null()], { description: "The user's own engines; null: the role's defaults" }),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export type User = Static<typeof UserSchema>;

export const UserListSchema = Type.Object({ users: Type.Array(UserSchema) });
export const UserParamsSchema = Type.Object({ userId: Type.Integer({ minimum: 1 }) });

export const CreateUserSchema = Type.Object(
  {
    username: UsernameSchema,
    password: PasswordSchema,
    role: RoleSchema,
    groups: Type.Optional(Type.Union([GroupListSchema, Type.Null()])),
    engines: Type.Optional(Type.Union([EngineListSchema, Type.Null()])),
  },
  { additionalProperties: false },
);

export const UpdateUserSchema = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    groups: Type.Optional(Type.Union([GroupListSchema, Type.Null()])),
    engines: Type.Optional(Type.Union([EngineListSchema, Type.Null()])),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PasswordBodySchema = Type.Object({ password: PasswordSchema }, { additionalProperties: false });

export const RevokeUserTokensResponseSchema = Type.Object({
  userId: Type.Integer(),
  username: Type.String(),
  revoked: Type.Literal(true, { description: 'Every token issued to this user so far is refused from now on' }),
});

export const SubjectParamsSchema = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 256, description: "A token subject (`sub`), e.g. a platform user's id" }),
});

export const RevokeSubjectResponseSchema = Type.Object({
  subject: Type.String(),
  revokedBefore: Type.Integer({ description: 'Unix seconds: tokens of this subject issued at or before it (or without `iat`) are refused' }),
});

export const RolesResponseSchema = Type.Object({
  accessLevelsEnabled: Type.Boolean(),
  roles: Type.Array(
    Type.Object({
      name: RoleSchema,
      description: Type.String(),
      permissions: Type.Array(PermissionSchema),
      groups: Type.Array(Type.String()),
      seesUngrouped: Type.Boolean(),
      engines: Type.Array(Type.String(), { description: "The role's default engines; `*`: every engine" }),
      manageUsersAndAudit: Type.Boolean(),
    }),
  ),
});

export const AuditOutcomeSchema = Type.Union([Type.Literal('allowed'), Type.Literal('denied'), Type.Literal('failed')]);

export const AuditQuerySchema = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 200 })),
  action: Type.Optional(Type.String({ maxLength: 300 })),
  outcome: Type.Optional(AuditOutcomeSchema),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'An instant with its offset, e.g. 2025-01-31T09:00:00+05:00 or …Z' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'An instant with its offset, e.g. 2025-01-31T18:00:00+05:00 or …Z' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'Page: entries with an id below this' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export type AuditQuery = Static<typeof AuditQuerySchema>;

export const AuditDetailsSchema = Type.Object({
  body: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  query: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  container: Type.Optional(
    Type.Object({ engine: Type.String(), id: Type.String() }, { description: 'The container acted on, as resolved from the reference given (its engine and full id)' }),
  ),
});
export type AuditDetails = Static<typeof AuditDetailsSchema>;

export const AuditRecordSchema = Type.Object({
  id: Type.Integer(),
  time: Type.String({ description: 'ISO 8601, in UTC (so that time order is text order)' }),
  actor: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  ip: Type.String(),
  method: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  outcome: AuditOutcomeSchema,
  status: Type.Integer(),
  durationMs: Type.Integer(),
  requestId: Type.String(),
  details: Type.Union([AuditDetailsSchema, Type.Null()], { description: 'What was asked: the body fields the route records (never secrets) and the query options' }),
});
/** A stored audit entry. */
export type AuditRecord = Static<typeof AuditRecordSchema>;
/** An entry to record: the database gives the id. */
export type AuditEntry = Omit<AuditRecord, 'id'>;

export const AuditResponseSchema = Type.Object({
  entries: Type.Array(AuditRecordSchema),
  nextBefore: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `before` for the next page' }),
});

export const RateLimitStatusSchema = Type.Object(
  {
    store: Type.Union([Type.Literal('memory'), Type.Literal('redis')], { description: 'redis when REDIS_URL is set' }),
    state: Type.Union([Type.Literal('shared'), Type.Literal('local'), Type.Literal('connecting')], {
      description: 'shared: one budget for all replicas; local: counted per process (no REDIS_URL, or Redis does not answer); connecting: Redis has not answered yet',
    }),
    shared: Type.Boolean(),
  },
  { description: 'Where rate-limit counters live; while Redis is away limits are per process and nothing fails' },
);
export type RateLimitStatus = Static<typeof RateLimitStatusSchema>;
