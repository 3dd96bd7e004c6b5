// What one client learns about each of its tokens' receipts, keyed by an opaque credential id
// (a rotating `apiKey` keeps each token's facts apart): whether the gateway signed a v3 receipt
// for it (its weaker receipts are then downgrades) and the wallet its v1/v2 receipts must name.
import { APIError } from '../../core/error.js';
import type { Proxygate } from '../../core/client.js';
import { NO_EXTENSIONS } from '../../core/extensions.js';
import { credentialOf } from '../../internal/credential.js';
import { isUnverified } from './receipt-verdict.js';
import type { Settlement } from './settle.js';

export class TokenFacts {
  readonly #client: Proxygate;
  /** Tokens the gateway has signed a v3 receipt for. */
  readonly #v3Tokens = new Set<string>();
  /** The wallet of each token (from `GET /v1/me`), learned once when its first v1/v2 receipt arrives. */
  readonly #wallets = new Map<string, Promise<string | undefined>>();

  constructor(client: Proxygate) {
    this.#client = client;
  }

  /** The lowest receipt version the token's calls may carry: 3 once the gateway signed v3 for it, or advertises `receipt_v3`. */
  async minVersion(credential: string | undefined): Promise<1 | 3> {
    const advertised = (await this.#client.extensions().catch(() => NO_EXTENSIONS)).has('receipt_v3');
    const seenV3 = credential !== undefined && this.#v3Tokens.has(credential);
    return seenV3 || (advertised && !this.#client.allowLegacyReceipts) ? 3 : 1;
  }

  /** Remembers a v3 receipt that verified (or could not be checked for want of keys). */
  settled(credential: string | undefined, settlement: Settlement): void {
    const verdict = settlement.receiptVerdict;
    if (credential !== undefined && settlement.receipt?.receipt_version === 3 && (isUnverified(verdict) || verdict?.valid === true)) this.#v3Tokens.add(credential);
  }

  /**
   * The wallet v1/v2 receipts of this token must name: the `buyerWallet` option, else `GET /v1/me`
   * once per token (a refusal is kept as "unknown"; a failure to reach it is asked again next time).
   */
  walletFor(credential: string | undefined): Promise<string | undefined> {
    if (this.#client.buyerWallet !== undefined) return Promise.resolve(this.#client.buyerWallet);
    if (credential === undefined) return Promise.resolve(undefined);
    const known = this.#wallets.get(credential);
    if (known) return known;
    const learning = this.#client.request<unknown>({ method: 'GET', path: '/v1/me', maxRetries: 1 }).then(
      (res) => {
        const wallet = (res.data as { wallet?: unknown } | undefined)?.wallet;
        const found = typeof wallet === 'string' && /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(wallet) ? wallet : undefined;
        const answeredFor = credentialOf(res.response);
        // A rotating apiKey may have answered for another token: keep it there, ask again for this one.
        if (answeredFor !== credential) {
          if (answeredFor !== undefined) this.#wallets.set(answeredFor, Promise.resolve(found));
          this.#wallets.delete(credential);
          return undefined;
        }
        return found;
      },
      (error: unknown) => {
        if (!(error instanceof APIError && error.status !== undefined && error.status < 500)) this.#wallets.delete(credential);
        return undefined;
      },
    );
    this.#wallets.set(credential, learning);
    return learning;
  }
}
