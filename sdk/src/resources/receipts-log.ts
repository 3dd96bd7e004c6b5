import type { PagePromise } from '../core/pagination.js';
import { ReceiptLogModel, type ReceiptLogBody, type ReceiptLogEntry } from './models.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

export interface ReceiptLogParams {
  /** A child token's id, to read its chain instead of the presented token's. */
  token_id?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** The gateway's signed receipt log (needs `account:read`). Verification is the receipts module's job. */
export class ReceiptsLog extends APIResource {
  /**
   * Receipts in `seq` order across pages; each page's `body.head` is the signed log head
   * (`origin`, `tree_size`, `root_hash`, `checkpoint`).
   */
  list(params: ReceiptLogParams = {}, options?: CallOptions): PagePromise<ReceiptLogEntry, ReceiptLogBody> {
    return this.client.getPage<ReceiptLogEntry, ReceiptLogBody>({
      path: '/v1/receipts',
      query: { ...params },
      schema: ReceiptLogModel,
      requiredScope: 'account:read',
      ...callOptions(options),
    });
  }
}
