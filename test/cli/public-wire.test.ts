// The built `proxygate` binary against `proxygate-mock --profile public` (exactly the public
// gateway's wire) and the default extended profile: every command a buyer uses, with amounts
// checked to the micro-USD against prices computed from the mock's own catalog.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockGateway, DEMO_BALANCE_MICRO_USD } from '@proxygate-kit/server-mock';
import { buyerPrice, callCost, usd } from '../../cli/test/helpers/prices.js';
import { mockControl, runCli, startMockProcess, type MockProcess, type MockProfile, type RunResult } from './harness.js';

// Same catalog in every profile and seed: prices and listing ids are read from it in-process.
const catalog = createMockGateway({ seed: 'prices' });
const weather = catalog.gateway.listing('skycast/weather-current');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe.each<MockProfile>(['public', 'extended'])('the built CLI against proxygate-mock --profile %s', { timeout: 60_000 }, (profile) => {
  let mock: MockProcess;
  let dir: string;
  let env: Record<string, string>;
  const transcript: string[] = [];

  async function pg(args: string[], extra: Record<string, string | undefined> = {}): Promise<RunResult> {
    const result = await runCli(args, { env: { ...env, ...extra } });
    transcript.push(result.stdout, result.stderr);
    return result;
  }
  /** Runs and expects exit 0 (the one-line error, if any, is in the failure message). */
  async function ok(args: string[], extra: Record<string, string | undefined> = {}): Promise<RunResult> {
    const result = await pg(args, extra);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  }
  const json = (r: RunResult) => JSON.parse(r.stdout) as Record<string, any>;

  beforeAll(async () => {
    mock = await startMockProcess(`cli-public-wire-${profile}`, profile);
    dir = await mkdtemp(join(tmpdir(), `pg-wire-${profile}-`));
    env = {
      PROXYGATE_GATEWAY_URL: mock.url,
      PROXYGATE_API_KEY: mock.tokens.trader,
      PROXYGATE_CONFIG_DIR: join(dir, 'config'),
      PROXYGATE_CREDENTIAL_STORE: 'file',
    };
  }, 30_000);

  afterAll(async () => {
    // No secret of the run ever reached its output.
    expect(transcript.join('\n')).not.toContain(mock.tokens.trader);
    await mock?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('/health says which profile this is', async () => {
    const health = (await (await fetch(`${mock.url}/health`)).json()) as { extensions?: unknown };
    expect(health.extensions === undefined).toBe(profile === 'public');
  });

  it('apis (+ --json): listings by SELLER/SLUG and UUID, buyer prices in USD', async () => {
    const table = await ok(['apis', 'weather']);
    expect(table.stdout).toMatch(new RegExp(`^skycast/weather-current\\s+${weather.id}\\s+weather\\s+${escape(usd(buyerPrice(catalog, 'skycast/weather-current')))}\\s`, 'm'));
    const page = json(await ok(['apis', '--json']));
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((l: { listing_id: string }) => /^[0-9a-f-]{36}$/.test(l.listing_id))).toBe(true);
    const row = page.data.find((l: { listing_id: string }) => l.listing_id === weather.id);
    expect(row).toMatchObject({ slug: 'weather-current', seller_slug: 'skycast', prices: { perRequest: buyerPrice(catalog, 'skycast/weather-current') } });
  });

  it('apis show by slug and by id; apis docs', async () => {
    const bySlug = await ok(['apis', 'show', 'weather-current']);
    expect(bySlug.stdout).toMatch(new RegExp(`^price\\s+${escape(usd(buyerPrice(catalog, 'weather-current')))} per request `, 'm'));
    expect(bySlug.stdout).toMatch(new RegExp(`^id\\s+${weather.id}$`, 'm'));
    const byId = json(await ok(['apis', 'show', weather.id, '--json']));
    expect(byId).toMatchObject({ listing_id: weather.id, slug: 'weather-current' });
    const docs = await ok(['apis', 'docs', 'weather-current']);
    expect(docs.stdout.length).toBeGreaterThan(20);
    expect(json(await ok(['apis', 'docs', weather.id, '--json']))).toMatchObject({ listing_id: weather.id, doc_type: 'openapi' });
  });

  it('pricing, services, categories', async () => {
    const echoPrice = catalog.gateway.listing('echo').price ?? 0;
    expect((await ok(['pricing'])).stdout).toMatch(new RegExp(`^echo\\s+Echo\\s+per request\\s+${escape(usd(echoPrice))}\\s`, 'm'));
    expect((await ok(['services'])).stdout).toMatch(new RegExp(`^echo\\s+Echo\\s+1\\s+${escape(usd(buyerPrice(catalog, 'echo')))}\\s`, 'm'));
    const categories = json(await ok(['categories', '--all', '--limit', '2', '--json']));
    expect(categories.data.length).toBeGreaterThan(2);
    expect(categories.has_more).toBe(false);
  });

  it('whoami, balance, call (plain, --receipts), usage, rate: amounts to the micro-USD', async () => {
    const who = json(await ok(['whoami', '--json']));
    expect(who.account.wallet).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    expect(who.scopes_source).toBe(profile === 'public' ? 'unknown' : 'token_introspection');
    expect((await ok(['balance'])).stdout).toBe(`available           ${usd(DEMO_BALANCE_MICRO_USD)}\npending settlement  $0.00\nbalance             ${usd(DEMO_BALANCE_MICRO_USD)}\n`);

    const receipts = join(dir, 'calls.jsonl');
    const cost = callCost(catalog, 'skycast/weather-current');
    const call = await ok(['call', 'weather-current', '/current', '--query', 'city=Oslo', '--receipts', receipts]);
    expect(JSON.parse(call.stdout)).toMatchObject({ city: 'Oslo' });
    // The first paid call pins the gateway's receipt keys (said once) and verifies against them.
    expect(call.stderr.split('\n')[0]).toMatch(/^pinned the receipt keys of http:\/\/127\.0\.0\.1:\d+ /);
    const requestId = new RegExp(`^cost: ${escape(usd(cost))} · request: ([0-9a-f-]{36}) · receipt: valid, saved to `, 'm').exec(call.stderr)?.[1];
    expect(requestId, call.stderr).toBeDefined();
    // The trail line: the receipt's own text, the verdict, the call.
    const entry = JSON.parse(await readFile(receipts, 'utf8'));
    expect(entry).toMatchObject({ proxygate_receipt: 1, verdict: { valid: true }, call: { request_id: requestId, cost_micro_usd: cost } });
    const saved = JSON.parse(entry.receipt);
    expect(saved.request_id).toBe(requestId);
    expect(saved.amount).toBe(profile === 'public' ? cost : String(cost));

    expect(json(await ok(['balance', '--json']))).toMatchObject({ balance: DEMO_BALANCE_MICRO_USD, pending_settlement: cost, available: DEMO_BALANCE_MICRO_USD - cost });
    const usage = await ok(['usage', '--service', 'weather']);
    expect(usage.stdout).toMatch(new RegExp(`weather\\s+/current\\s+-\\s+200\\s+${escape(usd(cost))}\\s`));
    expect(usage.stdout).toMatch(new RegExp(`^weather\\s+-\\s+1\\s+${escape(usd(cost))}$`, 'm'));
    const rate = await ok(['rate', requestId ?? '', '--up']);
    expect(rate.stdout).toBe(`Rated ${requestId} up: new rating recorded\n`);
    expect(json(await ok(['rate', requestId ?? '', '--down', '--json']))).toMatchObject({ success: true, is_update: true });
  });

  it('call --shield strict on a hostile listing: exit 5, nothing charged, the refund receipt kept', async () => {
    const receipts = join(dir, 'blocked.jsonl');
    const before = json(await ok(['balance', '--json']));
    const blocked = await pg(['call', 'product-reviews', '/reviews', '--query', 'product=x', '--shield', 'strict', '--receipts', receipts]);
    expect(blocked.code).toBe(5);
    expect(blocked.stdout).toBe('');
    expect(blocked.stderr).toMatch(/^shield_blocked: .*\n$/m);
    expect(json(await ok(['balance', '--json'])).available).toBe(before.available);
    const saved = JSON.parse(JSON.parse(await readFile(receipts, 'utf8')).receipt);
    expect(saved.amount).toBe(profile === 'public' ? 0 : '0');
  });

  it('receipts keys export, then receipts verify offline with the exported pins', async () => {
    const keys = join(dir, 'keys.json');
    await ok(['receipts', 'keys', 'export', '--output', keys]);
    const receipts = join(dir, 'pinned.jsonl');
    const cost = callCost(catalog, 'echo');
    const call = await ok(['call', 'echo', '/echo', '--keys', keys, '--receipts', receipts]);
    expect(call.stderr).toMatch(new RegExp(`^cost: ${escape(usd(cost))} · request: [0-9a-f-]{36} · receipt: valid, saved to `));
    // A second call, then verification with the gateway out of reach.
    await ok(['call', 'echo', '/echo', '--keys', keys, '--receipts', receipts]);
    const offline = { PROXYGATE_GATEWAY_URL: 'http://127.0.0.1:9' };
    expect((await ok(['receipts', 'verify', receipts, '--keys', keys], offline)).stdout).toBe('2 valid, 0 invalid\n');
    const listed = await ok(['receipts', 'verify', receipts, '--keys', keys, '--list'], offline);
    // v1 (public): an integer timestamp, shown with the unit it was read in; v3: RFC 3339.
    const version = profile === 'public' ? 1 : 3;
    const unit = profile === 'public' ? ' \\(unix seconds \\d{10}\\)' : '';
    expect(listed.stdout).toMatch(new RegExp(`^${escape(receipts)}:1: valid v${version} [0-9a-f-]{36} ${escape(usd(cost))} at \\S+Z${unit}$`, 'm'));
    if (profile === 'public') {
      // The keys of /health, pinned by hand, verify the same receipts.
      const doc = JSON.parse(await readFile(keys, 'utf8')) as { platform_pubkey: string; receipt_ca_pubkey: string };
      const pinned = await ok(['receipts', 'verify', receipts, '--pin', `platform=${doc.platform_pubkey}`, '--pin', `receipt-ca=${doc.receipt_ca_pubkey}`], offline);
      expect(pinned.stdout).toBe('2 valid, 0 invalid\n');
    }
  });
});

describe('an answer lost after the charge, against proxygate-mock --profile public', { timeout: 60_000 }, () => {
  let mock: MockProcess;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    mock = await startMockProcess('cli-public-wire-lost', 'public');
    dir = await mkdtemp(join(tmpdir(), 'pg-wire-lost-'));
    env = { PROXYGATE_GATEWAY_URL: mock.url, PROXYGATE_API_KEY: mock.tokens.trader, PROXYGATE_CONFIG_DIR: join(dir, 'config'), PROXYGATE_CREDENTIAL_STORE: 'file' };
  }, 30_000);
  afterAll(async () => {
    await mock?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(['reset', 'truncate', 'server_error'])('%s after the charge: sent once, exit 6, the printed usage command finds the charge', async (kind) => {
    type Entry = { kind: string; request_id: string; amount_micro_usd: number };
    const ledger = async () => (await mockControl<{ data: Entry[] }>(mock, 'GET', 'ledger')).data;
    const before = (await ledger()).length;
    // Several faults queued: a re-send would meet one too and show up as a second charge.
    await mockControl(mock, 'POST', 'faults', { kind, phase: 'after', path: '/proxy/', times: 5 });
    const r = await runCli(['call', 'weather-current', '/current', '--query', 'city=Rome'], { env });
    await mockControl(mock, 'DELETE', 'faults');
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    // One line (after the note of the first pin, when a receipt arrived before the answer was lost).
    const lines = r.stderr.trim().split('\n').filter((line) => !line.startsWith('pinned the receipt keys of '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^paid_call_outcome_unknown: the paid call GET /proxy/weather/current \\(listing ${weather.id}\\) sent at \\S+ (may have been charged|was charged \\(a receipt arrived\\) but its answer was lost)`));
    const added = (await ledger()).slice(before);
    expect(added.map((e) => [e.kind, e.amount_micro_usd])).toEqual([['charge', callCost(catalog, 'skycast/weather-current')]]);
    const command = /check with "proxygate (usage --service weather --from \S+)" before calling again/.exec(lines[0] ?? '')?.[1];
    expect(command, lines[0]).toBeDefined();
    const usage = JSON.parse((await runCli([...(command ?? '').split(' '), '--json'], { env })).stdout) as { data: Array<{ cost_micro_cents: number; created_at: string }> };
    expect(usage.data.some((row) => row.cost_micro_cents === callCost(catalog, 'skycast/weather-current'))).toBe(true);
  });

  it('is documented in help exit-codes', async () => {
    const r = await runCli(['help', 'exit-codes'], { env });
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/ 6 a paid call MAY HAVE BEEN CHARGED but its answer was lost; it was not sent again/);
  });
});
