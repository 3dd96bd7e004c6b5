import type { AuditFinding, AuditResult } from './audit-types.js';

// CI renderings of an audit report: JUnit XML (test reporters) and GitHub workflow annotations.
// Pure string functions (no `node:*`): every value from a receipt is hostile text and is escaped.

/** What the renderers read: an audit report, or anything shaped like its findings and counts. */
export type RenderableReport = Pick<AuditResult, 'ok' | 'issues' | 'issues_omitted' | 'issues_by_reason'> &
  Partial<Pick<AuditResult, 'counts' | 'chains' | 'legacy' | 'spend' | 'sources'>>;

export interface JUnitOptions {
  /** The suite's name. Default `proxygate receipts audit`. */
  name?: string;
  /** ISO 8601 time the audit ran (the `timestamp` attribute); omitted by default. */
  timestamp?: string;
  /** Wall time in seconds (the `time` attributes). Default 0. */
  seconds?: number;
  /**
   * Add `file` and `line` attributes to failed test cases (read by some CI reporters; not in the
   * Ant or Jenkins JUnit schemas, so off by default: the location is in the name and the text).
   */
  fileAttributes?: boolean;
}

/**
 * JUnit XML: one failed test case per finding (`classname` = `receipts.<reason>`, named by its
 * `file:line`, request id, buyer and seq), one for the findings counted but not listed, and one
 * passed test case per chain and per v1/v2 buyer that no finding names. Only the elements and
 * attributes of the Jenkins JUnit schema (junit-10.xsd), one `<failure>` per test case (the Ant
 * schema allows no more).
 */
export function renderAuditJUnit(report: RenderableReport, options: JUnitOptions = {}): string {
  const name = options.name ?? 'proxygate receipts audit';
  const time = (options.seconds ?? 0).toFixed(3);
  const cases: string[] = [];
  for (const f of report.issues) {
    const where = locationText(f);
    const caseName = [where, f.request_id, f.buyer && `buyer ${f.buyer}`, f.seq !== undefined ? `seq ${f.seq}` : undefined].filter(Boolean).join(' ') || f.reason;
    const attrs = [`classname="${xml(`receipts.${f.reason}`)}"`, `name="${xml(caseName)}"`, `time="0"`];
    if (options.fileAttributes && f.source !== undefined) attrs.push(`file="${xml(f.source)}"`);
    if (options.fileAttributes && f.line !== undefined) attrs.push(`line="${f.line}"`);
    const body = [`${f.reason}${f.field ? ` (${f.field})` : ''}: ${f.message}`, where && `at ${where}`].filter(Boolean).join('\n');
    cases.push(`    <testcase ${attrs.join(' ')}>\n      <failure type="${xml(f.reason)}" message="${xml(f.message)}">${xml(body)}</failure>\n    </testcase>`);
  }
  if (report.issues_omitted > 0) {
    const counts = Object.entries(report.issues_by_reason).map(([r, n]) => `${r}: ${n}`).join(', ');
    const message = `${report.issues_omitted} more finding(s) not listed (all findings by reason: ${counts})`;
    cases.push(`    <testcase classname="receipts.omitted" name="findings not listed" time="0">\n      <failure type="omitted" message="${xml(message)}">${xml(message)}</failure>\n    </testcase>`);
  }
  const named = new Set(report.issues.map((f) => f.buyer).filter((b): b is string => b !== undefined));
  for (const c of report.chains ?? []) {
    if (named.has(c.buyer)) continue;
    const runs = c.runs.map((r) => `${r.first.seq}..${r.last.seq}`).join(', ');
    cases.push(`    <testcase classname="receipts.chain" name="${xml(`chain ${c.buyer}: seq ${runs || 'none'}, ${c.receipts} receipt(s), ${c.total} micro-USD`)}" time="0"/>`);
  }
  for (const b of report.legacy ?? []) {
    if (named.has(b.buyer)) continue;
    cases.push(`    <testcase classname="receipts.legacy" name="${xml(`buyer ${b.buyer}: ${b.receipts} v1/v2 receipt(s), ${b.total} micro-USD`)}" time="0"/>`);
  }
  const failures = report.issues.length + (report.issues_omitted > 0 ? 1 : 0);
  const props: [string, string][] = [];
  if (report.counts) for (const [k, v] of Object.entries(report.counts)) props.push([`receipts.${k}`, String(v)]);
  if (report.spend) props.push(['spend.total_micro_usd', report.spend.total]);
  for (const [r, n] of Object.entries(report.issues_by_reason)) props.push([`findings.${r}`, String(n)]);
  const properties = props.length ? `    <properties>\n${props.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`).join('\n')}\n    </properties>\n` : '';
  const stamp = options.timestamp ? ` timestamp="${xml(options.timestamp)}"` : '';
  const suiteAttrs = `name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${time}"`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="0" time="${time}">\n` +
    `  <testsuite ${suiteAttrs}${stamp}>\n${properties}${cases.join('\n')}${cases.length ? '\n' : ''}  </testsuite>\n</testsuites>\n`
  );
}

export interface GithubOptions {
  /** Findings annotated (GitHub shows 10 errors per step, 50 per job); the rest are summed up. Default 10. */
  maxAnnotations?: number;
}

/**
 * GitHub Actions workflow commands: an `::error` per finding (with `file` and `line` when known,
 * titled by its reason), a `::warning` for the findings beyond the cap, and a `::notice` summary.
 * Every value is escaped, so no receipt text can start a command of its own.
 */
export function renderAuditGithub(report: RenderableReport, options: GithubOptions = {}): string {
  const max = options.maxAnnotations ?? 10;
  const lines: string[] = [];
  const shown = report.issues.slice(0, max);
  for (const f of shown) {
    const props = [
      ...(f.source !== undefined ? [`file=${ghProperty(f.source)}`] : []),
      ...(f.line !== undefined ? [`line=${f.line}`] : []),
      `title=${ghProperty(`receipts: ${f.reason}${f.field ? ` (${f.field})` : ''}`)}`,
    ];
    const about = [f.request_id, f.buyer && `buyer ${f.buyer}`, f.seq !== undefined ? `seq ${f.seq}` : undefined].filter(Boolean).join(', ');
    lines.push(`::error ${props.join(',')}::${ghData(`${f.message}${about ? ` [${about}]` : ''}`)}`);
  }
  const rest = report.issues.length - shown.length + report.issues_omitted;
  if (rest > 0) {
    const counts = Object.entries(report.issues_by_reason).map(([r, n]) => `${r}: ${n}`).join(', ');
    lines.push(`::warning title=${ghProperty('receipts: more findings')}::${ghData(`${rest} more finding(s) not annotated; all findings by reason: ${counts}`)}`);
  }
  const c = report.counts;
  const summary = c
    ? `${c.receipts} receipt(s): ${c.valid} valid, ${c.invalid} invalid, ${c.duplicates} duplicate(s)${c.replayed ? `, ${c.replayed} audited before` : ''}; ${report.chains?.length ?? 0} chain(s)${report.spend ? `; spend ${report.spend.total} micro-USD` : ''}`
    : `${report.issues.length + report.issues_omitted} finding(s)`;
  lines.push(`::notice title=${ghProperty(report.ok ? 'receipts audit passed' : 'receipts audit failed')}::${ghData(summary)}`);
  return `${lines.join('\n')}\n`;
}

function locationText(f: AuditFinding): string {
  if (f.source !== undefined) return f.line !== undefined ? `${f.source}:${f.line}` : f.source;
  return f.index !== undefined ? `#${f.index + 1}` : '';
}

/** Text for XML 1.0 attributes and content: the five entities, and no character XML cannot hold. */
export function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\ud800-\udfff]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** A workflow command's message: `%`, CR and LF escaped (GitHub's own toolkit escaping). */
function ghData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as data, plus `:` and `,`. */
function ghProperty(text: string): string {
  return ghData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
