/**
 * `@proxygate-kit/sdk/receipts`: parse, canonicalize and verify Proxygate receipts (v1, v2, v3)
 * offline against a pinned key set, and audit sets of them. Runs in Node, browsers and edge
 * runtimes: nothing here imports `node:*` statically or touches the network. Node-only helpers
 * (worker pool, key-set files) live in `@proxygate-kit/sdk/receipts/node`.
 */
export { ReceiptParseError, KeySetError, AuditStateError, AuditReportError, type ReasonCode, type AuditStateProblem, type KeySetErrorCode } from './errors.js';
export type { Receipt, ReceiptV1, ReceiptV2, ReceiptV3, DelegationV2, ShieldMode, ShieldAction, Verdict, ValidVerdict, FailedVerdict } from './types.js';
export { parseReceipt, decodeReceiptHeader } from './parse.js';
export { receiptTime, formatReceiptTime, UNIX_MILLISECONDS_FROM, type ReceiptTime, type TimeUnit } from './receipt-time.js';
export { canonicalize } from './jcs.js';
export { signedBytes, V3_SIGNING_PREFIX } from './canonical.js';
export {
  requestSha256, responseSha256, receiptHash, canonicalQuery,
  type RequestDescription, type QueryInput, type BodyInput,
} from './hashes.js';
export {
  KeySet, type KeySetDocument, type KeySetDocumentKey, type RawKeyInput, type KeySetPins,
  type ReceiptKey, type KeyStatus, type KeyJudgement, type CheckedKeyStore, type KeySetOptions,
} from './key-set.js';
export { resolveBackend, nobleBackend, type Ed25519Backend, type BackendName, type BackendChoice } from './backends.js';
export { verifyReceipt, verifyReceipts, fail as failedVerdict, downgradeVerdict, type VerifyOptions, type ReceiptInput } from './verify.js';
export { receiptAmount } from './amount.js';
export { verifyStream, jsonLines, LineSplitter, type VerifyStreamOptions, type LineSplitterOptions, type LineStats } from './stream.js';
export { auditReceipts, auditReportToJson, type AuditReportJson, type AuditOptions, type AuditReport, type AuditIssue, type ChainSummary, type UsageEntry } from './audit.js';
export { verifyCheckpoint, checkpointKeyHash, type LogHead, type CheckpointResult } from './checkpoint.js';
export { merkleRoot, receiptLeafHash } from './merkle.js';
export { auditStream, type AuditSource, type AuditStreamOptions, type AuditProgress } from './audit-stream.js';
export {
  AUDIT_REPORT_FORMAT, AUDIT_REPORT_VERSION,
  type AuditResult, type AuditFinding, type AuditLocation, type AuditCounts, type ChainReport, type ChainRun, type RunBound,
  type BuyerTotals, type HeadResult, type UsageResult, type AggregateUsage,
} from './audit-types.js';
export {
  nextAuditState, parseAuditState, serializeAuditState, AUDIT_STATE_FORMAT, AUDIT_STATE_VERSION,
  type AuditState, type AuditStateChain,
} from './audit-state.js';
export type { UsageExport, UsageRow, UsageSummaryEntry } from './usage-reconcile.js';
export { CompactRange, type CompactRangeJson } from './compact-range.js';
export { mergeAuditReports, serializeAuditReport, parseAuditReport, type MergeAuditOptions } from './audit-merge.js';
export { renderAuditJUnit, renderAuditGithub, type RenderableReport, type JUnitOptions, type GithubOptions } from './audit-render.js';
