import type { ContainerStore } from './container-store.js';

/**
 * The store's read side: what the services and the other features (groups, compose,
 * system) read, and the changes they may listen to. Writing (start, close) stays
 * inside the containers feature: its one writer is the events loop.
 */
export type ContainerReader = Pick<ContainerStore, 'isSynced' | 'ready' | 'summaries' | 'summary' | 'generation' | 'record' | 'identities' | 'groupsOf' | 'on' | 'off' | 'once'>;
