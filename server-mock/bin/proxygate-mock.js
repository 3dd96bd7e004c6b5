#!/usr/bin/env node
// proxygate-mock: serves the seeded mock gateway on 127.0.0.1 and prints its URL and demo tokens.
import { parseArgs } from 'node:util';
import { startMockServer } from '../dist/serve.js';

const usage = `Usage: proxygate-mock [--port 0] [--host 127.0.0.1] [--seed <text>] [--receipt-version 1|2|3] [--json] [--exit-on-stdin-close] [--verbose]`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      'receipt-version': { type: 'string' },
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

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be an integer in 0..65535\n${usage}\n`);
  process.exit(2);
}
let receiptVersion;
if (values['receipt-version'] !== undefined) {
  receiptVersion = Number(values['receipt-version']);
  if (![1, 2, 3].includes(receiptVersion)) {
    process.stderr.write(`--receipt-version must be 1, 2 or 3\n${usage}\n`);
    process.exit(2);
  }
}

const server = await startMockServer({
  port,
  host: values.host,
  quiet: !values.verbose,
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
  process.stdout.write(`${JSON.stringify({ url: server.url, tokens: { readOnly: tokens.readOnly, trade: tokens.trader, ...tokens } })}\n`);
} else {
  process.stdout.write(
    [
      `proxygate-mock listening on ${server.url}`,
      `read-only token (catalog:read account:read): ${tokens.readOnly}`,
      `trade token (all scopes):                   ${tokens.trader}`,
      `capped agent token (cap 1000000 micro-cents): ${tokens.capped}`,
      `control API: POST ${server.url}/__mock/faults | GET /__mock/ledger | POST /__mock/rotate-keys | POST /__mock/reset`,
      '',
    ].join('\n'),
  );
}

