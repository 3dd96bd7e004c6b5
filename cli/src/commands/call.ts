import { randomUUID } from 'node:crypto';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { callFactsJson, formatCallSummary, type CallFacts } from '../lib/call-summary.js';
import { createClient, type GatewayClient } from '../lib/client.js';
import { CliError, toCliError, UsageError } from '../lib/errors.js';
import { ExitCode } from '../lib/exit-codes.js';
import { formatResponseHead } from '../lib/http-output.js';
import { checkIdempotencyKey, parsePairs, readRequestBody } from '../lib/input.js';
import { loadMoney, parseUsdFlag, type Money } from '../lib/money.js';
import { assertWritable, writeOutputFile } from '../lib/output-file.js';
import { receiptLine } from '../lib/receipt-file.js';
import { loadPinnedKeys } from '../lib/receipt-keys.js';
import { LISTING_REF_DESCRIPTION } from './apis/show.js';

type CallOptions = NonNullable<Parameters<GatewayClient['call']>[2]>;

interface CallFlags {
  include: boolean;
  receipts?: string | undefined;
  gateway?: string | undefined;
  profile?: string | undefined;
  shield?: string | undefined;
}

export default class Call extends BaseCommand {
  static override summary = 'make a paid call to a listing; body to stdout, cost/receipt/shield to stderr';
  static override description = `Calls PATH on LISTING through the gateway (needs the spending scope: "trade", or "proxy" on the
public gateway). The upstream body goes to stdout exactly as received; one summary line (cost in
USD from the receipt, request id, receipt verdict, shield verdict) goes to stderr.

--receipts FILE appends the receipt exactly as received, whatever its verdict (also for a strict
block's refund receipt and a call whose answer was lost after the charge): a receipt is never dropped.

Never charged twice by accident: where the gateway replays paid calls by key (an extension), a
retry reuses one Idempotency-Key. Elsewhere (the public gateway) a call that may have reached the
gateway is never sent again: if its answer is lost, the command exits 6 and prints the
"proxygate usage ..." command that shows whether it was charged. A spend-limit block (429, nothing
charged) exits 1. Exit 5 when the strict shield blocks the response (the charge is refunded).`;
  static override examples = [
    '<%= config.bin %> call weather-current /current --query city=Oslo',
    `<%= config.bin %> call echo /echo --data '{"text":"hello"}' --shield strict --receipts receipts.jsonl`,
    '<%= config.bin %> call skycast/weather-current /forecast --query city=Oslo --max-cost 0.01',
    'echo \'{"prompt":"hi"}\' | <%= config.bin %> call llm-stream /chat --data - --stream',
  ];
  static override enableJsonFlag = true;
  static override args = {
    listing: Args.string({ ignoreStdin: true, description: LISTING_REF_DESCRIPTION, required: true }),
    path: Args.string({ ignoreStdin: true, description: 'upstream path, e.g. /current', required: true }),
  };
  static override flags = {
    method: Flags.string({ char: 'X', description: 'HTTP method (default POST with --data, else GET)', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }),
    data: Flags.string({ char: 'd', description: 'JSON body: inline, @file, or - for stdin (sent byte for byte)' }),
    query: Flags.string({ char: 'q', description: 'upstream query parameter key=value (repeatable)', multiple: true }),
    shield: Flags.string({ description: 'shield mode (default monitor; off skips the $0.005 shield surcharge)', options: ['off', 'monitor', 'strict'] }),
    stream: Flags.boolean({ description: 'stream server-sent events; each event\'s data is printed as it arrives' }),
    'idempotency-key': Flags.string({ description: 'where the gateway replays paid calls by key: reuse a key to repeat a call without paying twice' }),
    'max-cost': Flags.string({ description: 'refuse, before sending, when the price (plus the shield surcharge) is above this many USD (at most 6 decimals)' }),
    'allow-unbounded-cost': Flags.boolean({ description: 'with --max-cost: call a per-token listing anyway (its cost is known only after the call; the receipt is then checked against --max-cost)' }),
    receipts: Flags.string({ description: 'append the receipt, exactly as received, to this JSON Lines file' }),
    keys: Flags.string({ description: 'pinned key set: verify the receipt offline [env: PROXYGATE_RECEIPT_KEYS]' }),
    include: Flags.boolean({ char: 'i', description: 'print the status line and response headers to stderr' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { args, flags } = await this.parse(Call);
    if (!args.path.startsWith('/')) throw new UsageError(`the path must start with "/" (got "${args.path}")`);
    checkIdempotencyKey(flags['idempotency-key']);
    const maxCost = flags['max-cost'] === undefined ? undefined : await parseUsdFlag('max-cost', flags['max-cost']);
    if (flags['allow-unbounded-cost'] && maxCost === undefined) throw new UsageError('--allow-unbounded-cost only makes sense with --max-cost');
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
    const money = await loadMoney();

    // Only a gateway that replays by key makes a key worth sending (the SDK reads /health once anyway).
    const replayable = await client.meta.extensions().then((e) => e.has('idempotency'), () => false);
    if (flags['idempotency-key'] && !replayable) {
      this.note('note: this gateway does not advertise idempotent paid calls: --idempotency-key is sent but a repeated call may be charged again');
    }
    // A recognisable key (the SDK would make one too): failures name it for a safe retry.
    const idempotencyKey = flags['idempotency-key'] ?? (replayable ? `cli-${randomUUID()}` : undefined);
    const options: CallOptions = {
      query,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(flags.method ? { method: flags.method } : {}),
      ...(body ? { body: body.raw, headers: { 'content-type': 'application/json' } } : {}),
      ...(flags.shield ? { shield: flags.shield as 'off' | 'monitor' | 'strict' } : {}),
      ...(maxCost === undefined ? {} : { maxCost }),
      ...(flags['allow-unbounded-cost'] ? { allowUnboundedCost: true } : {}),
    };
    let result: Record<string, unknown>;
    const startedAt = Date.now();
    try {
      result = flags.stream ? await this.streamCall(client, money, args.listing, args.path, options, flags) : await this.plainCall(client, money, args.listing, args.path, options, flags);
    } catch (error) {
      // A refund receipt (strict block), a charged error status, an answer lost after the charge: kept.
      const raw = (error as { rawReceipt?: unknown }).rawReceipt;
      const saved = typeof raw === 'string' && flags.receipts ? await appendReceipt(flags.receipts, raw) : undefined;
      // The listing was resolved (and cached by the client) before sending; a refusal before that has no service to name.
      const service = await client.calls.resolveListing(args.listing).then((l) => l.service, () => undefined);
      throw this.inCliTerms(error, money, args.listing, flags, { saved, service, startedAt });
    }
    const verdict = result['receipt_verdict'] as { valid: boolean; reason: string } | null;
    if (verdict && !verdict.valid) {
      // The answer was delivered (and its receipt saved), but the receipt does not prove what was paid for: exit 1.
      if (this.jsonEnabled()) this.logJson(result);
      throw Object.assign(new CliError('receipt_invalid', `the receipt did not verify (${verdict.reason})`, ExitCode.failure, 'keep the response and the receipt; report the request id to the gateway'), { reported: true });
    }
    return result;
  }

  private async plainCall(client: GatewayClient, money: Money, listing: string, path: string, options: CallOptions, flags: CallFlags): Promise<Record<string, unknown>> {
    const result = await client.call(listing, path, options);
    // First the proof of payment, then the output: a closed stdout must not cost the receipt.
    const saved = flags.receipts && result.rawReceipt ? await appendReceipt(flags.receipts, result.rawReceipt) : undefined;
    if (flags.include) this.note(formatResponseHead(result.status, result.headers));
    if (!this.jsonEnabled()) {
      const bytes = Buffer.from(result.rawBody.buffer, result.rawBody.byteOffset, result.rawBody.byteLength);
      process.stdout.write(bytes);
      // On a terminal, keep the summary off the body's last line (pipes get the bytes untouched).
      if (process.stdout.isTTY && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) process.stdout.write('\n');
    }
    const facts: CallFacts = { ...result, status: result.status };
    this.note(formatCallSummary(money, facts, saved));
    return { ...callFactsJson(facts), listing_id: result.listing.listing_id, body: result.body };
  }

  private async streamCall(client: GatewayClient, money: Money, listing: string, path: string, options: CallOptions, flags: CallFlags): Promise<Record<string, unknown>> {
    const stream = await client.calls.stream(listing, path, options);
    if (flags.include) this.note(formatResponseHead(stream.status, stream.headers));
    const events: Array<{ event: string; data: string }> = [];
    for await (const event of stream) {
      if (this.jsonEnabled()) events.push({ event: event.event, data: event.data });
      else process.stdout.write(`${event.data}\n`);
    }
    const outcome = await stream.finished();
    const saved = flags.receipts && outcome.rawReceipt ? await appendReceipt(flags.receipts, outcome.rawReceipt) : undefined;
    // The catalog said it streams but the answer is plain JSON: no events, and the body was paid for, so print it as is.
    const isEventStream = /^text\/event-stream\b/i.test(stream.headers.get('content-type') ?? '');
    let plainBody: string | undefined;
    if (!isEventStream && outcome.events === 0 && outcome.rawBody.byteLength > 0) {
      const bytes = Buffer.from(outcome.rawBody.buffer, outcome.rawBody.byteOffset, outcome.rawBody.byteLength);
      this.note('note: the response is not an event stream; printed as is');
      if (!this.jsonEnabled()) process.stdout.write(bytes);
      plainBody = bytes.toString('utf8');
    }
    const facts: CallFacts = { ...outcome, status: stream.status, replayed: stream.replayed, idempotencyKey: stream.idempotencyKey };
    this.note(formatCallSummary(money, facts, saved));
    return { ...callFactsJson(facts), listing_id: stream.listing.listing_id, events, ...(plainBody === undefined ? {} : { body: parseJsonOrText(plainBody) }) };
  }

  /** The SDK's refusals name its own options (maxCost, shield: "off") and micro-USD; say USD and flags. */
  private inCliTerms(error: unknown, money: Money, listing: string, flags: CallFlags, context: { saved: string | undefined; service: string | undefined; startedAt: number }): unknown {
    const failure = toCliError(error);
    const kept = context.saved ? `; its receipt was saved to ${context.saved}` : '';
    // The exact command to check, on the same gateway and profile as this call (never the key itself).
    const connection = [...(flags.gateway ? [`--gateway ${flags.gateway}`] : []), ...(flags.profile ? [`--profile ${flags.profile}`] : [])];
    const withConnection = (command: string) => [command, ...connection].join(' ');
    if (failure.code === 'paid_call_outcome_unknown') {
      const action = failure.action?.replace(/"(proxygate usage[^"]*)"/, (_, command: string) => `"${withConnection(command)}"`);
      return new CliError(failure.code, failure.message, failure.exitCode, `${action ?? 'check "proxygate usage" before calling again'}${kept}`, failure.details);
    }
    // The SDK decides, for every paid-call failure, whether it may have been charged and how to recover.
    const { recovery, idempotencyKey } = error as { recovery?: unknown; idempotencyKey?: unknown };
    if (recovery === 'replay' && typeof idempotencyKey === 'string') {
      const hint = `retry with --idempotency-key ${idempotencyKey}: a call that went through is replayed, not charged again`;
      return new CliError(failure.code, failure.message, failure.exitCode, `${hint}${kept}`, failure.details);
    }
    if (recovery === 'check_usage') {
      // May have been charged, and this gateway does not replay: exit 6 with the command that tells.
      const from = new Date(context.startedAt - 5 * 60_000).toISOString();
      const command = withConnection(['proxygate usage', ...(context.service ? [`--service ${context.service}`] : []), `--from ${from}`].join(' '));
      return new CliError(failure.code, `${failure.message}; the call may have been charged and was not sent again`, ExitCode.outcomeUnknown, `check with "${command}" before calling again${kept}`, failure.details);
    }
    if (failure.code === 'path_not_allowed') {
      return new CliError(failure.code, failure.message, failure.exitCode, `run "proxygate apis show ${listing}" for its endpoints${kept}`);
    }
    const refused = error as { name?: unknown; priceMicroUsd?: unknown; maxCostMicroUsd?: unknown };
    const shieldOff = flags.shield === 'off';
    if (refused.name === 'MaxCostExceededError' && typeof refused.priceMicroUsd === 'bigint' && typeof refused.maxCostMicroUsd === 'bigint') {
      const price = `${listing} costs ${money.formatUsd(refused.priceMicroUsd)}${shieldOff ? '' : ' with the shield surcharge'}`;
      return new CliError(
        'max_cost_exceeded',
        `${price}, above --max-cost ${money.formatUsd(refused.maxCostMicroUsd)}; nothing was sent`,
        ExitCode.failure,
        shieldOff ? 'raise --max-cost or pick a cheaper listing' : 'raise --max-cost, pick a cheaper listing, or pass --shield off to skip the shield surcharge',
      );
    }
    if (refused.name === 'UnboundedCostError' && typeof refused.maxCostMicroUsd === 'bigint') {
      const reason = /before it is made: (.*); nothing was sent$/.exec(failure.message)?.[1] ?? 'its price depends on the tokens used';
      return new CliError(
        'max_cost_unbounded',
        `--max-cost ${money.formatUsd(refused.maxCostMicroUsd)} cannot bound a call to ${listing} before it is made: ${reason}, so its cost depends on the tokens used; nothing was sent`,
        ExitCode.failure,
        'pass --allow-unbounded-cost to call anyway and have the receipt amount checked against --max-cost afterwards, or drop --max-cost',
      );
    }
    if (kept && failure.exitCode !== ExitCode.usage) return new CliError(failure.code, failure.message, failure.exitCode, `${failure.action ?? 'see the receipt'}${kept}`, failure.details);
    return error;
  }
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Appends the receipt as received; returns the file for the summary line. */
async function appendReceipt(file: string, rawReceipt: string): Promise<string> {
  await writeOutputFile(file, `${receiptLine(rawReceipt)}\n`, { append: true });
  return file;
}
