import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { parseDeclaredProjects, type ManagedProject } from './projects.js';

/** What /health says of COMPOSE_PROJECTS_FILE. */
export interface ProjectsFileState {
  path: string;
  valid: boolean;
  /** Why the file is not valid; the last good projects are served meanwhile. */
  reason?: string;
}

/**
 * COMPOSE_PROJECTS_FILE, followed while the service runs. Each read first compares the
 * file's identity, size and times (one stat); only a change reads and hashes it again.
 * A file that stops parsing keeps the last good projects in service, is reported in
 * /health and logged once per change; the fixed file is picked up without a restart.
 * The file must be valid at start-up: there is no last good definition to fall back on.
 */
export class ProjectsFile {
  private projects: ManagedProject[] = [];
  private signature = '';
  private hash = '';
  private current: ProjectsFileState;

  constructor(
    readonly path: string,
    private readonly log: Pick<FastifyBaseLogger, 'info' | 'warn'>,
  ) {
    this.current = { path, valid: true };
    const text = readFileSync(path, 'utf8');
    try {
      this.projects = parseDeclaredProjects(text);
    } catch (err) {
      throw new Error(`Invalid compose projects file ${path}: ${(err as Error).message}`);
    }
    this.signature = this.stat();
    this.hash = digest(text);
  }

  /** The declared projects: the file's if it parses, else the last good ones. */
  list(): ManagedProject[] {
    this.refresh();
    return this.projects;
  }

  state(): ProjectsFileState {
    this.refresh();
    return { ...this.current };
  }

  private stat(): string {
    try {
      const s = statSync(this.path, { bigint: true });
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (err) {
      return `error:${(err as NodeJS.ErrnoException).code ?? 'unknown'}`;
    }
  }

  private refresh(): void {
    const signature = this.stat();
    // An invalid file is tried again on every read: what it names (a folder) may appear.
    if (signature === this.signature && this.current.valid) return;
    this.signature = signature;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      this.invalid(`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return;
    }
    const hash = digest(text);
    if (hash === this.hash && this.current.valid) return;
    try {
      const projects = parseDeclaredProjects(text);
      this.projects = projects;
      this.hash = hash;
      if (!this.current.valid) this.log.info(`Compose projects file ${this.path} is valid again: picked up ${projects.length} project(s)`);
      else this.log.info(`Compose projects file ${this.path} changed: picked up ${projects.length} project(s)`);
      this.current = { path: this.path, valid: true };
    } catch (err) {
      this.invalid((err as Error).message);
    }
  }

  /** Logs once per distinct reason, not on every request that finds the file still broken. */
  private invalid(reason: string): void {
    if (this.current.valid || this.current.reason !== reason) {
      this.log.warn(`Compose projects file ${this.path} is invalid, keeping the last good projects: ${reason}`);
    }
    this.current = { path: this.path, valid: false, reason };
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
