// receipts verify / audit / audit merge, offline, on chains signed by a key made here: the
// incremental state across runs, slices and their merge (seams), the CI formats, empty input,
// refused states and parts, downgrades, and a million bad lines in bounded memory.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ReceiptsAudit from '../../../src/commands/receipts/audit.js';
import { chainKit, interleaved, trailLine, type ChainKit } from '../../helpers/chains.js';
import { cli, isolatedEnv } from '../../helpers/run.js';

let env: Awaited<ReturnType<typeof isolatedEnv>>;
let kit: ChainKit;
let keys: string;
const file = (name: string) => join(env.dir, name);
const write = async (name: string, lines: readonly string[]) => {
  await writeFile(file(name), lines.length ? `${lines.join('\n')}\n` : '');
  return file(name);
};

beforeEach(async () => {
  env = await isolatedEnv();
  kit = chainKit();
  keys = file('keys.json');
  await writeFile(keys, JSON.stringify(kit.keys));
});
afterEach(() => env.restore());

describe('receipts audit --state: three runs, only new receipts verified, a deletion between runs caught', () => {
  it('carries chain tails and totals; a receipt deleted (or altered) after it was audited fails the next run', async () => {
    const all = interleaved(kit, 2, 30);
    const state = file('state.json');
    const run = (lines: string[], extra: string[] = []) => write('log.jsonl', lines).then((f) => cli(['receipts', 'audit', f, '--keys', keys, '--state', state, '--json', ...extra]));

    const first = await run(all.slice(0, 10));
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toBe('state saved to ' + state + ' (first audit)\n');
    expect((await readFile(state, 'utf8')).length).toBeGreaterThan(0);

    // The log grew: the ten audited receipts are re-linked, not verified or totalled again.
    const second = await run(all.slice(0, 20));
    expect(second.exitCode).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.counts).toMatchObject({ receipts: 20, replayed: 10, valid: 10, invalid: 0 });
    const sum = (lines: string[]) => lines.reduce((s, l) => s + Number(JSON.parse(l).amount), 0);
    expect(report.spend.total).toBe(String(sum(all.slice(10, 20))));
    const savedState = JSON.parse(await readFile(state, 'utf8'));
    expect(savedState).toMatchObject({ audits: 2, spend: { total: String(sum(all.slice(0, 20))) } });
    const stateBytes = await readFile(state);

    // Third run: receipt 15 (audited in run 2) was deleted from the log since.
    const third = await run([...all.slice(0, 14), ...all.slice(15, 30)]);
    expect(third.exitCode).toBe(1);
    const findings = JSON.parse(third.stdout).issues;
    expect(findings).toContainEqual(expect.objectContaining({ reason: 'chain_gap', buyer: JSON.parse(all[14]!).buyer }));
    expect(third.stderr).toContain(`state not saved: the audit found problems (${state} is unchanged)`);
    expect(await readFile(state)).toEqual(stateBytes);

    // Only new receipts this time, but the first new one of a chain is missing: a gap at the tail.
    const fresh = all.slice(20, 30);
    const gap = await run(fresh.filter((l) => l !== fresh[0]));
    expect(gap.exitCode).toBe(1);
    expect(JSON.parse(gap.stdout).issues).toEqual([expect.objectContaining({ reason: 'chain_gap', buyer: JSON.parse(fresh[0]!).buyer, seq: JSON.parse(fresh[0]!).seq + 1, message: `seq ${JSON.parse(fresh[0]!).seq}..${JSON.parse(fresh[0]!).seq} missing before seq ${JSON.parse(fresh[0]!).seq + 1}` })]);

    // And the whole of it, intact: continues the state.
    const fourth = await run(all);
    expect(fourth.exitCode).toBe(0);
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ audits: 3, spend: { total: String(sum(all)) } });
  });

  it('a damaged state, or one made with other keys, is refused (exit 7) and left as it is', async () => {
    const log = await write('log.jsonl', interleaved(kit, 1, 3));
    const state = file('state.json');
    expect((await cli(['receipts', 'audit', log, '--keys', keys, '--state', state])).exitCode).toBe(0);
    const good = await readFile(state, 'utf8');
    const damaged = good.replace(/"audits":\s*1/, '"audits": 2');
    expect(damaged).not.toBe(good);
    await writeFile(state, damaged);
    const refused = await cli(['receipts', 'audit', log, '--keys', keys, '--state', state]);
    expect(refused.exitCode).toBe(7);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^audit_input_refused: the audit state .*state\.json is refused \(digest_mismatch\): .*\(restore a good copy/);
    expect(await readFile(state, 'utf8')).toBe(damaged);
    await writeFile(state, '{"not":"a state"');
    expect((await cli(['receipts', 'audit', log, '--keys', keys, '--state', state, '--json'])).stdout).toContain('"exit_code": 7');
    expect((await cli(['help', 'exit-codes'])).stdout).toMatch(/^  7 +receipts audit refused its saved state \(--state\) or a partial report/m);

    await writeFile(state, good);
    const other = chainKit();
    await writeFile(file('other-keys.json'), JSON.stringify(other.keys));
    const otherKeys = await cli(['receipts', 'audit', await write('o.jsonl', [other.next('tok_a')]), '--keys', file('other-keys.json'), '--state', state]);
    expect(otherKeys.exitCode).toBe(7);
    expect(otherKeys.stderr).toMatch(/\(key_set_mismatch\).*\(it was made with other receipt keys/);
  });
});

describe('receipts audit --slice and audit merge', () => {
  async function slices(parts: string[][]): Promise<string[]> {
    const out: string[] = [];
    for (const [i, lines] of parts.entries()) {
      const r = await cli(['receipts', 'audit', await write(`slice-${i}.jsonl`, lines), '--keys', keys, '--slice', '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      await writeFile(file(`part-${i}.json`), r.stdout);
      out.push(file(`part-${i}.json`));
    }
    return out;
  }

  it('slices that join merge into the audit of the whole: same counts and exact totals, any order', async () => {
    const all = interleaved(kit, 3, 45);
    const whole = JSON.parse((await cli(['receipts', 'audit', await write('all.jsonl', all), '--keys', keys, '--json'])).stdout);
    const parts = await slices([all.slice(0, 10), all.slice(10, 31), all.slice(31)]);
    const merged = await cli(['receipts', 'audit', 'merge', parts[2]!, parts[0]!, parts[1]!, '--keys', keys, '--no-partial', '--json']);
    expect(merged.exitCode).toBe(0);
    const report = JSON.parse(merged.stdout);
    expect(report).toMatchObject({ ok: true, merged_from: 3, counts: whole.counts, spend: whole.spend });
    expect(report.chains.map((c: { runs: unknown[] }) => c.runs.length)).toEqual([1, 1, 1]);
    const text = await cli(['receipts', 'audit', 'merge', ...parts, '--keys', keys]);
    expect(text.stdout).toContain('audit (merge of 3 part(s)): 3 chain(s), spend');
    expect(text.stdout).toMatch(/\n45 valid, 0 invalid\n$/);
  });

  it('a gap, a fork or an overlap at a seam is found by the merge (exit 1)', async () => {
    const all = interleaved(kit, 1, 12);
    // Gap: the last receipt of the first slice is gone.
    const gapParts = await slices([all.slice(0, 5), all.slice(6)]);
    const gap = await cli(['receipts', 'audit', 'merge', ...gapParts, '--keys', keys, '--format', 'github']);
    expect(gap.exitCode).toBe(1);
    expect(gap.stdout).toMatch(/^::error file=.*slice-1\.jsonl,line=1,title=receipts%3A chain_gap \(seq\)::seq 6\.\.6 missing before seq 7/m);

    // Fork: the second slice holds another receipt for seq 6, validly signed (an honest prev too).
    const forged = kit.at('tok_a', 6, kit.hash(all[4]!), 9999);
    const forkParts = await slices([all.slice(0, 6), [forged]]);
    const fork = await cli(['receipts', 'audit', 'merge', ...forkParts, '--keys', keys, '--json']);
    expect(fork.exitCode).toBe(1);
    expect(JSON.parse(fork.stdout).issues).toContainEqual(expect.objectContaining({ reason: 'chain_fork', seq: 6 }));

    // Duplicate: the slices overlap by two receipts (counted twice: the merge says so).
    const dupParts = await slices([all.slice(0, 7), all.slice(5)]);
    const dup = await cli(['receipts', 'audit', 'merge', ...dupParts, '--keys', keys, '--json']);
    expect(dup.exitCode).toBe(1);
    expect(JSON.parse(dup.stdout).issues).toContainEqual(expect.objectContaining({ reason: 'duplicate', seq: 6 }));
  });

  it('an edited part, or one of other keys, is refused (exit 7) naming the file; a state continues across the merge', async () => {
    const all = interleaved(kit, 2, 20);
    const parts = await slices([all.slice(0, 10), all.slice(10)]);
    const text = await readFile(parts[1]!, 'utf8');
    await writeFile(file('edited.json'), text.replace(/"total":"(\d+)"/, (_, n: string) => `"total":"${Number(n) + 1}"`));
    const edited = await cli(['receipts', 'audit', 'merge', parts[0]!, file('edited.json'), '--keys', keys]);
    expect(edited.exitCode).toBe(7);
    expect(edited.stderr).toMatch(/^audit_input_refused: the partial report .*edited\.json is refused \(digest_mismatch\)/);
    const other = chainKit();
    await writeFile(file('other-keys.json'), JSON.stringify(other.keys));
    expect((await cli(['receipts', 'audit', 'merge', ...parts, '--keys', file('other-keys.json')])).exitCode).toBe(7);

    // A state from a first whole audit; then two slices continue it, and the merge saves it.
    const state = file('state.json');
    const next = interleaved(kit, 2, 10);
    expect((await cli(['receipts', 'audit', await write('all.jsonl', all), '--keys', keys, '--state', state])).exitCode).toBe(0);
    const continued: string[] = [];
    for (const [i, lines] of [next.slice(0, 4), next.slice(4)].entries()) {
      const r = await cli(['receipts', 'audit', await write(`n-${i}.jsonl`, lines), '--keys', keys, '--state', state, '--slice', '--format', 'json']);
      expect(r.stderr).toContain('state not saved: a slice');
      await writeFile(file(`np-${i}.json`), r.stdout);
      continued.push(file(`np-${i}.json`));
    }
    const merged = await cli(['receipts', 'audit', 'merge', ...continued, '--keys', keys, '--state', state]);
    expect(merged.exitCode).toBe(0);
    expect(merged.stderr).toBe(`state saved to ${state}\n`);
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ audits: 2, chains: [{ tail: { seq: 15 } }, { tail: { seq: 15 } }] });
  });

  it('the documented CI sequence (slices with --state, merge with --state) passes when run again, and catches a deletion', async () => {
    const all = interleaved(kit, 2, 30);
    const state = file('audit-state.json');
    // The help shows this sequence: every slice example reads the state the merge example saves.
    const help = ReceiptsAudit.examples as string[];
    expect(help.filter((l) => l.includes('--slice'))).toEqual([expect.stringContaining('--state audit-state.json')]);
    expect(help.filter((l) => l.includes('audit merge'))).toEqual([expect.stringContaining('--state audit-state.json')]);
    // One CI run: the log so far in day files, each a slice made with the state, then the merge.
    const ciRun = async (days: string[][]) => {
      const parts: string[] = [];
      for (const [i, lines] of days.entries()) {
        const r = await cli(['receipts', 'audit', await write(`day-${i}.jsonl`, lines), '--keys', keys, '--slice', '--state', state, '--format', 'json']);
        expect(r.exitCode, r.stderr).toBe(0);
        await writeFile(file(`part-${i}.json`), r.stdout);
        parts.push(file(`part-${i}.json`));
      }
      return cli(['receipts', 'audit', 'merge', ...parts, '--keys', keys, '--state', state, '--json']);
    };
    const first = await ciRun([all.slice(0, 8), all.slice(8, 16)]);
    expect(first.exitCode, first.stdout).toBe(0);
    // The same job again (nothing new), then with a new day: the old days are re-linked to the state.
    const again = await ciRun([all.slice(0, 8), all.slice(8, 16)]);
    expect(again.exitCode, again.stdout).toBe(0);
    expect(JSON.parse(again.stdout).counts).toMatchObject({ receipts: 16, replayed: 16, valid: 0 });
    const grown = await ciRun([all.slice(0, 8), all.slice(8, 16), all.slice(16)]);
    expect(grown.exitCode, grown.stdout).toBe(0);
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ audits: 3, chains: [{ tail: { seq: 15 } }, { tail: { seq: 15 } }] });
    // A receipt audited before is deleted from an old day file: no slice sees it, the merge does.
    const stateBytes = await readFile(state);
    const cut = await ciRun([all.slice(0, 3), all.slice(4, 8), all.slice(8, 16), all.slice(16)]);
    expect(cut.exitCode).toBe(1);
    expect(JSON.parse(cut.stdout).issues).toEqual([expect.objectContaining({ reason: 'chain_gap', buyer: JSON.parse(all[3]!).buyer, message: expect.stringContaining('(audited before, missing now)') })]);
    // The newest receipts audited before are gone from the parts: the old days no longer reach the tail.
    const tail = await ciRun([all.slice(0, 8), all.slice(8, 28)]);
    expect(tail.exitCode).toBe(1);
    expect(JSON.parse(tail.stdout).issues.map((i: { reason: string; message: string }) => [i.reason, i.message.replace(/\d+/g, 'N')])).toContainEqual(['chain_gap', 'seq N..N were audited before and are missing from the parts (deleted since?)']);
    expect(await readFile(state)).toEqual(stateBytes);

    // A slice made without the state overlaps it: the finding says what to do.
    const bare = await cli(['receipts', 'audit', await write('bare.jsonl', all), '--keys', keys, '--slice', '--format', 'json']);
    await writeFile(file('bare.json'), bare.stdout);
    const merged = await cli(['receipts', 'audit', 'merge', file('bare.json'), '--keys', keys, '--state', state, '--json']);
    expect(merged.exitCode).toBe(1);
    expect(JSON.parse(merged.stdout).issues[0].message).toMatch(/was audited before \(the state ends at seq 15\): audit the slices with --state too/);
  });

  it('merge of one whole report renders it again (its findings kept) in every format', async () => {
    const lines = interleaved(kit, 1, 4);
    const report = await cli(['receipts', 'audit', await write('r.jsonl', [lines[0]!, 'garbage', lines[2]!, lines[3]!]), '--keys', keys, '--json']);
    expect(report.exitCode).toBe(1);
    await writeFile(file('report.json'), report.stdout);
    const again = await cli(['receipts', 'audit', 'merge', file('report.json'), '--keys', keys, '--json']);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(report.stdout));
    const junit = await cli(['receipts', 'audit', 'merge', file('report.json'), '--keys', keys, '--format', 'junit']);
    expect(junit.exitCode).toBe(1);
    expect(junit.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="proxygate receipts audit" tests="2" failures="2" /);
    expect(junit.stdout).toContain(`<testcase classname="receipts.malformed" name="${file('r.jsonl')}:2" time="0">`);
    expect(junit.stdout).toContain('<testcase classname="receipts.chain_gap"');
  });
});

describe('CI formats, empty input, downgrades, failure caps', () => {
  it('--format github annotates each bad line with its file and line; junit and text say the same', async () => {
    const lines = interleaved(kit, 1, 3);
    const tampered = lines[1]!.replace(/"amount":"(\d+)"/, '"amount":"1"');
    const f = await write('r.jsonl', [lines[0]!, '', tampered, 'not json', lines[2]!]);
    for (const command of ['verify', 'audit']) {
      const gh = await cli(['receipts', command, f, '--keys', keys, '--format', 'github']);
      expect(gh.exitCode, command).toBe(1);
      const annotations = gh.stdout.split('\n').filter((l) => l.startsWith('::error '));
      expect(annotations[0], command).toMatch(new RegExp(`^::error file=${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')},line=3,title=receipts%3A bad_signature`));
      expect(annotations[1], command).toMatch(/,line=4,title=receipts%3A malformed::not a receipt/);
      expect(gh.stdout, command).toMatch(command === 'verify' ? /^::notice title=receipts verify failed::4 receipt\(s\): 2 valid, 2 invalid/m : /^::notice title=receipts audit failed::/m);
      const junit = await cli(['receipts', command, f, '--keys', keys, '--format', 'junit']);
      expect(junit.stdout, command).toContain(`name="${f}:4"`);
    }
    const text = await cli(['receipts', 'verify', f, '--keys', keys]);
    expect(text.stdout).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: bad_signature: .*\n.*:4: malformed: not a receipt: neither a JSON object nor a base64 receipt header value\n2 valid, 2 invalid\n$`));
    expect((await cli(['receipts', 'verify', f, '--keys', keys, '--format', 'junit', '--json'])).exitCode).toBe(2);
  });

  it('empty input is a failure (exit 1) unless --allow-empty, for verify, audit and merge', async () => {
    const empty = await write('empty.jsonl', []);
    const blank = await write('blank.jsonl', ['', '   ', '']);
    for (const command of ['verify', 'audit']) {
      for (const f of [empty, blank]) {
        const r = await cli(['receipts', command, f, '--keys', keys]);
        expect(r.exitCode, `${command} ${f}`).toBe(1);
        expect(r.stderr).toMatch(/^no_receipts: no receipts in the input: .* \(pass --allow-empty when no receipts is fine\)$/m);
        const allowed = await cli(['receipts', command, f, '--keys', keys, '--allow-empty']);
        expect(allowed.exitCode).toBe(0);
        expect(allowed.stderr).toBe('no receipts found in the input\n');
      }
      const gh = await cli(['receipts', command, empty, '--keys', keys, '--format', 'github']);
      expect(gh.stdout).toMatch(/^::error title=proxygate receipts::no_receipts: no receipts in the input/m);
    }
    const part = await cli(['receipts', 'audit', empty, '--keys', keys, '--slice', '--json', '--allow-empty']);
    await writeFile(file('p.json'), part.stdout);
    expect((await cli(['receipts', 'audit', 'merge', file('p.json'), '--keys', keys])).exitCode).toBe(1);
    expect((await cli(['receipts', 'audit', 'merge', file('p.json'), '--keys', keys, '--allow-empty'])).exitCode).toBe(0);
  });

  it('a key-set document of a v3 gateway makes a v1 receipt a downgrade (verify and audit); --allow-legacy and --pin do not', async () => {
    const v1 = kit.v1();
    const f = await write('mixed.jsonl', [kit.next('tok_a'), v1, trailLine(kit.v1())]);
    for (const command of ['verify', 'audit']) {
      const r = await cli(['receipts', command, f, '--keys', keys, '--json']);
      expect(r.exitCode, command).toBe(1);
      const out = JSON.parse(r.stdout);
      const issues = command === 'verify' ? out.failures : out.issues;
      expect(issues.map((i: { reason: string; line: number }) => [i.reason, i.line]), command).toEqual([['downgrade', 2], ['downgrade', 3]]);
      expect(issues[0]).toMatchObject({ field: 'receipt_version', request_id: JSON.parse(v1).request_id });
      if (command === 'audit') expect(out.issues_by_reason).toEqual({ downgrade: 2 });
      expect((await cli(['receipts', command, f, '--keys', keys, '--allow-legacy'])).exitCode, command).toBe(0);
      // Keys pinned one by one say nothing about v3: unless asked.
      const legacy = await write('v1.jsonl', [kit.v1(), kit.v1()]);
      const pins = ['--pin', `platform=${kit.keys.platform_pubkey}`];
      expect((await cli(['receipts', command, legacy, ...pins])).exitCode, command).toBe(0);
      expect((await cli(['receipts', command, legacy, ...pins, '--require-v3'])).exitCode, command).toBe(1);
    }
    expect((await cli(['receipts', 'verify', f, '--keys', keys, '--allow-legacy', '--require-v3'])).exitCode).toBe(2);
  });

  it('v1/v2 receipts are counted as buyers without a chain, not as "0 chain(s)"; verify counts valid receipts per version', async () => {
    const pins = ['--pin', `platform=${kit.keys.platform_pubkey}`];
    const legacy = await write('v1.jsonl', [kit.v1(), kit.v1()]);
    const text = (await cli(['receipts', 'audit', legacy, ...pins])).stdout;
    expect(text).toMatch(/^audit: 2 buyer\(s\) of v1\/v2 receipts \(no chain\), spend /m);
    expect(text).not.toContain('0 chain(s)');
    const mixed = (await cli(['receipts', 'audit', await write('mixed.jsonl', [kit.next('tok_a'), kit.v1()]), '--keys', keys, '--allow-legacy'])).stdout;
    expect(mixed).toMatch(/^audit: 1 chain\(s\), 1 buyer\(s\) of v1\/v2 receipts \(no chain\), spend /m);
    // A v3 receipt that fails counts as invalid, under its reason, not under its version (cli/README).
    const bad = kit.next('tok_a').replace(/"amount":"(\d+)"/, '"amount":"7"');
    const verified = JSON.parse((await cli(['receipts', 'verify', await write('bad.jsonl', [bad]), '--keys', keys, '--json'])).stdout);
    expect(verified).toMatchObject({ valid: 0, invalid: 1, failures_by_reason: { bad_signature: 1 }, versions: { v1: 0, v2: 0, v3: 0 } });
  });

  it('trail lines are verified again whatever verdict they carry', async () => {
    const good = kit.next('tok_a');
    const bad = kit.next('tok_a').replace(/"amount":"(\d+)"/, '"amount":"7"');
    const f = await write('trail.jsonl', [trailLine(good, { valid: false, reason: 'bad_signature' }), trailLine(bad, { valid: true, reason: 'valid' })]);
    const r = await cli(['receipts', 'verify', f, '--keys', keys, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: 1, invalid: 1, failures: [{ line: 2, reason: 'bad_signature' }] });
  });

  it('a million bad lines: every one counted, the first --max-issues listed (memory stays flat)', async () => {
    const f = file('bad.txt');
    await writeFile(f, Buffer.alloc(2_000_000, 'x\n'));
    const r = await cli(['receipts', 'verify', f, '--keys', keys, '--json']);
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ valid: 0, invalid: 1_000_000, failures_omitted: 999_000, failures_by_reason: { malformed: 1_000_000 } });
    expect(report.failures).toHaveLength(1000);
    expect(report.failures[999]).toMatchObject({ line: 1000, at: `${f}:1000` });
    const few = await cli(['receipts', 'verify', f, '--keys', keys, '--max-issues', '2']);
    expect(few.stdout).toBe(`${f}:1: malformed: not a receipt: neither a JSON object nor a base64 receipt header value\n${f}:2: malformed: not a receipt: neither a JSON object nor a base64 receipt header value\n… 999998 more failure(s) not listed (all failures by reason: malformed 1000000)\n0 valid, 1000000 invalid\n`);
  }, 60_000);
});
