import { AuthenticationError, ProxygateError } from '../core/error.js';
import { errorJson } from '../internal/errors.js';
import type { CallApiResult } from './options.js';
import type { ToolPinDiff } from './tool-pinning.js';

function describeDiff(diff: ToolPinDiff): string {
  const parts: string[] = [];
  if (diff.changed.length) parts.push(`changed: ${diff.changed.join(', ')}`);
  if (diff.added.length) parts.push(`added: ${diff.added.join(', ')}`);
  if (diff.removed.length) parts.push(`removed: ${diff.removed.join(', ')}`);
  return parts.join('; ');
}

/**
 * The server's tools no longer match the saved pins (a possible rug pull). Calls stay blocked
 * until the caller reviews the change and renews the pins on purpose.
 */
export class ToolPinMismatchError extends ProxygateError {
  readonly diff: ToolPinDiff;
  constructor(diff: ToolPinDiff) {
    super(`MCP tool definitions differ from the pinned ones (${describeDiff(diff)})`, {
      code: 'tool_pin_mismatch',
      action: 'Review the new tool definitions, then call renewPins() or save the new pins',
    });
    this.diff = diff;
  }
  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), diff: this.diff });
  }
}

/**
 * The receipt of a paid call did not verify against the pinned key set. The call was still made
 * (and charged): its whole result (body, receipt, verdict) is in `result`, never lost.
 */
export class ReceiptVerificationError extends ProxygateError {
  readonly reason: string;
  /** The charged call's result, with `verification` saying why it failed. */
  readonly result: CallApiResult | undefined;
  constructor(reason: string, message: string, requestId?: string, result?: CallApiResult) {
    super(`Receipt of the paid call did not verify (${reason}): ${message}`, {
      code: 'receipt_invalid',
      action: 'Do not trust this result; inspect error.result (the call was charged) or pass acceptInvalidReceipts: true',
      requestId,
    });
    this.reason = reason;
    this.result = result;
  }

  override toJSON(): Record<string, unknown> {
    // The upstream body stays out of logs; the receipt and verdict identify the charge.
    const result = this.result;
    return errorJson({
      ...super.toJSON(),
      reason: this.reason,
      ...(result ? { receipt: result.receipt, verification: { ...result.verification, receipt: undefined }, amount_micro_usd: result.amount_micro_usd } : {}),
    });
  }
}

/** The server answered something that is not a tool result of the expected kind. */
export class McpProtocolError extends ProxygateError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'mcp_protocol_error', cause });
  }
}

/**
 * The MCP server needs an OAuth authorization and the provider cannot finish it on its own: it has
 * no `authorizationCode()` hook. Open `authorizationUrl`, then pass the code the redirect URI
 * received to `client.finishAuth(code)` (or implement the hook and connect again).
 */
export class AuthorizationRequiredError extends AuthenticationError {
  /** Where the user approves the request (carries PKCE's challenge, never a secret). */
  readonly authorizationUrl: string | undefined;
  constructor(authorizationUrl: URL | undefined, message = 'The MCP server needs an OAuth authorization') {
    super({
      status: 401,
      message,
      body: {
        error: 'authorization_required',
        message,
        action: 'Implement authorizationCode() on the authProvider (it resolves with the code the redirect URI received), or complete the flow and call finishAuth(code)',
      },
    });
    this.authorizationUrl = authorizationUrl?.toString();
  }
  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), authorizationUrl: this.authorizationUrl });
  }
}

/** The authorization server refused a step of the OAuth flow (`oauthError`: its RFC 6749 code). */
export class OAuthFlowError extends AuthenticationError {
  readonly oauthError: string;
  constructor(oauthError: string, description: string, secrets: readonly string[], cause?: unknown) {
    super({
      status: undefined,
      body: { error: oauthError, message: `OAuth ${oauthError}: ${description}`, action: 'Check the authorization server and the client registration, then authorize again' },
      secrets,
    });
    this.oauthError = oauthError;
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}

/** An OAuth discovery or endpoint URL the client will not contact (not https, or a private address). */
export class UnsafeUrlError extends ProxygateError {
  readonly url: string;
  constructor(url: string, reason: string) {
    super(`Refused to contact ${url}: ${reason}`, {
      code: 'unsafe_url',
      action: 'OAuth metadata and endpoints must be https on a public address (loopback http needs oauthLoopback: true)',
    });
    this.url = url;
  }
  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), url: this.url });
  }
}

export type McpLimitName = 'tools' | 'schema_depth' | 'result_bytes';

/** The server sent more than the client accepts (`limits` option): refused, nothing of it is used. */
export class McpLimitError extends ProxygateError {
  readonly limit: McpLimitName;
  readonly max: number;
  constructor(limit: McpLimitName, max: number, what: string) {
    super(`${what} exceeds the limit of ${max} (${limit})`, {
      code: 'mcp_limit_exceeded',
      action: `Raise limits.${LIMIT_OPTION[limit]} if this server is trusted to send that much`,
    });
    this.limit = limit;
    this.max = max;
  }
  override toJSON(): Record<string, unknown> {
    return errorJson({ ...super.toJSON(), limit: this.limit, max: this.max });
  }
}

const LIMIT_OPTION: Record<McpLimitName, string> = { tools: 'maxTools', schema_depth: 'maxSchemaDepth', result_bytes: 'maxResultBytes' };
