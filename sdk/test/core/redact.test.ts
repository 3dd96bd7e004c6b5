import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { redactText } from '@proxygate-kit/sdk';

const base62 = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), minLength: 32, maxLength: 32 });
const b64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 8, maxLength: 60 });
const apiKey = base62.map((s) => `pg_live_${s}`);
const delegation = fc.tuple(b64url, b64url, b64url).map(([h, p, s]) => `pg_del_${h}.${p}.${s}`);

describe('redactText', () => {
  test('removes any API key or delegation JWT embedded in arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(apiKey, delegation), fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (token, before, after) => {
        const out = redactText(`${before}${token}${after}`);
        expect(out).not.toContain(token);
        expect(out).toContain('[REDACTED]');
      }),
    );
  });

  test('removes bearer credentials of any shape and explicitly known secrets', () => {
    expect(redactText('authorization: Bearer abc.def-ghi')).toBe('authorization: Bearer [REDACTED]');
    expect(redactText('key=k-123456789 done', ['k-123456789'])).toBe('key=[REDACTED] done');
    expect(redactText('plain words stay')).toBe('plain words stay');
    // The gateway's own how-to text keeps its placeholder intact; a real credential there does not.
    expect(redactText('Present a valid token as `Authorization: Bearer <token>`.')).toBe('Present a valid token as `Authorization: Bearer <token>`.');
    expect(redactText('Authorization: Bearer <token>abc123')).toBe('Authorization: Bearer [REDACTED]');
  });
});
