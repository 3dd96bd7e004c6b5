// Tokens shown masked: at most the prefix and the last four characters.
import { describe, expect, it } from 'vitest';
import { maskToken, redactSecrets } from '../../src/lib/redact.js';

const fakeKey = () => `pg_live_${'Ab3'.repeat(10)}${Math.random().toString(36).slice(2, 4)}`;

describe('redaction', () => {
  it('shows at most the prefix and last four characters', () => {
    const key = fakeKey();
    expect(maskToken(key)).toBe(`pg_live_…${key.slice(-4)}`);
    expect(maskToken('pg_live_short')).toBe('pg_live_…');
    const del = `pg_del_eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ0b2sifQ.c2lnbmF0dXJlc2lnbmF0dXJl`;
    const text = redactSecrets(`a ${key} b ${del} c`);
    expect(text).not.toContain(key);
    expect(text).not.toContain(del);
    expect(text).toContain(`pg_del_…${del.slice(-4)}`);
  });
});
