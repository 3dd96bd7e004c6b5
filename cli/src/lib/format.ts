// Rendering helpers for human output. Money stays integer until it becomes text.

const MICRO_CENTS_PER_USD = 100_000_000n;

/** Micro-cents (integer) as dollars, exact: 1500 -> "$0.000015", 250000000 -> "$2.50". */
export function formatUsd(microCents: number | bigint | string): string {
  const value = BigInt(microCents);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / MICRO_CENTS_PER_USD;
  let fraction = (abs % MICRO_CENTS_PER_USD).toString().padStart(8, '0').replace(/0+$/, '');
  if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  return `${negative ? '-' : ''}$${whole}.${fraction}`;
}

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
