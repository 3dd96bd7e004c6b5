// What a user of the published packages writes: every import goes through `exports` to dist/*.d.ts.
// The @ts-expect-error lines fail the compile if the types ever degrade to `any`.
import Proxygate, {
  APIError, InsufficientCreditsError, InsufficientScopeError, ProxygateError, RateLimitError, ShieldBlockedError,
  PaidCallOutcomeUnknownError, SpendLimitError, formatUsd, type Balance, type ClientOptions, type Listing, type Me, type TokenInfo,
} from '@proxygate-kit/sdk';
import { KeySet, verifyReceipt, type Receipt, type ReceiptV3, type Verdict } from '@proxygate-kit/sdk/receipts';
import { createVerifierPool, loadKeySetFile } from '@proxygate-kit/sdk/receipts/node';
import { connectGateway, type GatewayMcpClient } from '@proxygate-kit/sdk/mcp';

const options: ClientOptions = { apiKey: () => 'from-a-secret-store', gatewayUrl: 'https://gateway.example', maxRetries: 2 };
const client = new Proxygate(options);

export async function balanceInUsd(): Promise<string> {
  const balance: Balance = await client.account.balance();
  const micro: number = balance.available;
  // @ts-expect-error money is a number of micro-USD, never a string
  const wrong: string = balance.available;
  void wrong;
  return formatUsd(micro);
}

export async function cheapestVerified(): Promise<Listing | undefined> {
  let best: Listing | undefined;
  for await (const listing of client.catalog.list({ verified: true, sort: 'price_asc', limit: 10 })) {
    const price: number | null = listing.prices.perRequest; // micro-USD, converted once from the catalog float
    if (price !== null && (!best || price < (best.prices.perRequest ?? Infinity))) best = listing;
  }
  // @ts-expect-error sort is a closed set of orders
  client.catalog.list({ sort: 'cheapest' });
  return best;
}

export async function describeFailure(error: unknown): Promise<string> {
  if (error instanceof PaidCallOutcomeUnknownError) return `may have been charged: check account.usage(${JSON.stringify(error.request.usageQuery)})`;
  if (error instanceof SpendLimitError) return `spend limit reached, nothing charged (${String(error.charged)})`;
  if (error instanceof ShieldBlockedError) return `blocked (score ${error.score ?? '?'}, refunded ${error.refunded.value}${error.refunded.verified ? '' : ' (unverified)'})`;
  if (error instanceof InsufficientCreditsError) return `top up: ${error.action ?? error.message}`;
  if (error instanceof InsufficientScopeError) return `needs scope ${error.requiredScope ?? '?'}`;
  if (error instanceof RateLimitError) return `retry in ${error.retryAfterMs ?? 1000} ms`;
  if (error instanceof APIError) return `HTTP ${error.status ?? '?'} ${error.code ?? ''}`;
  if (error instanceof ProxygateError) return error.message;
  return String(error);
}

export async function whoami(): Promise<Me> {
  return client.account.me();
}

export async function me(): Promise<TokenInfo> {
  const { data, response } = await client.tokens.self().withResponse();
  void response.headers.get('x-request-id');
  return data;
}

export async function check(receiptJson: string, keySetPath: string): Promise<Verdict> {
  const keys: KeySet = await loadKeySetFile(keySetPath);
  const verdict = await verifyReceipt(receiptJson, { keys, backend: 'noble' });
  if (verdict.valid && verdict.receipt && 'receipt_version' in verdict.receipt && verdict.receipt.receipt_version === 3) {
    const v3: ReceiptV3 = verdict.receipt;
    const amount: bigint = BigInt(v3.amount);
    void amount;
  }
  // @ts-expect-error a backend is one of the named ones or an object
  await verifyReceipt(receiptJson, { keys, backend: 'openssl' });
  return verdict;
}

export function pinned(doc: string): KeySet {
  return KeySet.fromDocument(doc);
}

export type AnyReceipt = Receipt;
export const pool: typeof createVerifierPool = createVerifierPool;

export async function agent(): Promise<GatewayMcpClient> {
  const gateway = await connectGateway({ url: 'https://gateway.example/mcp' });
  await gateway.browseApis({});
  return gateway;
}
