// The built CLI's `call --batch` against proxygate-mock on 127.0.0.1, in both profiles: a hundred
// calls from stdin in one process, results streamed in order, every receipt kept, Ctrl-C.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startMockProcess, type MockProcess, type MockProfile } from './harness.js';

interface ResultLine {
  line: number;
  exit_code: number;
  request_id?: string | null;
  body?: { query?: Record<string, string> };
  error?: { code: string; message: string; exit_code_class: number };
}

const results = (stdout: string): ResultLine[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultLine);

describe.each<MockProfile>(['extended', 'public'])('call --batch, built binary, %s profile', { timeout: 120_000 }, (profile) => {
  let mock: MockProcess;
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    mock = await startMockProcess(`cli-batch-bin-${profile}`, profile);
    dir = await mkdtemp(join(tmpdir(), 'pg-batch-'));
  }, 30_000);
  afterAll(async () => {
    await mock?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const env = () => {
    const home = join(dir, `run-${++n}`);
    return { home, env: { PROXYGATE_GATEWAY_URL: mock.url, PROXYGATE_API_KEY: mock.tokens.trader, PROXYGATE_CONFIG_DIR: join(home, 'config'), PROXYGATE_DATA_DIR: join(home, 'data'), PROXYGATE_CREDENTIAL_STORE: 'file' } };
  };
  const echo = (i: number) => JSON.stringify({ listing: 'echo', path: '/echo', query: { i }, shield: 'off' });

  it('100 calls from stdin in one process: 100 result lines in input order, 100 receipts kept', async () => {
    const { home, env: vars } = env();
    const input = `${Array.from({ length: 100 }, (_, i) => echo(i + 1)).join('\n')}\n`;
    const receipts = join(home, 'r.jsonl');
    const r = await runCli(['call', '--batch', '-', '--concurrency', '8', '--receipts', receipts], { env: vars, input });
    expect(r.stderr).toMatch(/^batch: 100 lines, 100 ok, 0 failed · cost: \$/m);
    expect(r.code).toBe(0);
    const out = results(r.stdout);
    expect(out.map((l) => l.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(out.map((l) => l.body?.query?.['i'])).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 1)));
    const kept = (await readFile(receipts, 'utf8')).split('\n').filter((l) => l !== '');
    expect(kept).toHaveLength(100);
    expect(new Set(kept.map((l) => (JSON.parse(l) as { call: { request_id: string } }).call.request_id))).toEqual(new Set(out.map((l) => l.request_id)));
  });

  it('a line that is not a call is reported with its number (exit 2), no stack trace; the others run', async () => {
    const { env: vars } = env();
    const r = await runCli(['call', '--batch', '-'], { env: vars, input: `${echo(1)}\n{"listing":"echo",\n${echo(3)}\n` });
    expect(r.code).toBe(2);
    expect(results(r.stdout).map((l) => [l.line, l.exit_code, l.error?.code ?? null])).toEqual([
      [1, 0, null],
      [2, 2, 'invalid_line'],
      [3, 0, null],
    ]);
    expect(r.stderr).toMatch(/^line 2: invalid_line: line 2 is not JSON/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('streams: a result is written before the input ends; Ctrl-C lets the calls in flight finish and exits 130', async () => {
    const { env: vars } = env();
    let sawFirst = false;
    const r = await runCli(['call', '--batch', '-'], {
      env: vars,
      keepStdinOpen: true,
      onSpawn: (child) => {
        child.stdin!.write(`${echo(1)}\n`);
        child.stdout!.on('data', (chunk: Buffer) => {
          // The first answer came while stdin is still open: interrupt now.
          if (!sawFirst && chunk.toString().includes('"line":1')) {
            sawFirst = true;
            child.kill('SIGINT');
          }
        });
      },
    });
    expect(sawFirst).toBe(true);
    expect(r.code).toBe(130);
    expect(results(r.stdout).map((l) => l.line)).toEqual([1]);
    expect(r.stderr).toContain('interrupted: finishing the calls in flight');
    expect(r.stderr).toMatch(/^batch_failed: batch: 1 line, 1 ok, 0 failed · cost: \$\S+ \(interrupted before every line ran\)$/m);
  });
});
