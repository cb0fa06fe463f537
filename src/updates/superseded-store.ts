import type { Db } from '../storage/database.js';

/**
 * The images successful updates replaced, per engine, kept in SQLite (DATA_DIR) so an
 * admin's prune after a restart still knows them. An image leaves the list when the prune
 * removed it or found it gone from the engine.
 */
export class SupersededImages {
  private readonly insert;
  private readonly select;
  private readonly remove;

  constructor(
    db: Db,
    /** The engine these image ids belong to ('local' with one engine). */
    private readonly engine: string,
  ) {
    this.insert = db.prepare('INSERT OR IGNORE INTO update_superseded (engine, image_id, superseded_at) VALUES (?, ?, ?)');
    this.select = db.prepare('SELECT image_id FROM update_superseded WHERE engine = ? ORDER BY superseded_at, image_id');
    this.remove = db.prepare('DELETE FROM update_superseded WHERE engine = ? AND image_id = ?');
  }

  add(imageId: string): void {
    this.insert.run(this.engine, imageId, new Date().toISOString());
  }

  ids(): string[] {
    return (this.select.all(this.engine) as { image_id: string }[]).map((r) => r.image_id);
  }

  delete(imageId: string): void {
    this.remove.run(this.engine, imageId);
  }
}
