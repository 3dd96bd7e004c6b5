#!/usr/bin/env node
// The main job, end to end, against the embedded mock gateway (default profile: the public wire
// plus our extensions) on a free 127.0.0.1 port: browse the catalog (prices in USD from integer
// micro-USD, and what a call costs with the shield's surcharge; the listings used later marked), get refused for lack of `trade` (before anything is sent), mint a narrower trade
// token, make a paid call, print and verify its signed receipt offline, then verify the saved
// receipts file with the CLI exactly as a CI job would. Secrets are never printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asUntrusted, formatUsd, InsufficientScopeError, Proxygate, SHIELD_SURCHARGE_MICRO_USD, ShieldBlockedError } from '@proxygate-kit/sdk';
import { KeySet } from '@proxygate-kit/sdk/receipts';
import { startMockServer } from '@proxygate-kit/server-mock/serve';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s) => (color ? `\x1b[2m${s}\x1b[22m` : s);
const step = (n, title) => console.log(`\n${bold(`${n}. ${title}`)}`);
/** A listing's buyer price: per request, or per million tokens (integer micro-USD from the SDK). */
const priceOf = ({ prices }) =>
  prices.perRequest !== null
    ? prices.perRequest === 0 ? 'free' : formatUsd(prices.perRequest)
    : `${formatUsd(prices.perMillionInputTokens ?? 0)}/M in, ${formatUsd(prices.perMillionOutputTokens ?? 0)}/M out`;
/** What one call costs with the shield on (monitor or strict): the price plus the surcharge; per-token listings add it per call. */
const withShieldOf = ({ prices }) =>
  prices.perRequest !== null ? formatUsd(prices.perRequest + SHIELD_SURCHARGE_MICRO_USD) : `+${formatUsd(SHIELD_SURCHARGE_MICRO_USD)}/call`;
/** The listings the later steps call, by SELLER/SLUG, with the step that uses each. */
const USED_LATER = new Map([
  ['skycast/weather-current', 'steps 2-4'],
  ['shadyco/product-reviews', 'step 5'],
]);
/** A receipt as the gateway sent it (the header is base64 of its JSON): what `call --receipts` keeps. */
const receiptText = (raw) => (raw.trim().startsWith('{') ? raw.trim() : Buffer.from(raw, 'base64').toString('utf8'));

const mock = await startMockServer({ port: 0, seed: 'demo' });
const workDir = mkdtempSync(join(tmpdir(), 'proxygate-demo-'));
try {
  console.log(`${bold('proxygate-kit demo')} ${dim(`mock gateway at ${mock.url}`)}`);

  step(1, `Browse the catalog with a read-only token (auto-paginated, 5 per page; buyer prices, fee included; with the shield: +${formatUsd(SHIELD_SURCHARGE_MICRO_USD)} a call)`);
  const reader = new Proxygate({ apiKey: mock.demoTokens.readOnly, gatewayUrl: mock.url });
  const [account, extensions] = await Promise.all([reader.account.me(), reader.meta.extensions()]);
  // Token introspection is an extension this gateway advertises in /health; GET /v1/me is everywhere.
  const me = await reader.tokens.self();
  console.log(dim(`wallet ${account.wallet}; token ${me.id} scopes: ${me.scopes.join(' ')}; extensions: ${extensions.features.join(' ')}`));
  console.log(dim(`  ${'listing'.padEnd(26)} ${'service'.padEnd(9)} ${'price'.padStart(24)} ${'with shield'.padStart(12)}  id`));
  const listed = new Set();
  for await (const listing of reader.catalog.list({ limit: 5 })) {
    const ref = `${listing.seller_slug}/${listing.slug}`;
    listed.add(ref);
    const used = USED_LATER.has(ref) ? `  <- ${USED_LATER.get(ref)}` : '';
    console.log(`  ${ref.padEnd(26)} ${listing.service.padEnd(9)} ${priceOf(listing).padStart(24)} ${withShieldOf(listing).padStart(12)}  ${listing.listing_id}${used}`);
  }
  // Every listing the demo calls later was shown above, with its price.
  for (const ref of USED_LATER.keys()) if (!listed.has(ref)) throw new Error(`${ref} is not in the catalog`);

  step(2, 'A paid call without `trade` is refused before anything is sent');
  try {
    await reader.call('weather-current', '/current', { query: { city: 'Lisbon' } });
    throw new Error('the call was not refused');
  } catch (error) {
    if (!(error instanceof InsufficientScopeError)) throw error;
    console.log(`  refused locally: ${error.message}`);
  }

  step(3, 'Mint a narrower token: trade on one listing, a spend cap, one hour');
  const trader = new Proxygate({ apiKey: mock.demoTokens.trader, gatewayUrl: mock.url });
  const weather = await trader.catalog.get('skycast/weather-current');
  const child = await trader.tokens.create({
    name: 'demo-agent',
    scopes: ['catalog:read', 'trade'],
    spend_cap_micro_usd: 1_000_000,
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
    listings: [weather.listing_id],
  });
  console.log(`  ${child.info.id}: scopes ${child.info.scopes.join(' ')}, cap ${formatUsd(child.info.spend_cap_micro_usd ?? 0)}, listing ${weather.seller_slug}/${weather.slug} (${weather.listing_id})`);

  step(4, 'Pin the receipt keys once (the only fetch), then make a paid call');
  const keyDocument = await trader.meta.receiptKeys();
  const keysFile = join(workDir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(keyDocument, null, 2));
  const keys = KeySet.fromDocument(keyDocument);
  const agent = new Proxygate({ apiKey: child.token, gatewayUrl: mock.url, keys });
  const result = await agent.call(weather, '/current', { query: { city: 'Lisbon' }, shield: 'strict' });
  console.log(`  status ${result.status}, body ${JSON.stringify(result.body)}`);
  console.log(`  cost ${formatUsd(result.cost ?? 0)} (${result.cost} micro-USD: ${formatUsd(weather.prices.perRequest ?? 0)} + the ${formatUsd(SHIELD_SURCHARGE_MICRO_USD)} shield surcharge, as listed in step 1), request ${result.requestId}`);
  console.log(`  shield ${result.shield?.mode}: ${result.shield?.action}, score ${result.shield?.score}`);
  console.log(`  receipt ${result.receiptVerdict?.valid ? 'verified offline' : `NOT valid: ${result.receiptVerdict?.reason}`}:`);
  console.log(JSON.stringify(result.receipt, null, 2).replace(/^/gm, '    '));
  if (!result.receiptVerdict?.valid) throw new Error('the receipt did not verify');

  step(5, 'The shield scans upstream content: monitor flags it, strict blocks and refunds');
  const traderWithKeys = trader.withOptions({ keys });
  const flagged = await traderWithKeys.call('shadyco/product-reviews', '/reviews', { shield: 'monitor' });
  console.log(`  monitor: ${flagged.shield?.action}, score ${flagged.shield?.score}, flags ${flagged.shield?.flags.join(', ')}; cost ${formatUsd(flagged.cost ?? 0)} (price and surcharge, as listed in step 1)`);
  const wrapped = asUntrusted(flagged);
  console.log(`  handed to a model as data, never as instructions:\n${dim(wrapped.text.split('\n').slice(0, 4).join('\n').replace(/^/gm, '    '))}\n    ${dim('...')}`);
  try {
    await traderWithKeys.call('shadyco/product-reviews', '/reviews', { shield: 'strict' });
    throw new Error('the strict call was not blocked');
  } catch (error) {
    if (!(error instanceof ShieldBlockedError)) throw error;
    console.log(`  strict: blocked (score ${error.score}, flags ${error.flags.join(', ')}), refunded: ${error.refunded.value}${error.refunded.verified ? ' (its verified receipt charges 0)' : ' (the gateway says; no verified receipt)'}`);
  }

  step(6, 'Verify the saved receipts offline with the CLI, as a CI job would');
  const receiptsFile = join(workDir, 'receipts.jsonl');
  writeFileSync(receiptsFile, [result.rawReceipt, flagged.rawReceipt].map((raw) => `${receiptText(raw)}\n`).join(''));
  const cli = fileURLToPath(new URL('../cli/bin/run.cjs', import.meta.url));
  const out = execFileSync(process.execPath, [cli, 'receipts', 'verify', receiptsFile, '--keys', keysFile], {
    encoding: 'utf8',
    env: { ...process.env, PROXYGATE_API_KEY: '', NO_COLOR: '1' },
  });
  console.log(`  $ proxygate receipts verify receipts.jsonl --keys keys.json\n${out.trimEnd().replace(/^/gm, '  ')}`);

  const balance = await trader.account.balance();
  console.log(`\n${bold('done')} ${dim(`demo account: ${formatUsd(balance.available)} available, ${formatUsd(balance.pending_settlement)} pending settlement`)}`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
  await mock.close();
}
