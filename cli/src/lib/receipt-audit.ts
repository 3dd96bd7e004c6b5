import type { Receipt, ReceiptV3, Verdict } from '@proxygate-kit/sdk/receipts';
import type { ReceiptItem } from './receipt-input.js';
import { loadReceiptsSdk } from './sdk-loader.js';

export interface ChainSummary {
  buyer: string;
  count: number;
  first_seq: number;
  last_seq: number;
  /** Sum of `amount` as an integer string (bigint arithmetic: any size survives). */
  total_amount: string;
  currency: string;
}

export interface AuditProblem {
  at: string;
  reason: 'chain_gap' | 'chain_fork' | 'duplicate';
  message: string;
  request_id?: string;
}

export interface AuditSummary {
  chains: ChainSummary[];
  /** Sum over every valid v3 receipt, integer string. */
  total_amount: string;
  problems: AuditProblem[];
}

const ZERO_HASH = '0'.repeat(64);

/**
 * Per-buyer chain checks over the receipts that verified: `seq` must run on without holes and
 * each `prev` must be the hash of the receipt before it (64 zeros for seq 1). A set may start
 * after seq 1 (an audit of one month): `first_seq` says where it starts. Only valid v3
 * receipts take part: a bad signature is already reported by verification.
 * Note: a deletion at the end of a chain is invisible here; completeness needs the signed log head.
 */
export async function auditItems(items: readonly ReceiptItem[], verdicts: readonly Verdict[]): Promise<AuditSummary> {
  const { receiptHash } = await loadReceiptsSdk();
  const byBuyer = new Map<string, Array<{ receipt: ReceiptV3; at: string; hash: string }>>();
  for (let i = 0; i < verdicts.length; i++) {
    const verdict = verdicts[i];
    const receipt: Receipt | undefined = verdict?.valid ? verdict.receipt : undefined;
    if (!receipt || receipt.receipt_version !== 3) continue;
    const chain = byBuyer.get(receipt.buyer) ?? [];
    chain.push({ receipt, at: items[i]?.locator ?? `#${i + 1}`, hash: await receiptHash(receipt) });
    byBuyer.set(receipt.buyer, chain);
  }
  const problems: AuditProblem[] = [];
  const chains: ChainSummary[] = [];
  let grandTotal = 0n;
  for (const [buyer, entries] of [...byBuyer].sort(([a], [b]) => a.localeCompare(b))) {
    entries.sort((a, b) => a.receipt.seq - b.receipt.seq);
    let total = 0n;
    const kept: typeof entries = [];
    for (const entry of entries) {
      const previous = kept[kept.length - 1];
      const problem = (reason: AuditProblem['reason'], message: string): void => {
        problems.push({ at: entry.at, reason, message, request_id: entry.receipt.request_id });
      };
      if (previous && previous.receipt.seq === entry.receipt.seq) {
        if (previous.hash === entry.hash) problem('duplicate', `seq ${entry.receipt.seq} of ${buyer} appears twice`);
        else problem('chain_fork', `two different receipts claim seq ${entry.receipt.seq} of ${buyer}`);
        continue;
      }
      if (previous && entry.receipt.seq !== previous.receipt.seq + 1) {
        problem('chain_gap', `${buyer}: seq ${entry.receipt.seq} follows seq ${previous.receipt.seq} (missing ${previous.receipt.seq + 1}..${entry.receipt.seq - 1})`);
      } else if (previous ? entry.receipt.prev !== previous.hash : entry.receipt.seq === 1 && entry.receipt.prev !== ZERO_HASH) {
        problem('chain_fork', `${buyer}: seq ${entry.receipt.seq} does not link to the receipt before it (prev mismatch)`);
      }
      kept.push(entry);
      total += BigInt(entry.receipt.amount);
    }
    grandTotal += total;
    const first = kept[0]?.receipt;
    const last = kept[kept.length - 1]?.receipt;
    chains.push({
      buyer,
      count: kept.length,
      first_seq: first?.seq ?? 0,
      last_seq: last?.seq ?? 0,
      total_amount: total.toString(),
      currency: first?.currency ?? 'USD',
    });
  }
  return { chains, total_amount: grandTotal.toString(), problems };
}
