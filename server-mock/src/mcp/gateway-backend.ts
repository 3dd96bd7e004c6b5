// Adapts the transport-free Gateway to the MCP tools, so /mcp and REST share one state: the same
// tokens and scopes, balance, ledger, receipt chains and idempotency store.
import { GatewayError } from '../state/errors.js';
import type { AuthContext, Gateway } from '../state/gateway.js';
import type { CatalogListing } from '../state/types.js';
import type { CallApiOutcome, McpBackend, ToolShield } from './backend.js';

function receiptOf(headers: Record<string, string>, sseReceiptEvent: string | undefined): string {
  const header = headers['x-proxygate-receipt'];
  if (header) return header;
  const plain = headers['x-receipt'];
  if (plain) return Buffer.from(plain, 'utf8').toString('base64');
  // Extended-profile streams carry the receipt in the final SSE event instead of a header.
  const data = /^data: (.*)$/m.exec(sseReceiptEvent ?? '')?.[1];
  const receipt = data ? (JSON.parse(data) as { receipt?: unknown }).receipt : undefined;
  if (typeof receipt !== 'string') throw new Error('call result carries no receipt');
  return receipt;
}

// MCP passes typed values; the catalog query reads strings, as on the wire.
function asQuery(args: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) if (value !== undefined && value !== null) out[key] = String(value);
  return out;
}

export function gatewayMcpBackend(gateway: Gateway): McpBackend<AuthContext> {
  const listingById = (listingId: string): CatalogListing => {
    const [listing] = gateway.listApis({ listing_id: listingId }).data;
    if (!listing) {
      throw new GatewayError(404, { error: 'listing_not_found', message: `No listing ${JSON.stringify(listingId.slice(0, 80))}.`, action: 'Browse with browse_apis for listing ids.', trace_id: gateway.nextTraceId() });
    }
    return listing;
  };
  return {
    origin: () => gateway.getOrigin(),
    async issueAccessToken(requested) {
      const expiresIn = 3600;
      const issued = gateway.issueOAuthToken(requested, expiresIn);
      return { ...issued, expiresIn };
    },
    async authenticate(authorization) {
      if (!authorization) return null;
      const auth = gateway.authenticate(authorization);
      return { principal: auth, scopes: [...auth.token.scopes] };
    },
    async browseApis(args) {
      const page = gateway.listApis(asQuery(args));
      return { data: page.data, cursor: page.cursor, has_more: page.has_more };
    },
    async describeEndpoint(listingId) {
      const listing = listingById(listingId);
      let docs: unknown = null;
      try {
        docs = gateway.apiDocs(listing.listing_id);
      } catch (error) {
        if (!(error instanceof GatewayError && error.status === 404)) throw error;
      }
      return { listing, docs };
    },
    async getPricing(args) {
      return gateway.pricing(asQuery(args));
    },
    async checkBalance(caller) {
      return gateway.balance(caller.principal);
    },
    async getUsage(caller, args) {
      return gateway.usage(caller.principal, asQuery(args));
    },
    async rateSeller(caller, args) {
      return gateway.rate(caller.principal, args);
    },
    async callApi(caller, args): Promise<CallApiOutcome> {
      // Checked first so a token that cannot spend learns that, not whether the listing exists.
      gateway.requirePermission(caller.principal, 'proxy');
      const listing = listingById(args.listing_id);
      const result = gateway.callListing(caller.principal, {
        listing: listing.listing_id,
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
        body: result.events ? result.events.join('') : result.body,
        amount_micro_usd: result.amount,
        request_id: result.requestId,
        receipt: receiptOf(result.headers, result.sseReceiptEvent),
        shield,
        ...(gateway.switches.idempotency ? { idempotent_replayed: result.replayed } : {}),
      };
      if (result.shield.action === 'blocked') {
        outcome.blocked = JSON.parse(result.body) as CallApiOutcome['blocked'];
        outcome.body = '';
      }
      return outcome;
    },
  };
}
