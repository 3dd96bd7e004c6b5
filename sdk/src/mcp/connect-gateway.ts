// connectGateway: a typed MCP client for a Proxygate gateway, on the official MCP TypeScript SDK
// (Client + StreamableHTTPClientTransport). What it adds: scope checks before spending, OAuth
// discovery on 401 through an authProvider but never a silent step-up on 403, offline receipt
// verification, shield verdicts, and tool pinning against rug pulls.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  InsufficientScopeError,
  ProxygateError,
  ValidationError,
  type ValidationIssue,
} from '../core/error.js';
import { readEnv } from '../internal/env.js';
import { hasScope } from '../internal/scopes.js';
import type { KeySet } from '../receipts/key-set.js';
import { asUntrusted, shieldFromEvent, type ShieldVerdict, type UntrustedContent } from '../shield/index.js';
import { McpProtocolError, ReceiptVerificationError, ToolPinMismatchError } from './errors.js';
import { verifyCallReceipt, type CallReceiptVerdict } from './receipt-check.js';
import {
  computeToolPins,
  diffToolPins,
  isEmptyDiff,
  type ToolPinDiff,
  type ToolPinSet,
} from './tool-pinning.js';
import {
  TOOL_SCHEMAS,
  TOOL_SCOPES,
  ToolErrorBody,
  type BrowseApisParams,
  type BrowseApisResult,
  type CallApiParams,
  type CallApiToolOutput,
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

const DEFAULT_GATEWAY = 'https://gateway.proxygate.ai';

export type PinMode = 'refuse' | 'warn';

export interface PinOptions {
  /** Pins saved from an earlier connect. Absent: trust on first use, read them from `client.pins`. */
  saved?: ToolPinSet | undefined;
  /** `refuse` (default) fails closed: connect throws, and calls stay blocked after a live change. */
  mode?: PinMode;
  /** Called whenever the server's tools differ from the pins (both modes). */
  onMismatch?: (diff: ToolPinDiff) => void;
}

/** Everything known about one paid call's trustworthiness, also passed to `onVerdict`. */
export interface CallVerdict {
  tool: 'call_api';
  requestId: string;
  receipt: CallReceiptVerdict;
  shield: ShieldVerdict;
}

export interface ConnectGatewayOptions {
  /** MCP endpoint. Default: env `PROXYGATE_MCP_URL`, else `<PROXYGATE_GATEWAY_URL or https://gateway.proxygate.ai>/mcp`. */
  url?: string | URL;
  /** REST base for `GET /v1/tokens/self`. Default: the MCP URL without its last path segment. */
  restBaseUrl?: string | URL;
  /**
   * Bearer token sent on every request (a function is called per request, e.g. to read a
   * keychain). Default: env `PROXYGATE_API_KEY`; pass `null` to browse anonymously.
   */
  token?: string | null | (() => string | undefined | Promise<string | undefined>);
  /** OAuth client for servers that answer 401 with discovery metadata; then `token` is ignored. */
  authProvider?: OAuthClientProvider;
  /** The token's scopes, if known; otherwise read from `GET /v1/tokens/self` at connect. */
  scopes?: readonly string[];
  /** Pinned receipt keys: every `callApi` receipt is verified offline against them. */
  keys?: KeySet;
  /** Return results whose receipt fails verification instead of throwing (the verdict says why). */
  acceptInvalidReceipts?: boolean;
  /** Called once per paid call with its receipt and shield verdicts. */
  onVerdict?: (verdict: CallVerdict) => void;
  /** Tool pinning; pass saved pins (or `{ saved, mode }`) to detect changed tool definitions. */
  pin?: ToolPinSet | PinOptions;
  /** Per-request timeout in ms (the MCP SDK's default is 60 s). */
  timeoutMs?: number;
  /** fetch used for every HTTP request (MCP and REST). */
  fetch?: typeof fetch;
  /** A ready transport instead of streamable HTTP (in-memory servers in tests, stdio bridges). */
  transport?: Transport;
  /** Client name/version announced to the server. */
  clientInfo?: { name: string; version: string };
}

export interface CallApiResult extends CallApiToolOutput {
  /** Offline verdict on the signed receipt (`valid: true` only when the signature and content check out). */
  verification: CallReceiptVerdict;
  /** The shield verdict; the signed one from the receipt when it verified. */
  shieldVerdict: ShieldVerdict;
  /** The upstream body wrapped for a model prompt: data, never instructions. */
  untrusted: UntrustedContent;
}

function isPinOptions(pin: ToolPinSet | PinOptions): pin is PinOptions {
  return !('version' in pin && 'tools' in pin);
}

function defaultMcpUrl(): string {
  return readEnv('PROXYGATE_MCP_URL') ?? `${(readEnv('PROXYGATE_GATEWAY_URL') ?? DEFAULT_GATEWAY).replace(/\/+$/, '')}/mcp`;
}

function parseScopes(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(/\s+/).filter(Boolean);
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

/** A typed MCP client for one gateway. Create it with {@link connectGateway}. */
export class GatewayMcpClient {
  private knownScopes: readonly string[] | undefined;
  private currentPins: ToolPinSet;
  private baseline: ToolPinSet;
  private blocked: ToolPinDiff | undefined;
  private pendingRecheck: Promise<void> = Promise.resolve();
  private toolsByName = new Map<string, Tool>();

  /** @internal use {@link connectGateway} */
  constructor(
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly options: ConnectGatewayOptions,
    private readonly secrets: readonly string[],
    scopes: readonly string[] | undefined,
    tools: Tool[],
    pins: ToolPinSet,
  ) {
    this.knownScopes = scopes;
    this.currentPins = pins;
    this.baseline = pins;
    this.setTools(tools);
  }

  /** The scopes the client believes its token holds; undefined when unknown (the server decides). */
  get scopes(): readonly string[] | undefined {
    return this.knownScopes;
  }

  /** Pins of the tools as last listed; save them to detect changes on the next connect. */
  get pins(): ToolPinSet {
    return this.currentPins;
  }

  /** The pending pin mismatch that blocks calls, if any. */
  get pinMismatch(): ToolPinDiff | undefined {
    return this.blocked;
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
      if (pin && isPinOptions(pin)) pin.onMismatch?.(diff);
      if (this.pinMode === 'refuse') this.blocked = diff;
      else if (!(pin && isPinOptions(pin) && pin.onMismatch)) {
        console.warn(`[proxygate mcp] tool definitions changed: ${new ToolPinMismatchError(diff).message}`);
      }
    }
    return diff;
  }

  /** Re-lists the tools and re-checks the pins (also run on `notifications/tools/list_changed`). */
  async recheckTools(): Promise<ToolPinDiff> {
    const run = listAllTools(this.client, this.options.timeoutMs).then((tools) => this.applyToolList(tools));
    this.pendingRecheck = run.then(() => undefined, () => undefined);
    return run;
  }

  /** @internal */
  scheduleRecheck(): void {
    // Calls wait for this, so a call racing a change notification is judged by the new list.
    void this.recheckTools().catch(() => undefined);
  }

  /** Accepts the server's current tools as the new pins (after a human or policy reviewed them). */
  async renewPins(): Promise<ToolPinSet> {
    const tools = await listAllTools(this.client, this.options.timeoutMs);
    const pins = await computeToolPins(tools);
    this.setTools(tools);
    this.baseline = pins;
    this.currentPins = pins;
    this.blocked = undefined;
    return pins;
  }

  /** The server's tool definitions (every page), re-checked against the pins. */
  async listTools(): Promise<Tool[]> {
    const tools = await listAllTools(this.client, this.options.timeoutMs);
    await this.applyToolList(tools);
    this.assertNotBlocked();
    return tools;
  }

  private assertNotBlocked(): void {
    if (this.blocked) throw new ToolPinMismatchError(this.blocked);
  }

  /**
   * Calls any tool by name and returns the raw MCP result. Pinning still applies; the result's
   * text is untrusted data (see `toDataBlock`).
   */
  async callTool(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
    await this.pendingRecheck;
    this.assertNotBlocked();
    if (!this.toolsByName.has(name)) {
      throw new McpProtocolError(`The server does not list a tool named "${name}"`);
    }
    try {
      const result = await this.client.callTool({ name, arguments: args }, undefined,
        this.options.timeoutMs === undefined ? undefined : { timeout: this.options.timeoutMs });
      return result as CallToolResult;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  private mapError(error: unknown): unknown {
    if (error instanceof ProxygateError) return error;
    if (error instanceof UnauthorizedError) {
      return new AuthenticationError({
        status: 401,
        message: 'Authorization required: complete the OAuth flow, then call finishAuth(code) and retry',
        body: { error: 'unauthorized', message: 'Authorization required' },
        secrets: this.secrets,
      });
    }
    if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
      return new ConnectionError(`Could not reach the MCP endpoint: ${error.message}`, error);
    }
    return error;
  }

  private async typedCall<N extends GatewayToolName>(
    name: N,
    params: unknown,
  ): Promise<{ result: z.output<(typeof TOOL_SCHEMAS)[N]['output']>; raw: CallToolResult; args: z.output<(typeof TOOL_SCHEMAS)[N]['input']> }> {
    const schemas = TOOL_SCHEMAS[name];
    const input = schemas.input.safeParse(params ?? {});
    if (!input.success) {
      throw new ValidationError(`Invalid arguments for ${name}`, zodIssues(input.error), params);
    }
    const required = TOOL_SCOPES[name];
    if (required && this.scopes !== undefined && !hasScope(this.scopes, required)) {
      // Spending needs a scope we know is missing: refuse here, before anything is sent.
      throw InsufficientScopeError.missing(required, this.scopes);
    }
    const raw = await this.callTool(name, input.data as Record<string, unknown>);
    if (raw.isError) throw this.toolError(raw);
    const output = schemas.output.safeParse(raw.structuredContent);
    if (!output.success) {
      throw new ValidationError(`The ${name} result did not match its schema`, zodIssues(output.error), raw.structuredContent);
    }
    return { result: output.data as z.output<(typeof TOOL_SCHEMAS)[N]['output']>, raw, args: input.data as z.output<(typeof TOOL_SCHEMAS)[N]['input']> };
  }

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

  /** One listing with its endpoints and documentation. */
  async describeEndpoint(params: DescribeEndpointParams): Promise<DescribeEndpointResult> {
    return (await this.typedCall('describe_endpoint', params)).result;
  }

  /** Prices per listing, in integer micro-cents. */
  async getPricing(params: GetPricingParams = {}): Promise<GetPricingResult> {
    return (await this.typedCall('get_pricing', params)).result;
  }

  /** Balance of the token's account (`account:read`). */
  async checkBalance(): Promise<CheckBalanceResult> {
    return (await this.typedCall('check_balance', {})).result;
  }

  /** Past calls, newest first (`account:read`). */
  async getUsage(params: GetUsageParams = {}): Promise<GetUsageResult> {
    return (await this.typedCall('get_usage', params)).result;
  }

  /** Rates the seller of a past call (`trade`). */
  async rateSeller(params: RateSellerParams): Promise<RateSellerResult> {
    return (await this.typedCall('rate_seller', params)).result;
  }

  /**
   * A paid call (`trade`; refused locally when the token lacks it). The receipt is verified
   * offline against `keys`; a receipt that fails throws {@link ReceiptVerificationError} unless
   * `acceptInvalidReceipts` is set. A strict shield block throws `ShieldBlockedError`.
   */
  async callApi(params: CallApiParams): Promise<CallApiResult> {
    const { result, args } = await this.typedCall('call_api', params);
    const claimedShield = shieldFromEvent(result.shield);
    if (!claimedShield) throw new McpProtocolError('call_api returned no usable shield verdict');
    const verification = await verifyCallReceipt(result, args, this.options.keys);
    const shieldVerdict = verification.shield ?? claimedShield;
    this.options.onVerdict?.({ tool: 'call_api', requestId: result.request_id, receipt: verification, shield: shieldVerdict });
    if (!verification.valid && !this.options.acceptInvalidReceipts) {
      throw new ReceiptVerificationError(verification.reason, verification.message, result.request_id);
    }
    return {
      ...result,
      verification,
      shieldVerdict,
      untrusted: asUntrusted({ body: result.body, shield: shieldVerdict }),
    };
  }

  /** Completes an OAuth authorization (after `authProvider.redirectToAuthorization`). */
  async finishAuth(authorizationCode: string): Promise<void> {
    if (!(this.transport instanceof StreamableHTTPClientTransport)) {
      throw new McpProtocolError('finishAuth needs the streamable HTTP transport');
    }
    await this.transport.finishAuth(authorizationCode);
    const granted = parseScopes((await this.options.authProvider?.tokens())?.scope);
    if (granted) this.knownScopes = granted;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

async function listAllTools(client: Client, timeoutMs: number | undefined): Promise<Tool[]> {
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

async function resolveToken(token: ConnectGatewayOptions['token']): Promise<string | undefined> {
  if (token === null) return undefined;
  if (token === undefined) return readEnv('PROXYGATE_API_KEY');
  if (typeof token === 'string') return token;
  return (await token()) ?? undefined;
}

/** Reads the presented token's scopes; undefined when the gateway has no introspection endpoint. */
async function fetchTokenScopes(
  restBase: string,
  token: string,
  fetchImpl: typeof fetch,
  secrets: readonly string[],
): Promise<string[] | undefined> {
  let response: Response;
  try {
    response = await fetchImpl(`${restBase}/v1/tokens/self`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  } catch (error) {
    throw new ConnectionError('Could not read the token scopes (GET /v1/tokens/self)', error);
  }
  if (response.status === 404 || response.status === 405) return undefined;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw APIError.generate({ status: response.status, headers: response.headers, body, secrets });
  const scopes = (body as { scopes?: unknown } | undefined)?.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
    throw new ValidationError('GET /v1/tokens/self returned no scopes list', [{ path: ['scopes'], message: 'expected string[]', code: 'invalid_type' }], body);
  }
  return scopes;
}

/** A 403 insufficient_scope is surfaced (step-up is the caller's decision), never retried silently. */
async function refuseStepUp(response: Response, secrets: readonly string[]): Promise<never> {
  const body: unknown = await response.clone().json().catch(() => undefined);
  throw APIError.generate({ status: 403, headers: response.headers, body, secrets });
}

function isScopeChallenge(response: Response): boolean {
  return response.status === 403 && /error="?insufficient_scope/i.test(response.headers.get('www-authenticate') ?? '');
}

/**
 * Connects to a gateway's MCP endpoint, lists and pins its tools, and learns the token's scopes.
 * Throws {@link ToolPinMismatchError} when saved pins no longer match (unless `pin.mode: 'warn'`).
 */
export async function connectGateway(options: ConnectGatewayOptions = {}): Promise<GatewayMcpClient> {
  const url = new URL(options.url ?? defaultMcpUrl());
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const restBase = String(options.restBaseUrl ?? new URL('.', url)).replace(/\/+$/, '');
  const authProvider = options.authProvider;
  const firstToken = authProvider ? undefined : await resolveToken(options.token);
  const secrets = firstToken ? [firstToken] : [];

  let scopes: readonly string[] | undefined = options.scopes;
  if (scopes === undefined) {
    if (authProvider) scopes = parseScopes((await authProvider.tokens())?.scope);
    else if (firstToken) scopes = await fetchTokenScopes(restBase, firstToken, fetchImpl, secrets);
    else scopes = []; // anonymous: browsing works, anything needing a scope is refused locally
  }

  // Adds the Bearer token per request and turns auth answers into typed errors before the
  // MCP transport sees them (it would otherwise start an OAuth step-up on its own).
  const gatewayFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    if (!authProvider) {
      const token = await resolveToken(options.token);
      if (token) {
        if (!secrets.includes(token)) (secrets as string[]).push(token);
        headers.set('authorization', `Bearer ${token}`);
      }
    }
    const response = await fetchImpl(input, { ...init, headers });
    if (isScopeChallenge(response)) await refuseStepUp(response, secrets);
    if (response.status === 401 && !authProvider) {
      const body: unknown = await response.clone().json().catch(() => undefined);
      throw APIError.generate({ status: 401, headers: response.headers, body, secrets });
    }
    return response;
  };

  const transport = options.transport ?? new StreamableHTTPClientTransport(url, {
    fetch: gatewayFetch,
    ...(authProvider ? { authProvider } : {}),
  });

  let gateway: GatewayMcpClient | undefined;
  const client = new Client(options.clientInfo ?? { name: 'proxygate-kit', version: '0.1.0' }, {
    capabilities: {},
    listChanged: {
      tools: { autoRefresh: false, debounceMs: 0, onChanged: () => gateway?.scheduleRecheck() },
    },
  });
  try {
    await client.connect(transport, options.timeoutMs === undefined ? undefined : { timeout: options.timeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    if (error instanceof ProxygateError) throw error;
    if (error instanceof UnauthorizedError) {
      throw new AuthenticationError({ status: 401, message: 'Authorization required: complete the OAuth flow, then reconnect', body: undefined, secrets });
    }
    throw new ConnectionError(`Could not connect to the MCP endpoint ${url.origin}${url.pathname}`, error);
  }

  try {
    const tools = await listAllTools(client, options.timeoutMs);
    const pins = await computeToolPins(tools);
    const saved = options.pin === undefined ? undefined : isPinOptions(options.pin) ? options.pin.saved : options.pin;
    gateway = new GatewayMcpClient(client, transport, options, secrets, scopes, tools, saved ?? pins);
    const diff = await gateway.applyToolList(tools);
    if (gateway.pinMismatch) throw new ToolPinMismatchError(diff);
    return gateway;
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}
