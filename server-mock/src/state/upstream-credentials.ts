// The provider keys the gateway holds for its sellers. Buyers never see them: the gateway adds a
// listing's key to the request it sends upstream (as a header or a query parameter, as the seller
// configured it) and removes it from whatever the upstream answers before anything leaves.
//
// The mock's keys are fakes, derived from the seed and marked as such in the text itself
// (`sk-test-FAKE-proxygate-mock-upstream-...`). They have the shape of a provider key on purpose:
// an upstream that echoes its request back is then caught by the shield's secret rule.
import type { SeedDerivation } from './derive.js';

/** Where a seller wants its key: `Authorization: Bearer <key>`, a named header, or a query parameter. */
export type UpstreamAuth =
  | { in: 'header'; name: string; scheme?: 'Bearer' }
  | { in: 'query'; name: string };

/** Every mock upstream credential starts with this, so a leak is easy to search for. */
export const UPSTREAM_CREDENTIAL_PREFIX = 'sk-test-FAKE-proxygate-mock-upstream-';

/** What replaces a listing's credential in anything the gateway returns. */
export const UPSTREAM_CREDENTIAL_REDACTED = '[REDACTED:upstream-credential]';

/** The placement a seller configured, else the one its `auth_pattern` suggests. */
export function upstreamAuthOf(authPattern: string, configured: UpstreamAuth | undefined): UpstreamAuth {
  if (configured) return configured;
  if (authPattern === 'bearer') return { in: 'header', name: 'authorization', scheme: 'Bearer' };
  // `api_key` listings, and `none` ones whose seller still keeps an account key with the provider.
  return { in: 'header', name: 'x-api-key' };
}

/** The fake key of one listing: seeded, so a seed reproduces it, and different per listing. */
export function upstreamCredential(derive: SeedDerivation, listingId: string): string {
  return `${UPSTREAM_CREDENTIAL_PREFIX}${derive.base62(`upstream-credential:${listingId}`, 32)}`;
}

/** The upstream-bound query and headers with the credential added where the seller wants it. */
export function withCredential(
  auth: UpstreamAuth,
  credential: string,
  query: URLSearchParams,
  headers: Record<string, string>,
): { query: URLSearchParams; headers: Record<string, string> } {
  const upstreamQuery = new URLSearchParams(query);
  if (auth.in === 'query') {
    upstreamQuery.set(auth.name, credential);
    return { query: upstreamQuery, headers: { ...headers } };
  }
  // The gateway's own header first; nothing forwarded may replace it.
  const name = auth.name.toLowerCase();
  const upstreamHeaders: Record<string, string> = { [name]: auth.scheme ? `${auth.scheme} ${credential}` : credential };
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() !== name) upstreamHeaders[key] = value;
  return { query: upstreamQuery, headers: upstreamHeaders };
}

/** `text` with every occurrence of `credential` replaced (the gateway's last line of defence). */
export function scrubCredential(text: string, credential: string): string {
  return text.includes(credential) ? text.split(credential).join(UPSTREAM_CREDENTIAL_REDACTED) : text;
}
