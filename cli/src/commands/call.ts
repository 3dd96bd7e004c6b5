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
import { loadPinnedKeys } from '../lib/receipt-keys.js';
import { keepReceipt, keptWhere, receiptKeyFailure, ReceiptTrail } from '../lib/trail/index.js';
import { LISTING_REF_DESCRIPTION } from './apis/show.js';

type CallOptions = NonNullable<Parameters<GatewayClient['call']>[2]>;

interface CallFlags {
  include: boolean;
  gateway?: string | undefined;
  profile?: string | undefined;
  shield?: string | undefined;
}

export default class Call extends BaseCommand {
  static override summary = 'make a paid call to a listing; body to stdout, cost/receipt/shield to stderr';
  static override description = `Calls PATH on LISTING through the gateway (needs the spending scope: "trade", or "proxy" on the
public gateway). The upstream body goes to stdout exactly as received; one summary line (cost in
USD from the receipt, request id, receipt verdict, shield verdict) goes to stderr.

Every receipt is kept, whatever its verdict (also a strict block's refund receipt and a call whose
answer was lost after the charge), as one line of the profile's receipts log ("proxygate receipts
path"; --no-keep opts out) and of --receipts FILE. It is verified against the gateway's receipt
keys, pinned for the profile on the first paid call (said once on stderr; "proxygate receipts keys
show"). A receipt signed by a key the pin does not know is reported and exits 1: the pin takes a
new key only when a pinned key endorses it, else "proxygate receipts keys trust" decides.

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
    receipts: Flags.string({ description: 'also append the receipt line (as the receipts log has it) to this JSON Lines file' }),
    keep: Flags.boolean({ description: 'keep the receipt in the profile\'s receipts log (--no-keep: do not)', allowNo: true, default: true }),
    keys: Flags.string({ description: 'verify against this key set instead of the pinned keys [env: PROXYGATE_RECEIPT_KEYS]' }),
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
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    // Before anything is sent: where the receipt will be kept, and the keys it is verified against.
    let client: GatewayClient | undefined;
    const explicit = flags.keys !== undefined || Boolean(process.env['PROXYGATE_RECEIPT_KEYS']);
    const trail = await ReceiptTrail.open({
      profile: auth.profile,
      gatewayUrl: auth.gatewayUrl,
      keep: flags.keep,
      receiptsFile: flags.receipts,
      explicitKeys: explicit ? () => loadPinnedKeys(flags.keys, []) : undefined,
      note: (text) => this.note(text),
      client: async () => client ?? createClient(auth),
    });
    client = await createClient(auth, trail.keys ? { keys: trail.keys } : {});
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
      onReceipt: trail.onReceipt,
    };
    let result: Record<string, unknown>;
    const startedAt = Date.now();
    const callClient = client;
    try {
      result = flags.stream ? await this.streamCall(callClient, trail, money, args.listing, args.path, options, flags) : await this.plainCall(callClient, trail, money, args.listing, args.path, options, flags);
    } catch (error) {
      // A refund receipt (strict block), a charged error status, an answer lost after the charge:
      // the SDK handed it to the trail before throwing; anything it could not is kept here.
      const kept = await keepReceipt(trail, error, { gateway: auth.gatewayUrl, listing: args.listing, method: options.method ?? (body ? 'POST' : 'GET'), path: args.path });
      // The listing was resolved (and cached by the client) before sending; a refusal before that has no service to name.
      const service = await callClient.calls.resolveListing(args.listing).then((l) => l.service, () => undefined);
      throw this.inCliTerms(error, money, args.listing, flags, { saved: keptWhere(kept), service, startedAt });
    }
    const verdict = result['receipt_verdict'] as { valid: boolean; reason: string } | null;
    const keyFailure = receiptKeyFailure(trail);
    if (keyFailure) {
      // A key the pin does not know: loud, exit 1, the receipt kept, nothing added to the pin.
      if (this.jsonEnabled()) this.logJson(result);
      throw Object.assign(keyFailure, { reported: true });
    }
    if (verdict && !verdict.valid && verdict.reason !== 'no_keys') {
      // The answer was delivered (and its receipt kept), but the receipt does not prove what was paid for: exit 1.
      if (this.jsonEnabled()) this.logJson(result);
      throw Object.assign(new CliError('receipt_invalid', `the receipt did not verify (${verdict.reason})`, ExitCode.failure, 'keep the response and the receipt; report the request id to the gateway'), { reported: true });
    }
    return result;
  }

  private async plainCall(client: GatewayClient, trail: ReceiptTrail, money: Money, listing: string, path: string, options: CallOptions, flags: CallFlags): Promise<Record<string, unknown>> {
    // The receipt is kept (the onReceipt hook) before the call returns: a closed stdout must not cost it.
    const result = await client.call(listing, path, options).catch(async (error: unknown) => {
      // The trail could not be written after the charge: the body is still printed, then the error (which holds the receipt).
      const answered = (error as { code?: unknown; result?: unknown; cause?: unknown }).code === 'receipt_hook_failed' ? (error as { result?: unknown }).result : undefined;
      if (answered && !this.jsonEnabled()) process.stdout.write(bodyBytes((answered as { rawBody: Uint8Array }).rawBody));
      throw answered ? ((error as { cause?: unknown }).cause ?? error) : error;
    });
    const kept = result.rawReceipt ? trail.kept(result.rawReceipt) : undefined;
    const saved = keptWhere(kept);
    if (flags.include) this.note(formatResponseHead(result.status, result.headers));
    if (!this.jsonEnabled()) {
      const bytes = bodyBytes(result.rawBody);
      process.stdout.write(bytes);
      // On a terminal, keep the summary off the body's last line (pipes get the bytes untouched).
      if (process.stdout.isTTY && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) process.stdout.write('\n');
    }
    const facts: CallFacts = { ...result, status: result.status, receiptVerdict: kept?.verdict ?? result.receiptVerdict };
    this.note(formatCallSummary(money, facts, saved));
    return { ...callFactsJson(facts), ...keptJson(kept), listing_id: result.listing.listing_id, body: result.body };
  }

  private async streamCall(client: GatewayClient, trail: ReceiptTrail, money: Money, listing: string, path: string, options: CallOptions, flags: CallFlags): Promise<Record<string, unknown>> {
    const stream = await client.calls.stream(listing, path, options);
    if (flags.include) this.note(formatResponseHead(stream.status, stream.headers));
    const events: Array<{ event: string; data: string }> = [];
    for await (const event of stream) {
      if (this.jsonEnabled()) events.push({ event: event.event, data: event.data });
      else process.stdout.write(`${event.data}\n`);
    }
    const outcome = await stream.finished().catch((error: unknown) => {
      throw (error as { code?: unknown }).code === 'receipt_hook_failed' ? ((error as { cause?: unknown }).cause ?? error) : error;
    });
    const kept = outcome.rawReceipt ? trail.kept(outcome.rawReceipt) : undefined;
    const saved = keptWhere(kept);
    // The catalog said it streams but the answer is plain JSON: no events, and the body was paid for, so print it as is.
    const isEventStream = /^text\/event-stream\b/i.test(stream.headers.get('content-type') ?? '');
    let plainBody: string | undefined;
    if (!isEventStream && outcome.events === 0 && outcome.rawBody.byteLength > 0) {
      const bytes = Buffer.from(outcome.rawBody.buffer, outcome.rawBody.byteOffset, outcome.rawBody.byteLength);
      this.note('note: the response is not an event stream; printed as is');
      if (!this.jsonEnabled()) process.stdout.write(bytes);
      plainBody = bytes.toString('utf8');
    }
    const facts: CallFacts = { ...outcome, status: stream.status, replayed: stream.replayed, idempotencyKey: stream.idempotencyKey, receiptVerdict: kept?.verdict ?? outcome.receiptVerdict };
    this.note(formatCallSummary(money, facts, saved));
    return { ...callFactsJson(facts), ...keptJson(kept), listing_id: stream.listing.listing_id, events, ...(plainBody === undefined ? {} : { body: parseJsonOrText(plainBody) }) };
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

function bodyBytes(raw: Uint8Array): Buffer {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Where the receipt went, for --json (the files its line was appended to). */
function keptJson(kept: { files: string[] } | undefined): Record<string, unknown> {
  return { receipt_kept_in: kept?.files ?? [] };
}
