import { describe, expect, it } from 'vitest';
import { KeySet, auditStream, renderAuditGithub, renderAuditJUnit } from '../../src/receipts/index.js';
import { chain, docKey, keyDocument, makeKey } from './signer.js';

const k1 = makeKey('k1');
const keys = KeySet.fromDocument(keyDocument([docKey(k1)]));
const a = chain(k1, 6, 'tok_a');
const b = chain(k1, 3, 'tok_b');

async function failing() {
  const lines = [...a.slice(0, 2), ...a.slice(3), ...b].map((r) => JSON.stringify(r));
  lines.splice(1, 0, '{"hostile":"</failure><x a=\\"1\\">\\n::error::pwned %0A"}');
  return auditStream({ name: 'dir/day 1,a:b.jsonl', lines: [lines.join('\n')] }, { keys });
}

/** Elements and attributes of a small XML document (enough to check what the renderer wrote). */
function elements(xmlText: string): { name: string; attrs: Record<string, string> }[] {
  const out: { name: string; attrs: Record<string, string> }[] = [];
  for (const m of xmlText.matchAll(/<([a-z]+)((?:\s+[a-z]+="[^"<]*")*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([a-z]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    out.push({ name: m[1]!, attrs });
  }
  return out;
}

// The Jenkins JUnit schema (junit-10.xsd): the attributes each element may carry, and must.
const SCHEMA: Record<string, { allowed: string[]; required: string[]; parents: string[] }> = {
  testsuites: { allowed: ['name', 'time', 'tests', 'failures', 'disabled', 'errors'], required: [], parents: [] },
  testsuite: { allowed: ['name', 'tests', 'failures', 'errors', 'group', 'time', 'disabled', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url', 'version'], required: ['name', 'tests'], parents: ['testsuites'] },
  properties: { allowed: [], required: [], parents: ['testsuite'] },
  property: { allowed: ['name', 'value'], required: ['name', 'value'], parents: ['properties'] },
  testcase: { allowed: ['name', 'assertions', 'time', 'classname', 'status'], required: ['name'], parents: ['testsuite'] },
  failure: { allowed: ['message', 'type'], required: [], parents: ['testcase'] },
};
const NUMERIC = new Set(['tests', 'failures', 'errors', 'skipped', 'disabled', 'time', 'assertions']);

/** Checks nesting, attributes and counts against the schema; returns the elements in document order. */
function checkJUnit(xmlText: string): { name: string; attrs: Record<string, string> }[] {
  const stack: string[] = [];
  const seen: { name: string; attrs: Record<string, string> }[] = [];
  for (const m of xmlText.replace(/^<\?xml[^>]*\?>\n/, '').matchAll(/<(\/?)([a-z]+)((?:\s+[a-z]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g)) {
    if (m[5] !== undefined) {
      // Text only inside <failure> (and whitespace between elements).
      if (m[5].trim()) expect(stack[stack.length - 1]).toBe('failure');
      continue;
    }
    const [, closing, name, attrText, selfClosing] = m as unknown as [string, string, string, string, string];
    if (closing) { expect(stack.pop()).toBe(name); continue; }
    const rule = SCHEMA[name];
    expect(rule, `element ${name}`).toBeDefined();
    expect(rule!.parents.length ? rule!.parents : [undefined]).toContain(stack[stack.length - 1]);
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([a-z]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    for (const key of Object.keys(attrs)) {
      expect(rule!.allowed, `${name}@${key}`).toContain(key);
      if (NUMERIC.has(key)) expect(attrs[key], `${name}@${key}`).toMatch(/^\d+(\.\d+)?$/);
    }
    for (const key of rule!.required) expect(attrs, `${name} needs ${key}`).toHaveProperty(key);
    seen.push({ name, attrs });
    if (!selfClosing) stack.push(name);
  }
  expect(stack).toEqual([]);
  const suite = seen.find((e) => e.name === 'testsuite')!;
  const cases = seen.filter((e) => e.name === 'testcase');
  expect(Number(suite.attrs['tests'])).toBe(cases.length);
  expect(Number(suite.attrs['failures'])).toBe(seen.filter((e) => e.name === 'failure').length);
  // One failure per test case at most (the Ant schema's rule).
  expect(xmlText.match(/<failure /g)?.length ?? 0).toBeLessThanOrEqual(cases.length);
  return seen;
}

describe('renderAuditJUnit', () => {
  it('one failed test case per finding with file and line, passed cases for clean chains, hostile text escaped', async () => {
    const report = await failing();
    expect(report.issues.map((i) => i.reason).sort()).toEqual(['chain_gap', 'malformed']);
    const xmlText = renderAuditJUnit(report, { timestamp: '2026-11-26T00:00:00Z', seconds: 1.5, fileAttributes: true });
    expect(xmlText.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    // Every tag the document opens is one of these, and nothing from the receipt became markup.
    const els = elements(xmlText);
    expect(new Set(els.map((e) => e.name))).toEqual(new Set(['testsuites', 'testsuite', 'properties', 'property', 'testcase', 'failure']));
    // By default, nothing outside the Jenkins schema: the location is in the case's name.
    const plain = checkJUnit(renderAuditJUnit(report, { timestamp: '2026-11-26T00:00:00Z', seconds: 1.5 }));
    expect(plain.filter((e) => e.name === 'testcase' && e.attrs['name']!.startsWith('dir/')).map((e) => e.attrs['name']).sort()).toEqual([
      'dir/day 1,a:b.jsonl:2',
      'dir/day 1,a:b.jsonl:4 req_tok_a_4 buyer tok_a seq 4',
    ]);
    expect(xmlText).not.toContain('<x ');
    expect(xmlText.match(/<\/failure>/g)).toHaveLength(2);
    const suite = els.find((e) => e.name === 'testsuite')!.attrs;
    expect(suite).toMatchObject({ tests: '3', failures: '2', errors: '0', skipped: '0', time: '1.500', timestamp: '2026-11-26T00:00:00Z' });
    const cases = els.filter((e) => e.name === 'testcase').map((e) => e.attrs);
    // Lines: 1 seq 1, 2 the hostile line, 3 seq 2, 4 seq 4 (seq 3 is missing).
    expect(cases.filter((c) => c.file).map((c) => [c.classname, c.file, c.line]).sort()).toEqual([
      ['receipts.chain_gap', 'dir/day 1,a:b.jsonl', '4'],
      ['receipts.malformed', 'dir/day 1,a:b.jsonl', '2'],
    ]);
    expect(cases.find((c) => c.classname === 'receipts.chain')?.name).toBe(`chain tok_b: seq 1..3, 3 receipt(s), ${b.reduce((s, r) => s + Number(r.amount), 0)} micro-USD`);
  });

  it('findings beyond the list are one more failed case with the counts', async () => {
    const report = await auditStream(Array.from({ length: 7 }, () => '{'), { keys, maxIssues: 2 });
    const xmlText = renderAuditJUnit(report);
    checkJUnit(xmlText);
    expect(elements(xmlText).find((e) => e.name === 'testsuite')!.attrs).toMatchObject({ tests: '3', failures: '3' });
    expect(xmlText).toContain('5 more finding(s) not listed (all findings by reason: malformed: 7)');
  });

  it('an XML-illegal character or lone surrogate becomes U+FFFD', () => {
    const xmlText = renderAuditJUnit({ ok: false, issues: [{ reason: 'malformed', message: 'a\u0001b\ud800c&<>"\'' }], issues_omitted: 0, issues_by_reason: { malformed: 1 } });
    checkJUnit(xmlText);
    expect(xmlText).toContain('message="a\ufffdb\ufffdc&amp;&lt;&gt;&quot;&apos;"');
  });
});

describe('renderAuditGithub', () => {
  it('an ::error per finding with file, line and title; receipt text cannot start a command', async () => {
    const report = await failing();
    const out = renderAuditGithub(report);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const malformed = report.issues.find((i) => i.reason === 'malformed')!;
    expect(lines).toContain(`::error file=dir/day 1%2Ca%3Ab.jsonl,line=2,title=receipts%3A malformed (${malformed.field})::${malformed.message.replace(/%/g, '%25').replace(/\n/g, '%0A')}`);
    expect(lines.find((l) => l.includes('chain_gap'))).toMatch(/^::error file=dir\/day 1%2Ca%3Ab.jsonl,line=4,title=receipts%3A chain_gap \(seq\)::seq 3..3 missing before seq 4 \[.*buyer tok_a, seq 4\]$/);
    expect(lines[2]).toBe(`::notice title=receipts audit failed::9 receipt(s): 8 valid, 1 invalid, 0 duplicate(s); 2 chain(s); spend ${report.spend.total} micro-USD`);
    for (const line of lines) expect(line.startsWith('::')).toBe(true);
  });

  it('text that tries to end the command or start another is escaped', () => {
    const out = renderAuditGithub({
      ok: false, issues_omitted: 0, issues_by_reason: { malformed: 1 },
      issues: [{ reason: 'malformed', message: 'x\r\n::add-mask::y %0A', source: 'a\n::error::b,c:d', line: 3, request_id: 'r\n::stop-commands::t' }],
    });
    expect(out).toBe(
      '::error file=a%0A%3A%3Aerror%3A%3Ab%2Cc%3Ad,line=3,title=receipts%3A malformed::x%0D%0A::add-mask::y %250A [r%0A::stop-commands::t]\n' +
      '::notice title=receipts audit failed::1 finding(s)\n',
    );
  });

  it('caps the annotations and sums up the rest', async () => {
    const report = await auditStream(Array.from({ length: 30 }, () => '{'), { keys, maxIssues: 20 });
    const lines = renderAuditGithub(report, { maxAnnotations: 3 }).trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(3);
    expect(lines[3]).toBe('::warning title=receipts%3A more findings::27 more finding(s) not annotated; all findings by reason: malformed: 30');
  });
});
