import { checkEndorsement, describeChanges, sameKeys, type KeyMaterial } from './key-material.js';
import { gatewayOrigin } from './paths.js';
import { createPin, newPin, readPin, replacePin, type KeyPin } from './pins.js';

export type PinSync =
  | { status: 'created' | 'same' | 'rotated'; pin: KeyPin }
  | { status: 'differs'; pin: KeyPin; changes: string[]; reason: string };

/**
 * Brings the profile's pin of a gateway up to what it serves now, the way a paid call would:
 * pinned when there is none (said once), taken in when a pinned key endorses the change (said),
 * left alone otherwise (the caller reports it: only `receipts keys trust` takes it in).
 */
export async function syncPin(profile: string, gatewayUrl: string, material: KeyMaterial, note: (text: string) => void): Promise<PinSync> {
  const pin = await readPin(profile, gatewayUrl);
  if (!pin) {
    const made = await createPin(profile, newPin(gatewayUrl, material.source, material.keys, 'first_use'));
    if (made.created) note(firstUseNote(gatewayUrl, made.pin, made.file));
    return { status: made.created ? 'created' : 'same', pin: made.pin };
  }
  if (await sameKeys(pin.keys, material.keys)) return { status: 'same', pin };
  const changes = describeChanges(pin.keys, material.keys);
  if (material.source === 'key_set') {
    const endorsement = await checkEndorsement(material.raw, pin.keys, material.keys);
    if (endorsement.ok) {
      const next = newPin(gatewayUrl, material.source, material.keys, `endorsed:${endorsement.kid}`, pin);
      const file = await replacePin(profile, next);
      note(`receipt keys of ${gatewayOrigin(gatewayUrl)} rotated (${changes.join('; ')}); endorsed by pinned key ${endorsement.kid}: pin updated in ${file}`);
      return { status: 'rotated', pin: next };
    }
    return { status: 'differs', pin, changes, reason: endorsement.reason };
  }
  return { status: 'differs', pin, changes, reason: 'keys from GET /health cannot be endorsed' };
}

/** The one line a first pin says. */
export function firstUseNote(gatewayUrl: string, pin: KeyPin, file: string): string {
  const what =
    pin.source === 'key_set'
      ? `${pin.keys.keys.length} key(s) of its key-set document`
      : `the v1 platform key${pin.keys.receipt_ca_pubkey ? ' and the v2 receipt CA key' : ''} from GET /health`;
  return `pinned the receipt keys of ${gatewayOrigin(gatewayUrl)} (${what}) in ${file}; later calls verify against them ("proxygate receipts keys show")`;
}

