/**
 * Per-request fault injection. A fault fires BEFORE the request is processed (nothing happens,
 * nothing is charged) or AFTER (the request is processed, charged and stored for idempotency,
 * then its answer is lost or damaged): the "after" case is how tests prove that a retry with the
 * same Idempotency-Key charges exactly once.
 */
export type FaultKind = 'latency' | 'server_error' | 'rate_limit' | 'reset' | 'truncate' | 'malformed_json';
export type FaultPhase = 'before' | 'after';

export const FAULT_KINDS: readonly FaultKind[] = ['latency', 'server_error', 'rate_limit', 'reset', 'truncate', 'malformed_json'];

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** Only requests whose path contains this string (or matches this RegExp). */
  path?: string | RegExp;
  /** Only this HTTP method. */
  method?: string;
  /** Default `before`. */
  phase?: FaultPhase;
  /** `server_error`: 500..599 (default 503). */
  status?: number;
  /** `rate_limit`: Retry-After seconds (default 1). */
  retryAfter?: number;
  /** `latency`: delay in ms (default 200). */
  latencyMs?: number;
}

export interface Fault {
  id: string;
  kind: FaultKind;
  remaining: number;
  path: string | RegExp | null;
  method: string | null;
  phase: FaultPhase;
  status: number;
  retryAfter: number;
  latencyMs: number;
}

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

function checkInteger(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new FaultSpecError(`${name} must be an integer in ${min}..${max}`);
  return value;
}

export class FaultInjector {
  private faults: Fault[] = [];
  private counter = 0;

  inject(spec: FaultSpec): Fault {
    if (!FAULT_KINDS.includes(spec.kind)) throw new FaultSpecError(`unknown fault kind ${String(spec.kind)}`);
    const phase = spec.phase ?? 'before';
    if (phase !== 'before' && phase !== 'after') throw new FaultSpecError('phase must be before or after');
    const fault: Fault = {
      id: `flt_${++this.counter}`,
      kind: spec.kind,
      remaining: checkInteger(spec.times ?? 1, 'times', 1, 1_000_000),
      path: spec.path ?? null,
      method: spec.method ? spec.method.toUpperCase() : null,
      phase,
      status: checkInteger(spec.status ?? 503, 'status', 500, 599),
      retryAfter: checkInteger(spec.retryAfter ?? 1, 'retryAfter', 0, 86_400),
      latencyMs: checkInteger(spec.latencyMs ?? 200, 'latencyMs', 0, 60_000),
    };
    this.faults.push(fault);
    return { ...fault };
  }

  /** Takes (and counts down) the faults due for this request in this phase: latencies first, then at most one other. */
  take(method: string, pathname: string, phase: FaultPhase): { latencyMs: number; fault: Fault | null } {
    let latencyMs = 0;
    let fault: Fault | null = null;
    for (const candidate of this.faults) {
      if (candidate.remaining <= 0 || candidate.phase !== phase || !this.matches(candidate, method, pathname)) continue;
      if (candidate.kind === 'latency') {
        latencyMs += candidate.latencyMs;
        candidate.remaining--;
      } else if (!fault) {
        fault = { ...candidate };
        candidate.remaining--;
      }
    }
    this.faults = this.faults.filter((candidate) => candidate.remaining > 0);
    return { latencyMs, fault };
  }

  private matches(fault: Fault, method: string, pathname: string): boolean {
    if (fault.method && fault.method !== method.toUpperCase()) return false;
    if (fault.path === null) return true;
    return typeof fault.path === 'string' ? pathname.includes(fault.path) : fault.path.test(pathname);
  }

  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }
}
