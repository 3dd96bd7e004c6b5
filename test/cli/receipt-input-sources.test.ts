// Receipt input as CI meets it, through the built binary: the same bytes get the same verdicts
// whether they come from a small file, a file over 4 MiB, stdin, a FIFO or a process substitution,
// through the start-up fast path or the oclif command; with no file named, the kept log is read
// (against the keys pinned for the gateway) unless something is piped in.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainKit, interleaved, trailLine } from '../../cli/test/helpers/chains.js';
import { keyPinFile } from '../../cli/src/lib/trail/paths.js';
import { assertBuilt, CLI_BIN, runCli, type RunResult } from './harness.js';

let dir: string;
let keys: string;
let small: Buffer;
let smallFile: string;
let bigFile: string;
let padding: number;
const kit = chainKit();

/** The report with the input's name replaced, so reports of different inputs compare. */
function normalized(r: RunResult, name: string): unknown {
  return { code: r.code, stderr: r.stderr.replaceAll(name, 'INPUT'), stdout: r.stdout.replaceAll(name, 'INPUT') };
}

function bash(script: string, ...args: string[]): RunResult {
  const r = spawnSync('bash', ['-c', script, 'bash', process.execPath, CLI_BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, PROXYGATE_CACHE_DIR: join(dir, 'cache'), PROXYGATE_DATA_DIR: join(dir, 'data') },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pg-input-'));
  keys = join(dir, 'keys.json');
  writeFileSync(keys, JSON.stringify(kit.keys));
  const chain = interleaved(kit, 2, 6);
  const tampered = chain[3]!.replace(/"amount":"(\d+)"/, '"amount":"1"');
  const b64 = Buffer.from(chain[4]!).toString('base64');
  // Every kind of line CI meets: CRLF, blank lines, a non-JSON line, a trail line, invalid UTF-8,
  // a line over the 1 MiB limit, a base64 header value, a tampered receipt, an unfinished line.
  small = Buffer.concat([
    Buffer.from(`${chain[0]}\r\n\r\n${trailLine(chain[1]!, { valid: false, reason: 'bad_signature' })}\nthis is not json\n`),
    Buffer.from(`{"request_id":"\xff\xfe"}\n`, 'latin1'),
    Buffer.from(`${chain[2]}\n{"pad":"${'x'.repeat(1 << 20)}"}\n${tampered}\n\n${b64}\n${chain[5]}\n{"request_id":`),
  ]);
  smallFile = join(dir, 'small.jsonl');
  writeFileSync(smallFile, small);
  // The same lines, then enough valid receipts (of a third buyer) to pass 4 MiB: read as a stream.
  const pad: string[] = [];
  let size = small.length;
  while (size < (5 << 20)) {
    const line = kit.next('tok_pad');
    pad.push(line);
    size += line.length + 1;
  }
  padding = pad.length;
  bigFile = join(dir, 'big.jsonl');
  // The unfinished last line of `small` ends there: the padding starts on a line of its own.
  writeFileSync(bigFile, Buffer.concat([small, Buffer.from(`\n${pad.join('\n')}\n`)]));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the same bytes, the same verdicts, however they arrive', { timeout: 120_000 }, () => {
  it('small file, stdin, FIFO, process substitution; fast path and oclif command alike', async () => {
    const args = ['--keys', keys];
    const file = await runCli(['receipts', 'verify', smallFile, ...args, '--json']);
    expect(file.code).toBe(1);
    const report = JSON.parse(file.stdout);
    expect(report.failures.map((f: { line: number; reason: string }) => `${f.line} ${f.reason}`)).toEqual([
      '4 malformed', // not JSON
      '5 malformed', // invalid UTF-8
      '7 malformed', // over the line limit
      '8 bad_signature',
      '12 malformed', // unfinished
    ]);
    expect(report.failures[2].message).toBe('longer than 1048576 bytes, the longest receipt line read: not read');
    expect(report.failures[1].message).toMatch(/UTF-8/);
    expect(report).toMatchObject({ valid: 5, invalid: 5 });
    const expected = normalized(file, smallFile);
    const ways: Array<[string, RunResult, string]> = [
      ['stdin', await runCli(['receipts', 'verify', ...args, '--json'], { input: small }), 'stdin'],
      ['- (stdin)', await runCli(['receipts', 'verify', '-', ...args, '--json'], { input: small }), 'stdin'],
      ['oclif', await runCli(['receipts', 'verify', smallFile, ...args, '--json', '--profile', 'default']), smallFile],
      ['oclif stdin', await runCli(['receipts', 'verify', ...args, '--json', '--profile', 'default'], { input: small }), 'stdin'],
      ['FIFO', bash('mkfifo "$4" && { cat "$3" > "$4" & } && "$1" "$2" receipts verify "$4" --keys "$5" --json', smallFile, join(dir, 'fifo'), keys), join(dir, 'fifo')],
      ['<(cat)', bash('"$1" "$2" receipts verify <(cat "$3") --keys "$4" --json', smallFile, keys), '/dev/fd/'],
    ];
    for (const [way, result, name] of ways) {
      const got = name === '/dev/fd/' ? normalized({ ...result, stdout: result.stdout.replace(/\/dev\/fd\/\d+/g, 'INPUT') }, 'INPUT') : normalized(result, name);
      expect(got, way).toEqual(expected);
    }
    // Text output too, fast path and oclif.
    const text = await runCli(['receipts', 'verify', smallFile, ...args]);
    expect(await runCli(['receipts', 'verify', smallFile, ...args, '--profile', 'default'])).toEqual(text);
    expect(text.stdout).toMatch(/:4: malformed: not a receipt: neither a JSON object nor a base64 receipt header value\n/);
  });

  it('a file over 4 MiB and its stdin keep the small file\'s line numbers and verdicts', async () => {
    const smallReport = JSON.parse((await runCli(['receipts', 'verify', smallFile, '--keys', keys, '--json'])).stdout);
    for (const input of [await runCli(['receipts', 'verify', bigFile, '--keys', keys, '--json']), await runCli(['receipts', 'verify', '--keys', keys, '--json'], { input: readFileSync(bigFile) })]) {
      const big = JSON.parse(input.stdout);
      expect(big.valid).toBe(smallReport.valid + padding);
      expect(big.failures.map((f: { line: number; reason: string; message: string }) => [f.line, f.reason, f.message])).toEqual(
        smallReport.failures.map((f: { line: number; reason: string; message: string }) => [f.line, f.reason, f.message]),
      );
    }
  });

  it('receipts audit reads them the same from a file, stdin and a FIFO', async () => {
    const file = await runCli(['receipts', 'audit', smallFile, '--keys', keys, '--json']);
    expect(file.code).toBe(1);
    const report = JSON.parse(file.stdout);
    expect(report.issues.map((i: { line: number; reason: string }) => `${i.line} ${i.reason}`)).toEqual(['4 malformed', '5 malformed', '7 malformed', '8 bad_signature', '12 malformed', '11 chain_gap']);
    // The same report, but for the input's name (and the digest over it).
    const strip = (r: RunResult, name: string) => {
      const { sha256: _digest, ...rest } = JSON.parse(r.stdout.replaceAll(`"${name}"`, '"INPUT"'));
      return rest;
    };
    expect(strip(await runCli(['receipts', 'audit', '--keys', keys, '--json'], { input: small }), 'stdin')).toEqual(strip(file, smallFile));
    const fifo = join(dir, 'fifo2');
    expect(strip(bash('mkfifo "$4" && { cat "$3" > "$4" & } && "$1" "$2" receipts audit "$4" --keys "$5" --json', smallFile, fifo, keys), fifo)).toEqual(strip(file, smallFile));
  });
});

describe('with no file named: piped stdin, else the kept log, against the pinned keys', { timeout: 60_000 }, () => {
  it('reads the profile\'s month files and the pin of the current gateway; a pipe wins; nothing at all fails', async () => {
    const gateway = 'http://127.0.0.1:9';
    const env = { PROXYGATE_CONFIG_DIR: join(dir, 'config'), PROXYGATE_DATA_DIR: join(dir, 'kept'), PROXYGATE_GATEWAY_URL: gateway };
    // Nothing kept, nothing pinned yet.
    const nothing = await runCli(['receipts', 'verify'], { env });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^usage_error: no keys to verify against: .*profile "default" has no receipt keys pinned for http:\/\/127\.0\.0\.1:9 /);
    const pinFile = keyPinFile('default', gateway, env);
    mkdirSync(dirname(pinFile), { recursive: true, mode: 0o700 });
    const now = new Date().toISOString();
    writeFileSync(pinFile, JSON.stringify({ proxygate_key_pin: 1, gateway, source: 'key_set', pinned_at: now, updated_at: now, how: 'first_use', keys: kit.keys }), { mode: 0o600 });
    const empty = await runCli(['receipts', 'verify'], { env });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^profile "default" has no kept receipts \(.*\)\nno_receipts: /);
    expect((await runCli(['receipts', 'audit', '--allow-empty'], { env })).code).toBe(0);

    const logDir = join(dir, 'kept', 'receipts', 'default');
    mkdirSync(logDir, { recursive: true });
    const chain = Array.from({ length: 5 }, () => trailLine(kit.next('tok_kept')));
    writeFileSync(join(logDir, '2026-10.jsonl'), `${chain.slice(0, 2).join('\n')}\n`);
    writeFileSync(join(logDir, '2026-11.jsonl'), `${chain.slice(2).join('\n')}\n`);
    const verify = await runCli(['receipts', 'verify'], { env });
    expect(verify).toMatchObject({ code: 0, stdout: '5 valid, 0 invalid\n' });
    expect(verify.stderr).toBe(`reading the kept receipts of profile "default": 2 month file(s) in ${logDir}\n`);
    // --keys given: the fast path looks at stdin, finds nothing, and leaves the kept log to oclif.
    expect(await runCli(['receipts', 'verify', '--keys', keys], { env })).toEqual(verify);
    const audit = await runCli(['receipts', 'audit', '--json'], { env });
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, counts: { receipts: 5 }, chains: [{ runs: [{ first: { seq: 1 }, last: { seq: 5 } }] }] });

    // Piped receipts are read instead of the kept log.
    expect(await runCli(['receipts', 'verify'], { env, input: `${kit.next('tok_kept')}\n` })).toMatchObject({ code: 0, stdout: '1 valid, 0 invalid\n', stderr: '' });
  });
});
