import type { PagePromise } from '../core/pagination.js';
import { BalanceModel, RateResultModel, UsageListModel, type Balance, type RateResult, type UsageEntry } from './models.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

export interface UsageListParams {
  service?: string | undefined;
  /** RFC 3339 lower bound (inclusive). */
  from?: string | undefined;
  /** RFC 3339 upper bound. */
  to?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface RateParams {
  request_id: string;
  is_positive: boolean;
}

/** Balance, usage history and seller ratings of the token's account. */
export class Account extends APIResource {
  /** Current balance in integer micro-cents (needs `account:read`). */
  async balance(options?: CallOptions): Promise<Balance> {
    const res = await this.client.request({ method: 'GET', path: '/v1/balance', requiredScope: 'account:read', schema: BalanceModel, ...callOptions(options) });
    return res.data;
  }

  /** Usage entries, newest first, across pages (needs `account:read`). */
  usage(params: UsageListParams = {}, options?: CallOptions): PagePromise<UsageEntry> {
    return this.client.getPage<UsageEntry>({
      path: '/v1/usage',
      query: { ...params },
      schema: UsageListModel,
      requiredScope: 'account:read',
      ...callOptions(options),
    });
  }

  /** Rates the seller of a past call (needs `trade`). Rating twice is harmless, so it may be retried. */
  async rate(params: RateParams, options?: CallOptions): Promise<RateResult> {
    const res = await this.client.request({
      method: 'POST',
      path: '/v1/rate',
      body: { request_id: params.request_id, is_positive: params.is_positive },
      requiredScope: 'trade',
      schema: RateResultModel,
      ...callOptions(options),
    });
    return res.data;
  }
}
