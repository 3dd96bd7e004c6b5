import { randomUUID } from 'node:crypto';
import { Args, Flags, type Interfaces } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { callFactsJson, callFailure, formatCallSummary, type CallFacts } from '../lib/call-summary.js';
import { createClient, type GatewayClient } from '../lib/client.js';
import { CliError, UsageError } from '../lib/errors.js';
import { ExitCode, type ExitCodeValue } from '../lib/exit-codes.js';
import { formatResponseHead } from '../lib/http-output.js';
import { checkIdempotencyKey, parsePairs, readRequestBody } from '../lib/input.js';
import { receiptInvalidFailure } from '../lib/key-rotation-hint.js';
import { allowLegacyReceiptsFlag } from '../lib/legacy-receipts-flag.js';
import { loadMoney, parseUsdFlag, type Money } from '../lib/money.js';
import { loadPinnedKeys } from '../lib/receipt-keys.js';
import { keepReceipt, keptWhere, receiptKeyFailure, ReceiptTrail } from '../lib/trail/index.js';
import { LISTING_REF_DESCRIPTION } from './apis/show.js';

// The batch's module loads only with --batch; its limit is in the flag table.
const MAX_CONCURRENCY = 64;

type CallOptions = NonNullable<Parameters<GatewayClient['call']>[2]>;

interface CallFlags {
  include: boolean;
  gateway?: string | undefined;
  profile?: string | undefined;
  shield?: string | undefined;
}

type CallCommandFlags = Interfaces.InferredFlags<typeof Call.flags & typeof BaseCommand.baseFlags>;

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
charged) exits 1. Exit 5 when the strict shield blocks the response (the charge is refunded).

--batch FILE (or - for stdin) makes many calls in one process, --concurrency at a time (default 4,
at most 64). Each line of FILE is one JSON object: "listing" and "path" (required), "method",
"query" (an object), "body" (a JSON value, or a string holding JSON text sent as written),
"shield", "max_cost" (a string of USD, e.g. "0.01"), "idempotency_key"; null means not given and
any other field makes the line an error. Blank lines are skipped. Each line is answered by one
JSON line on stdout, in input order: "line" (its number in FILE), "exit_code" (what a single call
would have exited with), "status", "cost_micro_usd", "cost_usd", "request_id", "receipt_verdict",
"receipt_kept_in", "shield", "listing_id", "body", and on failure "error" {code, message, action,
exit_code_class}. Every receipt is kept as a single call keeps it. A failed line (a line that is
not a call: exit class 2) does not stop the others. --max-cost and --shield are the defaults of
the lines' "max_cost" and "shield"; --max-total USD bounds the whole batch: each line reserves its
price before it is sent (a per-token listing, whose cost is known only afterwards, is refused).
The exit code is the worst line's, most urgent first: 130 (interrupted: Ctrl-C lets the calls in
flight finish) > 6 > 1 > 4 > 3 > 2 > 5 > 0.`;
  static override examples = [
    '<%= config.bin %> call weather-current /current --query city=Oslo',
    `<%= config.bin %> call echo /echo --data '{"text":"hello"}' --shield strict --receipts receipts.jsonl`,
    '<%= config.bin %> call skycast/weather-current /forecast --query city=Oslo --max-cost 0.01',
    'echo \'{"prompt":"hi"}\' | <%= config.bin %> call llm-stream /chat --data - --stream',
    `printf '%s\\n' '{"listing":"weather-current","path":"/current","query":{"city":"Oslo"}}' '{"listing":"echo","path":"/echo","body":{"a":1}}' | <%= config.bin %> call --batch - --max-total 0.10`,
  ];
  static override enableJsonFlag = true;
  static override args = {
    // Required unless --batch (checked in run(), with oclif's own words).
    listing: Args.string({ ignoreStdin: true, description: LISTING_REF_DESCRIPTION }),
    path: Args.string({ ignoreStdin: true, description: 'upstream path, e.g. /current' }),
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
    'allow-legacy-receipts': allowLegacyReceiptsFlag,
    include: Flags.boolean({ char: 'i', description: 'print the status line and response headers to stderr' }),
    batch: Flags.string({ description: 'make the calls of a JSON Lines FILE (- for stdin), one result line each on stdout, in order (see the description)', helpGroup: 'BATCH' }),
    concurrency: Flags.integer({ description: `with --batch: calls in flight at once (default 4, at most ${MAX_CONCURRENCY})`, min: 1, max: MAX_CONCURRENCY, helpGroup: 'BATCH' }),
    'max-total': Flags.string({ description: 'with --batch: the most the whole batch may spend, in USD; each line reserves its price before it is sent', helpGroup: 'BATCH' }),
  };

  async run(): Promise<Record<string, unknown> | undefined> {
    const { args, flags } = await this.parse(Call);
    if (flags.batch !== undefined) return this.runBatch(args, flags);
    for (const flag of ['concurrency', 'max-total'] as const) {
      if (flags[flag] !== undefined) throw new UsageError(`--${flag} only makes sense with --batch`);
    }
    const missing = [...(args.listing === undefined ? ['listing'] : []), ...(args.path === undefined ? ['path'] : [])];
    if (args.listing === undefined || args.path === undefined) {
      throw new CliError('usage_error', `Missing ${missing.length} required arg${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`, ExitCode.usage, 'see "proxygate call --help"');
    }
    return this.runOne({ ...args, listing: args.listing, path: args.path }, flags);
  }

  private async runOne(args: { listing: string; path: string }, flags: CallCommandFlags): Promise<Record<string, unknown>> {
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
    client = await createClient(auth, { ...(trail.keys ? { keys: trail.keys } : {}), allowLegacyReceipts: flags['allow-legacy-receipts'] });
    const money = await loadMoney();

    // The listing is looked up while /health is read (the client keeps both for the call): one
    // round trip less before the paid request. The call still checks its options first, and a
    // failed lookup is the call's, reported as before.
    const lookup = client.calls.prefetchListing(args.listing);
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
      // The listing was looked up before sending (never again here: a failed lookup is asked once); a refusal before that has no service to name.
      const service = await lookup.then((l) => l.service, () => undefined);
      throw callFailure(error, money, { listing: args.listing, shield: flags.shield, gateway: flags.gateway, profile: flags.profile, saved: keptWhere(kept), verdict: kept?.verdict, service, startedAt });
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
      throw Object.assign(receiptInvalidFailure(verdict), { reported: true });
    }
    return result;
  }

  /** `--batch`: the lines' calls in this process (lib/batch), loaded only here. */
  private async runBatch(args: { listing?: string | undefined; path?: string | undefined }, flags: CallCommandFlags): Promise<undefined> {
    if (args.listing !== undefined) throw new UsageError('with --batch, LISTING and PATH come from each line of the batch', 'drop the arguments, or drop --batch');
    const single = (['data', 'query', 'method', 'stream', 'include', 'idempotency-key'] as const).filter((flag) => {
      const value = flags[flag];
      return value !== undefined && value !== false;
    });
    if (single.length > 0) throw new UsageError(`--${single[0]} does not apply to --batch`, 'give it per line ("body", "query", "method", "idempotency_key"); see "proxygate call --help"');
    const maxCost = flags['max-cost'] === undefined ? undefined : await parseUsdFlag('max-cost', flags['max-cost']);
    const maxTotal = flags['max-total'] === undefined ? undefined : await parseUsdFlag('max-total', flags['max-total']);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const { runBatch } = await import('../lib/batch/run-batch.js');
    const outcome = await runBatch({
      input: flags.batch ?? '-',
      concurrency: flags.concurrency ?? 4,
      maxCost,
      maxTotal,
      allowUnboundedCost: flags['allow-unbounded-cost'],
      shield: flags.shield as 'off' | 'monitor' | 'strict' | undefined,
      keep: flags.keep,
      receipts: flags.receipts,
      keys: flags.keys,
      allowLegacyReceipts: flags['allow-legacy-receipts'],
      auth,
      gatewayFlag: flags.gateway,
      profileFlag: flags.profile,
      secrets: this.secrets,
      note: (text) => this.note(text),
    });
    const money = await loadMoney();
    const summary = `batch: ${outcome.lines} line${outcome.lines === 1 ? '' : 's'}, ${outcome.lines - outcome.failed} ok, ${outcome.failed} failed · cost: ${money.formatUsd(outcome.charged)}`;
    if (outcome.exitCode === ExitCode.ok) {
      this.note(summary);
      return undefined;
    }
    // One closing line on stderr, the exit code of the worst line; stdout holds only the result lines.
    const worst = outcome.interrupted ? 'interrupted before every line ran' : `worst: line ${outcome.worstLine ?? '?'}, exit ${outcome.exitCode}`;
    throw Object.assign(new CliError('batch_failed', `${summary} (${worst})`, outcome.exitCode as ExitCodeValue), { reported: true });
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
    // Charged and kept all the same; the body is what came, said not to be the JSON it claims (under
    // --json it is not printed as received but as a JSON string in "body").
    if (result.bodyParseError !== null) {
      const where = this.jsonEnabled() ? 'given as text in "body" (see "body_parse_error")' : 'printed as received';
      this.note(`warning: the body is not valid JSON (${result.bodyParseError}); ${where}`);
    }
    this.note(formatCallSummary(money, facts, saved));
    return { ...callFactsJson(facts), ...keptJson(kept), listing_id: result.listing.listing_id, body: result.body, ...(result.bodyParseError === null ? {} : { body_parse_error: result.bodyParseError }) };
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
      this.note(`note: the response is not an event stream; ${this.jsonEnabled() ? 'given in "body", with no events' : 'printed as is'}`);
      if (!this.jsonEnabled()) process.stdout.write(bytes);
      plainBody = bytes.toString('utf8');
    }
    const facts: CallFacts = { ...outcome, status: stream.status, replayed: stream.replayed, idempotencyKey: stream.idempotencyKey, receiptVerdict: kept?.verdict ?? outcome.receiptVerdict };
    this.note(formatCallSummary(money, facts, saved));
    return { ...callFactsJson(facts), ...keptJson(kept), listing_id: stream.listing.listing_id, events, ...(plainBody === undefined ? {} : { body: parseJsonOrText(plainBody) }) };
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
