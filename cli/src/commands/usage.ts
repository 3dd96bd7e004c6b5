import { Flags } from '@oclif/core';
import type { UsageRow, UsageSummaryEntry } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { UsageError } from '../lib/errors.js';
import { compact, dateBound, renderTable, todayUtc } from '../lib/format.js';
import { loadMoney } from '../lib/money.js';
import { listJson, listPages, moreHint, type ListJson } from '../lib/pages.js';

const DAY_MS = 86_400_000;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * The API's bounds are inclusive instants; a plain date given to --to means through the end of that
 * day, so `--from 2026-11-01 --to 2026-11-30` is the whole of November (what a monthly audit expects).
 * A duration (`7d`, `24h`, `30m`, `2w`) is that long before now, so scripts and examples never go stale.
 */
export function usageBound(flag: 'from' | 'to', value: string | undefined, now: number = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const ago = /^(\d{1,6})([mhdw])$/.exec(text);
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2]!]!).toISOString();
  const bound = dateBound(text, flag);
  if (bound !== undefined) return bound;
  // Today's date as the example: any fixed one would be in the future somewhere, then stale.
  const today = todayUtc(now);
  throw new UsageError(`--${flag} is not a date: "${value}"`, `use a duration before now (30m, 24h, 7d, 2w), a date like ${today}, or RFC 3339 like ${today}T00:00:00Z`);
}

/** The list shape (rows under `data`), with the gateway's summary and the listed rows' total. */
export interface UsageOutput extends ListJson<UsageRow> {
  /** The gateway's totals per service (and model) over the whole filtered range. */
  summary: UsageSummaryEntry[];
  /** Sum of the rows listed here, integer micro-USD. */
  total_cost_micro_usd: number;
}

export default class Usage extends BaseCommand {
  static override summary = 'list paid calls, newest first, with their cost, and the totals per service';
  static override description = `Rows go to stdout, then the gateway's summary (calls and total cost per service and model over the
whole range, not just this page). Costs are exact USD.`;
  static override examples = [
    '<%= config.bin %> usage',
    '<%= config.bin %> usage --service weather --from 24h',
    '<%= config.bin %> usage --from 30d --all --json > usage.json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    from: Flags.string({ description: 'earliest time, inclusive: a duration before now (30m, 24h, 7d, 2w), YYYY-MM-DD or RFC 3339' }),
    to: Flags.string({ description: 'latest time, inclusive: a duration before now, YYYY-MM-DD (through the end of that day) or RFC 3339' }),
    service: Flags.string({ description: 'only calls to this service' }),
    model: Flags.string({ description: 'only calls to this model (per-token listings)' }),
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100 }),
    cursor: Flags.string({ description: 'start from this cursor' }),
    all: Flags.boolean({ description: 'follow cursors through every page' }),
  };

  async run(): Promise<UsageOutput> {
    const { flags } = await this.parse(Usage);
    const now = Date.now();
    const from = usageBound('from', flags.from, now);
    const to = usageBound('to', flags.to, now);
    if (from !== undefined && to !== undefined && from > to) {
      throw new UsageError(`--from (${flags.from}) is after --to (${flags.to}): the range is empty`, 'swap them');
    }
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const client = await createClient(auth);
    const listed = await listPages(client.account.usage(compact({ from, to, service: flags.service, model: flags.model, limit: flags.limit, cursor: flags.cursor })), flags.all);
    const { formatUsd } = await loadMoney();
    const rows = listed.items;
    const total = rows.reduce((sum, row) => sum + row.cost_micro_cents, 0);
    const withRequestIds = rows.some((row) => row.request_id !== undefined);
    const table = rows.length
      ? renderTable(rows, [
          { header: 'time', get: (r) => r.created_at },
          // The receipt's request id is an extension; the public gateway gives the row id only.
          withRequestIds ? { header: 'request', get: (r) => r.request_id } : { header: 'id', get: (r) => r.id },
          { header: 'service', get: (r) => r.service },
          { header: 'path', get: (r) => r.path },
          { header: 'model', get: (r) => r.model },
          { header: 'status', get: (r) => r.status_code },
          { header: 'cost', get: (r) => formatUsd(r.cost_micro_cents) },
          { header: 'latency', get: (r) => `${r.latency_ms}ms` },
        ])
      : 'No usage in this range.';
    const summary = listed.first.summary;
    const summaryTable = summary.length
      ? renderTable(summary, [
          { header: 'service', get: (s) => s.service },
          { header: 'model', get: (s) => s.model },
          { header: 'calls', get: (s) => s.request_count },
          { header: 'total', get: (s) => formatUsd(s.total_cost_micro_cents) },
        ])
      : undefined;
    this.out(summaryTable ? `${table}\n\nSUMMARY (whole range)\n${summaryTable}` : table);
    this.note(`${rows.length} call(s) listed, total ${formatUsd(total)}`);
    const more = moreHint(listed);
    if (more) this.note(more);
    return listJson(listed, { summary, total_cost_micro_usd: total });
  }
}
