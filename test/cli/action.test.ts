// The reusable GitHub Action's script (action/receipts/run.sh) driving the built CLI, as a job
// would: the flags it passes exist and do what its README says (audit with a state, annotations
// and JUnit rendered from the JSON report, slices merged by a final job, verify, empty input).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainKit, interleaved } from '../../cli/test/helpers/chains.js';
import { assertBuilt, CLI_BIN } from './harness.js';

const script = fileURLToPath(new URL('../../action/receipts/run.sh', import.meta.url));
let work: string;
const kit = chainKit();

function job(env: Record<string, string>) {
  const runner = mkdtempSync(join(work, 'runner-'));
  const output = join(runner, 'output');
  const r = spawnSync('bash', [script, 'run'], {
    cwd: work,
    encoding: 'utf8',
    env: {
      PATH: `${join(work, 'bin')}:${process.env['PATH'] ?? ''}`,
      HOME: work,
      RUNNER_TEMP: runner,
      GITHUB_OUTPUT: output,
      PROXYGATE_CACHE_DIR: join(work, 'cache'),
      PROXYGATE_DATA_DIR: join(work, 'data'),
      PROXYGATE_CONFIG_DIR: join(work, 'config'),
      ...env,
    },
  });
  const outputs = existsSync(output)
    ? Object.fromEntries(readFileSync(output, 'utf8').trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    : {};
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs, runner };
}

beforeAll(() => {
  assertBuilt();
  work = mkdtempSync(join(tmpdir(), 'pg-action-cli-'));
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'proxygate'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_BIN)} "$@"\n`);
  chmodSync(join(work, 'bin', 'proxygate'), 0o755);
  mkdirSync(join(work, '.proxygate'));
  writeFileSync(join(work, '.proxygate', 'keys.json'), JSON.stringify(kit.keys));
  mkdirSync(join(work, 'receipts'));
  const all = interleaved(kit, 2, 20);
  writeFileSync(join(work, 'receipts', '2026-11-01.jsonl'), `${all.slice(0, 10).join('\n')}\n`);
  writeFileSync(join(work, 'receipts', '2026-11-02.jsonl'), `${all.slice(10).join('\n')}\n`);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('action/receipts/run.sh with the built CLI', { timeout: 120_000 }, () => {
  it('audit: JSON report, annotations and JUnit from it, the state written after a clean run; findings fail with exit code 1', () => {
    const env = { PG_COMMAND: 'audit', PG_RECEIPTS: 'receipts/**/*.jsonl', PG_KEYS: '.proxygate/keys.json', PG_STATE: '.proxygate/audit-state.json', PG_FORMAT: 'github' };
    const clean = job(env);
    expect(clean.status).toBe(0);
    expect(clean.outputs).toMatchObject({ 'exit-code': '0', ok: 'true' });
    const report = JSON.parse(readFileSync(clean.outputs['report']!, 'utf8'));
    expect(report).toMatchObject({ format: 'proxygate-audit-report', ok: true, counts: { receipts: 20 } });
    expect(clean.stdout).toMatch(/^::notice title=receipts audit passed::20 receipt\(s\): 20 valid, 0 invalid/m);
    expect(readFileSync(clean.outputs['junit']!, 'utf8')).toMatch(/<testsuites name="proxygate receipts audit" tests="2" failures="0" /);
    expect(JSON.parse(readFileSync(join(work, '.proxygate', 'audit-state.json'), 'utf8'))).toMatchObject({ audits: 1 });

    // A receipt audited in that run was altered since: the next run fails, the place annotated.
    // (Audited receipts are re-linked, not verified again: the break shows at the next one's prev.)
    const day2 = join(work, 'receipts', '2026-11-02.jsonl');
    const original = readFileSync(day2, 'utf8');
    try {
      writeFileSync(day2, original.replace(/"amount":"(\d+)"/, '"amount":"1"'));
      const bad = job(env);
      expect(bad.status).toBe(0);
      expect(bad.outputs).toMatchObject({ 'exit-code': '1', ok: 'false' });
      expect(bad.stdout).toMatch(/^::error file=receipts\/2026-11-02\.jsonl,line=3,title=receipts%3A chain_fork \(prev\)::prev does not hash the receipt with seq 6 \(audited before: altered since\?\)/m);
      expect(readFileSync(bad.outputs['junit']!, 'utf8')).toContain('<testcase classname="receipts.chain_fork" name="receipts/2026-11-02.jsonl:3');
      expect(JSON.parse(readFileSync(join(work, '.proxygate', 'audit-state.json'), 'utf8'))).toMatchObject({ audits: 1 });
    } finally {
      writeFileSync(day2, original);
    }
  });

  it('a matrix of slices, then a merge job that checks the seams and saves the state', () => {
    const state = join(work, 'merge-state.json');
    for (const day of ['01', '02']) {
      const slice = job({
        PG_COMMAND: 'audit', PG_RECEIPTS: `receipts/2026-11-${day}.jsonl`, PG_KEYS: '.proxygate/keys.json', PG_STATE: state,
        PG_ARGS: '--slice', PG_RENDER: 'false', PG_FORMAT: 'json', PG_ARTIFACT_NAME: `proxygate-part-${day}`,
      });
      expect(slice.outputs, `${day}: ${slice.stderr}`).toMatchObject({ 'exit-code': '0' });
      mkdirSync(join(work, 'parts'), { recursive: true });
      writeFileSync(join(work, 'parts', `part-${day}.json`), readFileSync(slice.outputs['report']!));
    }
    expect(existsSync(state)).toBe(false);
    const merge = job({ PG_COMMAND: 'merge', PG_PARTS: 'parts/*.json', PG_KEYS: '.proxygate/keys.json', PG_STATE: state, PG_FORMAT: 'text' });
    expect(merge.outputs).toMatchObject({ 'exit-code': '0', ok: 'true' });
    expect(merge.stdout).toContain('audit (merge of 2 part(s)): 2 chain(s)');
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ audits: 1, chains: [{ tail: { seq: 10 } }, { tail: { seq: 10 } }] });
  });

  it('verify in a format of its own; no input at all passes only with allow-empty', () => {
    const verify = job({ PG_COMMAND: 'verify', PG_RECEIPTS: 'receipts/*.jsonl', PG_KEYS: '.proxygate/keys.json', PG_FORMAT: 'junit' });
    expect(verify.outputs['exit-code'], verify.stderr).toBe('0');
    expect(readFileSync(verify.outputs['report']!, 'utf8')).toMatch(/<testsuites name="proxygate receipts verify" tests="0" failures="0" /);
    const allowed = job({ PG_COMMAND: 'audit', PG_RECEIPTS: '', PG_KEYS: '.proxygate/keys.json', PG_ALLOW_EMPTY: 'true', PG_FORMAT: 'json' });
    expect(allowed.outputs).toMatchObject({ 'exit-code': '0', ok: 'true' });
    writeFileSync(join(work, 'receipts-empty.jsonl'), '');
    const empty = job({ PG_COMMAND: 'audit', PG_RECEIPTS: 'receipts-empty.jsonl', PG_KEYS: '.proxygate/keys.json', PG_FORMAT: 'github' });
    expect(empty.outputs).toMatchObject({ 'exit-code': '1', ok: 'false' });
  });
});
