import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeySet, verifyStream, type Verdict } from '../../src/receipts/index.js';
import { createVerifierPool, loadKeySetFile } from '../../src/receipts/node.js';
import { chain, docKey, keyDocument, makeKey, signV2 } from './signer.js';

const k1 = makeKey('k1');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)]));
const receipts = chain(k1, 40, 'tok_a');
// A mix: valid, tampered, garbage, unknown key, with blank and CRLF lines.
const lines = receipts.map((r, i) => {
  if (i % 7 === 3) return JSON.stringify({ ...r, amount: '999' });
  if (i % 11 === 5) return '{"not":"a receipt"';
  return JSON.stringify(r);
});
lines.splice(10, 0, '', '   ');
const expected = lines.filter((l) => l.trim()).map((l) => {
  if (l.startsWith('{"not"')) return 'malformed';
  return l.includes('"amount":"999"') ? 'bad_signature' : 'valid';
});
const text = lines.join('\r\n') + '\n';

/** Yields `bytes` in chunks of `size`, splitting lines and multi-byte characters anywhere. */
function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(it: AsyncIterable<Verdict>): Promise<string[]> {
  const out: string[] = [];
  for await (const v of it) out.push(v.reason);
  return out;
}

describe('verifyStream', () => {
  const bytes = new TextEncoder().encode(text);

  it.each([1, 7, 64, 100_000])('yields verdicts in input order with chunks of %i bytes', async (size) => {
    expect(await collect(verifyStream(chunks(bytes, size), { keys }))).toEqual(expected);
  });

  it('accepts string chunks and async sources, and async backends keep order', async () => {
    async function* asStrings() { for (const l of lines) yield l + '\n'; }
    expect(await collect(verifyStream(asStrings(), { keys, backend: 'noble', concurrency: 16 }))).toEqual(expected);
  });

  it('handles a multi-byte character split across chunks and a final line without newline', async () => {
    const r = chain(k1, 1, 'tok_ü€😀')[0]!;
    const b = new TextEncoder().encode(JSON.stringify(r));
    expect(await collect(verifyStream(chunks(b, 1), { keys }))).toEqual(['valid']);
  });

  it('handles a surrogate pair split across string chunks (one UTF-16 code unit at a time)', async () => {
    const text = `${JSON.stringify(chain(k1, 1, 'tok_😀𝄞')[0]!)}\n`;
    const units = [...Array(text.length).keys()].map((i) => text[i]!);
    expect(await collect(verifyStream(units, { keys }))).toEqual(['valid']);
  });

  it('reports over-long lines as malformed without buffering them', async () => {
    const long = '{"x":"' + 'a'.repeat(5000) + '"}\n' + JSON.stringify(receipts[0]) + '\n';
    expect(await collect(verifyStream([long], { keys, maxLineBytes: 1000 }))).toEqual(['malformed', 'valid']);
  });
});

describe('worker pool (Node entry)', () => {
  const pool = createVerifierPool(keys, { size: 2, batchSize: 8 });
  afterAll(() => pool.close());

  it('gives the same verdicts in the same order as the single-thread stream', async () => {
    const bytes = new TextEncoder().encode(text);
    expect(await collect(pool.verifyStream(chunks(bytes, 333)))).toEqual(expected);
    expect((await pool.verify(JSON.stringify(receipts[0]))).reason).toBe('valid');
    expect((await pool.verify({ ...receipts[0]!, seller: 'x' })).reason).toBe('bad_signature');
  });

  it('spreads a long stream over the workers and stays in order', async () => {
    const many = chain(k1, 600, 'tok_b');
    const input = many.map((r, i) => JSON.stringify(i % 50 === 0 ? { ...r, path: '/evil' } : r) + '\n');
    const reasons = await collect(pool.verifyStream(input));
    expect(reasons).toEqual(many.map((_, i) => (i % 50 === 0 ? 'bad_signature' : 'valid')));
  });
});

describe('worker pool with v2 receipts (a key per certificate)', () => {
  it('verifies each receipt under its own ephemeral key', async () => {
    const ca = makeKey('ca');
    const v2keys = KeySet.fromDocument(keyDocument([docKey(k1)], { ca }));
    const pool = createVerifierPool(v2keys, { size: 2, batchSize: 4 });
    try {
      const window = { not_before: '2026-11-25T00:00:00Z', not_after: '2026-11-25T23:59:59Z' };
      const items = Array.from({ length: 12 }, (_, i) => signV2(ca, makeKey(`e${i}`), { request_id: `req_${i}`, buyer: 'b', seller: 's', amount: i, timestamp: '2026-11-25T12:00:00Z' }, window));
      const input = items.map((r, i) => JSON.stringify(i === 5 ? { ...r, amount: 99 } : r) + '\n');
      expect(await collect(pool.verifyStream(input))).toEqual(items.map((_, i) => (i === 5 ? 'bad_signature' : 'valid')));
    } finally {
      await pool.close();
    }
  });
});

describe('closing a pool', () => {
  it('rejects verifications still pending or started later instead of calling them invalid', async () => {
    const pool = createVerifierPool(keys, { size: 1, batchSize: 1000 });
    const pending = expect(pool.verify(JSON.stringify(receipts[0]))).rejects.toThrow(/closed/);
    await pool.close();
    await pending;
    await expect(pool.verify(JSON.stringify(receipts[1]))).rejects.toThrow(/closed/);
    // A stream on a closed pool throws to its reader (no unhandled rejections for queued lines).
    const lines = receipts.map((r) => JSON.stringify(r) + '\n');
    await expect(collect(pool.verifyStream(lines))).rejects.toThrow(/closed/);
    // A receipt that fails parsing needs no worker: still a verdict.
    expect((await pool.verify('{')).reason).toBe('malformed');
  });
});

describe('loadKeySetFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'receipt-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the saved key-set document and validates it', async () => {
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify(keys.toJSON()));
    expect((await loadKeySetFile(file)).toJSON()).toEqual(keys.toJSON());
    writeFileSync(file, '{"keys":[{"kid":"a"}]}');
    await expect(loadKeySetFile(file)).rejects.toThrow(/keys\[0\]/);
  });
});
