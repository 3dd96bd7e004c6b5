// Every failure leaves the MCP client as one of our errors (rooted in ProxygateError): the MCP
// SDK's own (UnauthorizedError, McpError, StreamableHTTPError, OAuth errors) and the runtime's
// (a RangeError from a hostile nesting, a TypeError from fetch, a JSON SyntaxError) included.
// What they quote from the server is redacted, since an answer may echo the token.
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AuthenticationError, ConnectionError, PermissionDeniedError, ProxygateError, TimeoutError } from '../core/error.js';
import { redactText, scrubError } from '../internal/redact.js';
import { AuthorizationRequiredError, McpProtocolError, OAuthFlowError } from './errors.js';

export interface ErrorContext {
  /** The tool being called, if any. */
  tool?: string | undefined;
  /** True for a tool that spends: a timeout then says it may have been charged. */
  paid?: boolean;
  /** What was being done, for messages ("connect", "tools/list"). */
  operation?: string;
}

function oauthCode(error: Error): string | undefined {
  const code = (error as { errorCode?: unknown }).errorCode;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

export function toGatewayError(error: unknown, secrets: readonly string[], context: ErrorContext = {}): ProxygateError {
  if (error instanceof ProxygateError) return error;
  const cause = scrubError(error, secrets);
  const said = (text: string): string => redactText(text, secrets).slice(0, 500);
  const what = context.tool ?? context.operation ?? 'the MCP request';
  // An abort carrying our own error (a limit tripped while the call waited on a stream).
  const reason = (error as { reason?: unknown } | null)?.reason;
  if (reason instanceof ProxygateError) return reason;
  if (error instanceof UnauthorizedError) return new AuthorizationRequiredError(undefined, 'The MCP server needs an OAuth authorization');
  if (!(error instanceof Error)) return new McpProtocolError(`${what} failed: ${said(String(error))}`, cause);
  const code = oauthCode(error);
  if (code) return new OAuthFlowError(code, said(error.message), secrets, cause);
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      // The server may still finish the call: for a paid call that means it may have been charged.
      const note = context.paid ? ' It may still have run and been charged: check getUsage() before retrying, or retry with the same idempotency_key.' : '';
      return new TimeoutError(`${what} timed out.${note}`, cause);
    }
    if (error.code === ErrorCode.ConnectionClosed) return new ConnectionError(`The MCP connection closed during ${what}`, cause);
    return new McpProtocolError(said(`MCP error ${error.code}: ${error.message}`), cause);
  }
  if (error instanceof StreamableHTTPError) {
    const init = { status: error.code, body: { error: 'mcp_http_error', message: said(error.message) }, secrets };
    if (error.code === 401) return new AuthenticationError(init);
    if (error.code === 403) return new PermissionDeniedError(init);
    return new McpProtocolError(said(error.message), cause);
  }
  if (error instanceof RangeError) return new McpProtocolError(`${what}: the server's answer is too large or too deeply nested to handle`, cause);
  if (error instanceof SyntaxError) return new McpProtocolError(`${what}: the server's answer is not valid JSON`, cause);
  if (error.name === 'AbortError') return new ConnectionError(`${what} was aborted`, cause, { code: 'aborted' });
  if (error instanceof TypeError && /fetch|network|socket|ECONN/i.test(`${error.message} ${String((error as { cause?: unknown }).cause)}`)) {
    return new ConnectionError(said(`Could not reach the MCP endpoint: ${error.message}`), cause);
  }
  return new McpProtocolError(`${what} failed: ${said(error.message)}`, cause);
}
