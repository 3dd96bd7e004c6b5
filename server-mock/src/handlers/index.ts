import type { HttpHandler } from 'msw';
import type { Gateway } from '../state/gateway.js';
import { accountHandlers } from './account.js';
import { catalogHandlers } from './catalog.js';
import type { HandlerContext, HandlerOptions } from './common.js';
import { controlHandlers } from './control.js';
import { metaHandlers, notFoundHandlers } from './meta.js';
import { proxyHandlers } from './proxy.js';
import { receiptHandlers } from './receipts.js';
import { tokenHandlers } from './tokens.js';

export type { HandlerOptions } from './common.js';
export { FAULT_HEADER } from './common.js';

/** msw handlers for every REST operation of the spec plus `/__mock/*`, matching any origin. */
export function createRestHandlers(gateway: Gateway, options: HandlerOptions = {}): HttpHandler[] {
  const ctx: HandlerContext = { gateway, options };
  return [
    ...controlHandlers(ctx),
    ...catalogHandlers(ctx),
    ...accountHandlers(ctx),
    ...tokenHandlers(ctx),
    ...proxyHandlers(ctx),
    ...receiptHandlers(ctx),
    ...metaHandlers(ctx),
    ...notFoundHandlers(ctx),
  ];
}
