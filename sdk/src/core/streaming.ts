// Server-sent events (WHATWG HTML "event stream" parsing) over a byte stream, pull-based:
// the upstream is read only when the consumer asks for the next event, so a slow consumer
// applies backpressure, and stopping early cancels the reader.
// Lines are split on bytes (CRLF, LF or CR) so byte offsets of each event are exact: receipts
// hash the raw event stream before the `proxygate.receipt` event.
import { concatBytes } from '../internal/bytes.js';

export interface ServerSentEvent {
  /** Event type; "message" when the stream gave none. */
  event: string;
  /** Data lines joined with "\n". */
  data: string;
  /** Last event id seen so far, if any. */
  id?: string;
  /** Reconnection time in ms, when this event set one. */
  retry?: number;
}

export interface PositionedEvent extends ServerSentEvent {
  /** Byte offset in the stream where this event's block starts (after the previous blank line). */
  start: number;
  /** Byte offset just after the blank line that dispatched it. */
  end: number;
}

const LF = 0x0a;
const CR = 0x0d;
const utf8 = new TextDecoder('utf-8');

/** Incremental decoder: feed bytes, get complete events. */
export class SseDecoder {
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private skipLeadingLf = false;
  private offset = 0;
  private blockStart = 0;
  private sawBom = false;
  private eventType = '';
  private dataLines: string[] = [];
  private lastEventId: string | undefined;
  private retry: number | undefined;
  private readonly kept: Uint8Array[] = [];
  private keptLength = 0;
  private fed = 0;

  /** `retainBytes` keeps every byte fed, for hashing (see {@link bytesBefore}). */
  constructor(private readonly retainBytes = false) {}

  feed(chunk: Uint8Array): PositionedEvent[] {
    if (chunk.byteLength === 0) return [];
    this.fed += chunk.byteLength;
    if (this.retainBytes) {
      this.kept.push(chunk);
      this.keptLength += chunk.byteLength;
    }
    const events: PositionedEvent[] = [];
    let lineStart = 0;
    for (let i = 0; i < chunk.byteLength; i++) {
      const byte = chunk[i];
      if (this.skipLeadingLf) {
        this.skipLeadingLf = false;
        if (byte === LF) {
          // Second half of a CRLF split across chunks: part of the previous terminator.
          this.offset += 1;
          lineStart = i + 1;
          continue;
        }
      }
      if (byte !== LF && byte !== CR) continue;
      const line = this.takeLine(chunk.subarray(lineStart, i));
      let terminator = 1;
      if (byte === CR) {
        if (i + 1 < chunk.byteLength) {
          if (chunk[i + 1] === LF) terminator = 2;
        } else {
          this.skipLeadingLf = true;
        }
      }
      this.offset += line.byteLength + terminator;
      i += terminator - 1;
      lineStart = i + 1;
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    if (lineStart < chunk.byteLength) {
      const rest = chunk.subarray(lineStart);
      this.pending.push(rest);
      this.pendingLength += rest.byteLength;
    }
    return events;
  }

  /** Ends the stream: an unterminated last block is discarded, as the standard says. */
  end(): PositionedEvent[] {
    this.pending = [];
    this.pendingLength = 0;
    return [];
  }

  /** Total bytes fed so far. */
  get bytesSeen(): number {
    return this.fed;
  }

  /** The first `offset` bytes of the stream (needs `retainBytes`). */
  bytesBefore(offset: number): Uint8Array {
    if (!this.retainBytes) throw new Error('SseDecoder: bytes were not retained');
    return concatBytes(this.kept, this.keptLength).subarray(0, offset);
  }

  private takeLine(tail: Uint8Array): Uint8Array {
    if (this.pendingLength === 0) return tail;
    this.pending.push(tail);
    const line = concatBytes(this.pending, this.pendingLength + tail.byteLength);
    this.pending = [];
    this.pendingLength = 0;
    return line;
  }

  private processLine(bytes: Uint8Array): PositionedEvent | null {
    let line = utf8.decode(bytes);
    if (!this.sawBom) {
      this.sawBom = true;
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    }
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\u0000')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): PositionedEvent | null {
    const start = this.blockStart;
    this.blockStart = this.offset;
    const hasData = this.dataLines.length > 0;
    const event: PositionedEvent = {
      event: this.eventType === '' ? 'message' : this.eventType,
      data: this.dataLines.join('\n'),
      start,
      end: this.offset,
    };
    if (this.lastEventId !== undefined) event.id = this.lastEventId;
    if (this.retry !== undefined) event.retry = this.retry;
    this.eventType = '';
    this.dataLines = [];
    this.retry = undefined;
    return hasData ? event : null;
  }
}

export interface ReadEventsOptions {
  signal?: AbortSignal | undefined;
  /** Receives the decoder so callers can read retained bytes. */
  decoder?: SseDecoder;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Async iterator of events over a byte stream. Reads one chunk per pull; cancels the reader when
 * the consumer stops early (break/return/throw) or the signal aborts.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  options: ReadEventsOptions = {},
): AsyncGenerator<PositionedEvent, void, undefined> {
  const { signal } = options;
  const decoder = options.decoder ?? new SseDecoder();
  if (signal?.aborted) {
    await body.cancel(abortReason(signal)).catch(() => undefined);
    throw abortReason(signal);
  }
  const reader = body.getReader();
  let finished = false;
  const onAbort = (): void => {
    reader.cancel(signal ? abortReason(signal) : undefined).catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortReason(signal);
      if (done) {
        finished = true;
        yield* decoder.end();
        return;
      }
      yield* decoder.feed(value);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Not awaited: some bodies settle their cancel only when the source does, and a consumer that
    // stopped reading must not wait on the upstream's teardown.
    if (!finished) reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
