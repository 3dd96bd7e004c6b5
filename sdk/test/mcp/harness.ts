// Shared setup of the MCP tests: a seeded in-memory gateway behind the mock's REST and /mcp
// handlers, a pinned key set read from it, and a fetch that records what the client sends.
import type { HttpHandler } from 'msw';
import { Gateway } from '@proxygate-kit/server-mock';
import { createRestHandlers } from '../../../server-mock/src/handlers/index.js';
import { mcpHandlers } from '../../../server-mock/src/handlers/mcp.js';
import { KeySet } from '../../src/receipts/index.js';
import { usdToMicroUsd } from '../../src/lib/money.js';

// https: OAuth discovery and endpoints must be https on a public address (loopback only by opt-in).
export const ORIGIN = 'https://gateway.mcp.test';
export const MCP_URL = `${ORIGIN}/mcp`;

export interface Harness {
  gateway: Gateway;
  keys: KeySet;
  /** Mutable: the mock reads it per request (rug-pull tests). */
  descriptions: Record<string, string>;
  handlers: HttpHandler[];
  /** JSON-RPC methods (and tool names) of every POST to /mcp, plus REST paths, in order. */
  sent: string[];
  recordingFetch: typeof fetch;
}

export function createHarness(seed = 'mcp-tests', profile: 'public' | 'extended' = 'extended'): Harness {
  const gateway = new Gateway({ seed, origin: ORIGIN, profile });
  const descriptions: Record<string, string> = {};
  const sent: string[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === '/mcp' && init?.method === 'POST' && typeof init.body === 'string') {
      const message = JSON.parse(init.body) as { method?: string; params?: { name?: string } };
      sent.push(message.method === 'tools/call' ? `tools/call:${message.params?.name}` : String(message.method));
    } else {
      sent.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    }
    return fetch(input, init);
  };
  return {
    gateway,
    // The public profile has no key-set document: its /health keys verify v1 and v2 receipts.
    keys: profile === 'extended'
      ? KeySet.fromDocument(JSON.stringify(gateway.keySet()))
      : KeySet.fromDocument({ keys: [], platform_pubkey: gateway.health().body.platform_pubkey, receipt_ca_pubkey: gateway.health().body.receipt_ca_pubkey }),
    descriptions,
    // /mcp first: the REST meta handlers also answer `/.well-known/oauth-protected-resource/*`.
    handlers: [...mcpHandlers({ gateway, options: {} }, { descriptions }), ...createRestHandlers(gateway)],
    sent,
    recordingFetch,
  };
}

/** The listing id (UUID) of the mock's listing with this slug (ids do not depend on the seed). */
export function listingId(gateway: Gateway, slug: string): string {
  const [listing] = gateway.listApis({ slug }).data;
  if (!listing) throw new Error(`no listing ${slug} in the mock`);
  return listing.listing_id;
}

/** What one call to the listing costs, micro-USD: its buyer price plus the shield surcharge unless off. */
export function priceOf(gateway: Gateway, slug: string, shieldOff = false): number {
  const [listing] = gateway.listApis({ slug }).data;
  if (!listing || listing.buyer_price_per_request_usdc === null) throw new Error(`no per-request listing ${slug} in the mock`);
  return usdToMicroUsd(listing.buyer_price_per_request_usdc) + (shieldOff ? 0 : 5_000);
}
