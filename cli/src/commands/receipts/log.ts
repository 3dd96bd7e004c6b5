import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { compact } from '../../lib/format.js';
import { CliError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { writeOutputFile } from '../../lib/output-file.js';
import { wholeList, type ListJson } from '../../lib/pages.js';
import { readLogPage } from '../../lib/receipt-log-page.js';
import { loadSdk } from '../../lib/sdk-loader.js';

export default class ReceiptsLog extends BaseCommand {
  static override summary = "download the gateway's receipt log (JSON Lines) and its signed head: a gateway extension";
  static override description = `Fetches GET /v1/receipts page by page (seq order) for the token in use, or a child token with
--token-id. Receipts go to stdout (or --output) as JSON Lines, each as the gateway wrote it (only
whitespace outside strings removed), so verify sees duplicate keys; --head saves the signed log head of the
last page, which "receipts audit --head" checks to prove that no receipt is missing at the end.
With --json, stdout is the list shape of every list command: the receipts (parsed) under "data",
with "head" and "count" beside them (every page is read, so has_more is false). The JSON Lines
output is the one to verify: JSON parsing keeps only the last of duplicate keys.`;
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

  async run(): Promise<ListJson<unknown> & { count: number; head: unknown }> {
    const { flags } = await this.parse(ReceiptsLog);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const client = await createClient(auth);
    // The receipt log is an extension: on a gateway that does not advertise it, nothing is sent.
    if (!(await client.meta.extensions()).has('receipt_log')) {
      const { ExtensionNotSupportedError } = await loadSdk();
      throw new ExtensionNotSupportedError('receipt_log', 'receipts log (GET /v1/receipts)');
    }
    const lines: string[] = [];
    let head: unknown = null;
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      // The page as text (not the SDK's parsed page): each receipt is saved as the gateway wrote it.
      const response = await client.request({
        method: 'GET',
        path: '/v1/receipts',
        query: compact({ token_id: flags['token-id'], limit: flags.limit, cursor }),
        requiredScope: 'account:read',
        stream: true,
      });
      const page = readLogPage(await readBody(response.response, client.timeout));
      lines.push(...page.receipts);
      head = page.head;
      cursor = page.hasMore ? (page.cursor ?? undefined) : undefined;
      if (cursor !== undefined && seen.has(cursor)) throw new CliError('invalid_response', 'the receipt log repeats a cursor', ExitCode.failure, 'report it to the gateway operator');
      if (cursor !== undefined) seen.add(cursor);
    } while (cursor !== undefined);
    const text = lines.length ? `${lines.join('\n')}\n` : '';
    if (flags.output) await writeOutputFile(flags.output, text);
    else if (!this.jsonEnabled()) process.stdout.write(text);
    if (flags.head) await writeOutputFile(flags.head, `${JSON.stringify(head, null, 2)}\n`);
    this.note(`${lines.length} receipt(s)${flags.output ? ` written to ${flags.output}` : ''}${flags.head ? `, head saved to ${flags.head}` : ''}`);
    return { ...wholeList(this.jsonEnabled() ? lines.map((line) => JSON.parse(line) as unknown) : []), count: lines.length, head };
  }
}

/** The body within the client's timeout (a stream-mode request's timeout stops at the headers). */
async function readBody(response: Response, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void response.body?.cancel().catch(() => undefined);
      reject(new CliError('timeout', `the receipt log page did not arrive within ${ms} ms`, ExitCode.failure, 'retry; the log is read-only'));
    }, ms);
  });
  try {
    return await Promise.race([response.text(), late]);
  } finally {
    clearTimeout(timer);
  }
}
