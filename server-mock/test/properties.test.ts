import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base58Decode, base58Encode } from '../src/crypto/base58.js';
import { canonicalize } from '../src/crypto/jcs.js';
import { CAPPED_LIMIT_MICRO_USD, DEMO_BALANCE_MICRO_USD, Gateway, GatewayError, mockListingId as id, PROFILES, decimalText, withPlatformFee, type ReceiptV3 } from '../src/index.js';
import { microUsdToUsdc } from '../src/state/money.js';

const LISTINGS = [
  { listing: id('echo'), service: 'echo', method: 'POST', path: '/echo' },
  { listing: id('fx-rates'), service: 'finance', method: 'GET', path: '/rates' },
  { listing: id('weather-alerts'), service: 'weather', method: 'GET', path: '/alerts' },
  { listing: id('product-reviews'), service: 'reviews', method: 'GET', path: '/reviews' },
  { listing: id('llm-stream'), service: 'llm', method: 'POST', path: '/chat' },
  { listing: id('chat-completions'), service: 'llm', method: 'POST', path: '/chat/completions' },
  { listing: null, service: 'search', method: 'GET', path: '/search' },
];

const callArb = fc.record({
  target: fc.constantFrom(...LISTINGS),
  key: fc.option(fc.constantFrom('k1', 'k2', 'k3'), { nil: null }),
  body: fc.constantFrom('', 'a', '{"prompt":"p"}', '{"messages":[{"role":"user","content":"a b c"}]}'),
  shield: fc.constantFrom('off', 'monitor', 'strict'),
  token: fc.constantFrom('trader', 'capped'),
});

describe.each(PROFILES)('ledger, balance and chain invariants under random call sequences (%s profile)', (profile) => {
  it('money is conserved, limits hold, a key charges at most once (extended), and each chain is gapless', () => {
    fc.assert(
      fc.property(fc.array(callArb, { maxLength: 25 }), (calls) => {
        const gateway = new Gateway({ profile, seed: 'prop', now: () => new Date('2026-11-25T12:00:00.000Z') });
        const tokens = gateway.demoTokens;
        let charged = 0;
        for (const call of calls) {
          const auth = gateway.authenticate(`Bearer ${tokens[call.token]}`);
          try {
            charged += gateway.callListing(auth, { ...call.target, body: call.body, shield: call.shield, idempotencyKey: call.key }).amount;
          } catch (error) {
            // Only the documented refusals may happen (conflicts, spend limits).
            expect(error).toBeInstanceOf(GatewayError);
            expect([409, 429]).toContain((error as GatewayError).status);
          }
        }
        const ledger = gateway.ledger();
        const net = ledger.reduce((sum, e) => sum + (e.kind === 'charge' ? e.amount_micro_usd : -e.amount_micro_usd), 0);
        const trader = gateway.authenticate(`Bearer ${tokens.trader}`);
        expect(gateway.balance(trader)).toMatchObject({ balance: DEMO_BALANCE_MICRO_USD, pending_settlement: net, available: DEMO_BALANCE_MICRO_USD - net });
        const fresh = gateway.usage(trader, { limit: 100 });
        expect(fresh.summary.reduce((sum, s) => sum + s.total_cost_micro_cents, 0)).toBe(net);
        if (profile === 'public') expect(charged).toBe(net);
        const perKey = new Map<string, number>();
        for (const entry of ledger.filter((e) => e.kind === 'charge' && e.idempotency_key !== null)) {
          const key = `${entry.token_id}:${entry.idempotency_key}`;
          perKey.set(key, (perKey.get(key) ?? 0) + 1);
        }
        for (const count of perKey.values()) expect(count).toBe(1);
        if (profile === 'public') expect(perKey.size).toBe(0);
        const cappedId = gateway.tokenIdOf(tokens.capped);
        const cappedNet = ledger.filter((e) => e.token_id === cappedId).reduce((sum, e) => sum + (e.kind === 'charge' ? e.amount_micro_usd : -e.amount_micro_usd), 0);
        expect(cappedNet).toBeLessThanOrEqual(CAPPED_LIMIT_MICRO_USD);
        if (profile === 'extended') {
          for (const auth of [trader, gateway.authenticate(`Bearer ${tokens.capped}`)]) {
            const log = gateway.receiptLog(auth, { limit: 100 });
            let prev = '0'.repeat(64);
            log.data.forEach((receipt: ReceiptV3, index) => {
              expect(receipt.seq).toBe(index + 1);
              expect(receipt.prev).toBe(prev);
              prev = createHash('sha256').update(canonicalize(receipt)).digest('hex');
            });
            expect(log.head.tree_size).toBe(log.data.length);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('money properties', () => {
  it('a micro-USD price survives the catalog float: its JSON text reads back to the same integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), (micro) => {
        const text = JSON.stringify(microUsdToUsdc(micro));
        const [mantissa = '', exponent = '0'] = text.split('e');
        const [whole = '', fraction = ''] = mantissa.split('.');
        const shift = 6 + Number(exponent) - fraction.length;
        const digits = BigInt(`${whole}${fraction}`);
        const value = shift >= 0 ? digits * 10n ** BigInt(shift) : digits / 10n ** BigInt(-shift);
        expect(value).toBe(BigInt(micro));
        // The decimal text never ends its fraction with a zero (or a bare point).
        expect(decimalText(micro, 6)).toMatch(/^(0|[1-9]\d*)(\.\d*[1-9])?$/);
      }),
    );
  });

  it('the buyer price is the seller price plus the fee, never less', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), (seller) => {
        const buyer = withPlatformFee(seller);
        expect(BigInt(buyer) * 100n >= BigInt(seller) * 105n).toBe(true);
        expect(BigInt(buyer - 1) * 100n < BigInt(seller) * 105n || seller === 0).toBe(true);
      }),
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
