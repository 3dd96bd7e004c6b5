import { GatewayError, type ErrorBody } from './errors.js';
import type { GatewayContext } from './gateway-types.js';
import type { EndpointPrice } from './types.js';
import { secondsToUtcMidnight, utcDay } from './utc-day.js';

/** An endpoint's `daily_cap_per_wallet`: calls per wallet, listing, endpoint and UTC day. */
export class DailyCallCaps {
  /** Calls per `<wallet>\n<listing>\n<path>\n<UTC day>`. */
  private readonly calls = new Map<string, number>();

  /**
   * 429 with `Retry-After` (until UTC midnight) when the wallet used up the endpoint's cap today
   * (`daily_free_cap` on a free endpoint); otherwise the counter's key, for `count` once the call
   * is accepted (null: the endpoint has no cap).
   */
  check(ctx: GatewayContext, endpointPrice: EndpointPrice | undefined, wallet: string, listingId: string, at: Date): string | null {
    const cap = endpointPrice?.daily_cap_per_wallet;
    if (endpointPrice === undefined || cap === undefined || cap === null) return null;
    const key = `${wallet}\n${listingId}\n${endpointPrice.path}\n${utcDay(at)}`;
    if ((this.calls.get(key) ?? 0) < cap) return key;
    const free = endpointPrice.price_per_request === 0;
    throw new GatewayError(
      429,
      {
        error: free ? 'daily_free_cap' : 'daily_cap_exceeded',
        message: `This endpoint allows ${cap} calls per wallet per day.`,
        action: 'Retry after UTC midnight.',
        trace_id: ctx.traceId(),
      } as ErrorBody,
      { 'Retry-After': String(secondsToUtcMidnight(at)) },
    );
  }

  count(key: string): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }
}
