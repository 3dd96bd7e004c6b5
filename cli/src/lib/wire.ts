// The gateway shapes the CLI renders (spec/README.md). Kept local and loose so the CLI only
// depends on the SDK at run time (lazy import) and tolerates fields it does not know.

export interface Page<T> {
  data: T[];
  cursor: string | null;
  has_more: boolean;
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
  endpoints: Array<{ method: string; path: string; description: string; streaming?: boolean }>;
}

export interface ListingDocs {
  listing_id: string;
  markdown: string;
  endpoints: Listing['endpoints'];
}

export interface PricingEntry {
  listing_id: string;
  slug: string;
  service: string;
  price_micro_cents: number;
  shield_fee_micro_cents: number;
  currency: string;
}

export interface ServiceEntry {
  name: string;
  description: string;
  listing_count: number;
  categories: string[];
}

export interface CategoryEntry {
  name: string;
  listing_count: number;
}

export interface TokenInfo {
  id: string;
  name: string | null;
  type: 'api_key' | 'delegation';
  scopes: string[];
  parent_id: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  spend_cap_micro_cents: number | null;
  spent_micro_cents: number;
  listings: string[] | null;
}

export interface Balance {
  balance_micro_cents: number;
  currency: string;
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
