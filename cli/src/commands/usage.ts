import { Flags } from '@oclif/core';
import type { UsageEntry } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { UsageError } from '../lib/errors.js';
import { compact, formatUsd, renderTable } from '../lib/format.js';
import { startSpinner } from '../lib/terminal.js';

const DAY_MS = 86_400_000;

/**
 * The API's `to` is exclusive; a plain date given to --to means through the end of that day, so
 * `--from 2026-11-01 --to 2026-11-30` is the whole of November (what a monthly audit expects).
 */
function timestamp(flag: 'from' | 'to', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const plainDate = /^\d{4}-\d{2}-\d{2}$/.test(value.trim());
  const at = Date.parse(plainDate ? `${value.trim()}T00:00:00Z` : value);
  if (Number.isNaN(at)) throw new UsageError(`--${flag} is not a date: "${value}"`, 'use RFC 3339, e.g. 2026-11-01T00:00:00Z, or a date like 2026-11-01');
  return new Date(plainDate && flag === 'to' ? at + DAY_MS : at).toISOString();
}

export default class Usage extends BaseCommand {
  static override summary = 'list paid calls, newest first, with their cost';
  static override examples = [
    '<%= config.bin %> usage',
    '<%= config.bin %> usage --from 2026-11-01 --to 2026-11-30 --all --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    from: Flags.string({ description: 'earliest time (RFC 3339 or YYYY-MM-DD)' }),
    to: Flags.string({ description: 'end: an RFC 3339 instant (exclusive) or YYYY-MM-DD (through the end of that day)' }),
    service: Flags.string({ description: 'only calls to this service' }),
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100, default: 20 }),
    cursor: Flags.string({ description: 'start from this cursor' }),
    all: Flags.boolean({ description: 'follow cursors through every page' }),
  };

  async run(): Promise<{ data: UsageEntry[]; cursor: string | null; has_more: boolean; total_cost_micro_cents: number }> {
    const { flags } = await this.parse(Usage);
    const from = timestamp('from', flags.from);
    const to = timestamp('to', flags.to);
    if (from !== undefined && to !== undefined && from > to) {
      throw new UsageError(`--from (${flags.from}) is after --to (${flags.to}): the range is empty`, 'swap them');
    }
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const pages = (await createClient(auth)).account.usage(compact({ from, to, service: flags.service, limit: flags.limit, cursor: flags.cursor }));
    let data: UsageEntry[];
    let cursor: string | null = null;
    let hasMore = false;
    if (flags.all) {
      data = [];
      const spinner = startSpinner('fetching every page');
      try {
        for await (const entry of pages) data.push(entry);
      } finally {
        spinner.stop();
      }
    } else {
      const page = await pages;
      data = page.data;
      cursor = page.cursor;
      hasMore = page.hasNextPage();
    }
    // Refunded calls cost nothing; the sum stays an integer of micro-cents.
    const total = data.reduce((sum, e) => sum + (e.refunded ? 0 : e.cost_micro_cents), 0);
    this.out(
      data.length
        ? renderTable(data, [
            { header: 'time', get: (e) => e.created_at },
            { header: 'request', get: (e) => e.request_id },
            { header: 'service', get: (e) => e.service },
            { header: 'call', get: (e) => `${e.method} ${e.path}` },
            { header: 'status', get: (e) => e.status_code },
            { header: 'cost', get: (e) => (e.refunded ? `${formatUsd(e.cost_micro_cents)} (refunded)` : formatUsd(e.cost_micro_cents)) },
            { header: 'latency', get: (e) => `${e.latency_ms}ms` },
          ])
        : 'No usage in this range.',
    );
    this.note(`${data.length} call(s), total ${formatUsd(total)}`);
    if (hasMore && cursor) this.note(`More results: --cursor ${cursor} (or --all)`);
    return { data, cursor, has_more: hasMore, total_cost_micro_cents: total };
  }
}
