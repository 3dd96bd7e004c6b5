import type { APIResponse } from '../core/client.js';
import type { PagePromise } from '../core/pagination.js';
import { ValidationError } from '../core/error.js';
import { path } from '../internal/path.js';
import { CreatedTokenModel, TokenInfoModel, TokenPageModel, type CreatedToken, type TokenInfo, type CreateTokenRequest, type TokenListQuery } from './models.js';
import { APIPromise } from '../core/api-promise.js';
import { APIResource, callOptions, type CallOptions } from './resource.js';

/** Body of `POST /v1/tokens`: every field can only narrow the parent token. */
export type TokenCreateParams = CreateTokenRequest;
/** Query of `GET /v1/tokens`. */
export type TokenListParams = { [K in keyof TokenListQuery]?: TokenListQuery[K] | number | undefined };

/**
 * Token introspection and delegation: gateway extensions (`token_scopes` for `self`, `tokens` for
 * the rest). On a gateway that does not advertise them, each method rejects with
 * `ExtensionNotSupportedError` before sending anything (use `account.me()` there).
 */
export class Tokens extends APIResource {
  /** Describes the presented token and remembers its scopes and id on the client (local scope checks, receipt buyer checks). */
  self(options?: CallOptions): APIPromise<TokenInfo> {
    const request = this.extended('token_scopes', 'tokens.self()', options).then(() =>
      this.client.request({ method: 'GET', path: '/v1/tokens/self', schema: TokenInfoModel, ...callOptions(options) }),
    );
    return APIPromise.of(
      request.then((res) => {
        this.client.rememberScopes(res.data.scopes);
        this.client.rememberTokenId(res.data.id);
        return res;
      }),
    );
  }

  /**
   * Mints a delegation token that narrows this one (needs `tokens:write`). The secret in `token` is
   * shown once. Not retried after the request may have reached the gateway, so no duplicate is minted.
   */
  create(params: TokenCreateParams, options?: CallOptions): APIPromise<CreatedToken> {
    return APIPromise.of(this.#create(params, options));
  }

  async #create(params: TokenCreateParams, options: CallOptions | undefined): Promise<APIResponse<CreatedToken>> {
    const cap = params.spend_cap_micro_usd;
    if (cap !== undefined && cap !== null && (!Number.isSafeInteger(cap) || cap < 0)) {
      throw new ValidationError(
        'spend_cap_micro_usd must be a non-negative safe integer of micro-USD',
        [{ path: ['spend_cap_micro_usd'], message: 'Expected a non-negative safe integer', code: 'invalid_type' }],
        cap,
      );
    }
    await this.extended('tokens', 'tokens.create()', options);
    const body: Record<string, unknown> = { scopes: params.scopes };
    if (params.name !== undefined) body['name'] = params.name;
    if (cap !== undefined) body['spend_cap_micro_usd'] = cap;
    if (params.expires_at !== undefined) body['expires_at'] = params.expires_at;
    if (params.listings !== undefined) body['listings'] = params.listings;
    return this.client.request({
      method: 'POST',
      path: '/v1/tokens',
      body,
      requiredScope: 'tokens:write',
      schema: CreatedTokenModel,
      ...callOptions(options),
    });
  }

  /** Tokens minted by this token's account, across pages (needs `tokens:write`). */
  list(params: TokenListParams = {}, options?: CallOptions): PagePromise<TokenInfo> {
    return this.client.getPage<TokenInfo>({
      path: '/v1/tokens',
      query: { ...params },
      schema: TokenPageModel,
      requiredScope: 'tokens:write',
      requiredExtension: 'tokens',
      ...callOptions(options),
    });
  }

  /** Revokes a token and, in cascade, its children (needs `tokens:write`). */
  revoke(tokenId: string, options?: CallOptions): APIPromise<TokenInfo> {
    return APIPromise.of(
      this.extended('tokens', 'tokens.revoke()', options).then(() =>
        this.send(() => ({
          method: 'DELETE',
          path: path`/v1/tokens/${tokenId}`,
          requiredScope: 'tokens:write',
          schema: TokenInfoModel,
          ...callOptions(options),
        })),
      ),
    );
  }
}
