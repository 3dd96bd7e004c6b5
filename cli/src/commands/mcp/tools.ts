import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { renderTable } from '../../lib/format.js';
import { connectMcp } from '../../lib/mcp-connect.js';
import { writeOutputFile } from '../../lib/output-file.js';
import { wholeList, type ListJson } from '../../lib/pages.js';

interface ToolRow {
  name: string;
  /** The first line of the description (the table's). */
  description: string;
  pin: string;
  /** The JSON Schema of the tool's arguments, as the gateway gives it ("mcp call" checks --arg against it). */
  input_schema: unknown;
}

export default class McpTools extends BaseCommand {
  static override summary = "list the gateway MCP server's tools with their definition pins";
  static override description = `Each pin is a SHA-256 over the whole tool definition (name, description, schemas, annotations).
--save-pins writes them to a file that MCP clients can pin, so a changed tool is noticed.
--json lists each tool with its input schema (the arguments "mcp call --arg" takes).`;
  static override examples = [
    '<%= config.bin %> mcp tools',
    '<%= config.bin %> mcp tools --save-pins tool-pins.json',
    "<%= config.bin %> mcp tools --json | jq '.data[] | select(.name == \"call_api\") | .input_schema'",
  ];
  static override enableJsonFlag = true;
  static override flags = {
    pins: Flags.string({ description: 'saved tool pins: refuse to go on if any tool definition changed' }),
    'save-pins': Flags.string({ description: 'write the tool pins to this file' }),
  };

  async run(): Promise<ListJson<ToolRow>> {
    const { flags } = await this.parse(McpTools);
    const client = await connectMcp(await this.resolveAuth(flags), flags.pins);
    try {
      const tools = await client.listTools();
      const pins = client.pins;
      const rows = tools.map((t) => ({
        name: t.name,
        description: (t.description ?? '').split('\n')[0] ?? '',
        pin: pins.tools[t.name] ?? '',
        input_schema: t.inputSchema,
      }));
      this.out(
        renderTable(rows, [
          { header: 'tool', get: (r) => r.name },
          { header: 'pin', get: (r) => r.pin.slice(0, 16) },
          { header: 'description', get: (r) => r.description },
        ]),
      );
      if (flags['save-pins']) {
        await writeOutputFile(flags['save-pins'], `${JSON.stringify(pins, null, 2)}\n`);
        this.note(`Saved ${rows.length} tool pin(s) to ${flags['save-pins']}`);
      }
      return wholeList(rows);
    } finally {
      await client.close();
    }
  }
}
