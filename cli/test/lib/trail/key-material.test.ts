// A rotation of the receipt keys is taken in only when a key the pin trusts endorses it (the audit
// trail, issue 15; the trail end to end is in receipt-trail.test.ts).
import { describe, expect, it } from 'vitest';
import { createMockGateway } from '@proxygate-kit/server-mock';
import { checkEndorsement } from '../../../src/lib/trail/key-material.js';

describe('endorsement checks', () => {
  it('refuse a tampered set, an unknown endorser, and a set that un-revokes a key the pin revoked', async () => {
    const mock = createMockGateway({ seed: 'cli-endorsement' });
    const pinned = mock.gateway.keySet();
    const { endorsements: _e, ...pinnedDoc } = pinned;
    mock.rotateKeys();
    const next = mock.gateway.keySet();
    const { endorsements: _n, ...nextDoc } = next;
    expect(await checkEndorsement(next, pinnedDoc, nextDoc)).toEqual({ ok: true, kid: pinned.keys[0]!.kid });
    const tampered = { ...next, issuer: 'https://evil.test' };
    expect(await checkEndorsement(tampered, pinnedDoc, { ...nextDoc, issuer: 'https://evil.test' })).toMatchObject({ ok: false, reason: expect.stringContaining('no key the pin trusts') });
    const stranger = createMockGateway({ seed: 'someone-else' }).gateway.keySet();
    const { endorsements: _s, ...strangerDoc } = stranger;
    expect(await checkEndorsement(stranger, pinnedDoc, strangerDoc)).toMatchObject({ ok: false });
    expect(await checkEndorsement({ ...next, endorsements: [] }, pinnedDoc, nextDoc)).toMatchObject({ ok: false, reason: 'the new key set carries no endorsement' });
    // The pin holds key 1 revoked; an (old) document where it is not revoked is a roll-back.
    const revokedPin = { ...nextDoc, keys: nextDoc.keys.map((k, i) => (i === 0 ? { ...k, status: 'revoked' as const, revoked_at: '2026-11-25T12:00:00.000Z' } : k)) };
    expect(await checkEndorsement(next, revokedPin, nextDoc)).toMatchObject({ ok: false, reason: expect.stringContaining('no longer revokes') });
  });
});
