// `call --batch` exits with the worst exit code of its lines, by a fixed rank.
import { describe, expect, it } from 'vitest';
import { worseExit, WORST_FIRST } from '../../../src/lib/batch/exit-order.js';

describe('the worst exit code of a batch', () => {
  it('ranks 130 > 6 > 1 > 4 > 3 > 2 > 5 > 0', () => {
    expect(WORST_FIRST).toEqual([130, 6, 1, 4, 3, 2, 5, 0]);
    expect([0, 5, 2, 3, 4, 1, 6, 130].reduce(worseExit, 0)).toBe(130);
    expect([5, 2, 0].reduce(worseExit, 0)).toBe(2);
    expect([2, 1, 5].reduce(worseExit, 0)).toBe(1);
    expect([0, 5].reduce(worseExit, 0)).toBe(5);
  });
});
