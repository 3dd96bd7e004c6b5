import { HealthModel, type Health } from './models.js';
import { APIPromise } from '../core/api-promise.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** Gateway metadata (no token needed). */
export class Meta extends APIResource {
  /** `GET /health`: liveness plus the v1/v2 receipt public keys. */
  health(options?: CallOptions): APIPromise<Health> {
    return APIPromise.of(this.client.request({ method: 'GET', path: '/health', schema: HealthModel, ...callOptions(options) }));
  }

  /**
   * The raw receipt key-set document (`/.well-known/proxygate-receipt-keys`), unvalidated so the
   * receipts module can apply its own strict checks. Save and pin it; the SDK never fetches keys implicitly.
   */
  receiptKeys(options?: CallOptions): APIPromise<unknown> {
    return APIPromise.of(this.client.request({ method: 'GET', path: '/.well-known/proxygate-receipt-keys', ...callOptions(options) }));
  }
}
