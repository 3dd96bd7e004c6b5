import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeReceiptFixture } from '../../cli/scripts/receipt-fixture.mjs';
import { chainKit, interleaved } from '../../cli/test/helpers/chains.js';
import { assertBuilt, CLI_BIN } from './harness.js';

// The TTY half of the TTY/non-TTY pair: util-linux `script` gives the CLI a pseudo-terminal.
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `node --import fast-clock.mjs`: the CLI's clock moves per call, not with the machine's speed. */
const FAST_CLOCK = ['--import', fileURLToPath(new URL('./fast-clock.mjs', import.meta.url))];

describe.skipIf(!hasScript)('on a terminal', { timeout: 60_000 }, () => {
  it('login prompts with hidden input, stores the key and never echoes it', async () => {
    assertBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'pg-tty-'));
    const key = `pg_live_${'Tt7'.repeat(10)}k9`;
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      TERM: 'dumb',
      PROXYGATE_CONFIG_DIR: join(dir, 'config'),
      PROXYGATE_CREDENTIAL_STORE: 'file',
    };
    const command = `${shellQuote(process.execPath)} ${shellQuote(CLI_BIN)} login --no-verify --profile tty`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    const prompted = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        screen += chunk;
        if (screen.includes('input hidden')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Echo goes off before the prompt is written (promptSecret): once it shows, typing is safe.
    await prompted;
    child.stdin.write(`${key}\r`);
    const code = await exited;
    expect(code).toBe(0);
    expect(screen).not.toContain(key);
    expect(screen).toContain(`pg_live_…${key.slice(-4)}`);
    const stored = JSON.parse(await readFile(join(dir, 'config', 'credentials.json'), 'utf8'));
    expect(stored.profiles.tty.api_key).toBe(key);
    await rm(dir, { recursive: true, force: true });
  });

  it('bulk receipts verify shows a running count on the terminal, then clears it', async () => {
    assertBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'pg-tty-'));
    const fixture = writeReceiptFixture(dir);
    // Enough receipts to run past the 300 ms before progress shows (verify alone checks no chain),
    // on the fast clock: at least one Date.now per receipt.
    const line = JSON.stringify(JSON.parse(await readFile(fixture.receipt, 'utf8')));
    await writeFile(join(dir, 'many.jsonl'), `${line}\n`.repeat(20_000));
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, TERM: 'dumb' };
    const command = `${[process.execPath, ...FAST_CLOCK, CLI_BIN].map(shellQuote).join(' ')} receipts verify ${shellQuote(join(dir, 'many.jsonl'))} --keys ${shellQuote(fixture.keys)}`;
    const r = spawnSync('script', ['-qfec', command, '/dev/null'], { env, encoding: 'utf8', input: '', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\rverifying: [\d,]+ receipts/);
    expect(r.stdout).toContain('\r\u001B[2K20000 valid, 0 invalid');
    await rm(dir, { recursive: true, force: true });
  });

  it('a long receipts audit shows its progress (count, rate, share and ETA of the file) on the terminal, then clears it', async () => {
    assertBuilt();
    const dir = await mkdtemp(join(tmpdir(), 'pg-tty-'));
    const kit = chainKit();
    await writeFile(join(dir, 'keys.json'), JSON.stringify(kit.keys));
    await writeFile(join(dir, 'chains.jsonl'), `${interleaved(kit, 4, 30_000).join('\n')}\n`);
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, TERM: 'dumb' };
    const command = `${[process.execPath, ...FAST_CLOCK, CLI_BIN].map(shellQuote).join(' ')} receipts audit ${shellQuote(join(dir, 'chains.jsonl'))} --keys ${shellQuote(join(dir, 'keys.json'))}`;
    const r = spawnSync('script', ['-qfec', command, '/dev/null'], { env, encoding: 'utf8', input: '', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\rauditing: [\d,]+ receipts/);
    // Past the first second (of the fast clock) the line has a rate, and, the file's size being
    // known, an ETA.
    const rated = r.stdout.split('\r').filter((l) => /^auditing: [\d,]+ receipts, /.test(l));
    expect(rated.length).toBeGreaterThan(0);
    for (const line of rated) {
      expect(line).toMatch(/^auditing: [\d,]+ receipts, [\d,]+\/s, \d+% \(ETA \d+(s|m \d\ds)\)\s*$/);
    }
    expect(r.stdout).toContain('\r\u001B[2Kaudit: 4 chain(s)');
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('CI set: no prompt even on a terminal (usage error, exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tty-'));
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, TERM: 'dumb', CI: 'true', PROXYGATE_CONFIG_DIR: join(dir, 'c'), PROXYGATE_CREDENTIAL_STORE: 'file' };
    const command = `${shellQuote(process.execPath)} ${shellQuote(CLI_BIN)} login --no-verify`;
    const r = spawnSync('script', ['-qfec', command, '/dev/null'], { env, encoding: 'utf8', input: '', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain('input hidden');
    expect(r.stdout).toContain('usage_error');
    await rm(dir, { recursive: true, force: true });
  });
});
