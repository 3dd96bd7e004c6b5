import type { PagePromise } from '../core/pagination.js';
import { ReceiptPageModel, type ReceiptLogBody, type ReceiptLogEntry, type ReceiptLogQuery } from './models.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** Query of `GET /v1/receipts` (`token_id` reads a child token's chain). */
export type ReceiptLogParams = { [K in keyof ReceiptLogQuery]?: ReceiptLogQuery[K] | number | undefined };

/**
 * The gateway's signed receipt log (extension `receipt_log`; needs `account:read`). Refused with
 * `ExtensionNotSupportedError` before sending on a gateway that does not advertise it.
 * Verification is the receipts module's job.
 */
export class ReceiptsLog extends APIResource {
  /**
   * Receipts in `seq` order across pages; each page's `body.head` is the signed log head
   * (`origin`, `tree_size`, `root_hash`, `checkpoint`).
   */
  list(params: ReceiptLogParams = {}, options?: CallOptions): PagePromise<ReceiptLogEntry, ReceiptLogBody> {
    return this.client.getPage<ReceiptLogEntry, ReceiptLogBody>({
      path: '/v1/receipts',
      query: { ...params },
      schema: ReceiptPageModel,
      requiredScope: 'account:read',
      requiredExtension: 'receipt_log',
      ...callOptions(options),
    });
  }
}
