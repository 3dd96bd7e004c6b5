import { ProxygateError } from '../core/error.js';
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
    return { ...super.toJSON(), diff: this.diff };
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
    return {
      ...super.toJSON(),
      reason: this.reason,
      ...(result ? { receipt: result.receipt, verification: { ...result.verification, receipt: undefined }, amount_micro_usd: result.amount_micro_usd } : {}),
    };
  }
}

/** The server answered something that is not a tool result of the expected kind. */
export class McpProtocolError extends ProxygateError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'mcp_protocol_error', cause });
  }
}
