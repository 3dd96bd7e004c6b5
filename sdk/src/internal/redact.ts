/** Placeholder written wherever a secret was. */
export const REDACTED = '[REDACTED]';

// Token shapes of the gateway plus any bearer credential; applied to every log line and error text.
const TOKEN_PATTERNS: readonly RegExp[] = [
  // A documentation placeholder (`Bearer <token>` in a gateway's action text) is not a secret, and
  // neither are a challenge's auth-params (`Bearer error="insufficient_scope", scope="trade"`):
  // a token68 credential never has a value after its `=` padding (a lone quote after it is not one).
  /\bBearer\s+(?!<[\w.-]{1,40}>(?:[\s"',;`.)]|$))(?![A-Za-z_][\w-]*=(?:"[^",\\]*"|[\w-]))[^\s"',;]+/gi,
  /pg_live_[A-Za-z0-9]+/g,
  /pg_del_[A-Za-z0-9._~+/=-]+/g,
];

/** Header names whose values are always secret. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
]);

/**
 * Replaces token-looking substrings (and each explicitly known secret) with `[REDACTED]`.
 * Known secrets cover API keys of an unfamiliar shape that the patterns would miss.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match) => (/^bearer/i.test(match) ? `Bearer ${REDACTED}` : REDACTED));
  }
  return out;
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  // Past the walk's depth nothing was checked, so nothing is kept (a hostile body could hide a token there).
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_HEADERS.has(key.toLowerCase()) ? REDACTED : redactValue(v, secrets, depth + 1);
  }
  return out;
}

type HeaderSource = Headers | Record<string, string | null | undefined> | undefined;

/** Plain record of headers with secret headers and token-looking values redacted. */
export function redactHeaders(headers: HeaderSource, secrets: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const entries: Iterable<[string, string | null | undefined]> =
    typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function'
      ? (headers as Headers).entries()
      : Object.entries(headers as Record<string, string | null | undefined>);
  for (const [name, value] of entries) {
    if (value === null || value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = SECRET_HEADERS.has(lower) ? REDACTED : redactText(value, secrets);
  }
  return out;
}

/**
 * `error` itself when no message along its cause chain holds a secret; otherwise a copy of the
 * chain with redacted messages (name and `code` kept), so logging the error cannot print a token.
 */
export function scrubError(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof error === 'string') return redactText(error, secrets);
  if (!(error instanceof Error) || depth > 5) return error;
  const cause = (error as { cause?: unknown }).cause;
  const scrubbedCause = scrubError(cause, secrets, depth + 1);
  const message = redactText(error.message, secrets);
  if (message === error.message && scrubbedCause === cause) return error;
  const copy = new Error(message, scrubbedCause === undefined ? undefined : { cause: scrubbedCause });
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${message}`;
  return copy;
}
