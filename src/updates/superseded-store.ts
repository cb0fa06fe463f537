import type { Db } from '../storage/database.js';

/** An image a successful update replaced, on the engine that ran it. */
export interface SupersededImage {
  engine: string;
  imageId: string;
}

/**
 * The images successful updates replaced, with their engine, kept in SQLite (DATA_DIR) so
 * an admin's prune after a restart still knows them. The prune removes each on its own
 * engine only. An image leaves the list when the prune removed it or found it gone from
 * its engine.
 */
export class SupersededImages {
  private readonly insert;
  private readonly select;
  private readonly remove;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO update_superseded (engine, image_id, superseded_at) VALUES (?, ?, ?)');
    this.select = db.prepare('SELECT engine, image_id FROM update_superseded ORDER BY superseded_at, engine, image_id');
    this.remove = db.prepare('DELETE FROM update_superseded WHERE engine = ? AND image_id = ?');
  }

  add(engine: string, imageId: string): void {
    this.insert.run(engine, imageId, new Date().toISOString());
  }

  /** Every engine's, oldest first. */
  list(): SupersededImage[] {
    return (this.select.all() as { engine: string; image_id: string }[]).map((r) => ({ engine: r.engine, imageId: r.image_id }));
  }

  delete(engine: string, imageId: string): void {
    this.remove.run(engine, imageId);
  }
}
