import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { allowLegacyReceiptsFlag } from '../../lib/legacy-receipts-flag.js';

export default class McpServe extends BaseCommand {
  static override summary = "a local MCP server for any MCP client, fronting the gateway with the kit's protections";
  static override description = `Serves the gateway's MCP tools to an MCP host (Claude Desktop, Claude Code, Cursor, VS Code, the
MCP Inspector) on stdio, or with --http on 127.0.0.1. On every call it adds what the kit adds to
its own clients:

  - spending tools refused locally when the token lacks "trade" ("proxy" on the public gateway)
    or with --read-only (call_api and rate_seller): nothing is sent;
  - tool pinning: the definitions are pinned on the first run (--pins FILE, default in the
    profile's config directory); a tool whose definition changes is blocked (not listed, calls
    refused) until a person runs "proxygate mcp pin", which shows the change;
  - every call_api receipt verified offline against the pinned keys (--keys FILE, else the
    profile's pin, pinned now on first use) and kept in the receipts log (--receipts FILE
    instead), trail format, for "proxygate receipts verify/audit"; an answer whose receipt does
    not verify is withheld;
  - the shield verdict in each result, and every result handed over as untrusted data between
    lines with a random per-call marker; the shield mode is at least --shield (default strict);
  - a budget: --max-spend USD per session, --max-spend-per-day USD per UTC day (shared by every
    server of this profile and gateway on the machine), exact; a call that could exceed what is
    left is refused before sending (the price plus the shield surcharge), and what counts is the
    receipt's amount; --allow-listing REF (repeatable) refuses any other listing.

The token comes from the stored profile ("proxygate login": the OS keychain) or PROXYGATE_API_KEY,
never from a flag (--api-key is refused) or a client's config file ("proxygate mcp config" writes
none). Diagnostics go to stderr; stdout carries only the protocol. A failure at start is one line
and an exit code: 2 a bad flag, pins or keys file, 4 no token (or one the gateway refuses), 1 the
gateway unreachable (see "proxygate help exit-codes").

With --http the server listens on 127.0.0.1 (--port, 0 picks a free one) at /mcp, refuses requests
whose Host or Origin is not this server (DNS rebinding), and requires the bearer token it prints
once on stderr at start.`;
  static override examples = [
    '<%= config.bin %> mcp serve',
    '<%= config.bin %> mcp serve --max-spend 1.00 --max-spend-per-day 5 --allow-listing skycast/weather-current',
    '<%= config.bin %> mcp serve --read-only',
    '<%= config.bin %> mcp serve --http --port 8765',
  ];
  static override flags = {
    http: Flags.boolean({ description: 'serve streamable HTTP on 127.0.0.1 instead of stdio (bearer token printed once on stderr)' }),
    port: Flags.integer({ description: 'with --http: the port (0 picks a free one)', default: 0, min: 0, max: 65_535 }),
    pins: Flags.string({ description: "the MCP tool pins (created on the first run; default: in the profile's config directory)" }),
    keys: Flags.string({ description: 'verify receipts against this key set instead of the pinned keys [env: PROXYGATE_RECEIPT_KEYS]' }),
    'allow-legacy-receipts': allowLegacyReceiptsFlag,
    receipts: Flags.string({ description: "append the receipts to this JSON Lines file instead of the profile's receipts log" }),
    'read-only': Flags.boolean({ description: 'refuse call_api and rate_seller locally' }),
    'max-spend': Flags.string({ description: 'most this session may spend, USD (at most 6 decimals)' }),
    'max-spend-per-day': Flags.string({ description: 'most every server of this profile and gateway may spend per UTC day, USD' }),
    'allow-listing': Flags.string({ description: 'the only listings call_api may use (repeatable; a listing id, SELLER/SLUG, slug or service)', multiple: true }),
    shield: Flags.string({ description: 'the weakest shield mode a call may use (a call asking for less gets this)', options: ['off', 'monitor', 'strict'], default: 'strict' }),
    structured: Flags.boolean({ description: "also pass the tools' outputSchema and structuredContent (a host may show them to the model unwrapped)" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(McpServe);
    if (flags['api-key'] !== undefined) {
      throw new UsageError(
        'mcp serve does not take --api-key: a flag shows in process lists and ends up in MCP client config files',
        'run "proxygate login" (the key goes to the OS keychain) or set PROXYGATE_API_KEY in the environment',
      );
    }
    if (!flags.http && flags.port !== 0) throw new UsageError('--port needs --http');
    const { startServe, usdSetting } = await import('../../lib/mcp-serve/start.js');
    const settings = {
      pins: flags.pins,
      keys: flags.keys,
      allowLegacyReceipts: flags['allow-legacy-receipts'],
      receipts: flags.receipts,
      readOnly: flags['read-only'],
      sessionMaxMicroUsd: await usdSetting('max-spend', flags['max-spend']),
      dailyMaxMicroUsd: await usdSetting('max-spend-per-day', flags['max-spend-per-day']),
      allowListings: flags['allow-listing'] ?? [],
      shield: flags.shield as 'off' | 'monitor' | 'strict',
      structured: flags.structured,
    };
    const auth = await this.resolveAuth(flags);
    if (!auth.apiKey) {
      throw new CliError('unauthorized', 'mcp serve has no token', ExitCode.authRequired, 'run "proxygate login" (the OS keychain) or set PROXYGATE_API_KEY in the environment the MCP client starts the server with');
    }
    const note = (text: string) => this.note(text);
    const started = await startServe(auth, settings, note, this.secrets);
    const { serveHttp, serveStdio } = await import('../../lib/mcp-serve/transports.js');
    try {
      if (flags.http) {
        const http = await serveHttp(started.front, this.config.version, flags.port, note);
        // The one place the bearer appears: the client that should use the server is told here.
        process.stderr.write(`mcp serve: listening on ${http.url}; bearer token (shown once, kept nowhere): ${http.token}\n`);
        this.note(`mcp serve: ${started.summary}`);
        await http.closed;
      } else {
        this.note(`mcp serve: serving on stdio: ${started.summary}`);
        await serveStdio(started.front, this.config.version);
      }
    } finally {
      await started.client.close().catch(() => undefined);
    }
  }
}
