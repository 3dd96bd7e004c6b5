// The built CLI keeps an audit trail by default (issue 15): concurrent processes share one receipts
// log and one key pin without losing or breaking a line; months roll over; each gateway has its pin.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeySet, verifyReceipt, type KeySetDocument } from '@proxygate-kit/sdk/receipts';
import { CLI_BIN, mockControl, runCli, startMockProcess, type MockProcess } from './harness.js';

// util-linux `script` gives the CLI a pseudo-terminal, for the one prompt of the trail.
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;
const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface TrailLine {
  proxygate_receipt: 1;
  receipt: string;
  verdict: { valid: boolean; reason: string };
  call: { gateway: string; request_id: string | null; path: string; cost_micro_usd: number | string | null };
  recorded_at: string;
}

async function trail(file: string): Promise<TrailLine[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as TrailLine);
}

async function pinnedKeys(configDir: string, origin: string): Promise<KeySet> {
  const url = new URL(origin);
  const pin = JSON.parse(await readFile(join(configDir, 'receipt-keys', 'default', `http_${url.hostname}_${url.port}.json`), 'utf8')) as { keys: KeySetDocument };
  return KeySet.fromDocument(pin.keys);
}

describe('the receipts trail of the built CLI', { timeout: 120_000 }, () => {
  let mock: MockProcess;
  let other: MockProcess;
  let dir: string;
  beforeAll(async () => {
    [mock, other] = await Promise.all([startMockProcess('cli-trail-a'), startMockProcess('cli-trail-b', 'public')]);
    dir = await mkdtemp(join(tmpdir(), 'pg-trail-'));
  }, 30_000);
  afterAll(async () => {
    await Promise.all([mock?.stop(), other?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('20 concurrent paid calls: one pin made (said once), every receipt kept whole in the log and in --receipts', async () => {
    const home = join(dir, 'concurrent');
    const env = { PROXYGATE_GATEWAY_URL: mock.url, PROXYGATE_API_KEY: mock.tokens.trader, PROXYGATE_CONFIG_DIR: join(home, 'config'), PROXYGATE_DATA_DIR: join(home, 'data'), PROXYGATE_CREDENTIAL_STORE: 'file' };
    const shared = join(home, 'shared.jsonl');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(home, { recursive: true });
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runCli(['call', 'echo', '/echo', '--data', JSON.stringify({ i, pad: 'x'.repeat(i * 50) }), '--receipts', shared], { env })),
    );
    expect(runs.map((r) => r.code)).toEqual(Array.from({ length: 20 }, () => 0));
    // Every process found no pin; exactly one made it, the others took it in silently.
    expect(runs.filter((r) => /^pinned the receipt keys of /m.test(r.stderr))).toHaveLength(1);
    expect(runs.every((r) => /receipt: valid, saved to /.test(r.stderr))).toBe(true);

    const logDir = join(home, 'data', 'receipts', 'default');
    const files = await readdir(logDir);
    expect(files).toHaveLength(1);
    const log = await trail(join(logDir, files[0]!));
    expect(log).toHaveLength(20);
    const ids = log.map((l) => l.call.request_id);
    expect(new Set(ids).size).toBe(20);
    expect(log.every((l) => l.proxygate_receipt === 1 && l.verdict.valid && l.call.gateway === mock.url)).toBe(true);
    // --receipts FILE shared by the same 20 processes: the same receipts, whole.
    expect((await trail(shared)).map((l) => l.call.request_id).sort()).toEqual([...ids].sort());

    // Each kept receipt verifies again, offline, against the pinned keys. (`receipts verify` of the
    // kept log is wired by its own task; this checks the same bytes through the SDK.)
    const keys = await pinnedKeys(join(home, 'config'), mock.url);
    const verdicts = await Promise.all(log.map((l) => verifyReceipt(l.receipt, { keys })));
    expect(verdicts.filter((v) => v.valid)).toHaveLength(20);
    expect(new Set(verdicts.map((v) => (v.receipt as { seq?: number }).seq))).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i + 1)));
  });

  it('the month rolls over by the UTC clock (PROXYGATE_NOW, tests only)', async () => {
    const home = join(dir, 'months');
    const env = { PROXYGATE_GATEWAY_URL: mock.url, PROXYGATE_API_KEY: mock.tokens.trader, PROXYGATE_CONFIG_DIR: join(home, 'config'), PROXYGATE_DATA_DIR: join(home, 'data'), PROXYGATE_CREDENTIAL_STORE: 'file' };
    for (const now of ['2026-01-31T23:59:59.000Z', '2026-02-01T00:00:00.000Z', '2026-02-14T12:00:00.000Z']) {
      expect((await runCli(['call', 'echo', '/echo'], { env: { ...env, PROXYGATE_NOW: now } })).code).toBe(0);
    }
    const logDir = join(home, 'data', 'receipts', 'default');
    expect((await readdir(logDir)).sort()).toEqual(['2026-01.jsonl', '2026-02.jsonl']);
    expect((await trail(join(logDir, '2026-01.jsonl'))).map((l) => l.recorded_at)).toEqual(['2026-01-31T23:59:59.000Z']);
    expect((await trail(join(logDir, '2026-02.jsonl'))).map((l) => l.recorded_at)).toEqual(['2026-02-01T00:00:00.000Z', '2026-02-14T12:00:00.000Z']);
    const path = JSON.parse((await runCli(['receipts', 'path', '--json'], { env: { ...env, PROXYGATE_NOW: '2026-02-14T12:00:00.000Z' } })).stdout);
    expect(path).toMatchObject({ dir: logDir, current: join(logDir, '2026-02.jsonl'), files: [join(logDir, '2026-01.jsonl'), join(logDir, '2026-02.jsonl')] });
  });

  it('each gateway has its own pin: receipts of one never verify against the other', async () => {
    const home = join(dir, 'two');
    const env = { PROXYGATE_API_KEY: mock.tokens.trader, PROXYGATE_CONFIG_DIR: join(home, 'config'), PROXYGATE_DATA_DIR: join(home, 'data'), PROXYGATE_CREDENTIAL_STORE: 'file' };
    const a = await runCli(['call', 'echo', '/echo', '--gateway', mock.url], { env });
    const b = await runCli(['call', 'echo', '/echo', '--gateway', other.url], { env: { ...env, PROXYGATE_API_KEY: other.tokens.trader } });
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr).toContain(`pinned the receipt keys of ${mock.url} (1 key(s) of its key-set document)`);
    expect(b.stderr).toContain(`pinned the receipt keys of ${other.url} (the v1 platform key and the v2 receipt CA key from GET /health)`);
    const [logFile] = await readdir(join(home, 'data', 'receipts', 'default'));
    const [fromA, fromB] = await trail(join(home, 'data', 'receipts', 'default', logFile!));
    const keysA = await pinnedKeys(join(home, 'config'), mock.url);
    const keysB = await pinnedKeys(join(home, 'config'), other.url);
    expect((await verifyReceipt(fromA!.receipt, { keys: keysA })).valid).toBe(true);
    expect((await verifyReceipt(fromB!.receipt, { keys: keysB })).valid).toBe(true);
    expect((await verifyReceipt(fromA!.receipt, { keys: keysB })).valid).toBe(false);
    expect((await verifyReceipt(fromB!.receipt, { keys: keysA })).valid).toBe(false);
  });

  it.skipIf(!hasScript)('keys trust asks on a terminal before pinning a key no pinned key endorses', async () => {
    const home = join(dir, 'tty');
    const env = { PATH: process.env['PATH'] ?? '', HOME: home, TERM: 'dumb', PROXYGATE_GATEWAY_URL: mock.url, PROXYGATE_API_KEY: mock.tokens.trader, PROXYGATE_CONFIG_DIR: join(home, 'config'), PROXYGATE_DATA_DIR: join(home, 'data'), PROXYGATE_CREDENTIAL_STORE: 'file' };
    expect((await runCli(['receipts', 'keys', 'trust', '--yes'], { env })).code).toBe(0);
    const { active } = await mockControl<{ active: string }>(mock, 'POST', 'rotate-keys', { endorse: false });
    const command = `${shellQuote(process.execPath)} ${shellQuote(CLI_BIN)} receipts keys trust`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    const asked = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        screen += chunk;
        if (screen.includes('[y/N]')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await asked;
    child.stdin.write('y\r');
    expect(await exited).toBe(0);
    expect(screen).toContain(`+ key ${active}`);
    expect(screen).toContain(`Pin these keys for ${mock.url}?`);
    const pinned = (await pinnedKeys(join(home, 'config'), mock.url)).kids;
    expect(pinned).toContain(active);
  });
});
