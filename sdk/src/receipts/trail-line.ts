import { fromBase64AnyPadding } from './encoding.js';
import { decodeUtf8 } from './strict-json.js';

// A line of the receipt trail (`receiptTrailLine`: the kept log of paid calls) wraps the receipt
// with what the client saw: `{"proxygate_receipt":1,"receipt":"<the receipt's JSON text>",...}`.
// The audit reads the receipt inside and verifies it again; the wrapper's verdict is not evidence.

const TRAIL_PREFIX = '{"proxygate_receipt":';
const TRAIL_PREFIX_BYTES = new TextEncoder().encode(TRAIL_PREFIX);

function startsWithPrefix(line: Uint8Array): boolean {
  if (line.length < TRAIL_PREFIX_BYTES.length) return false;
  for (let i = 0; i < TRAIL_PREFIX_BYTES.length; i++) if (line[i] !== TRAIL_PREFIX_BYTES[i]) return false;
  return true;
}

/**
 * The receipt inside a trail line, `undefined` when the line is not one (a bare receipt), or an
 * error message when it is a trail line without a readable receipt.
 */
export function unwrapTrailLine(line: string | Uint8Array): string | Uint8Array | { problem: string } | undefined {
  if (typeof line === 'string' ? !line.startsWith(TRAIL_PREFIX) : !startsWithPrefix(line)) return undefined;
  let wrapper: unknown;
  try {
    wrapper = JSON.parse(typeof line === 'string' ? line : decodeUtf8(line));
  } catch {
    return { problem: 'receipt trail line is not JSON' };
  }
  const receipt = (wrapper as { receipt?: unknown }).receipt;
  if (typeof receipt !== 'string' || receipt === '') return { problem: 'receipt trail line holds no receipt' };
  if (receipt.trimStart().startsWith('{')) return receipt;
  // A receipt kept as its base64 header value.
  return fromBase64AnyPadding(receipt.trim()) ?? receipt;
}
