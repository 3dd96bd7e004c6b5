import { SharedRead } from './shared-read.js';
import { raceSignal } from './signals.js';
import { DEFAULT_GATEWAY_URL } from '../defaults.js';
import { VERSION } from '../version.js';
import type { KeySet, KeySetDocument } from '../receipts/key-set.js';
import type { ReceiptHook } from '../resources/calls/receipt-hook.js';
import { readEnv } from '../internal/env.js';
import { newIdempotencyKey, isValidIdempotencyKey } from '../internal/idempotency.js';
import { resolveLogLevel, SdkLogger, type Logger, type LogLevel } from '../internal/log.js';
import { redactHeaders, redactText, scrubError } from '../internal/redact.js';
import { joinSentences } from '../internal/text.js';
import {
  backoffMs,
  isPreConnectFailure,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfterMs,
  provesNotProcessed,
  serverRetryVerdict,
} from '../internal/retry.js';
import { delegationTokenScopes, hasScope, likelyScopeHint } from '../internal/scopes.js';
import { BodyTimeout, readBody } from '../internal/read-body.js';
import { sendRequest } from '../internal/fetch-request.js';
import { attachResponseHeaders } from '../internal/response-headers.js';
import { paidCallRecord, receiptHeader } from '../internal/paid-call.js';
import { attachCredential } from '../internal/credential.js';
import { isJsonType, rememberAnswer, rememberBody } from '../internal/answer-body.js';
import { requiresAuth } from '../internal/auth-paths.js';
import { corsApplies, userAgent } from '../internal/platform.js';
import { paidRecovery } from './paid-recovery.js';
import { checkFetchOptions, checkGatewayUrl, checkHeaders, checkMethod, checkRetries, checkTimeout, REQUEST_METHODS } from '../internal/request-checks.js';
import { abortableSleep, attemptSignal } from '../internal/timeout.js';
import { validate, type Model, type ValidationMode } from '../internal/validate.js';
import * as Errors from './error.js';
import { declaredExtensions, parseExtensions, type GatewayExtensions } from './extensions.js';
import type { Answer } from './typed-paths.js';
import { chain, isFetchError, type Middleware, type MiddlewareContext } from './middleware.js';
import { PagePromise, type CursorBody, type ListBody, type PageRequest } from './pagination.js';
import { APIPromise } from './api-promise.js';
import { Calls } from '../resources/calls/calls.js';
import { Catalog } from '../resources/catalog.js';
import { Account } from '../resources/account.js';
import { Tokens } from '../resources/tokens.js';
import { ReceiptsLog } from '../resources/receipts-log.js';
import { Meta } from '../resources/meta.js';

export { DEFAULT_GATEWAY_URL };
/** Default per-attempt timeout (ms). Below undici's 300 s header/body timeouts on purpose. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 2;

/** A WHATWG fetch (global fetch, undici, a test double). */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/** Header values; `null` removes a default header. */
export type HeadersInit = Record<string, string | null | undefined>;

/**
 * Extra `fetch` options (`RequestInit` fields such as `cache`, `keepalive`, `priority`, or undici's
 * `dispatcher` on Node). The SDK sets `method`, `body`, `headers`, `signal` and `redirect` itself:
 * passing them here is refused (use the call's own options).
 */
type SdkRequestInit = Omit<RequestInit, 'method' | 'body' | 'headers' | 'signal' | 'redirect' | 'window'>;
/**
 * `fetch` options the SDK passes through: `RequestInit` without what the SDK sets, plus any
 * runtime-specific option (undici's `dispatcher`, Bun's `proxy`, Cloudflare's `cf`). The plain
 * form admits a value typed with an interface (which has no index signature).
 */
export type FetchOptions = SdkRequestInit | (SdkRequestInit & { [option: string]: unknown });

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/**
 * Receipt keys for offline verification: a loaded `KeySet` (from `@proxygate-kit/sdk/receipts`), a
 * key-set document as served at `/.well-known/proxygate-receipt-keys` or as `meta.receiptKeys()`
 * gives it, or that document's JSON (text or UTF-8 bytes). Paid calls load a document once, with
 * the receipts module's strict checks (`KeySetError` when it is not usable).
 */
export type KeySetLike = KeySet | KeySetDocument | string | Uint8Array;

export interface ClientOptions {
  /**
   * Gateway token (`pg_live_...` API key or `pg_del_...` delegation token), or a function returning
   * one (called once per logical request, so rotating credentials work).
   * Default: env `PROXYGATE_API_KEY`, read only when `apiKey` is left out (`null`, a blank string or
   * a function returning none is no key). Catalog, health and key-set calls work without a token.
   */
  apiKey?: string | (() => string | Promise<string>) | null | undefined;
  /** Gateway origin. Default: env `PROXYGATE_GATEWAY_URL`, else `https://gateway.proxygate.ai`. */
  gatewayUrl?: string | undefined;
  /**
   * Timeout of each attempt in milliseconds (retries get a fresh one). Default 60 000. On Node,
   * undici also stops at 300 s; raise its `headersTimeout`/`bodyTimeout` through a custom `fetch`
   * for longer calls.
   */
  timeout?: number | undefined;
  /** Retries after the first attempt for retryable failures. Default 2; 0 disables retries. */
  maxRetries?: number | undefined;
  /** fetch implementation. Default: `globalThis.fetch`. */
  fetch?: Fetch | undefined;
  /** Where log lines go. Default: `console`. Every line is redacted. */
  logger?: Logger | undefined;
  /** `off` | `error` | `warn` | `info` | `debug`. Default: env `PROXYGATE_LOG`, else `warn`. */
  logLevel?: LogLevel | undefined;
  /** Headers sent with every request; a `null` value removes a header the SDK would send. */
  defaultHeaders?: HeadersInit | undefined;
  /** `fetch` options sent with every request (see `FetchOptions`); a request's own are layered over them. */
  fetchOptions?: FetchOptions | undefined;
  /**
   * Scopes the token is known to hold. When set (or learnt by `tokens.self()`, or read from the
   * `scopes` claim of a `pg_del_` token), a request needing a missing scope is refused locally with
   * `InsufficientScopeError` and nothing is sent. A `pg_live_` key's scopes are unknown: nothing is
   * refused locally.
   */
  scopes?: readonly string[] | undefined;
  /**
   * Extension features the gateway serves (`idempotency`, `tokens`, ...), when you know them: skips
   * reading them from `GET /health`. Default: read once from `/health` when first needed; a gateway
   * advertising none is treated as the public gateway.
   */
  extensions?: readonly string[] | undefined;
  /** Response validation: `lenient` (default, unknown fields kept), `strict` (rejected), `off`. */
  validation?: ValidationMode | undefined;
  /** Receipt key set used by paid calls to verify receipts offline. Fetching keys is always explicit. */
  keys?: KeySetLike | undefined;
  /** Functions run around every attempt (first = outermost), inside the retry loop. */
  middleware?: readonly Middleware[] | undefined;
  /**
   * The wallet (base58) v1/v2 receipts must name as `buyer`. Default: learned once per token from
   * `GET /v1/me` (on the public gateway alongside the first paid call; elsewhere when the first
   * v1/v2 receipt arrives) and kept; a receipt naming another buyer fails with `content_mismatch`.
   */
  buyerWallet?: string | undefined;
  /**
   * Accept v1/v2 receipts from a gateway that advertises `receipt_v3` (a token the gateway keeps on
   * legacy receipts). Default false: such a receipt is a `downgrade`. Never accepted for a token
   * whose v3 receipt this client has already seen.
   */
  allowLegacyReceipts?: boolean | undefined;
  /**
   * Called with every receipt a paid call receives (answered, blocked, or failed after the
   * charge): the raw text, the parsed receipt, the verdict (`no_keys` without `keys`) and the
   * call. Awaited before the call settles; a hook that throws fails an answered call with
   * `ReceiptHookError` (the result attached) and is attached to a failed call's error. The Node
   * entry `@proxygate-kit/sdk/receipts/node` has a ready file sink: `createReceiptFileSink`.
   */
  onReceipt?: ReceiptHook | undefined;
}

/** One logical request through the pipeline (auth, scope check, retries, timeouts, logging, validation). */
export interface RequestOptions<T = unknown> {
  method: HttpMethod;
  /** Path below the gateway origin, e.g. `/v1/balance` (build ids in with `path\`...\``). */
  path: string;
  query?: Record<string, QueryValue> | undefined;
  /** JSON body (serialised by the SDK). */
  body?: unknown;
  /** Bytes sent as-is (paid calls hash exactly what is sent). Strings are sent as UTF-8. */
  rawBody?: string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | undefined;
  headers?: HeadersInit | undefined;
  /** Query parameters the caller adds to the call (a resource method's `options.query`), merged over `query`. */
  extraQuery?: Record<string, QueryValue> | undefined;
  /** `fetch` options for this request, layered over the client's `fetchOptions`. */
  fetchOptions?: FetchOptions | undefined;
  /**
   * Send an `Idempotency-Key` (generated once per logical call) so a POST may be retried. Paid
   * calls (`/proxy/...`) ignore this: they get a key exactly when the gateway advertises the
   * `idempotency` extension.
   */
  idempotent?: boolean | undefined;
  /**
   * Caller-chosen idempotency key (1..255 printable ASCII); implies `idempotent`. On a paid call to
   * a gateway without the `idempotency` extension it is sent but makes no re-send safe.
   */
  idempotencyKey?: string | undefined;
  /** Scope the operation needs; refused locally when the client knows its token lacks it. */
  requiredScope?: string | undefined;
  /** Response shape to validate the JSON body against. */
  schema?: Model<T> | undefined;
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout override (ms). */
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  /** Return once headers arrive with the body unread (`response.body`); no retry after that point. */
  stream?: boolean | undefined;
  /**
   * Read the whole body as bytes (`data` is a `Uint8Array`, nothing parsed), with a fresh `timeout`
   * for the body once the headers are in. A body that breaks is handled inside the one retry loop.
   */
  bytes?: boolean | undefined;
  /** Non-2xx statuses whose body is an answer (e.g. `/health`'s 503 when degraded): not retried, parsed. */
  answerStatuses?: readonly number[] | undefined;
  /** Extra middleware for this request, run inside the client's. */
  middleware?: readonly Middleware[] | undefined;
}

export interface APIResponse<T> {
  /** Parsed (and validated) body; for `stream: true`, `undefined` (read `response.body`). */
  data: T;
  status: number;
  headers: Headers;
  response: Response;
  requestId?: string | undefined;
  /** The idempotency key sent, when the request carried one. */
  idempotencyKey?: string | undefined;
  /** When the attempt that answered was sent (ms since the epoch, client clock). */
  sentAt: number;
  /** Retries spent before this answer (0: the first attempt answered). */
  retries: number;
}

/** Options for the `get/post/put/patch/delete` escape hatch. */
export type ShortcutOptions<T> = Omit<RequestOptions<T>, 'method' | 'path'>;

let localCounter = 0;
function nextLocalId(): string {
  localCounter = (localCounter + 1) % 1e9;
  return `loc_${Date.now().toString(36)}${localCounter.toString(36)}`;
}

function cleanQuery(query: Record<string, QueryValue> | undefined): Record<string, unknown> | undefined {
  if (!query) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Where the missing key was looked for: nowhere but the environment (`unset`), or an `apiKey`
 * option that holds none (then PROXYGATE_API_KEY is never read, so telling to set it misleads).
 */
type NoKeyReason = 'unset' | 'null' | 'blank' | 'function';

const NO_KEY: Readonly<Record<NoKeyReason, { none: string; fix: string; action: string }>> = {
  unset: {
    none: 'none is set',
    fix: 'set the PROXYGATE_API_KEY environment variable or pass apiKey (new Proxygate({ apiKey }))',
    action: 'Set PROXYGATE_API_KEY or pass the apiKey option',
  },
  null: {
    none: 'the apiKey option is null (no key)',
    fix: 'pass a key as apiKey, or leave apiKey out to use the PROXYGATE_API_KEY environment variable',
    action: 'Pass a key as the apiKey option, or leave apiKey out to use PROXYGATE_API_KEY',
  },
  blank: {
    none: 'the apiKey option is blank',
    fix: 'pass a key as apiKey, or leave apiKey out to use the PROXYGATE_API_KEY environment variable',
    action: 'Pass a key as the apiKey option, or leave apiKey out to use PROXYGATE_API_KEY',
  },
  function: {
    none: 'the apiKey function returned none',
    fix: 'have it return a key, or leave apiKey out to use the PROXYGATE_API_KEY environment variable',
    action: 'Return a key from the apiKey function, or leave apiKey out to use PROXYGATE_API_KEY',
  },
};

/** A call the gateway would refuse without a token, refused before sending, saying where the key goes. */
function missingApiKey(method: string, path: string, reason: NoKeyReason): Errors.AuthenticationError {
  const { none, fix, action } = NO_KEY[reason];
  return new Errors.AuthenticationError({
    status: undefined,
    body: {
      error: 'missing_api_key',
      message: `${method} ${path.split('?')[0]} needs an API key and ${none}: ${fix}; nothing was sent`,
      action,
    },
  });
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** A 409 `idempotency_conflict` (same key, other request) answers the same every time: not worth a retry. */
function isDeterministicConflict(status: number, body: unknown): boolean {
  return status === 409 && typeof body === 'object' && body !== null && (body as { error?: unknown }).error === 'idempotency_conflict';
}

/** The body as JSON, else its text; `invalid` says why a JSON content type did not parse. */
function parseBody(text: string, contentType: string | null): { value: unknown; invalid?: string } {
  if (text === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    if (!isJsonType(contentType)) return { value: text };
    return { value: text, invalid: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Client of a Proxygate-style gateway.
 *
 * ```ts
 * const pg = new Proxygate(); // PROXYGATE_API_KEY, PROXYGATE_GATEWAY_URL, PROXYGATE_LOG
 * for await (const listing of pg.catalog.list({ q: 'weather' })) console.log(listing.slug);
 * const { available } = await pg.account.balance(); // integer micro-USD
 * ```
 *
 * Every request goes through one pipeline: local scope check (when the token's scopes are known),
 * a timeout per attempt, and retries (default 2) of connection errors, timeouts and 408/409/429/5xx
 * with 0.5 s * 2^n backoff (max 8 s, jittered) or the server's `retry-after-ms`/`Retry-After`
 * (a wait above 60 s fails fast). A POST is retried only when it carries an `Idempotency-Key` or
 * when the gateway provably did not process it.
 *
 * Paid calls (any `/proxy/` path) have one retry loop with one budget, the body read included.
 * Where the gateway advertises the `idempotency` extension they carry one `Idempotency-Key` per
 * logical call, reused on every attempt. Elsewhere (the public gateway) a paid request that may
 * have reached the gateway is never sent again: only a connection refused before any byte and a
 * 429 `rate_limit_exceeded` are retried; any other failure throws `PaidCallOutcomeUnknownError`
 * (it may have been charged: check usage). A paid 429 with another code is a `SpendLimitError`.
 * Errors are typed (`Proxygate.RateLimitError`, ...) and never contain the token.
 */
export class Proxygate {
  static readonly VERSION = VERSION;
  static readonly ProxygateError = Errors.ProxygateError;
  static readonly APIError = Errors.APIError;
  static readonly BadRequestError = Errors.BadRequestError;
  static readonly AuthenticationError = Errors.AuthenticationError;
  static readonly InsufficientCreditsError = Errors.InsufficientCreditsError;
  static readonly PermissionDeniedError = Errors.PermissionDeniedError;
  static readonly InsufficientScopeError = Errors.InsufficientScopeError;
  static readonly NotFoundError = Errors.NotFoundError;
  static readonly ConflictError = Errors.ConflictError;
  static readonly UnprocessableEntityError = Errors.UnprocessableEntityError;
  static readonly ShieldBlockedError = Errors.ShieldBlockedError;
  static readonly RateLimitError = Errors.RateLimitError;
  static readonly InternalServerError = Errors.InternalServerError;
  static readonly ConnectionError = Errors.ConnectionError;
  static readonly TimeoutError = Errors.TimeoutError;
  static readonly UserAbortError = Errors.UserAbortError;
  static readonly ValidationError = Errors.ValidationError;
  static readonly InvalidJsonError = Errors.InvalidJsonError;
  static readonly SpendLimitError = Errors.SpendLimitError;
  static readonly PaidCallOutcomeUnknownError = Errors.PaidCallOutcomeUnknownError;
  static readonly InvalidRequestError = Errors.InvalidRequestError;
  static readonly RedirectRefusedError = Errors.RedirectRefusedError;

  readonly gatewayUrl: string;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly validation: ValidationMode;
  readonly keys: KeySetLike | undefined;
  readonly logLevel: LogLevel;
  /** The wallet v1/v2 receipts must name as buyer, when given (see `ClientOptions.buyerWallet`). */
  readonly buyerWallet: string | undefined;
  /** See `ClientOptions.allowLegacyReceipts`. */
  readonly allowLegacyReceipts: boolean;
  /** See `ClientOptions.onReceipt`. */
  readonly onReceipt: ReceiptHook | undefined;

  readonly catalog: Catalog;
  readonly account: Account;
  readonly tokens: Tokens;
  readonly receiptsLog: ReceiptsLog;
  readonly meta: Meta;
  readonly calls: Calls;
  /** Paid call through the gateway (see `client.calls`). */
  readonly call: Calls['call'];

  readonly #options: ClientOptions;
  readonly #apiKey: string | (() => string | Promise<string>) | undefined;
  /** Why there is no key when a function gives none or `#apiKey` is undefined (for `missingApiKey`). */
  readonly #noKey: NoKeyReason;
  readonly #fetch: Fetch;
  readonly #log: SdkLogger;
  readonly #secrets = new Set<string>();
  #scopes: readonly string[] | undefined;
  /** Scopes read from the current `pg_del_` token's claim (unverified; local refusals only). */
  #claimScopes: readonly string[] | undefined;
  #tokenId: string | undefined;
  #extensions: SharedRead<GatewayExtensions> | undefined;
  readonly #credentialIds = new Map<string, string>();
  readonly #origin: string;
  /** Whether fetch is CORS-checked here (browsers): then only headers a gateway's CORS policy allows are added. */
  readonly #corsApplies: boolean;
  readonly #userAgent: string | undefined;

  constructor(options: ClientOptions = {}) {
    this.#options = options;
    const given = options.apiKey === undefined ? readEnv('PROXYGATE_API_KEY') : options.apiKey ?? undefined;
    // A blank key (`process.env.X ?? ''`) is no key: reads that need none still work.
    const apiKey = typeof given === 'string' && given.trim() === '' ? undefined : given;
    this.#apiKey = apiKey;
    this.#noKey = typeof apiKey === 'function' ? 'function' : options.apiKey === undefined ? 'unset' : options.apiKey === null ? 'null' : 'blank';
    if (typeof apiKey === 'string') {
      this.#secrets.add(apiKey);
      this.#claimScopes = delegationTokenScopes(apiKey.trim());
    }
    const url = options.gatewayUrl ?? readEnv('PROXYGATE_GATEWAY_URL') ?? DEFAULT_GATEWAY_URL;
    const parsed = checkGatewayUrl(url);
    this.gatewayUrl = url.replace(/\/+$/, '');
    this.#origin = parsed.origin;
    this.#corsApplies = corsApplies();
    this.#userAgent = userAgent(VERSION);
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
    this.maxRetries = checkRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
    checkHeaders(options.defaultHeaders as Record<string, string | null | undefined> | undefined, 'defaultHeaders');
    checkFetchOptions(options.fetchOptions);
    if (options.buyerWallet !== undefined && (typeof options.buyerWallet !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(options.buyerWallet))) {
      throw new Errors.InvalidRequestError('buyerWallet', 'must be a base58 wallet address');
    }
    this.buyerWallet = options.buyerWallet;
    this.allowLegacyReceipts = options.allowLegacyReceipts === true;
    if (options.onReceipt !== undefined && typeof options.onReceipt !== 'function') throw new Errors.InvalidRequestError('onReceipt', 'must be a function');
    this.onReceipt = options.onReceipt;
    this.validation = options.validation ?? 'lenient';
    this.keys = options.keys;
    this.#scopes = options.scopes ? [...options.scopes] : undefined;
    if (options.extensions) this.#extensions = new SharedRead(Promise.resolve(declaredExtensions(options.extensions)), () => undefined);
    if (!options.fetch && typeof globalThis.fetch !== 'function') throw new TypeError('No fetch available: pass `fetch` in the client options');
    // The global is looked up per call, so instrumentation installed after construction still applies.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const logger = options.logger ?? console;
    this.logLevel = resolveLogLevel(options.logLevel, options.logger);
    this.#log = new SdkLogger(logger, this.logLevel, () => [...this.#secrets]);
    if (parsed.protocol === 'http:' && apiKey !== undefined && !isLoopback(parsed.hostname)) {
      this.#log.warn(`gatewayUrl ${parsed.origin} is plain http: the token would cross the network unencrypted`);
    }

    this.catalog = new Catalog(this);
    this.account = new Account(this);
    this.tokens = new Tokens(this);
    this.receiptsLog = new ReceiptsLog(this);
    this.meta = new Meta(this);
    this.calls = new Calls(this);
    // Calls#call is an arrow property, bound to its Calls.
    this.call = this.calls.call;
  }

  /** A new client with these options layered over this one's (known scopes and token id kept unless the key changes). */
  withOptions(options: Partial<ClientOptions>): this {
    const merged: ClientOptions = { ...this.#options, ...options };
    if (options.scopes === undefined) {
      // Known scopes describe the token: keep them only while the token stays the same.
      if (options.apiKey === undefined) merged.scopes = this.#scopes;
      else delete merged.scopes;
    }
    const Ctor = this.constructor as new (o: ClientOptions) => this;
    const next = new Ctor(merged);
    if (options.apiKey === undefined && this.#tokenId !== undefined) next.rememberTokenId(this.#tokenId);
    return next;
  }

  /**
   * Scopes the client knows its token holds (from options, `tokens.self()`, or the claim of a
   * `pg_del_` token), if any. Undefined: unknown, nothing is refused locally.
   */
  get knownScopes(): readonly string[] | undefined {
    return this.#scopes ?? this.#claimScopes;
  }

  /**
   * The token's scopes: the known ones, else (where the gateway advertises `token_scopes`) what
   * `tokens.self()` says. Undefined when they cannot be known (a `pg_live_` key on the public gateway).
   */
  async resolveScopes(options: { signal?: AbortSignal | undefined } = {}): Promise<readonly string[] | undefined> {
    if (this.knownScopes) return this.knownScopes;
    if (this.#apiKey === undefined) return undefined;
    const extensions = await this.extensions(options);
    if (!extensions.has('token_scopes')) return undefined;
    return (await this.tokens.self(options)).scopes;
  }

  /**
   * The extensions the gateway advertises in `GET /health` (none: the public gateway). Read once
   * per client and shared; a failed read is not kept, so the next caller asks again.
   */
  extensions(options: { signal?: AbortSignal | undefined } = {}): Promise<GatewayExtensions> {
    return raceSignal((this.#extensions ?? this.#readExtensions()).take(), options.signal);
  }

  /**
   * @internal Starts reading the extensions unless a read is under way or done, so that a paid
   * call's discovery overlaps its listing lookup (one round trip less). Nobody waits for it here:
   * a failure is kept for the next caller of `extensions()`, as if it had started the read itself.
   */
  prefetchExtensions(): void {
    // No key: the paid call is refused before it sends anything, /health included.
    if (!this.#extensions && this.#apiKey !== undefined) this.#readExtensions();
  }

  #readExtensions(): SharedRead<GatewayExtensions> {
    const read: SharedRead<GatewayExtensions> = new SharedRead(
      this.request<unknown>({ method: 'GET', path: '/health', answerStatuses: [503] }).then((res) => parseExtensions(res.data)),
      () => {
        if (this.#extensions === read) this.#extensions = undefined;
      },
    );
    this.#extensions = read;
    return read;
  }

  /** @internal Records the token's scopes (called by `tokens.self()`). */
  rememberScopes(scopes: readonly string[]): void {
    this.#scopes = [...scopes];
  }

  /** The presented token's id, once `tokens.self()` learned it: paid calls check receipts name it as buyer. */
  get knownTokenId(): string | undefined {
    return this.#tokenId;
  }

  /** @internal Records the token's id (called by `tokens.self()`); kept by `withOptions` unless the key changes. */
  rememberTokenId(id: string): void {
    this.#tokenId = id;
  }

  /** `text` with this client's token (and any token-looking string) replaced by `[REDACTED]`. */
  redact(text: string): string {
    return redactText(text, this.#knownSecrets());
  }

  #knownSecrets(): string[] {
    return [...this.#secrets];
  }

  /** Waits between attempts; overridable in tests to observe delays without waiting. */
  protected sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return abortableSleep(ms, signal);
  }

  /**
   * Starts an attempt's timeout (headers, then body) and returns its cancel; overridable in tests
   * to fire timeouts without waiting for them.
   */
  protected schedule(ms: number, fire: () => void): () => void {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  }

  /** An opaque id per token this client used (never the token): what paid calls key receipt facts by. */
  #credentialId(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    let id = this.#credentialIds.get(token);
    if (id === undefined) {
      id = `credential-${this.#credentialIds.size + 1}`;
      this.#credentialIds.set(token, id);
    }
    return id;
  }

  /**
   * Sends one attempt without letting fetch follow redirects. The token, a paid request and the
   * answer a caller will believe never cross to another origin; a same-origin redirect of a GET or
   * HEAD that is not a paid call is followed (up to five hops); anything else is refused.
   */
  async #followRedirects(url: string, init: RequestInit, send: (url: string, init: RequestInit) => Promise<Response>): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const base = new URL(this.gatewayUrl).pathname.replace(/\/+$/, '');
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const response = await send(current.href, { ...init, redirect: 'manual' });
      if (response.type === 'opaqueredirect') throw new Errors.RedirectRefusedError(response.status, null, 'hidden');
      // A fetch that follows on its own (ignoring `redirect`) still shows where the answer came from.
      if (response.redirected && response.url && new URL(response.url).origin !== this.#origin) {
        void response.body?.cancel().catch(() => undefined);
        throw new Errors.RedirectRefusedError(response.status, new URL(response.url), 'cross_origin');
      }
      const location = response.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null) return response;
      void response.body?.cancel().catch(() => undefined);
      let target: URL | null;
      try {
        target = new URL(location, current);
      } catch {
        target = null;
      }
      if (!target || target.origin !== this.#origin) throw new Errors.RedirectRefusedError(response.status, target, 'cross_origin');
      if (current.pathname.startsWith(`${base}/proxy/`)) throw new Errors.RedirectRefusedError(response.status, target, 'paid_call');
      if (method !== 'GET' && method !== 'HEAD') throw new Errors.RedirectRefusedError(response.status, target, 'method');
      if (hop >= 5) throw new Errors.RedirectRefusedError(response.status, target, 'too_many');
      this.#log.debug(`${method} ${current.origin}${current.pathname} -> ${response.status}, following to ${target.pathname}`);
      current = target;
    }
  }

  async #resolveApiKey(): Promise<string | undefined> {
    const source = this.#apiKey;
    if (source === undefined) return undefined;
    const key = typeof source === 'function' ? await source() : source;
    // A function with no token now: no key for this request (missingApiKey says so where one is needed).
    if (typeof key !== 'string' || key.trim() === '') return undefined;
    const trimmed = key.trim();
    this.#secrets.add(trimmed);
    if (typeof source === 'function') this.#claimScopes = delegationTokenScopes(trimmed);
    // Headers.set would throw a TypeError quoting "Bearer <token>" in clear: refuse it ourselves.
    if (/[^\x21-\x7e]/.test(trimmed)) {
      throw new Errors.AuthenticationError({
        status: undefined,
        message: 'The API key contains whitespace, control or non-ASCII characters an HTTP header cannot carry; check how it was copied',
      });
    }
    return trimmed;
  }

  #buildHeaders(opts: RequestOptions<unknown>, token: string | undefined, idempotencyKey: string | undefined, retryCount: number): Headers {
    const headers = new Headers();
    if (!opts.stream) headers.set('accept', 'application/json');
    if (token) headers.set('authorization', `Bearer ${token}`);
    // Not in browsers: User-Agent (and X-Retry-Count below) would make every call preflight.
    if (this.#userAgent !== undefined) headers.set('user-agent', this.#userAgent);
    for (const layer of [this.#options.defaultHeaders, opts.headers]) {
      if (!layer) continue;
      for (const [name, value] of Object.entries(layer)) {
        if (value === null) headers.delete(name);
        else if (value !== undefined) headers.set(name, value);
      }
    }
    if (idempotencyKey !== undefined) headers.set('idempotency-key', idempotencyKey);
    if (!this.#corsApplies) headers.set('x-retry-count', String(retryCount));
    return headers;
  }

  /**
   * Sends one logical request: auth, local scope check, per-attempt timeout, retries with backoff,
   * typed errors, response validation. Other SDK modules (paid calls, MCP) build on this.
   */
  async request<T = unknown>(opts: RequestOptions<T>): Promise<APIResponse<T>> {
    // Bad input is refused before anything (the token function, /health) runs.
    const method = checkMethod(opts.method, REQUEST_METHODS) as HttpMethod;
    checkHeaders(opts.headers as Record<string, string | null | undefined> | undefined);
    checkFetchOptions(opts.fetchOptions);
    const maxRetries = opts.maxRetries === undefined ? this.maxRetries : checkRetries(opts.maxRetries);
    const timeout = opts.timeout === undefined ? this.timeout : checkTimeout(opts.timeout);
    // The key first: a `pg_del_` token's claim tells its scopes before anything is sent.
    const token = await this.#resolveApiKey();
    if (token === undefined && requiresAuth(opts.path)) throw missingApiKey(method, opts.path, this.#noKey);
    const held = this.knownScopes;
    if (opts.requiredScope && held && !hasScope(held, opts.requiredScope)) {
      const error = Errors.InsufficientScopeError.missing(opts.requiredScope, held);
      // Thrown to the caller, who decides what to report: a warning too would say it twice.
      this.#log.debug(`${method} ${opts.path} refused locally: ${error.message}`);
      throw error;
    }
    const credential = this.#credentialId(token);
    // Every /proxy/ call spends (and passes upstream errors through, charged), whatever its method.
    const paid = /^\/?proxy\//.test(opts.path);
    // Re-sending a paid call is safe only where the gateway replays by key; unknown counts as no.
    const replayable = paid && (await this.#advertises('idempotency', opts.signal));
    // One key per logical call, created before the loop so every attempt carries the same one.
    const headerKey = Object.entries(opts.headers ?? {}).find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1] ?? undefined;
    const generate = paid ? replayable : opts.idempotent === true;
    const idempotencyKey = opts.idempotencyKey ?? headerKey ?? (generate ? newIdempotencyKey() : undefined);
    if (idempotencyKey !== undefined && !isValidIdempotencyKey(idempotencyKey)) {
      throw new Errors.InvalidRequestError('idempotencyKey', 'must be 1..255 printable ASCII characters');
    }
    const retrySafe = paid ? replayable && idempotencyKey !== undefined : idempotencyKey !== undefined || (method !== 'POST' && method !== 'PATCH');
    const rawBody = typeof opts.rawBody === 'string' ? new TextEncoder().encode(opts.rawBody) : opts.rawBody;
    const bodyReplayable = !(typeof ReadableStream !== 'undefined' && rawBody instanceof ReadableStream);
    const url = `${this.gatewayUrl}${opts.path.startsWith('/') ? '' : '/'}${opts.path}`;
    const firstId = nextLocalId();
    const answers = opts.answerStatuses ?? [];
    // A paid call that may have been charged and will not be re-sent: say so, with what to look for.
    const unknownOutcome = (sentAt: number, reason: string, init: { status?: number; cause?: unknown; headers?: Headers }): Errors.PaidCallOutcomeUnknownError => {
      const charged = init.headers !== undefined && receiptHeader(init.headers) !== undefined;
      const error = new Errors.PaidCallOutcomeUnknownError(paidCallRecord(method, opts.path, opts.query?.['listing'], sentAt, idempotencyKey), reason, {
        status: init.status,
        cause: init.cause,
        charged,
        secrets: this.#knownSecrets(),
      });
      return init.headers ? attachResponseHeaders(error, init.headers) : error;
    };
    // For the recovery step of a paid call that fails: attempts sent, and whether one that failed
    // before the last may have been processed (charged).
    const progress = { sends: 0, processedBefore: false };
    try {
      return await this.#attempts(opts, {
        method, token, credential, maxRetries, timeout, paid, idempotencyKey, retrySafe, rawBody, bodyReplayable, url, firstId, answers, unknownOutcome, progress,
      });
    } catch (error) {
      if (paid && error instanceof Errors.ProxygateError && error.recovery === undefined) {
        Errors.markPaidCall(error, paidRecovery(error, { replayable, idempotencyKey, ...progress }));
      }
      throw attachCredential(error, credential);
    }
  }

  /** The retry loop of one logical request (see `request`). */
  async #attempts<T>(
    opts: RequestOptions<T>,
    ctx: {
      method: HttpMethod;
      token: string | undefined;
      credential: string | undefined;
      maxRetries: number;
      timeout: number;
      paid: boolean;
      idempotencyKey: string | undefined;
      retrySafe: boolean;
      rawBody: Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | undefined;
      bodyReplayable: boolean;
      url: string;
      firstId: string;
      answers: readonly number[];
      unknownOutcome: (sentAt: number, reason: string, init: { status?: number; cause?: unknown; headers?: Headers }) => Errors.PaidCallOutcomeUnknownError;
      progress: { sends: number; processedBefore: boolean };
    },
  ): Promise<APIResponse<T>> {
    const { method, token, credential, maxRetries, timeout, paid, idempotencyKey, retrySafe, rawBody, bodyReplayable, url, firstId, answers, unknownOutcome, progress } = ctx;
    // Set when the current attempt may have been processed; carried into `processedBefore` on a retry.
    let processed = false;
    for (let attempt = 0; ; attempt++) {
      if (processed) progress.processedBefore = true;
      processed = false;
      if (opts.signal?.aborted) throw new Errors.UserAbortError(undefined, opts.signal.reason);
      const localId = attempt === 0 ? firstId : nextLocalId();
      const canRetryMore = attempt < maxRetries && bodyReplayable;
      const headers = this.#buildHeaders(opts as RequestOptions<unknown>, token, idempotencyKey, attempt);
      this.#log.debug(`${method} ${url}`, {
        localId,
        ...(attempt > 0 ? { retryOf: firstId } : {}),
        attempt,
        headers: redactHeaders(headers, this.#knownSecrets()),
      });
      const sig = attemptSignal(opts.signal, timeout, (ms, fire) => this.schedule(ms, fire));
      const sentAt = Date.now();
      let response: Response;
      progress.sends++;
      try {
        const query = cleanQuery(opts.extraQuery ? { ...opts.query, ...opts.extraQuery } : opts.query);
        const fetchOptions = this.#options.fetchOptions || opts.fetchOptions ? { ...this.#options.fetchOptions, ...opts.fetchOptions } : undefined;
        const body = (rawBody ?? opts.body) as BodyInit | Record<string, unknown> | undefined;
        const middleware = [...(this.#options.middleware ?? []), ...(opts.middleware ?? [])];
        const context: MiddlewareContext = { method, attempt, localId, retryOf: attempt > 0 ? firstId : undefined, idempotencyKey };
        const attemptFetch = middleware.length ? chain(middleware, (u, i) => this.#fetch(u, i), context) : undefined;
        const send = (u: string, init: RequestInit): Promise<Response> => (attemptFetch ? attemptFetch(u, init) : this.#fetch(u, init));
        // Query and JSON body shaped as ofetch did; redirects followed (or refused) per hop.
        response = await sendRequest((u, init) => this.#followRedirects(u, init, send), url, { method, query, body, headers, signal: sig.signal, fetchOptions });
      } catch (cause) {
        sig.dispose();
        const own = (cause as { cause?: unknown } | undefined)?.cause ?? cause;
        // A redirect the SDK refused: an answer, not a network failure; never retried.
        if (own instanceof Errors.RedirectRefusedError) {
          processed = true;
          throw own;
        }
        if (this.#hasMiddleware(opts) && !isFetchError(cause) && !sig.signal.aborted) {
          // A middleware's own error: not a network failure, so not retried or rewrapped.
          throw own;
        }
        const failure = this.#connectionFailure(cause, sig.timedOut(), opts.signal);
        const reachedServer = !isPreConnectFailure(cause);
        if (reachedServer) processed = true;
        else progress.sends--;
        if (failure instanceof Errors.UserAbortError) throw failure;
        if (paid && reachedServer && !retrySafe) {
          this.#log.debug(`${method} ${url} failed after it may have been sent: ${failure.message}`, { localId });
          throw unknownOutcome(sentAt, failure.message, { cause: failure });
        }
        if (!canRetryMore || (!retrySafe && reachedServer)) {
          this.#log.debug(`${method} ${url} failed: ${failure.message}`, { localId });
          throw failure;
        }
        await this.#waitBeforeRetry(method, url, localId, firstId, attempt, undefined, failure.message, opts.signal);
        continue;
      }
      processed = true;

      if (!response.ok && !answers.includes(response.status)) {
        // Error bodies are small; reading them first lets the body inform the retry decision.
        let text = '';
        try {
          text = await response.text();
        } catch {
          // The status is what matters; a broken error body is not worth another failure.
        } finally {
          sig.dispose();
        }
        const body = parseBody(text, null).value;
        const status = response.status;
        const code = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
        const errorInit = { status, headers: response.headers, body, secrets: this.#knownSecrets() };
        // A 429 is a refusal before processing (a rate limit, or a spend limit that refunded its hold).
        if (status === 429) processed = false;
        if (paid && status === 429 && code !== 'rate_limit_exceeded') {
          // A spend limit refunded its hold: nothing was charged, and a retry would be refused the same way.
          throw attachResponseHeaders(new Errors.SpendLimitError(errorInit), response.headers);
        }
        const verdict = serverRetryVerdict(response.headers);
        const requested = parseRetryAfterMs(response.headers);
        // A server asking for more than our longest wait would only answer the same again: fail fast.
        const waitable = requested === undefined || requested <= MAX_RETRY_AFTER_MS;
        let retry: boolean;
        if (paid && !retrySafe) {
          // Only a rate limit proves the call was refused before it was processed.
          if (status === 429 && waitable && canRetryMore) {
            await this.#waitBeforeRetry(method, url, localId, firstId, attempt, response, `status ${status}`, opts.signal);
            continue;
          }
          if ((status === 408 || status >= 500) && receiptHeader(response.headers) === undefined) {
            const gateway = Errors.APIError.generate(errorInit);
            throw unknownOutcome(sentAt, `the gateway answered ${gateway.message}`, { status, cause: gateway, headers: response.headers });
          }
          retry = false;
        } else {
          const retryable = verdict ?? (isRetryableStatus(status) && !isDeterministicConflict(status, body));
          const allowed = retrySafe || verdict === true || provesNotProcessed(status);
          retry = retryable && allowed && waitable && canRetryMore;
        }
        if (retry) {
          await this.#waitBeforeRetry(method, url, localId, firstId, attempt, response, `status ${status}`, opts.signal);
          continue;
        }
        const likelyScope = status === 403 ? likelyScopeHint(opts.path, opts.requiredScope) : undefined;
        const error = Errors.APIError.generate({ ...errorInit, likelyScope });
        this.#log.debug(`${method} ${url} -> ${status}`, { localId, code: error.code });
        throw attachResponseHeaders(error, response.headers);
      }

      const requestId = response.headers.get('x-request-id') ?? undefined;
      attachCredential(response, credential);
      const base = { status: response.status, headers: response.headers, response, requestId, idempotencyKey, sentAt, retries: attempt };
      if (opts.stream) {
        // Headers are in: the body belongs to the caller now, only their signal can stop it.
        sig.clearTimer();
        this.#log.debug(`${method} ${url} -> ${response.status} (stream)`, { localId });
        return { ...base, data: undefined as T };
      }
      if (opts.bytes) {
        // The headers had their timeout; the body gets a fresh one.
        sig.clearTimer();
        let bytes: Uint8Array;
        try {
          bytes = await readBody(response, timeout, opts.signal, (ms, fire) => this.schedule(ms, fire));
        } catch (cause) {
          const failure = opts.signal?.aborted
            ? new Errors.UserAbortError(undefined, opts.signal.reason ?? cause)
            : cause instanceof BodyTimeout
              ? new Errors.TimeoutError(`The response body did not arrive within ${timeout} ms`, cause)
              : new Errors.ConnectionError('The connection broke while reading the response body', scrubError(cause, this.#knownSecrets()));
          if (failure instanceof Errors.UserAbortError) throw failure;
          // The gateway answered, so the request was processed: only a replayable one goes again.
          if (paid && !retrySafe) throw unknownOutcome(sentAt, failure.message, { status: response.status, cause: failure, headers: response.headers });
          if (!canRetryMore || !retrySafe) throw attachResponseHeaders(failure, response.headers);
          await this.#waitBeforeRetry(method, url, localId, firstId, attempt, undefined, failure.message, opts.signal);
          continue;
        } finally {
          sig.dispose();
        }
        this.#log.debug(`${method} ${url} -> ${response.status} (${bytes.byteLength} bytes)`, { localId });
        rememberBody(response, bytes);
        return { ...base, data: bytes as T };
      }
      let text: string;
      try {
        text = await response.text();
      } catch (cause) {
        sig.dispose();
        const failure = this.#connectionFailure(cause, sig.timedOut(), opts.signal);
        if (failure instanceof Errors.UserAbortError) throw failure;
        if (paid && !retrySafe) throw unknownOutcome(sentAt, failure.message, { status: response.status, cause: failure, headers: response.headers });
        // The server answered, so the request was processed: only retry-safe requests go again.
        if (!canRetryMore || !retrySafe) throw failure;
        await this.#waitBeforeRetry(method, url, localId, firstId, attempt, undefined, failure.message, opts.signal);
        continue;
      }
      sig.dispose();
      this.#log.debug(`${method} ${url} -> ${response.status}`, { localId });
      rememberBody(response, text);
      const { value: parsed, invalid: unparsed } = parseBody(text, response.headers.get('content-type'));
      let data: T;
      try {
        data = opts.schema ? validate(opts.schema, parsed, this.validation, requestId) : (parsed as T);
      } catch (invalid) {
        // An accepted non-2xx status whose body is not the answer it should be: report the status.
        if (!response.ok) throw Errors.APIError.generate({ status: response.status, headers: response.headers, body: parsed, secrets: this.#knownSecrets() });
        // Broken JSON is said as such, not as the schema's complaint about a string.
        const failure = unparsed === undefined ? invalid : new Errors.InvalidJsonError(`${method} ${opts.path.split('?')[0]}`, response.status, unparsed, text, requestId);
        // `asResponse()` still hands the answer over: it is the caller's to read as they like.
        throw rememberAnswer(failure, response);
      }
      return { ...base, data };
    }
  }

  /** Whether the gateway advertises `feature`; a failed discovery counts as "no" (the public wire). */
  async #advertises(feature: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      return (await this.extensions({ signal })).has(feature);
    } catch (error) {
      if (error instanceof Errors.UserAbortError) throw error;
      this.#log.info(joinSentences(`could not read the gateway's extensions (GET /health): ${error instanceof Error ? error.message : String(error)}`, 'assuming none', '; '));
      return false;
    }
  }

  #hasMiddleware(opts: RequestOptions<unknown>): boolean {
    return (this.#options.middleware?.length ?? 0) + (opts.middleware?.length ?? 0) > 0;
  }

  #connectionFailure(wrapped: unknown, timedOut: boolean, userSignal: AbortSignal | undefined): Errors.ProxygateError {
    // The network layer's FetchError wraps what fetch threw: keep only that (a bare error, no request options).
    const unwrapped = wrapped instanceof Error && wrapped.name === 'FetchError' && wrapped.cause !== undefined ? wrapped.cause : wrapped;
    // A custom fetch or proxy may quote the credential; the patterns alone miss unfamiliar key shapes.
    const cause = scrubError(unwrapped, this.#knownSecrets());
    if (userSignal?.aborted) return new Errors.UserAbortError(undefined, cause);
    if (timedOut) return new Errors.TimeoutError(undefined, cause);
    const detail = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    return new Errors.ConnectionError(`Connection error: ${redactText(detail, this.#knownSecrets())}`, cause);
  }

  async #waitBeforeRetry(
    method: string,
    url: string,
    localId: string,
    firstId: string,
    attempt: number,
    response: Response | undefined,
    reason: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const requested = response ? parseRetryAfterMs(response.headers) : undefined;
    const delay = requested ?? backoffMs(attempt);
    this.#log.info(`${method} ${url} retrying in ${Math.round(delay)} ms (${reason})`, { localId, retryOf: firstId, attempt: attempt + 1 });
    try {
      await this.sleep(delay, signal);
    } catch (cause) {
      throw new Errors.UserAbortError(undefined, cause);
    }
  }

  /** Fetches a list endpoint as an awaitable, async-iterable page promise. */
  getPage<Item, Body extends CursorBody = ListBody<Item>>(request: PageRequest<Body>): PagePromise<Item, Body> {
    return new PagePromise<Item, Body>(this, request);
  }

  /**
   * Escape hatch: any gateway path with the client's auth, retries, timeouts and logging. Resolves
   * to the parsed body, typed from the spec for paths it knows (`client.get('/v1/balance')`), or
   * as the `T` you name. Pass `schema` to validate. Like resource methods, the promise also has
   * `.withResponse()` and `.asResponse()`.
   */
  get<T = never, P extends string = string>(path: P, opts: ShortcutOptions<Answer<T, 'get', P>> = {}): APIPromise<Answer<T, 'get', P>> {
    return APIPromise.of(this.request({ ...opts, method: 'GET', path }));
  }
  post<T = never, P extends string = string>(path: P, opts: ShortcutOptions<Answer<T, 'post', P>> = {}): APIPromise<Answer<T, 'post', P>> {
    return APIPromise.of(this.request({ ...opts, method: 'POST', path }));
  }
  put<T = never, P extends string = string>(path: P, opts: ShortcutOptions<Answer<T, 'put', P>> = {}): APIPromise<Answer<T, 'put', P>> {
    return APIPromise.of(this.request({ ...opts, method: 'PUT', path }));
  }
  patch<T = never, P extends string = string>(path: P, opts: ShortcutOptions<Answer<T, 'patch', P>> = {}): APIPromise<Answer<T, 'patch', P>> {
    return APIPromise.of(this.request({ ...opts, method: 'PATCH', path }));
  }
  delete<T = never, P extends string = string>(path: P, opts: ShortcutOptions<Answer<T, 'delete', P>> = {}): APIPromise<Answer<T, 'delete', P>> {
    return APIPromise.of(this.request({ ...opts, method: 'DELETE', path }));
  }
}
