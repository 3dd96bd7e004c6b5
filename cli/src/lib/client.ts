import type { ResolvedAuth } from './base-command.js';
import { sdkExport } from './sdk-loader.js';
import type { Balance, CategoryEntry, Listing, ListingDocs, PricingEntry, ServiceEntry, TokenInfo, UsageEntry } from './wire.js';

/** The part of a paginated SDK list the CLI uses: one page, or `for await` over every item. */
export interface PageLike<T> extends AsyncIterable<T> {
  data: T[];
  cursor: string | null;
  hasNextPage(): boolean;
}
export type PagePromiseLike<T> = PromiseLike<PageLike<T>> & AsyncIterable<T>;

export interface RawResponse {
  data: unknown;
  status: number;
  headers: Headers;
  response: Response;
  idempotencyKey?: string | undefined;
}

/** The SDK surface the CLI calls (structural, so the CLI never imports the SDK at load time). */
export interface GatewayClient {
  catalog: {
    list(params?: Record<string, unknown>): PagePromiseLike<Listing>;
    get(id: string): Promise<Listing>;
    docs(id: string): Promise<ListingDocs>;
    pricing(): Promise<{ data: PricingEntry[] } | PricingEntry[]>;
    services(): Promise<{ data: ServiceEntry[] } | ServiceEntry[]>;
    categories(): Promise<{ data: CategoryEntry[] } | CategoryEntry[]>;
  };
  account: {
    balance(): Promise<Balance>;
    usage(params?: Record<string, unknown>): PagePromiseLike<UsageEntry>;
    rate(...args: unknown[]): Promise<unknown>;
  };
  tokens: {
    self(): Promise<TokenInfo>;
    create(body: Record<string, unknown>): Promise<{ token: string; info: TokenInfo }>;
    list(params?: Record<string, unknown>): PagePromiseLike<TokenInfo>;
    revoke(id: string): Promise<TokenInfo>;
  };
  meta: { receiptKeys(): Promise<unknown>; health(): Promise<unknown> };
  request(opts: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
    path: string;
    query?: Record<string, string | readonly string[]>;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    idempotencyKey?: string;
    maxRetries?: number;
    stream?: boolean;
  }): Promise<RawResponse>;
}

type ClientCtor = new (options: Record<string, unknown>) => GatewayClient;

export interface ClientOptions {
  maxRetries?: number;
}

/**
 * A client for this run. The CLI decides the key and gateway itself (flag > env > profile), so
 * the SDK's own env fallbacks are switched off with explicit values. Uses global fetch.
 */
export async function createClient(auth: ResolvedAuth, options: ClientOptions = {}): Promise<GatewayClient> {
  const Proxygate = await sdkExport<ClientCtor>('Proxygate');
  return new Proxygate({
    apiKey: auth.apiKey ?? null,
    gatewayUrl: auth.gatewayUrl,
    fetch: (input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init),
    logLevel: 'off',
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
}

/** Pricing/services/categories answer `{ data: [...] }`; accept a bare array too. */
export function listOf<T>(value: { data: T[] } | T[]): T[] {
  return Array.isArray(value) ? value : value.data;
}
