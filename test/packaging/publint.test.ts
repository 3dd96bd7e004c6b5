// publint on each package as npm would pack it: no errors, warnings or suggestions (strict).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, it } from 'vitest';
import { PACKAGES, type PackageName } from './paths.js';

async function publintReport(pkgDir: string, pack: 'npm' | false): Promise<string[]> {
  const { messages, pkg } = await publint({ pkgDir, level: 'suggestion', strict: true, pack });
  return messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? ''}`);
}

describe('publint', () => {
  it.each(Object.keys(PACKAGES) as PackageName[])('%s has no publint message', async (name) => {
    expect(await publintReport(PACKAGES[name], 'npm')).toEqual([]);
  }, 30_000);

  it('reports a broken package (the harness surfaces its messages)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgk-publint-'));
    try {
      mkdirSync(join(dir, 'dist'));
      writeFileSync(join(dir, 'dist/index.js'), 'export const x = 1;\n');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({
        name: 'broken', version: '1.0.0', type: 'module',
        exports: { '.': { default: './dist/index.js', types: './dist/index.d.ts' } },
      }));
      const report = await publintReport(dir, false);
      expect(report.some((line) => line.includes('EXPORTS_TYPES_SHOULD_BE_FIRST'))).toBe(true);
      expect(report.some((line) => line.includes('FILE_DOES_NOT_EXIST'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
