import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, posix, win32 } from 'node:path';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/**
 * The MCP hosts `mcp config` knows: where each keeps its user-level server list (per platform),
 * under which key, and the shape of one stdio entry. The entry runs `proxygate mcp serve`; it
 * never holds a token (the server reads the profile's keychain entry, or PROXYGATE_API_KEY).
 */
export const MCP_CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'generic'] as const;
export type McpClientName = (typeof MCP_CLIENTS)[number];

type Env = Record<string, string | undefined>;
type Platform = NodeJS.Platform;

export interface ServerCommand {
  command: string;
  args: string[];
}

/** The key the host lists its servers under: VS Code's `mcp.json` says `servers`, the others `mcpServers`. */
export function serversKey(client: McpClientName): 'servers' | 'mcpServers' {
  return client === 'vscode' ? 'servers' : 'mcpServers';
}

/** One server entry as the host reads it. */
export function serverEntry(client: McpClientName, run: ServerCommand): Record<string, unknown> {
  // Claude Code and VS Code name the transport; Claude Desktop and Cursor infer stdio from `command`.
  const typed = client === 'claude-code' || client === 'vscode';
  return { ...(typed ? { type: 'stdio' } : {}), command: run.command, args: run.args };
}

/**
 * The host's user-level configuration file on `platform`, or undefined (`generic`: pass
 * --config-file). Claude Desktop documents macOS and Windows; on Linux the same app layout under
 * $XDG_CONFIG_HOME is used. VS Code: the default profile's user `mcp.json`.
 */
export function configFileFor(client: McpClientName, platform: Platform = process.platform, env: Env = process.env): string | undefined {
  const path = platform === 'win32' ? win32 : posix;
  const home = env['HOME'] && platform !== 'win32' ? env['HOME'] : (env['USERPROFILE'] ?? env['HOME'] ?? homedir());
  const appData = env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming');
  const xdgConfig = env['XDG_CONFIG_HOME'] || path.join(home, '.config');
  const appDir = (name: string) =>
    platform === 'darwin' ? path.join(home, 'Library', 'Application Support', name) : platform === 'win32' ? path.join(appData, name) : path.join(xdgConfig, name);
  switch (client) {
    case 'claude-desktop':
      return path.join(appDir('Claude'), 'claude_desktop_config.json');
    case 'claude-code':
      return path.join(home, '.claude.json');
    case 'cursor':
      return path.join(home, '.cursor', 'mcp.json');
    case 'vscode':
      return path.join(appDir('Code'), 'User', 'mcp.json');
    case 'generic':
      return undefined;
  }
}

export class ConfigFileError extends CliError {}

/** `{ key: { name: entry } }` merged into the file's text; every other setting is kept as it was. */
export function mergeServer(existing: string | undefined, file: string, key: string, name: string, entry: Record<string, unknown>): { text: string; previous: unknown; unchanged: boolean } {
  let config: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing.replace(/^\uFEFF/, ''));
    } catch {
      throw new ConfigFileError('config_unparsable', `${file} is not plain JSON (comments or a syntax error?); nothing was written`, ExitCode.failure, 'add the printed entry by hand, or fix the file and run again');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigFileError('config_unparsable', `${file} does not hold a JSON object; nothing was written`, ExitCode.failure, 'add the printed entry by hand');
    }
    config = parsed as Record<string, unknown>;
  }
  const servers = config[key];
  if (servers !== undefined && (typeof servers !== 'object' || servers === null || Array.isArray(servers))) {
    throw new ConfigFileError('config_unparsable', `"${key}" in ${file} is not an object; nothing was written`, ExitCode.failure, 'add the printed entry by hand');
  }
  const list = { ...((servers as Record<string, unknown> | undefined) ?? {}) };
  const previous = list[name];
  const unchanged = previous !== undefined && JSON.stringify(previous) === JSON.stringify(entry);
  list[name] = entry;
  config[key] = list;
  return { text: `${JSON.stringify(config, null, 2)}\n`, previous, unchanged };
}

export interface WriteOutcome {
  file: string;
  /** The copy of the file as it was, when there was one and it changed. */
  backup: string | undefined;
  created: boolean;
  replaced: boolean;
  unchanged: boolean;
}

/**
 * Reads, merges and writes `file` all at once: the new text goes to a file beside it, then is
 * renamed over it (a host reading it meanwhile sees the old or the new, never half); the old file
 * is first copied to `<file>.proxygate-backup-<UTC time>`. A file that is not plain JSON is left
 * alone.
 */
export async function writeClientConfig(file: string, key: string, name: string, entry: Record<string, unknown>, now = new Date()): Promise<WriteOutcome> {
  let existing: string | undefined;
  try {
    existing = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannot(file, 'read', error);
  }
  const merged = mergeServer(existing, file, key, name, entry);
  if (merged.unchanged) return { file, backup: undefined, created: false, replaced: false, unchanged: true };
  let backup: string | undefined;
  try {
    await mkdir(dirname(file), { recursive: true });
    const mode = existing === undefined ? 0o600 : ((await stat(file)).mode & 0o777);
    if (existing !== undefined) {
      backup = `${file}.proxygate-backup-${now.toISOString().replace(/[:.]/g, '-')}`;
      await copyFile(file, backup, constants.COPYFILE_EXCL);
    }
    const temp = `${file}.${process.pid}.${now.getTime()}.tmp`;
    try {
      await writeFile(temp, merged.text, { mode });
      await rename(temp, file);
    } finally {
      await rm(temp, { force: true });
    }
  } catch (error) {
    throw cannot(file, 'write', error);
  }
  return { file, backup, created: existing === undefined, replaced: merged.previous !== undefined, unchanged: false };
}

function cannot(file: string, what: string, error: unknown): CliError {
  const code = (error as { code?: unknown }).code;
  return new ConfigFileError('config_unwritable', `cannot ${what} ${file}${typeof code === 'string' ? ` (${code})` : ''}; nothing was changed`, ExitCode.failure, 'check the path and its permissions, or pass --config-file');
}

/** A command line for people (POSIX shell quoting). */
export function shellLine(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
