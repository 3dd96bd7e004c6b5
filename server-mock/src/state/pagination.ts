import { validationError } from './errors.js';

export interface Page<T> {
  data: T[];
  cursor: string | null;
  has_more: boolean;
}

export interface PageParams {
  limit?: number | string | null | undefined;
  cursor?: string | null | undefined;
}

const CURSOR_PREFIX = 'pgc1:';

/** Parses `limit` (1..100, default 20) strictly: "5x" or 0 is a 400, not a silent default. */
export function parseLimit(raw: PageParams['limit']): number {
  if (raw === undefined || raw === null || raw === '') return 20;
  const limit = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw validationError('limit must be an integer between 1 and 100', { param: 'limit' });
  }
  return limit;
}

// The cursor binds the list it came from, so a cursor of one list cannot page another.
function encodeCursor(scope: string, offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${scope}:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(scope: string, cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const prefix = `${CURSOR_PREFIX}${scope}:`;
  const offset = text.startsWith(prefix) ? text.slice(prefix.length) : '';
  if (!/^\d+$/.test(offset)) throw validationError('cursor is invalid or belongs to another list', { param: 'cursor' });
  return Number(offset);
}

/** Slices an already filtered and ordered list into one page with an opaque cursor. */
export function paginate<T>(items: readonly T[], params: PageParams, scope: string): Page<T> {
  const limit = parseLimit(params.limit);
  const offset = params.cursor ? decodeCursor(scope, params.cursor) : 0;
  const data = items.slice(offset, offset + limit);
  const next = offset + data.length;
  const hasMore = next < items.length;
  return { data, cursor: hasMore ? encodeCursor(scope, next) : null, has_more: hasMore };
}
