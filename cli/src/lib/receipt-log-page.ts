import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { logPageData, splitJsonArray } from './receipt-input.js';

// `receipts log` saves each receipt as the gateway wrote it: parsing the page with JSON.parse and
// writing it back would drop duplicate keys (the last wins) before the strict verifier sees them.

export interface LogPage {
  /** Each receipt's own text on one line: only whitespace outside strings removed. */
  receipts: string[];
  head: unknown;
  cursor: string | null;
  hasMore: boolean;
}

const invalid = (message: string) => new CliError('invalid_response', `the receipt log page ${message}`, ExitCode.failure, 'report it to the gateway operator');

export function readLogPage(text: string): LogPage {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid('is not JSON');
  }
  const page = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { data, cursor, has_more: hasMore, head } = page;
  if (!Array.isArray(data) || typeof hasMore !== 'boolean' || (cursor !== null && typeof cursor !== 'string')) {
    throw invalid('lacks data, cursor or has_more');
  }
  const array = text.trim().startsWith('{') ? logPageData(text.trim(), 'the receipt log page') : undefined;
  const receipts = array === undefined ? [] : splitJsonArray(array, 'the receipt log page').map(oneLine);
  if (receipts.length !== data.length) throw invalid('could not be split into its receipts');
  return { receipts, head, cursor, hasMore };
}

/** JSON text without whitespace outside strings: keys, order, duplicates and escapes untouched. */
export function oneLine(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += json[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') out += ch;
  }
  return out;
}
