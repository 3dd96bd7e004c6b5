/** `YYYY-MM-DD` of the UTC day: daily limits and caps count per UTC day. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whole seconds (at least 1) until the next UTC midnight: when a daily cap lifts. */
export function secondsToUtcMidnight(date: Date): number {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - date.getTime()) / 1000));
}
