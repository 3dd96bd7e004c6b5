import type { ResolvedAuth } from './base-command.js';
import { loadMcpSdk } from './sdk-loader.js';

export function mcpUrl(auth: ResolvedAuth): string {
  return process.env['PROXYGATE_MCP_URL'] ?? `${auth.gatewayUrl}/mcp`;
}

/** An MCP client of the gateway; browsing works without a key (anonymous). */
export async function connectMcp(auth: ResolvedAuth) {
  const { connectGateway } = await loadMcpSdk();
  return connectGateway({
    url: mcpUrl(auth),
    restBaseUrl: auth.gatewayUrl,
    token: auth.apiKey ?? null,
    fetch: (input, init) => globalThis.fetch(input, init),
    clientInfo: { name: 'proxygate-cli', version: '0.1.0' },
  });
}
