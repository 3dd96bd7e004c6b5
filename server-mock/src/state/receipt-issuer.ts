import { sha256Hex } from '../crypto/hash.js';
import type { ShieldVerdict } from '../scanner/index.js';
import type { Listing } from './catalog.js';
import type { Keyring } from './keys.js';
import { chainHash, GENESIS_PREV, shieldOf, signHead, signV1, signV2, signV3 } from './receipts.js';
import type { LogHead, Receipt, ReceiptV3, ReceiptVersion } from './types.js';

/** What one paid call's receipt attests. */
export interface ReceiptFacts {
  requestId: string;
  /** The token that paid: v3 names it as `buyer` and chains its receipts. */
  tokenId: string;
  /** The paying account's wallet: v1/v2 `buyer`. */
  buyerWallet: string;
  listing: Listing;
  /** Micro-USD finally charged (0 when free or refunded). */
  amount: number;
  at: Date;
  method: string;
  path: string;
  requestSha256: string;
  /** The upstream body as delivered (hashed into v3 `response_sha256`). */
  responseBody: string;
  verdict: ShieldVerdict;
}

/**
 * Signs receipts with the keyring's keys: v1 with the platform key, v2 with an ephemeral key the
 * receipt CA endorsed, v3 with the active receipt key, appended to its token's hash chain.
 */
export class ReceiptIssuer {
  /** Each token's v3 receipts, seq ascending. */
  private readonly chains = new Map<string, ReceiptV3[]>();

  constructor(private readonly keyring: Keyring) {}

  /** `tagV1` adds the optional `receipt_version: 1` to a v1 receipt. */
  issue(version: ReceiptVersion, tagV1: boolean, facts: ReceiptFacts): Receipt {
    const keyring = this.keyring;
    if (version !== 3) {
      const seconds = Math.floor(facts.at.getTime() / 1000);
      const payment = { request_id: facts.requestId, buyer: facts.buyerWallet, seller: facts.listing.seller.wallet, amount: facts.amount, timestamp: seconds };
      return version === 1 ? signV1(payment, keyring.platform, tagV1) : signV2(payment, keyring.ephemeralAt(seconds), keyring.receiptCa);
    }
    const chain = this.chainOf(facts.tokenId);
    const last = chain[chain.length - 1];
    const active = keyring.active;
    const receipt = signV3(
      {
        receipt_version: 3,
        kid: active.kid,
        request_id: facts.requestId,
        buyer: facts.tokenId,
        seller: facts.listing.seller.wallet,
        listing_id: facts.listing.id,
        service: facts.listing.service,
        method: facts.method,
        path: facts.path,
        amount: String(facts.amount),
        currency: 'USD',
        timestamp: facts.at.toISOString(),
        request_sha256: facts.requestSha256,
        response_sha256: sha256Hex(facts.responseBody),
        shield: shieldOf(facts.verdict),
        seq: chain.length + 1,
        prev: last ? chainHash(last) : GENESIS_PREV,
      },
      active.key,
    );
    this.chains.set(facts.tokenId, [...chain, receipt]);
    return receipt;
  }

  /** A token's v3 receipts, seq ascending. */
  chainOf(tokenId: string): readonly ReceiptV3[] {
    return this.chains.get(tokenId) ?? [];
  }

  /** The chain's signed head (C2SP checkpoint); its origin line is `<gateway host>/receipts/<token id>`. */
  head(gatewayOrigin: string, tokenId: string, at: Date): LogHead {
    const active = this.keyring.active;
    const logOrigin = `${gatewayOrigin.replace(/^[a-z]+:\/\//i, '')}/receipts/${tokenId}`;
    return signHead(logOrigin, this.chainOf(tokenId), at.toISOString(), active.kid, active.key);
  }
}
