import { describe, expect, it } from 'vitest';
import { verifyProgress } from '../src/lib/verify-progress.js';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('receipts verify progress', () => {
  it('says nothing, and does not even ask about the terminal, in a short run', () => {
    const c = clock();
    const written: string[] = [];
    let asked = 0;
    const p = verifyProgress({ now: c.now, enabled: () => (asked++, true), write: (t) => written.push(t) });
    for (let i = 1; i <= 1000; i++) p.tick(i);
    c.advance(299);
    p.tick(1001);
    p.stop();
    expect(asked).toBe(0);
    expect(written).toEqual([]);
  });

  it('on a terminal, shows the count at most every 100 ms after 300 ms, and clears the line at the end', () => {
    const c = clock();
    const written: string[] = [];
    const p = verifyProgress({ now: c.now, enabled: () => true, write: (t) => written.push(t) });
    c.advance(300);
    p.tick(12_345);
    c.advance(50);
    p.tick(12_400);
    c.advance(50);
    p.tick(20_000);
    p.stop();
    expect(written).toEqual(['\rverifying: 12,345 receipts', '\rverifying: 20,000 receipts', '\r\u001B[2K']);
  });

  it('asks once; without a terminal (or with CI set) it stays silent', () => {
    const c = clock();
    const written: string[] = [];
    let asked = 0;
    const p = verifyProgress({ now: c.now, enabled: () => (asked++, false), write: (t) => written.push(t) });
    for (let i = 0; i < 10; i++) {
      c.advance(400);
      p.tick(i);
    }
    p.stop();
    expect(asked).toBe(1);
    expect(written).toEqual([]);
  });
});
