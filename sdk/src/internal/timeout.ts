/** A signal for one attempt: aborts on the caller's signal or when the attempt's timeout elapses. */
export interface AttemptSignal {
  readonly signal: AbortSignal;
  /** True when this attempt was aborted by its own timeout (not by the caller). */
  timedOut(): boolean;
  /** Stops the timer (and the manual link) once the attempt no longer needs them. */
  clearTimer(): void;
  dispose(): void;
}

/** Runs `fire` after `ms` and returns its cancel (the client's, overridable in tests). */
export type Schedule = (ms: number, fire: () => void) => () => void;

export const defaultSchedule: Schedule = (ms, fire) => {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
};

/**
 * Composes the caller's signal with a per-attempt timeout. Uses `AbortSignal.any` where the
 * runtime has it and links by hand otherwise (older runtimes, some polyfilled fetches).
 */
export function attemptSignal(userSignal: AbortSignal | undefined, timeoutMs: number, schedule: Schedule = defaultSchedule): AttemptSignal {
  const controller = new AbortController();
  let didTimeOut = false;
  const cancelTimer =
    Number.isFinite(timeoutMs) && timeoutMs > 0
      ? schedule(timeoutMs, () => {
          didTimeOut = true;
          controller.abort(new DOMException('The attempt timed out', 'TimeoutError'));
        })
      : undefined;
  let unlink = (): void => {};
  let signal: AbortSignal = controller.signal;
  if (userSignal) {
    const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
    if (typeof any === 'function') {
      signal = any.call(AbortSignal, [userSignal, controller.signal]);
    } else if (userSignal.aborted) {
      controller.abort(userSignal.reason);
    } else {
      const onAbort = (): void => controller.abort(userSignal.reason);
      userSignal.addEventListener('abort', onAbort, { once: true });
      unlink = () => userSignal.removeEventListener('abort', onAbort);
    }
  }
  const clearTimer = (): void => {
    cancelTimer?.();
  };
  return {
    signal,
    timedOut: () => didTimeOut && !(userSignal?.aborted ?? false),
    clearTimer,
    dispose: () => {
      clearTimer();
      unlink();
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
