import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  formatScore,
  parseFlags,
  parseScoreBp,
  parseShieldHeaders,
  shieldFromEvent,
  shieldFromSigned,
  shieldMismatch,
} from '../../src/shield/index.js';

describe('shield verdict parsing', () => {
  test('score decimals become basis points without float rounding', () => {
    expect(parseScoreBp('0.00')).toBe(0);
    expect(parseScoreBp('0.73')).toBe(7300);
    expect(parseScoreBp('0.7')).toBe(7000);
    expect(parseScoreBp('1.00')).toBe(10_000);
    expect(parseScoreBp('0.0123')).toBe(123);
    expect(parseScoreBp('1.01')).toBeUndefined();
    expect(parseScoreBp('-0.1')).toBeUndefined();
    expect(parseScoreBp('NaN')).toBeUndefined();
    expect(parseScoreBp('0.12345')).toBeUndefined();
  });

  test('property: formatScore then parse is the score truncated to hundredths', () => {
    expect(formatScore(6999)).toBe('0.69');
    expect(formatScore(10_000)).toBe('1.00');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (bp) => {
        const back = parseScoreBp(formatScore(bp));
        expect(back).toBe(Math.floor(bp / 100) * 100);
      }),
    );
  });

  test('the applied mode is read as either spelling: the public gateway writes "monitored", others "monitor"', () => {
    for (const spelling of ['monitored', 'monitor', 'Monitored ']) {
      const headers = new Headers({ 'x-proxygate-shield': spelling, 'x-proxygate-shield-score': '0.20', 'x-proxygate-shield-flags': 'suspicious_link' });
      expect(parseShieldHeaders(headers), spelling).toMatchObject({ mode: 'monitor', scoreBp: 2000, flags: ['suspicious_link'], action: 'flagged', source: 'headers' });
    }
    expect(parseShieldHeaders(new Headers({ 'x-proxygate-shield': 'monitoring' }))).toBeNull();
    expect(shieldFromEvent({ mode: 'monitored', score: '0.10', flags: 'none' })).toMatchObject({ mode: 'monitor', action: 'allowed' });
  });

  test('flags: comma list, "none" and blanks', () => {
    expect(parseFlags('none')).toEqual([]);
    expect(parseFlags(null)).toEqual([]);
    expect(parseFlags('prompt_injection, secret_leak')).toEqual(['prompt_injection', 'secret_leak']);
    expect(parseFlags(' ,suspicious_link,')).toEqual(['suspicious_link']);
  });

  test('headers give a typed verdict; the action is inferred when the gateway omits it', () => {
    const headers = new Headers({
      'x-proxygate-shield': 'monitor',
      'x-proxygate-shield-score': '0.82',
      'x-proxygate-shield-flags': 'prompt_injection,hidden_instructions',
    });
    expect(parseShieldHeaders(headers)).toEqual({
      mode: 'monitor',
      scoreBp: 8200,
      score: 0.82,
      flags: ['prompt_injection', 'hidden_instructions'],
      action: 'flagged',
      source: 'headers',
    });
    headers.set('x-proxygate-shield-action', 'blocked');
    expect(parseShieldHeaders(headers)?.action).toBe('blocked');
    expect(parseShieldHeaders(new Headers({ 'x-proxygate-shield-flags': 'none' }))).toBeNull();
    expect(parseShieldHeaders(new Headers({ 'x-proxygate-shield': 'paranoid' }))).toBeNull();
    expect(parseShieldHeaders(new Headers({ 'x-proxygate-shield': 'off' }))).toMatchObject({
      mode: 'off',
      action: 'allowed',
      flags: [],
    });
  });

  test('signed receipt shield is validated strictly', () => {
    const signed = { mode: 'strict', score_bp: 9100, flags: ['secret_leak'], action: 'blocked' };
    expect(shieldFromSigned(signed)).toMatchObject({ mode: 'strict', scoreBp: 9100, source: 'receipt' });
    expect(shieldFromSigned({ ...signed, score_bp: 0.5 })).toBeNull();
    expect(shieldFromSigned({ ...signed, score_bp: 10_001 })).toBeNull();
    expect(shieldFromSigned({ ...signed, action: 'maybe' })).toBeNull();
    expect(shieldFromSigned({ ...signed, flags: [1] })).toBeNull();
  });

  test('SSE shield object accepts a decimal score or basis points', () => {
    expect(shieldFromEvent({ mode: 'monitor', score: 0.4, flags: [], action: 'allowed' })?.scoreBp).toBe(4000);
    expect(shieldFromEvent({ mode: 'monitor', score_bp: 4100, flags: 'none' })?.scoreBp).toBe(4100);
    expect(shieldFromEvent({ mode: 'nope' })).toBeNull();
  });

  test('mismatch: agreeing header values pass, any changed field is named', () => {
    const signed = shieldFromSigned({ mode: 'monitor', score_bp: 8249, flags: ['a', 'b'], action: 'flagged' });
    const header = parseShieldHeaders(
      new Headers({
        'x-proxygate-shield': 'monitor',
        'x-proxygate-shield-score': '0.82',
        'x-proxygate-shield-flags': 'b,a',
        'x-proxygate-shield-action': 'flagged',
      }),
    );
    if (!signed || !header) throw new Error('fixture');
    expect(shieldMismatch(header, signed)).toBeNull();
    expect(shieldMismatch({ ...header, scoreBp: 8300 }, { ...signed, scoreBp: 8299 })).toBeNull(); // rounded
    expect(shieldMismatch({ ...header, scoreBp: 8200 }, { ...signed, scoreBp: 8299 })).toBeNull(); // truncated
    expect(shieldMismatch({ ...header, scoreBp: 8100 }, { ...signed, scoreBp: 8299 })).toMatch(/score/);
    expect(shieldMismatch({ ...header, scoreBp: 8250 }, signed)).toMatch(/score/); // finer but different
    expect(shieldMismatch({ ...header, scoreBp: 1000 }, signed)).toMatch(/score 0.10 != 0.82/);
    expect(shieldMismatch({ ...header, flags: [] }, signed)).toMatch(/flags/);
    expect(shieldMismatch({ ...header, action: 'allowed' }, signed)).toMatch(/action/);
    expect(shieldMismatch({ ...header, mode: 'off' }, signed)).toMatch(/mode/);
  });
});
