import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { CliError, UsageError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { connectMcp, mcpUrl } from '../../lib/mcp-connect.js';
import { loadMcpSdk } from '../../lib/sdk-loader.js';
import { confirm } from '../../lib/trail/confirm.js';

export default class McpPin extends BaseCommand {
  static override summary = 'review the gateway\'s MCP tools against the pins "mcp serve" uses, and renew them on purpose';
  static override description = `Lists the gateway's MCP tools, compares them with the pins "proxygate mcp serve" judges them by
(--pins FILE, default the profile's pins for this gateway) and shows every difference: a changed
description old and new (hidden characters shown as escapes), which other fields changed, tools
added or removed. On a terminal it asks before renewing the pins; elsewhere --yes is needed. A
running "mcp serve" takes the renewed pins in at its next call and serves the tools again.
--check only reports: exit 1 when the tools differ, 0 when they match.`;
  static override examples = ['<%= config.bin %> mcp pin', '<%= config.bin %> mcp pin --check', '<%= config.bin %> mcp pin --yes --pins tool-pins.json'];
  static override enableJsonFlag = true;
  static override flags = {
    pins: Flags.string({ description: "the pins file (default: the profile's pins for this gateway, as mcp serve uses)" }),
    yes: Flags.boolean({ char: 'y', description: 'renew without asking (review the printed change first)' }),
    check: Flags.boolean({ description: 'only report: exit 1 when the tools differ from the pins' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(McpPin);
    if (flags.check && flags.yes) throw new UsageError('use either --check or --yes');
    const auth = await this.resolveAuth(flags);
    const url = mcpUrl(auth);
    const { defaultToolPinsFile, describeToolChanges, pinsOf, readToolPins, replaceToolPins, createToolPins } = await import('../../lib/mcp-serve/tool-pins-file.js');
    const { diffToolPins, isEmptyDiff } = await loadMcpSdk();
    const file = flags.pins ?? defaultToolPinsFile(auth.profile, url);
    const saved = await readToolPins(file);
    const client = await connectMcp(auth, undefined, saved ? { pin: { saved: saved.pins, mode: 'warn', onMismatch: () => undefined } } : {});
    let tools;
    try {
      tools = await client.listTools();
    } finally {
      await client.close().catch(() => undefined);
    }
    const next = await pinsOf(tools, url, saved?.pins);
    if (!saved) {
      if (flags.check) throw new CliError('mcp_not_pinned', `no MCP tool pins in ${file} yet`, ExitCode.failure, 'run "proxygate mcp pin" (or "proxygate mcp serve") to pin them');
      const made = await createToolPins(file, next);
      this.note(`pinned the ${tools.length} MCP tool definitions of ${url} in ${file}`);
      return { file, mcp_url: url, changed: made.created, created: made.created, tools: Object.keys(next.tools) };
    }
    const diff = diffToolPins(saved.pins, next);
    if (isEmptyDiff(diff)) {
      this.note(`the ${tools.length} MCP tools of ${url} match the pins in ${file}`);
      return { file, mcp_url: url, changed: false, diff };
    }
    const lines = await describeToolChanges(diff, saved.pins.definitions, new Map(tools.map((t) => [t.name, t])));
    this.note(`The MCP tools of ${url} differ from the pins in ${file}:`);
    for (const line of lines) this.note(`  ${line}`);
    if (flags.check) {
      if (this.jsonEnabled()) this.logJson({ file, mcp_url: url, changed: false, diff, changes: lines });
      throw Object.assign(new CliError('tool_pin_mismatch', `the MCP tools differ from the pins in ${file}`, ExitCode.failure, 'review the change above, then run "proxygate mcp pin" to renew the pins'), { reported: true });
    }
    if (!flags.yes) {
      const answer = await confirm('Renew the pins with these definitions?');
      if (answer === undefined) throw new UsageError('renewing the MCP tool pins needs a confirmation, and this session is not interactive', 'review the change above, then run again with --yes');
      if (!answer) throw new CliError('not_renewed', 'the MCP tool pins were left unchanged', ExitCode.failure);
    }
    await replaceToolPins(file, next);
    this.note(`renewed the pins in ${file}; a running "proxygate mcp serve" takes them in at its next call`);
    return { file, mcp_url: url, changed: true, diff, changes: lines };
  }
}
