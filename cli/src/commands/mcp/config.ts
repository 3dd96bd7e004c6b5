import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { mcpUrl } from '../../lib/mcp-connect.js';

const CLIENTS = ['generic', 'claude-code', 'claude-desktop', 'cursor', 'vscode'] as const;

export default class McpConfig extends BaseCommand {
  static override summary = 'print the MCP client configuration for this gateway';
  static override description = `Prints a snippet for an MCP client. The token is never printed: the snippet reads it from
the PROXYGATE_API_KEY environment variable (use a narrow delegation token: "proxygate tokens create").`;
  static override examples = ['<%= config.bin %> mcp config', '<%= config.bin %> mcp config --client claude-code'];
  static override enableJsonFlag = true;
  static override flags = {
    client: Flags.string({ description: 'client to configure', options: [...CLIENTS], default: 'generic' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(McpConfig);
    const url = mcpUrl(await this.resolveAuth(flags));
    const authHeader = 'Bearer ${PROXYGATE_API_KEY}';
    if (flags.client === 'claude-code') {
      const command = `claude mcp add --transport http proxygate ${url} --header "Authorization: Bearer $PROXYGATE_API_KEY"`;
      this.out(command);
      return { client: flags.client, url, command };
    }
    const server =
      flags.client === 'claude-desktop'
        ? // Claude Desktop speaks stdio: bridge with mcp-remote, the header from the environment.
          { command: 'npx', args: ['-y', 'mcp-remote', url, '--header', `Authorization:${authHeader}`], env: { PROXYGATE_API_KEY: '<your token>' } }
        : { type: 'http', url, headers: { Authorization: authHeader } };
    const snippet = flags.client === 'vscode' ? { servers: { proxygate: server } } : { mcpServers: { proxygate: server } };
    this.out(JSON.stringify(snippet, null, 2));
    return snippet;
  }
}
