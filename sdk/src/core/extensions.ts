// What a gateway serves beyond the public wire. A gateway advertises it in one place, the optional
// `extensions` object of `GET /health`; a gateway whose health has none is the public gateway,
// and the client then assumes no extension at all.
import { errorJson } from '../internal/errors.js';
import { ProxygateError } from './error.js';

/** Extension features this SDK knows; a gateway may list others (ignored). */
export type ExtensionFeature =
  | 'token_scopes'
  | 'tokens'
  | 'idempotency'
  | 'receipt_keys'
  | 'receipt_v3'
  | 'receipt_log'
  | 'shield_action'
  | (string & {});

/** Where the key-set document lives when the gateway names no other place. */
export const DEFAULT_RECEIPT_KEYS_URL = '/.well-known/proxygate-receipt-keys';

/** The extensions a gateway advertised (none for the public gateway). */
export interface GatewayExtensions {
  /** False when `/health` carried no `extensions` object: the public gateway, no extension assumed. */
  readonly advertised: boolean;
  /** `extensions.version`, or null when not advertised. */
  readonly version: number | null;
  /** Advertised feature names, unknown ones included (in the order sent, without duplicates). */
  readonly features: readonly string[];
  /** Path (or URL) of the receipt key-set document, when `receipt_keys` is advertised. */
  readonly receiptKeysUrl: string | null;
  has(feature: ExtensionFeature): boolean;
}

/** What the public gateway serves: no extension. */
export const NO_EXTENSIONS: GatewayExtensions = extensionsOf(false, null, [], null);

function extensionsOf(advertised: boolean, version: number | null, features: readonly string[], receiptKeysUrl: string | null): GatewayExtensions {
  const set = new Set(features);
  return Object.freeze({
    advertised,
    version,
    features: Object.freeze([...set]),
    receiptKeysUrl,
    has: (feature: ExtensionFeature) => set.has(feature),
  });
}

/**
 * Reads `extensions` from a `/health` body leniently: an open list of feature strings (anything
 * else in it is ignored), a missing or malformed object means "none advertised".
 */
export function parseExtensions(health: unknown): GatewayExtensions {
  if (typeof health !== 'object' || health === null) return NO_EXTENSIONS;
  const ext = (health as { extensions?: unknown }).extensions;
  if (typeof ext !== 'object' || ext === null || Array.isArray(ext)) return NO_EXTENSIONS;
  const record = ext as Record<string, unknown>;
  const features = Array.isArray(record['features']) ? record['features'].filter((f): f is string => typeof f === 'string') : [];
  const version = typeof record['version'] === 'number' && Number.isSafeInteger(record['version']) ? record['version'] : null;
  const url = record['receipt_keys_url'];
  const receiptKeysUrl = features.includes('receipt_keys') ? (typeof url === 'string' && url !== '' ? url : DEFAULT_RECEIPT_KEYS_URL) : null;
  return extensionsOf(true, version, features, receiptKeysUrl);
}

/** Extensions declared by the caller (client option), skipping discovery. */
export function declaredExtensions(features: readonly string[]): GatewayExtensions {
  return extensionsOf(true, null, features, features.includes('receipt_keys') ? DEFAULT_RECEIPT_KEYS_URL : null);
}

/** An operation needs an extension the gateway does not advertise: refused before sending anything. */
export class ExtensionNotSupportedError extends ProxygateError {
  /** The missing feature (`tokens`, `token_scopes`, `receipt_log`, ...). */
  readonly feature: string;

  constructor(feature: string, operation: string) {
    super(`${operation} needs the gateway extension "${feature}", which this gateway does not advertise (GET /health); nothing was sent`, {
      code: 'extension_not_supported',
      action: 'Use an operation of the public wire, or a gateway that serves this extension',
    });
    this.feature = feature;
  }

  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), feature: this.feature });
  }
}
