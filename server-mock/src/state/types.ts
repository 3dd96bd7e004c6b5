/**
 * Wire shapes (the public gateway's published schema, design brief §1, plus our extensions),
 * written independently of the SDK's generated types.
 */
import type { ShieldAction, ShieldFlag, ShieldMode } from '../scanner/index.js';
import type { Scope } from './profile.js';

export type { Scope } from './profile.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CatalogEndpoint {
  method: HttpMethod;
  path: string;
  description?: string;
  request_schema?: Record<string, unknown>;
  body_overrides?: Record<string, unknown>;
  query_overrides?: Record<string, string>;
}

export interface EndpointPrice {
  path: string;
  pricing_unit: 'per_request' | 'per_token';
  /** Seller price, integer micro-USD. */
  price_per_request?: number;
  price_per_input_token?: number;
  price_per_output_token?: number;
  /** Calls per wallet per UTC day (null: no cap). */
  daily_cap_per_wallet?: number | null;
  daily_cap_global?: number | null;
}

/** `GET /v1/apis` row, field for field the published `CatalogListing`. */
export interface CatalogListing {
  listing_id: string;
  seller_wallet: string;
  service: string;
  service_name: string;
  auth_pattern: string;
  pricing_unit: string;
  price_per_request_usdc: number | null;
  price_per_input_token_usdc: number | null;
  price_per_output_token_usdc: number | null;
  buyer_price_per_request_usdc: number | null;
  buyer_price_per_input_token_usdc: number | null;
  buyer_price_per_output_token_usdc: number | null;
  platform_fee_pct: number;
  available_rpm: number;
  uptime_percent: number;
  avg_latency_ms: number;
  trust_score: number;
  badges: string[];
  avg_rating_percent: number;
  description: string | null;
  is_available: boolean;
  member_since: string;
  category_slugs: string[];
  endpoints: CatalogEndpoint[];
  endpoint_prices: EndpointPrice[];
  has_docs: boolean;
  is_verified: boolean;
  listing_type: string;
  type_metadata: Record<string, unknown> | null;
  slug: string;
  seller_slug: string | null;
  seller_account_type: 'personal' | 'organization';
  seller_organization: string | null;
  seller_avatar_url: string | null;
  provider_logo_url: string | null;
  is_partner: boolean;
  free_listing_approved: boolean;
}

export interface FiltersApplied {
  service?: string;
  auth_pattern?: string;
  pricing_model?: string;
  min_uptime?: number;
  max_latency?: number;
  max_price?: number;
  min_trust_score?: number;
  min_rating?: number;
  has_badges?: boolean;
  badges?: string;
  supports_streaming?: boolean;
  verified?: boolean;
  q?: string;
  category?: string;
  sort?: 'price_asc' | 'price_desc' | 'popular' | 'newest' | 'fastest' | 'best_rated';
  type?: string;
  listing_id?: string;
  slug?: string;
  seller_slug?: string;
}

export interface CatalogResponse {
  data: CatalogListing[];
  cursor: string | null;
  has_more: boolean;
  filters_applied: FiltersApplied;
}

export interface ListingDocsResponse {
  listing_id: string;
  doc_type: 'openapi' | 'markdown' | 'graphql';
  content: string;
  parsed_endpoints: unknown[] | null;
  updated_at: string;
}

export interface ServicePricing {
  service: string;
  name: string;
  pricing_unit: 'per_request' | 'per_token' | 'both';
  price_per_request_micro_cents: number;
  price_per_request_usdc: number;
  price_per_input_token_micro_cents: number | null;
  price_per_output_token_micro_cents: number | null;
  price_per_input_token_usdc: number | null;
  price_per_output_token_usdc: number | null;
  available_rpm: number;
  sellers: number;
}

export interface PricingResponse {
  services: ServicePricing[];
  has_more: boolean;
  cursor: string | null;
  currency: 'USDC';
  deposit_endpoint: '/v1/deposit';
  last_updated: string;
}

export interface ServiceStats {
  service: string;
  service_name: string;
  cheapest_price_usdc: number;
  cheapest_buyer_price_usdc: number;
  avg_latency_ms: number;
  active_seller_count: number;
  total_capacity_rpm: number;
  avg_uptime_percent: number;
  avg_rating: number;
  best_rated_seller_wallet: string;
  pricing_units: 'per_request' | 'per_token' | 'both';
}

export interface ServicesResponse {
  services: ServiceStats[];
  has_more: boolean;
  cursor: string | null;
  count: number;
}

export interface CategorySubcategory {
  slug: string;
  name: string;
  icon: string;
  listing_count: number;
}

export interface CategoryEntry extends CategorySubcategory {
  subcategories: CategorySubcategory[];
}

export interface CategoriesResponse {
  categories: CategoryEntry[];
  has_more: boolean;
  cursor: string | null;
}

/** `GET /v1/balance`: every amount micro-USD (the gateway names the unit "lamports"). */
export interface VaultBalanceResponse {
  balance: number;
  pending_settlement: number;
  available: number;
  in_cooldown: boolean;
  currency: 'lamports';
}

export interface UsageRow {
  id: string;
  service: string;
  path: string;
  model: string | null;
  status_code: number;
  latency_ms: number;
  cost_micro_cents: number;
  listing_id: string;
  seller_id: string | null;
  created_at: string;
  /** Extension (extended profile): the receipt's request id. */
  request_id?: string;
}

export interface UsageSummaryEntry {
  service: string;
  model: string | null;
  request_count: number;
  total_cost_micro_cents: number;
}

export interface UsageResponse {
  usage: UsageRow[];
  summary: UsageSummaryEntry[];
  has_more: boolean;
  cursor: string | null;
}

export interface RateResponse {
  success: true;
  is_update: boolean;
}

export interface MeResponse {
  wallet: string;
  display_name: string | null;
  created_at: string | null;
  auth_method: 'bearer' | 'wallet-sig' | null;
  seller_status: 'none' | 'applicant' | 'accepted';
}

export interface WalletLimits {
  daily_limit_micro_usdc: number | null;
  per_tx_limit_micro_usdc: number | null;
}

export interface HealthExtensions {
  version: 1;
  features: string[];
  receipt_keys_url: string;
}

export interface HealthResponse {
  status: 'healthy' | 'degraded';
  platform_pubkey: string;
  receipt_ca_pubkey: string;
  extensions?: HealthExtensions;
}

/** Extension `token_scopes` / `tokens`. */
export interface TokenInfo {
  id: string;
  name: string | null;
  type: 'api_key' | 'delegation';
  scopes: Scope[];
  parent_id: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  spend_cap_micro_usd: number | null;
  spent_micro_usd: number;
  listings: string[] | null;
}

/** Test inspection only (`/__mock/ledger`), not a gateway route. */
export interface LedgerEntry {
  id: string;
  token_id: string;
  request_id: string;
  listing_id: string;
  amount_micro_usd: number;
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

/** v1 as the public gateway emits it: integer micro-USD amount, integer Unix-seconds timestamp. */
export interface ReceiptV1 {
  request_id: string;
  buyer: string;
  seller: string;
  amount: number;
  timestamp: number;
  signature: string;
  receipt_version?: 1;
}

export interface ReceiptV2 {
  request_id: string;
  buyer: string;
  seller: string;
  amount: number;
  timestamp: number;
  signature: string;
  receipt_version: 2;
  delegation: {
    ephemeral_pubkey: string;
    not_before: number;
    not_after: number;
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
  /** Integer string, micro-USD. */
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

/** A receipt key's signature over a key set (see `Keyring.keySet`): the key vouches for the set. */
export interface KeySetEndorsement {
  kid: string;
  /** base64 of the 64-byte Ed25519 signature over `endorsementMessage(document)`. */
  signature: string;
}

export interface ReceiptKeySet {
  issuer: string;
  keys: ReceiptKey[];
  platform_pubkey: string;
  receipt_ca_pubkey: string;
  /** Extension `receipt_keys`: signatures of keys that vouch for this set (rotation without a new pin). */
  endorsements: KeySetEndorsement[];
}

export interface LogHead {
  origin: string;
  tree_size: number;
  root_hash: string;
  timestamp: string;
  kid: string;
  checkpoint: string;
}
