import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base58Decode, base58Encode } from '../src/crypto/base58.js';
import { canonicalize } from '../src/crypto/jcs.js';
import { DEMO_BALANCE_MICRO_CENTS, Gateway, GatewayError, type ReceiptV3 } from '../src/index.js';

const LISTINGS = [
  { listing: 'echo', service: 'echo', method: 'POST', path: '/echo' },
  { listing: 'fx-rates', service: 'finance', method: 'GET', path: '/rates' },
  { listing: 'weather-alerts', service: 'weather', method: 'GET', path: '/alerts' },
  { listing: 'product-reviews', service: 'reviews', method: 'GET', path: '/reviews' },
  { listing: 'llm-stream', service: 'llm', method: 'POST', path: '/chat' },
];

const callArb = fc.record({
  target: fc.constantFrom(...LISTINGS),
  key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: null }),
  body: fc.constantFrom('', 'a', '{"prompt":"p"}'),
  shield: fc.constantFrom('off', 'monitor', 'strict'),
  token: fc.constantFrom('trader', 'capped'),
});

describe('ledger, balance and chain invariants under random call sequences', () => {
  it('money is conserved, a key charges at most once, and each chain is gapless', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 25 }), (calls) => {
        const gateway = new Gateway({ seed: 'prop', now: () => new Date('2026-11-25T12:00:00.000Z') });
        const tokens = gateway.demoTokens;
        for (const call of calls) {
          const auth = gateway.authenticate(`Bearer ${tokens[call.token]}`);
          try {
            gateway.callListing(auth, { ...call.target, body: call.body, shield: call.shield, idempotencyKey: call.key });
          } catch (error) {
            // Only the documented refusals may happen (conflicts, caps).
            expect(error).toBeInstanceOf(GatewayError);
            expect([409, 402]).toContain((error as GatewayError).status);
          }
        }
        const ledger = gateway.ledger();
        const charged = ledger.filter((e) => e.kind === 'charge').reduce((sum, e) => sum + e.amount_micro_cents, 0);
        const refunded = ledger.filter((e) => e.kind === 'refund').reduce((sum, e) => sum + e.amount_micro_cents, 0);
        const traderAuth = gateway.authenticate(`Bearer ${tokens.trader}`);
        expect(gateway.balance(traderAuth).balance_micro_cents).toBe(DEMO_BALANCE_MICRO_CENTS - charged + refunded);
        const perKey = new Map<string, number>();
        for (const entry of ledger.filter((e) => e.kind === 'charge' && e.idempotency_key !== null)) {
          const id = `${entry.token_id}:${entry.idempotency_key}`;
          perKey.set(id, (perKey.get(id) ?? 0) + 1);
        }
        for (const count of perKey.values()) expect(count).toBe(1);
        const capped = gateway.authenticate(`Bearer ${tokens.capped}`);
        expect(gateway.tokenSelf(capped).spent_micro_cents).toBeLessThanOrEqual(1_000_000);
        for (const auth of [traderAuth, capped]) {
          const log = gateway.receiptLog(auth, { limit: 100 });
          let prev = '0'.repeat(64);
          log.data.forEach((receipt: ReceiptV3, index) => {
            expect(receipt.seq).toBe(index + 1);
            expect(receipt.prev).toBe(prev);
            prev = createHash('sha256').update(canonicalize(receipt)).digest('hex');
          });
          expect(log.head.tree_size).toBe(log.data.length);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('encoding properties', () => {
  it('JCS output is stable under a parse round trip and independent of key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalize(value);
        expect(canonicalize(JSON.parse(canonical))).toBe(canonical);
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          const reversed = Object.fromEntries(Object.entries(value).reverse());
          expect(canonicalize(reversed)).toBe(canonical);
        }
      }),
    );
  });

  it('base58 round-trips any bytes, leading zeros included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect([...base58Decode(base58Encode(bytes))]).toEqual([...bytes]);
      }),
    );
  });
});
