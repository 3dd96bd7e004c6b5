import type { RequestHandler } from 'msw';
import { createMcpHandlers } from './handlers/mcp.js';
import { corsPreflightHandler, createRestHandlers } from './handlers/index.js';
import { gatewayMcpBackend } from './mcp/gateway-backend.js';
import type { FaultInjector } from './faults.js';
import { Gateway, type DemoTokenSecrets } from './state/gateway.js';
import type { Profile } from './state/profile.js';
import type { LedgerEntry, ReceiptVersion } from './state/types.js';
import type { RotateKeysOptions, RotateKeysResult } from './state/keys.js';

export * from './state/index.js';
export { FaultInjector, FaultSpecError, FAULT_KINDS } from './faults.js';
export type { Fault, FaultKind, FaultPhase, FaultSpec } from './faults.js';
export { scan, formatScore, SHIELD_RULES, SHIELD_MODES, BLOCK_THRESHOLD_BP } from './scanner/index.js';
export type { ShieldAction, ShieldFlag, ShieldMode, ShieldRule, ShieldVerdict } from './scanner/index.js';
export { createRestHandlers, corsPolicy, FAULT_HEADER, type CorsPolicy } from './handlers/index.js';
export type { HandlerOptions } from './handlers/index.js';

/** Origin for in-process use with msw `setupServer` (nothing listens there). */
export const MOCK_ORIGIN = 'https://mock.proxygate.test';

export interface MockGatewayOptions {
  /** `extended` (default): the public wire plus our extensions; `public`: only what the public gateway serves. */
  profile?: Profile;
  seed?: string | number;
  /** Default receipt version (public: 1 or 2, default 1; extended: 1, 2 or 3, default 3). */
  receiptVersion?: ReceiptVersion;
  /** v1 receipts carry the optional `receipt_version: 1`. */
  tagV1Receipts?: boolean;
  now?: () => Date;
  origin?: string;
  /** Serve `/mcp` too (default true). */
  mcp?: boolean;
  /** Internal: set by serve.ts so connection resets become real socket resets. */
  realSockets?: boolean;
}

export interface MockGateway {
  gateway: Gateway;
  profile: Profile;
  /** msw handlers for every operation (any origin), plus `/mcp` and `/__mock/*`. */
  handlers: RequestHandler[];
  /** Secrets of the seeded demo tokens. */
  demoTokens: DemoTokenSecrets;
  faults: FaultInjector;
  ledger(): LedgerEntry[];
  /** Retires the active receipt key; see `Keyring.rotate` (`endorse: false`, `platform: true`). */
  rotateKeys(options?: RotateKeysOptions): RotateKeysResult;
}

/** Builds a seeded in-memory gateway and the msw handlers that serve it. */
export function createMockGateway(options: MockGatewayOptions = {}): MockGateway {
  const gateway = new Gateway({
    origin: options.origin ?? MOCK_ORIGIN,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.receiptVersion === undefined ? {} : { receiptVersion: options.receiptVersion }),
    ...(options.tagV1Receipts === undefined ? {} : { tagV1Receipts: options.tagV1Receipts }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const handlers: RequestHandler[] = [
    // Preflights first: the /mcp routes would otherwise see them.
    corsPreflightHandler(gateway),
    ...(options.mcp === false ? [] : createMcpHandlers(gatewayMcpBackend(gateway), { profile: gateway.profile, descriptions: gateway.mcpToolDescriptions })),
    ...createRestHandlers(gateway, { realSockets: options.realSockets ?? false }),
  ];
  return {
    gateway,
    profile: gateway.profile,
    handlers,
    // A getter so demo tokens stay right after `gateway.reset()`.
    get demoTokens() {
      return gateway.demoTokens;
    },
    faults: gateway.faults,
    ledger: () => gateway.ledger(),
    rotateKeys: (options) => gateway.rotateKeys(options),
  };
}
