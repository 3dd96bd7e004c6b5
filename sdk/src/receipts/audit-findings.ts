import type { AuditFinding, AuditLocation, RunBound } from './audit-types.js';
import type { ReasonCode } from './errors.js';
import type { Verdict } from './types.js';

/**
 * Findings with exact counts per reason and a capped list: a million bad lines cost a counter,
 * not a million objects.
 */
export class Findings {
  readonly list: AuditFinding[] = [];
  readonly byReason: Partial<Record<ReasonCode, number>> = {};
  omitted = 0;

  constructor(private readonly max: number) {}

  get total(): number {
    return this.list.length + this.omitted;
  }

  add(finding: AuditFinding): void {
    this.byReason[finding.reason] = (this.byReason[finding.reason] ?? 0) + 1;
    if (this.list.length < this.max) this.list.push(finding);
    else this.omitted++;
  }
}

export function located(finding: AuditFinding, at: AuditLocation | RunBound | undefined): AuditFinding {
  if (!at) return finding;
  if (at.source !== undefined) finding.source = at.source;
  if (at.line !== undefined) finding.line = at.line;
  if (at.index !== undefined) finding.index = at.index;
  return finding;
}

/** The finding of a receipt that did not verify. */
export function verdictFinding(verdict: Verdict, at: AuditLocation): AuditFinding {
  const finding: AuditFinding = { reason: verdict.reason as ReasonCode, message: verdict.message };
  if (verdict.field !== undefined) finding.field = verdict.field;
  const r = verdict.receipt;
  located(finding, at);
  if (r) {
    finding.request_id = r.request_id;
    finding.buyer = r.buyer;
    if (r.receipt_version === 3) finding.seq = r.seq;
  }
  return finding;
}

/** `file.jsonl:12`, or `#13` (1-based position) when the source has no name. */
export function where(at: { source?: string; line?: number; index?: number }): string {
  if (at.source !== undefined) return at.line !== undefined ? `${at.source}:${at.line}` : at.source;
  return at.index !== undefined ? `#${at.index + 1}` : 'the input';
}
