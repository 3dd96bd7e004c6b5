import { CliError, toCliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
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

/** JSON-safe view (a cost is a JSON number up to 2^53 micro-USD, a decimal string beyond). */
export function callFactsJson(facts: CallFacts): Record<string, unknown> {
  return {
    ...(facts.status === undefined ? {} : { status: facts.status }),
    cost_micro_usd: facts.cost === null ? null : BigInt(facts.cost) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(facts.cost) : facts.cost.toString(),
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

/** What a failed paid call's message needs besides the error: the call, and where its receipt went. */
export interface CallFailureContext {
  listing: string;
  /** The shield mode asked for (the surcharge is named unless `off`). */
  shield: string | undefined;
  /** `--gateway` / `--profile` as given, repeated in the commands it suggests (never the key). */
  gateway?: string | undefined;
  profile?: string | undefined;
  /** Where the receipt was kept ("a and b"), when one was. */
  saved: string | undefined;
  /** How the bound is named in a refusal: `--max-cost` (the flag, default) or a batch line's `max_cost`. */
  maxCostName?: string | undefined;
  /** The listing's service, when it was resolved before the failure. */
  service: string | undefined;
  startedAt: number;
  /** The kept receipt's final verdict (the trail may have verified it after the SDK could not: a first-use pin). */
  verdict?: { valid: boolean; reason: string } | undefined;
}

/**
 * The SDK's refusals name its own options (maxCost, shield: "off") and micro-USD; say USD and
 * flags, and the safe next step (replay by key, or the usage command that tells whether a call
 * whose answer was lost was charged). Returns a CliError, or the error itself when it needs no
 * rewording (`toCliError` maps it then).
 */
export function callFailure(error: unknown, money: Money, context: CallFailureContext): unknown {
  const { listing } = context;
  const failure = toCliError(error, { receiptVerdict: context.verdict });
  const kept = context.saved ? `; its receipt was saved to ${context.saved}` : '';
  // The exact command to check, on the same gateway and profile as this call (never the key itself).
  const connection = [...(context.gateway ? [`--gateway ${context.gateway}`] : []), ...(context.profile ? [`--profile ${context.profile}`] : [])];
  const withConnection = (command: string) => [command, ...connection].join(' ');
  if (failure.code === 'paid_call_outcome_unknown') {
    const action = failure.action?.replace(/"(proxygate usage[^"]*)"/, (_, command: string) => `"${withConnection(command)}"`);
    return new CliError(failure.code, failure.message, failure.exitCode, `${action ?? 'check "proxygate usage" before calling again'}${kept}`, failure.details);
  }
  // The SDK decides, for every paid-call failure, whether it may have been charged and how to recover.
  const { recovery, idempotencyKey } = error as { recovery?: unknown; idempotencyKey?: unknown };
  if (recovery === 'replay' && typeof idempotencyKey === 'string') {
    const hint = `retry with --idempotency-key ${idempotencyKey}: a call that went through is replayed, not charged again`;
    return new CliError(failure.code, failure.message, failure.exitCode, `${hint}${kept}`, failure.details);
  }
  if (recovery === 'check_usage') {
    // May have been charged, and this gateway does not replay: exit 6 with the command that tells.
    const from = new Date(context.startedAt - 5 * 60_000).toISOString();
    const command = withConnection(['proxygate usage', ...(context.service ? [`--service ${context.service}`] : []), `--from ${from}`].join(' '));
    return new CliError(failure.code, `${failure.message}; the call may have been charged and was not sent again`, ExitCode.outcomeUnknown, `check with "${command}" before calling again${kept}`, failure.details);
  }
  if (failure.code === 'path_not_allowed') {
    return new CliError(failure.code, failure.message, failure.exitCode, `run "proxygate apis show ${listing}" for its endpoints${kept}`);
  }
  const refused = error as { name?: unknown; priceMicroUsd?: unknown; maxCostMicroUsd?: unknown };
  const shieldOff = context.shield === 'off';
  const bound = context.maxCostName ?? '--max-cost';
  if (refused.name === 'MaxCostExceededError' && typeof refused.priceMicroUsd === 'bigint' && typeof refused.maxCostMicroUsd === 'bigint') {
    const price = `${listing} costs ${money.formatUsd(refused.priceMicroUsd)}${shieldOff ? '' : ' with the shield surcharge'}`;
    return new CliError(
      'max_cost_exceeded',
      `${price}, above ${bound} ${money.formatUsd(refused.maxCostMicroUsd)}; nothing was sent`,
      ExitCode.failure,
      shieldOff ? `raise ${bound} or pick a cheaper listing` : `raise ${bound}, pick a cheaper listing, or pass --shield off to skip the shield surcharge`,
    );
  }
  if (refused.name === 'UnboundedCostError' && typeof refused.maxCostMicroUsd === 'bigint') {
    const reason = /before it is made: (.*); nothing was sent$/.exec(failure.message)?.[1] ?? 'its price depends on the tokens used';
    return new CliError(
      'max_cost_unbounded',
      `${bound} ${money.formatUsd(refused.maxCostMicroUsd)} cannot bound a call to ${listing} before it is made: ${reason}, so its cost depends on the tokens used; nothing was sent`,
      ExitCode.failure,
      `pass --allow-unbounded-cost to call anyway and have the receipt amount checked against ${bound} afterwards, or drop ${bound}`,
    );
  }
  if (kept && failure.exitCode !== ExitCode.usage) return new CliError(failure.code, failure.message, failure.exitCode, `${failure.action ?? 'see the receipt'}${kept}`, failure.details);
  return error;
}
