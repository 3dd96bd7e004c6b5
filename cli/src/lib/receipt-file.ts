import { oneLine } from './receipt-log-page.js';

// `call --receipts FILE` keeps every receipt a paid call brought, exactly as it came, one per line,
// so `receipts verify FILE` judges it offline. Whether it verified at call time is printed with
// the call (and in --json); the file holds no verdict of its own, which anyone could edit.

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The receipt's JSON text: a plain-JSON header as is, a base64 one decoded (strict UTF-8). */
function receiptText(raw: string): string | undefined {
  const text = raw.trim();
  if (text.startsWith('{')) return text;
  if (!BASE64.test(text)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * The JSON Lines record for a receipt as received (`x-proxygate-receipt` base64, `x-receipt` JSON,
 * or a stream's receipt event): its JSON object text unchanged, only made one line when it spans
 * several (whitespace outside strings; keys, order, duplicates and numbers untouched). Anything
 * that is not a JSON object is kept too, wrapped, so it is never dropped and verifies as malformed.
 */
export function receiptLine(raw: string): string {
  const text = receiptText(raw);
  if (text !== undefined) {
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return /[\r\n]/.test(text) ? oneLine(text) : text;
    } catch {
      // Not JSON: kept wrapped below.
    }
  }
  return JSON.stringify({ unparsed_receipt: raw });
}
