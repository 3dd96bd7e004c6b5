import { createPublicKey, verify } from 'node:crypto';
import type { KeySetDocument } from '@proxygate-kit/sdk/receipts';
import type { GatewayClient } from '../client.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadReceiptsSdk } from '../sdk-loader.js';
import type { KeySource } from './pins.js';

/** What a gateway serves as its receipt keys right now. */
export interface KeyMaterial {
  source: KeySource;
  /** Validated (`KeySet#toJSON`): what a pin holds. */
  keys: KeySetDocument;
  /** The document as served, endorsements included (key-set document only). */
  raw: unknown;
}

/**
 * The gateway's receipt keys: its key-set document where it advertises `receipt_keys`, else the
 * keys of `GET /health` (`platform_pubkey`, `receipt_ca_pubkey` when sent). Validated before
 * anything is pinned: a key set that does not load is refused.
 */
export async function fetchKeyMaterial(client: GatewayClient): Promise<KeyMaterial> {
  const { KeySet, KeySetError } = await loadReceiptsSdk();
  const source: KeySource = (await client.meta.extensions()).has('receipt_keys') ? 'key_set' : 'health';
  const raw: unknown = await client.meta.receiptKeys();
  try {
    return { source, keys: KeySet.fromDocument(raw as KeySetDocument).toJSON(), raw };
  } catch (error) {
    if (error instanceof KeySetError) throw new CliError('invalid_key_set', `the gateway's key set is not usable: ${error.message}`, ExitCode.failure, 'do not pin it; report it to the gateway operator');
    throw error;
  }
}

/** Two key sets are the same when their canonical (JCS) forms are. */
export async function sameKeys(a: KeySetDocument, b: KeySetDocument): Promise<boolean> {
  const { canonicalize } = await import('@proxygate-kit/sdk/receipts');
  return canonicalize(a) === canonicalize(b);
}

/** What changes from `before` to `after`, one line per difference, for people. */
export function describeChanges(before: KeySetDocument | undefined, after: KeySetDocument): string[] {
  if (!before) {
    return [
      ...after.keys.map((k) => `+ key ${k.kid} (${k.status}, ${k.x})`),
      ...(after.platform_pubkey ? [`+ platform_pubkey ${after.platform_pubkey} (v1 receipts)`] : []),
      ...(after.receipt_ca_pubkey ? [`+ receipt_ca_pubkey ${after.receipt_ca_pubkey} (v2 receipts)`] : []),
    ];
  }
  const lines: string[] = [];
  const old = new Map(before.keys.map((k) => [k.kid, k]));
  const now = new Map(after.keys.map((k) => [k.kid, k]));
  for (const [kid, key] of now) {
    const was = old.get(kid);
    if (!was) lines.push(`+ key ${kid} (${key.status}, ${key.x})`);
    else if (was.x !== key.x) lines.push(`! key ${kid} has ANOTHER public key: ${was.x} -> ${key.x}`);
    else if (was.status !== key.status || was.not_after !== key.not_after || was.not_before !== key.not_before) {
      lines.push(`~ key ${kid}: ${was.status} -> ${key.status}${key.not_after ? ` (until ${key.not_after})` : ''}`);
    }
  }
  for (const kid of old.keys()) if (!now.has(kid)) lines.push(`- key ${kid}`);
  for (const [field, use] of [['platform_pubkey', 'v1 receipts'], ['receipt_ca_pubkey', 'v2 receipts']] as const) {
    if (before[field] !== after[field]) {
      lines.push(`! ${field} (${use}): ${before[field] ?? 'none'} -> ${after[field] ?? 'none'}`);
    }
  }
  if (before.issuer !== after.issuer) lines.push(`~ issuer: ${before.issuer ?? 'none'} -> ${after.issuer ?? 'none'}`);
  return lines;
}

export const ENDORSEMENT_PREFIX = 'proxygate-key-set-endorsement:v1\n';

export type Endorsement = { ok: true; kid: string } | { ok: false; reason: string };

/**
 * Whether a key the pin trusts vouches for a new key-set document (spec: KeySet.endorsements):
 * an endorsement by a pinned key (same kid, same public key) revoked neither in the pin nor in
 * the new set, over the prefix and the JCS of the document without `endorsements`; and the new
 * set must still revoke every key the pin revoked (an old document cannot roll a revocation back).
 */
export async function checkEndorsement(raw: unknown, pinned: KeySetDocument, validated: KeySetDocument): Promise<Endorsement> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'the gateway served no key-set document' };
  const { endorsements, ...unsigned } = raw as { endorsements?: unknown };
  if (!Array.isArray(endorsements) || endorsements.length === 0) return { ok: false, reason: 'the new key set carries no endorsement' };
  const next = new Map(validated.keys.map((k) => [k.kid, k]));
  for (const key of pinned.keys) {
    if (key.status === 'revoked' && next.get(key.kid)?.status !== 'revoked') {
      return { ok: false, reason: `the new key set no longer revokes ${key.kid}, which the pin holds revoked` };
    }
  }
  const { canonicalize } = await import('@proxygate-kit/sdk/receipts');
  let message: Buffer;
  try {
    message = Buffer.from(`${ENDORSEMENT_PREFIX}${canonicalize(unsigned)}`, 'utf8');
  } catch {
    return { ok: false, reason: 'the new key set cannot be canonicalized' };
  }
  const signers: string[] = [];
  for (const entry of endorsements as Array<{ kid?: unknown; signature?: unknown }>) {
    if (typeof entry !== 'object' || entry === null || typeof entry.kid !== 'string' || typeof entry.signature !== 'string') continue;
    signers.push(entry.kid);
    const trusted = pinned.keys.find((k) => k.kid === entry.kid);
    if (!trusted || trusted.status === 'revoked') continue;
    const inNew = next.get(entry.kid);
    if (inNew && (inNew.status === 'revoked' || inNew.x !== trusted.x)) continue;
    const signature = Buffer.from(entry.signature, 'base64');
    if (signature.length !== 64) continue;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: trusted.x }, format: 'jwk' });
    if (verify(null, message, key, signature)) return { ok: true, kid: entry.kid };
  }
  return { ok: false, reason: signers.length > 0 ? `no key the pin trusts endorses it (signed by ${signers.join(', ')})` : 'the new key set carries no endorsement' };
}
