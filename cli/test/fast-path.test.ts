import { describe, expect, it } from 'vitest';
import { parseVerifyArgs } from '../src/fast-path.js';

describe('receipts verify fast-path argument parsing', () => {
  it('understands the common forms', () => {
    expect(parseVerifyArgs(['a.jsonl', '-', '--keys', 'k.json', '--audit', '--shard=2/4', '--json'], {})).toEqual({
      request: { files: ['a.jsonl', '-'], pins: [], audit: true, keys: 'k.json', shard: '2/4' },
      json: true,
    });
    expect(parseVerifyArgs(['--pin', 'k1=abc', '--pin=k2=def', 'r.json'], {})).toEqual({
      request: { files: ['r.json'], pins: ['k1=abc', 'k2=def'], audit: false },
      json: false,
    });
    expect(parseVerifyArgs(['r.json', '--keys', 'k'], { PROXYGATE_CONTENT_TYPE: 'JSON' })?.json).toBe(true);
  });

  it('hands anything unusual back to oclif', () => {
    for (const args of [['--help'], ['-h'], ['--keys'], ['--keys', 'a', '--keys', 'b'], ['--shard'], ['--frob'], ['--json=yes'], ['--pin'], ['--profile', 'x']]) {
      expect(parseVerifyArgs(args, {})).toBeUndefined();
    }
  });
});
