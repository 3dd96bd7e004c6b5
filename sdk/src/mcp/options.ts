import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpLimits } from './limits.js';
import type { GatewayOAuthProvider } from './oauth-session.js';
import type { KeySet } from '../receipts/key-set.js';
import type { ShieldVerdict, UntrustedContent } from '../shield/index.js';
import type { CallReceiptVerdict } from './receipt-check.js';
import type { ToolPinDiff, ToolPinSet } from './tool-pinning.js';
import type { CallApiToolOutput } from './tool-schemas.js';

/**
 * `refuse` blocks every call once any tool differs from the pins; `refuse-changed` blocks only the
 * tools changed or added since them (connect succeeds; a local server fronting the gateway hides
 * those and serves the rest); `warn` only reports.
 */
export type PinMode = 'refuse' | 'refuse-changed' | 'warn';

export interface PinOptions {
  /** Pins saved from an earlier connect. Absent: trust on first use, read them from `client.pins`. */
  saved?: ToolPinSet | undefined;
  /**
   * `refuse` (default) fails closed: connect throws, and calls stay blocked after a live change.
   * `refuse-changed`: calls to the changed or added tools throw, the others go on.
   */
  mode?: PinMode;
  /** Called whenever the server's tools differ from the pins (both modes). */
  onMismatch?: (diff: ToolPinDiff) => void;
}

/** Everything known about one paid call's trustworthiness, also passed to `onVerdict`. */
export interface CallVerdict {
  tool: 'call_api';
  requestId: string;
  receipt: CallReceiptVerdict;
  shield: ShieldVerdict;
}

export interface ConnectGatewayOptions {
  /** MCP endpoint. Default: env `PROXYGATE_MCP_URL`, else `<PROXYGATE_GATEWAY_URL or https://gateway.proxygate.ai>/mcp`. */
  url?: string | URL;
  /** REST base for `GET /v1/tokens/self`. Default: the MCP URL without its last path segment. */
  restBaseUrl?: string | URL;
  /**
   * Bearer token sent on every request (a function is called per request, e.g. to read a
   * keychain). Default: env `PROXYGATE_API_KEY`, but only for the gateway the environment names
   * (`<PROXYGATE_GATEWAY_URL or https://gateway.proxygate.ai>/mcp`, or `PROXYGATE_MCP_URL`): an
   * explicit `url` elsewhere gets no token unless one is passed here. `null` browses anonymously.
   */
  token?: string | null | (() => string | undefined | Promise<string | undefined>);
  /**
   * OAuth client for servers that answer 401 with discovery metadata; then `token` is ignored.
   * A 401 at any point (connect included) runs discovery, PKCE and RFC 8707 `resource`; with an
   * `authorizationCode()` hook the provider finishes the flow itself and the request is re-sent
   * once (a paid call never is). A 403 `insufficient_scope` asks once for the union of the held
   * and the challenged scopes (reads only; a paid call throws `InsufficientScopeError`, see `stepUp`).
   */
  authProvider?: GatewayOAuthProvider;
  /** Let OAuth discovery and endpoints use loopback http (local development, the mock). Default false: https on public addresses only. */
  oauthLoopback?: boolean;
  /** The token's scopes, if known; otherwise read from `GET /v1/tokens/self` at connect. */
  scopes?: readonly string[];
  /**
   * The token's id (`tok_...`), which its v3 receipts name as `buyer`. With `keys`, a receipt
   * naming another buyer (a replay of someone else's identical call) is rejected. Default: from
   * `GET /v1/tokens/self`, which connect reads when `keys` are pinned even if `scopes` are given.
   */
  tokenId?: string;
  /**
   * The account wallet v1/v2 receipts must name as `buyer`. Default: from `GET /v1/me`, read at
   * connect when `keys` are pinned and the token is known.
   */
  buyerWallet?: string;
  /** Pinned receipt keys: every `callApi` receipt is verified offline against them. */
  keys?: KeySet;
  /**
   * Learn at connect what a receipt must show (`tokenId`, `buyerWallet`, `minReceiptVersion`)
   * even without `keys`: for a caller that verifies receipts itself (`verifyCallReceipt` with the
   * client's expectations), e.g. against keys it pins only once a receipt arrives. Implied by `keys`.
   */
  receiptIdentity?: boolean;
  /**
   * Accept v1/v2 receipts from a gateway that advertises `receipt_v3` (a token the gateway keeps on
   * legacy receipts), as the REST client's `allowLegacyReceipts`. Default false: such a receipt is
   * a `downgrade`. Never accepted once this client has seen a v3 receipt for the token.
   */
  allowLegacyReceipts?: boolean;
  /** Return results whose receipt fails verification instead of throwing (the verdict says why). */
  acceptInvalidReceipts?: boolean;
  /** Called once per paid call with its receipt and shield verdicts. */
  onVerdict?: (verdict: CallVerdict) => void;
  /** Tool pinning; pass saved pins (or `{ saved, mode }`) to detect changed tool definitions. */
  pin?: ToolPinSet | PinOptions;
  /**
   * Per-request timeout in ms (the MCP SDK's default is 60 s); it bounds the connect-time REST
   * reads (`/v1/tokens/self`, `/v1/me`, `/health`) too, which otherwise have none.
   */
  timeoutMs?: number;
  /** fetch used for every HTTP request (MCP and REST). */
  fetch?: typeof fetch;
  /** A ready transport instead of streamable HTTP (in-memory servers in tests, stdio bridges). */
  transport?: Transport;
  /** Client name/version announced to the server. */
  clientInfo?: { name: string; version: string };
  /** Bounds on what the server may send (tool count, schema depth, answer size). */
  limits?: McpLimits;
  /**
   * Client capabilities announced at initialize. Default: none, plus `elicitation` (with
   * `applyDefaults`) or `sampling` when a handler for it is given.
   */
  capabilities?: ClientCapabilities;
  /** Handlers of server-to-client requests; their answers are the caller's, sent as given. */
  handlers?: {
    /** `elicitation/create`: ask the user. With `applyDefaults`, omitted fields take the schema's defaults. */
    elicitation?: (params: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>;
    /** `sampling/createMessage`: run the model. */
    sampling?: (params: CreateMessageRequest['params']) => CreateMessageResult | Promise<CreateMessageResult>;
  };
}

export interface CallApiResult extends CallApiToolOutput {
  /** Offline verdict on the signed receipt (`valid: true` only when the signature and content check out). */
  verification: CallReceiptVerdict;
  /** The shield verdict; the signed one from the receipt when it verified. */
  shieldVerdict: ShieldVerdict;
  /** The upstream body wrapped for a model prompt: data, never instructions. */
  untrusted: UntrustedContent;
}
export function isPinOptions(pin: ToolPinSet | PinOptions): pin is PinOptions {
  return !('version' in pin && 'tools' in pin);
}
