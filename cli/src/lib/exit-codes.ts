/** The CLI's exit codes: stable, documented in `proxygate help exit-codes`, relied on by scripts. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  insufficientScope: 3,
  authRequired: 4,
  shieldBlocked: 5,
  /** A paid call may have been charged but its answer was lost; it was not sent again. */
  outcomeUnknown: 6,
  /** An audit state or partial audit report that cannot be trusted (damaged, edited, other version or keys): refused. */
  auditInputRefused: 7,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCodeValue; meaning: string }> = [
  { code: ExitCode.ok, meaning: 'success (for receipts verify / audit: every receipt is valid, and there was at least one)' },
  {
    code: ExitCode.failure,
    meaning:
      'the API answered an error (a spend-limit block included: nothing charged), the network failed before\n' +
      '       anything could be charged, a receipt did not verify (or an audit found a gap, fork, duplicate,\n' +
      '       downgrade or usage mismatch), receipts verify / audit read no receipt at all (unless --allow-empty),\n' +
      '       the gateway does not serve the extension the command needs (tokens, receipts log), or it answered\n' +
      '       with a redirect that is not followed (redirect_refused: to another origin, of a paid call, of a\n' +
      '       request other than GET/HEAD, or past five hops; use the final gateway URL)',
  },
  {
    code: ExitCode.usage,
    meaning:
      'usage error: unknown command or flag (with "did you mean"), an unexpected or missing argument,\n' +
      '       unreadable input, an amount with more than 6 decimals, a listing reference that matches several\n' +
      '       listings (the candidates are listed), mcp call arguments that do not fit the tool\'s input schema\n' +
      '       (the fields it takes are listed), or a value refused before anything was sent (invalid_request:\n' +
      '       a path, header, body or gateway URL)',
  },
  {
    code: ExitCode.insufficientScope,
    meaning: 'the token may not do this (403): it lacks a scope (insufficient_scope, or the public gateway\'s\n       forbidden) or is not allowed on the listing',
  },
  { code: ExitCode.authRequired, meaning: 'authentication needed: no token, or it is invalid, expired or revoked (401)' },
  {
    code: ExitCode.shieldBlocked,
    meaning: 'the shield blocked the response (422 response_blocked); the charge is refunded (the error line says\n       whether a verified receipt proves it, or why not: no receipt keys, or a receipt that did not verify)',
  },
  {
    code: ExitCode.outcomeUnknown,
    meaning:
      'a paid call MAY HAVE BEEN CHARGED but its answer was lost; it was not sent again (the gateway does\n' +
      '       not replay paid calls by key). Run the printed "proxygate usage ..." command before retrying',
  },
  {
    code: ExitCode.auditInputRefused,
    meaning:
      'receipts audit refused its saved state (--state) or a partial report (audit merge): damaged, edited,\n' +
      '       of another version or made with other receipt keys. Nothing was audited; restore a good copy, or\n' +
      '       move it away to start a full audit',
  },
  { code: ExitCode.interrupted, meaning: 'interrupted (Ctrl-C)' },
];
