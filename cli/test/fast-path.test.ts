import { describe, expect, it } from 'vitest';
import { parseVerifyArgs } from '../src/fast-path.js';

describe('receipts verify fast-path argument parsing', () => {
  it('understands the common forms', () => {
    expect(parseVerifyArgs(['a.jsonl', '-', '--keys', 'k.json', '--shard=2/4', '--json', '--allow-empty', '--max-issues', '5'], {})).toEqual({
      files: ['a.jsonl', '-'], pins: [], keys: 'k.json', shard: '2/4', json: true, allowEmpty: true, maxIssues: 5,
    });
    expect(parseVerifyArgs(['--pin', 'k1=abc', '--pin=k2=def', 'r.json', '--require-v3', '--format', 'text'], {})).toEqual({
      files: ['r.json'], pins: ['k1=abc', 'k2=def'], json: false, requireV3: true, format: 'text',
    });
    expect(parseVerifyArgs(['r.json', '--keys', 'k'], { PROXYGATE_CONTENT_TYPE: 'JSON' })?.json).toBe(true);
    // An explicit format wins over the environment's JSON.
    expect(parseVerifyArgs(['r.json', '--keys', 'k', '--format', 'text'], { PROXYGATE_CONTENT_TYPE: 'json' })?.json).toBe(false);
  });

  it('hands anything unusual back to oclif', () => {
    const unusual = [
      ['--help'], ['-h'], ['--keys'], ['--keys', 'a', '--keys', 'b'], ['--shard'], ['--frob'], ['--json=yes'], ['--pin'], ['--profile', 'x'],
      ['--gateway', 'http://x'], ['--audit'], ['--head', 'h.json'], ['--usage', 'u.json'], ['--format', 'junit'], ['--format', 'github'],
      ['--max-issues', '-1'], ['--max-issues', 'many'],
    ];
    for (const args of unusual) expect(parseVerifyArgs(args, {}), args.join(' ')).toBeUndefined();
  });
});
