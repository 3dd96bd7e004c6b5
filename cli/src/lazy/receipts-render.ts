// The SDK's CI renderings (JUnit XML, GitHub annotations): pure string functions, loaded only
// for `--format junit|github`.
export { renderAuditGithub, renderAuditJUnit } from '@proxygate-kit/sdk/receipts';
