import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The checks `mcp serve --http` runs on every request before anything else: the `Host` must name
 * this loopback server (a DNS-rebinding page reaches 127.0.0.1 under its own host name), an
 * `Origin`, when sent, must be this server's (a web page's fetch carries its own), and the bearer
 * token printed at start must be presented. A refused request changes nothing.
 */
export interface HttpRefusal {
  status: 401 | 403;
  error: string;
  message: string;
  headers?: Record<string, string>;
}

/** 32 random bytes, base64url: the bearer a local client presents. */
export function newBearerToken(): string {
  return randomBytes(32).toString('base64url');
}

export class HttpGuard {
  readonly #hosts: ReadonlySet<string>;
  readonly #origins: ReadonlySet<string>;
  readonly #tokenDigest: Buffer;

  constructor(port: number, token: string) {
    this.#hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.#origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
    // Compared as digests: equal lengths for timingSafeEqual whatever was presented.
    this.#tokenDigest = digest(token);
  }

  check(request: IncomingMessage): HttpRefusal | undefined {
    const host = (request.headers.host ?? '').toLowerCase();
    if (!this.#hosts.has(host)) {
      return { status: 403, error: 'forbidden_host', message: `Host ${JSON.stringify(host.slice(0, 100))} is not this server (DNS rebinding protection)` };
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.#origins.has(origin.toLowerCase())) {
      return { status: 403, error: 'forbidden_origin', message: `Origin ${JSON.stringify(origin.slice(0, 100))} may not use this server` };
    }
    const match = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), this.#tokenDigest)) {
      return {
        status: 401,
        error: 'unauthorized',
        message: 'present the bearer token "proxygate mcp serve --http" printed at start',
        headers: { 'www-authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
      };
    }
    return undefined;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
