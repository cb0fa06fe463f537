import type { MergedStore } from './engines/merged-store.js';

/**
 * The stores' read side, every engine merged: what the services and the other features
 * (groups, compose, system) read, and the changes they may listen to. Writing (start,
 * close) stays inside the containers feature: each store's one writer is its events loop.
 */
export type ContainerReader = Pick<
  MergedStore,
  'isSynced' | 'ready' | 'summaries' | 'summary' | 'generation' | 'record' | 'identities' | 'groupsOf' | 'lastSeen' | 'on' | 'off' | 'once'
>;
