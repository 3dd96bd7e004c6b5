// The SDK's version comes from one place: src/version.ts, which must say what package.json says
// (the User-Agent and the MCP clientInfo report it), and no other source file spells it out.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { VERSION } from '../src/version.js';

const sdkDir = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('VERSION is the version in package.json', () => {
  const pkg = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});

test('no source file but version.ts spells the version out', () => {
  const files = sourceFiles(join(sdkDir, 'src'));
  expect(files.length).toBeGreaterThan(50);
  const literal = new RegExp(`['"\`]${VERSION.replace(/\./g, '\\.')}['"\`]`);
  const spelled = files.filter((file) => literal.test(readFileSync(file, 'utf8'))).map((file) => file.slice(sdkDir.length + 1));
  expect(spelled).toEqual(['src/version.ts']);
});
