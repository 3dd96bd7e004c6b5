// GatewayMcpClient: typed tool methods over an MCP session, with the checks the MCP SDK leaves to
// its users: scopes before spending, receipts, shield verdicts, tool pins, typed errors.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import {
  APIError,
  ConnectionError,
  InsufficientScopeError,
  ProxygateError,
  ShieldBlockedError,
  ValidationError,
  type ValidationIssue,
} from '../core/error.js';
import { hasScope } from '../internal/scopes.js';
import { asUntrusted, shieldFromEvent } from '../shield/index.js';
import { toGatewayError } from './error-mapping.js';
import { McpProtocolError, ReceiptVerificationError, ToolPinMismatchError } from './errors.js';
import { checkToolList, type McpLimits } from './limits.js';
import type { OAuthSession } from './oauth-session.js';
import { isPinOptions, type CallApiResult, type ConnectGatewayOptions, type PinMode } from './options.js';
import { receiptAmount } from '../receipts/amount.js';
import { verifyCallReceipt, type ReceiptExpectations } from './receipt-check.js';
import { computeToolPins, diffToolPins, isEmptyDiff, type ToolPinDiff, type ToolPinSet } from './tool-pinning.js';
import {
  TOOL_SCHEMAS,
  TOOL_SCOPES,
  ToolErrorBody,
  type BrowseApisParams,
  type BrowseApisResult,
  type CallApiParams,
  type CheckBalanceResult,
  type DescribeEndpointParams,
  type DescribeEndpointResult,
  type GatewayToolName,
  type GetPricingParams,
  type GetPricingResult,
  type GetUsageParams,
  type GetUsageResult,
  type RateSellerParams,
  type RateSellerResult,
} from './tool-schemas.js';

/** One MCP session: a connected client and its transport. */
export interface McpSession {
  client: Client;
  transport: Transport;
}

type Output<N extends GatewayToolName> = z.output<(typeof TOOL_SCHEMAS)[N]['output']>;
type Input<N extends GatewayToolName> = z.output<(typeof TOOL_SCHEMAS)[N]['input']>;

/** Tools that spend money are never re-sent on their own, whatever went wrong. */
export const SPENDING_TOOLS: ReadonlySet<string> = new Set(['call_api']);

/** Who this client's receipts must name, and the weakest receipt version accepted. */
export interface ReceiptIdentity {
  tokenId: string | undefined;
  wallet: string | undefined;
  minVersion: 1 | 2 | 3;
}

/** @internal what `connectGateway` hands the client. */
export interface GatewayClientInit {
  session: McpSession;
  reopen: (() => Promise<McpSession>) | undefined;
  options: ConnectGatewayOptions;
  secrets: readonly string[];
  scopes: readonly string[] | undefined;
  tools: Tool[];
  pins: ToolPinSet;
  identity: ReceiptIdentity;
  oauth: OAuthSession | undefined;
  limits: Required<McpLimits>;
}

function zodIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
    code: issue.code,
  }));
}

function textOf(result: CallToolResult): string {
  return result.content.filter((c) => c.type === 'text').map((c) => (c as { text: string }).text).join('\n');
}

/** Servers without output schemas return the JSON as text; read it as the structured result. */
function jsonText(result: CallToolResult): unknown {
  try {
    return JSON.parse(textOf(result));
  } catch {
    return undefined;
  }
}

function requestOptions(timeoutMs: number | undefined, signal?: AbortSignal): RequestOptions | undefined {
  if (timeoutMs === undefined && !signal) return undefined;
  return { ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }), ...(signal ? { signal } : {}) };
}

/** Every page of tools/list, within the limits (count, schema depth), checked before anything hashes them. */
export async function listAllTools(client: Client, timeoutMs: number | undefined, limits: Required<McpLimits>, signal?: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions(timeoutMs, signal));
    tools.push(...result.tools);
    checkToolList(tools, limits);
    cursor = result.nextCursor;
    if (!cursor) return tools;
  }
  throw new McpProtocolError('tools/list did not end after 100 pages');
}

function mergeDiffs(a: ToolPinDiff, b: ToolPinDiff): ToolPinDiff {
  const union = (x: string[], y: string[]) => [...new Set([...x, ...y])].sort();
  return { added: union(a.added, b.added), removed: union(a.removed, b.removed), changed: union(a.changed, b.changed) };
}

function isExpiredSession(error: unknown, hadSession: boolean): boolean {
  return hadSession && error instanceof StreamableHTTPError && error.code === 404;
}

/** A typed MCP client for one gateway. Create it with `connectGateway`. */
export class GatewayMcpClient {
  private knownScopes: readonly string[] | undefined;
  private currentPins: ToolPinSet;
  private baseline: ToolPinSet;
  private blocked: ToolPinDiff | undefined;
  private pendingRecheck: Promise<void> = Promise.resolve();
  private toolsByName = new Map<string, Tool>();
  private session: McpSession;
  private reconnecting: Promise<void> | undefined;
  private readonly openSession: (() => Promise<McpSession>) | undefined;
  private readonly options: ConnectGatewayOptions;
  private readonly secrets: readonly string[];
  private readonly identity: ReceiptIdentity;
  private readonly oauth: OAuthSession | undefined;
  private readonly limits: Required<McpLimits>;
  /** Requests waiting on the server: failed at once when an answer breaks a limit mid-stream. */
  private readonly inFlight = new Set<AbortController>();

  /** @internal use `connectGateway` */
  constructor(init: GatewayClientInit) {
    this.session = init.session;
    this.openSession = init.reopen;
    this.options = init.options;
    this.secrets = init.secrets;
    this.knownScopes = init.scopes;
    this.identity = init.identity;
    this.oauth = init.oauth;
    this.limits = init.limits;
    this.currentPins = init.pins;
    this.baseline = init.pins;
    this.setTools(init.tools);
  }

  /**
   * The scopes the client believes its token holds; undefined when unknown (the server decides).
   * With OAuth, those of the token last saved (after a refresh or a step-up too).
   */
  get scopes(): readonly string[] | undefined {
    return this.oauth?.scopes ?? this.knownScopes;
  }

  /**
   * The weakest receipt version this client accepts for a paid call: 3 once the gateway
   * advertises `receipt_v3` in `/health` (unless `allowLegacyReceipts`) or has signed a v3
   * receipt for this client's token.
   */
  get minReceiptVersion(): 1 | 2 | 3 {
    return this.identity.minVersion;
  }

  /** The account wallet v1/v2 receipts must name (from `buyerWallet` or `GET /v1/me`), when known. */
  get buyerWallet(): string | undefined {
    return this.identity.wallet;
  }

  /**
   * The token id v3 receipts must name as `buyer`. Undefined when it could not be learned (no
   * `tokenId` option, and no `GET /v1/tokens/self`: OAuth, another origin, or a gateway without
   * it): then a receipt of someone else's identical call is not told apart. Pass `tokenId`.
   */
  get tokenId(): string | undefined {
    return this.identity.tokenId;
  }

  /** Pins of the tools as last listed; save them to detect changes on the next connect. */
  get pins(): ToolPinSet {
    return this.currentPins;
  }

  /** The pin mismatch that blocks calls, if any. */
  get pinMismatch(): ToolPinDiff | undefined {
    return this.blocked;
  }

  /** The MCP session id the server assigned (undefined for stateless servers). */
  get sessionId(): string | undefined {
    return this.session.transport.sessionId;
  }

  private get pinMode(): PinMode {
    const pin = this.options.pin;
    return pin && isPinOptions(pin) ? pin.mode ?? 'refuse' : 'refuse';
  }

  /** A definition that cannot be pinned (a duplicate name, a lone surrogate) is refused, typed. */
  private pinsOf(tools: Tool[]): Promise<ToolPinSet> {
    return computeToolPins(tools).catch((error: unknown) => {
      throw toGatewayError(error, this.secrets, { operation: 'pinning the tool definitions' });
    });
  }

  private setTools(tools: Tool[]): void {
    this.toolsByName = new Map(tools.map((tool) => [tool.name, tool]));
  }

  /** @internal compares the listed tools with the baseline pins; in refuse mode blocks on change. */
  async applyToolList(tools: Tool[]): Promise<ToolPinDiff> {
    const pins = await this.pinsOf(tools);
    const diff = diffToolPins(this.baseline, pins);
    this.currentPins = pins;
    this.setTools(tools);
    if (!isEmptyDiff(diff)) {
      const pin = this.options.pin;
      const onMismatch = pin && isPinOptions(pin) ? pin.onMismatch : undefined;
      onMismatch?.(diff);
      // Blocked tools stay blocked (a server that changes a tool back is still not trusted) until renewed.
      if (this.pinMode !== 'warn') this.blocked = this.blocked ? mergeDiffs(this.blocked, diff) : diff;
      else if (!onMismatch) console.warn(`[proxygate mcp] ${new ToolPinMismatchError(diff).message}`);
    }
    return diff;
  }

  /** @internal fails every request waiting on the server with `error` (an answer broke a limit). */
  failPending(error: ProxygateError): void {
    for (const controller of this.inFlight) controller.abort(error);
  }

  /** Runs one request with an abort signal `failPending` can trip; every failure leaves typed. */
  private async tracked<T>(what: { tool?: string; operation?: string }, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      return await run(controller.signal);
    } catch (error) {
      const cause: unknown = controller.signal.aborted ? controller.signal.reason ?? error : error;
      throw toGatewayError(cause, this.secrets, { ...what, paid: what.tool !== undefined && SPENDING_TOOLS.has(what.tool) });
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /** tools/list on the current session; an expired session is renewed and the list read again. */
  private listTracked(): Promise<Tool[]> {
    return this.tracked({ operation: 'tools/list' }, async (signal) => {
      const used = this.session;
      const hadSession = used.transport.sessionId !== undefined;
      try {
        return await listAllTools(used.client, this.options.timeoutMs, this.limits, signal);
      } catch (error) {
        if (!isExpiredSession(error, hadSession)) throw error;
        await this.reconnect(used);
        return listAllTools(this.session.client, this.options.timeoutMs, this.limits, signal);
      }
    });
  }

  /** Re-lists the tools and re-checks the pins (also run on `notifications/tools/list_changed`). */
  async recheckTools(): Promise<ToolPinDiff> {
    const run = this.listTracked().then((tools) => this.applyToolList(tools));
    // Calls wait for this, so a call racing a change notification is judged by the new list.
    this.pendingRecheck = run.then(() => undefined, () => undefined);
    return run;
  }

  /** @internal */
  scheduleRecheck(): void {
    void this.recheckTools().catch(() => undefined);
  }

  /** Accepts the server's current tools as the new pins (after a human or policy reviewed them). */
  async renewPins(): Promise<ToolPinSet> {
    const tools = await this.listTracked();
    const pins = await this.pinsOf(tools);
    this.setTools(tools);
    this.baseline = pins;
    this.currentPins = pins;
    this.blocked = undefined;
    return pins;
  }

  /**
   * Takes `saved` as the pins to judge by (e.g. pins a person renewed in a file meanwhile) and
   * judges the tools as last listed against them; returns the difference, which blocks as the
   * pin mode says. Unlike `renewPins`, nothing the server says now is accepted.
   */
  acceptPins(saved: ToolPinSet): ToolPinDiff {
    const diff = diffToolPins(saved, this.currentPins);
    this.baseline = saved;
    this.blocked = isEmptyDiff(diff) || this.pinMode === 'warn' ? undefined : diff;
    return diff;
  }

  /** The server's tool definitions (every page), re-checked against the pins. */
  async listTools(): Promise<Tool[]> {
    const tools = await this.listTracked();
    await this.applyToolList(tools);
    this.assertNotBlocked();
    return tools;
  }

  /** With `refuse-changed`, only a call to a changed or added tool (`name`) is refused. */
  private assertNotBlocked(name?: string): void {
    const blocked = this.blocked;
    if (!blocked) return;
    if (this.pinMode !== 'refuse-changed') throw new ToolPinMismatchError(blocked);
    if (name === undefined) return;
    const changed = blocked.changed.filter((n) => n === name);
    const added = blocked.added.filter((n) => n === name);
    if (changed.length > 0 || added.length > 0) throw new ToolPinMismatchError({ added, removed: [], changed });
  }

  /** One new session for everyone who saw `expired` expire (calls racing it reuse the new one). */
  private async reconnect(expired: McpSession): Promise<void> {
    if (!this.openSession) throw new McpProtocolError('the MCP session expired and this transport cannot reconnect');
    if (this.session !== expired) return this.reconnecting;
    this.reconnecting ??= (async () => {
      const old = this.session;
      this.session = await this.openSession!();
      await old.client.close().catch(() => undefined);
      // A new session may come with new tools: judge them before anything runs on it.
      await this.recheckTools();
    })().finally(() => {
      this.reconnecting = undefined;
    });
    await this.reconnecting;
  }

  private async send(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const used = this.session;
    const { client, transport } = used;
    const hadSession = transport.sessionId !== undefined;
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, requestOptions(this.options.timeoutMs, signal));
      return result as CallToolResult;
    } catch (error) {
      if (!isExpiredSession(error, hadSession)) throw error;
      await this.reconnect(used);
      if (SPENDING_TOOLS.has(name)) {
        // The server refused the expired session before running anything, but a paid call is
        // still never re-sent automatically: the caller decides (with an idempotency key).
        throw new ConnectionError(`The MCP session expired; ${name} was not run. A new session is open: retry it.`, error, {
          code: 'session_expired',
          action: 'Retry the call (pass idempotency_key to make retries safe)',
        });
      }
      this.assertNotBlocked(name);
      return (await this.session.client.callTool({ name, arguments: args }, undefined, requestOptions(this.options.timeoutMs, signal))) as CallToolResult;
    }
  }

  /**
   * Calls any tool by name and returns the raw MCP result. Pinning still applies (a paid tool's
   * definition is re-read first, so a change the server did not announce still blocks it); the
   * result's text is untrusted data (see `toDataBlock`).
   */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
    await this.pendingRecheck;
    await this.reconnecting;
    if (SPENDING_TOOLS.has(name)) await this.recheckTools();
    this.assertNotBlocked(name);
    if (!this.toolsByName.has(name)) {
      throw new McpProtocolError(`The server does not list a tool named "${name}"`);
    }
    return this.tracked({ tool: name }, (signal) => this.send(name, args, signal));
  }

  /**
   * Asks the authorization server for more scopes (with OAuth): the union of the held ones and
   * `scopes`, as a new grant the user approves. The way to spend after `InsufficientScopeError`,
   * since a paid call never triggers a step-up on its own.
   */
  async stepUp(scopes: readonly string[]): Promise<readonly string[] | undefined> {
    if (!this.oauth) throw new McpProtocolError('stepUp needs an authProvider (OAuth)');
    const union = [...new Set([...(this.scopes ?? []), ...scopes])];
    await this.oauth.authorize({ scope: union.join(' '), fresh: true }).catch((error: unknown) => {
      throw toGatewayError(error, this.secrets, { operation: 'step-up authorization' });
    });
    return this.scopes;
  }

  private async typedCall<N extends GatewayToolName>(name: N, params: unknown): Promise<{ result: Output<N>; args: Input<N> }> {
    const schemas = TOOL_SCHEMAS[name];
    const input = schemas.input.safeParse(params ?? {});
    if (!input.success) {
      throw new ValidationError(`Invalid arguments for ${name}`, zodIssues(input.error), params);
    }
    const required = TOOL_SCOPES[name];
    const held = this.scopes;
    // A scope we know is missing: refuse here, before anything is sent. With OAuth a read goes
    // out anyway: the server's challenge names the scope to ask for (one step-up), while a paid
    // call still needs the caller's stepUp().
    const mayStepUp = this.oauth !== undefined && !SPENDING_TOOLS.has(name);
    if (required && held !== undefined && !hasScope(held, required) && !mayStepUp) {
      throw InsufficientScopeError.missing(required, held);
    }
    const raw = await this.callTool(name, input.data as Record<string, unknown>);
    if (raw.isError) throw this.toolError(raw);
    const data = raw.structuredContent ?? jsonText(raw);
    const output = schemas.output.safeParse(data);
    if (!output.success) {
      throw new ValidationError(`The ${name} result did not match its schema`, zodIssues(output.error), data);
    }
    return { result: output.data as Output<N>, args: input.data as Input<N> };
  }

  /** A tool error carries the REST error body as JSON text; it maps to the same error classes. */
  private toolError(raw: CallToolResult): ProxygateError {
    const text = textOf(raw);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = ToolErrorBody.safeParse(body);
    if (!parsed.success) {
      return new APIError({ status: undefined, body: { error: 'tool_error', message: text.slice(0, 500) }, secrets: this.secrets });
    }
    const { status, receipt } = parsed.data as { status?: number; receipt?: unknown };
    const headers = new Headers();
    if (typeof receipt === 'string') headers.set('x-proxygate-receipt', receipt);
    return APIError.generate({ status: status ?? 400, body: parsed.data, headers, secrets: this.secrets });
  }

  /** Searches the catalog (no token needed). */
  async browseApis(params: BrowseApisParams = {}): Promise<BrowseApisResult> {
    return (await this.typedCall('browse_apis', params)).result;
  }

  /** One listing (by listing id) with its documentation, if any. */
  async describeEndpoint(params: DescribeEndpointParams): Promise<DescribeEndpointResult> {
    return (await this.typedCall('describe_endpoint', params)).result;
  }

  /** Price per service (`price_per_request_micro_cents` is micro-USD). */
  async getPricing(params: GetPricingParams = {}): Promise<GetPricingResult> {
    return (await this.typedCall('get_pricing', params)).result;
  }

  /** Balance of the token's account in micro-USD (`account:read`; `balance:read` on the public gateway). */
  async checkBalance(): Promise<CheckBalanceResult> {
    return (await this.typedCall('check_balance', {})).result;
  }

  /** Past calls, newest first, with the per-service summary (`account:read`; `usage:read` on the public gateway). */
  async getUsage(params: GetUsageParams = {}): Promise<GetUsageResult> {
    return (await this.typedCall('get_usage', params)).result;
  }

  /** Rates the seller of a past call (`trade`; `rate:write` on the public gateway). */
  async rateSeller(params: RateSellerParams): Promise<RateSellerResult> {
    return (await this.typedCall('rate_seller', params)).result;
  }

  /**
   * A paid call (`trade`; refused locally when the token lacks it). The receipt is verified
   * offline against `keys`; a receipt that fails throws `ReceiptVerificationError` unless
   * `acceptInvalidReceipts` is set. A strict shield block throws `ShieldBlockedError`.
   */
  async callApi(params: CallApiParams): Promise<CallApiResult> {
    const { result, args } = await this.typedCall('call_api', params).catch(async (error: unknown) => {
      if (error instanceof ShieldBlockedError) await this.settleBlocked(error, params);
      throw error;
    });
    const claimedShield = shieldFromEvent(result.shield);
    if (!claimedShield) throw new McpProtocolError('call_api returned no usable shield verdict');
    const verification = await verifyCallReceipt(result, args, this.options.keys, this.expectations());
    // Once this token has a signed v3 receipt, a weaker one for it can only be a downgrade.
    if (verification.valid && verification.receipt?.receipt_version === 3) this.identity.minVersion = 3;
    const shieldVerdict = verification.shield ?? claimedShield;
    this.options.onVerdict?.({ tool: 'call_api', requestId: result.request_id, receipt: verification, shield: shieldVerdict });
    const full: CallApiResult = { ...result, verification, shieldVerdict, untrusted: asUntrusted({ body: result.body, shield: shieldVerdict }) };
    if (!verification.valid && !this.options.acceptInvalidReceipts) {
      // The call was charged: the result travels with the error so it is never lost.
      throw new ReceiptVerificationError(verification.reason, verification.message, result.request_id, full);
    }
    return full;
  }

  private expectations(): ReceiptExpectations {
    return { tokenId: this.identity.tokenId, wallet: this.identity.wallet, minVersion: this.identity.minVersion };
  }

  /**
   * A blocked call still has a receipt. The error body's refund, score and flags are unsigned
   * claims: when the receipt verifies, what it signs replaces them (`settle`), and `onVerdict`
   * hears of it either way.
   */
  private async settleBlocked(error: ShieldBlockedError, params: CallApiParams): Promise<void> {
    const body = error.body as { request_id?: unknown } | undefined;
    if (!error.rawReceipt || typeof body?.request_id !== 'string') return;
    const sent = TOOL_SCHEMAS.call_api.input.parse(params);
    const verification = await verifyCallReceipt({ receipt: error.rawReceipt, request_id: body.request_id }, sent, this.options.keys, this.expectations());
    if (verification.valid) error.settle({ amount: BigInt(verification.receipt.amount), shield: verification.shield ?? undefined });
    const shield = verification.shield ?? { mode: 'strict', scoreBp: Math.round((error.score ?? 0) * 10_000), score: error.score ?? 0, flags: [...error.flags], action: 'blocked', source: 'headers' };
    // The receipt fields every paid-call error carries (see ShieldBlockedError).
    const receipt = verification.receipt ?? null;
    Object.assign(error, {
      receipt,
      receiptVerdict: verification,
      shield,
      cost: receipt ? receiptAmount(receipt) : null,
      receiptVerified: verification.valid,
      refundReceipt: receipt,
      refundReceiptVerdict: verification,
    });
    this.options.onVerdict?.({ tool: 'call_api', requestId: body.request_id, receipt: verification, shield });
  }

  /**
   * Completes an OAuth authorization the provider could not finish itself (it has no
   * `authorizationCode()` hook): pass the code the redirect URI received, then retry.
   */
  async finishAuth(authorizationCode: string): Promise<void> {
    if (!this.oauth) throw new McpProtocolError('finishAuth needs an authProvider (OAuth)');
    await this.oauth.finish(authorizationCode).catch((error: unknown) => {
      throw toGatewayError(error, this.secrets, { operation: 'token exchange' });
    });
  }

  async close(): Promise<void> {
    await this.session.client.close().catch((error: unknown) => {
      throw toGatewayError(error, this.secrets, { operation: 'close' });
    });
  }
}
