import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFileFor } from '../../../src/lib/mcp-serve/client-config.js';
import { isolatedEnv } from '../../helpers/run.js';
import { cli } from '../../helpers/run.js';

const runScript = fileURLToPath(new URL('../../../bin/run.cjs', import.meta.url));

describe('mcp config', () => {
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  const token = `pg_live_${'k'.repeat(40)}`;
  beforeEach(async () => {
    env = await isolatedEnv({ PROXYGATE_API_KEY: token });
  });
  afterEach(() => env.restore());

  it('prints, per host, an entry that runs this installation of "proxygate mcp serve", never the token', async () => {
    const shapes = {
      generic: { key: 'mcpServers', type: undefined },
      'claude-desktop': { key: 'mcpServers', type: undefined },
      cursor: { key: 'mcpServers', type: undefined },
      'claude-code': { key: 'mcpServers', type: 'stdio' },
      vscode: { key: 'servers', type: 'stdio' },
    } as const;
    for (const [client, shape] of Object.entries(shapes)) {
      const r = await cli(['mcp', 'config', '--client', client]);
      expect(r.exitCode, r.stderr).toBe(0);
      const entry = JSON.parse(r.stdout)[shape.key].proxygate;
      expect(entry).toEqual({ ...(shape.type ? { type: shape.type } : {}), command: process.execPath, args: [runScript, 'mcp', 'serve'] });
      expect(r.stdout + r.stderr).not.toContain(token);
      expect(r.stdout).not.toMatch(/mcp-remote|PROXYGATE_API_KEY/);
      // The shell's env key does not reach a host: the note says how the server gets one.
      expect(r.stderr).toContain('proxygate login');
    }
    const code = await cli(['mcp', 'config', '--client', 'claude-code']);
    expect(code.stderr).toContain(`or: claude mcp add --scope user proxygate -- ${process.execPath} ${runScript} mcp serve`);
  });

  it('puts the serve flags (and a non-default profile and gateway) in the entry; --npx pins this version', async () => {
    const r = await cli([
      'mcp', 'config', '--client', 'cursor', '--npx', '--profile', 'agent', '--gateway', 'http://127.0.0.1:9/',
      '--read-only', '--max-spend', '1.5', '--max-spend-per-day', '5', '--allow-listing', 'skycast/weather-current', '--allow-listing', 'echo', '--shield', 'monitor',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const version = JSON.parse(await readFile(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')).version as string;
    expect(JSON.parse(r.stdout).mcpServers.proxygate).toEqual({
      command: 'npx',
      args: [
        '-y', `@proxygate-kit/cli@${version}`, 'mcp', 'serve', '--profile', 'agent', '--gateway', 'http://127.0.0.1:9', '--read-only',
        '--max-spend', '1.5', '--max-spend-per-day', '5', '--allow-listing', 'skycast/weather-current', '--allow-listing', 'echo', '--shield', 'monitor',
      ],
    });
    const bad = await cli(['mcp', 'config', '--max-spend', '0.0000001']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^usage_error: --max-spend is not an amount of USD with at most 6 decimals/);
    const key = await cli(['mcp', 'config', '--api-key', token]);
    expect(key.exitCode).toBe(2);
    expect(key.stderr).not.toContain(token);
  });

  it('--write merges into an existing file, keeps every other setting, backs the old file up, keeps its mode', async () => {
    const file = join(env.dir, 'claude_desktop_config.json');
    const before = `${JSON.stringify({ globalShortcut: 'Ctrl+Space', mcpServers: { other: { command: 'other-server', args: ['--x'] } } }, null, 4)}\n`;
    await writeFile(file, before, { mode: 0o640 });
    const r = await cli(['mcp', 'config', '--client', 'claude-desktop', '--write', '--config-file', file, '--max-spend-per-day', '2']);
    expect(r.exitCode, r.stderr).toBe(0);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.globalShortcut).toBe('Ctrl+Space');
    expect(after.mcpServers.other).toEqual({ command: 'other-server', args: ['--x'] });
    expect(after.mcpServers.proxygate.args).toEqual([runScript, 'mcp', 'serve', '--max-spend-per-day', '2']);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    const backups = (await readdir(env.dir)).filter((n) => n.startsWith('claude_desktop_config.json.proxygate-backup-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(env.dir, backups[0]!), 'utf8')).toBe(before);
    expect(r.stderr).toMatch(/added the "proxygate" entry in .*claude_desktop_config\.json \(the previous file is kept in .*proxygate-backup-/);
    // The same entry again: nothing written, no second backup.
    const again = await cli(['mcp', 'config', '--client', 'claude-desktop', '--write', '--config-file', file, '--max-spend-per-day', '2']);
    expect(again.stderr).toContain('already has this "proxygate" entry; nothing was written');
    expect((await readdir(env.dir)).filter((n) => n.includes('proxygate-backup-'))).toHaveLength(1);
  });

  it('--write refuses a file it cannot parse (JSON with comments) and leaves it alone', async () => {
    const file = join(env.dir, 'mcp.json');
    const jsonc = '{\n  // my servers\n  "servers": {}\n}\n';
    await writeFile(file, jsonc);
    const r = await cli(['mcp', 'config', '--client', 'vscode', '--write', '--config-file', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^config_unparsable: .*mcp\.json is not plain JSON \(comments or a syntax error\?\); nothing was written/m);
    expect(await readFile(file, 'utf8')).toBe(jsonc);
    expect((await readdir(env.dir)).filter((n) => n.includes('backup'))).toEqual([]);
  });

  it('--write creates the host file at its default place (Linux: XDG for Claude Desktop and VS Code, ~/.cursor, ~/.claude.json)', async () => {
    const home = join(env.dir, 'home');
    await mkdir(home);
    const saved = { HOME: process.env['HOME'], XDG_CONFIG_HOME: process.env['XDG_CONFIG_HOME'] };
    process.env['HOME'] = home;
    process.env['XDG_CONFIG_HOME'] = join(home, 'xdg');
    try {
      const expected = {
        'claude-desktop': join(home, 'xdg', 'Claude', 'claude_desktop_config.json'),
        vscode: join(home, 'xdg', 'Code', 'User', 'mcp.json'),
        cursor: join(home, '.cursor', 'mcp.json'),
        'claude-code': join(home, '.claude.json'),
      };
      for (const [client, file] of Object.entries(expected)) {
        if (process.platform !== 'linux') break;
        const r = await cli(['mcp', 'config', '--client', client, '--write']);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stderr).toContain(`created ${file} with the "proxygate" entry`);
        const written = JSON.parse(await readFile(file, 'utf8'));
        expect(written[client === 'vscode' ? 'servers' : 'mcpServers'].proxygate.command).toBe(process.execPath);
        expect((await stat(file)).mode & 0o077).toBe(0);
      }
      const generic = await cli(['mcp', 'config', '--write']);
      expect(generic.exitCode).toBe(2);
      expect(generic.stderr).toContain('pass --config-file FILE');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('knows each host file on macOS and Windows too', () => {
    expect(configFileFor('claude-desktop', 'darwin', { HOME: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/Claude/claude_desktop_config.json');
    expect(configFileFor('vscode', 'darwin', { HOME: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/Code/User/mcp.json');
    expect(configFileFor('cursor', 'darwin', { HOME: '/Users/ada' })).toBe('/Users/ada/.cursor/mcp.json');
    const win = { USERPROFILE: 'C:\\Users\\ada', APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' };
    expect(configFileFor('claude-desktop', 'win32', win)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
    expect(configFileFor('vscode', 'win32', win)).toBe('C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\mcp.json');
    expect(configFileFor('claude-code', 'win32', win)).toBe('C:\\Users\\ada\\.claude.json');
    expect(configFileFor('cursor', 'win32', win)).toBe('C:\\Users\\ada\\.cursor\\mcp.json');
    expect(configFileFor('generic', 'linux', {})).toBeUndefined();
  });
});
