// The drift check CI relies on (`npm run check:generated -w @proxygate-kit/sdk`): it passes on the
// committed file and fails, with a message saying what to do, when the file or the spec changed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specPath } from './openapi-doc.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../sdk/scripts/generate.mjs', import.meta.url));
const committedPath = fileURLToPath(new URL('../../sdk/src/generated/openapi.ts', import.meta.url));

async function generateScript(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proxygate-generate-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Each case starts Node and openapi-typescript (seconds on a shared 2-core machine).
describe('sdk/scripts/generate.mjs', { timeout: 120_000 }, () => {
  it('--check passes on the committed file', async () => {
    const result = await generateScript('--check');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('sdk/src/generated/openapi.ts is up to date with spec/openapi.yaml');
    expect(result.code).toBe(0);
  });

  it('--check fails on an edited generated file and names the first differing line', async () => {
    const lines = (await readFile(committedPath, 'utf8')).split('\n');
    lines[10] = `${lines[10]} // hand edit`;
    const edited = join(dir, 'edited.ts');
    await writeFile(edited, lines.join('\n'));
    const result = await generateScript('--check', '--out', edited);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is out of date with spec/openapi.yaml (first difference at line 11)');
    expect(result.stderr).toContain('Run `npm run generate` and commit the result.');
  });

  it('--check fails when the file is missing', async () => {
    const result = await generateScript('--check', '--out', join(dir, 'missing.ts'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('(the file is missing)');
  });

  it('--check fails when the spec changed but the types were not regenerated', async () => {
    const spec = await readFile(specPath, 'utf8');
    expect(spec).toContain('summary: Account balance'); // else the edit below would change nothing
    const changed = join(dir, 'changed.yaml');
    await writeFile(changed, spec.replace('summary: Account balance', 'summary: Account balance (changed)'));
    const result = await generateScript('--check', '--spec', changed);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is out of date');
  });

  it('writes the stamped file deterministically, and CRLF specs generate the same types', async () => {
    const spec = await readFile(specPath, 'utf8');
    const out = join(dir, 'out.ts');
    expect((await generateScript('--out', out)).code).toBe(0);
    const first = await readFile(out, 'utf8');
    expect(first).toBe(await readFile(committedPath, 'utf8'));
    const crlf = join(dir, 'crlf.yaml');
    await writeFile(crlf, spec.replace(/\n/g, '\r\n'));
    const crlfOut = join(dir, 'crlf.ts');
    expect((await generateScript('--spec', crlf, '--out', crlfOut)).code).toBe(0);
    expect(await readFile(crlfOut, 'utf8')).toBe(first);
  });
});
