import { ProxygateError } from '../core/error.js';
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
    return { ...super.toJSON(), diff: this.diff };
  }
}

/** The receipt of a paid call did not verify against the pinned key set. */
export class ReceiptVerificationError extends ProxygateError {
  readonly reason: string;
  constructor(reason: string, message: string, requestId?: string) {
    super(`Receipt of the paid call did not verify (${reason}): ${message}`, {
      code: 'receipt_invalid',
      action: 'Do not trust this result; pass acceptInvalidReceipts: true only to inspect it',
      requestId,
    });
    this.reason = reason;
  }
}

/** The server answered something that is not a tool result of the expected kind. */
export class McpProtocolError extends ProxygateError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'mcp_protocol_error', cause });
  }
}
