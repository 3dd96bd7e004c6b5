/** Wire shapes of spec/README.md, written independently of the SDK's generated types. */
import type { ShieldAction, ShieldFlag, ShieldMode } from '../scanner/index.js';

export type Scope = 'catalog:read' | 'account:read' | 'trade' | 'tokens:write';
export const SCOPES: readonly Scope[] = ['catalog:read', 'account:read', 'trade', 'tokens:write'];

export interface Endpoint {
  method: string;
  path: string;
  description: string;
  streaming?: boolean;
}

export interface Listing {
  id: string;
  slug: string;
  name: string;
  description: string;
  service: string;
  category: string;
  type: 'rest' | 'sse';
  seller_id: string;
  price_micro_cents: number;
  shield_fee_micro_cents: number;
  verified: boolean;
  rating: { up: number; down: number };
  avg_latency_ms: number;
  calls_30d: number;
  created_at: string;
  endpoints: Endpoint[];
}

export interface TokenInfo {
  id: string;
  name: string | null;
  type: 'api_key' | 'delegation';
  scopes: Scope[];
  parent_id: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  spend_cap_micro_cents: number | null;
  spent_micro_cents: number;
  listings: string[] | null;
}

export interface UsageEntry {
  id: string;
  request_id: string;
  service: string;
  listing_id: string;
  method: string;
  path: string;
  status_code: number;
  latency_ms: number;
  cost_micro_cents: number;
  refunded: boolean;
  created_at: string;
}

export interface LedgerEntry {
  id: string;
  token_id: string;
  request_id: string;
  listing_id: string;
  amount_micro_cents: number;
  kind: 'charge' | 'refund';
  idempotency_key: string | null;
  created_at: string;
}

export interface ReceiptShield {
  mode: ShieldMode;
  score_bp: number;
  flags: ShieldFlag[];
  action: ShieldAction;
}

export interface ReceiptV1 {
  request_id: string;
  buyer: string;
  seller: string;
  amount: number;
  timestamp: string;
  signature: string;
}

export interface ReceiptV2 extends ReceiptV1 {
  receipt_version: 2;
  delegation: {
    ephemeral_pubkey: string;
    not_before: string;
    not_after: string;
    purpose: 'proxygate-receipt';
    receipt_ca_pubkey: string;
    signature: string;
  };
}

export interface ReceiptV3 {
  receipt_version: 3;
  kid: string;
  request_id: string;
  buyer: string;
  seller: string;
  listing_id: string;
  service: string;
  method: string;
  path: string;
  amount: string;
  currency: 'USD';
  timestamp: string;
  request_sha256: string;
  response_sha256: string;
  shield: ReceiptShield;
  seq: number;
  prev: string;
  signature: string;
}

export type Receipt = ReceiptV1 | ReceiptV2 | ReceiptV3;
export type ReceiptVersion = 1 | 2 | 3;

export interface ReceiptKey {
  kid: string;
  kty: 'OKP';
  crv: 'Ed25519';
  alg: 'EdDSA';
  x: string;
  not_before: string;
  not_after: string | null;
  status: 'active' | 'retired' | 'revoked';
  revoked_at?: string;
}

export interface ReceiptKeySet {
  issuer: string;
  keys: ReceiptKey[];
  platform_pubkey: string;
  receipt_ca_pubkey: string;
}

export interface LogHead {
  origin: string;
  tree_size: number;
  root_hash: string;
  timestamp: string;
  kid: string;
  checkpoint: string;
}
