import { chmod, link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeySetDocument } from '@proxygate-kit/sdk/receipts';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { gatewayOrigin, keyPinDir, keyPinFile } from './paths.js';

/**
 * Receipt keys pinned on first use, per profile and gateway origin (like SSH's known_hosts):
 * one JSON file each, 0600 in a 0700 directory beside the credentials. A pin is created only
 * when none exists (an atomic link, so two first calls at once keep one), replaced only by an
 * endorsed rotation or by a person (`receipts keys trust`), and never grows by itself.
 */

type Env = Record<string, string | undefined>;

/** Where the pinned keys came from: the key-set document (extension) or `GET /health` (public gateway). */
export type KeySource = 'key_set' | 'health';

export interface KeyPin {
  proxygate_key_pin: 1;
  /** The gateway origin these keys belong to. */
  gateway: string;
  source: KeySource;
  pinned_at: string;
  updated_at: string;
  /** How the current keys came in: `first_use`, `trusted` (a person), `endorsed:<kid>` (a rotation a pinned key signed). */
  how: string;
  /** The validated key-set document (`KeySet#toJSON`): what receipts are verified against. */
  keys: KeySetDocument;
}

function unusable(file: string, why: string): CliError {
  return new CliError('key_pin_unreadable', `the pinned receipt keys in ${file} ${why}`, ExitCode.usage, 'fix the file, or run "proxygate receipts keys forget" and pin again with "proxygate receipts keys trust"');
}

function parsePin(text: string, file: string, origin: string): KeyPin {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unusable(file, 'are not valid JSON');
  }
  const pin = value as Partial<KeyPin> | null;
  if (typeof pin !== 'object' || pin === null || pin.proxygate_key_pin !== 1 || typeof pin.keys !== 'object' || pin.keys === null || !Array.isArray(pin.keys.keys)) {
    throw unusable(file, 'are not a key pin');
  }
  // A file copied from another gateway's pin must not vouch for this one.
  if (pin.gateway !== origin) throw unusable(file, `belong to ${String(pin.gateway)}, not ${origin}`);
  return pin as KeyPin;
}

/** The pin of `gatewayUrl` for `profile`, or undefined when none was made yet. */
export async function readPin(profile: string, gatewayUrl: string, env: Env = process.env): Promise<KeyPin | undefined> {
  const file = keyPinFile(profile, gatewayUrl, env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unusable(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`);
  }
  return parsePin(text, file, gatewayOrigin(gatewayUrl));
}

/** Every pin of a profile (for `keys show --all`). */
export async function listPins(profile: string, env: Env = process.env): Promise<Array<{ file: string; pin: KeyPin }>> {
  const dir = keyPinDir(profile, env);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const pins: Array<{ file: string; pin: KeyPin }> = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = join(dir, name);
    const text = await readFile(file, 'utf8');
    let gateway: unknown;
    try {
      gateway = (JSON.parse(text) as { gateway?: unknown }).gateway;
    } catch {
      gateway = undefined;
    }
    if (typeof gateway !== 'string') throw unusable(file, 'are not a key pin');
    pins.push({ file, pin: parsePin(text, file, gateway) });
  }
  return pins;
}

export function newPin(gatewayUrl: string, source: KeySource, keys: KeySetDocument, how: string, previous?: KeyPin, now = new Date()): KeyPin {
  const at = now.toISOString();
  return { proxygate_key_pin: 1, gateway: gatewayOrigin(gatewayUrl), source, pinned_at: previous?.pinned_at ?? at, updated_at: at, how, keys };
}

async function prepareDir(profile: string, env: Env): Promise<string> {
  const dir = keyPinDir(profile, env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
  return dir;
}

function pinText(pin: KeyPin): string {
  return `${JSON.stringify(pin, null, 2)}\n`;
}

/**
 * Saves a first pin unless one exists: the file is written beside the target and linked into
 * place, which fails when another process pinned first. Returns the pin in force and whether
 * this call made it.
 */
export async function createPin(profile: string, pin: KeyPin, env: Env = process.env): Promise<{ pin: KeyPin; created: boolean; file: string }> {
  const file = keyPinFile(profile, pin.gateway, env);
  try {
    await prepareDir(profile, env);
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, pinText(pin), { mode: 0o600 });
    try {
      await link(temp, file);
      return { pin, created: true, file };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temp, { force: true });
    }
  } catch (error) {
    throw cannotWrite(file, error);
  }
  const existing = await readPin(profile, pin.gateway, env);
  if (!existing) throw unusable(file, 'vanished while pinning');
  return { pin: existing, created: false, file };
}

/** Replaces the pin (an endorsed rotation, or `keys trust`): all at once, never half a file. */
export async function replacePin(profile: string, pin: KeyPin, env: Env = process.env): Promise<string> {
  const file = keyPinFile(profile, pin.gateway, env);
  try {
    await prepareDir(profile, env);
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, pinText(pin), { mode: 0o600 });
    await rename(temp, file);
  } catch (error) {
    throw cannotWrite(file, error);
  }
  return file;
}

/** Forgets the pin of one gateway; true when there was one. */
export async function forgetPin(profile: string, gatewayUrl: string, env: Env = process.env): Promise<boolean> {
  const file = keyPinFile(profile, gatewayUrl, env);
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw cannotWrite(file, error);
  }
}

function cannotWrite(file: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown }).code;
  return new CliError('key_pin_unwritable', `cannot write the receipt key pin ${file}${typeof code === 'string' ? ` (${code})` : ''}`, ExitCode.usage, 'check PROXYGATE_CONFIG_DIR / XDG_CONFIG_HOME and the permissions of that directory');
}
