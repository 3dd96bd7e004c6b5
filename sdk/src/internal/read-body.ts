import { concatBytes } from './bytes.js';
import { defaultSchedule, type Schedule } from './timeout.js';

/** The body read of one attempt ran past its timeout. */
export class BodyTimeout extends Error {}

/**
 * Reads the whole body, giving up after `timeoutMs` (the headers had their own timeout; a stalled
 * body would otherwise hang the call forever) or when `signal` aborts. Cancels the read either way.
 */
export async function readBody(response: Response, timeoutMs: number, signal: AbortSignal | undefined, schedule: Schedule = defaultSchedule): Promise<Uint8Array> {
  const body = response.body;
  if (!body) return new Uint8Array(0);
  if (signal?.aborted) {
    await body.cancel(signal.reason).catch(() => undefined);
    throw signal.reason;
  }
  const reader = body.getReader();
  let stopped: unknown;
  const stop = (reason: unknown): void => {
    if (stopped !== undefined) return;
    stopped = reason;
    reader.cancel(reason).catch(() => undefined);
  };
  const cancelTimer = Number.isFinite(timeoutMs) && timeoutMs > 0 ? schedule(timeoutMs, () => stop(new BodyTimeout('body read timed out'))) : undefined;
  const onAbort = (): void => stop(signal?.reason ?? new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      // A cancelled read settles as done; `stopped` tells it apart from a real end.
      const { done, value } = await reader.read();
      if (stopped !== undefined) throw stopped;
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (error) {
    throw stopped ?? error;
  } finally {
    cancelTimer?.();
    signal?.removeEventListener('abort', onAbort);
  }
  return concatBytes(chunks, size);
}
