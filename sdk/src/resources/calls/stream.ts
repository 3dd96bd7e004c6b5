// One streaming paid call (SSE): events are pulled from the network as the consumer asks, the
// gateway's final `proxygate.receipt` event is held back and settled with the bytes before it.
import { ConnectionError, markPaidCall, PaidCallOutcomeUnknownError, ProxygateError, UserAbortError } from '../../core/error.js';
import { readServerSentEvents, SseDecoder, type PositionedEvent, type ServerSentEvent } from '../../core/streaming.js';
import { replayAction } from '../../core/paid-recovery.js';
import { paidCallRecord, receiptHeader } from '../../internal/paid-call.js';
import { parseShieldHeaders, shieldFromEvent, type ShieldVerdict } from '../../shield/verdict.js';
import type { Listing } from '../models.js';
import type { Prepared } from './prepare.js';
import type { StreamOutcome } from './results.js';
import type { SettleInput, Settlement } from './settle.js';
import { toAbortError } from '../../core/signals.js';
import { gatewayPath } from './wire.js';

interface ReceiptEventData {
  receipt?: unknown;
  shield?: unknown;
}

/**
 * One streaming call. Async-iterable once; events are pulled from the network only as the loop asks.
 */
export class CallStream implements AsyncIterable<ServerSentEvent> {
  readonly status: number;
  readonly headers: Headers;
  readonly listing: Listing;
  /** The key the call carried, or null (see `PaidCallOptions.idempotencyKey`). */
  readonly idempotencyKey: string | null;
  /** The shield verdict the headers announced (the final one comes with the receipt event). */
  readonly headerShield: ShieldVerdict | null;
  /** True when the gateway replayed a stored answer for this idempotency key. */
  readonly replayed: boolean;

  readonly #response: Response;
  readonly #prepared: Prepared;
  readonly #controller: AbortController;
  readonly #signal: AbortSignal | undefined;
  /** When sent, on a gateway that does not replay by key (a broken stream may not be re-sent); else null. */
  readonly #unreplayableSentAt: number | null;
  readonly #settle: (input: Omit<SettleInput, 'expected'>) => Promise<Settlement>;
  #started = false;
  #outcome: Promise<StreamOutcome> | undefined;
  #resolve!: (outcome: StreamOutcome) => void;
  #reject!: (error: unknown) => void;
  readonly #settled: Promise<StreamOutcome>;

  /** @internal Built by `calls.stream()`. */
  constructor(
    response: Response,
    prepared: Prepared,
    controller: AbortController,
    signal: AbortSignal | undefined,
    unreplayableSentAt: number | null,
    settle: (input: Omit<SettleInput, 'expected'>) => Promise<Settlement>,
  ) {
    this.#response = response;
    this.#settle = settle;
    this.#unreplayableSentAt = unreplayableSentAt;
    this.#prepared = prepared;
    this.#controller = controller;
    this.#signal = signal;
    this.status = response.status;
    this.headers = response.headers;
    this.listing = prepared.listing;
    this.idempotencyKey = prepared.idempotencyKey ?? null;
    this.headerShield = parseShieldHeaders(response.headers);
    this.replayed = response.headers.get('idempotent-replayed') === 'true';
    this.#settled = new Promise<StreamOutcome>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#settled.catch(() => undefined); // observed through finished()
  }

  /** A stream cut off mid-way was charged (its receipt may still be in the headers); how to get it again depends on the gateway. */
  #broken(cause: unknown, what = 'the connection broke during the stream'): ProxygateError {
    const rawReceipt = receiptHeader(this.headers) ?? null;
    if (this.#unreplayableSentAt !== null) {
      const { sent, listing } = this.#prepared;
      const record = paidCallRecord(sent.method, gatewayPath(listing, sent), undefined, this.#unreplayableSentAt, this.idempotencyKey ?? undefined);
      const error = new PaidCallOutcomeUnknownError(record, what, { status: this.status, cause, charged: rawReceipt !== null });
      markPaidCall(error, { idempotencyKey: this.idempotencyKey ?? undefined, recovery: 'check_usage' });
      return Object.assign(error, { rawReceipt });
    }
    const key = this.idempotencyKey ?? '';
    const error = new ConnectionError(`${what[0]!.toUpperCase()}${what.slice(1)}`, cause);
    markPaidCall(error, { idempotencyKey: key, recovery: 'replay', action: `${replayAction(key)} (the whole stream)` });
    return Object.assign(error, { rawReceipt });
  }

  /** Stops the stream: the upstream read is cancelled and iteration ends with a `UserAbortError`. */
  abort(reason?: unknown): void {
    this.#controller.abort(reason ?? new UserAbortError('Stream aborted'));
  }

  /** Resolves after the stream ends with its receipt and verdicts; drains it if nobody iterates. */
  finished(): Promise<StreamOutcome> {
    if (!this.#started && !this.#outcome) {
      this.#outcome = (async () => {
        for await (const _event of this) {
          // draining: the caller only wants the outcome
        }
        return this.#settled;
      })();
    }
    return this.#outcome ?? this.#settled;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ServerSentEvent> {
    if (this.#started) throw new ProxygateError('A CallStream can be iterated only once', { code: 'stream_consumed' });
    this.#started = true;
    const body = this.#response.body;
    const decoder = new SseDecoder(true);
    // Only the gateway's receipt event ends the stream; an earlier one is seller content (it may be
    // injected to cut the stream short), so a receipt event is held until we know nothing follows it.
    let held: PositionedEvent | undefined;
    let delivered = 0;
    let completed = false;
    let failed = false;
    try {
      if (body) {
        for await (const event of readServerSentEvents(body, { signal: this.#signal, decoder })) {
          if (held) {
            delivered++;
            yield consumerEvent(held);
            held = undefined;
          }
          if (event.event === 'proxygate.receipt') {
            held = event;
            continue;
          }
          delivered++;
          yield consumerEvent(event);
        }
      }
      completed = true;
    } catch (error) {
      let failure = this.#signal?.aborted
        ? toAbortError(this.#signal.reason, error)
        : error instanceof ProxygateError
          ? error
          : this.#broken(error);
      failure = await this.#heardBroken(failure);
      failed = true;
      this.#reject(failure);
      throw failure;
    } finally {
      // The consumer left the loop early (break/return): there will be no receipt to wait for,
      // but one the headers already brought (the public gateway's) is still heard.
      if (!completed && !failed) {
        const closed = new UserAbortError('The stream was closed before its receipt arrived');
        this.#reject(await this.#heardBroken(Object.assign(closed, { rawReceipt: receiptHeader(this.headers) ?? null })));
      }
    }
    const receiptEvent = held ? { data: parseReceiptEvent(held.data), start: held.start } : undefined;
    const rawBody = decoder.bytesBefore(receiptEvent ? receiptEvent.start : decoder.bytesSeen);
    const eventShield = receiptEvent ? shieldFromEvent(receiptEvent.data.shield) : null;
    const rawReceipt = typeof receiptEvent?.data.receipt === 'string' ? receiptEvent.data.receipt : receiptHeader(this.headers);
    if (rawReceipt === undefined && this.#prepared.receiptExpected && this.#unreplayableSentAt === null && this.idempotencyKey !== null) {
      // A paid stream ends with its receipt; one that stops without it was cut or damaged on the
      // way, and the gateway replays the whole stream (receipt included) for its key.
      const failure = this.#broken(undefined, 'the stream ended without its receipt');
      this.#reject(failure);
      throw failure;
    }
    const settlement = await this.#settle({
      rawReceipt,
      // SSE headers leave before the body is scanned, so only the event's verdict is a claim to check.
      claimedShield: receiptEvent ? eventShield : this.headerShield,
      request: this.#prepared.sent,
      response: rawBody,
      verify: this.#prepared.verify,
      receiptExpected: this.#prepared.receiptExpected,
      unverified: this.#prepared.unverified,
    });
    const outcome: StreamOutcome = { ...settlement, rawBody, events: delivered };
    try {
      // The onReceipt hooks hear the receipt before the outcome is known to anyone.
      if (this.#prepared.recorder) await this.#prepared.recorder.answered(outcome);
    } catch (hookError) {
      this.#reject(hookError);
      throw hookError;
    }
    this.#resolve(outcome);
  }

  /** A broken stream whose receipt came in the headers: the hooks hear it (request side bound only). */
  async #heardBroken(failure: unknown): Promise<unknown> {
    const recorder = this.#prepared.recorder;
    const rawReceipt = (failure as { rawReceipt?: unknown }).rawReceipt;
    if (!recorder || typeof rawReceipt !== 'string') return failure;
    await this.#settle({
      rawReceipt,
      claimedShield: this.headerShield,
      request: this.#prepared.sent,
      response: new Uint8Array(0),
      verify: this.#prepared.verify,
      receiptExpected: false,
      checkResponse: false,
      unverified: this.#prepared.unverified,
    });
    return recorder.failed(failure);
  }
}

function consumerEvent(event: PositionedEvent): ServerSentEvent {
  const out: ServerSentEvent = { event: event.event, data: event.data };
  if (event.id !== undefined) out.id = event.id;
  if (event.retry !== undefined) out.retry = event.retry;
  return out;
}

function parseReceiptEvent(data: string): ReceiptEventData {
  try {
    const parsed = JSON.parse(data) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ReceiptEventData) : {};
  } catch {
    return {};
  }
}
