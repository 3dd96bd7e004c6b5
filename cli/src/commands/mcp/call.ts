import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { UsageError } from '../../lib/errors.js';
import { parsePairs } from '../../lib/input.js';
import { connectMcp } from '../../lib/mcp-connect.js';
import { loadSdk } from '../../lib/sdk-loader.js';

/** `--arg k=v`: the value is JSON when it parses (numbers, booleans, objects), else a string. */
function argValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export default class McpCall extends BaseCommand {
  static override summary = 'call one MCP tool of the gateway';
  static override description = `The tool's text result goes to stdout; with --json, the whole MCP result (content and
structuredContent). A tool error exits with the code of the gateway error it carries.`;
  static override examples = [
    '<%= config.bin %> mcp call browse_apis --arg query=weather --arg limit=3',
    '<%= config.bin %> mcp call check_balance --json',
  ];
  static override enableJsonFlag = true;
  static override args = { tool: Args.string({ ignoreStdin: true, description: 'tool name (see "mcp tools")', required: true }) };
  static override flags = {
    pins: Flags.string({ description: 'saved tool pins: refuse to go on if any tool definition changed' }),
    arg: Flags.string({ char: 'a', description: 'tool argument key=value (repeatable; JSON values allowed)', multiple: true }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(McpCall);
    const toolArgs = Object.fromEntries(parsePairs(flags.arg ?? [], 'arg').map(([k, v]) => [k, argValue(v)]));
    const client = await connectMcp(await this.resolveAuth(flags), flags.pins);
    try {
      // A typo is the caller's mistake (exit 2), not a protocol failure of the gateway.
      if (!Object.hasOwn(client.pins.tools, args.tool)) {
        throw new UsageError(`the gateway has no MCP tool "${args.tool}"`, 'run "proxygate mcp tools" for the list');
      }
      const result = await client.callTool(args.tool, toolArgs);
      const text = result.content
        .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
        .map((c) => c.text)
        .join('\n');
      if (result.isError) throw await toolError(text);
      this.out(text);
      return result;
    } finally {
      await client.close();
    }
  }
}

/** A tool error carries the gateway's error body as text; rebuild the typed SDK error from it. */
async function toolError(text: string): Promise<Error> {
  const { APIError } = await loadSdk();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: 'tool_error', message: text.slice(0, 500) };
  }
  const status = typeof (body as { status?: unknown }).status === 'number' ? (body as { status: number }).status : 400;
  return APIError.generate({ status, body });
}
