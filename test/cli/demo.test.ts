// `npm run demo` (scripts/demo.mjs, against its embedded mock): it runs to the end, its catalog shows
// every listing the later steps call, and what those calls cost is the "with shield" price it listed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertBuilt } from './harness.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${repo}scripts/demo.mjs`], { cwd: repo, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the demo', { timeout: 60_000 }, () => {
  it('lists each listing it later calls with its price and its price with the shield, and is charged that', async () => {
    assertBuilt();
    const r = await runDemo();
    expect(r.code, r.stderr).toBe(0);
    // "  seller/slug  service  $price  $with-shield  id  <- step N"
    const rows = new Map(
      [...r.stdout.matchAll(/^ {2}(\S+\/\S+) +\S+ +(\$[\d.]+|free) +(\$[\d.]+) +[0-9a-f-]{36}(?: +<- (.+))?$/gm)].map((m) => [m[1]!, { price: m[2]!, withShield: m[3]!, usedIn: m[4] }]),
    );
    expect([...rows.values()].filter((row) => row.usedIn).length).toBe(2);
    const weather = rows.get('skycast/weather-current');
    const reviews = rows.get('shadyco/product-reviews');
    expect(weather).toMatchObject({ price: '$0.00105', withShield: '$0.00605', usedIn: 'steps 2-4' });
    expect(reviews?.usedIn).toBe('step 5');
    // What the calls were charged (from their receipts) is the "with shield" price listed in step 1.
    expect(r.stdout).toMatch(new RegExp(`^ {2}cost \\${weather!.withShield} \\(`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ {2}monitor: flagged, .*; cost \\${reviews!.withShield} `, 'm'));
    expect(r.stdout).toMatch(/^ {2}2 valid, 0 invalid$/m);
  });
});
