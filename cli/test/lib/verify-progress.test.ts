import { describe, expect, it } from 'vitest';
import { durationText, progressText, verifyProgress } from '../../src/lib/verify-progress.js';

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

  it('a long run shows its rate and, when the input size is known, the share done and an ETA', () => {
    const c = clock();
    const written: string[] = [];
    const p = verifyProgress({ label: 'auditing', totalBytes: 4_000_000, now: c.now, enabled: () => true, write: (t) => written.push(t) });
    c.advance(2_000);
    p.tick(20_000, 1_000_000);
    c.advance(2_000);
    p.tick(40_000, 2_000_000);
    p.stop();
    // 1 MB in 2 s: 3 MB left is 6 s; then 2 MB in 4 s: 2 MB left is 4 s. The shorter line is padded over the longer.
    expect(written).toEqual([
      '\rauditing: 20,000 receipts, 10,000/s, 25% (ETA 6s)',
      '\rauditing: 40,000 receipts, 10,000/s, 50% (ETA 4s)',
      '\r\u001B[2K',
    ]);
    expect(progressText('verifying', 5, 999, 10, 100)).toBe('verifying: 5 receipts');
    expect([durationText(59_400), durationText(185_000), durationText(3_725_000)]).toEqual(['59s', '3m 05s', '1h 02m']);
  });
});
