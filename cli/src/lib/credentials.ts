import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectKeychain, keychainDelete, keychainGet, keychainSet, type KeychainKind } from './keychain.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { maskToken } from './redact.js';
import { userDir } from './user-dirs.js';

/**
 * Named profiles. Metadata (gateway, masked hint, where the secret lives) is in credentials.json;
 * the secret itself is in the OS keychain when one answers, else in the same file (mode 0600).
 */

type Env = Record<string, string | undefined>;

export interface StoredProfile {
  gateway_url?: string;
  storage: 'keychain' | 'file';
  keychain?: KeychainKind;
  api_key?: string;
  token_hint: string;
  saved_at: string;
}

interface CredentialsFile {
  version: 1;
  profiles: Record<string, StoredProfile>;
}

export const DEFAULT_PROFILE = 'default';

/** Credentials, key pins and tool pins live here: oclif's config directory (see user-dirs.ts). */
export function configDir(env: Env = process.env): string {
  return userDir('config', { env });
}

export function credentialsPath(env: Env = process.env): string {
  return join(configDir(env), 'credentials.json');
}

/** PROXYGATE_CREDENTIAL_STORE=file skips the keychain (CI, containers, tests). */
function keychainFor(env: Env): KeychainKind | undefined {
  const choice = env['PROXYGATE_CREDENTIAL_STORE'];
  if (choice === 'file') return undefined;
  return detectKeychain();
}

async function readCredentials(env: Env): Promise<CredentialsFile> {
  const path = credentialsPath(env);
  let text: string;
  try {
    // A file left readable by others (older tool, copied by hand) is tightened before use.
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) await chmod(path, 0o600);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, profiles: {} };
    throw storeError('read', path, error);
  }
  let parsed: Partial<CredentialsFile>;
  try {
    parsed = JSON.parse(text) as Partial<CredentialsFile>;
  } catch {
    // Never echo the text: it may hold keys.
    throw new CliError('credentials_unreadable', `${path} is not valid JSON`, ExitCode.usage, 'fix or delete it, then run "proxygate login"');
  }
  return { version: 1, profiles: typeof parsed.profiles === 'object' && parsed.profiles !== null ? parsed.profiles : {} };
}

async function writeCredentials(file: CredentialsFile, env: Env): Promise<void> {
  const dir = configDir(env);
  const path = credentialsPath(env);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') await chmod(dir, 0o700);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  } catch (error) {
    throw storeError('write', path, error);
  }
}

/** A bare "ENOTDIR: not a directory, stat ..." does not say which setting to fix. */
function storeError(verb: 'read' | 'write', path: string, error: unknown): CliError {
  const code = (error as { code?: unknown }).code;
  return new CliError(
    'credentials_unreadable',
    `cannot ${verb} ${path}${typeof code === 'string' ? ` (${code})` : ''}`,
    ExitCode.usage,
    'check PROXYGATE_CONFIG_DIR / XDG_CONFIG_HOME and the permissions of that directory',
  );
}

export interface SavedLocation {
  storage: 'keychain' | 'file';
  description: string;
}

export async function saveProfile(
  profile: string,
  apiKey: string,
  gatewayUrl: string | undefined,
  env: Env = process.env,
): Promise<SavedLocation> {
  const file = await readCredentials(env);
  const kind = keychainFor(env);
  const inKeychain = kind !== undefined && (await keychainSet(kind, profile, apiKey));
  const entry: StoredProfile = {
    storage: inKeychain ? 'keychain' : 'file',
    token_hint: maskToken(apiKey),
    saved_at: new Date().toISOString(),
  };
  if (inKeychain && kind) entry.keychain = kind;
  else entry.api_key = apiKey;
  if (gatewayUrl) entry.gateway_url = gatewayUrl;
  file.profiles[profile] = entry;
  await writeCredentials(file, env);
  return describeLocation(entry, env);
}

export function describeLocation(entry: StoredProfile, env: Env = process.env): SavedLocation {
  if (entry.storage === 'keychain') {
    const name = entry.keychain === 'macos-keychain' ? 'macOS Keychain' : 'Secret Service keyring';
    return { storage: 'keychain', description: `${name} (service "proxygate")` };
  }
  return { storage: 'file', description: credentialsPath(env) };
}

export interface LoadedProfile {
  entry: StoredProfile;
  apiKey: string | undefined;
}

export async function loadProfile(profile: string, env: Env = process.env): Promise<LoadedProfile | undefined> {
  const file = await readCredentials(env);
  const entry = file.profiles[profile];
  if (!entry) return undefined;
  if (entry.storage === 'file') return { entry, apiKey: entry.api_key };
  const apiKey = entry.keychain ? await keychainGet(entry.keychain, profile) : undefined;
  return { entry, apiKey };
}

/** Forget a profile; true when there was something to forget. */
export async function deleteProfile(profile: string, env: Env = process.env): Promise<boolean> {
  const file = await readCredentials(env);
  const entry = file.profiles[profile];
  if (!entry) return false;
  if (entry.storage === 'keychain' && entry.keychain) await keychainDelete(entry.keychain, profile);
  delete file.profiles[profile];
  await writeCredentials(file, env);
  return true;
}

export async function listProfiles(env: Env = process.env): Promise<string[]> {
  return Object.keys((await readCredentials(env)).profiles);
}
