#!/usr/bin/env node
// proxygate-mock: serves the seeded mock gateway on 127.0.0.1 and prints its URL and demo tokens.
import { parseArgs } from 'node:util';
import { startMockServer } from '../dist/serve.js';

const usage =
  'Usage: proxygate-mock [--profile extended|public] [--port 0] [--host 127.0.0.1] [--seed <text>] ' +
  '[--receipt-version 1|2|3] [--tag-v1-receipts] [--json] [--exit-on-stdin-close] [--verbose]';

let values;
try {
  ({ values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'extended' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      'receipt-version': { type: 'string' },
      'tag-v1-receipts': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'exit-on-stdin-close': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(2);
}

if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

function fail(message) {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

const profile = values.profile;
if (profile !== 'public' && profile !== 'extended') fail('--profile must be public or extended');
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be an integer in 0..65535');
let receiptVersion;
if (values['receipt-version'] !== undefined) {
  receiptVersion = Number(values['receipt-version']);
  if (![1, 2, 3].includes(receiptVersion)) fail('--receipt-version must be 1, 2 or 3');
  if (receiptVersion === 3 && profile === 'public') fail('--receipt-version 3 needs --profile extended (v3 is an extension)');
}

const server = await startMockServer({
  profile,
  port,
  host: values.host,
  quiet: !values.verbose,
  tagV1Receipts: values['tag-v1-receipts'],
  ...(values.seed === undefined ? {} : { seed: values.seed }),
  ...(receiptVersion === undefined ? {} : { receiptVersion }),
});

// Handlers go in before the URL is printed: a test may signal as soon as it reads it.
let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
if (values['exit-on-stdin-close']) {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}

const tokens = server.demoTokens;
if (values.json) {
  process.stdout.write(`${JSON.stringify({ url: server.url, profile: server.profile, tokens })}\n`);
} else {
  const spend = profile === 'public' ? 'proxy' : 'trade';
  process.stdout.write(
    [
      `proxygate-mock listening on ${server.url} (profile ${server.profile})`,
      `read-only token (cannot spend):             ${tokens.readOnly}`,
      `trader token (every scope, incl. ${spend}):    ${tokens.trader}`,
      `capped agent token (spend limit 10000 micro-USD): ${tokens.capped}`,
      `control API: POST ${server.url}/__mock/faults | GET /__mock/ledger | POST /__mock/settle | POST /__mock/reset`,
      '',
    ].join('\n'),
  );
}
