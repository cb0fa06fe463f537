import { isAppError } from '../errors.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ContainerSummary } from '../containers/container-view.js';
import type { ActionSlots } from '../groups/action-slots.js';
import type { UpdateChecker } from './checker.js';
import type { UpdateEngines } from './engine-ports.js';
import { PullError, pullAll, pulledKey, pullName } from './pull.js';
import type { CredentialStore } from './registry/credentials.js';
import { ComposeBatch, CONTAINER_NUMBER } from './compose-recreate.js';
import type { Recreator, Replacement, Target } from './recreate.js';
import type { SupersededImage, SupersededImages } from './superseded-store.js';
import type { MemberOutcome, RolloutResult, RolloutStep } from './schemas.js';
import type { UpdateProgress } from './stream-schemas.js';

/** One step of a plan: members that go together (a group's start step, or one container). */
export interface PlanStep {
  group: string;
  step: number;
  members: ContainerSummary[];
}

/** One audit row per re-create and per rollback (the route fills in who and from where). */
export type AuditTrail = (entry: { action: 'recreate' | 'rollback'; target: string; ok: boolean; durationMs: number; details: Record<string, unknown> }) => void;

export interface RolloutDeps {
  store: ContainerReader;
  /** Each engine's image calls: a member's image is pulled on its own engine. */
  engines: Pick<UpdateEngines, 'images'>;
  credentials: CredentialStore;
  checker: UpdateChecker;
  recreator: Recreator;
  slots: ActionSlots;
}

export interface RunOptions {
  dryRun: boolean;
  stepTimeoutMs: number;
  signal: AbortSignal;
  onProgress: (e: UpdateProgress) => void;
  audit: AuditTrail;
}

const errorText = (err: unknown) => (isAppError(err) || err instanceof Error ? err.message : 'unexpected error');

function targetOf(c: ContainerSummary): Target {
  return {
    engine: c.engine,
    id: c.id,
    name: c.name,
    image: c.image,
    imageId: c.imageId,
    composeProject: c.composeProject,
    composeService: c.composeService,
    composeNumber: c.labels[CONTAINER_NUMBER] ?? null,
  };
}

function outcome(t: Target, o: MemberOutcome['outcome'], started: number, extra: Partial<MemberOutcome> = {}): MemberOutcome {
  return { engine: t.engine, id: t.id, name: t.name, image: t.image, kind: t.composeProject && t.composeService ? 'compose' : 'container', outcome: o, fromImageId: t.imageId, durationMs: Date.now() - started, ...extra };
}

/**
 * Runs a plan: pulls the new images first (nothing is touched if one fails), then step by
 * step re-creates the members whose tag now points to another image, each step gated on
 * running and healthy. Each member is pulled for and re-created on its own engine (one pull
 * per engine and image); a step whose members run on several engines goes on once all are
 * up, so a plan spanning engines goes step by step across them. A failed gate puts that step's members back on their previous image
 * and stops; later steps are left as they are. Old images are kept; on success their ids are
 * handed to `superseded` for an admin's prune.
 */
export async function runPlan(deps: RolloutDeps, group: string, groups: string[], plan: PlanStep[], o: RunOptions, superseded: Pick<SupersededImages, 'add'>): Promise<RolloutResult> {
  const started = Date.now();
  const result: RolloutResult = { group, groups, ok: true, dryRun: o.dryRun, durationMs: 0, pulled: [], steps: [] };
  const finish = () => ({ ...result, durationMs: Date.now() - started });
  if (o.dryRun) {
    const checked = new Map((await deps.checker.check(plan.flatMap((s) => s.members))).map((s) => [pulledKey(s.engine, s.id), s]));
    for (const s of plan) {
      result.steps.push({
        group: s.group,
        step: s.step,
        members: s.members.map((c) => {
          const st = checked.get(pulledKey(c.engine, c.id));
          const o2 = st?.updateAvailable === true ? 'would-update' : st?.updateAvailable === false ? 'up-to-date' : 'unknown';
          return outcome(targetOf(c), o2, Date.now(), st?.error ? { error: st.error } : {});
        }),
      });
    }
    return finish();
  }
  const wants = plan.flatMap((s) => s.members.flatMap((c) => {
    const name = pullName(c.image);
    return name ? [{ engine: c.engine, name }] : [];
  }));
  let pulled: Map<string, string>;
  try {
    pulled = await pullAll((engine) => deps.engines.images(engine), deps.credentials, wants, o.onProgress);
  } catch (err) {
    result.ok = false;
    const members = err instanceof PullError ? plan.flatMap((s) => s.members).filter((c) => c.engine === err.engine && pullName(c.image) === err.image).map((c) => c.name) : [];
    result.failure = { phase: 'pull', containers: members, reason: err instanceof PullError ? `pull failed ${err.message}` : `pull failed: ${errorText(err)}` };
    result.steps = plan.map((s) => ({ group: s.group, step: s.step, members: s.members.map((c) => outcome(targetOf(c), 'skipped', Date.now())) }));
    return finish();
  }
  result.pulled = wants
    .filter((w, i) => wants.findIndex((x) => x.engine === w.engine && x.name === w.name) === i)
    .map((w) => ({ engine: w.engine, image: w.name, imageId: pulled.get(pulledKey(w.engine, w.name)) as string }));
  const replacedImages: SupersededImage[] = [];
  for (const s of plan) {
    if (!result.ok || o.signal.aborted) {
      result.ok = false;
      result.steps.push({ group: s.group, step: s.step, members: s.members.map((c) => outcome(targetOf(c), 'skipped', Date.now())) });
      continue;
    }
    const step = await runStep(deps, s, pulled, o);
    result.steps.push(step.outcome);
    if (step.failure) {
      result.ok = false;
      result.failure = step.failure;
    } else replacedImages.push(...step.replacedImages);
  }
  if (result.ok) for (const r of replacedImages) superseded.add(r.engine, r.imageId);
  return finish();
}

async function runStep(
  deps: RolloutDeps,
  s: PlanStep,
  pulled: Map<string, string>,
  o: RunOptions,
): Promise<{ outcome: RolloutStep; failure?: RolloutResult['failure']; replacedImages: SupersededImage[] }> {
  const started = Date.now();
  const deadline = started + o.stepTimeoutMs;
  o.onProgress({ type: 'step', group: s.group, step: s.step, containers: s.members.map((c) => c.name) });
  const emit = (m: MemberOutcome) => {
    o.onProgress({ type: 'member', group: s.group, step: s.step, ...m });
    return m;
  };
  // Replace every member that needs it (engine calls in the shared slots), then gate them all.
  const batch = new ComposeBatch();
  const work = await Promise.all(
    s.members.map(async (c) => {
      const t = targetOf(c);
      const name = pullName(c.image);
      const to = name ? pulled.get(pulledKey(c.engine, name)) : undefined;
      if (!to) return { t, done: emit(outcome(t, 'skipped', started, { error: 'no image reference with a tag to update from (an image id or a digest)' })) };
      if (to === t.imageId) return { t, done: emit(outcome(t, 'up-to-date', started, { toImageId: to })) };
      let r: Replacement | undefined;
      try {
        r = await deps.slots.run(o.signal, () => deps.recreator.replace(t, batch));
        await deps.recreator.gate(t.engine, r.newId, r.wasRunning, deadline, Math.round(o.stepTimeoutMs / 1000), o.signal, r.startedAt);
        return { t, r, to };
      } catch (err) {
        // A member whose gate failed keeps its replacement: the rollback needs it.
        return { t, to, r, error: errorText(err) };
      }
    }),
  );
  const failed = work.filter((w) => 'error' in w && w.error !== undefined);
  if (failed.length === 0) {
    const members: MemberOutcome[] = [];
    const replacedImages: SupersededImage[] = [];
    for (const w of work) {
      if ('done' in w && w.done) members.push(w.done);
      else if (w.r) {
        await deps.recreator.commit(w.r).catch(() => undefined);
        deps.checker.forget(w.t.engine, w.t.id);
        replacedImages.push({ engine: w.t.engine, imageId: w.t.imageId });
        o.audit({ action: 'recreate', target: w.t.name, ok: true, durationMs: Date.now() - started, details: { group: s.group, step: s.step, from: w.t.imageId, to: w.to, kind: w.r.kind } });
        members.push(emit(outcome(w.t, 'updated', started, { id: w.r.newId, previousId: w.t.id, toImageId: w.to })));
      }
    }
    return { outcome: { group: s.group, step: s.step, members }, replacedImages };
  }
  return rollbackStep(deps, s, work, o, emit, started);
}

type Work = { t: Target; r?: Replacement; to?: string; error?: string; done?: MemberOutcome };

async function rollbackStep(deps: RolloutDeps, s: PlanStep, work: Work[], o: RunOptions, emit: (m: MemberOutcome) => MemberOutcome, started: number) {
  const failedNames = work.filter((w) => w.error !== undefined).map((w) => w.t.name);
  const reason = work.find((w) => w.error !== undefined)?.error ?? 'failed';
  o.onProgress({ type: 'rollback', group: s.group, step: s.step, containers: work.filter((w) => w.r).map((w) => w.t.name), reason });
  const deadline = Date.now() + o.stepTimeoutMs;
  const batch = new ComposeBatch();
  const members = await Promise.all(
    work.map(async (w): Promise<MemberOutcome> => {
      if (w.done) return w.done;
      const failed = w.error !== undefined;
      o.audit({ action: 'recreate', target: w.t.name, ok: false, durationMs: Date.now() - started, details: { group: s.group, step: s.step, from: w.t.imageId, to: w.to, error: w.error ?? 'step failed' } });
      if (!w.r) return emit(outcome(w.t, 'failed', started, { error: w.error }));
      const begun = Date.now();
      try {
        const id = await deps.recreator.rollback(w.r, deadline, Math.round(o.stepTimeoutMs / 1000), batch);
        o.audit({ action: 'rollback', target: w.t.name, ok: true, durationMs: Date.now() - begun, details: { group: s.group, step: s.step, to: w.t.imageId } });
        return emit(outcome(w.t, failed ? 'failed' : 'rolled-back', started, { id, previousId: w.r.newId, toImageId: w.t.imageId, ...(failed ? { error: `${w.error}; put back on its previous image` } : {}) }));
      } catch (err) {
        o.audit({ action: 'rollback', target: w.t.name, ok: false, durationMs: Date.now() - begun, details: { group: s.group, step: s.step, error: errorText(err) } });
        return emit(outcome(w.t, 'failed', started, { error: `${w.error ?? 'step failed'}; rollback failed: ${errorText(err)}` }));
      }
    }),
  );
  return { outcome: { group: s.group, step: s.step, members }, failure: { phase: 'step' as const, group: s.group, step: s.step, containers: failedNames, reason }, replacedImages: [] };
}
