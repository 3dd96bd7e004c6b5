#!/usr/bin/env node
// The client under test for the official MCP conformance suite (@modelcontextprotocol/conformance),
// run by scripts/mcp-conformance.sh: `<this> <server-url>` with MCP_CONFORMANCE_SCENARIO set.
// It is built on connectGateway and an OAuth provider only (no MCP SDK Client of its own): the
// provider answers the suite's auto-approving authorization server by following its redirect.
// Needs the built SDK (`npm run build`).
import { connectGateway } from '@proxygate-kit/sdk/mcp';

const serverUrl = process.argv[2];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
if (!serverUrl) {
  process.stderr.write('usage: mcp-conformance.client.mjs <server-url>\n');
  process.exit(2);
}
const context = process.env.MCP_CONFORMANCE_CONTEXT ? JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) : {};

const REDIRECT = 'http://localhost:3000/callback';
/** The URL-based client id the suite expects when the server supports client ID metadata documents. */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

/** An in-memory OAuth client: `redirectToAuthorization` follows the suite's redirect and keeps the code. */
class ConformanceProvider {
  #client;
  #tokens;
  #verifier;
  #code;
  constructor(preRegistered) {
    this.#client = preRegistered;
    this.clientMetadataUrl = preRegistered ? undefined : CLIENT_METADATA_URL;
  }
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata() {
    return { client_name: 'proxygate-kit conformance client', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };
  }
  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens) {
    this.#tokens = tokens;
  }
  saveCodeVerifier(verifier) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
    if (scope === 'all') this.#client = undefined;
  }
  async redirectToAuthorization(url) {
    // The suite's authorization server approves at once and redirects to our callback with a code.
    const answer = await fetch(url, { redirect: 'manual' });
    const location = answer.headers.get('location');
    this.#code = location ? new URL(location).searchParams.get('code') ?? undefined : undefined;
  }
  async authorizationCode() {
    if (!this.#code) throw new Error('the authorization server sent no code');
    const code = this.#code;
    this.#code = undefined;
    return code;
  }
}

function provider() {
  if (scenario === 'auth/pre-registration') {
    return new ConformanceProvider({ client_id: context.client_id, client_secret: context.client_secret, redirect_uris: [REDIRECT] });
  }
  return new ConformanceProvider(undefined);
}

const common = {
  url: serverUrl,
  clientInfo: { name: 'proxygate-kit-conformance', version: '0.1.0' },
  timeoutMs: 20_000,
  // The suite's servers listen on http://localhost.
  oauthLoopback: true,
};

async function run() {
  if (scenario.startsWith('auth/')) {
    const gateway = await connectGateway({ ...common, authProvider: provider() });
    await gateway.callTool('test-tool', {});
    await gateway.close();
    return;
  }
  if (scenario === 'elicitation-sep1034-client-defaults') {
    // Accept with nothing filled in: the client applies the schema's defaults (SEP-1034).
    const gateway = await connectGateway({ ...common, token: null, handlers: { elicitation: () => ({ action: 'accept', content: {} }) } });
    await gateway.callTool('test_client_elicitation_defaults', {});
    await gateway.close();
    return;
  }
  const gateway = await connectGateway({ ...common, token: null });
  if (scenario === 'tools_call') await gateway.callTool('add_numbers', { a: 5, b: 3 });
  if (scenario === 'sse-retry') await gateway.callTool('test_reconnection', {});
  await gateway.close();
}

try {
  await run();
  process.exit(0);
} catch (error) {
  // A typed error of ours: name, code and message (already redacted) say enough.
  process.stderr.write(`${error?.name ?? 'Error'}${error?.code ? ` (${error.code})` : ''}: ${error?.message ?? String(error)}\n`);
  process.exit(1);
}
