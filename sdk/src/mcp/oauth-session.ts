// The OAuth side of the MCP client, run by our fetch rather than by the MCP transport so that a
// 401 anywhere (initialize, the first tools/list, a call) is handled the same way: discovery from
// the challenge, PKCE and RFC 8707 `resource` (the MCP SDK's `auth()`), the code from the
// provider's own `authorizationCode()` hook, then one retry. One authorization runs at a time
// (concurrent 401s share it, so a rotating refresh token is never spent twice), every URL it
// touches passes the URL policy, and the scopes the client reports follow every token saved.
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { AuthorizationRequiredError } from './errors.js';
import { parseScopes } from './gateway-fetch.js';
import { assertOAuthUrl, policyFetch, type UrlPolicy } from './url-policy.js';

/**
 * An MCP SDK `OAuthClientProvider`, plus the one thing it lacks to finish a flow by itself:
 * after `redirectToAuthorization(url)`, `authorizationCode(url)` resolves with the code the
 * redirect URI received (a local callback server, a CLI prompt, a test that follows the redirect).
 */
export interface GatewayOAuthProvider extends OAuthClientProvider {
  authorizationCode?(authorizationUrl: URL): Promise<string> | string;
}

export interface AuthorizeRequest {
  /** `resource_metadata` of the challenge. */
  resourceMetadataUrl?: URL | undefined;
  /** Space-separated scopes to ask for (the challenge's, or a step-up union). */
  scope?: string | undefined;
  /** Ask for a new grant even when a refresh token is held (a step-up cannot be a refresh). */
  fresh?: boolean;
}

export interface OAuthSessionOptions {
  mcpUrl: URL;
  fetch: typeof fetch;
  policy: UrlPolicy;
  /** Every token seen is added here so errors can scrub it. */
  secrets: string[];
}

export class OAuthSession {
  private running: Promise<void> | undefined;
  private hideRefreshToken = false;
  private requestedScope: string | undefined;
  private resourceMetadataUrl: URL | undefined;
  private lastAuthorizationUrl: URL | undefined;
  private currentScopes: string[] | undefined;
  private readonly oauthFetch: typeof fetch;
  /** The caller's provider as the MCP SDK sees it: our checks around its methods. */
  private readonly provider: OAuthClientProvider;

  constructor(private readonly user: GatewayOAuthProvider, private readonly options: OAuthSessionOptions) {
    this.oauthFetch = policyFetch(options.fetch, options.policy);
    this.provider = this.wrap(user);
  }

  /** Reads the provider's saved tokens once (their scope, their secrets) before the first request. */
  async load(): Promise<void> {
    const tokens = await this.user.tokens();
    if (tokens) this.remember(tokens);
  }

  /** The granted scopes as last saved; undefined when unknown (no token yet). */
  get scopes(): string[] | undefined {
    return this.currentScopes;
  }

  async accessToken(): Promise<string | undefined> {
    const token = (await this.user.tokens())?.access_token;
    if (token && !this.options.secrets.includes(token)) this.options.secrets.push(token);
    return token || undefined;
  }

  /** Runs (or joins) an authorization; resolves once a new token is saved. */
  authorize(request: AuthorizeRequest = {}): Promise<void> {
    this.running ??= this.run(request).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Completes a flow the provider could not finish itself (no `authorizationCode` hook). */
  finish(authorizationCode: string): Promise<void> {
    this.running ??= this.exchange(authorizationCode).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(request: AuthorizeRequest): Promise<void> {
    if (request.resourceMetadataUrl) this.resourceMetadataUrl = assertOAuthUrl(request.resourceMetadataUrl, this.options.policy);
    this.requestedScope = request.scope;
    this.hideRefreshToken = request.fresh ?? false;
    let result: 'AUTHORIZED' | 'REDIRECT';
    try {
      result = await auth(this.provider, this.authOptions());
    } finally {
      this.hideRefreshToken = false;
    }
    if (result === 'AUTHORIZED') return;
    const url = this.lastAuthorizationUrl;
    if (!this.user.authorizationCode || !url) throw new AuthorizationRequiredError(url);
    await this.exchange(await this.user.authorizationCode(url));
  }

  private async exchange(authorizationCode: string): Promise<void> {
    const result = await auth(this.provider, { ...this.authOptions(), authorizationCode });
    if (result !== 'AUTHORIZED') throw new AuthorizationRequiredError(this.lastAuthorizationUrl);
  }

  private authOptions(): Parameters<typeof auth>[1] {
    return {
      serverUrl: this.options.mcpUrl,
      ...(this.resourceMetadataUrl ? { resourceMetadataUrl: this.resourceMetadataUrl } : {}),
      ...(this.requestedScope ? { scope: this.requestedScope } : {}),
      fetchFn: this.oauthFetch,
    };
  }

  private remember(tokens: OAuthTokens): void {
    for (const secret of [tokens.access_token, tokens.refresh_token]) {
      if (secret && !this.options.secrets.includes(secret)) this.options.secrets.push(secret);
    }
    // RFC 6749 §5.1: no `scope` in the answer means the one requested was granted.
    this.currentScopes = parseScopes(tokens.scope) ?? parseScopes(this.requestedScope) ?? this.currentScopes;
  }

  private wrap(user: GatewayOAuthProvider): OAuthClientProvider {
    const own: Partial<OAuthClientProvider> = {
      tokens: async () => {
        const tokens = await user.tokens();
        if (!tokens || !this.hideRefreshToken) return tokens;
        // A step-up needs the user's consent to more scopes: a refresh would only renew the old grant.
        const { refresh_token: _hidden, ...rest } = tokens;
        return rest;
      },
      saveTokens: async (tokens) => {
        this.remember(tokens);
        await user.saveTokens(tokens);
      },
      redirectToAuthorization: async (url) => {
        assertOAuthUrl(url, this.options.policy);
        this.lastAuthorizationUrl = url;
        await user.redirectToAuthorization(url);
      },
    };
    return new Proxy(user, {
      get: (target, property) => {
        if (typeof property === 'string' && Object.hasOwn(own, property)) return own[property as keyof OAuthClientProvider];
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
