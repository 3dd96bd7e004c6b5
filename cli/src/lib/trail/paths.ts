import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from '../credentials.js';
import { userDir } from '../user-dirs.js';

/**
 * Where the audit trail lives. Receipts are data (kept, audited later), key pins are
 * configuration (what this machine trusts), so they go to oclif's data and config directories
 * (PROXYGATE_DATA_DIR / PROXYGATE_CONFIG_DIR first; the per-platform rules are in user-dirs.ts).
 * Every function takes the environment so tests and `mcp serve` can point elsewhere.
 */

type Env = Record<string, string | undefined>;

/** One file per month: `YYYY-MM.jsonl`, named in UTC so two machines agree on the month. */
const MONTH_FILE = /^(\d{4})-(\d{2})\.jsonl$/;

export function dataDir(env: Env = process.env): string {
  return userDir('data', { env });
}

/**
 * A profile name as one path segment. Ordinary names ("default", "ci-bot") are kept as typed;
 * anything that could climb out of the directory or clash on a case-insensitive disk is
 * percent-encoded, so two different profiles never share a directory.
 */
export function profileSegment(profile: string): string {
  if (/^[a-z0-9_-][a-z0-9._-]*$/.test(profile)) return profile;
  return segment(profile, /[a-z0-9_-]/);
}

/** Percent-encodes every byte outside `keep` (upper-case hex, so no encoded name is a plain one). */
function segment(text: string, keep: RegExp): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && keep.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The directory holding a profile's monthly receipt logs (may not exist yet). */
export function receiptLogDir(profile: string, env: Env = process.env): string {
  return join(dataDir(env), 'receipts', profileSegment(profile));
}

/** The month file a receipt recorded at `now` goes to. */
export function currentReceiptLogFile(profile: string, now: Date = new Date(), env: Env = process.env): string {
  return join(receiptLogDir(profile, env), monthFileName(now));
}

export function monthFileName(now: Date): string {
  return `${String(now.getUTCFullYear()).padStart(4, '0')}-${String(now.getUTCMonth() + 1).padStart(2, '0')}.jsonl`;
}

/**
 * The profile's existing month files, oldest first (an absent directory is an empty trail).
 * Names are `YYYY-MM`, so their text order is their time order.
 */
export function receiptLogFiles(profile: string, env: Env = process.env): string[] {
  const dir = receiptLogDir(profile, env);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => MONTH_FILE.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** The directory of a profile's pinned receipt keys: one file per gateway origin. */
export function keyPinDir(profile: string, env: Env = process.env): string {
  return join(configDir(env), 'receipt-keys', profileSegment(profile));
}

/**
 * A gateway URL reduced to what its keys belong to: the origin (scheme, lower-cased host,
 * port unless the default), so `https://GW.example/` and `https://gw.example:443` share a pin.
 */
export function gatewayOrigin(gatewayUrl: string): string {
  return new URL(gatewayUrl).origin;
}

/** The file pinning one gateway's receipt keys for a profile (`https_gw.example.json`). */
export function keyPinFile(profile: string, gatewayUrl: string, env: Env = process.env): string {
  const url = new URL(gatewayOrigin(gatewayUrl));
  const name = `${url.protocol.replace(/:$/, '')}_${url.hostname}${url.port ? `_${url.port}` : ''}`;
  return join(keyPinDir(profile, env), `${segment(name.toLowerCase(), /[a-z0-9._-]/)}.json`);
}

/**
 * The clock the trail uses. PROXYGATE_NOW (an ISO date or epoch milliseconds) exists for tests
 * of the month rollover only; anything unparsable falls back to the real clock.
 */
export function trailNow(env: Env = process.env): Date {
  const fixed = nonEmpty(env['PROXYGATE_NOW']);
  if (fixed) {
    const date = /^\d+$/.test(fixed) ? new Date(Number(fixed)) : new Date(fixed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return new Date();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.length > 0 ? value : undefined;
}
