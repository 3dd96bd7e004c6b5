import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { closestNames, takesNoArguments } from './help-suggest.js';
import { ALLOW_LEGACY_RECEIPTS_HINT, legacyReceiptText } from './legacy-receipts.js';
import { redactSecrets } from './redact.js';

/** A failure the CLI reports as one line `code: message (action)` and a documented exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failure,
    readonly action?: string,
    /** Extra fields for the `--json` error object (e.g. the candidates of an ambiguous reference). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Wrong invocation: bad flag value, unreadable input file, prompt needed but not possible. */
export class UsageError extends CliError {
  constructor(message: string, action?: string) {
    super('usage_error', message, ExitCode.usage, action);
  }
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  status?: unknown;
  code?: unknown;
  error?: unknown;
  body?: unknown;
  action?: unknown;
  requiredScope?: unknown;
  required_scope?: unknown;
  likelyScope?: unknown;
  feature?: unknown;
  candidates?: unknown;
  oclif?: { exit?: unknown };
}

// oclif's parser errors: all of them mean the command line itself is wrong.
const OCLIF_USAGE_ERRORS = new Set([
  'RequiredArgsError',
  'RequiredFlagError',
  'FailedFlagValidationError',
  'NonExistentFlagsError',
  'UnexpectedArgsError',
  'ArgInvalidOptionError',
  'FlagInvalidOptionError',
  'CLIParseError',
]);

// Gateway actions name REST paths ("Browse GET /v1/apis"); these say which command to run.
const CLI_ACTIONS: Readonly<Record<string, string>> = {
  listing_not_found: 'run "proxygate apis" to find listings',
  listing_not_allowed: 'use a token allowed on this listing; "proxygate whoami" lists the token\'s listings',
  insufficient_credits: 'top up the wallet; "proxygate balance" shows what is available',
};

/** What each extension gives, in words, for the refusal on a gateway that does not serve it. */
const EXTENSION_WORDS: Readonly<Record<string, string>> = {
  tokens: 'minting, listing and revoking delegation tokens',
  token_scopes: 'token introspection',
  receipt_log: 'the receipt log',
  receipt_keys: 'the receipt key-set document',
};

/** The gateway's action unless it is a REST recipe a CLI user cannot follow as written. */
function cliAction(code: string | undefined, action: string | undefined): string | undefined {
  const replacement = code ? CLI_ACTIONS[code] : undefined;
  if (replacement && (action === undefined || /\b(GET|POST|PUT|PATCH|DELETE) \//.test(action))) return replacement;
  return action;
}

function classNames(err: object): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(err); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctorName = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (ctorName) names.push(ctorName);
  }
  const own = (err as ErrorLike).name;
  if (typeof own === 'string') names.push(own);
  return names;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The API error code (`insufficient_scope`, ...) from an SDK error, whatever field carries it. */
function apiCode(err: ErrorLike): string | undefined {
  const body = (typeof err.body === 'object' && err.body !== null ? err.body : typeof err.error === 'object' && err.error !== null ? err.error : undefined) as
    | Record<string, unknown>
    | undefined;
  return str(typeof err.error === 'string' ? err.error : undefined) ?? str(body?.['error']) ?? str(typeof err.code === 'string' ? err.code : undefined);
}

function apiAction(err: ErrorLike): string | undefined {
  const body = (typeof err.body === 'object' && err.body !== null ? err.body : undefined) as Record<string, unknown> | undefined;
  return str(err.action) ?? str(body?.['action']);
}

/**
 * The one place SDK and oclif errors become exit codes. Matches SDK classes by name (the CLI loads
 * the SDK lazily, so it cannot `instanceof` without importing it) and falls back to HTTP status.
 */
export function toCliError(
  thrown: unknown,
  context: {
    commandId?: string | undefined;
    /** The final verdict of the receipt the error carries, when the trail settled it after the SDK (a key pinned on first use). */
    receiptVerdict?: ReceiptVerdictLike | null | undefined;
  } = {},
): CliError {
  if (thrown instanceof CliError) return thrown;
  if (typeof thrown !== 'object' || thrown === null) return new CliError('error', String(thrown));
  const err = thrown as ErrorLike;
  const names = classNames(thrown);
  const message = cleanMessage(err);
  const status = typeof err.status === 'number' ? err.status : undefined;
  const code = apiCode(err);
  const action = apiAction(err);
  const has = (n: string) => names.includes(n);

  if (names.some((n) => OCLIF_USAGE_ERRORS.has(n)) || (has('CLIError') && err.oclif?.exit === 2)) {
    const commandId = context.commandId ?? parsedCommandId(err);
    const help = helpAction(commandId);
    const meant = has('NonExistentFlagsError') ? flagSuggestions(err) : undefined;
    // `balance --json extra` as `balance extra --json` (which the command_not_found hook answers).
    const noArgs = has('UnexpectedArgsError') && commandId && takesNoArgs(err) ? takesNoArguments('proxygate', commandId.replace(/:/g, ' ')) : undefined;
    return new CliError('usage_error', summarizeParseError(message), ExitCode.usage, noArgs ?? (meant ? `${meant} ${help}` : help));
  }
  if (has('AbortError') || has('UserAbortError') || code === 'ABORT_ERR' || code === 'aborted') {
    return new CliError('interrupted', message, ExitCode.interrupted);
  }
  if (has('InvalidRequestError') || code === 'invalid_request') {
    // Refused by the SDK before anything was sent: an argument of this command line is at fault.
    return new CliError('invalid_request', invalidRequestMessage(message, str((thrown as { argument?: unknown }).argument)), ExitCode.usage, helpAction(context.commandId));
  }
  if (has('RedirectRefusedError') || code === 'redirect_refused') {
    // The gateway URL points at a redirect (http -> https, an old host): the token, a paid call or
    // a catalog answer never follows one to another origin, so the URL itself must be the final one.
    return new CliError('redirect_refused', redirectMessage(message), ExitCode.failure, 'use the final gateway origin: --gateway, PROXYGATE_GATEWAY_URL or "proxygate login --gateway URL"');
  }
  if (has('AmbiguousListingError') || code === 'ambiguous_listing') {
    // The reference, not the gateway, is at fault: the user picks one of the candidates (exit 2).
    const candidates = Array.isArray(err.candidates) ? err.candidates : undefined;
    return new CliError(
      'ambiguous_listing',
      message,
      ExitCode.usage,
      'pass one of them as SELLER/SLUG or by its listing id',
      candidates ? { candidates } : undefined,
    );
  }
  if (has('PaidCallOutcomeUnknownError') || code === 'paid_call_outcome_unknown') {
    const request = (err as { request?: { usageQuery?: { service?: string; from?: string } } }).request;
    const query = request?.usageQuery;
    const command = ['proxygate usage', ...(query?.service ? [`--service ${query.service}`] : []), ...(query?.from ? [`--from ${query.from}`] : [])].join(' ');
    return new CliError('paid_call_outcome_unknown', outcomeMessage(message), ExitCode.outcomeUnknown, `check with "${command}" before calling again`, request ? { request } : undefined);
  }
  if (has('SpendLimitError')) {
    return new CliError(
      code ?? 'spend_limit_exceeded',
      `${message.replace(/\.?$/, '')}: a spend limit blocked the call; nothing was charged`,
      ExitCode.failure,
      'wait for the limit to reset, raise it, or use a key with a higher limit; "proxygate whoami" shows the key',
    );
  }
  if (has('ExtensionNotSupportedError') || code === 'extension_not_supported') {
    const feature = str(err.feature) ?? 'unknown';
    const what = EXTENSION_WORDS[feature] ?? `the "${feature}" extension`;
    return new CliError(
      'extension_not_supported',
      `this gateway does not serve ${what} (its GET /health does not advertise the "${feature}" extension); nothing was sent`,
      ExitCode.failure,
      feature === 'tokens' ? "mint delegation tokens in the gateway's web app, or use a gateway that serves the extension" : 'use a gateway that serves the extension',
    );
  }
  if (has('InsufficientScopeError') || code === 'insufficient_scope') {
    const scope = str(err.requiredScope) ?? str(err.required_scope);
    return new CliError(
      'insufficient_scope',
      message,
      ExitCode.insufficientScope,
      action ?? (scope ? `use a token with the "${scope}" scope` : 'use a token with the missing scope'),
    );
  }
  if (has('PermissionDeniedError') || code === 'forbidden' || status === 403) {
    // The public gateway's 403 names no scope; the SDK adds the one the operation likely needs.
    const likely = str(err.likelyScope);
    const cli = code ? CLI_ACTIONS[code] : undefined;
    return new CliError(code ?? 'forbidden', message, ExitCode.insufficientScope, cli ?? (likely ? `use a token with the ${likely} scope` : (action ?? 'use a token with the scope this operation needs')));
  }
  if (has('AuthenticationError') || status === 401) {
    // The gateway's action speaks HTTP ("Authorization: Bearer <token>"); a CLI user needs the CLI's.
    return new CliError(code ?? 'unauthorized', message, ExitCode.authRequired, 'use a valid key: run "proxygate login", pass --api-key or set PROXYGATE_API_KEY');
  }
  if (has('ShieldBlockedError') || code === 'response_blocked' || code === 'shield_blocked') {
    return new CliError('shield_blocked', message, ExitCode.shieldBlocked, blockAction(thrown, context.receiptVerdict) ?? action ?? 'the charge was refunded; the response is withheld');
  }
  // The SDK's TimeoutError is a ConnectionError; a DOM TimeoutError (AbortSignal.timeout) is named so.
  if (has('ConnectionError') || has('TimeoutError')) {
    return new CliError('connection_error', message, ExitCode.failure, 'check the gateway URL (--gateway, PROXYGATE_GATEWAY_URL) and your network');
  }
  if (has('ValidationError') && status === undefined) {
    // The SDK's action names its own option (`validation: 'off'`), out of a CLI user's reach.
    return new CliError('invalid_response', message, ExitCode.failure, 'check that --gateway / PROXYGATE_GATEWAY_URL points to a Proxygate gateway; retry later');
  }
  if (status === 429 || has('RateLimitError')) {
    const waitMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
    const wait = typeof waitMs === 'number' ? `retry in ${Math.max(1, Math.ceil(waitMs / 1000))} s` : 'retry later';
    // The gateway's action is a sentence ("...after the Retry-After interval."): no "interval.; retry".
    return new CliError(code ?? 'rate_limit_exceeded', message, ExitCode.failure, action ? `${action.replace(/[\s.;]+$/, '')}; ${wait}` : wait);
  }
  if (code || status !== undefined) {
    return new CliError(code ?? `http_${status}`, message, ExitCode.failure, cliAction(code, action));
  }
  if (has('CLIError')) {
    const exit = err.oclif?.exit;
    return new CliError('error', firstLine(message), exit === 2 ? ExitCode.usage : ExitCode.failure);
  }
  return new CliError('error', message, ExitCode.failure);
}

/**
 * The gateway's own sentence when the error carries its body; SDK messages otherwise, without the
 * "404 listing_not_found " or "listing_not_found: " prefix the line's code already says.
 */
function cleanMessage(err: ErrorLike): string {
  const body = typeof err.body === 'object' && err.body !== null ? (err.body as Record<string, unknown>) : undefined;
  const fromBody = str(body?.['message']);
  if (fromBody) return fromBody;
  const message = str(err.message) ?? 'unknown error';
  const code = apiCode(err);
  let cleaned = message.replace(/^\d{3} [a-z_]+ (?=\S)/, '');
  if (code && cleaned.startsWith(`${code}: `)) cleaned = cleaned.slice(code.length + 2);
  return cleaned || message;
}

// The SDK's option names (InvalidRequestError.argument) as a CLI user spells them.
const CLI_ARGUMENTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^gatewayUrl$/, 'the gateway URL (--gateway, PROXYGATE_GATEWAY_URL or the profile\'s)'],
  [/^idempotencyKey$/, '--idempotency-key'],
  [/^maxCost$/, '--max-cost'],
  [/^maxRetries$/, '--max-retries'],
  [/^method$/, 'the method'],
  [/^path$/, 'the path'],
  [/^body$/, 'the body (--data)'],
  [/^listing$/, 'the listing'],
  [/^shield$/, '--shield'],
  [/^query(\.|$)/, 'a query parameter (--query)'],
  [/^headers(\.|$)/, 'a header'],
];

/**
 * `gatewayUrl: must not carry a query...; nothing was sent` in the CLI's words: the flag or
 * argument instead of the SDK option, the rest of the SDK's sentence kept.
 */
function invalidRequestMessage(message: string, argument: string | undefined): string {
  if (!argument || !message.startsWith(`${argument}: `)) return message;
  const spelled = CLI_ARGUMENTS.find(([pattern]) => pattern.test(argument))?.[1];
  if (!spelled) return message;
  const detail = /^headers\.(.+)$/.exec(argument)?.[1] ?? /^query\.(.+)$/.exec(argument)?.[1];
  return `${spelled}${detail ? ` "${detail}"` : ''}: ${message.slice(argument.length + 2)}`;
}

/** `The gateway answered 301, a redirect to another origin (...): not followed`, as the line's sentence. */
function redirectMessage(message: string): string {
  return message.replace(/^The gateway/, 'the gateway');
}

interface ReceiptVerdictLike {
  valid: boolean;
  reason: string;
  receipt?: { receipt_version?: number | undefined } | null | undefined;
}

/**
 * What a block's receipt proves about the refund. Only a receipt that verified proves it (amount
 * 0: refunded; more: charged); otherwise the refund is the gateway's word, and the line says why
 * it is not more: no receipt keys (`no_keys`, not a failure of the receipt), or a receipt that did
 * not verify.
 */
function blockAction(thrown: object, settled: ReceiptVerdictLike | null | undefined): string | undefined {
  const e = thrown as { refunded?: { value?: unknown }; receiptVerdict?: ReceiptVerdictLike | null; refundReceipt?: { amount?: unknown } | null };
  if (typeof e.refunded !== 'object' || e.refunded === null) return undefined;
  const verdict = settled ?? e.receiptVerdict ?? null;
  const amount = e.refundReceipt?.amount;
  if (verdict?.valid === true && (typeof amount === 'number' || typeof amount === 'string' || typeof amount === 'bigint')) {
    return String(amount) === '0'
      ? 'its verified receipt refunds the charge; the response is withheld'
      : `its verified receipt CHARGES the blocked call (${String(amount)} micro-USD): it was not refunded; the response is withheld`;
  }
  const claim = e.refunded.value === true ? 'the gateway says the charge was refunded' : 'the gateway does not say the charge was refunded';
  const why =
    verdict === null
      ? 'no receipt came with the block'
      : verdict.reason === 'no_keys'
        ? 'its receipt is not verified: no receipt keys ("proxygate receipts keys trust" pins them)'
        : verdict.reason === 'downgrade'
          ? `its receipt is ${legacyReceiptText(verdict)}; ${ALLOW_LEGACY_RECEIPTS_HINT}`
          : `its receipt did not verify (${verdict.reason})`;
  return `${claim}, but ${why}; the response is withheld`;
}

/** Whether the command whose line oclif's parser refused takes no arguments at all. */
function takesNoArgs(err: ErrorLike): boolean {
  const input = (err as { parse?: { input?: { args?: object; strict?: boolean } } }).parse?.input;
  return input?.args !== undefined && Object.keys(input.args).length === 0 && input.strict !== false;
}

/** The id of the command whose line oclif's parser refused (its context is the command). */
function parsedCommandId(err: ErrorLike): string | undefined {
  return str((err as { parse?: { input?: { context?: { id?: unknown } } } }).parse?.input?.context?.id);
}

/**
 * `did you mean --limit?` for `--limt` (the flags of the command oclif's error carries), as for
 * commands; undefined when no typed flag is close to a real one.
 */
function flagSuggestions(err: ErrorLike): string | undefined {
  const typed = (err as { flags?: unknown }).flags;
  const table = (err as { parse?: { input?: { flags?: Record<string, { type?: string; allowNo?: boolean }> } } }).parse?.input?.flags;
  if (!Array.isArray(typed) || !table) return undefined;
  const known = Object.entries(table).flatMap(([name, flag]) => (flag.type === 'boolean' && flag.allowNo ? [name, `no-${name}`] : [name]));
  const found = typed.flatMap((flag) => {
    const name = typeof flag === 'string' && flag.startsWith('--') ? flag.slice(2).split('=')[0]! : undefined;
    const close = name ? closestNames(name, known).map((n) => `--${n}`) : [];
    return close.length > 0 ? [{ flag: String(flag), close }] : [];
  });
  if (found.length === 0) return undefined;
  const alternatives = (close: string[]) => (close.length === 1 ? close[0]! : `${close.slice(0, -1).join(', ')} or ${close.at(-1)!}`);
  if (typed.length === 1) return `did you mean ${alternatives(found[0]!.close)}?`;
  return `did you mean ${found.map((f) => `${alternatives(f.close)} for ${f.flag}`).join(', ')}?`;
}

/** `see "proxygate tokens create --help"`: the exact help to read, not just "see --help". */
function helpAction(commandId: string | undefined): string {
  return commandId ? `see "proxygate ${commandId.replace(/:/g, ' ')} --help"` : 'see --help';
}

/**
 * oclif's parser errors are several lines (a header, details, notes, "See more help"); keep the
 * header and the details on one line so the user learns what is wrong without opening --help.
 */
export function summarizeParseError(text: string): string {
  const lines: string[] = [];
  // Whether each line was indented: a long argument description wraps onto indented lines.
  const indented: boolean[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^(Note:|See more help with)/.test(line)) break;
    if (line) {
      lines.push(line);
      indented.push(/^\s/.test(raw));
    }
  }
  const [header, ...details] = lines;
  if (header === undefined) return text.trim();
  if (details.length === 0) return header;
  if (/^The following errors? occurred:$/.test(header)) return details.join('; ');
  // "Missing 2 required args:" then one "name  description" line per argument: keep the names.
  if (/^Missing \d+ required args?:$/.test(header)) {
    const names = details.filter((_, i) => !indented[i + 1]).map((d) => d.split(/\s{2,}/)[0]);
    return `${header} ${names.join(', ')}`;
  }
  return `${header.replace(/:$/, '')}: ${details.join('; ')}`;
}

/** The SDK's sentence, with the words a CLI user can act on (no SDK option names). */
function outcomeMessage(message: string): string {
  return message.replace(/\.\.(?=\s|$)/g, '.').replace(/^Paid call /, 'the paid call ').replace(/, because this gateway does not advertise idempotent paid calls and a re-send could be charged twice$/, ' (this gateway does not replay paid calls by key, so a re-send could be charged twice)');
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? text;
}

/**
 * A failure as --json prints it on stdout: `{ error: { code, message, action, ...details, exit_code } }`,
 * secrets masked as on stderr. Every path that reports a failure prints this one shape.
 */
export function errorJsonOutput(error: CliError, secrets: readonly string[] = []): { error: Record<string, unknown> } {
  const body = { code: error.code, message: error.message, ...(error.action ? { action: error.action } : {}), ...(error.details ?? {}), exit_code: error.exitCode };
  return { error: JSON.parse(redactSecrets(JSON.stringify(body), secrets)) as Record<string, unknown> };
}

/** Whether a command line asks for JSON output: `--json` before any `--`, or PROXYGATE_CONTENT_TYPE=json. */
export function jsonRequested(argv: readonly string[] | undefined, env: Record<string, string | undefined> = process.env): boolean {
  const args = argv ?? [];
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json') || env['PROXYGATE_CONTENT_TYPE']?.toLowerCase() === 'json';
}

/** `code: message (action)`, one line, secrets masked. */
export function formatErrorLine(error: CliError, secrets: readonly string[] = []): string {
  const message = error.message.replace(/\s*\n\s*/g, ' ').trim();
  const line = error.action ? `${error.code}: ${message} (${error.action})` : `${error.code}: ${message}`;
  return redactSecrets(line, secrets);
}
