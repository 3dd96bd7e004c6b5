// The reusable GitHub Action (action/receipts): its metadata, and its script run against a
// stand-in `proxygate` that records how it is called.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';

const actionDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../action/receipts');
const action = yaml.load(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as {
  name: string; description: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: { name?: string; id?: string; if?: string; uses?: string; run?: string; shell?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
};
const script = readFileSync(join(actionDir, 'run.sh'), 'utf8');

describe('action.yml', () => {
  it('is a composite action whose every input is described and every expression names a declared input', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.name).toBeTruthy();
    expect(Object.keys(action.inputs).length).toBeGreaterThan(0);
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
    const text = readFileSync(join(actionDir, 'action.yml'), 'utf8');
    const used = new Set([...text.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(Object.keys(action.inputs), name).toContain(name);
  });

  it('never splices an input into a script: run steps read them from env', () => {
    const runSteps = action.runs.steps.filter((step) => step.run !== undefined);
    expect(runSteps.length).toBeGreaterThan(0);
    for (const step of runSteps) {
      expect(step.shell, step.name).toBe('bash');
      expect(step.run, step.name).not.toMatch(/\$\{\{/);
    }
  });

  it('pins the actions it uses to a major version; restores and saves the state under one key', () => {
    const uses = action.runs.steps.filter((s) => s.uses).map((s) => s.uses!);
    expect(uses).toEqual(['actions/setup-node@v4', 'actions/cache/restore@v4', 'actions/download-artifact@v4', 'actions/cache/save@v4', 'actions/upload-artifact@v4']);
    const restore = action.runs.steps.find((s) => s.uses === 'actions/cache/restore@v4')!;
    const save = action.runs.steps.find((s) => s.uses === 'actions/cache/save@v4')!;
    expect(save.with!['key']).toBe(restore.with!['key']);
    expect(restore.with!['restore-keys']).toBe('${{ inputs.state-key }}-');
    // The state is saved only after a clean run, and never by verify (it has none).
    expect(save.if).toContain("steps.run.outputs.ok == 'true'");
    expect(save.if).toContain("inputs.command != 'verify'");
  });

  it('its outputs are the ones run.sh writes', () => {
    expect(Object.keys(action.outputs).length).toBeGreaterThan(0);
    for (const [name, out] of Object.entries(action.outputs)) {
      expect(out.value).toBe(`\${{ steps.run.outputs.${name} }}`);
      expect(script).toContain(`output ${name} `);
    }
    const envNames = new Set(Object.keys(action.runs.steps.find((s) => s.id === 'run')!.env!));
    const read = [...script.matchAll(/\$\{?(PG_[A-Z_]+)/g)].map((m) => m[1]!).filter((name) => name !== 'PG_CLI_VERSION' && name !== 'PG_EXIT');
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(envNames, name).toContain(name);
  });
});

describe('run.sh', () => {
  const work = mkdtempSync(join(tmpdir(), 'pg-action-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  // The stand-in CLI: logs its arguments one per line, answers JSON for --format json.
  writeFileSync(join(bin, 'proxygate'), `#!/usr/bin/env bash
{ printf '%s\\n' "$@"; echo '--'; } >> "$PG_FAKE_LOG"
for a in "$@"; do [[ "$a" == json ]] && echo '{"ok":true,"counts":{"receipts":3,"valid":3,"invalid":0,"duplicates":0},"chains":[],"spend":{"total":"7"},"issues_by_reason":{}}'; done
for a in "$@"; do [[ "$a" == github ]] && echo '::notice::fake'; done
exit "\${PG_FAKE_EXIT:-0}"
`);
  chmodSync(join(bin, 'proxygate'), 0o755);
  mkdirSync(join(work, 'receipts/2026'), { recursive: true });
  for (const f of ['receipts/2026/day1.jsonl', 'receipts/2026/day2.jsonl', 'parts/p1.json', 'parts/p2.json']) {
    mkdirSync(dirname(join(work, f)), { recursive: true });
    writeFileSync(join(work, f), '');
  }

  function runScript(step: 'install' | 'run', env: Record<string, string>) {
    const runner = mkdtempSync(join(work, 'runner-'));
    const files = { log: join(runner, 'calls.log'), output: join(runner, 'output'), summary: join(runner, 'summary'), path: join(runner, 'path') };
    writeFileSync(files.log, '');
    const result = spawnSync('bash', [join(actionDir, 'run.sh'), step], {
      cwd: work, encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env['PATH']}`, RUNNER_TEMP: runner, GITHUB_OUTPUT: files.output, GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_PATH: files.path, PG_FAKE_LOG: files.log, ...env,
      },
    });
    const calls = readFileSync(files.log, 'utf8').split('--\n').filter(Boolean).map((c) => c.trimEnd().split('\n'));
    const outputs = existsSync(files.output)
      ? Object.fromEntries(readFileSync(files.output, 'utf8').trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
      : {};
    return { result, calls, outputs, runner, files };
  }

  it('audit: expands globs, pins keys, passes the state, writes the JSON report and renders JUnit and annotations from it', () => {
    const { result, calls, outputs, runner, files } = runScript('run', {
      PG_COMMAND: 'audit', PG_RECEIPTS: 'receipts/**/*.jsonl', PG_KEYS: 'keys.json', PG_PINS: ' platform=AbC \n\nreceipt-ca=XyZ\n',
      PG_STATE: '.proxygate/state.json', PG_FORMAT: 'github', PG_ARGS: '--slice --head head.json', PG_ARTIFACT_NAME: 'part-1',
    });
    expect(result.status).toBe(0);
    const json = join(runner, 'proxygate-receipts/part-1.json');
    expect(calls).toEqual([
      ['receipts', 'audit', 'receipts/2026/day1.jsonl', 'receipts/2026/day2.jsonl', '--keys', 'keys.json', '--pin', 'platform=AbC', '--pin', 'receipt-ca=XyZ', '--state', '.proxygate/state.json', '--format', 'json', '--slice', '--head', 'head.json'],
      ['receipts', 'audit', 'merge', json, '--keys', 'keys.json', '--pin', 'platform=AbC', '--pin', 'receipt-ca=XyZ', '--format', 'junit'],
      ['receipts', 'audit', 'merge', json, '--keys', 'keys.json', '--pin', 'platform=AbC', '--pin', 'receipt-ca=XyZ', '--format', 'github'],
    ]);
    expect(outputs).toEqual({ 'report-dir': join(runner, 'proxygate-receipts'), report: json, junit: join(runner, 'proxygate-receipts/junit.xml'), 'exit-code': '0', ok: 'true' });
    expect(result.stdout).toContain('::notice::fake');
    expect(readFileSync(files.summary, 'utf8')).toContain('| 3 | 3 | 0 | 0 | 0 | 7 |');
  });

  it('findings: the script still exits 0 and hands the CLI\u2019s exit code on (state not saved, report uploaded)', () => {
    const { result, outputs } = runScript('run', { PG_COMMAND: 'audit', PG_RECEIPTS: 'receipts/2026/day1.jsonl', PG_FAKE_EXIT: '1', PG_RENDER: 'false' });
    expect(result.status).toBe(0);
    expect(outputs).toMatchObject({ 'exit-code': '1', ok: 'false' });
  });

  it('merge: downloaded parts and listed parts, with the state', () => {
    const { calls, outputs } = runScript('run', { PG_COMMAND: 'merge', PG_PARTS: 'parts/p1.json', PG_DOWNLOADED_PARTS: join(work, 'parts'), PG_STATE: 's.json', PG_FORMAT: 'json', PG_RENDER: 'false' });
    expect(calls).toEqual([['receipts', 'audit', 'merge', 'parts/p1.json', join(work, 'parts/p1.json'), join(work, 'parts/p2.json'), '--state', 's.json', '--format', 'json']]);
    expect(outputs['exit-code']).toBe('0');
  });

  it('verify: one run in the chosen format, no state', () => {
    const { calls, outputs, runner } = runScript('run', { PG_COMMAND: 'verify', PG_RECEIPTS: 'receipts/2026/day2.jsonl', PG_STATE: 's.json', PG_FORMAT: 'junit' });
    expect(calls).toEqual([['receipts', 'verify', 'receipts/2026/day2.jsonl', '--format', 'junit']]);
    expect(outputs['report']).toBe(join(runner, 'proxygate-receipts/proxygate-receipts-report.xml'));
  });

  it('a glob that matches nothing is a usage error (exit code 2), never stdin; empty input passes only when allowed', () => {
    const missing = runScript('run', { PG_COMMAND: 'audit', PG_RECEIPTS: 'receipts/none-*.jsonl' });
    expect(missing.calls).toEqual([]);
    expect(missing.outputs).toMatchObject({ 'exit-code': '2', ok: 'false' });
    const empty = runScript('run', { PG_COMMAND: 'audit', PG_RECEIPTS: '' });
    expect(empty.calls).toEqual([]);
    expect(empty.outputs['exit-code']).toBe('2');
    const allowed = runScript('run', { PG_COMMAND: 'audit', PG_RECEIPTS: '', PG_ALLOW_EMPTY: 'true', PG_RENDER: 'false' });
    expect(allowed.calls).toEqual([['receipts', 'audit', '--format', 'json', '--allow-empty']]);
  });

  it('inputs are data: command substitutions in them are never run; bad values are refused', () => {
    const marker = join(work, 'pwned');
    const { calls } = runScript('run', { PG_COMMAND: 'audit', PG_RECEIPTS: 'receipts/2026/day1.jsonl', PG_ARGS: `$(touch ${marker}) \`touch ${marker}\``, PG_PINS: `x=$(touch ${marker})`, PG_RENDER: 'false' });
    expect(existsSync(marker)).toBe(false);
    expect(calls[0]).toContain(`x=$(touch ${marker})`);
    expect(runScript('run', { PG_COMMAND: 'rm -rf' }).result.status).toBe(2);
    expect(runScript('run', { PG_FORMAT: 'xml' }).result.status).toBe(2);
    expect(runScript('run', { PG_ARTIFACT_NAME: '../x' }).result.status).toBe(2);
    const install = runScript('install', { PG_CLI_VERSION: '1.0.0; curl evil' });
    expect(install.result.status).toBe(2);
    expect(install.result.stdout).toContain("cli-version must be a version or a dist-tag");
  });
});
