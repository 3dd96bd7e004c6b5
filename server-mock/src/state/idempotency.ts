import { GatewayError, validationError } from './errors.js';
import type { CallResult, GatewayContext } from './gateway-types.js';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * The `Idempotency-Key` a paid call is stored under: null when absent or when the profile ignores
 * the header (public: a re-send is a new charge); 400 when it is not 1..255 printable ASCII.
 */
export function idempotencyKeyOf(ctx: GatewayContext, raw: string | null | undefined): string | null {
  const key = ctx.switches.idempotency ? (raw ?? null) : null;
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
    throw validationError('Idempotency-Key must be 1..255 printable ASCII characters', { trace_id: ctx.traceId() });
  }
  return key;
}

interface StoredCall {
  requestHash: string;
  listingId: string;
  storedAt: Date;
  result: CallResult;
}

/** Paid-call answers per token and `Idempotency-Key`, replayed for 24 hours. */
export class IdempotencyStore {
  private readonly calls = new Map<string, StoredCall>();

  /**
   * The stored answer marked as a replay (`idempotent-replayed: true`); null when nothing live is
   * stored; 409 `idempotency_conflict` when the key was used with another request or listing.
   */
  replay(ctx: GatewayContext, tokenId: string, key: string, requestHash: string, listingId: string, at: Date): CallResult | null {
    const stored = this.calls.get(`${tokenId}\n${key}`);
    if (!stored || at.getTime() - stored.storedAt.getTime() >= IDEMPOTENCY_TTL_MS) return null;
    // The request hash leaves out `listing`, so the listing is compared on its own.
    if (stored.requestHash !== requestHash || stored.listingId !== listingId) {
      throw new GatewayError(409, {
        error: 'idempotency_conflict',
        message: 'This Idempotency-Key was used with another request.',
        action: 'Use a new Idempotency-Key for a new request.',
        trace_id: ctx.traceId(),
      });
    }
    return { ...stored.result, headers: { ...stored.result.headers, 'idempotent-replayed': 'true' }, replayed: true };
  }

  store(tokenId: string, key: string, requestHash: string, at: Date, result: CallResult): void {
    this.calls.set(`${tokenId}\n${key}`, { requestHash, listingId: result.listingId, storedAt: at, result });
  }
}
