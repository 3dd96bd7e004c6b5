// Date.parse rolls impossible calendar dates over (30 February reads as 2 March, 31 April as
// 1 May), which would let a receipt or key window name an instant its text does not say.
const RFC3339_PARTS = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The parts of an RFC 3339 timestamp whose every field is in range; `undefined` otherwise. */
function match(text: string): RegExpExecArray | undefined {
  const m = RFC3339_PARTS.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHour = m[8] === undefined ? 0 : Number(m[8]);
  const offsetMinute = m[9] === undefined ? 0 : Number(m[9]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return undefined;
  return m;
}

/**
 * The exact instant of an RFC 3339 timestamp in epoch nanoseconds (it may carry nine fractional
 * digits; Date.parse keeps three); `undefined` when it is not one.
 */
export function parseRfc3339Ns(text: string): bigint | undefined {
  const m = match(text);
  if (!m) return undefined;
  const fraction = m[7] ?? '';
  // Whole seconds from Date.parse (the fraction removed; the date part has no '.'), the fraction exactly.
  const seconds = Date.parse(fraction ? text.replace(`.${fraction}`, '') : text);
  return Number.isNaN(seconds) ? undefined : BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
}

/**
 * Epoch ms of an RFC 3339 timestamp, `undefined` when it is not one. A fraction finer than a
 * millisecond is rounded down, or up with `ceil` (a window's start: `t >= start` then stays exact
 * for millisecond timestamps such as v3's).
 */
export function parseRfc3339(text: string, round: 'floor' | 'ceil' = 'floor'): number | undefined {
  const m = match(text);
  if (!m) return undefined;
  if ((m[7] ?? '').length <= 3) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const ns = parseRfc3339Ns(text)!;
  const floor = ns >= 0n || ns % 1_000_000n === 0n ? ns / 1_000_000n : ns / 1_000_000n - 1n;
  return Number(round === 'ceil' && floor * 1_000_000n !== ns ? floor + 1n : floor);
}
