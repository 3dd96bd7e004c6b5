import type { HttpHandler } from 'msw';
import type { Gateway } from '../state/gateway.js';
import { accountHandlers } from './account.js';
import { catalogHandlers } from './catalog.js';
import type { HandlerContext, HandlerOptions } from './common.js';
import { controlHandlers } from './control.js';
import { corsPreflightHandler } from './cors.js';
import { metaHandlers, notFoundHandlers } from './meta.js';
import { proxyHandlers } from './proxy.js';
import { receiptHandlers } from './receipts.js';
import { tokenHandlers } from './tokens.js';

export type { HandlerOptions } from './common.js';
export { FAULT_HEADER } from './common.js';
export { corsPolicy, corsPreflightHandler, type CorsPolicy } from './cors.js';

/**
 * msw handlers for every REST route of the gateway's profile plus `/__mock/*`, matching any
 * origin. Extension routes exist only in the extended profile; elsewhere they fall through to 404.
 */
export function createRestHandlers(gateway: Gateway, options: HandlerOptions = {}): HttpHandler[] {
  const ctx: HandlerContext = { gateway, options };
  const extensions = gateway.switches.extensions;
  return [
    corsPreflightHandler(gateway),
    ...controlHandlers(ctx),
    ...catalogHandlers(ctx),
    ...accountHandlers(ctx),
    ...(extensions ? tokenHandlers(ctx) : []),
    ...proxyHandlers(ctx),
    ...(extensions ? receiptHandlers(ctx) : []),
    ...metaHandlers(ctx),
    ...notFoundHandlers(ctx),
  ];
}
