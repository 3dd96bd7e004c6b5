// DNS-rebinding guard of /mcp and its OAuth routes. A page on any host can make a browser send
// requests to 127.0.0.1 (its own name re-pointed there, or a cross-origin form post); without this
// check it could run the toy authorization server, obtain a `trade` token and spend. Only the
// server's own host names pass; a foreign Origin is refused even when the Host is right.

/** Host names that mean "this machine" (a loopback server answers to any of them). */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_NAMES.includes(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** `host[:port]` in lower case, the port left out when it is the scheme's default. */
function hostOf(url: URL): string {
  return url.host.toLowerCase();
}

/** A `Host` value normalised like a URL's host (default port dropped); undefined when unparsable. */
function normalizeHost(value: string, protocol: string): string | undefined {
  if (!/^[A-Za-z0-9.\-\[\]:]+$/.test(value)) return undefined;
  try {
    return new URL(`${protocol}//${value}`).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The `Host` values a server at `origin` answers to: its own, plus the other loopback names with
 * the same port when it listens on loopback (clients say `localhost` as often as `127.0.0.1`).
 */
export function ownHosts(origin: string): string[] {
  const url = new URL(origin);
  const hosts = [hostOf(url)];
  if (isLoopbackHostname(url.hostname)) {
    const port = url.port ? `:${url.port}` : '';
    for (const name of LOOPBACK_NAMES) hosts.push(`${name}${port}`);
  }
  return [...new Set(hosts)];
}

/** Extra hosts from `PROXYGATE_MOCK_ALLOWED_HOSTS` (comma separated), for a mock behind a proxy or a container name. */
export function envAllowedHosts(): string[] {
  const raw = typeof process === 'undefined' ? undefined : process.env['PROXYGATE_MOCK_ALLOWED_HOSTS'];
  return (raw ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

/** Loopback names on any port: the default of a server whose own origin is not known. */
export const LOOPBACK_ANY_PORT: readonly string[] = LOOPBACK_NAMES.map((name) => `${name}:*`);

export interface HostPolicy {
  /** `host[:port]` values accepted in `Host` (and as the host of an `Origin`); `name:*` for any port. */
  hosts: readonly string[];
  /** Extra full origins accepted in `Origin` (e.g. a local inspector UI). */
  origins?: readonly string[];
}

export interface HostRefusal {
  error: 'forbidden';
  message: string;
}

/**
 * Null when the request may proceed; otherwise why not. The Host header is read when present
 * (a real socket), else the URL's host (in-process msw requests carry none).
 */
export function checkHostAndOrigin(request: Request, policy: HostPolicy): HostRefusal | null {
  const url = new URL(request.url);
  const hosts = new Set(policy.hosts.map((h) => (h.endsWith(':*') ? h.toLowerCase() : normalizeHost(h, url.protocol) ?? h.toLowerCase())));
  const header = request.headers.get('host');
  // `name:*` accepts the name on any port.
  const accepts = (host: string | undefined): boolean =>
    host !== undefined && (hosts.has(host) || hosts.has(`${host.replace(/:\d+$/, '')}:*`));
  for (const host of [hostOf(url), ...(header === null ? [] : [normalizeHost(header.trim(), url.protocol)])]) {
    if (!accepts(host)) {
      return { error: 'forbidden', message: 'The Host header names no host this server answers to (DNS rebinding protection).' };
    }
  }
  const origin = request.headers.get('origin');
  if (origin === null) return null; // not a browser request (or a same-origin GET navigation)
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined; // "null" and garbage: refused below
  }
  const allowed = parsed !== undefined && (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    (accepts(hostOf(parsed)) || (policy.origins ?? []).includes(parsed.origin));
  return allowed ? null : { error: 'forbidden', message: 'Requests from another origin are refused (DNS rebinding protection).' };
}
