import { GatewayError } from './errors.js';

export interface Page<T> {
  data: T[];
  cursor: string | null;
  has_more: boolean;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface PageParams {
  limit?: QueryValue;
  cursor?: QueryValue;
}

/** `limit` as the public gateway reads it: clamped to 1..100; missing or not a number: the default. */
export function clampLimit(raw: QueryValue, fallback = 20): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(value)) return fallback;
  return Math.min(100, Math.max(1, Math.trunc(value)));
}

export function text(raw: QueryValue): string | null {
  if (raw === undefined || raw === null) return null;
  const value = String(raw);
  return value === '' ? null : value;
}

const CURSOR_PREFIX = 'pgc1:';

// An offset cursor bound to the list it came from, so a cursor of one query cannot page another.
function encodeCursor(scope: string, offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${scope}:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(scope: string, cursor: string): number | null {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${CURSOR_PREFIX}${scope}:`;
  const offset = decoded.startsWith(prefix) ? decoded.slice(prefix.length) : '';
  return /^\d+$/.test(offset) ? Number(offset) : null;
}

/**
 * Slices an ordered list into one page with an opaque offset cursor (`/v1/apis`, `/v1/tokens`,
 * `/v1/receipts`). A cursor of another list is a 400.
 */
export function paginate<T>(items: readonly T[], params: PageParams, scope: string, traceId: () => string): Page<T> {
  const limit = clampLimit(params.limit);
  const cursor = text(params.cursor);
  let offset = 0;
  if (cursor !== null) {
    const decoded = decodeCursor(scope, cursor);
    if (decoded === null) {
      throw new GatewayError(400, { error: 'invalid_cursor', message: 'The cursor is invalid or belongs to another list.', action: 'Start again without a cursor.', trace_id: traceId() });
    }
    offset = decoded;
  }
  const data = items.slice(offset, offset + limit);
  const next = offset + data.length;
  const hasMore = next < items.length;
  return { data, cursor: hasMore ? encodeCursor(scope, next) : null, has_more: hasMore };
}

/**
 * Pages a list ordered by a unique key with the key of the last row as the cursor (`/v1/usage`:
 * the row id; `/v1/categories`, `/v1/pricing`, `/v1/services`: the slug). An unknown key gives an
 * empty last page: those routes document no 400.
 */
export function paginateByKey<T>(items: readonly T[], params: PageParams, keyOf: (item: T) => string, fallbackLimit = 20): Page<T> {
  const limit = clampLimit(params.limit, fallbackLimit);
  const cursor = text(params.cursor);
  const start = cursor === null ? 0 : items.findIndex((item) => keyOf(item) === cursor) + 1;
  if (cursor !== null && start === 0) return { data: [], cursor: null, has_more: false };
  const data = items.slice(start, start + limit);
  const last = data[data.length - 1];
  const hasMore = start + data.length < items.length;
  return { data, cursor: hasMore && last !== undefined ? keyOf(last) : null, has_more: hasMore };
}
