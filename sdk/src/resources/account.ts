import type { PagePromise } from '../core/pagination.js';
import { BalanceModel, RateResultModel, UsagePageModel, type Balance, type RateResult, type UsageEntry, type UsageListQuery, type RateRequest } from './models.js';
import { APIPromise } from '../core/api-promise.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** Query of `GET /v1/usage` (generated from the spec). */
export type UsageListParams = UsageListQuery;
/** Body of `POST /v1/rate`. */
export type RateParams = RateRequest;

/** Balance, usage history and seller ratings of the token's account. */
export class Account extends APIResource {
  /** Current balance in integer micro-cents (needs `account:read`). */
  balance(options?: CallOptions): APIPromise<Balance> {
    return APIPromise.of(this.client.request({ method: 'GET', path: '/v1/balance', requiredScope: 'account:read', schema: BalanceModel, ...callOptions(options) }));
  }

  /** Usage entries, newest first, across pages (needs `account:read`). */
  usage(params: UsageListParams = {}, options?: CallOptions): PagePromise<UsageEntry> {
    return this.client.getPage<UsageEntry>({
      path: '/v1/usage',
      query: { ...params },
      schema: UsagePageModel,
      requiredScope: 'account:read',
      ...callOptions(options),
    });
  }

  /** Rates the seller of a past call (needs `trade`). Not retried once it may have reached the gateway. */
  rate(params: RateParams, options?: CallOptions): APIPromise<RateResult> {
    return APIPromise.of(this.client.request({
      method: 'POST',
      path: '/v1/rate',
      body: { request_id: params.request_id, is_positive: params.is_positive },
      requiredScope: 'trade',
      schema: RateResultModel,
      ...callOptions(options),
    }));
  }
}
