import { randomBytes } from 'node:crypto';
import { appError } from '../errors.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ContainerRecord } from '../docker/container-record.js';
import { waitForContainer, type WaitVerdict } from '../containers/wait-for-container.js';
import { ComposeBatch, composeSuccessor, composeUp, type ComposeRunner } from './compose-recreate.js';
import type { UpdateEngines } from './engine-ports.js';
import { parseReference } from './registry/reference.js';

/** A member as the update sees it before it acts. */
export interface Target {
  /** The engine it runs on: every call for it goes there. */
  engine: string;
  id: string;
  name: string;
  image: string;
  imageId: string;
  composeProject: string | null;
  composeService: string | null;
  /** Compose's replica number of the container (a scaled service has several). */
  composeNumber: string | null;
}

/** A member replaced by a new container, until its gate says keep or roll back. */
export interface Replacement {
  target: Target;
  kind: 'container' | 'compose';
  newId: string;
  wasRunning: boolean;
  /** container: the old one's name while it waits, stopped, beside the new one. */
  parkedAs?: string;
  /** The engine's StartedAt of the new container's start: the gate waits for that run, not an earlier one. */
  startedAt?: string;
}

/**
 * Up means running and healthy where a healthcheck exists. A container not in the store yet,
 * or the store's record of an earlier run (it trails the engine by an event), is pending.
 */
const judgeUp = (startedAt: string | undefined) => (r: ContainerRecord | undefined): WaitVerdict => {
  if (!r || (startedAt !== undefined && r.startedAt !== startedAt)) return 'pending';
  if (!r.running) return r.restarting || r.state === 'created' ? 'pending' : { failed: `exited with code ${r.exitCode}` };
  const h = r.health?.status;
  return !h || h === 'none' || h === 'healthy' ? 'done' : 'pending';
};

function describe(r: ContainerRecord | undefined): string {
  const h = r?.health;
  if (!h) return r?.running ? 'running' : (r?.state ?? 'not seen');
  const last = h.log.at(-1)?.output.trim().slice(0, 200);
  return `health ${h.status}${last ? `, last check: ${last}` : ''}`;
}

/**
 * Re-creates one member on a new image with its exact configuration, and undoes that, on
 * the engine that runs it.
 * Plain containers: a new one from the old one's inspect data under a temporary name, the
 * old one stopped and parked under another name, the new one named and started; the old
 * one is removed only once the gate passed (commit), or comes back (rollback). Compose
 * members: `up -d --no-deps --force-recreate <service>` through their compose project, once
 * per service and step (compose-recreate.ts); rollback tags the previous image back and does
 * the same again.
 */
export class Recreator {
  constructor(
    private readonly engines: Pick<UpdateEngines, 'recreate' | 'images'>,
    private readonly compose: ComposeRunner | undefined,
    private readonly store: ContainerReader,
  ) {}

  /** `batch`: the step's, so the replicas of one compose service share one `up`. */
  async replace(t: Target, batch = new ComposeBatch()): Promise<Replacement> {
    const wasRunning = this.store.record(t.id, t.engine)?.running ?? true;
    if (t.composeProject && t.composeService) {
      await batch.once(t, () => composeUp(this.compose, t));
      return { target: t, kind: 'compose', newId: await composeSuccessor(this.store, t, t.id), wasRunning };
    }
    const engine = this.engines.recreate(t.engine);
    const spec = await engine.specOf(t.id);
    const suffix = randomBytes(3).toString('hex');
    const parkedAs = `${spec.name}-gdm-prev-${suffix}`;
    const newId = await engine.create(spec, `${spec.name}-gdm-next-${suffix}`, spec.imageRef);
    let parked = false;
    let startedAt: string | undefined;
    try {
      await engine.stop(t.id);
      await engine.rename(t.id, parkedAs);
      parked = true;
      await engine.rename(newId, spec.name);
      if (wasRunning) startedAt = await engine.start(newId);
    } catch (err) {
      // Nothing half-done is left: the new one goes, the old one is back as it was.
      await engine.remove(newId).catch(() => undefined);
      if (parked) await engine.rename(t.id, spec.name).catch(() => undefined);
      if (wasRunning) await engine.start(t.id).catch(() => undefined);
      throw err;
    }
    return { target: t, kind: 'container', newId, wasRunning, parkedAs, ...(startedAt ? { startedAt } : {}) };
  }

  /** Waits (on the store's events) until the container (on `engine`) is running and healthy, or fails saying why. */
  async gate(engine: string, id: string, wasRunning: boolean, deadline: number, stepSeconds: number, signal?: AbortSignal, startedAt?: string): Promise<void> {
    if (!wasRunning) return;
    const timeoutMs = Math.max(0, deadline - Date.now());
    const seconds = stepSeconds;
    await waitForContainer(this.store, id, judgeUp(startedAt), timeoutMs, (r) => `not up after ${seconds} s (${describe(r)})`, signal, engine);
  }

  /** The new container passed: the parked old one goes (its image stays until a prune). */
  async commit(r: Replacement): Promise<void> {
    if (r.kind === 'container') await this.engines.recreate(r.target.engine).remove(r.target.id);
  }

  /** Puts the member back on its previous image and waits until it is up again; returns the container it is now. */
  async rollback(r: Replacement, deadline: number, stepSeconds: number, batch = new ComposeBatch()): Promise<string> {
    const t = r.target;
    if (r.kind === 'compose') {
      const ref = parseReference(t.image);
      if (!ref) throw appError('INTERNAL_ERROR', `${t.name}: no image reference to put back`);
      await batch.once(t, async () => {
        await this.engines.images(t.engine).tagImage(t.imageId, ref.local, ref.tag);
        await composeUp(this.compose, t);
      });
      const id = await composeSuccessor(this.store, t, r.newId);
      await this.gate(t.engine, id, r.wasRunning, deadline, stepSeconds);
      return id;
    }
    const engine = this.engines.recreate(t.engine);
    await engine.remove(r.newId);
    await engine.rename(t.id, t.name);
    const startedAt = r.wasRunning ? await engine.start(t.id) : undefined;
    await this.gate(t.engine, t.id, r.wasRunning, deadline, stepSeconds, undefined, startedAt);
    return t.id;
  }
}
