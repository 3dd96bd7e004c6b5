import { paginateByKey, text, type PageParams, type QueryValue } from './pagination.js';
import type { UsageResponse, UsageRow, UsageSummaryEntry } from './types.js';

/** A usage row as stored: the wire row plus who made the call and the receipt's request id. */
export interface UsageRecord extends Omit<UsageRow, 'request_id'> {
  request_id: string;
  buyer: string;
  account: string;
}

export interface UsageParams extends PageParams {
  service?: QueryValue;
  model?: QueryValue;
  from?: QueryValue;
  to?: QueryValue;
}

// Inclusive bounds on created_at (ISO 8601); a value that is not a date is not applied (no 400 is published).
function bound(raw: QueryValue): number | null {
  const value = text(raw);
  if (value === null) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

/**
 * `GET /v1/usage`: the rows the caller may see, newest first, filtered by service, model and time;
 * the summary aggregates the whole filtered range (not just the page); cursor = id of the last
 * row; default limit 50. `withRequestId` adds our extension field.
 */
export function queryUsage(records: readonly UsageRecord[], visible: (record: UsageRecord) => boolean, params: UsageParams, withRequestId: boolean): UsageResponse {
  const service = text(params.service);
  const model = text(params.model);
  const from = bound(params.from);
  const to = bound(params.to);
  const rows = records
    .filter(visible)
    .filter((r) => service === null || r.service === service)
    .filter((r) => model === null || r.model === model)
    .filter((r) => {
      const at = Date.parse(r.created_at);
      return (from === null || at >= from) && (to === null || at <= to);
    })
    .reverse();

  const groups = new Map<string, UsageSummaryEntry>();
  for (const row of rows) {
    const key = JSON.stringify([row.service, row.model]);
    const entry = groups.get(key) ?? { service: row.service, model: row.model, request_count: 0, total_cost_micro_cents: 0 };
    entry.request_count += 1;
    entry.total_cost_micro_cents += row.cost_micro_cents;
    groups.set(key, entry);
  }

  const page = paginateByKey(rows, params, (row) => row.id, 50);
  const usage = page.data.map(({ buyer: _buyer, account: _account, request_id, ...row }): UsageRow => (withRequestId ? { ...row, request_id } : row));
  return { usage, summary: [...groups.values()], has_more: page.has_more, cursor: page.cursor };
}
