// The SDK's folders depend one way (AGENTS.md): internal/ holds private helpers that core/ builds
// on, so nothing in internal/ may import core/ (not even a type): what internal needs lives in
// internal/ (errors.ts) or below.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const src = join(import.meta.dirname, '..', 'src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

describe('layering', () => {
  test('internal/ imports nothing from core/', () => {
    const files = readdirSync(join(src, 'internal')).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const offending = files.flatMap((name) =>
      importsOf(join(src, 'internal', name))
        .filter((specifier) => /(^|\/)core\//.test(specifier))
        .map((specifier) => `${name} -> ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  test('the import scan sees imports of every form', () => {
    // Guards the scan itself: a regex that matched nothing would pass the check above vacuously.
    const paidCall = importsOf(join(src, 'internal', 'paid-call.ts'));
    expect(paidCall).toContain('./errors.js');
    const client = importsOf(join(src, 'core', 'client.ts'));
    expect(client.some((specifier) => specifier.startsWith('../internal/'))).toBe(true);
  });
});
