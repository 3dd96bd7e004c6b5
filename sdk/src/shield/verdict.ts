// Shield verdict types and their parsing from response headers and signed receipts.
// Scores travel as decimals in headers and as basis points in receipts; we keep both as integers
// of basis points internally so nothing depends on float rounding.

export type ShieldMode = 'off' | 'monitor' | 'strict';
export type ShieldAction = 'allowed' | 'flagged' | 'blocked';
/** Known flags; the gateway may add others, which are kept as plain strings. */
export type ShieldFlag =
  | 'prompt_injection'
  | 'hidden_instructions'
  | 'secret_leak'
  | 'suspicious_link'
  | (string & {});

export const SHIELD_MODES: readonly ShieldMode[] = ['off', 'monitor', 'strict'];
/** What the gateway adds to a call's price when the shield mode is not `off`, in micro-USD ($0.005). */
export const SHIELD_SURCHARGE_MICRO_USD = 5_000;
export const SHIELD_ACTIONS: readonly ShieldAction[] = ['allowed', 'flagged', 'blocked'];

export interface ShieldVerdict {
  /** Mode the gateway applied. */
  mode: ShieldMode;
  /** Score in basis points, 0 (safe) .. 10000 (malicious). */
  scoreBp: number;
  /** Score as a decimal 0..1, for display only (derived from `scoreBp`). */
  score: number;
  flags: ShieldFlag[];
  action: ShieldAction;
  /** Where the verdict came from: signed receipt values win over headers. */
  source: 'headers' | 'receipt';
}

/** The `shield` object signed inside a v3 receipt. */
export interface SignedShield {
  mode: string;
  score_bp: number;
  flags: string[];
  action: string;
}

export const SHIELD_HEADERS = {
  mode: 'x-proxygate-shield',
  score: 'x-proxygate-shield-score',
  flags: 'x-proxygate-shield-flags',
  action: 'x-proxygate-shield-action',
} as const;

export function isShieldMode(value: unknown): value is ShieldMode {
  return typeof value === 'string' && (SHIELD_MODES as readonly string[]).includes(value);
}

export function isShieldAction(value: unknown): value is ShieldAction {
  return typeof value === 'string' && (SHIELD_ACTIONS as readonly string[]).includes(value);
}

const DECIMAL_SCORE = /^(0|1)(?:\.(\d{1,4}))?$/;

/**
 * Parses a header score ("0.73", "1.00", "0") into basis points without floats.
 * Returns undefined for anything outside 0..1 or with more than 4 decimals.
 */
export function parseScoreBp(text: string): number | undefined {
  const match = DECIMAL_SCORE.exec(text.trim());
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(4, '0'));
  const bp = whole * 10_000 + fraction;
  return bp <= 10_000 ? bp : undefined;
}

/**
 * Basis points to the header's two-decimal form ("0.73"), truncated like the gateway does so a
 * shown 0.70 always means "would block".
 */
export function formatScore(scoreBp: number): string {
  const hundredths = Math.floor(scoreBp / 100);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** Whether a header score is the signed score as shown with two decimals (truncated or rounded). */
function scoresAgree(claimedBp: number, signedBp: number): boolean {
  if (claimedBp === signedBp) return true;
  if (claimedBp % 100 !== 0) return false;
  return claimedBp === Math.floor(signedBp / 100) * 100 || claimedBp === Math.round(signedBp / 100) * 100;
}

export function parseFlags(text: string | null | undefined): ShieldFlag[] {
  if (text == null) return [];
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  return trimmed
    .split(',')
    .map((flag) => flag.trim())
    .filter((flag) => flag !== '' && flag !== 'none');
}

/** The public gateway sends no action header; infer it the way the gateway decides. */
function inferAction(mode: ShieldMode, flags: readonly string[]): ShieldAction {
  if (mode === 'off') return 'allowed';
  return flags.length > 0 ? 'flagged' : 'allowed';
}

function verdictOf(
  mode: ShieldMode,
  scoreBp: number,
  flags: ShieldFlag[],
  action: ShieldAction,
  source: ShieldVerdict['source'],
): ShieldVerdict {
  return { mode, scoreBp, score: scoreBp / 10_000, flags, action, source };
}

interface HeaderLike {
  get(name: string): string | null;
}

/** The applied mode as a response header spells it: the public gateway writes `monitored`, others `monitor`. */
function appliedMode(text: string | null | undefined): string | undefined {
  const mode = text?.trim().toLowerCase();
  return mode === 'monitored' ? 'monitor' : mode;
}

/**
 * Reads the verdict from the `x-proxygate-shield*` headers. Returns null when the gateway sent
 * no shield headers at all (or an unknown mode), so callers never see an invented verdict.
 */
export function parseShieldHeaders(headers: HeaderLike): ShieldVerdict | null {
  const mode = appliedMode(headers.get(SHIELD_HEADERS.mode));
  if (!isShieldMode(mode)) return null;
  const scoreText = headers.get(SHIELD_HEADERS.score);
  const scoreBp = scoreText == null ? 0 : parseScoreBp(scoreText) ?? 0;
  const flags = parseFlags(headers.get(SHIELD_HEADERS.flags));
  const actionText = headers.get(SHIELD_HEADERS.action)?.trim().toLowerCase();
  const action = isShieldAction(actionText) ? actionText : inferAction(mode, flags);
  return verdictOf(mode, scoreBp, flags, action, 'headers');
}

/** Converts the signed receipt verdict; null when it is not well formed. */
export function shieldFromSigned(signed: unknown): ShieldVerdict | null {
  if (typeof signed !== 'object' || signed === null) return null;
  const { mode, score_bp: scoreBp, flags, action } = signed as Record<string, unknown>;
  if (!isShieldMode(mode) || !isShieldAction(action)) return null;
  if (typeof scoreBp !== 'number' || !Number.isInteger(scoreBp) || scoreBp < 0 || scoreBp > 10_000) {
    return null;
  }
  if (!Array.isArray(flags) || !flags.every((flag) => typeof flag === 'string')) return null;
  return verdictOf(mode, scoreBp, [...(flags as string[])], action, 'receipt');
}

/** Reads the `shield` object of the SSE `proxygate.receipt` event (score as decimal or bp). */
export function shieldFromEvent(value: unknown): ShieldVerdict | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const mode = typeof record['mode'] === 'string' ? appliedMode(record['mode']) : undefined;
  if (!isShieldMode(mode)) return null;
  let scoreBp = 0;
  if (typeof record['score_bp'] === 'number' && Number.isInteger(record['score_bp'])) {
    scoreBp = record['score_bp'];
  } else if (typeof record['score'] === 'number' || typeof record['score'] === 'string') {
    scoreBp = parseScoreBp(String(record['score'])) ?? 0;
  }
  const rawFlags = record['flags'];
  const flags = Array.isArray(rawFlags)
    ? rawFlags.filter((flag): flag is string => typeof flag === 'string')
    : typeof rawFlags === 'string'
      ? parseFlags(rawFlags)
      : [];
  const action = isShieldAction(record['action']) ? record['action'] : inferAction(mode, flags);
  return verdictOf(mode, scoreBp, flags, action, 'headers');
}

/**
 * Describes how a header verdict differs from the signed one, or returns null when they agree.
 * The header score has two decimals, so it agrees when it is the signed score cut to 0.01.
 */
export function shieldMismatch(claimed: ShieldVerdict, signed: ShieldVerdict): string | null {
  const problems: string[] = [];
  if (claimed.mode !== signed.mode) problems.push(`mode ${claimed.mode} != ${signed.mode}`);
  if (!scoresAgree(claimed.scoreBp, signed.scoreBp)) {
    problems.push(`score ${formatScore(claimed.scoreBp)} != ${formatScore(signed.scoreBp)}`);
  }
  const claimedFlags = [...new Set(claimed.flags)].sort();
  const signedFlags = [...new Set(signed.flags)].sort();
  if (claimedFlags.join(',') !== signedFlags.join(',')) {
    problems.push(`flags [${claimedFlags.join(',')}] != [${signedFlags.join(',')}]`);
  }
  if (claimed.action !== signed.action) problems.push(`action ${claimed.action} != ${signed.action}`);
  return problems.length === 0 ? null : problems.join('; ');
}
