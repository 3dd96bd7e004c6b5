import { formatUsd } from './format.js';

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
  return facts.receiptVerdict.valid ? 'receipt: valid' : `receipt: INVALID (${facts.receiptVerdict.reason})`;
}

/** The one stderr line after a paid call: cost, request id, receipt verdict, shield verdict. */
export function formatCallSummary(facts: CallFacts): string {
  const parts = [
    facts.cost === null ? 'cost: unknown' : `cost: ${formatUsd(facts.cost)}`,
    ...(facts.requestId ? [`request: ${facts.requestId}`] : []),
    receiptState(facts),
    facts.shield
      ? `shield: ${facts.shield.mode} ${facts.shield.action} score ${facts.shield.score.toFixed(2)}${facts.shield.flags.length ? ` [${facts.shield.flags.join(',')}]` : ''}`
      : 'shield: n/a',
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
