// GatewayMcpClient: typed tool methods over an MCP session, with the checks the MCP SDK leaves to
// its users: scopes before spending, receipts, shield verdicts, tool pins, typed errors.
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  InsufficientScopeError,
  ProxygateError,
  ShieldBlockedError,
  TimeoutError,
  ValidationError,
  type ValidationIssue,
} from '../core/error.js';
import { redactText, scrubError } from '../internal/redact.js';
import { hasScope } from '../internal/scopes.js';
import { asUntrusted, shieldFromEvent } from '../shield/index.js';
import { McpProtocolError, ReceiptVerificationError, ToolPinMismatchError } from './errors.js';
import { parseScopes } from './gateway-fetch.js';
import { isPinOptions, type CallApiResult, type ConnectGatewayOptions, type PinMode } from './options.js';
import { verifyCallReceipt } from './receipt-check.js';
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
const SPENDING_TOOLS = new Set(['call_api']);

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

export async function listAllTools(client: Client, timeoutMs: number | undefined): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor }, timeoutMs === undefined ? undefined : { timeout: timeoutMs });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor) return tools;
  }
  throw new McpProtocolError('tools/list did not end after 100 pages');
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

  /** @internal use `connectGateway` */
  constructor(
    session: McpSession,
    private readonly openSession: (() => Promise<McpSession>) | undefined,
    private readonly options: ConnectGatewayOptions,
    private readonly secrets: readonly string[],
    scopes: readonly string[] | undefined,
    tools: Tool[],
    pins: ToolPinSet,
    /** The token id from `GET /v1/tokens/self` (the `buyer` of its v3 receipts), when known. */
    private readonly knownTokenId?: string | undefined,
  ) {
    this.session = session;
    this.knownScopes = scopes;
    this.currentPins = pins;
    this.baseline = pins;
    this.setTools(tools);
  }

  /** The scopes the client believes its token holds; undefined when unknown (the server decides). */
  get scopes(): readonly string[] | undefined {
    return this.knownScopes;
  }

  /**
   * The token id v3 receipts must name as `buyer`. Undefined when it could not be learned (no
   * `tokenId` option, and no `GET /v1/tokens/self`: OAuth, another origin, or a gateway without
   * it): then a receipt of someone else's identical call is not told apart. Pass `tokenId`.
   */
  get tokenId(): string | undefined {
    return this.knownTokenId;
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

  private setTools(tools: Tool[]): void {
    this.toolsByName = new Map(tools.map((tool) => [tool.name, tool]));
  }

  /** @internal compares the listed tools with the baseline pins; in refuse mode blocks on change. */
  async applyToolList(tools: Tool[]): Promise<ToolPinDiff> {
    const pins = await computeToolPins(tools);
    const diff = diffToolPins(this.baseline, pins);
    this.currentPins = pins;
    this.setTools(tools);
    if (!isEmptyDiff(diff)) {
      const pin = this.options.pin;
      const onMismatch = pin && isPinOptions(pin) ? pin.onMismatch : undefined;
      onMismatch?.(diff);
      if (this.pinMode === 'refuse') this.blocked = diff;
      else if (!onMismatch) console.warn(`[proxygate mcp] ${new ToolPinMismatchError(diff).message}`);
    }
    return diff;
  }

  /** Re-lists the tools and re-checks the pins (also run on `notifications/tools/list_changed`). */
  async recheckTools(): Promise<ToolPinDiff> {
    const run = listAllTools(this.session.client, this.options.timeoutMs).then((tools) => this.applyToolList(tools));
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
    const tools = await listAllTools(this.session.client, this.options.timeoutMs);
    const pins = await computeToolPins(tools);
    this.setTools(tools);
    this.baseline = pins;
    this.currentPins = pins;
    this.blocked = undefined;
    return pins;
  }

  /** The server's tool definitions (every page), re-checked against the pins. */
  async listTools(): Promise<Tool[]> {
    const tools = await listAllTools(this.session.client, this.options.timeoutMs);
    await this.applyToolList(tools);
    this.assertNotBlocked();
    return tools;
  }

  private assertNotBlocked(): void {
    if (this.blocked) throw new ToolPinMismatchError(this.blocked);
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

  private async send(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const used = this.session;
    const { client, transport } = used;
    const hadSession = transport.sessionId !== undefined;
    try {
      const result = await client.callTool({ name, arguments: args }, undefined,
        this.options.timeoutMs === undefined ? undefined : { timeout: this.options.timeoutMs });
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
      this.assertNotBlocked();
      return (await this.session.client.callTool({ name, arguments: args }, undefined,
        this.options.timeoutMs === undefined ? undefined : { timeout: this.options.timeoutMs })) as CallToolResult;
    }
  }

  /**
   * Calls any tool by name and returns the raw MCP result. Pinning still applies; the result's
   * text is untrusted data (see `toDataBlock`).
   */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
    await this.pendingRecheck;
    await this.reconnecting;
    this.assertNotBlocked();
    if (!this.toolsByName.has(name)) {
      throw new McpProtocolError(`The server does not list a tool named "${name}"`);
    }
    try {
      return await this.send(name, args);
    } catch (error) {
      throw this.mapError(error, name);
    }
  }

  private mapError(error: unknown, tool: string): unknown {
    if (error instanceof ProxygateError) return error;
    // MCP SDK errors quote server answers, which may echo the token: what is kept is scrubbed.
    const cause = scrubError(error, this.secrets);
    const said = (message: string): string => redactText(message, this.secrets);
    if (error instanceof UnauthorizedError) {
      return new AuthenticationError({
        status: 401,
        message: 'Authorization required: complete the OAuth flow, then call finishAuth(code) and retry',
        body: { error: 'unauthorized', message: 'Authorization required' },
        secrets: this.secrets,
      });
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      // The server may still finish the call: for a paid call that means it may have been charged.
      const note = SPENDING_TOOLS.has(tool) ? ' It may still have run and been charged: check getUsage() before retrying, or retry with the same idempotency_key.' : '';
      return new TimeoutError(`${tool} timed out.${note}`, cause);
    }
    if (error instanceof McpError) return new McpProtocolError(said(`MCP error ${error.code}: ${error.message}`), cause);
    if (error instanceof StreamableHTTPError) return new McpProtocolError(said(error.message), cause);
    if (error instanceof TypeError && /fetch/i.test(error.message)) return new ConnectionError(said(`Could not reach the MCP endpoint: ${error.message}`), cause);
    return cause;
  }


  private async typedCall<N extends GatewayToolName>(name: N, params: unknown): Promise<{ result: Output<N>; args: Input<N> }> {
    const schemas = TOOL_SCHEMAS[name];
    const input = schemas.input.safeParse(params ?? {});
    if (!input.success) {
      throw new ValidationError(`Invalid arguments for ${name}`, zodIssues(input.error), params);
    }
    const required = TOOL_SCOPES[name];
    if (required && this.knownScopes !== undefined && !hasScope(this.knownScopes, required)) {
      // A scope we know is missing: refuse here, before anything is sent.
      throw InsufficientScopeError.missing(required, this.knownScopes);
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
      if (error instanceof ShieldBlockedError) await this.reportBlocked(error, params);
      throw error;
    });
    const claimedShield = shieldFromEvent(result.shield);
    if (!claimedShield) throw new McpProtocolError('call_api returned no usable shield verdict');
    const verification = await verifyCallReceipt(result, args, this.options.keys, this.knownTokenId);
    const shieldVerdict = verification.shield ?? claimedShield;
    this.options.onVerdict?.({ tool: 'call_api', requestId: result.request_id, receipt: verification, shield: shieldVerdict });
    const full: CallApiResult = { ...result, verification, shieldVerdict, untrusted: asUntrusted({ body: result.body, shield: shieldVerdict }) };
    if (!verification.valid && !this.options.acceptInvalidReceipts) {
      // The call was charged: the result travels with the error so it is never lost.
      throw new ReceiptVerificationError(verification.reason, verification.message, result.request_id, full);
    }
    return full;
  }

  /** A blocked call still has a (zero-amount) receipt: verify it and report it to `onVerdict`. */
  private async reportBlocked(error: ShieldBlockedError, params: CallApiParams): Promise<void> {
    const onVerdict = this.options.onVerdict;
    const body = error.body as { request_id?: unknown } | undefined;
    if (!onVerdict || !error.receipt || typeof body?.request_id !== 'string') return;
    const sent = TOOL_SCHEMAS.call_api.input.parse(params);
    const verification = await verifyCallReceipt({ receipt: error.receipt, request_id: body.request_id, amount_micro_usd: 0 }, sent, this.options.keys, this.knownTokenId);
    const shield = verification.shield ?? { mode: 'strict', scoreBp: Math.round((error.score ?? 0) * 10_000), score: error.score ?? 0, flags: [...error.flags], action: 'blocked', source: 'headers' };
    onVerdict({ tool: 'call_api', requestId: body.request_id, receipt: verification, shield });
  }

  /** Completes an OAuth authorization (after `authProvider.redirectToAuthorization`). */
  async finishAuth(authorizationCode: string): Promise<void> {
    const { transport } = this.session;
    if (!(transport instanceof StreamableHTTPClientTransport)) {
      throw new McpProtocolError('finishAuth needs the streamable HTTP transport');
    }
    await transport.finishAuth(authorizationCode);
    const granted = parseScopes((await this.options.authProvider?.tokens())?.scope);
    if (granted) this.knownScopes = granted;
  }

  async close(): Promise<void> {
    await this.session.client.close();
  }
}
