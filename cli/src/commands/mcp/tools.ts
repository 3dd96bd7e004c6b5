import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { renderTable } from '../../lib/format.js';
import { connectMcp } from '../../lib/mcp-connect.js';
import { writeOutputFile } from '../../lib/output-file.js';

interface ToolRow {
  name: string;
  description: string;
  pin: string;
}

export default class McpTools extends BaseCommand {
  static override summary = "list the gateway MCP server's tools with their definition pins";
  static override description = `Each pin is a SHA-256 over the whole tool definition (name, description, schemas, annotations).
--save-pins writes them to a file that MCP clients can pin, so a changed tool is noticed.`;
  static override examples = ['<%= config.bin %> mcp tools', '<%= config.bin %> mcp tools --save-pins tool-pins.json'];
  static override enableJsonFlag = true;
  static override flags = {
    pins: Flags.string({ description: 'saved tool pins: refuse to go on if any tool definition changed' }),
    'save-pins': Flags.string({ description: 'write the tool pins to this file' }),
  };

  async run(): Promise<ToolRow[]> {
    const { flags } = await this.parse(McpTools);
    const client = await connectMcp(await this.resolveAuth(flags), flags.pins);
    try {
      const tools = await client.listTools();
      const pins = client.pins;
      const rows = tools.map((t) => ({
        name: t.name,
        description: (t.description ?? '').split('\n')[0] ?? '',
        pin: pins.tools[t.name] ?? '',
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
      return rows;
    } finally {
      await client.close();
    }
  }
}
