import type { ProfileSwitches } from './profile.js';
import type { ReceiptVersion } from './types.js';

export type ReceiptHeaderName = 'x-proxygate-receipt' | 'x-receipt';
export type HealthStatus = 'healthy' | 'degraded';

/** A receipt version the profile can emit; a RangeError otherwise (v3 is an extension). */
export function checkedReceiptVersion(version: ReceiptVersion, switches: ProfileSwitches): ReceiptVersion {
  if (version === 3 && !switches.extensions) throw new RangeError('receipt v3 is an extension: the public profile emits v1 or v2');
  if (version !== 1 && version !== 2 && version !== 3) throw new RangeError('receipt version must be 1, 2 or 3');
  return version;
}

/**
 * What the control API (`/__mock/*`) changes at run time. `reset()` goes back to the
 * constructor's values, as `Gateway.reset()` promises.
 */
export class RuntimeSettings {
  /** For tokens without their own version. */
  defaultReceiptVersion: ReceiptVersion;
  /** v1 receipts carry the optional `receipt_version: 1`. */
  tagV1Receipts: boolean;
  /** `x-proxygate-receipt` (base64, default) or the public README's plain-JSON `x-receipt`. */
  receiptHeader: ReceiptHeaderName = 'x-proxygate-receipt';
  health: HealthStatus = 'healthy';
  /**
   * MCP tool descriptions replacing the defaults (a rug pull). The same object for the gateway's
   * whole life, so the MCP handlers built once keep reading the current overrides.
   */
  readonly mcpToolDescriptions: Partial<Record<string, string>> = {};

  constructor(private readonly initial: { receiptVersion: ReceiptVersion; tagV1Receipts: boolean }) {
    this.defaultReceiptVersion = initial.receiptVersion;
    this.tagV1Receipts = initial.tagV1Receipts;
  }

  reset(): void {
    this.defaultReceiptVersion = this.initial.receiptVersion;
    this.tagV1Receipts = this.initial.tagV1Receipts;
    this.receiptHeader = 'x-proxygate-receipt';
    this.health = 'healthy';
    for (const name of Object.keys(this.mcpToolDescriptions)) delete this.mcpToolDescriptions[name];
  }

  /** `null` restores the tool's default description. */
  setMcpToolDescription(name: string, description: string | null): void {
    if (description === null) delete this.mcpToolDescriptions[name];
    else this.mcpToolDescriptions[name] = description;
  }
}
