/** The CLI's exit codes: stable, documented in `proxygate help exit-codes`, relied on by scripts. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  insufficientScope: 3,
  authRequired: 4,
  shieldBlocked: 5,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCodeValue; meaning: string }> = [
  { code: ExitCode.ok, meaning: 'success (for receipts verify: every receipt is valid)' },
  { code: ExitCode.failure, meaning: 'the API answered an error, the network failed, or a receipt did not verify' },
  { code: ExitCode.usage, meaning: 'usage error: unknown command or flag, missing argument, unreadable input' },
  { code: ExitCode.insufficientScope, meaning: 'the token lacks a scope the operation needs (403 insufficient_scope)' },
  { code: ExitCode.authRequired, meaning: 'authentication needed: no token, or it is invalid, expired or revoked (401)' },
  { code: ExitCode.shieldBlocked, meaning: 'the shield blocked the response (422 response_blocked); the charge is refunded' },
  { code: ExitCode.interrupted, meaning: 'interrupted (Ctrl-C)' },
];
