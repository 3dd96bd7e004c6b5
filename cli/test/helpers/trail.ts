import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One line of the receipt trail (trail-format: the envelope every kept receipt is written in). */
export interface TrailLine {
  proxygate_receipt: 1;
  receipt: string;
  verdict: { valid: boolean; reason: string; field?: string; message?: string };
  call: {
    gateway: string;
    listing_id: string;
    service: string;
    method: string;
    path: string;
    request_id: string | null;
    idempotency_key: string | null;
    status: number | null;
    cost_micro_usd: number | string | null;
  };
  recorded_at: string;
}

export async function trailLines(file: string): Promise<TrailLine[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as TrailLine);
}

/** The receipts of trail lines, parsed. */
export async function trailReceipts(file: string): Promise<Array<Record<string, unknown>>> {
  return (await trailLines(file)).map((l) => JSON.parse(l.receipt) as Record<string, unknown>);
}

/** Rewrites a trail file as bare receipt lines (the receipts' own JSON text), the older file form. */
export async function toBareReceipts(file: string): Promise<string> {
  const lines = await trailLines(file);
  await writeFile(file, lines.map((l) => `${l.receipt}\n`).join(''));
  return file;
}

/** The kept log of a profile under an isolated env's data dir, for the month of `at` (UTC). */
export function keptLogFile(envDir: string, at: Date = new Date(), profile = 'default'): string {
  const month = `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
  return join(envDir, 'data', 'receipts', profile, `${month}.jsonl`);
}
