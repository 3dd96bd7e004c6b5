// Adapts the transport-free Gateway to the MCP tools, so /mcp and REST share one state: the same
// tokens and scopes, balance, ledger, receipt chains and idempotency store.
import type { AuthContext, Gateway } from '../state/gateway.js';
import type { CallApiOutcome, McpBackend, ToolShield } from './backend.js';

function receiptOf(headers: Record<string, string>, sseReceiptEvent: string | undefined): string {
  const header = headers['x-proxygate-receipt'];
  if (header) return header;
  // Streaming listings carry the receipt in the final SSE event instead of a header.
  const data = /^data: (.*)$/m.exec(sseReceiptEvent ?? '')?.[1];
  const receipt = data ? (JSON.parse(data) as { receipt?: unknown }).receipt : undefined;
  if (typeof receipt !== 'string') throw new Error('call result carries no receipt');
  return receipt;
}

export function gatewayMcpBackend(gateway: Gateway): McpBackend<AuthContext> {
  return {
    async issueAccessToken(requested) {
      // OAuth grants a child of the demo trader token, narrowed to what was asked for.
      const parent = gateway.authenticate(`Bearer ${gateway.demoTokens.trader}`);
      const allowed = requested.filter((scope) => parent.token.scopes.includes(scope as never));
      const scopes = allowed.length > 0 ? allowed : ['catalog:read'];
      const expiresIn = 3600;
      const expires_at = new Date(gateway.now().getTime() + expiresIn * 1000).toISOString();
      const minted = gateway.createToken(parent, { name: 'oauth', scopes, expires_at });
      return { token: minted.token, scopes: minted.info.scopes, expiresIn };
    },
    async authenticate(authorization) {
      if (!authorization) return null;
      const auth = gateway.authenticate(authorization);
      return { principal: auth, scopes: [...auth.token.scopes] };
    },
    async browseApis(args) {
      const { verified, limit, ...rest } = args as { verified?: boolean; limit?: number; [k: string]: unknown };
      return gateway.listApis({
        ...(rest as Record<string, string>),
        ...(verified === undefined ? {} : { verified }),
        ...(limit === undefined ? {} : { limit: String(limit) }),
      });
    },
    async describeEndpoint(listingId) {
      const listing = gateway.getApi(listingId);
      return { listing, markdown: gateway.apiDocs(listing.id).markdown };
    },
    async getPricing(listingId) {
      const pricing = gateway.pricing();
      if (listingId === undefined) return pricing;
      const listing = gateway.getApi(listingId);
      return { data: pricing.data.filter((row) => row.listing_id === listing.id) };
    },
    async checkBalance(caller) {
      return gateway.balance(caller.principal);
    },
    async getUsage(caller, args) {
      const { limit, ...rest } = args as { limit?: number; [k: string]: unknown };
      return gateway.usage(caller.principal, { ...(rest as Record<string, string>), ...(limit === undefined ? {} : { limit: String(limit) }) });
    },
    async rateSeller(caller, args) {
      return gateway.rate(caller.principal, args);
    },
    async callApi(caller, args): Promise<CallApiOutcome> {
      // Checked first so a token without `trade` learns that, not whether the listing exists.
      gateway.requireScope(caller.principal, 'trade');
      const listing = gateway.getApi(args.listing_id);
      const result = gateway.callListing(caller.principal, {
        listing: listing.id,
        service: listing.service,
        method: args.method ?? 'GET',
        path: args.path,
        query: new URLSearchParams(args.query ?? {}),
        body: args.body ?? null,
        shield: args.shield ?? null,
        idempotencyKey: args.idempotency_key ?? null,
      });
      const shield: ToolShield = {
        mode: result.shield.mode,
        score: result.shield.score_bp / 10_000,
        flags: [...result.shield.flags],
        action: result.shield.action,
      };
      const outcome: CallApiOutcome = {
        status: result.status,
        content_type: result.headers['content-type'] ?? null,
        body: result.body,
        amount_micro_cents: result.amount,
        request_id: result.requestId,
        receipt: receiptOf(result.headers, result.sseReceiptEvent),
        shield,
        idempotent_replayed: result.replayed,
      };
      if (result.shield.action === 'blocked') {
        outcome.blocked = JSON.parse(result.body) as CallApiOutcome['blocked'];
        outcome.body = '';
      }
      return outcome;
    },
  };
}
