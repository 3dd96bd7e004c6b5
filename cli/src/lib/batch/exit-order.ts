// The exit code of a batch is its worst line's. "Worst" is the order below, most urgent first: what
// a script must act on before anything else (documented in `call --help` and cli/README.md).
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

/**
 * 130 interrupted (lines were left unrun) > 6 a call may have been charged with its answer lost
 * > 1 failure (an API error, a receipt that does not verify, a refused budget) > 4 authentication
 * > 3 scope > 2 a line that is not a call (or names an ambiguous listing) > 5 blocked by the
 * shield (refunded) > 0.
 */
export const WORST_FIRST: readonly ExitCodeValue[] = [
  ExitCode.interrupted,
  ExitCode.outcomeUnknown,
  ExitCode.failure,
  ExitCode.authRequired,
  ExitCode.insufficientScope,
  ExitCode.usage,
  ExitCode.shieldBlocked,
  ExitCode.ok,
];

/** The worse of two exit codes (an undocumented code ranks as a failure). */
export function worseExit(a: number, b: number): number {
  const rank = (code: number) => {
    const at = WORST_FIRST.indexOf(code as ExitCodeValue);
    return at === -1 ? WORST_FIRST.indexOf(ExitCode.failure) : at;
  };
  return rank(b) < rank(a) ? b : a;
}
