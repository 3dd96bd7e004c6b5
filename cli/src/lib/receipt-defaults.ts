import { readFileSync } from 'node:fs';
import { credentialsPath, DEFAULT_PROFILE } from './credentials.js';
import { UsageError } from './errors.js';
import { chooseGateway } from './gateway-url.js';
import { openInput, type InputSource } from './receipt-stream.js';
import type { ChosenKeys } from './receipts-verify.js';
import { keySetOf, readPin, receiptLogDir, receiptLogFiles } from './trail/index.js';

// What `receipts verify` / `audit` read when told nothing: the kept log of the profile's paid
// calls (the receipt trail) and the keys pinned for the current gateway. Offline: the profile's
// gateway URL is read from the credentials file, never its secret, and nothing is fetched.

type Env = Record<string, string | undefined>;

export function profileName(flag: string | undefined, env: Env = process.env): string {
  return nonEmpty(flag) ?? nonEmpty(env['PROXYGATE_PROFILE']) ?? DEFAULT_PROFILE;
}

/** The gateway as every command resolves it (see chooseGateway), the profile's read without its secret. */
export function currentGateway(profile: string, flag: string | undefined, env: Env = process.env): string {
  return chooseGateway([['--gateway', flag], ['PROXYGATE_GATEWAY_URL', env['PROXYGATE_GATEWAY_URL']], [`profile "${profile}"`, storedGateway(profile, env)]]);
}

/** The gateway URL saved with the profile by `login`, if any (the file's secrets are not touched). */
function storedGateway(profile: string, env: Env): string | undefined {
  try {
    const file = JSON.parse(readFileSync(credentialsPath(env), 'utf8')) as { profiles?: Record<string, { gateway_url?: unknown }> };
    const url = file.profiles?.[profile]?.gateway_url;
    return typeof url === 'string' ? nonEmpty(url) : undefined;
  } catch {
    return undefined;
  }
}

/** The profile's month files of kept receipts, oldest first, and a line saying so. */
export function keptLogSources(profile: string, env: Env = process.env): { sources: InputSource[]; note: string } {
  const files = receiptLogFiles(profile, env);
  const dir = receiptLogDir(profile, env);
  const note = files.length
    ? `reading the kept receipts of profile "${profile}": ${files.length} month file(s) in ${dir}`
    : `profile "${profile}" has no kept receipts (${dir})`;
  return { sources: files.map((f) => openInput(f)), note };
}

/** The keys pinned for `gateway` in the profile: what its paid calls were verified against. */
export async function pinnedKeys(profile: string, gateway: string): Promise<ChosenKeys> {
  const pin = await readPin(profile, gateway);
  if (!pin) {
    throw new UsageError(
      `no keys to verify against: no --keys, no PROXYGATE_RECEIPT_KEYS, and profile "${profile}" has no receipt keys pinned for ${new URL(gateway).origin}`,
      'pass --keys keys.json (from "proxygate receipts keys export"), --pin KID=KEY, or make a paid call (or "receipts keys export") to pin the gateway\'s keys',
    );
  }
  return { keys: await keySetOf(pin.keys), document: true };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
