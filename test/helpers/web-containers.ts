import type { components } from '../../clients/typescript/src/generated/schema.js';

export type ContainerSummary = components['schemas']['ContainerSummary'];

/** A container summary as the API sends it, for the dashboard's state tests. */
export function container(id: string, over: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    engine: 'local',
    id,
    name: `c-${id}`,
    image: 'alpine:3.20',
    imageId: `sha256:${id}`,
    command: 'sleep 1d',
    created: '2024-01-01T00:00:00Z',
    state: 'running',
    status: 'Up 1 minute',
    health: 'none',
    ports: [],
    labels: {},
    composeProject: null,
    composeService: null,
    group: null,
    groups: [],
    ...over,
  };
}
