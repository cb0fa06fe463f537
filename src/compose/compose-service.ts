import type { FastifyBaseLogger } from 'fastify';
import { canSee, canSeeEngine, SYSTEM_PRINCIPAL, withVisibleGroups, type Viewer } from '../access/principal.js';
import type { EngineConfig } from '../config.js';
import { EngineEnvironments } from './engine-env.js';
import type { ComposeTool } from './detect.js';
import { resolveModel } from './model.js';
import { engineSockets, PROJECT_NAME } from './paths.js';
import { checkModel } from './policy.js';
import { ProjectsFile, type ProjectsFileState } from './projects-file.js';
import { discoverProjects, loadProjectFiles, type LoadedProject, type ManagedProject } from './projects.js';
import { describeFinding } from './findings.js';
import { runCompose, type OutputLine } from './runner.js';
import { appError } from '../errors.js';
import type { ComposeDownBody, ComposeResult, ComposeUpBody, ProjectStatus } from './schemas.js';
import type { ContainerReader } from '../containers/feature.js';
import type { ContainerSummary } from '../containers/container-view.js';
import type { UpdateMarkReader } from '../containers/update-marks.js';

export interface ComposeSettings {
  projectsDir?: string;
  projectsFile?: string;
  timeoutSeconds: number;
  allowBuild: boolean;
  allowPull: boolean;
  /** Environment of the tool: PATH and the engine address, nothing of ours. */
  env: NodeJS.ProcessEnv;
  /** Every engine: a project runs against its own (DOCKER_HOST and TLS settings). */
  engines: readonly EngineConfig[];
}

const WORKING_DIR = 'com.docker.compose.project.working_dir';
const CONFIG_FILES = 'com.docker.compose.project.config_files';


interface ProjectView {
  name: string;
  engine: string | null;
  source: 'directory' | 'declared' | 'adopted';
  managed: boolean;
  dir: string | null;
  files: string[];
  services: string[];
  containers: ContainerSummary[];
}

function statusOf(containers: readonly ContainerSummary[]): ProjectStatus {
  if (containers.length === 0) return 'absent';
  const running = containers.filter((c) => c.state === 'running').length;
  return running === containers.length ? 'running' : running === 0 ? 'stopped' : 'partial';
}

/** Compose projects: discovered, declared and adopted ones; up/down with the real tool. */
export class ComposeService {
  private readonly busy = new Set<string>();
  private readonly projectsFile: ProjectsFile | undefined;
  private readonly engineEnvs: EngineEnvironments;

  constructor(
    readonly tool: ComposeTool | undefined,
    private readonly store: ContainerReader,
    private readonly settings: ComposeSettings,
    log: Pick<FastifyBaseLogger, 'info' | 'warn'>,
    private readonly marks?: UpdateMarkReader,
  ) {
    // Fail at boot, not at the first call, on a broken projects file; later breakage keeps the last good one.
    this.projectsFile = settings.projectsFile ? new ProjectsFile(settings.projectsFile, log) : undefined;
    this.engineEnvs = new EngineEnvironments(settings.engines, settings.env);
  }

  /** COMPOSE_PROJECTS_FILE: valid, or invalid and why (the last good projects are served). */
  projectsFileState(): ProjectsFileState | undefined {
    return this.projectsFile?.state();
  }

  /** The project's engine's socket as it is now (and the local ones): a bind of it is host access. */
  private sockets(project: ManagedProject) {
    return engineSockets(this.engineEnvs.envFor(project)['DOCKER_HOST']);
  }

  /** The engine a managed project runs on (declared, or the first engine). */
  engineOf(project: ManagedProject): string {
    return project.engine ?? this.engineEnvs.defaultEngine;
  }

  /** Projects this service may act on; declared ones win over a folder of the same name. A viewer sees those on its engines only. */
  managed(viewer: Viewer = SYSTEM_PRINCIPAL): ManagedProject[] {
    const declared = this.projectsFile?.list() ?? [];
    const names = new Set(declared.map((p) => p.name));
    const all = [...declared, ...discoverProjects(this.settings.projectsDir).filter((p) => !names.has(p.name))];
    return all.filter((p) => canSeeEngine(viewer, this.engineOf(p)));
  }

  /** A project's containers the viewer may see: a managed project's on its own engine only. */
  private containersOf(project: string, viewer: Viewer, engine?: string): ContainerSummary[] {
    const members = this.store.summaries().filter((c) => c.composeProject === project && (engine === undefined || c.engine === engine) && canSee(viewer, c));
    return members.map((c) => withVisibleGroups(viewer, c));
  }

  async projects(viewer: Viewer) {
    await this.store.ready();
    const managed = this.managed(viewer);
    const names = new Set(this.managed().map((p) => p.name));
    const adopted = new Map<string, ContainerSummary[]>();
    for (const c of this.store.summaries()) {
      if (c.composeProject && !names.has(c.composeProject)) adopted.set(c.composeProject, [...(adopted.get(c.composeProject) ?? []), c]);
    }
    const seeAll = viewer.role === 'admin';
    const views: ProjectView[] = managed.map((p) => {
      const engine = this.engineOf(p);
      const containers = this.containersOf(p.name, viewer, engine);
      let services: string[] = [];
      try {
        services = loadProjectFiles(p, p.files, this.sockets(p)).services;
      } catch {
        // An unsafe or broken project (or one naming an unknown engine) is still listed; up/down will say why.
      }
      return { name: p.name, engine, source: p.source, managed: true, dir: p.dir, files: p.files, services, containers };
    });
    for (const [name, all] of adopted) {
      const first = all[0] as ContainerSummary;
      const engines = new Set(all.map((c) => c.engine));
      views.push({
        name,
        engine: engines.size === 1 ? first.engine : null,
        source: 'adopted',
        managed: false,
        dir: first.labels[WORKING_DIR] ?? null,
        files: (first.labels[CONFIG_FILES] ?? '').split(',').filter(Boolean),
        services: [...new Set(all.map((c) => c.composeService ?? ''))].filter(Boolean).sort(),
        containers: this.containersOf(name, viewer),
      });
    }
    return views
      .filter((v) => seeAll || v.containers.length > 0)
      .map(({ containers, ...v }) => ({
        ...v,
        status: statusOf(containers),
        containers: { total: containers.length, running: containers.filter((c) => c.state === 'running').length },
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async status(project: string, viewer: Viewer) {
    await this.store.ready();
    const managed = this.managed(viewer).find((p) => p.name === project);
    const containers = this.containersOf(project, viewer, managed && this.engineOf(managed));
    const known = containers.length > 0 || (viewer.role === 'admin' && managed !== undefined);
    if (!known) throw appError('COMPOSE_PROJECT_NOT_FOUND', `No compose project named ${project}`);
    const byService = new Map<string, ContainerSummary[]>();
    for (const c of containers) byService.set(c.composeService ?? '', [...(byService.get(c.composeService ?? '') ?? []), c]);
    return {
      project,
      status: statusOf(containers),
      services: [...byService.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, cs]) => ({ name, containers: cs.map((c) => ({ id: c.id, name: c.name, state: c.state, health: c.health, ports: c.ports, ...(this.marks?.get(c.engine, c.id) ? { update: this.marks.get(c.engine, c.id) } : {}) })) })),
    };
  }

  /**
   * Runs up or down on a managed project. Everything is checked before the tool acts:
   * names, files and what they refer to (from the raw files, so that compose's own `config`
   * reads nothing outside the folder), then, for up, the model `config` resolves against the
   * host-access policy. `started` is called with the argument list once the checks passed
   * and the project's lock is held; a throw before that means nothing ran.
   */
  async run(
    action: 'up' | 'down',
    body: ComposeUpBody | ComposeDownBody,
    hooks: { started?: (argv: string[]) => void; onLine?: (l: OutputLine) => void } = {},
    viewer: Viewer = SYSTEM_PRINCIPAL,
  ): Promise<ComposeResult> {
    const tool = this.tool;
    if (!tool) throw appError('COMPOSE_UNAVAILABLE');
    if (!PROJECT_NAME.test(body.project)) throw appError('VALIDATION_ERROR', 'Invalid project name');
    const project = this.managed(viewer).find((p) => p.name === body.project);
    if (!project) {
      if (this.store.summaries().some((c) => c.composeProject === body.project && canSee(viewer, c))) throw appError('COMPOSE_NOT_MANAGED');
      throw appError('COMPOSE_PROJECT_NOT_FOUND', `No compose project named ${body.project}`);
    }
    const env = this.engineEnvs.envFor(project);
    const loaded = loadProjectFiles(project, body.files ?? project.files, this.sockets(project));
    const base = ['-p', project.name, '--project-directory', project.dir, ...loaded.paths.flatMap((p) => ['-f', p])];
    const args = action === 'up' ? this.upArgs(body as ComposeUpBody, loaded) : downArgs(body as ComposeDownBody);
    const argv = [...tool.command, ...base, ...args];
    if (this.busy.has(project.name)) throw appError('COMPOSE_BUSY', `A compose operation on ${project.name} is running`);
    this.busy.add(project.name);
    try {
      // The tool talks to the project's engine only: its DOCKER_HOST and TLS settings.
      const options = { cwd: project.dir, env, timeoutMs: this.settings.timeoutSeconds * 1000 };
      if (action === 'up') await this.checkResolved(tool, project, loaded, base, options, (body as ComposeUpBody).services ?? []);
      hooks.started?.(argv);
      const r = await runCompose(argv, { ...options, onLine: hooks.onLine });
      return { project: project.name, action, command: argv, exitCode: r.exitCode, timedOut: r.timedOut, durationMs: r.durationMs, output: r.output, engine: this.engineOf(project) };
    } finally {
      this.busy.delete(project.name);
    }
  }

  private upArgs(up: ComposeUpBody, loaded: LoadedProject): string[] {
    const o = up.options ?? {};
    if (o.build && !this.settings.allowBuild) throw appError('FORBIDDEN', 'Builds are off (COMPOSE_ALLOW_BUILD=false)');
    if (o.pull && !this.settings.allowPull) throw appError('FORBIDDEN', 'Pulls are off (COMPOSE_ALLOW_PULL=false)');
    const unknown = (up.services ?? []).filter((s) => !loaded.services.includes(s));
    if (unknown.length) throw appError('VALIDATION_ERROR', `Unknown services: ${unknown.join(', ')}`);
    const args = ['up', '-d'];
    if (o.forceRecreate) args.push('--force-recreate');
    if (o.noDeps) args.push('--no-deps');
    if (o.removeOrphans) args.push('--remove-orphans');
    args.push(o.build ? '--build' : '--no-build');
    if ((this.tool?.major ?? 1) >= 2) args.push('--pull', o.pull ? 'always' : 'never');
    // "--" ends the options: a service name can never be read as one.
    if (up.services?.length) args.push('--', ...up.services);
    return args;
  }

  /** The model compose resolves, against path confinement and (unless trusted) the host-access policy. */
  private async checkResolved(
    tool: ComposeTool,
    project: ManagedProject,
    loaded: LoadedProject,
    args: string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
    services: readonly string[],
  ): Promise<void> {
    const model = await resolveModel(tool, { project: project.name, args, ...options });
    const findings = checkModel(model, { dirReal: project.dir, sockets: this.sockets(project) }).filter((f) => !(f.hostAccess && project.trusted));
    if (findings.length > 0) {
      const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : '';
      throw appError('COMPOSE_UNSAFE', `${describeFinding(findings[0]!, loaded.docs, loaded.paths.map((p) => p.slice(project.dir.length + 1)))}${more}`);
    }
    // A service the model leaves out (an inactive profile on v2) would start unchecked.
    const resolved = new Set(Object.keys(((model as { services?: object }).services ?? {}) as object));
    const unchecked = services.filter((s) => !resolved.has(s));
    if (unchecked.length) throw appError('COMPOSE_UNSAFE', `Services not in the resolved model (inactive profile?): ${unchecked.join(', ')}`);
  }
}

function downArgs(down: ComposeDownBody): string[] {
  const o = down.options ?? {};
  const args = ['down'];
  if (o.volumes) args.push('--volumes');
  if (o.removeOrphans) args.push('--remove-orphans');
  if (o.timeout !== undefined) args.push('--timeout', String(o.timeout));
  return args;
}
