import Type, { type Static } from 'typebox';

/** Names of groups and members: what a URL segment and a container name may hold. */
const NAME = '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$';

export const MemberSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: NAME, description: 'How dependsOn refers to this member; defaults to name, pattern, label or project/service' })),
    name: Type.Optional(Type.String({ pattern: NAME, description: 'Exact container name' })),
    pattern: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_.*?-]{1,128}$', description: 'Container name glob: * and ?' })),
    label: Type.Optional(Type.String({ pattern: '^[^=\\s]{1,255}(=[^\\s]{0,255})?$', description: 'key or key=value' })),
    compose: Type.Optional(
      Type.Object(
        {
          project: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }),
          service: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$' })),
        },
        { additionalProperties: false },
      ),
    ),
    swarm: Type.Optional(
      Type.Object(
        {
          service: Type.Optional(Type.String({ pattern: NAME, description: 'A swarm service by name' })),
          stack: Type.Optional(Type.String({ pattern: NAME, description: 'Every service of a stack (com.docker.stack.namespace)' })),
          engine: Type.Optional(Type.String({ pattern: NAME, description: 'Only on this engine (default: any)' })),
          replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Start scales to this (default: the count the last stop saved)' })),
        },
        { additionalProperties: false },
      ),
    ),
    engine: Type.Optional(Type.String({ pattern: NAME, description: 'Only containers on this engine (ENGINES_FILE name); default: any engine' })),
    order: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, description: 'Lower starts first (default 0)' })),
    dependsOn: Type.Optional(Type.Array(Type.String({ pattern: NAME }), { maxItems: 100, description: 'Member ids that must be up first' })),
  },
  { additionalProperties: false },
);
export type Member = Static<typeof MemberSchema>;

export const GroupSchema = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 500 })),
    dependsOn: Type.Optional(Type.Array(Type.String({ pattern: NAME }), { maxItems: 50 })),
    members: Type.Optional(Type.Array(MemberSchema, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);

export const GroupsFileSchema = Type.Object(
  {
    groups: Type.Record(Type.String({ pattern: NAME }), GroupSchema),
  },
  { additionalProperties: false },
);
export type GroupsFile = Static<typeof GroupsFileSchema>;

/** A member after validation: exactly one selector, a resolved id. */
export interface MemberRule {
  id: string;
  kind: 'name' | 'pattern' | 'label' | 'compose' | 'swarm';
  name?: string;
  pattern?: RegExp;
  labelKey?: string;
  labelValue?: string;
  composeProject?: string;
  composeService?: string;
  /** kind 'swarm': a service by name or a stack, on one engine or any; replicas a start scales to. */
  swarm?: { service?: string; stack?: string; engine?: string; replicas?: number };
  /** Only containers on this engine; absent: any. */
  engine?: string;
  order: number;
  dependsOn: string[];
}

/** A group after validation. */
export interface GroupDefinition {
  name: string;
  description: string;
  /** Groups this one needs, direct only. */
  dependsOn: string[];
  members: MemberRule[];
}
