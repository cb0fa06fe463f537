import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where alert notifications may go (webhook SSRF is a known hole in peers). Every target
 * address is checked: private, loopback, link-local (cloud metadata at 169.254.169.254 and
 * fd00:ec2::254), unique-local, CGNAT, multicast and reserved ranges are refused unless an
 * address or CIDR entry of ALERT_WEBHOOK_ALLOW covers them. When the allow-list is set, a
 * target must also be on it (its host name, or its address in one of the listed CIDRs).
 * The sender connects to the very address checked here (see http-post.ts), so a DNS answer
 * that changes between the check and the connection cannot move the request elsewhere.
 */

const FORBIDDEN_V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
// IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 ranges by BlockList itself.
const FORBIDDEN_V6: [string, number][] = [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];

const forbidden = new BlockList();
for (const [net, prefix] of FORBIDDEN_V4) forbidden.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of FORBIDDEN_V6) forbidden.addSubnet(net, prefix, 'ipv6');

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export class TargetRefused extends Error {
  constructor(
    message: string,
    /** The name did not resolve (at start only a warning: it may resolve later, and is checked then). */
    readonly unresolved = false,
  ) {
    super(message);
    this.name = 'TargetRefused';
  }
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

const HOST_ENTRY = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Parsed ALERT_WEBHOOK_ALLOW: host names (exact, or `*.domain` for its subdomains) and address ranges. */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly ranges = new BlockList();
  private rangeCount = 0;

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
      if (!entry) continue;
      const [net, prefixText] = entry.split('/');
      if (net !== undefined && isIP(net)) {
        const max = isIP(net) === 4 ? 32 : 128;
        const prefix = prefixText === undefined ? max : Number(prefixText);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
          throw new Error(`ALERT_WEBHOOK_ALLOW entry ${JSON.stringify(raw)}: the prefix length must be 0-${max}`);
        }
        this.ranges.addSubnet(net, prefix, family(net));
        this.rangeCount++;
      } else if (HOST_ENTRY.test(entry) && entry.length <= 253) {
        if (entry.startsWith('*.')) this.suffixes.push(entry.slice(1));
        else this.hosts.add(entry);
      } else {
        throw new Error(`ALERT_WEBHOOK_ALLOW entry ${JSON.stringify(raw)}: expected a host name, *.domain, an address or a CIDR such as 10.0.0.0/8`);
      }
    }
  }

  get isEmpty(): boolean {
    return this.hosts.size === 0 && this.suffixes.length === 0 && this.rangeCount === 0;
  }

  hostListed(host: string): boolean {
    return this.hosts.has(host) || this.suffixes.some((s) => host.endsWith(s));
  }

  addressListed(address: string): boolean {
    return this.rangeCount > 0 && this.ranges.check(address, family(address));
  }
}

/** True for addresses no notification may reach unless the allow-list covers them. */
export function isForbiddenAddress(address: string): boolean {
  return forbidden.check(address, family(address));
}

/** The host of a URL as DNS and the allow-list see it: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/**
 * Checks a target and returns the address to connect to. Every address the name resolves
 * to must pass (a mix of public and private answers is refused whole).
 */
export async function checkTarget(url: URL, allow: AllowList, resolve: Resolver = systemResolver): Promise<{ address: string; family: 4 | 6 }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefused(`${url.protocol} is not http or https`);
  if (url.username || url.password) throw new TargetRefused('credentials in the URL are not allowed (use the notifier secret or headers)');
  const host = hostOf(url);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new TargetRefused(`${host} does not resolve`, true);
    }
  }
  if (addresses.length === 0) throw new TargetRefused(`${host} does not resolve`, true);
  for (const { address } of addresses) {
    const listed = allow.addressListed(address);
    if (!allow.isEmpty && !listed && !allow.hostListed(host)) throw new TargetRefused(`${host} (${address}) is not on ALERT_WEBHOOK_ALLOW`);
    if (isForbiddenAddress(address) && !listed) {
      throw new TargetRefused(`${host} resolves to ${address}, a private, loopback, link-local or reserved address not on ALERT_WEBHOOK_ALLOW`);
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
