import { SHIELD_RULES, type ShieldFlag, type ShieldRule } from './rules.js';

export type { ShieldFlag, ShieldRule } from './rules.js';
export { SHIELD_RULES } from './rules.js';

export type ShieldMode = 'off' | 'monitor' | 'strict';
export type ShieldAction = 'allowed' | 'flagged' | 'blocked';

export const SHIELD_MODES: readonly ShieldMode[] = ['off', 'monitor', 'strict'];
/** Strict mode blocks at a score of 0.70. */
export const BLOCK_THRESHOLD_BP = 7000;
const MAX_SCORE_BP = 10000;

export interface ShieldVerdict {
  mode: ShieldMode;
  /** 0..10000; integer so receipts never sign a float. */
  score_bp: number;
  /** Distinct flags in a stable order. */
  flags: ShieldFlag[];
  action: ShieldAction;
  /** Ids of the rules that fired (diagnostics; not part of receipts). */
  rules: string[];
}

const FLAG_ORDER: readonly ShieldFlag[] = ['prompt_injection', 'hidden_instructions', 'secret_leak', 'suspicious_link'];

/** Scans an upstream body. `off` skips the scan entirely (and the call costs no shield fee). */
export function scan(body: string | Uint8Array, mode: ShieldMode, rules: readonly ShieldRule[] = SHIELD_RULES): ShieldVerdict {
  if (mode === 'off') return { mode, score_bp: 0, flags: [], action: 'allowed', rules: [] };
  const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false }).decode(body);
  const fired = rules.filter((rule) => rule.test(text));
  const score = Math.min(MAX_SCORE_BP, fired.reduce((sum, rule) => sum + rule.weightBp, 0));
  const flagSet = new Set(fired.map((rule) => rule.flag));
  const flags = FLAG_ORDER.filter((flag) => flagSet.has(flag));
  const action: ShieldAction = mode === 'strict' && score >= BLOCK_THRESHOLD_BP ? 'blocked' : score > 0 ? 'flagged' : 'allowed';
  return { mode, score_bp: score, flags, action, rules: fired.map((rule) => rule.id) };
}

/** The header form `0.00`..`1.00`, truncated (not rounded) so a shown 0.70 always means "blocks". */
export function formatScore(scoreBp: number): string {
  const whole = Math.floor(scoreBp / 10000);
  const cents = Math.floor((scoreBp % 10000) / 100);
  return `${whole}.${String(cents).padStart(2, '0')}`;
}
