import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, isolatedEnv } from './helpers/run.js';

const key = () => `pg_live_${'Zx9'.repeat(10)}${Math.random().toString(36).slice(2, 4)}`;

describe('commands that need no gateway', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  beforeEach(async () => {
    env = await isolatedEnv();
  });
  afterEach(() => env.restore());

  it('whoami without any key exits 4 with one line and an action', async () => {
    const r = await cli(['whoami']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^unauthorized: .+\(run "proxygate login"/);
    expect(r.stdout).toBe('');
  });

  it('--json errors also go to stdout as an object', async () => {
    const r = await cli(['balance', '--json']);
    expect(r.exitCode).toBe(4);
    expect(JSON.parse(r.stdout)).toEqual({ error: expect.objectContaining({ code: 'unauthorized', exit_code: 4 }) });
  });

  it('PROXYGATE_CONTENT_TYPE=json turns --json on for every data command', async () => {
    process.env['PROXYGATE_CONTENT_TYPE'] = 'json';
    const r = await cli(['whoami']);
    expect(r.exitCode).toBe(4);
    expect(JSON.parse(r.stdout).error.code).toBe('unauthorized');
  });

  it('usage errors exit 2: missing argument, bad flag value, unknown flag', async () => {
    expect((await cli(['apis', 'show'])).exitCode).toBe(2);
    expect((await cli(['apis', '--limit', '500'])).exitCode).toBe(2);
    const unknown = await cli(['balance', '--frobnicate']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^usage_error: /);
    expect((await cli(['rate', 'req_1'])).exitCode).toBe(2);
    expect((await cli(['api', 'GET', 'https://evil.example/v1/balance'])).exitCode).toBe(2);
  });

  it('login --no-verify stores the key 0600 and never prints it; logout forgets it', async () => {
    const secret = key();
    const r = await cli(['login', '--key', secret, '--no-verify', '--profile', 'ci', '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ profile: 'ci', storage: 'file', key: `pg_live_…${secret.slice(-4)}` });
    expect((await stat(join(env.dir, 'config', 'credentials.json'))).mode & 0o777).toBe(0o600);
    const bye = await cli(['logout', '--profile', 'ci', '--json']);
    expect(JSON.parse(bye.stdout)).toEqual({ profile: 'ci', removed: true });
    expect(JSON.parse((await cli(['logout', '--profile', 'ci', '--json'])).stdout)).toEqual({ profile: 'ci', removed: false });
  });

  it('login rejects something that is not a key, without echoing it', async () => {
    const r = await cli(['login', '--key', 'hunter2-not-a-key', '--no-verify']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toContain('hunter2');
  });
});
