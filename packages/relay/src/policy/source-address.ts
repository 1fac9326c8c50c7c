import { isIPv6 } from 'node:net';

/**
 * The key a connection's per-address limits are counted under: its peer's IP address as the socket reports it
 * (behind a reverse proxy, the proxy's). An IPv4 address mapped into IPv6 counts as the IPv4 address; any other
 * IPv6 address counts by its /64 prefix, since one host or subscriber commonly holds a whole /64.
 */
export function sourceAddress(remote: string | undefined): string {
  if (remote === undefined || remote === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remote)) return remote;
  return `${expandIPv6(remote).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, lower-case hex without leading zeros (a zone index is dropped). */
function expandIPv6(address: string): string[] {
  const bare = address.split('%')[0]!.toLowerCase();
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.map((group) => (group.includes('.') ? group : Number.parseInt(group, 16).toString(16)));
}
