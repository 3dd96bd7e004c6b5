import { randomUUID } from 'node:crypto';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { callFactsJson, formatCallSummary } from '../lib/call-summary.js';
import { createClient, type GatewayClient } from '../lib/client.js';
import { CliError, toCliError, UsageError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import { formatUsd, parseUsd } from '../lib/format.js';
import { formatResponseHead } from '../lib/http-output.js';
import { checkIdempotencyKey, parsePairs, readRequestBody } from '../lib/input.js';
import { assertWritable, writeOutputFile } from '../lib/output-file.js';
import { loadPinnedKeys } from '../lib/receipt-keys.js';

type CallOptions = NonNullable<Parameters<GatewayClient['call']>[2]>;

export default class Call extends BaseCommand {
  static override summary = 'make a paid call to a listing; body to stdout, cost/receipt/shield to stderr';
  static override description = `Calls PATH on LISTING through the gateway (needs the "trade" scope). The upstream body goes to
stdout exactly as received; one summary line (cost, request id, receipt verdict, shield verdict)
goes to stderr. A retried call reuses its Idempotency-Key, so it is never charged twice.
Exit 5 when the strict shield blocks the response (the charge is refunded).`;
  static override examples = [
    '<%= config.bin %> call weather-now /v1/current --query city=Oslo',
    `<%= config.bin %> call lst_translate01 /v1/translate --data '{"text":"hello","to":"fr"}' --shield strict --receipts receipts.jsonl`,
    'echo \'{"prompt":"hi"}\' | <%= config.bin %> call chat-stream /v1/chat --data - --stream',
  ];
  static override enableJsonFlag = true;
  static override args = {
    listing: Args.string({ ignoreStdin: true, description: 'listing id (lst_…), slug, or service name', required: true }),
    path: Args.string({ ignoreStdin: true, description: 'upstream path, e.g. /v1/current', required: true }),
  };
  static override flags = {
    method: Flags.string({ char: 'X', description: 'HTTP method (default POST with --data, else GET)', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }),
    data: Flags.string({ char: 'd', description: 'JSON body: inline, @file, or - for stdin (sent byte for byte)' }),
    query: Flags.string({ char: 'q', description: 'upstream query parameter key=value (repeatable)', multiple: true }),
    shield: Flags.string({ description: 'shield mode (off skips the shield fee)', options: ['off', 'monitor', 'strict'] }),
    stream: Flags.boolean({ description: 'stream server-sent events; each event\'s data is printed as it arrives' }),
    'idempotency-key': Flags.string({ description: 'reuse a key to repeat a call without paying twice (default: a new key)' }),
    'max-cost': Flags.string({ description: 'refuse, before sending, when the price (plus shield fee) is above this many USD' }),
    receipts: Flags.string({ description: 'append the receipt to this JSON Lines file' }),
    keys: Flags.string({ description: 'pinned key set: verify the receipt offline [env: PROXYGATE_RECEIPT_KEYS]' }),
    include: Flags.boolean({ char: 'i', description: 'print the status line and response headers to stderr' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { args, flags } = await this.parse(Call);
    if (!args.path.startsWith('/')) throw new UsageError(`the path must start with "/" (got "${args.path}")`);
    checkIdempotencyKey(flags['idempotency-key']);
    const maxCost = flags['max-cost'] === undefined ? undefined : parseUsd(flags['max-cost']);
    if (flags['max-cost'] !== undefined && maxCost === undefined) throw new UsageError(`--max-cost is not an amount of USD: "${flags['max-cost']}"`, 'e.g. --max-cost 0.05');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of parsePairs(flags.query ?? [], 'query')) {
      const existing = query[k];
      query[k] = existing === undefined ? v : [...(Array.isArray(existing) ? existing : [existing]), v];
    }
    const body = flags.data === undefined ? undefined : await readRequestBody(flags.data);
    const keys = flags.keys === undefined && !process.env['PROXYGATE_RECEIPT_KEYS'] ? undefined : await loadPinnedKeys(flags.keys, []);
    if (flags.receipts) await assertWritable(flags.receipts);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const client = await createClient(auth, keys ? { keys } : {});

    // The key is chosen here, not in the SDK, so a failed run can tell the user how to retry safely.
    const idempotencyKey = flags['idempotency-key'] ?? `cli-${randomUUID()}`;
    const options: CallOptions = {
      query,
      idempotencyKey,
      ...(flags.method ? { method: flags.method } : {}),
      ...(body ? { body: body.raw, headers: { 'content-type': 'application/json' } } : {}),
      ...(flags.shield ? { shield: flags.shield as 'off' | 'monitor' | 'strict' } : {}),
      ...(maxCost === undefined ? {} : { maxCost }),
    };
    let result: Record<string, unknown>;
    try {
      result = flags.stream ? await this.streamCall(client, args.listing, args.path, options, flags) : await this.plainCall(client, args.listing, args.path, options, flags);
    } catch (error) {
      // A blocked call still has a (zero-amount) receipt: keep it so the chain has no gap.
      const refund = (error as { refundReceipt?: unknown }).refundReceipt;
      if (refund && flags.receipts) await appendReceipt(flags.receipts, refund);
      throw withRetryHint(inCliTerms(error, args.listing, flags.shield === 'off'), idempotencyKey);
    }
    const verdict = result['receipt_verdict'] as { valid: boolean; reason: string } | null;
    if (verdict && !verdict.valid) {
      // The answer was delivered, but its receipt does not prove what was paid for: exit 1.
      if (this.jsonEnabled()) this.logJson(result);
      throw Object.assign(new CliError('receipt_invalid', `the receipt did not verify (${verdict.reason})`, ExitCode.failure, 'keep the response; report the request id to the gateway'), { reported: true });
    }
    return result;
  }

  private async plainCall(client: GatewayClient, listing: string, path: string, options: CallOptions, flags: { include: boolean; receipts?: string | undefined }): Promise<Record<string, unknown>> {
    const result = await client.call(listing, path, options);
    if (flags.include) this.note(formatResponseHead(result.status, result.headers));
    if (!this.jsonEnabled()) {
      const bytes = Buffer.from(result.rawBody.buffer, result.rawBody.byteOffset, result.rawBody.byteLength);
      process.stdout.write(bytes);
      // On a terminal, keep the summary off the body's last line (pipes get the bytes untouched).
      if (process.stdout.isTTY && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) process.stdout.write('\n');
    }
    if (flags.receipts && result.receipt) await appendReceipt(flags.receipts, result.receipt);
    const facts = { ...result, status: result.status };
    this.note(formatCallSummary(facts));
    return { ...callFactsJson(facts), listing_id: result.listing.id, body: result.body };
  }

  private async streamCall(client: GatewayClient, listing: string, path: string, options: CallOptions, flags: { include: boolean; receipts?: string | undefined }): Promise<Record<string, unknown>> {
    const stream = await client.calls.stream(listing, path, options);
    if (flags.include) this.note(formatResponseHead(stream.status, stream.headers));
    const events: Array<{ event: string; data: string }> = [];
    for await (const event of stream) {
      if (this.jsonEnabled()) events.push({ event: event.event, data: event.data });
      else process.stdout.write(`${event.data}\n`);
    }
    const outcome = await stream.finished();
    // The catalog said it streams but the answer is plain JSON: no events, and the body was paid for, so print it as is.
    const isEventStream = /^text\/event-stream\b/i.test(stream.headers.get('content-type') ?? '');
    let plainBody: string | undefined;
    if (!isEventStream && outcome.events === 0 && outcome.rawBody.byteLength > 0) {
      const bytes = Buffer.from(outcome.rawBody.buffer, outcome.rawBody.byteOffset, outcome.rawBody.byteLength);
      this.note('note: the response is not an event stream; printed as is');
      if (!this.jsonEnabled()) process.stdout.write(bytes);
      plainBody = bytes.toString('utf8');
    }
    if (flags.receipts && outcome.receipt) await appendReceipt(flags.receipts, outcome.receipt);
    const facts = { ...outcome, status: stream.status };
    this.note(formatCallSummary(facts));
    return { ...callFactsJson(facts), listing_id: stream.listing.id, events, ...(plainBody === undefined ? {} : { body: parseJsonOrText(plainBody) }) };
  }
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The SDK's refusal names its own options (maxCost, shield: "off") and micro-cents; say USD and flags. */
function inCliTerms(error: unknown, listing: string, shieldOff: boolean): unknown {
  const failure = toCliError(error);
  if (failure.code === 'path_not_allowed') {
    return new CliError(failure.code, failure.message, failure.exitCode, `run "proxygate apis show ${listing}" for its endpoints`);
  }
  if (failure.code === 'not_a_streaming_listing') {
    return new CliError(failure.code, `${listing} answers once, not with an event stream; nothing was sent`, ExitCode.usage, 'call it without --stream');
  }
  const refused = error as { name?: unknown; priceMicroCents?: unknown; maxCostMicroCents?: unknown };
  if (refused.name !== 'MaxCostExceededError' || typeof refused.priceMicroCents !== 'bigint' || typeof refused.maxCostMicroCents !== 'bigint') return error;
  const price = `${listing} costs ${formatUsd(refused.priceMicroCents)}${shieldOff ? '' : ' with the shield fee'}`;
  return new CliError(
    'max_cost_exceeded',
    `${price}, above --max-cost ${formatUsd(refused.maxCostMicroCents)}; nothing was sent`,
    ExitCode.failure,
    shieldOff ? 'raise --max-cost or pick a cheaper listing' : 'raise --max-cost, pick a cheaper listing, or pass --shield off to skip the shield fee',
  );
}

/** After a failure where the call may have gone through, retrying with the same key cannot charge twice. */
function withRetryHint(error: unknown, key: string): unknown {
  const failure = toCliError(error);
  const uncertain = failure.code === 'connection_error' || failure.code === 'timeout' || /^(internal_error|upstream_error|service_unavailable|http_5\d\d)$/.test(failure.code);
  if (!uncertain) return error;
  const hint = `retry with --idempotency-key ${key}: a call that went through is replayed, not charged again`;
  return new CliError(failure.code, failure.message, failure.exitCode, failure.action ? `${failure.action}; ${hint}` : hint);
}

async function appendReceipt(file: string, receipt: unknown): Promise<void> {
  await writeOutputFile(file, `${JSON.stringify(receipt)}\n`, { append: true });
}
