// The audit trail by default (issue 15): receipt keys pinned on first use per profile and gateway,
// rotations taken in only when a pinned key endorses them, every receipt kept in the monthly log.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMockGateway } from '@proxygate-kit/server-mock';
import { keyPinFile, receiptLogFiles } from '../../../src/lib/trail/paths.js';
import { useInProcessMock, type MockProfile } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { keptLogFile, trailLines } from '../../helpers/trail.js';

const PINNED = /^pinned the receipt keys of /m;
const count = (text: string, re: RegExp) => text.split('\n').filter((line) => re.test(line)).length;

describe.each<MockProfile>(['extended', 'public'])('the trail against the %s profile', (profile) => {
  const ctx = useInProcessMock(`cli-trail-${profile}`, profile);
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.server.resetHandlers();
    await env.restore();
  });
  const pinFile = () => keyPinFile('default', ctx.origin);

  it('the first paid call pins the keys and verifies (said once); later calls verify against the pin; every receipt is kept', async () => {
    const first = await cli(['call', 'echo', '/echo']);
    expect(first.exitCode).toBe(0);
    expect(count(first.stderr, PINNED)).toBe(1);
    expect(first.stderr).toContain(pinFile());
    expect(first.stderr).toMatch(/receipt: valid, saved to /);
    const second = await cli(['call', 'echo', '/echo', '--query', 'n=2']);
    expect(second.exitCode).toBe(0);
    expect(count(second.stderr, PINNED)).toBe(0);
    expect(second.stderr).toMatch(/receipt: valid, saved to /);

    const pin = JSON.parse(await readFile(pinFile(), 'utf8'));
    const health = ctx.mock.gateway.health().body;
    expect(pin).toMatchObject({ proxygate_key_pin: 1, gateway: ctx.origin, how: 'first_use', source: profile === 'extended' ? 'key_set' : 'health' });
    expect(pin.keys.platform_pubkey).toBe(health.platform_pubkey);
    if (profile === 'extended') expect(pin.keys.keys.map((k: { kid: string }) => k.kid)).toEqual(ctx.mock.gateway.keySet().keys.map((k) => k.kid));
    if (process.platform !== 'win32') {
      expect((await stat(pinFile())).mode & 0o777).toBe(0o600);
      expect((await stat(join(pinFile(), '..'))).mode & 0o777).toBe(0o700);
    }

    const log = keptLogFile(env.dir);
    const kept = await trailLines(log);
    expect(kept.map((l) => l.verdict.reason)).toEqual(['valid', 'valid']);
    expect(kept.map((l) => l.call.gateway)).toEqual([ctx.origin, ctx.origin]);
    if (process.platform !== 'win32') {
      expect((await stat(log)).mode & 0o777).toBe(0o600);
      expect((await stat(join(log, '..'))).mode & 0o777).toBe(0o700);
    }
    const shown = await cli(['receipts', 'keys', 'show', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ pinned: true, gateway: ctx.origin, file: pinFile() });
  });

  it('a second gateway URL gets its own pin; the origin is normalised', async () => {
    expect((await cli(['call', 'echo', '/echo'])).exitCode).toBe(0);
    const other = 'https://OTHER.proxygate.test:443/';
    const r = await cli(['call', 'echo', '/echo', '--gateway', other]);
    expect(r.exitCode).toBe(0);
    expect(count(r.stderr, PINNED)).toBe(1);
    expect(r.stderr).toContain('pinned the receipt keys of https://other.proxygate.test ');
    const files = (await readdir(join(pinFile(), '..'))).sort();
    expect(files).toEqual(['https_mock.proxygate.test.json', 'https_other.proxygate.test.json']);
    const all = JSON.parse((await cli(['receipts', 'keys', 'show', '--all', '--json'])).stdout);
    expect(all.data.map((p: { gateway: string }) => p.gateway)).toEqual(['https://mock.proxygate.test', 'https://other.proxygate.test']);
    // The same URL spelled otherwise is the same pin: nothing new to say.
    expect(count((await cli(['call', 'echo', '/echo', '--gateway', 'https://other.proxygate.test'])).stderr, PINNED)).toBe(0);
  });

  it('a profile keeps its own pin and log', async () => {
    expect((await cli(['call', 'echo', '/echo'])).exitCode).toBe(0);
    const r = await cli(['call', 'echo', '/echo', '--profile', 'CI bot']);
    expect(r.exitCode).toBe(0);
    expect(count(r.stderr, PINNED)).toBe(1);
    expect(receiptLogFiles('CI bot')).toHaveLength(1);
    expect(receiptLogFiles('CI bot')[0]).toMatch(/receipts\/%43%49%20bot\/\d{4}-\d{2}\.jsonl$/);
    expect(await trailLines(keptLogFile(env.dir))).toHaveLength(1);
  });

  it('--no-keep keeps nothing in the log; --receipts FILE still gets the line', async () => {
    const receipts = join(env.dir, 'mine.jsonl');
    const r = await cli(['call', 'echo', '/echo', '--no-keep', '--receipts', receipts]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`receipt: valid, saved to ${receipts} ·`);
    expect(receiptLogFiles('default')).toEqual([]);
    expect(await trailLines(receipts)).toHaveLength(1);
    const none = await cli(['call', 'echo', '/echo', '--no-keep', '--json']);
    expect(JSON.parse(none.stdout)).toMatchObject({ receipt_verdict: { valid: true }, receipt_kept_in: [] });
    expect(receiptLogFiles('default')).toEqual([]);
  });

  it('receipts path prints the log directory; --json the month files and the key pins', async () => {
    const path = await cli(['receipts', 'path']);
    expect(path.stdout).toBe(`${join(env.dir, 'data', 'receipts', 'default')}\n`);
    await cli(['call', 'echo', '/echo']);
    const json = JSON.parse((await cli(['receipts', 'path', '--json'])).stdout);
    expect(json).toEqual({
      profile: 'default',
      data_dir: join(env.dir, 'data'),
      dir: join(env.dir, 'data', 'receipts', 'default'),
      current: keptLogFile(env.dir),
      files: [keptLogFile(env.dir)],
      keys_dir: join(env.dir, 'config', 'receipt-keys', 'default'),
    });
  });

  it('keys forget drops the pin: the next paid call pins again', async () => {
    await cli(['call', 'echo', '/echo']);
    const forgot = await cli(['receipts', 'keys', 'forget']);
    expect(forgot.stderr).toBe(`forgot the receipt keys pinned for ${ctx.origin} (profile "default")\n`);
    expect((await cli(['receipts', 'keys', 'show'])).stderr).toMatch(/^no receipt keys are pinned for /);
    expect(count((await cli(['call', 'echo', '/echo'])).stderr, PINNED)).toBe(1);
    expect((await cli(['receipts', 'keys', 'forget', '--json'])).stdout).toContain('"forgotten": true');
  });

  it('a strict block and an MCP paid call keep their receipts too, against the same pin', async () => {
    const blocked = await cli(['call', 'product-reviews', '/reviews', '--shield', 'strict']);
    expect(blocked.exitCode).toBe(5);
    const listing = ctx.mock.gateway.listing('echo').id;
    const mcp = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${listing}`, '--arg', 'path=/echo']);
    expect(mcp.exitCode).toBe(0);
    expect(count(mcp.stderr, PINNED)).toBe(0);
    expect(mcp.stderr).toMatch(/^receipt: valid, saved to \S+\.jsonl$/m);
    const mcpBlocked = await cli(['mcp', 'call', 'call_api', '--arg', `listing_id=${ctx.mock.gateway.listing('product-reviews').id}`, '--arg', 'path=/reviews', '--arg', 'shield=strict']);
    expect(mcpBlocked.exitCode).toBe(5);
    expect(mcpBlocked.stderr).toContain('its receipt was saved to');
    const kept = await trailLines(keptLogFile(env.dir));
    expect(kept.map((l) => [l.call.path, l.call.status, l.verdict.reason])).toEqual([
      ['/reviews', 422, 'valid'],
      ['/echo', 200, 'valid'],
      // The public block body names no request_id: nothing ties its v1/v2 receipt to this call.
      ['/reviews', 422, profile === 'public' ? 'content_mismatch' : 'valid'],
    ]);
  });

  it('a receipt key nobody endorses is reported loudly (exit 1), the receipt kept, the pin unchanged until keys trust', async () => {
    expect((await cli(['call', 'echo', '/echo'])).exitCode).toBe(0);
    const before = await readFile(pinFile(), 'utf8');
    // Extended: a rotation only the new key signs. Public: a new platform_pubkey in /health.
    ctx.mock.rotateKeys(profile === 'extended' ? { endorse: false } : { platform: true });
    const r = await cli(['call', 'echo', '/echo']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toBe('');
    expect(r.stderr).toMatch(/^receipt_key_unknown: UNKNOWN RECEIPT KEY: the receipt of request [0-9a-f-]{36} is signed by a key this profile's pin does not know/m);
    expect(r.stderr).toMatch(profile === 'extended' ? /no key the pin trusts endorses it/ : /GET \/health changed.*nothing can endorse/);
    expect(r.stderr).toContain('proxygate receipts keys trust');
    expect(await readFile(pinFile(), 'utf8')).toBe(before);
    const kept = await trailLines(keptLogFile(env.dir));
    expect(kept).toHaveLength(2);
    expect(kept[1]?.verdict).toMatchObject({ valid: false, reason: profile === 'extended' ? 'unknown_key' : 'bad_signature' });
    // Asked again: still refused, nothing added silently.
    expect((await cli(['call', 'echo', '/echo'])).exitCode).toBe(1);

    const refused = await cli(['receipts', 'keys', 'trust']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(profile === 'extended' ? /^ {2}\+ key pgk-2-/m : /^ {2}! platform_pubkey \(v1 receipts\): /m);
    expect(refused.stderr).toMatch(/needs a confirmation.*--yes/);
    expect(await readFile(pinFile(), 'utf8')).toBe(before);
    const trusted = await cli(['receipts', 'keys', 'trust', '--yes', '--json']);
    expect(trusted.exitCode).toBe(0);
    expect(JSON.parse(trusted.stdout)).toMatchObject({ changed: true, gateway: ctx.origin });
    expect(JSON.parse(await readFile(pinFile(), 'utf8'))).toMatchObject({ how: 'trusted' });
    expect((await cli(['call', 'echo', '/echo'])).stderr).toMatch(/receipt: valid/);
    expect(JSON.parse((await cli(['receipts', 'keys', 'trust', '--json'])).stdout)).toMatchObject({ changed: false });
  });

  it('--keys overrides the pin and never changes it', async () => {
    await cli(['call', 'echo', '/echo']);
    const before = await readFile(pinFile(), 'utf8');
    const foreign = createMockGateway({ seed: 'another-gateway', profile });
    const health = foreign.gateway.health().body;
    const doc = profile === 'extended' ? foreign.gateway.keySet() : { keys: [], platform_pubkey: health.platform_pubkey, receipt_ca_pubkey: health.receipt_ca_pubkey };
    const other = join(env.dir, 'other.json');
    await writeFile(other, JSON.stringify(doc));
    const r = await cli(['call', 'echo', '/echo', '--keys', other]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^receipt_invalid: /m);
    expect(r.stderr).not.toMatch(/UNKNOWN RECEIPT KEY/);
    expect(await readFile(pinFile(), 'utf8')).toBe(before);
  });
});

describe('key rotation endorsed by a pinned key (extended profile: the key-set document)', () => {
  const ctx = useInProcessMock('cli-trail-rotation');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    ctx.mock.gateway.reset();
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
  });
  afterEach(async () => {
    ctx.server.resetHandlers();
    await env.restore();
  });

  it('is taken in without asking, said once, and the receipt verifies against the new key', async () => {
    expect((await cli(['call', 'echo', '/echo'])).exitCode).toBe(0);
    const original = ctx.mock.gateway.keySet().keys[0]!.kid;
    const { active } = ctx.mock.rotateKeys();
    const r = await cli(['call', 'echo', '/echo']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^receipt keys of ${ctx.origin.replace(/\./g, '\\.')} rotated \\(~ key ${original}: active -> retired \\(until \\S+\\); \\+ key ${active} \\(active, \\S+\\)\\); endorsed by pinned key ${original}: pin updated in `, 'm'));
    expect(r.stderr).toMatch(/receipt: valid, saved to /);
    const pin = JSON.parse(await readFile(keyPinFile('default', ctx.origin), 'utf8'));
    expect(pin).toMatchObject({ how: `endorsed:${original}` });
    expect(pin.keys.keys.map((k: { kid: string; status: string }) => [k.kid, k.status])).toEqual([
      [original, 'retired'],
      [active, 'active'],
    ]);
    const kept = await trailLines(keptLogFile(env.dir));
    expect(kept.map((l) => l.verdict.reason)).toEqual(['valid', 'valid']);
    // Rotated once: the next call says nothing more.
    const again = await cli(['call', 'echo', '/echo']);
    expect(again.stderr).not.toMatch(/rotated/);
  });

  it('receipts keys export takes an endorsed rotation in too, and warns about an unendorsed one', async () => {
    expect((await cli(['receipts', 'keys', 'export', '-o', join(env.dir, 'k.json')])).stderr).toMatch(PINNED);
    ctx.mock.rotateKeys();
    expect((await cli(['receipts', 'keys', 'export', '-o', join(env.dir, 'k.json')])).stderr).toMatch(/rotated .* endorsed by pinned key/);
    ctx.mock.rotateKeys({ endorse: false });
    const warned = await cli(['receipts', 'keys', 'export', '-o', join(env.dir, 'k.json')]);
    expect(warned.exitCode).toBe(0);
    expect(warned.stderr).toMatch(/^WARNING: these keys differ from the keys pinned for profile "default" .*no key the pin trusts endorses it.*the pin is unchanged/m);
  });

  it('keys the gateway cannot serve leave the receipt unverified (no_keys), kept, and said plainly', async () => {
    ctx.server.use(http.get('*/.well-known/proxygate-receipt-keys', () => HttpResponse.json({ error: 'internal_error', message: 'boom' }, { status: 500 })));
    const r = await cli(['call', 'echo', '/echo', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^warning: could not read the receipt keys of /m);
    expect(JSON.parse(r.stdout).receipt_verdict).toMatchObject({ valid: false, reason: 'no_keys' });
    expect((await trailLines(keptLogFile(env.dir)))[0]?.verdict.reason).toBe('no_keys');
    ctx.server.resetHandlers();
    const plain = await cli(['call', 'echo', '/echo', '--receipts', join(env.dir, 'x.jsonl')]);
    expect(plain.stderr).toMatch(PINNED);
  });
});
