import { homedir, tmpdir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * The CLI's per-user directories, by the rules of oclif's Config (@oclif/core src/config/config.ts:
 * `home`, `dir(category)`, `macosCacheDir`, `windowsHome`), so `proxygate` keeps its files where
 * every oclif CLI does, on every platform:
 *   config: PROXYGATE_CONFIG_DIR, else $XDG_CONFIG_HOME, else %LOCALAPPDATA% on Windows, else ~/.config
 *   data:   PROXYGATE_DATA_DIR,   else $XDG_DATA_HOME,   else %LOCALAPPDATA% on Windows, else ~/.local/share
 *   cache:  PROXYGATE_CACHE_DIR,  else ~/Library/Caches on macOS, else $XDG_CACHE_HOME,
 *           else %LOCALAPPDATA% on Windows, else ~/.cache
 * each with `proxygate` appended (not to the PROXYGATE_* overrides). Home is $HOME, else on
 * Windows %HOMEDRIVE%%HOMEPATH% or %USERPROFILE%, else the OS's idea of it, else the temp dir.
 * An empty variable counts as unset, as in oclif. (On Windows config, data and cache share
 * %LOCALAPPDATA%\proxygate, as they do for oclif: their file names do not meet.)
 */

export type UserDirKind = 'config' | 'data' | 'cache';

type Env = Record<string, string | undefined>;

export interface UserDirContext {
  env?: Env;
  platform?: NodeJS.Platform;
  /** The OS's home directory (os.homedir), asked only when the environment names none. */
  homedir?: () => string;
}

/** oclif.dirname in package.json. */
const DIRNAME = 'proxygate';

const OVERRIDE: Record<UserDirKind, string> = { config: 'PROXYGATE_CONFIG_DIR', data: 'PROXYGATE_DATA_DIR', cache: 'PROXYGATE_CACHE_DIR' };
const XDG: Record<UserDirKind, string> = { config: 'XDG_CONFIG_HOME', data: 'XDG_DATA_HOME', cache: 'XDG_CACHE_HOME' };

export function userDir(kind: UserDirKind, context: UserDirContext = {}): string {
  const env = context.env ?? process.env;
  const platform = context.platform ?? process.platform;
  const windows = platform === 'win32';
  const path = windows ? win32 : posix;
  const set = (name: string): string | undefined => env[name] || undefined;
  const explicit = set(OVERRIDE[kind]);
  if (explicit) return explicit;
  const home = (): string =>
    set('HOME') ??
    (windows ? ((set('HOMEDRIVE') && set('HOMEPATH') && path.join(env['HOMEDRIVE']!, env['HOMEPATH']!)) || set('USERPROFILE')) : undefined) ??
    ((context.homedir ?? homedir)() || tmpdir());
  if (kind === 'cache' && platform === 'darwin') return path.join(home(), 'Library', 'Caches', DIRNAME);
  const base = set(XDG[kind]) ?? (windows ? set('LOCALAPPDATA') : undefined) ?? path.join(home(), kind === 'data' ? '.local/share' : `.${kind}`);
  return path.join(base, DIRNAME);
}
