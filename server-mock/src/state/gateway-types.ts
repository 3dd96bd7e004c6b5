/**
 * Types shared by the gateway's facade (`gateway.ts`) and the modules it delegates to: its
 * options, the authenticated caller, and a paid call's input and result.
 */
import type { ShieldVerdict } from '../scanner/index.js';
import type { UpstreamRequest } from './catalog.js';
import type { Page } from './pagination.js';
import type { Profile, ProfileSwitches } from './profile.js';
import type { TokenRecord } from './tokens.js';
import type { LogHead, Receipt, ReceiptV3, ReceiptVersion } from './types.js';

export interface GatewayOptions {
  /** `extended` (default): the public wire plus every extension; `public`: the public wire only. */
  profile?: Profile;
  /** Everything random derives from it (default `"proxygate-mock"`). */
  seed?: string | number;
  /** Default receipt version for tokens without their own (default: 1 public, 3 extended; 3 needs `extended`). */
  receiptVersion?: ReceiptVersion;
  /** v1 receipts carry the optional `receipt_version: 1` (default false). */
  tagV1Receipts?: boolean;
  /** Controllable clock (default: the system clock). */
  now?: () => Date;
  /** Origin used in key-set issuer, checkpoints and auth challenges (default `https://mock.proxygate.test`). */
  origin?: string;
  /** Daily cap per wallet of the free listings' endpoints (default 100, as their `endpoint_prices` say). */
  freeDailyCap?: number;
  /** Sees each request the synthetic upstreams receive, seller key included (test inspection only). */
  observeUpstream?: (listingId: string, request: UpstreamRequest) => void;
}

/** The authenticated caller, from `authenticate()`; pass it to every account operation. */
export interface AuthContext {
  readonly token: TokenRecord;
}

export interface CallInput {
  /** `?listing=`: a listing UUID; when absent the service resolves to a listing (see `resolveCallListing`). */
  listing?: string | null;
  service: string;
  method: string;
  /** Upstream path, after `/proxy/{service}`, starting with `/`. */
  path: string;
  /** Upstream query; a `listing` entry is ignored for hashing and forwarding. */
  query?: URLSearchParams | string;
  body?: Uint8Array | string | null;
  /** `x-proxygate-shield` (default `monitor`). */
  shield?: string | null;
  /** Honoured by the extended profile only; the public profile ignores it (a re-send is a new charge). */
  idempotencyKey?: string | null;
  /** The buyer's `content-type`, forwarded upstream. */
  contentType?: string | null;
}

export interface CallResult {
  status: number;
  /** Response headers: content type, receipt, shield verdict, spend limits, replay marker. */
  headers: Record<string, string>;
  /** The upstream body as delivered (for a strict block: the 422 JSON error). */
  body: string;
  /** Streaming listings: the upstream event chunks; in the extended profile `sseReceiptEvent` follows them. */
  events?: string[];
  sseReceiptEvent?: string;
  receipt: Receipt;
  /** base64 of the receipt JSON: what `x-proxygate-receipt` (or the SSE event) carries. */
  receiptHeader: string;
  shield: ShieldVerdict;
  /** Micro-USD finally charged (0 when free or refunded). */
  amount: number;
  requestId: string;
  listingId: string;
  replayed: boolean;
}

export interface ReceiptLogPage extends Page<ReceiptV3> {
  head: LogHead;
}

/** What the operation modules read from the gateway: the profile, its switches, the clock, trace ids. */
export interface GatewayContext {
  readonly profile: Profile;
  readonly switches: ProfileSwitches;
  now(): Date;
  /** A new seeded trace id (every error body carries one). */
  traceId(): string;
}
