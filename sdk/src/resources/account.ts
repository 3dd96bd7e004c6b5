import type { PagePromise } from '../core/pagination.js';
import {
  BalanceModel,
  MeModel,
  RateResultModel,
  UsagePageModel,
  WalletLimitsModel,
  type Balance,
  type Me,
  type RateRequest,
  type RateResult,
  type UsageListQuery,
  type UsagePage,
  type UsageRow,
  type WalletLimits,
} from './models.js';
import { APIPromise } from '../core/api-promise.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/**
 * Query of `GET /v1/usage` (generated from the spec: strings on the wire; `limit` may be a number).
 * `cursor` is the id of the last row of the previous page.
 */
export type UsageListParams = { [K in keyof UsageListQuery]?: UsageListQuery[K] | number | undefined };
/** Body of `POST /v1/rate`. */
export type RateParams = RateRequest;

/** The token's account: identity, balance, limits, usage, ratings. Every amount is integer micro-USD. */
export class Account extends APIResource {
  /** Who the token belongs to (`GET /v1/me`, on every gateway): wallet, display name, auth method. */
  me(options?: CallOptions): APIPromise<Me> {
    return APIPromise.of(this.client.request({ method: 'GET', path: '/v1/me', schema: MeModel, ...callOptions(options) }));
  }

  /**
   * Balance in micro-USD (the gateway says `currency: "lamports"`: the same 1e-6 USD). `available`
   * is what can be spent; `pending_settlement` is held for calls not yet settled.
   */
  balance(options?: CallOptions): APIPromise<Balance> {
    return APIPromise.of(this.client.request({ method: 'GET', path: '/v1/balance', requiredScope: 'account:read', schema: BalanceModel, ...callOptions(options) }));
  }

  /** The wallet's spend limits in micro-USD (null: none); needs `wallet:limits` on the public gateway. */
  limits(options?: CallOptions): APIPromise<WalletLimits> {
    return APIPromise.of(this.client.request({ method: 'GET', path: '/v1/wallet/limits', requiredScope: 'wallet:limits', schema: WalletLimitsModel, ...callOptions(options) }));
  }

  /**
   * Usage rows, newest first, across pages (`for await`); each page's `body.summary` is the
   * gateway's per-service (and model) totals (`total_cost_micro_cents`: micro-USD).
   */
  usage(params: UsageListParams = {}, options?: CallOptions): PagePromise<UsageRow, UsagePage> {
    return this.client.getPage<UsageRow, UsagePage>({
      path: '/v1/usage',
      itemsKey: 'usage',
      query: { ...params },
      schema: UsagePageModel,
      requiredScope: 'account:read',
      ...callOptions(options),
    });
  }

  /**
   * Rates the seller of a past call by its request id (the receipt's `request_id`). Resolves to
   * what the gateway says: `{ success: true, is_update }` (`is_update`: an earlier rating was changed).
   * Not retried once it may have reached the gateway.
   */
  rate(params: RateParams, options?: CallOptions): APIPromise<RateResult> {
    return APIPromise.of(this.client.request({
      method: 'POST',
      path: '/v1/rate',
      body: { request_id: params.request_id, is_positive: params.is_positive },
      requiredScope: 'rate:write',
      schema: RateResultModel,
      ...callOptions(options),
    }));
  }
}
