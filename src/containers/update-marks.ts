import Type, { type Static } from 'typebox';

/** What the views show of a container's image update (written by the updates feature). */
export const UpdateMarkSchema = Type.Object(
  {
    updateAvailable: Type.Union([Type.Boolean(), Type.Null()], {
      description: "true: the registry's digest for the tag differs from the running image's; null: could not tell (see error)",
    }),
    currentDigest: Type.Union([Type.String(), Type.Null()], { description: 'The running image\'s digest in that repository (RepoDigests)' }),
    latestDigest: Type.Union([Type.String(), Type.Null()], { description: "The registry's digest for the tag (a manifest list's when it serves one)" }),
    checkedAt: Type.String({ format: 'date-time' }),
    error: Type.Optional(Type.String()),
  },
  { description: 'The last image update check of this container (POST /api/v1/updates/check); absent when never checked' },
);
export type UpdateMark = Static<typeof UpdateMarkSchema>;

/** The read side the views use: a container is named by its engine and id (ids are each engine's own). */
export interface UpdateMarkReader {
  get(engine: string, id: string): UpdateMark | undefined;
  /** Moves on whenever a mark changes: cached views made at another generation are stale. */
  generation(): number;
}

/** A mark set (a check's result) or gone (`undefined`: the container was re-created by an update, or removed). */
export type UpdateMarkListener = (engine: string, id: string, mark: UpdateMark | undefined) => void;

/** What a watcher of marks (the update.available alerts) needs: the marks and their changes. */
export interface UpdateMarkFeed extends UpdateMarkReader {
  /** Calls `listener` on each set and delete from now on; returns the unsubscribe. */
  subscribe(listener: UpdateMarkListener): () => void;
}

/**
 * The update marks of containers, by engine and container id (`${engine}:${id}`: the same
 * id on two engines, one daemon configured twice, never shares a mark). It sits with the containers so that
 * the container, group and compose views can show a mark without knowing the updates
 * feature, which writes them after each check.
 */
export class UpdateMarks implements UpdateMarkFeed {
  /** By `${engine}:${id}`. */
  private readonly marks = new Map<string, UpdateMark>();
  private readonly listeners = new Set<UpdateMarkListener>();
  private gen = 0;

  get(engine: string, id: string): UpdateMark | undefined {
    return this.marks.get(markKey(engine, id));
  }

  generation(): number {
    return this.gen;
  }

  set(engine: string, id: string, mark: UpdateMark): void {
    this.marks.set(markKey(engine, id), mark);
    this.gen++;
    this.tell(engine, id, mark);
  }

  delete(engine: string, id: string): void {
    if (!this.marks.delete(markKey(engine, id))) return;
    this.gen++;
    this.tell(engine, id, undefined);
  }

  subscribe(listener: UpdateMarkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(engine: string, id: string, mark: UpdateMark | undefined): void {
    for (const l of this.listeners) l(engine, id, mark);
  }

  /** The marked containers as `${engine}:${id}`. */
  keys(): string[] {
    return [...this.marks.keys()];
  }
}

/** The key of a container's mark: its engine and its id. */
export function markKey(engine: string, id: string): string {
  return `${engine}:${id}`;
}

/** The view with its mark, when it has one (a copy; the stored view is frozen). */
export function withMark<T extends { engine: string; id: string }>(marks: UpdateMarkReader | undefined, view: T): T {
  const mark = marks?.get(view.engine, view.id);
  return mark ? { ...view, update: mark } : view;
}
