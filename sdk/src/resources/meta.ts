import { HealthModel, type Health } from './models.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** Gateway metadata (no token needed). */
export class Meta extends APIResource {
  /** `GET /health`: liveness plus the v1/v2 receipt public keys. */
  async health(options?: CallOptions): Promise<Health> {
    const res = await this.client.request({ method: 'GET', path: '/health', schema: HealthModel, ...callOptions(options) });
    return res.data;
  }

  /**
   * The raw receipt key-set document (`/.well-known/proxygate-receipt-keys`), unvalidated so the
   * receipts module can apply its own strict checks. Save and pin it; the SDK never fetches keys implicitly.
   */
  async receiptKeys(options?: CallOptions): Promise<unknown> {
    const res = await this.client.request<unknown>({ method: 'GET', path: '/.well-known/proxygate-receipt-keys', ...callOptions(options) });
    return res.data;
  }
}
