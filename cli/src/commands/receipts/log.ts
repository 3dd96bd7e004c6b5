import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { compact } from '../../lib/format.js';
import { writeOutputFile } from '../../lib/output-file.js';

export default class ReceiptsLog extends BaseCommand {
  static override summary = "download the gateway's receipt log (JSON Lines) and its signed head";
  static override description = `Fetches GET /v1/receipts page by page (seq order) for the token in use, or a child token with
--token-id. Receipts go to stdout (or --output) as JSON Lines; --head saves the signed log head of the
last page, which "receipts audit --head" checks to prove that no receipt is missing at the end.`;
  static override examples = [
    '<%= config.bin %> receipts log --output receipts.jsonl --head head.json',
    '<%= config.bin %> receipts audit receipts.jsonl --keys keys.json --head head.json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write the receipts (JSON Lines) to this file instead of stdout' }),
    head: Flags.string({ description: 'write the signed log head (JSON) to this file' }),
    'token-id': Flags.string({ description: "a child token's chain instead of the presented token's" }),
    limit: Flags.integer({ description: 'page size (1..100)', min: 1, max: 100 }),
  };

  async run(): Promise<{ count: number; head: unknown }> {
    const { flags } = await this.parse(ReceiptsLog);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const client = await createClient(auth);
    const first = await client.receiptsLog.list(compact({ token_id: flags['token-id'], limit: flags.limit }));
    const lines: string[] = [];
    let head: unknown = null;
    for await (const page of first.iterPages()) {
      for (const receipt of page.data) lines.push(JSON.stringify(receipt));
      head = page.body.head;
    }
    const text = lines.length ? `${lines.join('\n')}\n` : '';
    if (flags.output) await writeOutputFile(flags.output, text);
    else if (!this.jsonEnabled()) process.stdout.write(text);
    if (flags.head) await writeOutputFile(flags.head, `${JSON.stringify(head, null, 2)}\n`);
    this.note(`${lines.length} receipt(s)${flags.output ? ` written to ${flags.output}` : ''}${flags.head ? `, head saved to ${flags.head}` : ''}`);
    return { count: lines.length, head };
  }
}
