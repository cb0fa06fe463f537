import { hostPathProblem, OUTSIDE_REFUSAL, SOCKET_REFUSAL, type EngineSocket } from './paths.js';

/** One thing the resolved model must not do: where (key path), what, and why. */
export interface Finding {
  /** Key path in the compose model, e.g. ['services', 'web', 'privileged']. */
  path: string[];
  value?: unknown;
  why: string;
  /** Gives a container the host: allowed to trusted projects. Path confinement is not. */
  hostAccess: boolean;
  /** For a top-level volume or network: the services that use it. */
  usedBy?: string[];
}

export interface PolicyContext {
  dirReal: string;
  sockets: readonly EngineSocket[];
}

const HOST = 'gives the container the host; only projects declared with trusted: true in COMPOSE_PROJECTS_FILE may use it';
const JOIN = "joins another container's namespace, which may be the host's; only trusted projects may";

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|docker-image:\/\/|oci-layout:\/\/|service:)/i;

/** A named volume's short syntax `name:/target[:mode]`, or a host path. */
function volumeSource(v: unknown): { bind?: string; volume?: string } {
  if (typeof v === 'string') {
    const source = v.split(':')[0] ?? '';
    if (!v.includes(':')) return {};
    return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source) ? { volume: source } : { bind: source };
  }
  if (!isRecord(v) || typeof v['source'] !== 'string') return {};
  if (v['type'] === 'bind') return { bind: v['source'] };
  if (v['type'] === 'volume') return { volume: v['source'] };
  return {};
}

/** security_opt entries that switch off the kernel's confinement, or load a profile from a host file. */
function unconfined(opt: string): boolean {
  const m = /^([^:=]*)[:=]?(.*)$/.exec(opt.trim().toLowerCase());
  const name = m?.[1] ?? '';
  const value = m?.[2] ?? '';
  if (value.includes('unconfined') || name === 'systempaths') return true;
  if (name === 'label') return value === 'disable' || value.includes('spc_t');
  return name === 'seccomp' && value !== 'builtin';
}

class Checker {
  readonly findings: Finding[] = [];
  constructor(private readonly ctx: PolicyContext) {}

  add(path: string[], why: string, hostAccess: boolean, value?: unknown, usedBy?: string[]): void {
    this.findings.push({ path, why, hostAccess, ...(value === undefined ? {} : { value }), ...(usedBy ? { usedBy } : {}) });
  }

  hostPath(path: string[], value: unknown, usedBy?: string[]): void {
    if (typeof value !== 'string') return;
    const problem = hostPathProblem(this.ctx.dirReal, value, this.ctx.sockets);
    if (problem === 'socket') this.add(path, SOCKET_REFUSAL, true, value, usedBy);
    else if (problem === 'outside') this.add(path, OUTSIDE_REFUSAL, false, value, usedBy);
  }

  service(name: string, svc: Record<string, unknown>, volumes: Record<string, unknown>): void {
    const at = (key: string) => ['services', name, key];
    if (svc['privileged'] === true) this.add(at('privileged'), HOST, true, true);
    for (const key of ['pid', 'ipc', 'network_mode', 'uts', 'userns_mode', 'cgroup']) {
      const v = svc[key];
      if (v === 'host') this.add(at(key), HOST, true, v);
      else if (typeof v === 'string' && v.startsWith('container:')) this.add(at(key), JOIN, true, v);
    }
    for (const key of ['cap_add', 'devices', 'device_cgroup_rules']) if (asArray(svc[key]).length > 0) this.add(at(key), HOST, true, svc[key]);
    for (const opt of asArray(svc['security_opt'])) if (typeof opt === 'string' && unconfined(opt)) this.add(at('security_opt'), HOST, true, opt);
    for (const v of asArray(svc['volumes_from'])) if (typeof v === 'string' && v.startsWith('container:')) this.add(at('volumes_from'), JOIN, true, v);
    for (const v of asArray(svc['volumes'])) {
      const { bind, volume } = volumeSource(v);
      if (bind !== undefined) this.hostPath(at('volumes'), bind);
      if (volume !== undefined && !isRecord(volumes[volume])) this.add(at('volumes'), 'names a volume the project does not declare', false, volume);
    }
    for (const e of asArray(svc['env_file'])) this.hostPath(at('env_file'), isRecord(e) ? e['path'] : e);
    for (const e of asArray(svc['label_file'])) this.hostPath(at('label_file'), e);
    this.build(name, svc['build']);
  }

  build(name: string, build: unknown): void {
    const at = (...keys: string[]) => ['services', name, 'build', ...keys];
    if (typeof build === 'string') {
      if (!REMOTE.test(build)) this.hostPath(at(), build);
      return;
    }
    if (!isRecord(build)) return;
    const context = build['context'];
    if (typeof context === 'string' && !REMOTE.test(context)) {
      this.hostPath(at('context'), context);
      if (typeof build['dockerfile'] === 'string') this.hostPath(at('dockerfile'), build['dockerfile'].startsWith('/') ? build['dockerfile'] : `${context}/${build['dockerfile']}`);
    }
    const extra = build['additional_contexts'];
    for (const [key, v] of Object.entries(isRecord(extra) ? extra : {})) if (typeof v === 'string' && !REMOTE.test(v)) this.hostPath(at('additional_contexts', key), v);
    for (const s of asArray(build['ssh'])) if (typeof s === 'string' && s.includes('=')) this.hostPath(at('ssh'), s.slice(s.indexOf('=') + 1));
  }

  /** Top-level volumes: the local driver's `device` is a host path when bound or absolute. */
  volume(name: string, vol: Record<string, unknown>, usedBy: string[]): void {
    const opts = vol['driver_opts'];
    if (!isRecord(opts) || opts['device'] === undefined) return;
    const device = String(opts['device']);
    const bound = /(^|,)r?bind(,|$)/.test(String(opts['o'] ?? '')) || String(opts['type'] ?? '') === 'none';
    if (bound || /^[/.~]/.test(device)) this.hostPath(['volumes', name, 'driver_opts', 'device'], device, usedBy);
  }

  /** A network that is the host's own (by name or driver) puts its services on the host network. */
  network(name: string, net: Record<string, unknown>, usedBy: string[]): void {
    const external = net['external'];
    const externalName = isRecord(external) ? external['name'] : undefined;
    const realName = net['name'] ?? externalName ?? (external ? name : undefined);
    if (realName === 'host' || net['driver'] === 'host') this.add(['networks', name], HOST, true, realName ?? net['driver'], usedBy);
  }
}

function usersOf(services: Record<string, unknown>, uses: (svc: Record<string, unknown>) => boolean): string[] {
  return Object.entries(services)
    .filter(([, svc]) => isRecord(svc) && uses(svc))
    .map(([name]) => `services.${name}`);
}

/** The networks a service joins: its list or map, or `default` when it sets neither nor network_mode. */
function networksOf(svc: Record<string, unknown>): string[] {
  const nets = svc['networks'];
  if (Array.isArray(nets)) return nets.map(String);
  if (isRecord(nets)) return Object.keys(nets);
  return svc['network_mode'] === undefined ? ['default'] : [];
}

/**
 * Checks the model as compose resolved it (every file merged, extends and include applied,
 * variables interpolated, paths made absolute): every host path stays in the project folder
 * and nothing hands a container the host. Returns every finding; the caller decides what
 * trust allows.
 */
export function checkModel(model: unknown, ctx: PolicyContext): Finding[] {
  const checker = new Checker(ctx);
  if (!isRecord(model)) return [{ path: [], why: 'is not a compose model', hostAccess: false }];
  const services = isRecord(model['services']) ? model['services'] : {};
  const volumes = isRecord(model['volumes']) ? model['volumes'] : {};
  const networks = isRecord(model['networks']) ? model['networks'] : {};
  for (const [name, svc] of Object.entries(services)) if (isRecord(svc)) checker.service(name, svc, volumes);
  for (const [name, vol] of Object.entries(volumes)) {
    if (isRecord(vol)) checker.volume(name, vol, usersOf(services, (svc) => asArray(svc['volumes']).some((v) => volumeSource(v).volume === name)));
  }
  for (const [name, net] of Object.entries(networks)) {
    if (isRecord(net)) checker.network(name, net, usersOf(services, (svc) => networksOf(svc).includes(name)));
  }
  for (const section of ['secrets', 'configs'] as const) {
    const entries = model[section];
    if (isRecord(entries)) for (const [name, e] of Object.entries(entries)) if (isRecord(e)) checker.hostPath([section, name, 'file'], e['file']);
  }
  return checker.findings;
}
