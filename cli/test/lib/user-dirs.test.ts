// Config, data and cache directories per platform, by oclif's rules: each platform's expected
// paths, and the same answers as oclif's own Config (its platform and home stubbed) for every
// combination of the variables it reads.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configDir } from '../../src/lib/credentials.js';
import { dataDir, receiptLogDir } from '../../src/lib/trail/paths.js';
import { userDir, type UserDirKind } from '../../src/lib/user-dirs.js';

const VARIABLES = [
  'HOME', 'HOMEDRIVE', 'HOMEPATH', 'USERPROFILE', 'LOCALAPPDATA',
  'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME',
  'PROXYGATE_CONFIG_DIR', 'PROXYGATE_DATA_DIR', 'PROXYGATE_CACHE_DIR',
] as const;
type Env = Partial<Record<(typeof VARIABLES)[number], string>>;

const OS_HOME = '/os/home';
const dirs = (platform: NodeJS.Platform, env: Env) =>
  Object.fromEntries((['config', 'data', 'cache'] as const).map((kind) => [kind, userDir(kind, { env, platform, homedir: () => OS_HOME })]));

describe('per-platform directories (oclif rules), with injected platform and environment', () => {
  it('Linux: XDG or ~/.config, ~/.local/share, ~/.cache', () => {
    expect(dirs('linux', { HOME: '/home/ada' })).toEqual({ config: '/home/ada/.config/proxygate', data: '/home/ada/.local/share/proxygate', cache: '/home/ada/.cache/proxygate' });
    expect(dirs('linux', { HOME: '/home/ada', XDG_CONFIG_HOME: '/x/c', XDG_DATA_HOME: '/x/d', XDG_CACHE_HOME: '/x/k' })).toEqual({ config: '/x/c/proxygate', data: '/x/d/proxygate', cache: '/x/k/proxygate' });
    // No HOME: the OS's home directory.
    expect(dirs('linux', {}).config).toBe('/os/home/.config/proxygate');
  });

  it('macOS: the cache in ~/Library/Caches (XDG_CACHE_HOME does not move it), config and data as on Linux', () => {
    expect(dirs('darwin', { HOME: '/Users/ada', XDG_CACHE_HOME: '/x/k' })).toEqual({ config: '/Users/ada/.config/proxygate', data: '/Users/ada/.local/share/proxygate', cache: '/Users/ada/Library/Caches/proxygate' });
  });

  it('Windows: %LOCALAPPDATA%\\proxygate for all three (not ~/.config), home from HOMEDRIVE+HOMEPATH or USERPROFILE otherwise', () => {
    const local = 'C:\\Users\\ada\\AppData\\Local';
    expect(dirs('win32', { USERPROFILE: 'C:\\Users\\ada', LOCALAPPDATA: local })).toEqual({ config: `${local}\\proxygate`, data: `${local}\\proxygate`, cache: `${local}\\proxygate` });
    expect(dirs('win32', { HOMEDRIVE: 'D:', HOMEPATH: '\\ada', USERPROFILE: 'C:\\Users\\ada' })).toEqual({ config: 'D:\\ada\\.config\\proxygate', data: 'D:\\ada\\.local\\share\\proxygate', cache: 'D:\\ada\\.cache\\proxygate' });
    expect(dirs('win32', { USERPROFILE: 'C:\\Users\\ada' }).config).toBe('C:\\Users\\ada\\.config\\proxygate');
    // XDG variables (set by MSYS2 or by hand) come first, as in oclif.
    expect(dirs('win32', { LOCALAPPDATA: local, XDG_DATA_HOME: 'E:\\data' }).data).toBe('E:\\data\\proxygate');
  });

  it('PROXYGATE_CONFIG_DIR / _DATA_DIR / _CACHE_DIR win on every platform, used as given; empty counts as unset', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(dirs(platform, { HOME: '/h', LOCALAPPDATA: 'C:\\L', PROXYGATE_CONFIG_DIR: '/pc', PROXYGATE_DATA_DIR: '/pd', PROXYGATE_CACHE_DIR: '/pk' })).toEqual({ config: '/pc', data: '/pd', cache: '/pk' });
      expect(dirs(platform, { HOME: '/h', PROXYGATE_CONFIG_DIR: '' }).config).toBe(platform === 'win32' ? '\\h\\.config\\proxygate' : '/h/.config/proxygate');
    }
  });

  it('credentials, key pins and the receipts log use them', () => {
    expect(configDir({ PROXYGATE_CONFIG_DIR: '/pc' })).toBe('/pc');
    expect(dataDir({ PROXYGATE_DATA_DIR: '/pd' })).toBe('/pd');
    expect(receiptLogDir('default', { PROXYGATE_DATA_DIR: '/pd' })).toBe('/pd/receipts/default');
    expect(configDir({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe(userDir('config', { env: { HOME: '/h', XDG_CONFIG_HOME: '/x' } }));
  });
});

describe('the start-up code cache (bin/fast-path-loader.cjs) lives in the same cache directory', () => {
  const { cacheDir } = createRequire(import.meta.url)(fileURLToPath(new URL('../../bin/fast-path-loader.cjs', import.meta.url))) as {
    cacheDir: (env: Env, platform: NodeJS.Platform, homedir: () => string) => string | undefined;
  };
  const envs: Env[] = [
    { HOME: '/home/ada' },
    {},
    { HOME: '/home/ada', XDG_CACHE_HOME: '/x/k' },
    { USERPROFILE: 'C:\\Users\\ada', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' },
    { HOMEDRIVE: 'D:', HOMEPATH: '\\ada', USERPROFILE: 'C:\\Users\\ada' },
    { HOME: '/home/ada', LOCALAPPDATA: 'C:\\L', XDG_CACHE_HOME: '' },
    { HOME: '/home/ada', LOCALAPPDATA: 'C:\\L', PROXYGATE_CACHE_DIR: '/pk' },
  ];
  it.each((['linux', 'darwin', 'win32'] as const).flatMap((platform) => envs.map((env) => [platform, env] as const)))('%s with %j', (platform, env) => {
    expect(cacheDir(env, platform, () => OS_HOME)).toBe(userDir('cache', { env, platform, homedir: () => OS_HOME }));
  });

  it('on Windows the code cache is kept only in %LOCALAPPDATA% or PROXYGATE_CACHE_DIR (no ownership check there)', () => {
    const { cacheFile } = createRequire(import.meta.url)(fileURLToPath(new URL('../../bin/fast-path-loader.cjs', import.meta.url))) as {
      cacheFile: (env: Env, prefix: string, key: string | undefined, platform: NodeJS.Platform) => string | undefined;
    };
    expect(cacheFile({ LOCALAPPDATA: 'C:\\L', USERPROFILE: 'C:\\U' }, 'verify', undefined, 'win32')).toMatch(/^C:\\L\\proxygate[\\/]verify-.*\.v8cache$/);
    expect(cacheFile({ LOCALAPPDATA: 'C:\\L', XDG_CACHE_HOME: 'H:\\shared' }, 'verify', undefined, 'win32')).toBeUndefined();
    expect(cacheFile({ HOMEDRIVE: 'H:', HOMEPATH: '\\ada' }, 'verify', undefined, 'win32')).toBeUndefined();
    expect(cacheFile({ PROXYGATE_CACHE_DIR: 'D:\\pk' }, 'verify', undefined, 'win32')).toMatch(/^D:\\pk[\\/]verify-/);
    // Elsewhere the directory's owner and mode are checked when the cache is read: any of oclif's places.
    expect(cacheFile({ HOME: '/home/ada', XDG_CACHE_HOME: '/x/k' }, 'verify', undefined, 'linux')).toMatch(/^\/x\/k\/proxygate\/verify-/);
  });

  it('no home at all: no cache (user-dirs would fall back to the shared temp dir)', () => {
    expect(cacheDir({}, 'linux', () => '')).toBeUndefined();
    expect(cacheDir({ LOCALAPPDATA: 'C:\\L' }, 'win32', () => '')).toBe('C:\\L\\proxygate');
  });
});

describe('the same directories as oclif\'s Config', () => {
  const oclifOs = createRequire(import.meta.url)(fileURLToPath(new URL('../../../node_modules/@oclif/core/lib/util/os.js', import.meta.url))) as {
    getPlatform: () => Promise<NodeJS.Platform>;
    getHomeDir: () => string;
  };
  // A root with the CLI's oclif bin and dirname and nothing else: no commands or plugins to load
  // (so this does not depend on a build of the CLI).
  const pjson = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { oclif: { bin: string; dirname: string } };
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pg-dirs-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'proxygate-dirs-probe', version: '0.0.0', oclif: { bin: pjson.oclif.bin, dirname: pjson.oclif.dirname } }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  const cases: Array<[NodeJS.Platform, Env]> = [];
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    cases.push(
      [platform, { HOME: '/home/ada' }],
      [platform, {}],
      [platform, { HOME: '/home/ada', XDG_CONFIG_HOME: '/x/c', XDG_DATA_HOME: '/x/d', XDG_CACHE_HOME: '/x/k' }],
      [platform, { USERPROFILE: '/users/ada', LOCALAPPDATA: '/appdata/local' }],
      [platform, { HOMEDRIVE: '/d', HOMEPATH: '/ada', USERPROFILE: '/users/ada' }],
      [platform, { HOME: '/home/ada', LOCALAPPDATA: '/appdata/local', PROXYGATE_CONFIG_DIR: '/pc', PROXYGATE_DATA_DIR: '/pd', PROXYGATE_CACHE_DIR: '/pk' }],
    );
  }

  it.each(cases)('%s with %j', async (platform, env) => {
    vi.spyOn(oclifOs, 'getPlatform').mockResolvedValue(platform);
    vi.spyOn(oclifOs, 'getHomeDir').mockReturnValue(OS_HOME);
    for (const name of VARIABLES) vi.stubEnv(name, env[name] ?? '');
    const config = await Config.load({ root });
    expect(config.platform).toBe(platform);
    const ours = dirs(platform, env);
    // oclif joins with the host's separator; ours with the platform's.
    const slash = (p: string) => p.replace(/\\/g, '/');
    const theirs: Record<UserDirKind, string> = { config: config.configDir, data: config.dataDir, cache: config.cacheDir };
    for (const kind of ['config', 'data', 'cache'] as const) expect(slash(ours[kind]!), kind).toBe(slash(theirs[kind]));
  });
});
