// Rendering helpers for human output. Money is formatted by the SDK (lib/money.ts), never here.

export interface Column<T> {
  header: string;
  get: (row: T) => string | number | boolean | null | undefined;
}

/** A plain aligned table; no colour so it pipes cleanly into grep/awk. */
export function renderTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const cells = rows.map((row) => columns.map((c) => cellText(c.get(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

function cellText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return String(value).replace(/\s+/g, ' ');
}

/** `key  value` lines for a single record. */
export function renderKeyValues(pairs: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${cellText(v)}`).join('\n');
}

const DAY_MS = 86_400_000;

/**
 * A window bound as `usage --from/--to` and `receipts audit --usage-from/--usage-to` read it, in
 * RFC 3339 UTC: RFC 3339 text, or a plain date (from: its first instant; to: its last, so a --to
 * date includes that day). `undefined` when it is neither.
 */
export function dateBound(text: string, end: 'from' | 'to'): string | undefined {
  const date = text.trim();
  const plainDate = /^\d{4}-\d{2}-\d{2}$/.test(date);
  const at = Date.parse(plainDate ? `${date}T00:00:00Z` : text);
  if (Number.isNaN(at)) return undefined;
  return new Date(plainDate && end === 'to' ? at + DAY_MS - 1 : at).toISOString();
}

/** Today's UTC date, `YYYY-MM-DD`: the date a hint gives as its example (a fixed one goes stale). */
export function todayUtc(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** "30m", "12h", "7d" from now, an RFC 3339 timestamp or a date (midnight UTC) -> RFC 3339 UTC with milliseconds. */
export function parseExpiry(text: string, now: number = Date.now()): string | undefined {
  const relative = /^(\d+)([smhd])$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now + Number(relative[1]) * unit).toISOString();
  }
  // A plain date, as `usage --from` takes; spelled out so Date.parse cannot read it as local time.
  const stamp = /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(stamp)) return undefined;
  const at = Date.parse(stamp);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/** Drops undefined values (optional flags) so params satisfy exactOptionalPropertyTypes. */
export function compact<T extends Record<string, unknown>>(params: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
