import { isDeepStrictEqual } from 'node:util';
import type { ImageConfig } from './image-engine.js';

/** The parts of a container's inspect JSON a re-create copies (the engine's own spelling). */
export interface InspectForCreate {
  Id: string;
  Name: string;
  Image: string;
  Config: Record<string, unknown> & { Image: string; Hostname?: string; Env?: string[] | null; Labels?: Record<string, string> | null };
  HostConfig: Record<string, unknown> & { NetworkMode?: string; Binds?: string[] | null; Mounts?: { Target?: string }[] | null };
  Mounts?: { Type: string; Name?: string; Destination: string; RW: boolean }[] | null;
  NetworkSettings?: { Networks?: Record<string, { Aliases?: string[] | null; IPAMConfig?: unknown; Links?: string[] | null; DriverOpts?: unknown }> | null };
}

export interface NetworkAttachment {
  network: string;
  aliases: string[];
  ipamConfig?: unknown;
  links?: string[];
}

/**
 * How to create a container again: the body of POST /containers/create (Config with the
 * new image reference, the HostConfig as it was) and the networks it was on with their
 * aliases. Opaque above docker/: the update feature only names, creates and compares.
 */
export interface ContainerSpec {
  /** The container it was made from. */
  fromId: string;
  name: string;
  /** The image reference the container was created with (Config.Image, e.g. registry/app:1). */
  imageRef: string;
  /** The image id it runs (sha256:…). */
  imageId: string;
  body: Record<string, unknown>;
  /** The first is given at create (HostConfig.NetworkMode); the others are connected before start. */
  networks: NetworkAttachment[];
}

/** Config keys copied as they are (what `docker run` sets); keys equal to the image's own are dropped below. */
const CONFIG_KEYS = [
  'Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'ExposedPorts', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd',
  'Healthcheck', 'ArgsEscaped', 'Volumes', 'WorkingDir', 'Entrypoint', 'NetworkDisabled', 'MacAddress', 'OnBuild', 'Labels', 'StopSignal', 'StopTimeout', 'Shell',
] as const;

/** Networks that take no aliases (the engine refuses them there). */
const NO_ALIAS_NETWORKS = new Set(['bridge', 'host', 'none']);

/**
 * A container's inspect data is its own settings merged with its image's defaults. Copied
 * whole onto a new image, the old image's defaults (its healthcheck, command, env, labels)
 * would override the new image's. So a value equal to the old image's default is left out:
 * the new image supplies it, and what the container set itself is kept.
 */
function withoutImageDefaults(config: Record<string, unknown>, image: ImageConfig): Record<string, unknown> {
  const out = { ...config };
  const same = (key: string, value: unknown) => value !== undefined && isDeepStrictEqual(out[key], value);
  for (const key of ['Cmd', 'Entrypoint', 'Healthcheck', 'WorkingDir', 'User', 'StopSignal', 'Shell'] as const) {
    if (same(key, (image as Record<string, unknown>)[key])) delete out[key];
  }
  const imageEnv = new Set(image.Env ?? []);
  if (Array.isArray(out.Env)) out.Env = (out.Env as string[]).filter((e) => !imageEnv.has(e));
  const imageLabels = image.Labels ?? {};
  if (out.Labels && typeof out.Labels === 'object') {
    out.Labels = Object.fromEntries(Object.entries(out.Labels as Record<string, string>).filter(([k, v]) => imageLabels[k] !== v));
  }
  for (const key of ['ExposedPorts', 'Volumes'] as const) {
    const mine = out[key] as Record<string, unknown> | null | undefined;
    const theirs = image[key] ?? {};
    if (mine) out[key] = Object.fromEntries(Object.entries(mine).filter(([k]) => !Object.hasOwn(theirs, k)));
  }
  return out;
}

/** The engine's default hostname is the container id's first 12 characters: a new container gets its own. */
function hostnameOf(d: InspectForCreate): string | undefined {
  const h = d.Config.Hostname;
  return h && h !== d.Id.slice(0, 12) ? h : undefined;
}

/**
 * Anonymous volumes (an image VOLUME, `-v /path`) belong to the container: a new one would
 * get fresh, empty ones. They are bound by name, so the new container has the same data.
 */
function anonymousVolumeBinds(d: InspectForCreate): string[] {
  const covered = new Set<string>();
  for (const b of d.HostConfig.Binds ?? []) covered.add(b.split(':')[1] ?? '');
  for (const m of d.HostConfig.Mounts ?? []) if (m.Target) covered.add(m.Target);
  return (d.Mounts ?? [])
    .filter((m) => m.Type === 'volume' && m.Name && !covered.has(m.Destination))
    .map((m) => `${m.Name}:${m.Destination}${m.RW ? '' : ':ro'}`);
}

export function specFromInspect(d: InspectForCreate, oldImage: ImageConfig): ContainerSpec {
  const config: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (d.Config[key] !== undefined) config[key] = d.Config[key];
  const hostname = hostnameOf(d);
  if (hostname) config.Hostname = hostname;
  else delete config.Hostname;
  const anonymous = anonymousVolumeBinds(d);
  const hostConfig = { ...d.HostConfig, ...(anonymous.length ? { Binds: [...(d.HostConfig.Binds ?? []), ...anonymous] } : {}) };
  const shortId = d.Id.slice(0, 12);
  const mode = d.HostConfig.NetworkMode ?? 'default';
  const networks = Object.entries(d.NetworkSettings?.Networks ?? {}).map(([network, n]) => ({
    network,
    // The engine adds the container's short id as an alias of its own: the new one gets its own.
    aliases: NO_ALIAS_NETWORKS.has(network) ? [] : (n.Aliases ?? []).filter((a) => a !== shortId && a !== d.Id),
    ...(n.IPAMConfig ? { ipamConfig: n.IPAMConfig } : {}),
    ...(n.Links?.length ? { links: n.Links } : {}),
  }));
  // The network named by NetworkMode comes first: it is the one given at create.
  networks.sort((a, b) => Number(b.network === mode) - Number(a.network === mode));
  return {
    fromId: d.Id,
    name: d.Name.replace(/^\//, ''),
    imageRef: d.Config.Image,
    imageId: d.Image,
    body: { ...withoutImageDefaults(config, oldImage), Image: d.Config.Image, HostConfig: hostConfig },
    networks,
  };
}
