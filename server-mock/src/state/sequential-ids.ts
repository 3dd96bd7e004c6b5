import type { SeedDerivation } from './derive.js';
import { uuidFromBytes } from './ids.js';

export type SequentialIdKind = 'request' | 'usage' | 'ledger' | 'trace';

/**
 * Request, usage-row, ledger and trace ids: UUIDs of the seed and a counter per kind, so the
 * same seed and the same calls give the same ids.
 */
export class SequentialIds {
  private readonly counters: Record<SequentialIdKind, number> = { request: 0, usage: 0, ledger: 0, trace: 0 };

  constructor(private readonly derive: SeedDerivation) {}

  next(kind: SequentialIdKind): string {
    return uuidFromBytes(this.derive.bytes(`${kind}:${++this.counters[kind]}`));
  }
}
