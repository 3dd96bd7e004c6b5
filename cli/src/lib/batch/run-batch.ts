// `proxygate call --batch FILE|-`: the calls of a JSON Lines file in one process, a few at a time,
// each answered by one JSON line on stdout in input order. Every receipt goes to the same trail a
// single `call` keeps (pinned keys, the profile's log, --receipts FILE); a failed line never stops
// the batch; the exit code is the worst line's (exit-order.ts).
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { ReceiptEvent } from '@proxygate-kit/sdk';
import type { ResolvedAuth } from '../base-command.js';
import { callFactsJson, callFailure, type CallFacts } from '../call-summary.js';
import { createClient, type GatewayClient } from '../client.js';
import { CliError, formatErrorLine, toCliError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { receiptInvalidFailure } from '../key-rotation-hint.js';
import { loadPinnedKeys } from '../receipt-keys.js';
import { redactSecrets } from '../redact.js';
import { loadSdk } from '../sdk-loader.js';
import { keepReceipt, keptWhere, ReceiptTrail, type KeptReceipt } from '../trail/index.js';
import { Budget } from './budget.js';
import { worseExit } from './exit-order.js';
import { readLines, type InputLine } from './lines.js';
import { runOrdered } from './ordered-pool.js';
import { LineError, parseCallLine, type BatchCall } from './spec.js';

type Sdk = typeof import('@proxygate-kit/sdk');
type CallOptions = NonNullable<Parameters<GatewayClient['call']>[2]>;

export const MAX_CONCURRENCY = 64;

export interface BatchOptions {
  /** A file, or `-` for stdin. */
  input: string;
  concurrency: number;
  /** Per-line default of `max_cost` (micro-USD). */
  maxCost: number | undefined;
  /** The whole batch's budget (micro-USD). */
  maxTotal: number | undefined;
  allowUnboundedCost: boolean;
  /** Per-line default of `shield`. */
  shield: 'off' | 'monitor' | 'strict' | undefined;
  keep: boolean;
  receipts: string | undefined;
  keys: string | undefined;
  /** `--allow-legacy-receipts`: v1/v2 receipts from a gateway that signs v3 are not downgrades. */
  allowLegacyReceipts?: boolean | undefined;
  auth: ResolvedAuth;
  /** `--gateway` / `--profile` as given, for the commands failures suggest. */
  gatewayFlag: string | undefined;
  profileFlag: string | undefined;
  secrets: readonly string[];
  note: (text: string) => void;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

export interface BatchOutcome {
  exitCode: number;
  lines: number;
  failed: number;
  /** Micro-USD charged, from the receipts of the batch. */
  charged: bigint;
  interrupted: boolean;
  /** The first failed line of the worst exit code, for the closing message. */
  worstLine: number | undefined;
}

type ResultLine = Record<string, unknown> & { line: number; exit_code: number };

export async function runBatch(options: BatchOptions): Promise<BatchOutcome> {
  if (options.input !== '-') {
    await access(options.input, constants.R_OK).catch((error: unknown) => {
      throw new UsageError(`cannot read the batch ${options.input} (${(error as { code?: string }).code ?? 'EIO'}); nothing was sent`, 'pass a JSON Lines file of calls, or - for stdin');
    });
  }
  const { auth } = options;
  // Before anything is sent: where receipts will be kept, and the keys they are verified against.
  let client: GatewayClient | undefined;
  const explicit = options.keys !== undefined || Boolean(process.env['PROXYGATE_RECEIPT_KEYS']);
  const trail = await ReceiptTrail.open({
    profile: auth.profile,
    gatewayUrl: auth.gatewayUrl,
    keep: options.keep,
    receiptsFile: options.receipts,
    explicitKeys: explicit ? () => loadPinnedKeys(options.keys, []) : undefined,
    note: options.note,
    client: async () => client ?? createClient(auth),
  });
  client = await createClient(auth, { ...(trail.keys ? { keys: trail.keys } : {}), allowLegacyReceipts: options.allowLegacyReceipts });
  const sdk = await loadSdk();
  const replayable = await client.meta.extensions().then((e) => e.has('idempotency'), () => false);
  const batch = new BatchRun(options, trail, client, sdk, replayable);
  return batch.run();
}

class BatchRun {
  readonly #budget: Budget | undefined;
  /** Receipts reach the trail one at a time: the first pins the keys once, a rotation is read once. */
  #receiptQueue: Promise<unknown> = Promise.resolve();
  #exitCode: number = ExitCode.ok;
  #worstLine: number | undefined;
  #lines = 0;
  #failed = 0;
  #charged = 0n;
  #interrupted = false;
  #saidNoReplay = false;

  constructor(
    private readonly options: BatchOptions,
    private readonly trail: ReceiptTrail,
    private readonly client: GatewayClient,
    private readonly sdk: Sdk,
    private readonly replayable: boolean,
  ) {
    this.#budget = options.maxTotal === undefined ? undefined : new Budget(options.maxTotal);
  }

  readonly #onReceipt = (event: ReceiptEvent): Promise<void> => {
    const kept = this.#receiptQueue.then(() => this.trail.onReceipt(event));
    this.#receiptQueue = kept.catch(() => undefined);
    return kept;
  };

  async run(): Promise<BatchOutcome> {
    const input = this.options.input === '-' ? (this.options.stdin ?? process.stdin) : createReadStream(this.options.input);
    const stdout = this.options.stdout ?? process.stdout;
    // Ctrl-C: no new line starts; the calls in flight finish (their receipts kept) and are reported.
    const interrupt = () => {
      if (this.#interrupted) {
        process.stderr.write('\ninterrupted\n');
        process.exit(ExitCode.interrupted);
      }
      this.#interrupted = true;
      this.options.note('interrupted: finishing the calls in flight (Ctrl-C again to stop at once)');
      (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    };
    // The entry's own handler (exit 130 at once) waits while the batch finishes what it started.
    const others = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    process.on('SIGINT', interrupt);
    try {
      await runOrdered(
        calls(readLines(input as AsyncIterable<Uint8Array>)),
        (line) => this.#runLine(line),
        (result) => this.#emit(stdout, result),
        { concurrency: this.options.concurrency, window: Math.max(64, this.options.concurrency * 4), stopped: () => this.#interrupted },
      ).catch((error: unknown) => {
        // The input closed under us by Ctrl-C: what was read ran and was reported.
        if (!this.#interrupted) throw error;
      });
    } finally {
      process.off('SIGINT', interrupt);
      for (const listener of others) process.on('SIGINT', listener as () => void);
    }
    if (this.#interrupted) this.#exitCode = worseExit(this.#exitCode, ExitCode.interrupted);
    return { exitCode: this.#exitCode, lines: this.#lines, failed: this.#failed, charged: this.#charged, interrupted: this.#interrupted, worstLine: this.#worstLine };
  }

  async #emit(stdout: NodeJS.WritableStream, result: ResultLine): Promise<void> {
    this.#lines++;
    if (result.exit_code !== ExitCode.ok) {
      this.#failed++;
      const worse = worseExit(this.#exitCode, result.exit_code);
      if (worse !== this.#exitCode || this.#worstLine === undefined) this.#worstLine = result.line;
      this.#exitCode = worse;
      const error = result['error'] as { code: string; message: string; action?: string } | undefined;
      if (error) this.options.note(`line ${result.line}: ${formatErrorLine(new CliError(error.code, error.message, ExitCode.failure, error.action), this.options.secrets)}`);
    }
    const text = `${JSON.stringify(result)}\n`;
    if (!stdout.write(text)) await new Promise<void>((resolve) => stdout.once('drain', () => resolve()));
  }

  async #runLine(input: InputLine): Promise<ResultLine> {
    let call: BatchCall;
    try {
      if (input.tooLong) throw new LineError(input.number, `line ${input.number} is longer than the limit of a call line (8 MiB of text)`);
      call = parseCallLine(input.number, input.text, this.sdk.parseUsd);
    } catch (error) {
      const failure = error instanceof LineError ? new CliError(error.code, error.message, error.exitCode, 'each line is one JSON object such as {"listing":"echo","path":"/echo"}; see "proxygate call --help"') : toCliError(error);
      return { line: input.number, exit_code: failure.exitCode, error: errorJson(failure, this.options.secrets) };
    }
    return this.#call(call);
  }

  async #call(call: BatchCall): Promise<ResultLine> {
    const startedAt = Date.now();
    const shield = call.shield ?? this.options.shield;
    const maxCost = call.maxCost ?? this.options.maxCost;
    const method = call.method ?? (call.body === undefined ? 'GET' : 'POST');
    let reserved: number | undefined;
    try {
      if (this.#budget) reserved = await this.#reserve(call, shield, maxCost);
    } catch (error) {
      return this.#failure(call, error, undefined, startedAt, shield);
    }
    if (call.idempotencyKey !== undefined && !this.replayable && !this.#saidNoReplay) {
      this.#saidNoReplay = true;
      this.options.note('note: this gateway does not advertise idempotent paid calls: idempotency_key is sent but a repeated call may be charged again');
    }
    const idempotencyKey = call.idempotencyKey ?? (this.replayable ? `cli-${randomUUID()}` : undefined);
    const options: CallOptions = {
      query: call.query,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(call.method ? { method: call.method } : {}),
      ...(call.body === undefined ? {} : { body: call.body, headers: { 'content-type': 'application/json' } }),
      ...(shield ? { shield } : {}),
      // Under --max-total the SDK checks the price against what was reserved for it.
      ...(reserved !== undefined ? { maxCost: reserved } : maxCost === undefined ? {} : { maxCost }),
      ...(this.options.allowUnboundedCost && reserved === undefined ? { allowUnboundedCost: true } : {}),
      onReceipt: this.#onReceipt,
    };
    try {
      const result = await this.client.call(call.listing, call.path, options);
      this.#settle(reserved, result.cost ?? 0);
      const kept = result.rawReceipt ? this.trail.kept(result.rawReceipt) : undefined;
      const facts: CallFacts = { ...result, status: result.status, receiptVerdict: kept?.verdict ?? result.receiptVerdict };
      const line: ResultLine = { line: call.line, exit_code: ExitCode.ok, ...this.#factsJson(facts, kept), listing_id: result.listing.listing_id, body: result.body };
      const verdict = facts.receiptVerdict;
      if (result.requestId !== null && this.trail.keyChanges.some((change) => change.requestId === result.requestId)) {
        const change = this.trail.keyChanges.find((c) => c.requestId === result.requestId);
        return this.#withError(line, new CliError('receipt_key_unknown', `UNKNOWN RECEIPT KEY: the receipt of request ${result.requestId} is ${change?.message ?? 'signed by a key the pin does not know'}`, ExitCode.failure, 'the receipt is kept; check the key change with the gateway operator, then run "proxygate receipts keys trust" (it shows what changes)'));
      }
      if (verdict && !verdict.valid && verdict.reason !== 'no_keys') {
        return this.#withError(line, receiptInvalidFailure(verdict));
      }
      return line;
    } catch (error) {
      // The trail could not be written after the charge: the answer is reported with that failure.
      const answered = (error as { code?: unknown }).code === 'receipt_hook_failed' ? ((error as { result?: unknown }).result as { body?: unknown; cost?: number | bigint | null } | undefined) : undefined;
      if (answered) {
        this.#settle(reserved, answered.cost ?? 0);
        return this.#failure(call, (error as { cause?: unknown }).cause ?? error, undefined, startedAt, shield, { body: answered.body });
      }
      this.#settleFailure(reserved, error);
      const kept = await keepReceipt(this.trail, error, { gateway: this.options.auth.gatewayUrl, listing: call.listing, method, path: call.path });
      return this.#failure(call, error, kept, startedAt, shield);
    }
  }

  /** --max-total: reserve this line's price (known before the call) out of what the batch has left. */
  async #reserve(call: BatchCall, shield: string | undefined, maxCost: number | undefined): Promise<number> {
    const budget = this.#budget as Budget;
    const listing = await this.client.calls.resolveListing(call.listing);
    const price = this.sdk.callPrice(listing, wirePath(call.path), shield === 'off');
    if (!price.bounded) {
      throw new CliError('max_total_unbounded', `--max-total cannot bound a call to ${call.listing} before it is made: ${price.reason}, so its cost depends on the tokens used; nothing was sent`, ExitCode.failure, 'run per-token calls in a batch without --max-total (bound each with max_cost and --allow-unbounded-cost)');
    }
    // Above its own max_cost: the SDK refuses it with the usual message, nothing reserved.
    if (maxCost !== undefined && price.microUsd > maxCost) throw this.#maxCostRefusal(call, price.microUsd, maxCost, shield);
    if (!budget.reserve(price.microUsd)) {
      const usd = (micro: number) => this.sdk.formatUsd(micro);
      throw new CliError('max_total_exceeded', `${call.listing} costs ${usd(price.microUsd)}${shield === 'off' ? '' : ' with the shield surcharge'}, above what is left of --max-total (${usd(Math.max(0, budget.left))} of ${usd(budget.total)}); nothing was sent`, ExitCode.failure, 'raise --max-total, or run the rest in another batch');
    }
    return price.microUsd;
  }

  #maxCostRefusal(call: BatchCall, price: number, maxCost: number, shield: string | undefined): CliError {
    const usd = (micro: number) => this.sdk.formatUsd(micro);
    const bound = call.maxCost === undefined ? '--max-cost' : 'its max_cost';
    return new CliError(
      'max_cost_exceeded',
      `${call.listing} costs ${usd(price)}${shield === 'off' ? '' : ' with the shield surcharge'}, above ${bound} ${usd(maxCost)}; nothing was sent`,
      ExitCode.failure,
      shield === 'off' ? `raise ${bound} or pick a cheaper listing` : `raise ${bound}, pick a cheaper listing, or pass --shield off to skip the shield surcharge`,
    );
  }

  #settle(reserved: number | undefined, cost: number | bigint): void {
    this.#charged += BigInt(cost);
    if (reserved !== undefined) this.#budget?.settle(reserved, Number(cost));
  }

  /** A failed line: its receipt's amount if it has one; the whole reservation if it may have been charged; else nothing. */
  #settleFailure(reserved: number | undefined, error: unknown): void {
    const { cost, recovery } = (error ?? {}) as { cost?: unknown; recovery?: unknown };
    if (typeof cost === 'number' || typeof cost === 'bigint') return this.#settle(reserved, cost);
    if (reserved !== undefined) this.#budget?.settle(reserved, recovery === 'replay' || recovery === 'check_usage' ? reserved : 0);
  }

  async #failure(call: BatchCall, error: unknown, kept: KeptReceipt | undefined, startedAt: number, shield: string | undefined, extra: Record<string, unknown> = {}): Promise<ResultLine> {
    // The listing was resolved (and cached by the client) before sending; a refusal before that has no service to name.
    const service = (error as { recovery?: unknown } | null)?.recovery === 'check_usage' ? await this.client.calls.resolveListing(call.listing).then((l) => l.service, () => undefined) : undefined;
    const failure = toCliError(
      callFailure(error, this.sdk, { listing: call.listing, shield, maxCostName: call.maxCost === undefined ? '--max-cost' : 'its max_cost', gateway: this.options.gatewayFlag, profile: this.options.profileFlag, saved: keptWhere(kept), verdict: kept?.verdict, service, startedAt }),
      { commandId: 'call' },
    );
    const e = (error ?? {}) as Partial<CallFacts> & { status?: unknown; cost?: unknown };
    const facts: CallFacts = {
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
      cost: typeof e.cost === 'number' || typeof e.cost === 'bigint' ? e.cost : null,
      requestId: typeof e.requestId === 'string' ? e.requestId : null,
      receipt: e.receipt ?? null,
      rawReceipt: typeof e.rawReceipt === 'string' ? e.rawReceipt : null,
      receiptVerdict: kept?.verdict ?? (e.receiptVerdict as CallFacts['receiptVerdict'] | undefined) ?? null,
      shield: (e.shield as CallFacts['shield'] | undefined) ?? null,
      ...(typeof e.idempotencyKey === 'string' ? { idempotencyKey: e.idempotencyKey } : {}),
    };
    const line: ResultLine = { line: call.line, exit_code: failure.exitCode, ...this.#factsJson(facts, kept), ...extra };
    return this.#withError(line, failure);
  }

  #withError(line: ResultLine, failure: CliError): ResultLine {
    return { ...line, exit_code: failure.exitCode, error: errorJson(failure, this.options.secrets) };
  }

  #factsJson(facts: CallFacts, kept: KeptReceipt | undefined): Record<string, unknown> {
    const json = callFactsJson(facts);
    const cost = json['cost_micro_usd'];
    return {
      status: json['status'] ?? null,
      cost_micro_usd: cost ?? null,
      cost_usd: cost === null || cost === undefined ? null : usdText(this.sdk.formatUsd(BigInt(cost as number | string))),
      ...json,
      receipt_kept_in: kept?.files ?? [],
    };
  }
}

/** Non-blank lines (a blank line is not a call, and not an error). */
async function* calls(lines: AsyncIterable<InputLine>): AsyncGenerator<InputLine> {
  for await (const line of lines) if (line.tooLong || line.text.trim() !== '') yield line;
}

/** The path as sent (percent-encoded, no query): what endpoint prices are matched against. */
function wirePath(path: string): string {
  const bare = (path.split('?')[0] ?? '/').replace(/\\/g, '/');
  try {
    return new URL(`http://upstream.invalid${bare}`).pathname;
  } catch {
    return bare;
  }
}

/** `$1,234.5` -> `1234.50`: the exact decimal, for programs. */
function usdText(formatted: string): string {
  return formatted.replace('$', '').replace(/,/g, '');
}

/** The error of a line, as `call --json` gives it, with its exit code class; secrets masked as on stderr. */
function errorJson(failure: CliError, secrets: readonly string[]): Record<string, unknown> {
  const json = {
    code: failure.code,
    message: failure.message,
    ...(failure.action ? { action: failure.action } : {}),
    ...(failure.details ?? {}),
    exit_code_class: failure.exitCode,
  };
  return JSON.parse(redactSecrets(JSON.stringify(json), secrets)) as Record<string, unknown>;
}
