// connectGateway: a typed MCP client for a Proxygate gateway, on the official MCP TypeScript SDK
// (Client + StreamableHTTPClientTransport). What it adds: scope checks before spending, OAuth
// discovery on 401 through an authProvider but never a silent step-up on 403, offline receipt
// verification, shield verdicts, and tool pinning against rug pulls.
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { AuthenticationError, ConnectionError, ProxygateError } from '../core/error.js';
import { readEnv } from '../internal/env.js';
import { scrubError } from '../internal/redact.js';
import { delegationTokenScopes } from '../internal/scopes.js';
import { ToolPinMismatchError } from './errors.js';
import { createGatewayFetch, fetchTokenInfo, parseScopes, resolveToken } from './gateway-fetch.js';
import { GatewayMcpClient, listAllTools, type McpSession } from './gateway-client.js';
import { isPinOptions, type ConnectGatewayOptions } from './options.js';
import { computeToolPins } from './tool-pinning.js';

const DEFAULT_GATEWAY = 'https://gateway.proxygate.ai';

function envGatewayMcpUrl(): string {
  return `${(readEnv('PROXYGATE_GATEWAY_URL') ?? DEFAULT_GATEWAY).replace(/\/+$/, '')}/mcp`;
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

/**
 * Connects to a gateway's MCP endpoint, lists and pins its tools, and learns the token's scopes.
 * Throws `ToolPinMismatchError` when saved pins no longer match (unless `pin.mode: 'warn'`).
 */
export async function connectGateway(options: ConnectGatewayOptions = {}): Promise<GatewayMcpClient> {
  const url = new URL(options.url ?? defaultMcpUrl());
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const restBase = String(options.restBaseUrl ?? new URL('.', url)).replace(/\/+$/, '');
  const authProvider = options.authProvider;
  // `undefined` means "the env token"; `null` sends none (see envTokenAllowed).
  const token = options.token !== undefined || envTokenAllowed(url, options.url !== undefined) ? options.token : null;
  const firstToken = authProvider ? undefined : await resolveToken(token);
  const secrets: string[] = firstToken ? [firstToken] : [];

  // The env token may go to the REST side only on the MCP endpoint's own origin.
  const restTokenAllowed = token !== undefined || new URL(restBase).origin === url.origin;

  let scopes: readonly string[] | undefined = options.scopes;
  let tokenId: string | undefined = options.tokenId; // the `buyer` of this token's v3 receipts
  if (scopes === undefined) {
    if (authProvider) scopes = parseScopes((await authProvider.tokens())?.scope);
    else if (firstToken && restTokenAllowed) {
      const info = await fetchTokenInfo(restBase, firstToken, fetchImpl, secrets);
      // No introspection (the public gateway): a pg_del_ token's claim still tells, unverified.
      scopes = info?.scopes ?? delegationTokenScopes(firstToken);
      tokenId ??= info?.id;
    } else if (!firstToken) scopes = []; // anonymous: browsing works, anything needing a scope is refused locally
  } else if (tokenId === undefined && options.keys && firstToken && restTokenAllowed) {
    // Scopes given, but verified receipts must still name this token as buyer.
    tokenId = (await fetchTokenInfo(restBase, firstToken, fetchImpl, secrets))?.id;
  }

  const gatewayFetch = createGatewayFetch({ mcpUrl: url, token, oauth: authProvider !== undefined, fetch: fetchImpl, secrets });
  let gateway: GatewayMcpClient | undefined;

  const openSession = async (transport: Transport): Promise<McpSession> => {
    const client = new Client(options.clientInfo ?? { name: 'proxygate-kit', version: '0.1.0' }, {
      capabilities: {},
      listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => gateway?.scheduleRecheck() } },
    });
    try {
      await client.connect(transport, options.timeoutMs === undefined ? undefined : { timeout: options.timeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      if (error instanceof ProxygateError) throw error;
      if (error instanceof UnauthorizedError) {
        throw new AuthenticationError({ status: 401, message: 'Authorization required: complete the OAuth flow, then reconnect', body: undefined, secrets });
      }
      // The server's answer (quoted by the MCP SDK's error) may echo the token.
      throw new ConnectionError(`Could not connect to the MCP endpoint ${url.origin}${url.pathname}`, scrubError(error, secrets));
    }
    return { client, transport };
  };
  const httpTransport = (): Transport =>
    new StreamableHTTPClientTransport(url, { fetch: gatewayFetch, ...(authProvider ? { authProvider } : {}) });

  const session = await openSession(options.transport ?? httpTransport());
  try {
    const tools = await listAllTools(session.client, options.timeoutMs);
    const saved = options.pin === undefined ? undefined : isPinOptions(options.pin) ? options.pin.saved : options.pin;
    const pins = await computeToolPins(tools);
    // A caller-supplied transport cannot be recreated, so only HTTP sessions are renewed on expiry.
    const reopen = options.transport ? undefined : () => openSession(httpTransport());
    gateway = new GatewayMcpClient(session, reopen, options, secrets, scopes, tools, saved ?? pins, tokenId);
    await gateway.applyToolList(tools);
    if (gateway.pinMismatch) throw new ToolPinMismatchError(gateway.pinMismatch);
    return gateway;
  } catch (error) {
    await session.client.close().catch(() => undefined);
    throw error;
  }
}
