// Abort-signal helpers (paid calls, the client's cached extension discovery): one signal from several, and a shared promise raced
// against one caller's signal.
import { UserAbortError } from './error.js';

export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (any) return any.call(AbortSignal, present);
  // Runtimes before AbortSignal.any (Node < 20.3): link by hand.
  const controller = new AbortController();
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/** `promise`, or a `UserAbortError` as soon as `signal` aborts (the promise itself runs on for others). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new UserAbortError(undefined, signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new UserAbortError(undefined, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The error an aborted read ends with: the caller's own `UserAbortError`, else one wrapping the reason. */
export function toAbortError(reason: unknown, cause: unknown): unknown {
  if (reason instanceof UserAbortError) return reason;
  return new UserAbortError(undefined, reason ?? cause);
}
