import { BlockList, isIP, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * The names a request's `Host` may give this server — the defence against DNS rebinding, where a page on
 * evil.example makes its own name resolve to 127.0.0.1 and reads the answers: such requests still say
 * `Host: evil.example`. Allowed are the loopback names (localhost, 127.0.0.1, ::1), the address the server is bound to
 * and the name it was given, every address of this machine's interfaces for a wildcard bind (0.0.0.0, ::), and the
 * names added with --allow-host. Names are compared without port, IPv6 literals without brackets, in lower case.
 */
export function hostsServedBy(bindHost: string, boundAddress: string, extra: readonly string[] = [], interfaces = networkInterfaces()): Set<string> {
  const hosts = ['localhost', '127.0.0.1', '::1', bindHost, boundAddress, ...extra];
  if (isWildcard(boundAddress)) {
    hosts.push(...Object.values(interfaces).flatMap((addresses) => (addresses ?? []).map((a) => a.address)));
  }
  return new Set(hosts.map(hostName));
}

/** `Host` header or --allow-host value → the bare name: `[::1]:8080` → `::1`, `Example.COM:80` → `example.com`. */
export function hostName(host: string): string {
  const name = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(name);
  if (bracketed) return bracketed[1];
  return isIP(name) === 6 ? name : name.replace(/:\d*$/, '');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether a bound address (an IP literal) only this machine can reach; BlockList also matches ::ffff:127.0.0.1. */
export function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * Where a browser opens the search page: `http://<host>:<port>/` for the host the server was bound for, or for a
 * wildcard bind this machine's first network IPv4 address (127.0.0.1 without one).
 */
export function pageUrl(bindHost: string, { address, port }: AddressInfo, interfaces = networkInterfaces()): string {
  const network = () => Object.values(interfaces).flatMap((list) => list ?? []).find((a) => a.family === 'IPv4' && !a.internal);
  const host = isWildcard(address) ? (network()?.address ?? '127.0.0.1') : bindHost;
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`;
}
