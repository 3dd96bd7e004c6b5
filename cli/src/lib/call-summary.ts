import { formatUsd } from './format.js';
import { paint } from './terminal.js';

interface ShieldLike {
  mode: string;
  score: number;
  flags: readonly string[];
  action: string;
}
interface VerdictLike {
  valid: boolean;
  reason: string;
}

export interface CallFacts {
  status?: number;
  cost: number | bigint | null;
  requestId: string | null;
  receipt: unknown;
  receiptVerdict: VerdictLike | null;
  shield: ShieldLike | null;
  replayed?: boolean;
  idempotencyKey?: string;
}

function receiptState(facts: CallFacts): string {
  if (!facts.receipt && !facts.receiptVerdict) return 'receipt: none';
  if (!facts.receiptVerdict) return 'receipt: not verified (pass --keys to verify)';
  return facts.receiptVerdict.valid
    ? paint('green', 'receipt: valid', process.stderr)
    : paint('red', `receipt: INVALID (${facts.receiptVerdict.reason})`, process.stderr);
}

function shieldText(shield: ShieldLike): string {
  const text = `shield: ${shield.mode} ${shield.action} score ${shield.score.toFixed(2)}${shield.flags.length ? ` [${shield.flags.join(',')}]` : ''}`;
  // Colour only on a terminal, never with NO_COLOR (paint decides).
  return shield.action === 'allowed' ? text : paint(shield.action === 'blocked' ? 'red' : 'yellow', text, process.stderr);
}

/** The one stderr line after a paid call: cost, request id, receipt verdict, shield verdict. */
export function formatCallSummary(facts: CallFacts): string {
  const parts = [
    facts.cost === null ? 'cost: unknown' : `cost: ${formatUsd(facts.cost)}`,
    ...(facts.requestId ? [`request: ${facts.requestId}`] : []),
    receiptState(facts),
    facts.shield ? shieldText(facts.shield) : 'shield: n/a',
    ...(facts.replayed ? ['replayed: no new charge'] : []),
  ];
  return parts.join(' · ');
}

/** JSON-safe view (bigint costs become strings). */
export function callFactsJson(facts: CallFacts): Record<string, unknown> {
  return {
    ...(facts.status === undefined ? {} : { status: facts.status }),
    cost_micro_cents: typeof facts.cost === 'bigint' ? facts.cost.toString() : facts.cost,
    request_id: facts.requestId,
    receipt: facts.receipt ?? null,
    receipt_verdict: facts.receiptVerdict ? { valid: facts.receiptVerdict.valid, reason: facts.receiptVerdict.reason } : null,
    shield: facts.shield,
    ...(facts.replayed === undefined ? {} : { replayed: facts.replayed }),
    ...(facts.idempotencyKey === undefined ? {} : { idempotency_key: facts.idempotencyKey }),
  };
}
