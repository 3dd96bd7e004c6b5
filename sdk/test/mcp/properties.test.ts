import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize as canonicalJson } from '../../src/receipts/jcs.js';
import { stripInvisibleControls, toDataBlock } from '../../src/mcp/data-block.js';
import { pinTool } from '../../src/mcp/tool-pinning.js';

const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 ? 1 : -1));
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
}

describe('properties', () => {
  it('canonical JSON parses back to the same value and ignores key order', () => {
    fc.assert(fc.property(json, fc.integer(), (value, seed) => {
      const text = canonicalJson(value);
      expect(JSON.parse(text)).toEqual(value);
      expect(canonicalJson(shuffleKeys(value, seed))).toBe(text);
    }));
  });

  it('any change to a tool description changes its pin', async () => {
    await fc.assert(fc.asyncProperty(fc.string(), fc.string(), async (a, b) => {
      fc.pre(a !== b);
      const tool = (description: string) => ({ name: 't', description, inputSchema: { type: 'object' } });
      expect(await pinTool(tool(a))).not.toBe(await pinTool(tool(b)));
    }), { numRuns: 50 });
  });

  // Verbatim but for the invisible controls toDataBlock strips (bidi, zero-width, Unicode tags):
  // random binary strings hold some now and then (seed -690939584 drew U+E0000).
  it('a data block holds the content verbatim (invisible controls stripped), and the content never contains the marker', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      const block = toDataBlock({ content: [{ type: 'text', text }] });
      expect(text.includes(block.marker)).toBe(false);
      const begin = block.text.indexOf(`BEGIN-DATA ${block.marker}`);
      const end = block.text.lastIndexOf(`\nEND-DATA ${block.marker}`);
      const inner = block.text.slice(block.text.indexOf('\n', begin) + 1, end);
      expect(inner).toBe(stripInvisibleControls(text));
      expect(block.text.endsWith(`END-DATA ${block.marker}`)).toBe(true);
    }));
  });
});
