import type { ConnectGatewayOptions } from '@proxygate-kit/sdk/mcp';
import type { ResolvedAuth } from './base-command.js';
import { requestTimeoutMs } from './client.js';
import { UsageError } from './errors.js';
import { refuseFetchBadPort } from './gateway-url.js';
import { readTextFile } from './input.js';
import { loadMcpSdk } from './sdk-loader.js';
import { cliVersion } from './version.js';

export function mcpUrl(auth: ResolvedAuth): string {
  return process.env['PROXYGATE_MCP_URL'] ?? `${auth.gatewayUrl}/mcp`;
}

/**
 * An MCP client of the gateway; browsing works without a key (anonymous). With `pinsFile` the
 * tool definitions must match the saved pins or nothing is called (fail closed, exit 1).
 * `options` adds to (or overrides) what is passed to `connectGateway` (`mcp serve`: keys, pins).
 */
export async function connectMcp(auth: ResolvedAuth, pinsFile?: string, options: ConnectGatewayOptions = {}) {
  refuseFetchBadPort(auth.gatewayUrl);
  if (process.env['PROXYGATE_MCP_URL'] !== undefined) refuseFetchBadPort(mcpUrl(auth), 'the MCP URL', 'PROXYGATE_MCP_URL');
  const timeoutMs = requestTimeoutMs();
  const { connectGateway, parseToolPinSet } = await loadMcpSdk();
  let saved;
  if (pinsFile) {
    try {
      saved = parseToolPinSet(await readTextFile(pinsFile));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${pinsFile} is not a tool-pin file (${error instanceof Error ? error.message : 'unreadable'})`, 'save one with "proxygate mcp tools --save-pins FILE"');
    }
  }
  return connectGateway({
    url: mcpUrl(auth),
    restBaseUrl: auth.gatewayUrl,
    token: auth.apiKey ?? null,
    fetch: (input, init) => globalThis.fetch(input, init),
    clientInfo: { name: 'proxygate-cli', version: cliVersion() },
    ...(saved ? { pin: { saved, mode: 'refuse' as const } } : {}),
    // Each MCP request and each connect-time REST read (the SDK bounds them by timeoutMs).
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...options,
  });
}
