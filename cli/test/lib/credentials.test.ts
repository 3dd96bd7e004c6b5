// The file credential store: private file modes, profiles saved, read back and removed.
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteProfile, loadProfile, saveProfile, listProfiles } from '../../src/lib/credentials.js';
import { maskToken } from '../../src/lib/redact.js';

const fakeKey = () => `pg_live_${'Ab3'.repeat(10)}${Math.random().toString(36).slice(2, 4)}`;

describe('credentials store (file backend)', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-cred-'));
    env = { PROXYGATE_CONFIG_DIR: join(dir, 'cfg'), PROXYGATE_CREDENTIAL_STORE: 'file' };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes credentials.json 0600 in a 0700 directory and reads profiles back', async () => {
    const key = fakeKey();
    const saved = await saveProfile('ci', key, 'http://127.0.0.1:9', env);
    expect(saved.storage).toBe('file');
    const file = join(dir, 'cfg', 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'cfg'))).mode & 0o777).toBe(0o700);
    const loaded = await loadProfile('ci', env);
    expect(loaded?.apiKey).toBe(key);
    expect(loaded?.entry.gateway_url).toBe('http://127.0.0.1:9');
    expect(loaded?.entry.token_hint).toBe(maskToken(key));
    expect(await loadProfile('default', env)).toBeUndefined();
    expect(await listProfiles(env)).toEqual(['ci']);
    expect(await deleteProfile('ci', env)).toBe(true);
    expect(await deleteProfile('ci', env)).toBe(false);
    expect(JSON.parse(await readFile(file, 'utf8')).profiles).toEqual({});
  });

  it('tightens a credentials file left readable by others', async () => {
    await saveProfile('default', fakeKey(), undefined, env);
    const file = join(dir, 'cfg', 'credentials.json');
    await chmod(file, 0o644);
    await loadProfile('default', env);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
