// Attempt timeouts a test fires by hand instead of waiting for a clock. The client starts every
// per-attempt timeout (headers, then body) through its `schedule` hook; holding them there makes a
// timeout test say WHEN the time runs out (once the fetch double or the mock is provably stuck),
// and proves which timeouts were armed, without a test ever sleeping.
import { vi } from 'vitest';

interface Held {
  ms: number;
  fire: () => void;
}

export class HeldTimeouts {
  readonly #pending = new Set<Held>();
  /** Durations (ms) of the timeouts fired so far, in firing order. */
  readonly fired: number[] = [];

  /** Durations (ms) of the timeouts started and neither cancelled nor fired yet. */
  pending(): number[] {
    return [...this.#pending].map((held) => held.ms);
  }

  /** The client's `schedule` hook: holds the timeout and returns its cancel. */
  readonly schedule = (ms: number, fire: () => void): (() => void) => {
    const held: Held = { ms, fire };
    this.#pending.add(held);
    return () => {
      this.#pending.delete(held);
    };
  };

  /** Fires every pending timeout now, as if its time had run out; returns how many fired. */
  fire(): number {
    const due = [...this.#pending];
    this.#pending.clear();
    for (const held of due) {
      this.fired.push(held.ms);
      held.fire();
    }
    return due.length;
  }

  /**
   * Gives `client` these timeouts (an own `schedule` shadows the class's). Clients made from it
   * later by `withOptions` are new instances: install on each.
   */
  install<C extends object>(client: C): C {
    Object.defineProperty(client, 'schedule', { value: this.schedule, configurable: true });
    return client;
  }
}

/** Skips the client's waits between attempts (backoff and Retry-After are other tests' concern). */
export function skipRetryWaits<C extends object>(client: C): C {
  Object.defineProperty(client, 'sleep', { value: () => Promise.resolve(), configurable: true });
  return client;
}

/** The mock's fault injector, as far as `fireWhenLate` needs it. */
interface LatencyFaults {
  take(method: string, pathname: string, phase: 'before' | 'after'): { latencyMs: number };
}

/**
 * Fires `timeouts` as soon as the mock starts holding back an answer for an injected latency
 * fault: the request is then provably late, whatever a clock would say. Returns the undo.
 */
export function fireWhenLate(faults: LatencyFaults, timeouts: HeldTimeouts): () => void {
  const take = faults.take.bind(faults);
  const spy = vi.spyOn(faults, 'take').mockImplementation((method, pathname, phase) => {
    const due = take(method, pathname, phase);
    if (due.latencyMs > 0) queueMicrotask(() => timeouts.fire());
    return due;
  });
  return () => spy.mockRestore();
}
