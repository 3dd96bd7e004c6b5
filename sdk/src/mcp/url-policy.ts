// Which URLs the OAuth flow may contact. The MCP server names them (resource_metadata, then the
// authorization server's metadata names the rest), so a hostile server could point the client at
// plain http or at the user's own network (the router's admin page, a cloud metadata service).
// Only https on a public address passes; loopback http only by opt-in. Host names are checked
// as written (no DNS lookup here): an IP literal in a private, link-local or special range fails.
import { UnsafeUrlError } from './errors.js';

export interface UrlPolicy {
  /** Allow http and https on loopback (`localhost`, 127.0.0.0/8, ::1): local development and tests. */
  allowLoopback: boolean;
}

function ipv4Octets(hostname: string): number[] | undefined {
  const parts = hostname.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

/** True for 127.0.0.0/8, ::1 and the `localhost` names. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  const v4 = ipv4Octets(host);
  if (v4) return v4[0] === 127;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  return mapped !== undefined && ipv4Octets(mapped)?.[0] === 127;
}

/** Private, link-local, shared, unspecified, multicast and documentation ranges (v4 and v6 literals). */
export function isNonPublicAddress(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const v4 = ipv4Octets(host) ?? ipv4Octets(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1] ?? '');
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19)) ||
      a >= 224;
  }
  if (!host.includes(':')) return false; // a name: judged by what it is called, not where it resolves
  if (host === '::' || host === '::1') return true;
  const first = Number.parseInt(host.split(':')[0] || '0', 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast, ::ffff:0:0/96 handled above.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}

/** Throws `UnsafeUrlError` unless the OAuth flow may contact `url`. */
export function assertOAuthUrl(url: string | URL, policy: UrlPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnsafeUrlError(String(url).slice(0, 200), 'not an absolute URL');
  }
  const shown = `${parsed.origin}${parsed.pathname}`;
  if (parsed.username || parsed.password) throw new UnsafeUrlError(shown, 'credentials in the URL');
  const loopback = isLoopbackHost(parsed.hostname);
  if (loopback) {
    if (!policy.allowLoopback) throw new UnsafeUrlError(shown, 'a loopback address (pass oauthLoopback: true for local development)');
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new UnsafeUrlError(shown, 'not http(s)');
    return parsed;
  }
  if (parsed.protocol !== 'https:') throw new UnsafeUrlError(shown, 'not https');
  if (isNonPublicAddress(parsed.hostname)) throw new UnsafeUrlError(shown, 'a private, link-local or reserved address');
  return parsed;
}

/** fetch for the OAuth flow: every URL checked first, redirects never followed (each hop would need the check). */
export function policyFetch(fetchImpl: typeof fetch, policy: UrlPolicy): typeof fetch {
  return async (input, init) => {
    assertOAuthUrl(input instanceof Request ? input.url : String(input), policy);
    return fetchImpl(input, { ...init, redirect: 'manual' });
  };
}
