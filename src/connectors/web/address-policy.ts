import ipaddr from 'ipaddr.js';

/**
 * Whether a connector may connect to an address. Only ordinary public unicast passes: loopback,
 * RFC 1918 private, link-local (cloud metadata lives at 169.254.169.254), unique-local (fd00::/8,
 * e.g. fd00:ec2::254), carrier-grade NAT, unspecified, multicast, reserved and the IPv6 forms that
 * embed an IPv4 address (mapped, NAT64, 6to4, Teredo) are refused. IPv4-mapped IPv6 is judged as the
 * IPv4 address it carries.
 */
export function addressRefusal(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return `"${address}" is not an IP address`;
  const parsed = ipaddr.process(bare);
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return `${parsed.toString()} is a ${range} address`;
}

/** Why a host written as an IP literal may not be reached; `undefined` for a name (judged once resolved) or a public IP. */
export function literalHostRefusal(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? addressRefusal(bare) : undefined;
}
