// `receipts audit --require-v3` reads each receipt once: the SDK's audit parses it and applies the
// downgrade rule to that receipt; the CLI does not read it first to learn its version. Counted at
// the SDK's parse module and at JSON.parse (the CLI's loose reads).
import { afterEach, describe, expect, it, vi } from 'vitest';

const counts = vi.hoisted(() => ({ parseReceipt: 0 }));
vi.mock('../../../sdk/src/receipts/parse.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../sdk/src/receipts/parse.js')>();
  return {
    ...real,
    parseReceipt: (input: unknown) => {
      counts.parseReceipt++;
      return real.parseReceipt(input);
    },
  };
});

const { KeySet } = await import('@proxygate-kit/sdk/receipts');
const { runAudit } = await import('../../src/lib/receipts-audit.js');
const { chainKit } = await import('../helpers/chains.js');

const kit = chainKit();
const keys = KeySet.fromDocument(JSON.stringify(kit.keys));

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

async function audit(lines: string[]) {
  counts.parseReceipt = 0;
  const jsonParse = vi.spyOn(JSON, 'parse');
  try {
    const { report } = await runAudit({ sources: [{ name: 'log.jsonl', chunks: bytes(lines.join('\n') + '\n') }], keys, requireV3: true, slice: false, partial: false, maxIssues: 100 });
    return { report, parseReceipt: counts.parseReceipt, jsonParse: jsonParse.mock.calls.length };
  } finally {
    jsonParse.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('receipts audit --require-v3 parses each receipt once', () => {
  it('v3 and v1 receipts: one SDK parse each, no CLI read per receipt; downgrades still found', async () => {
    const small = [kit.next('tok_a'), kit.v1(), kit.next('tok_a')];
    const large = [...Array.from({ length: 20 }, () => kit.next('tok_b')), ...Array.from({ length: 10 }, () => kit.v1())];
    const a = await audit(small);
    const b = await audit(large);
    expect(a.report.counts).toMatchObject({ receipts: 3, valid: 2, invalid: 1 });
    expect(a.report.issues.map((i) => [i.reason, i.line])).toEqual([['downgrade', 2]]);
    expect(b.report.issues_by_reason).toEqual({ downgrade: 10 });
    expect(a.parseReceipt).toBe(small.length);
    expect(b.parseReceipt).toBe(large.length);
    // JSON.parse runs a fixed number of times (the form check of a source's first line), not per receipt.
    expect(b.jsonParse).toBe(a.jsonParse);
  });
});
