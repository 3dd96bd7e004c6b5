import { describe, expect, it } from 'vitest';
import ReceiptsVerify from '../src/commands/receipts/verify.js';
import { FAST_VERIFY_FLAGS, parseVerifyArgs } from '../src/fast-path.js';
import { commandFlags } from '../src/lib/fast/oclif-lite.js';

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

describe('receipts verify fast-path flags against the command\'s own table', () => {
  const table = commandFlags(ReceiptsVerify as never);

  it('every flag it reads is one of the command\'s, of the same kind, with no short name or --no- form it would miss', () => {
    for (const [name, fast] of Object.entries(FAST_VERIFY_FLAGS)) {
      const flag = table[name];
      expect(flag, `--${name} is no flag of receipts verify`).toBeDefined();
      expect(flag!.type, `--${name}`).toBe(fast.type);
      expect(Boolean(flag!.multiple), `--${name} multiple`).toBe(Boolean(fast.multiple));
      // This path reads neither; a flag that gains one must be taught here first.
      expect(flag!.char, `--${name} short name`).toBeUndefined();
      expect(flag!.charAliases ?? [], `--${name} short aliases`).toEqual([]);
      expect(flag!.aliases ?? [], `--${name} aliases`).toEqual([]);
      expect(Boolean(flag!.allowNo), `--${name} --no- form`).toBe(false);
      // Only values the command takes too.
      for (const value of fast.options ?? []) expect(flag!.options, `--${name} ${value}`).toContain(value);
    }
  });

  it('an integer flag: the same values accepted as by the command\'s own parse', async () => {
    for (const [name, fast] of Object.entries(FAST_VERIFY_FLAGS).filter(([, f]) => f.integer)) {
      const parse = table[name]!.parse as unknown as (input: string, context: unknown, options: unknown) => Promise<unknown>;
      for (const value of ['0', '7', '1000', '-1', 'x', '1.5', '']) {
        const command = await parse(value, {}, table[name]).then(() => true, () => false);
        const ours = parseVerifyArgs(['r.jsonl', '--keys', 'k', `--${name}`, value], {}) !== undefined;
        // This path may hand back more than the command refuses, never accept what it refuses.
        if (ours) expect(command, `--${name} ${value}`).toBe(true);
        if (/^\d+$/.test(value)) expect(ours, `--${name} ${value}`).toBe(true);
      }
      expect(fast.type).toBe('option');
    }
  });

  it('a line using any other flag of the command goes on to the data path', () => {
    for (const [name, flag] of Object.entries(table)) {
      if (Object.hasOwn(FAST_VERIFY_FLAGS, name)) continue;
      const args = flag.type === 'boolean' ? [`--${name}`] : [`--${name}`, 'v'];
      expect(parseVerifyArgs(['r.jsonl', '--keys', 'k', ...args], {}), args.join(' ')).toBeUndefined();
      if (flag.char) expect(parseVerifyArgs(['r.jsonl', '--keys', 'k', `-${flag.char}`], {})).toBeUndefined();
    }
    // A flag where a value should be: oclif refuses it, so this path does not read it as the value.
    expect(parseVerifyArgs(['r.jsonl', '--keys', '--json'], {})).toBeUndefined();
  });
});
