// Linters on the real tarballs (packed once, offline): publint (strict, every level) on each
// package, and @arethetypeswrong on each library. The packages are ESM-only by design, so attw's
// esm-only profile applies: node10 and require() are out of scope; node16 (from ESM) and bundler
// resolution must be clean.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll, type PackedPackage } from './packed-files.js';
import { PACKAGES, type PackageName } from './paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'pgk-lint-'));
let packed: Map<PackageName, PackedPackage>;
beforeAll(() => {
  packed = packAll(tmp);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tarballOf(name: PackageName): string {
  const tarball = packed.get(name)?.tarball;
  if (!tarball) throw new Error(`npm pack wrote no tarball for ${name}`);
  return tarball;
}

/** Lints a tarball (publint sees exactly what npm would publish) or, with `pkgDir`, a directory as is. */
async function publintReport(source: { tarball: ArrayBuffer } | { pkgDir: string }): Promise<{ name: unknown; report: string[] }> {
  const where = 'tarball' in source ? { pack: source } : { pkgDir: source.pkgDir, pack: false as const };
  const { messages, pkg } = await publint({ ...where, level: 'suggestion', strict: true });
  return { name: pkg['name'], report: messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? ''}`) };
}

describe('publint', () => {
  it.each(Object.keys(PACKAGES) as PackageName[])('%s has no publint message', async (name) => {
    const bytes = readFileSync(tarballOf(name));
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(await publintReport({ tarball })).toEqual({ name, report: [] });
  }, 30_000);

  it('reports a broken package (the harness surfaces its messages)', async () => {
    const dir = join(tmp, 'broken');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist/index.js'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: 'broken', version: '1.0.0', type: 'module',
      exports: { '.': { default: './dist/index.js', types: './dist/index.d.ts' } },
    }));
    const { report } = await publintReport({ pkgDir: dir });
    expect(report.some((line) => line.includes('EXPORTS_TYPES_SHOULD_BE_FIRST'))).toBe(true);
    expect(report.some((line) => line.includes('FILE_DOES_NOT_EXIST'))).toBe(true);
  });
});

const run = promisify(execFile);
const attw = join(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json'), '../dist/index.js');
const LIBRARIES = ['@proxygate-kit/sdk', '@proxygate-kit/server-mock'] as const;
const IN_SCOPE = new Set(['node16-esm', 'bundler']);

interface AttwProblem { kind: string; entrypoint?: string; resolutionKind?: string }
interface AttwResult {
  analysis: { types: unknown; entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
  problems?: Record<string, AttwProblem[]>;
}

async function attwOn(tarball: string): Promise<{ exitCode: number; result: AttwResult }> {
  try {
    const out = await run(process.execPath, [attw, tarball, '--profile', 'esm-only', '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
    return { exitCode: 0, result: JSON.parse(out.stdout) as AttwResult };
  } catch (error) {
    const { code, stdout } = error as { code?: number; stdout?: string };
    return { exitCode: typeof code === 'number' ? code : -1, result: JSON.parse(stdout || '{}') as AttwResult };
  }
}

describe('are the types wrong', () => {
  it.each(LIBRARIES)('%s: every entry resolves to its types under node16 (ESM) and bundlers, no problem', async (name) => {
    const { exitCode, result } = await attwOn(tarballOf(name));
    const problems = Object.values(result.problems ?? {}).flat()
      .filter((p) => p.resolutionKind === undefined || IN_SCOPE.has(p.resolutionKind));
    expect(problems).toEqual([]);
    expect(exitCode).toBe(0);
    expect(result.analysis.types).toEqual({ kind: 'included' });
    const exportsMap = (packed.get(name)?.manifest.exports ?? {}) as Record<string, unknown>;
    expect(Object.keys(result.analysis.entrypoints).sort()).toEqual(Object.keys(exportsMap).sort());
    for (const [subpath, entry] of Object.entries(result.analysis.entrypoints)) {
      if (subpath === './package.json') continue;
      for (const kind of IN_SCOPE) expect(entry.resolutions[kind]?.resolution?.fileName, `${subpath} ${kind}`).toMatch(/\/dist\/.+\.d\.ts$/);
    }
  }, 60_000);
});
