// Hints and examples name dates relative to now: a fixed date reads as stale (or as the future) to
// whoever runs the CLI a year later.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { usageBound } from '../../src/lib/receipts-audit.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const DATE = /\b20\d\d-\d\d-\d\d/;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []))));
  return nested.flat();
}

describe('dates in hints', () => {
  afterEach(() => vi.useRealTimers());

  it('receipts audit --usage-from/--usage-to: the example is today, whatever today is', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2031-05-06T12:00:00Z') });
    for (const flag of ['from', 'to'] as const) {
      let thrown: unknown;
      try {
        usageBound(flag, 'last week');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ exitCode: 2, message: `--usage-${flag} is not a date: "last week"` });
      const action = (thrown as { action: string }).action;
      expect(action).toBe('use RFC 3339, e.g. 2031-05-06T00:00:00Z, or a date like 2031-05-06');
    }
    expect(usageBound('to', '2031-05-01')).toBe('2031-05-01T23:59:59.999Z');
  });

  it('no string in the CLI sources carries a fixed date (comments may)', async () => {
    const dated: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
        if (DATE.test(code.replace(/\/\/.*$/, ''))) dated.push(`${file.slice(SRC.length + 1)}:${i + 1}: ${code}`);
      });
    }
    expect(dated).toEqual([]);
  });
});
