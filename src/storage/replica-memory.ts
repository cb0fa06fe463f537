import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * How many replicas each swarm service had when a group stop scaled it to 0, so that the
 * next group start brings back as many. Its own small file under DATA_DIR: it shares no
 * schema version with the identity database.
 */
export class ReplicaMemory {
  private readonly db: Database.Database;

  constructor(dataDir: string, fileName = 'swarm.sqlite') {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, fileName);
    this.db = new Database(path);
    chmodSync(path, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS swarm_replicas (
      engine TEXT NOT NULL,
      service TEXT NOT NULL,
      replicas INTEGER NOT NULL CHECK (replicas >= 0),
      saved_at TEXT NOT NULL,
      PRIMARY KEY (engine, service)
    )`);
  }

  /** The count remembered for a service (by engine and name: a re-created service keeps it). */
  get(engine: string, service: string): number | undefined {
    const row = this.db.prepare('SELECT replicas FROM swarm_replicas WHERE engine = ? AND service = ?').get(engine, service) as { replicas: number } | undefined;
    return row?.replicas;
  }

  set(engine: string, service: string, replicas: number): void {
    this.db
      .prepare('INSERT INTO swarm_replicas (engine, service, replicas, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT (engine, service) DO UPDATE SET replicas = excluded.replicas, saved_at = excluded.saved_at')
      .run(engine, service, replicas, new Date().toISOString());
  }

  close(): void {
    this.db.close();
  }
}
