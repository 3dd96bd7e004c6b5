import type { APIResponse } from '../core/client.js';
import { ProxygateError } from '../core/error.js';
import type { GatewayExtensions } from '../core/extensions.js';
import { HealthModel, type Health, type KeySetDocument } from './models.js';
import { APIPromise } from '../core/api-promise.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** Receipt key material built from `/health` on a gateway without the key-set document. */
export interface HealthKeyMaterial {
  keys: [];
  /** base58 key that signs v1 receipts. */
  platform_pubkey: string;
  /** base58 CA key that certifies v2 ephemeral keys, when the gateway sends one. */
  receipt_ca_pubkey?: string;
}

/**
 * What `meta.receiptKeys()` gives: the gateway's key-set document (extension `receipt_keys`), or
 * the `/health` key material of a gateway without one. Either is a `KeySetDocument` as
 * `KeySet.fromDocument` (and the client's `keys` option) takes it.
 */
export type ReceiptKeysDocument = KeySetDocument | HealthKeyMaterial;

/** Gateway metadata (no token needed). */
export class Meta extends APIResource {
  /**
   * `GET /health`: status (`healthy`, or `degraded` with HTTP 503, returned all the same), the v1
   * platform key, the v2 CA key when sent, and the advertised extensions.
   */
  health(options?: CallOptions): APIPromise<Health> {
    return APIPromise.of(this.client.request({ method: 'GET', path: '/health', schema: HealthModel, answerStatuses: [503], ...callOptions(options) }));
  }

  /** The extensions the gateway advertises (read once per client from `/health`; none on the public gateway). */
  extensions(options?: CallOptions): Promise<GatewayExtensions> {
    return this.client.extensions({ signal: options?.signal });
  }

  /**
   * The receipt keys to save and pin: `KeySet.fromDocument(await client.meta.receiptKeys())`, or
   * pass the document as the client's `keys`. Where the gateway advertises `receipt_keys`, its
   * key-set document; elsewhere (the public gateway) `{ keys: [], platform_pubkey,
   * receipt_ca_pubkey? }` built from `/health`, which verifies v1 and v2 receipts. Typed, not
   * validated here: the receipts module applies its own strict checks when it loads the document
   * (`KeySetError`). Never fetched implicitly by the SDK.
   */
  receiptKeys(options?: CallOptions): APIPromise<ReceiptKeysDocument> {
    const request = this.client.extensions({ signal: options?.signal }).then(async (extensions): Promise<APIResponse<ReceiptKeysDocument>> => {
      if (extensions.receiptKeysUrl !== null) {
        return this.client.request<KeySetDocument>({ method: 'GET', path: this.#sameOrigin(extensions.receiptKeysUrl), ...callOptions(options) });
      }
      const health = await this.client.request({ method: 'GET', path: '/health', schema: HealthModel, answerStatuses: [503], ...callOptions(options) });
      const material: HealthKeyMaterial = { keys: [], platform_pubkey: health.data.platform_pubkey };
      if (typeof health.data.receipt_ca_pubkey === 'string' && health.data.receipt_ca_pubkey !== '') material.receipt_ca_pubkey = health.data.receipt_ca_pubkey;
      return { ...health, data: material };
    });
    return APIPromise.of(request);
  }

  /** The advertised document's path; keys are only ever read from the gateway's own origin. */
  #sameOrigin(url: string): string {
    if (url.startsWith('/') && !url.startsWith('//')) return url;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ProxygateError(`The gateway advertises an unusable receipt_keys_url: ${JSON.stringify(url.slice(0, 100))}`, { code: 'invalid_extensions' });
    }
    if (parsed.origin !== new URL(this.client.gatewayUrl).origin) {
      throw new ProxygateError(`The gateway advertises receipt keys on another origin (${parsed.origin}); the SDK reads keys only from the gateway itself`, {
        code: 'invalid_extensions',
      });
    }
    return `${parsed.pathname}${parsed.search}`;
  }
}
