import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { BaseCommand, DEFAULT_GATEWAY_URL } from '../../lib/base-command.js';
import { DEFAULT_PROFILE } from '../../lib/credentials.js';
import { UsageError } from '../../lib/errors.js';
import { parseUsdFlag } from '../../lib/money.js';

const CLIENTS = ['generic', 'claude-code', 'claude-desktop', 'cursor', 'vscode'] as const;

export default class McpConfig extends BaseCommand {
  static override summary = 'print (or --write) an MCP client configuration that runs "proxygate mcp serve"';
  static override description = `Prints the entry an MCP host needs to start "proxygate mcp serve" on stdio, in that host's format.
The entry runs this very installation: the absolute path of the Node.js running it and of the
proxygate script (a GUI app's PATH often finds neither), so nothing is downloaded at start;
--npx prints "npx -y @proxygate-kit/cli@<this version>" instead (portable, fetched once by npx).
No token is ever written: the server reads the profile's key from the OS keychain ("proxygate
login") or PROXYGATE_API_KEY from the host's environment. Serve flags given here (--read-only,
--max-spend, --max-spend-per-day, --allow-listing, --shield, --profile, --gateway) go into the entry.

--write merges the entry into the host's user configuration file (claude-desktop: the
claude_desktop_config.json of the app's directory; claude-code: ~/.claude.json; cursor:
~/.cursor/mcp.json; vscode: the user mcp.json; --config-file FILE for any other or for generic):
the file is read, the entry set under its name (--name, default proxygate) with every other setting
kept, and written all at once after a timestamped backup copy. A file that is not plain JSON
(comments, a syntax error) is left untouched (exit 1).`;
  static override examples = [
    '<%= config.bin %> mcp config --client claude-desktop',
    '<%= config.bin %> mcp config --client cursor --write --max-spend-per-day 5',
    '<%= config.bin %> mcp config --client vscode --read-only --npx',
    '<%= config.bin %> mcp config --client generic --write --config-file ./mcp.json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    client: Flags.string({ description: 'the MCP host', options: [...CLIENTS], default: 'generic' }),
    write: Flags.boolean({ description: "merge the entry into the host's configuration file (after a backup)" }),
    'config-file': Flags.string({ description: 'with --write: this file instead of the host\'s default' }),
    name: Flags.string({ description: 'the server name in the host configuration', default: 'proxygate' }),
    npx: Flags.boolean({ description: 'run "npx -y @proxygate-kit/cli@<version>" instead of this installation' }),
    'read-only': Flags.boolean({ description: 'serve with --read-only' }),
    'max-spend': Flags.string({ description: 'serve with --max-spend USD' }),
    'max-spend-per-day': Flags.string({ description: 'serve with --max-spend-per-day USD' }),
    'allow-listing': Flags.string({ description: 'serve with --allow-listing REF (repeatable)', multiple: true }),
    shield: Flags.string({ description: 'serve with --shield MODE', options: ['off', 'monitor', 'strict'] }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(McpConfig);
    if (flags['api-key'] !== undefined) {
      throw new UsageError('mcp config never writes a token, so it takes no --api-key', 'run "proxygate login": the server reads the key from the OS keychain');
    }
    if (flags['config-file'] && !flags.write) throw new UsageError('--config-file needs --write');
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(flags.name)) throw new UsageError(`--name must be 1..64 letters, digits, "_", "." or "-" (got "${flags.name.slice(0, 70)}")`);
    for (const flag of ['max-spend', 'max-spend-per-day'] as const) {
      const value = flags[flag];
      if (value !== undefined) await parseUsdFlag(flag, value);
    }
    const { configFileFor, serverEntry, serversKey, shellLine, writeClientConfig } = await import('../../lib/mcp-serve/client-config.js');
    const client = flags.client as (typeof CLIENTS)[number];

    const serveArgs = ['mcp', 'serve'];
    const profile = flags.profile ?? process.env['PROXYGATE_PROFILE'];
    if (profile && profile !== DEFAULT_PROFILE) serveArgs.push('--profile', profile);
    // A gateway named here (flag or environment) would not reach the host: it goes in the entry.
    const gateway = flags.gateway ?? process.env['PROXYGATE_GATEWAY_URL'];
    if (gateway && gateway.replace(/\/+$/, '') !== DEFAULT_GATEWAY_URL) serveArgs.push('--gateway', gateway.replace(/\/+$/, ''));
    if (flags['read-only']) serveArgs.push('--read-only');
    if (flags['max-spend']) serveArgs.push('--max-spend', flags['max-spend']);
    if (flags['max-spend-per-day']) serveArgs.push('--max-spend-per-day', flags['max-spend-per-day']);
    for (const ref of flags['allow-listing'] ?? []) serveArgs.push('--allow-listing', ref);
    if (flags.shield) serveArgs.push('--shield', flags.shield);

    const run = flags.npx
      ? { command: 'npx', args: ['-y', `@proxygate-kit/cli@${this.config.version}`, ...serveArgs] }
      : { command: process.execPath, args: [join(this.config.root, 'bin', 'run.cjs'), ...serveArgs] };
    const entry = serverEntry(client, run);
    const key = serversKey(client);
    const snippet = { [key]: { [flags.name]: entry } };

    const auth = await this.resolveAuth(flags);
    if (auth.source === 'env') {
      this.note(`note: PROXYGATE_API_KEY is set in this shell, but the host starts the server with its own environment: run "proxygate login${profile && profile !== DEFAULT_PROFILE ? ` --profile ${profile}` : ''}" so the profile holds the key, or set PROXYGATE_API_KEY in the host's settings`);
    } else if (auth.source === 'none') {
      this.note(`note: profile "${auth.profile}" holds no key yet: run "proxygate login" before the host starts the server`);
    }
    if (client === 'claude-code') this.note(`or: ${shellLine(['claude', 'mcp', 'add', '--scope', 'user', flags.name, '--', run.command, ...run.args])}`);

    if (!flags.write) {
      this.out(JSON.stringify(snippet, null, 2));
      return { client, config: snippet };
    }
    const file = flags['config-file'] ?? configFileFor(client);
    if (!file) throw new UsageError('--client generic has no default configuration file', 'pass --config-file FILE');
    const outcome = await writeClientConfig(file, key, flags.name, entry);
    if (outcome.unchanged) this.note(`${file} already has this "${flags.name}" entry; nothing was written`);
    else {
      const what = outcome.created ? `created ${file} with the "${flags.name}" entry` : `${outcome.replaced ? 'replaced' : 'added'} the "${flags.name}" entry in ${file}`;
      this.note(`${what}${outcome.backup ? ` (the previous file is kept in ${outcome.backup})` : ''}; restart the host to load it`);
    }
    this.out(JSON.stringify(snippet, null, 2));
    return { client, config: snippet, file, written: !outcome.unchanged, backup: outcome.backup ?? null, replaced: outcome.replaced };
  }
}
