// A receipt whose key the keys at hand do not hold: after a rotation the hint says to export (or
// pin) the keys again; a v3 receipt checked against v1/v2 pins only (no key by kid) was never
// verifiable with them, so the hint names the gateway's key set instead of a rotation.
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REEXPORT_KEYS_ACTION, unknownKeyAction, V3_NEEDS_KEY_SET_ACTION } from '../../../src/lib/key-rotation-hint.js';
import { useInProcessMock } from '../../helpers/mock.js';
import { cli, isolatedEnv } from '../../helpers/run.js';
import { toBareReceipts } from '../../helpers/trail.js';

const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? '';

describe('unknownKeyAction', () => {
  const v3 = [{ reason: 'unknown_key', field: 'kid' }];
  it('v3 receipts against keys with no kid: the key set, not a rotation', () => {
    expect(unknownKeyAction({ unknown_key: 2 }, { keys: { kids: [] }, failures: v3 })).toBe(`2 receipt(s) name a key the key set does not hold: ${V3_NEEDS_KEY_SET_ACTION}`);
  });
  it('a kid missing from a key set that has kids, or v1/v2 keys missing: a rotation, as before', () => {
    expect(unknownKeyAction({ unknown_key: 1 }, { keys: { kids: ['k-2026'] }, failures: v3 })).toContain(REEXPORT_KEYS_ACTION);
    expect(unknownKeyAction({ unknown_key: 1 }, { keys: { kids: [] }, failures: [{ reason: 'unknown_key' }] })).toContain(REEXPORT_KEYS_ACTION);
    expect(unknownKeyAction({ unknown_key: 1 })).toContain(REEXPORT_KEYS_ACTION);
    expect(unknownKeyAction({ bad_signature: 1 }, { keys: { kids: [] }, failures: v3 })).toBeUndefined();
  });
});

describe('receipts verify / audit of v3 receipts (extended profile)', () => {
  const ctx = useInProcessMock('cli-unknown-key-hint');
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  let receipts: string;
  let keySet: { keys: Array<Record<string, unknown>>; platform_pubkey?: string; receipt_ca_pubkey?: string };
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader });
    receipts = join(env.dir, 'r.jsonl');
    const exported = join(env.dir, 'exported.json');
    expect((await cli(['receipts', 'keys', 'export', '--output', exported])).exitCode).toBe(0);
    keySet = JSON.parse(await readFile(exported, 'utf8'));
    expect((await cli(['call', 'echo', '/echo', '--receipts', receipts])).exitCode).toBe(0);
    await toBareReceipts(receipts);
    expect(JSON.parse((await readFile(receipts, 'utf8')).trim())).toMatchObject({ receipt_version: 3, kid: expect.any(String) });
  });
  afterEach(() => env.restore());

  it('with v1/v2 pins only (--pin, or a file of platform_pubkey / receipt_ca_pubkey): the gateway\'s key set is named', async () => {
    const health = ctx.mock.gateway.health().body as { platform_pubkey: string; receipt_ca_pubkey: string };
    const pinsFile = join(env.dir, 'pins.json');
    await writeFile(pinsFile, JSON.stringify({ keys: [], platform_pubkey: health.platform_pubkey, receipt_ca_pubkey: health.receipt_ca_pubkey }));
    const pins = ['--pin', `platform=${health.platform_pubkey}`, '--pin', `receipt-ca=${health.receipt_ca_pubkey}`];
    for (const args of [['receipts', 'verify', receipts, ...pins], ['receipts', 'verify', receipts, '--keys', pinsFile], ['receipts', 'audit', receipts, ...pins]]) {
      const r = await cli(args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      const line = lastLine(r.stderr);
      expect(line, args.join(' ')).toContain(`1 receipt(s) name a key the key set does not hold: ${V3_NEEDS_KEY_SET_ACTION}`);
      expect(line).toContain('proxygate receipts keys export > keys.json');
      expect(line).not.toContain('rotated');
    }
  });

  it('with a key set whose kids do not include the receipt\'s (a rotation): export or pin the keys again', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const x = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
    const rotated = { ...keySet, keys: [{ ...keySet.keys[0], kid: 'rotated-away', x }] };
    const file = join(env.dir, 'rotated.json');
    await writeFile(file, JSON.stringify(rotated));
    for (const command of ['verify', 'audit']) {
      const r = await cli(['receipts', command, receipts, '--keys', file]);
      expect(r.exitCode, command).toBe(1);
      expect(lastLine(r.stderr), command).toContain(`1 receipt(s) name a key the key set does not hold: ${REEXPORT_KEYS_ACTION}`);
    }
  });
});
