import type { Money } from './money.js';
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
  message?: string;
}

export interface CallFacts {
  status?: number;
  /** Micro-USD charged: the receipt's amount. */
  cost: number | bigint | null;
  requestId: string | null;
  receipt: unknown;
  /** The receipt exactly as the gateway sent it. */
  rawReceipt: string | null;
  receiptVerdict: VerdictLike | null;
  shield: ShieldLike | null;
  replayed?: boolean;
  idempotencyKey?: string | null;
}

function receiptState(facts: CallFacts, savedTo: string | undefined): string {
  const saved = savedTo ? `, saved to ${savedTo}` : '';
  if (!facts.rawReceipt && !facts.receiptVerdict) return 'receipt: none';
  if (!facts.receiptVerdict) return `receipt: not verified (pass --keys to verify)${saved}`;
  // Kept but unverified (no keys could be had): said plainly, never passed off as valid.
  if (facts.receiptVerdict.reason === 'no_keys') return paint('yellow', `receipt: NOT verified (no receipt keys; "proxygate receipts keys trust" pins them)${saved}`, process.stderr);
  return facts.receiptVerdict.valid
    ? paint('green', `receipt: valid${saved}`, process.stderr)
    : paint('red', `receipt: INVALID (${facts.receiptVerdict.reason})${saved}`, process.stderr);
}

function shieldText(shield: ShieldLike): string {
  const text = `shield: ${shield.mode} ${shield.action} score ${shield.score.toFixed(2)}${shield.flags.length ? ` [${shield.flags.join(',')}]` : ''}`;
  // Colour only on a terminal, never with NO_COLOR (paint decides).
  return shield.action === 'allowed' ? text : paint(shield.action === 'blocked' ? 'red' : 'yellow', text, process.stderr);
}

/** The one stderr line after a paid call: cost (from the receipt), request id, receipt verdict, shield verdict. */
export function formatCallSummary(money: Money, facts: CallFacts, savedTo?: string): string {
  const parts = [
    facts.cost === null ? 'cost: unknown (no receipt)' : `cost: ${money.formatUsd(facts.cost)}`,
    ...(facts.requestId ? [`request: ${facts.requestId}`] : []),
    receiptState(facts, savedTo),
    facts.shield ? shieldText(facts.shield) : 'shield: n/a',
    ...(facts.replayed ? ['replayed: no new charge'] : []),
  ];
  return parts.join(' · ');
}

/** JSON-safe view (bigint costs become strings). */
export function callFactsJson(facts: CallFacts): Record<string, unknown> {
  return {
    ...(facts.status === undefined ? {} : { status: facts.status }),
    cost_micro_usd: typeof facts.cost === 'bigint' ? facts.cost.toString() : facts.cost,
    request_id: facts.requestId,
    receipt: facts.receipt ?? null,
    receipt_raw: facts.rawReceipt,
    receipt_verdict: facts.receiptVerdict
      ? { valid: facts.receiptVerdict.valid, reason: facts.receiptVerdict.reason, ...(facts.receiptVerdict.message && !facts.receiptVerdict.valid ? { message: facts.receiptVerdict.message } : {}) }
      : null,
    shield: facts.shield,
    ...(facts.replayed === undefined ? {} : { replayed: facts.replayed }),
    ...(facts.idempotencyKey === undefined || facts.idempotencyKey === null ? {} : { idempotency_key: facts.idempotencyKey }),
  };
}
