import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base58Decode, base58Encode } from '../src/crypto/base58.js';
import { canonicalize } from '../src/crypto/jcs.js';
import { createMockGateway, Gateway, PROFILES, type LogHead, type ReceiptKeySet, type ReceiptV1, type ReceiptV2, type ReceiptV3 } from '../src/index.js';
import { decodeReceiptHeader, id, proxyPath, useMock } from './helpers.js';

const sha256 = (data: string | Uint8Array): Buffer => createHash('sha256').update(data).digest();

function jwkKey(x: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

function rawKey(bytes: Uint8Array): KeyObject {
  return jwkKey(Buffer.from(bytes).toString('base64url'));
}

function verifyV3(receipt: ReceiptV3, keys: ReceiptKeySet): boolean {
  const key = keys.keys.find((candidate) => candidate.kid === receipt.kid);
  if (!key) return false;
  const { signature, ...unsigned } = receipt;
  return verify(null, Buffer.from(`proxygate-receipt-v3\n${canonicalize(unsigned)}`), jwkKey(key.x), Buffer.from(signature, 'base64'));
}

// RFC 9162 section 2.1.1, written out here independently of the mock's implementation.
function merkleTreeHash(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256(new Uint8Array());
  if (leaves.length === 1) return sha256(Buffer.concat([Buffer.from([0]), leaves[0] as Buffer]));
  let k = 1;
  while (k << 1 < leaves.length) k <<= 1;
  return sha256(Buffer.concat([Buffer.from([1]), merkleTreeHash(leaves.slice(0, k)), merkleTreeHash(leaves.slice(k))]));
}

describe('canonical JSON and base58 used by the verifiers', () => {
  it('matches the RFC 8785 examples', () => {
    const value = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalize(value)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
    const sorting = JSON.parse('{"\\u20ac":"Euro","\\r":"CR","\\ud83d\\ude00":"Smiley","1":"One","\\u0080":"Control","\\u00f6":"ö"}') as unknown;
    // Keys sort by UTF-16 code units: U+000D, "1", U+0080, U+00F6, U+20AC, then the surrogate pair.
    expect(canonicalize(sorting)).toBe('{"\\r":"CR","1":"One","\u0080":"Control","\u00f6":"\u00f6","\u20ac":"Euro","\ud83d\ude00":"Smiley"}');
    expect(() => canonicalize({ x: Number.NaN })).toThrow();
  });

  it('round-trips base58 with the bitcoin alphabet', () => {
    expect(base58Encode(new TextEncoder().encode('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U');
    expect(base58Encode(Uint8Array.of(0, 0, 1))).toBe('112');
    expect([...base58Decode('112')]).toEqual([0, 0, 1]);
  });
});

describe('extended profile: v3 receipts, receipt log and keys', () => {
let clock = new Date('2026-11-25T12:00:00.000Z');
const t = useMock(() => {
  clock = new Date('2026-11-25T12:00:00.000Z');
  return { profile: 'extended', seed: 'receipt-tests', now: () => clock };
});

async function paidCall(token: string, path = proxyPath('echo', 'echo', '/echo')): Promise<Response> {
  const response = await t.fetch(path, { token });
  clock = new Date(clock.getTime() + 1000);
  return response;
}

describe('v3 receipts', () => {
  it('verify with node:crypto, bind the request and response, and chain by seq/prev per token', async () => {
    const trader = t.mock.demoTokens.trader;
    const responses = [
      await paidCall(trader, `/proxy/weather/current?z=(x)&city=S%C3%A3o+Paulo&listing=${id('weather-current')}`),
      await paidCall(trader),
      await paidCall(t.mock.demoTokens.capped),
      await paidCall(trader),
    ];
    const keys = (await t.json<ReceiptKeySet>('/.well-known/proxygate-receipt-keys')).body;
    const receipts: ReceiptV3[] = [];
    for (const response of responses) {
      const receipt = decodeReceiptHeader(response.headers.get('x-proxygate-receipt')) as unknown as ReceiptV3;
      expect(verifyV3(receipt, keys)).toBe(true);
      expect(receipt.response_sha256).toBe(sha256(await response.text()).toString('hex'));
      receipts.push(receipt);
    }
    expect(Object.keys(receipts[0] ?? {}).sort()).toEqual(
      ['receipt_version', 'kid', 'request_id', 'buyer', 'seller', 'listing_id', 'service', 'method', 'path', 'amount', 'currency', 'timestamp', 'request_sha256', 'response_sha256', 'shield', 'seq', 'prev', 'signature'].sort(),
    );
    expect(receipts[0]?.request_sha256).toBe(sha256('GET\n/current\ncity=S%C3%A3o%20Paulo&z=%28x%29\n').toString('hex'));
    const [a, b, other, c] = receipts as [ReceiptV3, ReceiptV3, ReceiptV3, ReceiptV3];
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    expect(a.prev).toBe('0'.repeat(64));
    expect(b.prev).toBe(sha256(canonicalize(a)).toString('hex'));
    expect(c.prev).toBe(sha256(canonicalize(b)).toString('hex'));
    expect([other.seq, other.prev]).toEqual([1, '0'.repeat(64)]);
    expect(other.buyer).not.toBe(a.buyer);
    // A tampered receipt no longer verifies.
    expect(verifyV3({ ...b, amount: '1' }, keys)).toBe(false);
  });

  it('is reproducible from the seed on the same clock', async () => {
    const at = () => new Date('2026-11-25T12:00:00.000Z');
    for (const profile of PROFILES) {
      const headers = [1, 2].map(() => {
        const { gateway } = createMockGateway({ profile, seed: 'same', now: at });
        const auth = gateway.authenticate(`Bearer ${gateway.demoTokens.trader}`);
        return gateway.callListing(auth, { listing: id('echo'), service: 'echo', method: 'GET', path: '/echo' }).receiptHeader;
      });
      expect(headers[0]).toBe(headers[1]);
    }
  });

  it('serves the receipt log in seq order with a C2SP checkpoint that verifies', async () => {
    const trader = t.mock.demoTokens.trader;
    for (let i = 0; i < 5; i++) await paidCall(trader);
    const first = await t.json<{ data: ReceiptV3[]; cursor: string | null; has_more: boolean; head: LogHead }>('/v1/receipts?limit=3', { token: trader });
    expect(first.body.data.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(first.body.has_more).toBe(true);
    const second = await t.json<{ data: ReceiptV3[]; has_more: boolean; head: LogHead }>(`/v1/receipts?limit=3&cursor=${first.body.cursor}`, { token: trader });
    expect(second.body.data.map((r) => r.seq)).toEqual([4, 5]);
    expect(second.body.has_more).toBe(false);
    const all = [...first.body.data, ...second.body.data];

    const head = second.body.head;
    expect(head.tree_size).toBe(5);
    expect(head.origin).toBe(`mock.proxygate.test/receipts/${all[0]?.buyer}`);
    const root = merkleTreeHash(all.map((receipt) => Buffer.from(canonicalize(receipt))));
    expect(head.root_hash).toBe(root.toString('base64'));

    const [body, signatureLine] = head.checkpoint.split('\n\n') as [string, string];
    expect(`${body}\n`).toBe(`${head.origin}\n5\n${head.root_hash}\n${head.timestamp}\n`);
    const match = /^\u2014 (\S+) (\S+)\n$/.exec(signatureLine);
    expect(match?.[1]).toBe(head.kid);
    const blob = Buffer.from(match?.[2] ?? '', 'base64');
    expect(blob).toHaveLength(68);
    const keys = (await t.json<ReceiptKeySet>('/.well-known/proxygate-receipt-keys')).body;
    const x = keys.keys.find((key) => key.kid === head.kid)?.x ?? '';
    const publicKey = Buffer.from(x, 'base64url');
    const keyHash = sha256(Buffer.concat([Buffer.from(`${head.kid}\n`), Buffer.from([1]), publicKey])).subarray(0, 4);
    expect(blob.subarray(0, 4).equals(keyHash)).toBe(true);
    expect(verify(null, Buffer.from(`${body}\n`), jwkKey(x), blob.subarray(4))).toBe(true);
    expect(verify(null, Buffer.from(`${body.replace('\n5\n', '\n4\n')}\n`), jwkKey(x), blob.subarray(4))).toBe(false);
  });

  it("shows a child's chain with token_id and refuses a token it cannot see", async () => {
    const trader = t.mock.demoTokens.trader;
    const child = await t.json<{ token: string; info: { id: string } }>('/v1/tokens', { token: trader, body: { scopes: ['trade', 'account:read'] } });
    await paidCall(child.body.token);
    const log = await t.json<{ data: ReceiptV3[]; head: LogHead }>(`/v1/receipts?token_id=${child.body.info.id}`, { token: trader });
    expect(log.status).toBe(200);
    expect(log.body.data.map((r) => r.buyer)).toEqual([child.body.info.id]);
    const other = await t.json(`/v1/receipts?token_id=${child.body.info.id}`, { token: t.mock.demoTokens.broke });
    expect(other.status).toBe(404);
    const readOnly = await t.json('/v1/receipts', { token: t.mock.demoTokens.readOnly });
    expect(readOnly.body).toMatchObject({ data: [], has_more: false, head: { tree_size: 0, root_hash: sha256(new Uint8Array()).toString('base64') } });
  });
});

describe('receipt keys', () => {
  it('rotates: the old key is retired with a closed window, new receipts use the new kid, both verify', async () => {
    const trader = t.mock.demoTokens.trader;
    const before = decodeReceiptHeader((await paidCall(trader)).headers.get('x-proxygate-receipt')) as unknown as ReceiptV3;
    const rotated = await t.json<{ retired: string; active: string }>('/__mock/rotate-keys', { method: 'POST' });
    expect(rotated.body.retired).toBe(before.kid);
    const after = decodeReceiptHeader((await paidCall(trader)).headers.get('x-proxygate-receipt')) as unknown as ReceiptV3;
    expect(after.kid).toBe(rotated.body.active);
    const keys = (await t.json<ReceiptKeySet>('/.well-known/proxygate-receipt-keys')).body;
    expect(keys.issuer).toBe('https://mock.proxygate.test');
    expect(keys.keys.map((key) => [key.kid, key.status])).toEqual([
      [before.kid, 'retired'],
      [after.kid, 'active'],
    ]);
    const old = keys.keys[0];
    expect(old?.not_after).toBe('2026-11-25T12:00:01.000Z');
    expect(before.timestamp < (old?.not_after ?? '')).toBe(true);
    expect(keys.keys[1]?.not_after).toBeNull();
    expect(verifyV3(before, keys)).toBe(true);
    expect(verifyV3(after, keys)).toBe(true);
    for (const key of keys.keys) expect(Buffer.from(key.x, 'base64url')).toHaveLength(32);
  });

  it('endorses the published set with every key not revoked, over the prefixed JCS without endorsements', async () => {
    const endorsedBy = (doc: ReceiptKeySet): string[] => {
      const { endorsements, ...unsigned } = doc;
      const message = Buffer.from(`proxygate-key-set-endorsement:v1\n${canonicalize(unsigned)}`);
      return endorsements.filter((e) => {
        const key = doc.keys.find((k) => k.kid === e.kid);
        return key !== undefined && verify(null, message, jwkKey(key.x), Buffer.from(e.signature, 'base64'));
      }).map((e) => e.kid);
    };
    const first = (await t.json<ReceiptKeySet>('/.well-known/proxygate-receipt-keys')).body;
    const original = first.keys[0]!.kid;
    expect(endorsedBy(first)).toEqual([original]);
    // A rotation: the old (retired) key vouches for the new set, so an old pin takes it in.
    const rotated = await t.json<{ active: string; endorsed: boolean }>('/__mock/rotate-keys', { method: 'POST' });
    expect(rotated.body.endorsed).toBe(true);
    const second = (await t.json<ReceiptKeySet>('/.well-known/proxygate-receipt-keys')).body;
    expect(endorsedBy(second)).toEqual([original, rotated.body.active]);
    // A signature does not carry over to an altered document.
    const altered = { ...second, issuer: 'https://elsewhere.test' };
    expect(endorsedBy(altered)).toEqual([]);
    // Without endorsement only the new key signs: no earlier key vouches for it.
    const bare = await t.json<{ active: string; endorsed: boolean }>('/__mock/rotate-keys', { method: 'POST', body: JSON.stringify({ endorse: false }) });
    expect(bare.body.endorsed).toBe(false);
    const third = (await t.json<ReceiptKeySet>('/.well-known/proxygate-receipt-keys')).body;
    expect(endorsedBy(third)).toEqual([bare.body.active]);
    expect(third.endorsements).toHaveLength(1);
  });

  it('rotate-keys with platform: true replaces the v1 platform key /health serves', async () => {
    const before = (await t.json<{ platform_pubkey: string }>('/health')).body.platform_pubkey;
    const rotated = await t.json<{ platform_pubkey: string }>('/__mock/rotate-keys', { method: 'POST', body: JSON.stringify({ platform: true }) });
    const after = (await t.json<{ platform_pubkey: string }>('/health')).body.platform_pubkey;
    expect(after).toBe(rotated.body.platform_pubkey);
    expect(after).not.toBe(before);
    expect((await t.json('/__mock/rotate-keys', { method: 'POST', body: JSON.stringify({ endorse: 'yes' }) })).status).toBe(400);
  });

  it('revokes a key with revoked_at, replacing it when it was active', async () => {
    const activeKid = t.mock.gateway.keySet().keys[0]?.kid ?? '';
    clock = new Date('2026-11-25T12:30:00.000Z');
    const revoked = t.mock.gateway.revokeKey(activeKid);
    expect(revoked).toMatchObject({ kid: activeKid, status: 'revoked', revoked_at: '2026-11-25T12:30:00.000Z' });
    const keys = t.mock.gateway.keySet().keys;
    expect(keys.filter((key) => key.status === 'active')).toHaveLength(1);
    expect(keys.find((key) => key.status === 'active')?.kid).not.toBe(activeKid);
    expect(() => t.mock.gateway.revokeKey('nope')).toThrowError(expect.objectContaining({ status: 404 }) as Error);
  });
});
});

describe.each(PROFILES)('v1 and v2 receipts (%s profile)', (profile) => {
  let now = new Date('2026-11-25T12:00:00.000Z');
  const m = useMock(() => {
    now = new Date('2026-11-25T12:00:00.000Z');
    return { profile, seed: 'receipt-tests', now: () => now };
  });
  const call = async (token: string) => {
    const response = await m.fetch(proxyPath('echo', 'echo', '/echo'), { token });
    now = new Date(now.getTime() + 1000);
    return decodeReceiptHeader(response.headers.get('x-proxygate-receipt'));
  };
  const v1Bytes = (r: { amount: number; buyer: string; request_id: string; seller: string; timestamp: number }) =>
    JSON.stringify({ amount: r.amount, buyer: r.buyer, request_id: r.request_id, seller: r.seller, timestamp: r.timestamp });

  it('signs v1 with the platform key: integer micro-USD amount, integer Unix seconds, wallets as buyer and seller', async () => {
    const health = (await m.json<{ platform_pubkey: string }>('/health')).body;
    const me = (await m.json<{ wallet: string }>('/v1/me', { token: m.mock.demoTokens.traderV1 })).body;
    const v1 = (await call(m.mock.demoTokens.traderV1)) as unknown as ReceiptV1;
    expect(Object.keys(v1).sort()).toEqual(['amount', 'buyer', 'request_id', 'seller', 'signature', 'timestamp']);
    expect(v1).toMatchObject({ amount: 5_105, timestamp: 1_795_608_000, buyer: me.wallet });
    expect(v1.seller).toBe((await m.json<{ data: { seller_wallet: string }[] }>(`/v1/apis?listing_id=${id('echo')}`)).body.data[0]?.seller_wallet);
    expect(v1Bytes(v1)).toBe(`{"amount":5105,"buyer":"${v1.buyer}","request_id":"${v1.request_id}","seller":"${v1.seller}","timestamp":1795608000}`);
    const key = rawKey(base58Decode(health.platform_pubkey));
    expect(verify(null, Buffer.from(v1Bytes(v1)), key, Buffer.from(v1.signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(v1Bytes({ ...v1, amount: 5_106 })), key, Buffer.from(v1.signature, 'base64'))).toBe(false);
  });

  it('tags v1 with receipt_version: 1 when switched on (outside the signed bytes), until reset', async () => {
    expect((await m.json('/__mock/receipt-version', { body: { version: 1, tag_v1: true } })).body).toEqual({ version: 1, tag_v1: true });
    const tagged = (await call(m.mock.demoTokens.trader)) as unknown as ReceiptV1;
    expect(tagged.receipt_version).toBe(1);
    const health = (await m.json<{ platform_pubkey: string }>('/health')).body;
    expect(verify(null, Buffer.from(v1Bytes(tagged)), rawKey(base58Decode(health.platform_pubkey)), Buffer.from(tagged.signature, 'base64'))).toBe(true);
    await m.fetch('/__mock/reset', { method: 'POST' });
    expect(await call(m.mock.demoTokens.traderV1)).not.toHaveProperty('receipt_version');
    const option = new Gateway({ profile, tagV1Receipts: true, receiptVersion: 1 });
    const auth = option.authenticate(`Bearer ${option.demoTokens.trader}`);
    expect(option.callListing(auth, { listing: id('echo'), service: 'echo', method: 'GET', path: '/echo' }).receipt).toHaveProperty('receipt_version', 1);
  });

  it('signs v2 with a CA-certified ephemeral key whose window (integer seconds) holds the timestamp', async () => {
    const health = (await m.json<{ receipt_ca_pubkey: string }>('/health')).body;
    const v2 = (await call(m.mock.demoTokens.traderV2)) as unknown as ReceiptV2;
    expect(v2.receipt_version).toBe(2);
    const d = v2.delegation;
    expect([d.receipt_ca_pubkey, d.purpose, d.not_before, d.not_after]).toEqual([health.receipt_ca_pubkey, 'proxygate-receipt', 1_795_604_400, 1_795_690_800]);
    const caBytes = `{"ephemeral_pubkey":"${d.ephemeral_pubkey}","not_after":${d.not_after},"not_before":${d.not_before},"purpose":"proxygate-receipt"}`;
    expect(verify(null, Buffer.from(caBytes), rawKey(base58Decode(health.receipt_ca_pubkey)), Buffer.from(d.signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(v1Bytes(v2)), rawKey(base58Decode(d.ephemeral_pubkey)), Buffer.from(v2.signature, 'base64'))).toBe(true);
    expect(d.not_before <= v2.timestamp && v2.timestamp <= d.not_after).toBe(true);
  });

  it('selects the version globally (option and control API) and per token', async () => {
    const global = createMockGateway({ profile, seed: 'v2', receiptVersion: 2 });
    const auth = global.gateway.authenticate(`Bearer ${global.demoTokens.trader}`);
    expect(global.gateway.callListing(auth, { listing: id('echo'), service: 'echo', method: 'GET', path: '/echo' }).receipt).toHaveProperty('receipt_version', 2);
    expect((await call(m.mock.demoTokens.trader))['receipt_version']).toBe(profile === 'public' ? undefined : 3);
    await m.json('/__mock/receipt-version', { body: { version: 2 } });
    expect((await call(m.mock.demoTokens.trader))['receipt_version']).toBe(2);
    const traderId = m.mock.gateway.tokenIdOf(m.mock.demoTokens.trader);
    await m.json('/__mock/receipt-version', { body: { version: 1, token_id: traderId } });
    expect(await call(m.mock.demoTokens.trader)).not.toHaveProperty('receipt_version');
    expect((await m.json('/__mock/receipt-version', { body: { version: 4 } })).status).toBe(400);
    const v3 = await m.json('/__mock/receipt-version', { body: { version: 3 } });
    expect(v3.status).toBe(profile === 'public' ? 400 : 200);
    if (profile === 'public') {
      expect(() => new Gateway({ profile, receiptVersion: 3 })).toThrow(/extension/);
      expect((await m.fetch('/.well-known/proxygate-receipt-keys')).status).toBe(404);
      expect((await m.json('/v1/receipts', { token: m.mock.demoTokens.trader })).body['error']).toBe('not_found');
    }
  });
});
