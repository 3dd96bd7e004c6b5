import type { PaidCallRecord } from './errors.js';

/** How far before the send the usage query starts, for a client clock ahead of the gateway's. */
const USAGE_SKEW_MS = 5 * 60_000;

/** What a person needs to find a paid call in the usage list (`account.usage(usageQuery)`). */
export function paidCallRecord(method: string, path: string, listing: unknown, sentAt: number, idempotencyKey: string | undefined): PaidCallRecord {
  const bare = path.replace(/^\/?/, '/');
  const [pathname = bare, search = ''] = bare.split(/\?(.*)/s, 2);
  const segment = /^\/proxy\/([^/?#]+)/.exec(pathname)?.[1];
  let service: string | null = null;
  try {
    service = segment === undefined ? null : decodeURIComponent(segment);
  } catch {
    service = segment ?? null;
  }
  const listingId = new URLSearchParams(search).get('listing') ?? (typeof listing === 'string' ? listing : null);
  const from = new Date(sentAt - USAGE_SKEW_MS).toISOString();
  return {
    method,
    path: bare,
    service,
    listingId,
    sentAt: new Date(sentAt).toISOString(),
    idempotencyKey: idempotencyKey ?? null,
    usageQuery: service === null ? { from } : { service, from },
  };
}

/** The receipt header of a paid answer (`x-proxygate-receipt`, or the plain-JSON `x-receipt`). */
export function receiptHeader(headers: Headers): string | undefined {
  return headers.get('x-proxygate-receipt') ?? headers.get('x-receipt') ?? undefined;
}
