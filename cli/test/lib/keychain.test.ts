import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, isolatedEnv } from '../helpers/run.js';

// A stand-in `secret-tool` on PATH (the real one needs a D-Bus session): it keeps secrets in a
// file of its own, so the test can check they never land in credentials.json.
const FAKE_SECRET_TOOL = `#!/bin/sh
store="$FAKE_KEYRING"
case "$1" in
  store) shift; label="$1"; shift; secret=$(cat); printf '%s\\t%s\\n' "$*" "$secret" >> "$store" ;;
  lookup) shift; grep -F "$*	" "$store" 2>/dev/null | tail -n 1 | cut -f 2 | tr -d '\\n' ;;
  clear) shift; if [ -f "$store" ]; then grep -v -F "$*	" "$store" > "$store.tmp"; mv "$store.tmp" "$store"; fi ;;
esac
`;

const key = () => `pg_live_${'Kc4'.repeat(10)}${Math.random().toString(36).slice(2, 4)}`;

describe.skipIf(process.platform !== 'linux')('keychain storage (Secret Service via secret-tool)', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  const path = process.env['PATH'];
  beforeEach(async () => {
    env = await isolatedEnv();
    delete process.env['PROXYGATE_CREDENTIAL_STORE'];
  });
  afterEach(async () => {
    process.env['PATH'] = path;
    delete process.env['FAKE_KEYRING'];
    await env.restore();
  });

  async function installTool(script: string): Promise<string> {
    const bin = join(env.dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'secret-tool'), script);
    await chmod(join(bin, 'secret-tool'), 0o755);
    process.env['PATH'] = `${bin}:${process.env['PATH'] ?? ''}`;
    return join(env.dir, 'keyring');
  }

  it('login keeps the secret in the keyring, not in credentials.json; whoami says where; logout clears it', async () => {
    const ring = await installTool(FAKE_SECRET_TOOL);
    process.env['FAKE_KEYRING'] = ring;
    const secret = key();
    const login = await cli(['login', '--key', secret, '--no-verify', '--json']);
    expect(login.exitCode).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ storage: 'keychain', stored_in: expect.stringContaining('Secret Service') });
    const file = await readFile(join(env.dir, 'config', 'credentials.json'), 'utf8');
    expect(file).not.toContain(secret);
    expect(await readFile(ring, 'utf8')).toContain(secret);
    const { loadProfile } = await import('../../src/lib/credentials.js');
    expect((await loadProfile('default'))?.apiKey).toBe(secret);
    expect(await cli(['logout', '--json'])).toMatchObject({ exitCode: 0 });
    expect(await readFile(ring, 'utf8')).not.toContain(secret);
  });

  it('a keyring that hangs is abandoned after 3 s and the file store is used', async () => {
    // The keyring never answers within the test's timeout (20 s): a login that waited for it
    // would fail the test by timing out, so no clock is read here.
    await installTool('#!/bin/sh\nexec sleep 600\n');
    const secret = key();
    const login = await cli(['login', '--key', secret, '--no-verify', '--json']);
    expect(login.exitCode).toBe(0);
    expect(JSON.parse(login.stdout).storage).toBe('file');
  });
});
