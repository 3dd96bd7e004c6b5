import { http, type HttpHandler } from 'msw';
import { FaultSpecError, type FaultSpec } from '../faults.js';
import type { ReceiptVersion } from '../state/types.js';
import { errorResponse, json, readJsonBody, type HandlerContext } from './common.js';

/**
 * `/__mock/*`: test control for subprocess tests (faults, ledger, keys, receipt forms, wallet
 * limits, settlement, health, MCP tool descriptions, reset), in both profiles. Served only by the mock; never subject to
 * fault injection itself.
 */
export function controlHandlers(ctx: HandlerContext): HttpHandler[] {
  const { gateway } = ctx;
  const guarded = async (run: () => Promise<Response> | Response): Promise<Response> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof FaultSpecError) return json({ error: 'validation_error', message: error.message }, 400);
      return errorResponse(gateway, error);
    }
  };
  return [
    http.post('*/__mock/faults', ({ request }) =>
      guarded(async () => {
        const body = await readJsonBody(gateway, request);
        const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[];
        return json({ data: specs.map((spec) => gateway.faults.inject(spec)) }, 201);
      }),
    ),
    http.get('*/__mock/faults', () => json({ data: gateway.faults.list() })),
    http.delete('*/__mock/faults', () => {
      gateway.faults.clear();
      return json({ data: [] });
    }),
    http.get('*/__mock/ledger', () => json({ data: gateway.ledger() })),
    http.post('*/__mock/rotate-keys', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as { endorse?: unknown; platform?: unknown };
        if (body.endorse !== undefined && typeof body.endorse !== 'boolean') return json({ error: 'validation_error', message: 'endorse must be a boolean' }, 400);
        if (body.platform !== undefined && typeof body.platform !== 'boolean') return json({ error: 'validation_error', message: 'platform must be a boolean' }, 400);
        return json(gateway.rotateKeys({ ...(body.endorse === undefined ? {} : { endorse: body.endorse }), ...(body.platform === undefined ? {} : { platform: body.platform }) }));
      }),
    ),
    http.post('*/__mock/revoke-key', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as { kid?: unknown };
        return json(gateway.revokeKey(String(body.kid ?? '')));
      }),
    ),
    http.post('*/__mock/receipt-version', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as { version?: unknown; token_id?: unknown; tag_v1?: unknown };
        const version = body.version;
        if (version !== 1 && version !== 2 && version !== 3) return json({ error: 'validation_error', message: 'version must be 1, 2 or 3' }, 400);
        if (version === 3 && !gateway.switches.extensions) return json({ error: 'validation_error', message: 'receipt v3 is an extension: the public profile emits v1 or v2' }, 400);
        if (body.tag_v1 !== undefined && typeof body.tag_v1 !== 'boolean') return json({ error: 'validation_error', message: 'tag_v1 must be a boolean' }, 400);
        if (typeof body.token_id === 'string') gateway.setTokenReceiptVersion(body.token_id, version as ReceiptVersion);
        else gateway.setDefaultReceiptVersion(version as ReceiptVersion);
        if (typeof body.tag_v1 === 'boolean') gateway.setTagV1Receipts(body.tag_v1);
        return json({ version, ...(typeof body.tag_v1 === 'boolean' ? { tag_v1: body.tag_v1 } : {}) });
      }),
    ),
    http.post('*/__mock/wallet-limits', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as Record<string, unknown>;
        const limit = (value: unknown) => (value === null || value === undefined ? null : value);
        const limits = { daily_limit_micro_usdc: limit(body['daily_limit_micro_usdc']), per_tx_limit_micro_usdc: limit(body['per_tx_limit_micro_usdc']) };
        if (Object.values(limits).some((value) => value !== null && typeof value !== 'number')) {
          return json({ error: 'validation_error', message: 'limits must be integers or null' }, 400);
        }
        gateway.setWalletLimits(limits as { daily_limit_micro_usdc: number | null; per_tx_limit_micro_usdc: number | null });
        return json(limits);
      }),
    ),
    http.post('*/__mock/settle', () =>
      guarded(() => {
        gateway.settle();
        return json({ ok: true });
      }),
    ),
    http.post('*/__mock/health', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as { status?: unknown };
        if (body.status !== 'healthy' && body.status !== 'degraded') return json({ error: 'validation_error', message: 'status must be healthy or degraded' }, 400);
        gateway.setHealth(body.status);
        return json({ status: body.status });
      }),
    ),
    http.post('*/__mock/receipt-header', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as { name?: unknown };
        if (body.name !== 'x-proxygate-receipt' && body.name !== 'x-receipt') {
          return json({ error: 'validation_error', message: 'name must be x-proxygate-receipt or x-receipt' }, 400);
        }
        gateway.setReceiptHeader(body.name);
        return json({ name: body.name });
      }),
    ),
    http.post('*/__mock/listing-availability', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as { listing?: unknown; available?: unknown };
        if (typeof body.listing !== 'string' || typeof body.available !== 'boolean') {
          return json({ error: 'validation_error', message: 'body must be { listing: string, available: boolean }' }, 400);
        }
        gateway.setListingAvailable(body.listing, body.available);
        return json({ listing: body.listing, available: body.available });
      }),
    ),
    http.post('*/__mock/mcp-tool', ({ request }) =>
      guarded(async () => {
        const body = (await readJsonBody(gateway, request)) as { name?: unknown; description?: unknown };
        if (typeof body.name !== 'string' || (typeof body.description !== 'string' && body.description !== null)) {
          return json({ error: 'validation_error', message: 'body must be { name: string, description: string | null }' }, 400);
        }
        gateway.setMcpToolDescription(body.name, body.description);
        return json({ name: body.name, description: body.description });
      }),
    ),
    http.post('*/__mock/reset', () => {
      gateway.reset();
      return json({ ok: true });
    }),
  ];
}
