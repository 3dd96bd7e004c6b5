import type { GatewayContext } from './gateway-types.js';
import type { Keyring } from './keys.js';
import { EXTENSION_FEATURES, RECEIPT_KEYS_PATH, scopesOf, type Scope } from './profile.js';
import type { HealthStatus } from './runtime-settings.js';
import type { HealthResponse } from './types.js';

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: Scope[];
  bearer_methods_supported: string[];
  resource_name: string;
}

/** `GET /health`: 200 healthy, 503 degraded (same shape); `extensions` only in the extended profile. */
export function health(ctx: GatewayContext, keyring: Keyring, status: HealthStatus): { status: 200 | 503; body: HealthResponse } {
  const body: HealthResponse = { status, ...keyring.publicKeys() };
  if (ctx.switches.extensions) body.extensions = { version: 1, features: [...EXTENSION_FEATURES], receipt_keys_url: RECEIPT_KEYS_PATH };
  return { status: status === 'healthy' ? 200 : 503, body };
}

/** `GET /.well-known/oauth-protected-resource` (RFC 9728): the gateway is its own authorization server. */
export function protectedResourceMetadata(ctx: GatewayContext, gatewayOrigin: string): ProtectedResourceMetadata {
  return {
    resource: gatewayOrigin,
    authorization_servers: [gatewayOrigin],
    scopes_supported: [...scopesOf(ctx.profile)],
    bearer_methods_supported: ['header'],
    resource_name: 'Proxygate mock gateway',
  };
}
