// What `receipts audit` and `audit merge` use of the SDK: the streaming audit, its worker pool,
// the incremental state and report files. Never part of the `receipts verify` start-up bundle.
export {
  AuditReportError,
  AuditStateError,
  auditStream,
  createVerifierPool,
  mergeAuditReports,
  nextAuditState,
  nodeCryptoBackend,
  parseAuditReport,
  readAuditStateFile,
  serializeAuditReport,
  writeAuditStateFile,
} from '@proxygate-kit/sdk/receipts/node';
export type { AuditResult, AuditState, LogHead, UsageExport } from '@proxygate-kit/sdk/receipts';
