// connectGateway: a typed MCP client for a Proxygate gateway, on the official MCP TypeScript SDK
// (Client + StreamableHTTPClientTransport). What it adds: scope checks before spending, OAuth
// on any 401 (connect included) with a bounded step-up, offline receipt verification with
// downgrade and buyer checks, shield verdicts, tool pinning against rug pulls, limits on what
// the server may send, and typed errors only.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, type ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_GATEWAY_URL } from '../defaults.js';
import { readEnv } from '../internal/env.js';
import { VERSION } from '../version.js';
import { delegationTokenScopes } from '../internal/scopes.js';
import { toGatewayError } from './error-mapping.js';
import { ToolPinMismatchError } from './errors.js';
import { boundedFetch, createGatewayFetch, fetchBuyerWallet, fetchExtensionFeatures, fetchTokenInfo, resolveToken } from './gateway-fetch.js';
import { GatewayMcpClient, listAllTools, SPENDING_TOOLS, type McpSession, type ReceiptIdentity } from './gateway-client.js';
import { resolveLimits } from './limits.js';
import { OAuthSession } from './oauth-session.js';
import { isPinOptions, type ConnectGatewayOptions } from './options.js';
import { computeToolPins } from './tool-pinning.js';

function envGatewayMcpUrl(): string {
  return `${(readEnv('PROXYGATE_GATEWAY_URL') ?? DEFAULT_GATEWAY_URL).replace(/\/+$/, '')}/mcp`;
}

function defaultMcpUrl(): string {
  return readEnv('PROXYGATE_MCP_URL') ?? envGatewayMcpUrl();
}

function endpointOf(url: URL | string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/**
 * The env token belongs to the gateway the environment names: it goes to an explicit `url` only
 * when that is this gateway's MCP endpoint (or the env's `PROXYGATE_MCP_URL`), never to another
 * server someone passed in. Any other server gets a token only when the caller passes one.
 */
function envTokenAllowed(url: URL, explicitUrl: boolean): boolean {
  if (!explicitUrl) return true;
  const trusted = [envGatewayMcpUrl(), readEnv('PROXYGATE_MCP_URL')].filter((u): u is string => u !== undefined);
  return trusted.some((candidate) => {
    try {
      return endpointOf(candidate) === endpointOf(url);
    } catch {
      return false; // an unparsable env URL trusts nothing
    }
  });
}

/** What the client announces: the caller's capabilities, or those its handlers imply. */
function clientCapabilities(options: ConnectGatewayOptions): ClientCapabilities {
  if (options.capabilities) return options.capabilities;
  return {
    ...(options.handlers?.elicitation ? { elicitation: { form: { applyDefaults: true } } } : {}),
    ...(options.handlers?.sampling ? { sampling: {} } : {}),
  };
}

/**
 * Connects to a gateway's MCP endpoint, lists and pins its tools, and learns the token's scopes.
 * Throws `ToolPinMismatchError` when saved pins no longer match (unless `pin.mode: 'warn'`).
 * Every failure is a `ProxygateError` subclass.
 */
export async function connectGateway(options: ConnectGatewayOptions = {}): Promise<GatewayMcpClient> {
  const secrets: string[] = [];
  try {
    return await connect(options, secrets);
  } catch (error) {
    throw toGatewayError(error, secrets, { operation: 'connect' });
  }
}

async function connect(options: ConnectGatewayOptions, secrets: string[]): Promise<GatewayMcpClient> {
  const url = new URL(options.url ?? defaultMcpUrl());
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const restBase = String(options.restBaseUrl ?? new URL('.', url)).replace(/\/+$/, '');
  const limits = resolveLimits(options.limits);
  const oauth = options.authProvider
    ? new OAuthSession(options.authProvider, { mcpUrl: url, fetch: fetchImpl, policy: { allowLoopback: options.oauthLoopback ?? false }, secrets })
    : undefined;
  await oauth?.load();
  // `undefined` means "the env token"; `null` sends none (see envTokenAllowed).
  const token = options.token !== undefined || envTokenAllowed(url, options.url !== undefined) ? options.token : null;
  const firstToken = oauth ? undefined : await resolveToken(token);
  if (firstToken) secrets.push(firstToken);

  // The env token may go to the REST side only on the MCP endpoint's own origin. An OAuth token
  // was issued for the MCP resource alone: it never goes to REST (no token passthrough).
  const restTokenAllowed = firstToken !== undefined && (token !== undefined || new URL(restBase).origin === url.origin);

  let scopes: readonly string[] | undefined = options.scopes;
  const identity: ReceiptIdentity = { tokenId: options.tokenId, wallet: options.buyerWallet, minVersion: 1 };
  const judgesReceipts = options.keys !== undefined || options.receiptIdentity === true;
  const needTokenInfo = restTokenAllowed && (scopes === undefined || (judgesReceipts && identity.tokenId === undefined));
  const needWallet = restTokenAllowed && judgesReceipts && identity.wallet === undefined;
  // Bounded like every MCP request: a silent REST side must not hold connect for minutes.
  const restFetch = boundedFetch(fetchImpl, options.timeoutMs);
  const [info, wallet, features] = await Promise.all([
    needTokenInfo ? fetchTokenInfo(restBase, firstToken, restFetch, secrets) : undefined,
    needWallet ? fetchBuyerWallet(restBase, firstToken, restFetch, secrets) : undefined,
    judgesReceipts ? fetchExtensionFeatures(restBase, restFetch) : ([] as readonly string[]),
  ]);
  if (scopes === undefined && !oauth) {
    // No introspection (the public gateway): a pg_del_ token's claim still tells, unverified.
    // Anonymous: browsing works, anything needing a scope is refused locally.
    scopes = firstToken ? info?.scopes ?? delegationTokenScopes(firstToken) : [];
  }
  identity.tokenId ??= info?.id;
  identity.wallet ??= wallet;
  // A gateway that signs v3 receipts: a weaker one for a paid call is a downgrade (unless the
  // caller accepts a token kept on legacy receipts; a v3 receipt seen later still raises it).
  if (features.includes('receipt_v3') && options.allowLegacyReceipts !== true) identity.minVersion = 3;

  let gateway: GatewayMcpClient | undefined;
  const gatewayFetch = createGatewayFetch({
    mcpUrl: url, token, oauth, fetch: fetchImpl, secrets, spendingTools: SPENDING_TOOLS,
    maxResultBytes: limits.maxResultBytes,
    onLimit: (error) => gateway?.failPending(error),
  });

  const openSession = async (transport: Transport): Promise<McpSession> => {
    const client = new Client(options.clientInfo ?? { name: 'proxygate-kit', version: VERSION }, {
      capabilities: clientCapabilities(options),
      listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => gateway?.scheduleRecheck() } },
    });
    const { elicitation, sampling } = options.handlers ?? {};
    if (elicitation) client.setRequestHandler(ElicitRequestSchema, (request) => elicitation(request.params));
    if (sampling) client.setRequestHandler(CreateMessageRequestSchema, (request) => sampling(request.params));
    try {
      await client.connect(transport, options.timeoutMs === undefined ? undefined : { timeout: options.timeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw toGatewayError(error, secrets, { operation: `connect to ${url.origin}${url.pathname}` });
    }
    return { client, transport };
  };
  const httpTransport = (): Transport => new StreamableHTTPClientTransport(url, { fetch: gatewayFetch });

  const session = await openSession(options.transport ?? httpTransport());
  try {
    const tools = await listAllTools(session.client, options.timeoutMs, limits);
    const saved = options.pin === undefined ? undefined : isPinOptions(options.pin) ? options.pin.saved : options.pin;
    const pins = await computeToolPins(tools);
    // A caller-supplied transport cannot be recreated, so only HTTP sessions are renewed on expiry.
    const reopen = options.transport ? undefined : () => openSession(httpTransport());
    gateway = new GatewayMcpClient({ session, reopen, options, secrets, scopes, tools, pins: saved ?? pins, identity, oauth, limits });
    await gateway.applyToolList(tools);
    const mode = options.pin !== undefined && isPinOptions(options.pin) ? options.pin.mode ?? 'refuse' : 'refuse';
    if (gateway.pinMismatch && mode === 'refuse') throw new ToolPinMismatchError(gateway.pinMismatch);
    return gateway;
  } catch (error) {
    await session.client.close().catch(() => undefined);
    throw error;
  }
}
