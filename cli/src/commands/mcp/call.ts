import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Args, Flags } from '@oclif/core';
import type { GatewayMcpClient } from '@proxygate-kit/sdk/mcp';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { CliError, toCliError, UsageError } from '../../lib/errors.js';
import { ExitCode } from '../../lib/exit-codes.js';
import { parsePairs } from '../../lib/input.js';
import { connectMcp } from '../../lib/mcp-connect.js';
import { loadPinnedKeys } from '../../lib/receipt-keys.js';
import { receiptInvalidFailure } from '../../lib/key-rotation-hint.js';
import { allowLegacyReceiptsFlag } from '../../lib/legacy-receipts-flag.js';
import { loadMcpSdk, loadSdk } from '../../lib/sdk-loader.js';
import { expectedFields, readArgValue, schemaProblems } from '../../lib/tool-arguments.js';
import { keepCallApiReceipt, keptWhere, readCallApiAnswer, receiptKeyFailure, ReceiptTrail, toolText, type KeptReceipt, type SentCall } from '../../lib/trail/index.js';

/** The paid tool: its receipt is verified against the profile's pinned keys and kept. */
const PAID_TOOL = 'call_api';

export default class McpCall extends BaseCommand {
  static override summary = 'call one MCP tool of the gateway';
  static override description = `The tool's text result goes to stdout; with --json, the whole MCP result (content and
structuredContent). A tool error exits with the code of the gateway error it carries.

--arg values are read by the tool's input schema ("mcp tools --json" shows it): a string field
keeps the text as typed, other fields take JSON (numbers, true/false, objects). The arguments are
checked against the schema before the call: a missing, unknown or mistyped field exits 2 and the
error lists the fields the tool takes.

call_api is a paid call: its receipt is verified against the profile's pinned receipt keys (the
same pin as "proxygate call") and kept in the receipts log (--no-keep opts out; --receipts FILE
too), also when the shield blocked the answer. A summary line goes to stderr; a receipt that does
not verify, or is signed by a key the pin does not know, exits 1.`;
  static override examples = [
    '<%= config.bin %> mcp call browse_apis --arg q=weather --arg limit=3',
    '<%= config.bin %> mcp call check_balance --json',
    '<%= config.bin %> mcp call call_api --arg listing_id=0c24c9ee-a18d-52a6-b405-d0c143cb7cb3 --arg path=/current --arg \'query={"city":"Oslo"}\'',
  ];
  static override enableJsonFlag = true;
  static override args = { tool: Args.string({ ignoreStdin: true, description: 'tool name (see "mcp tools")', required: true }) };
  static override flags = {
    pins: Flags.string({ description: 'saved tool pins: refuse to go on if any tool definition changed' }),
    arg: Flags.string({ char: 'a', description: 'tool argument key=value (repeatable; JSON values allowed)', multiple: true }),
    receipts: Flags.string({ description: 'call_api: also append the receipt line to this JSON Lines file' }),
    keep: Flags.boolean({ description: 'call_api: keep the receipt in the profile\'s receipts log (--no-keep: do not)', allowNo: true, default: true }),
    keys: Flags.string({ description: 'call_api: verify against this key set instead of the pinned keys [env: PROXYGATE_RECEIPT_KEYS]' }),
    'allow-legacy-receipts': allowLegacyReceiptsFlag,
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(McpCall);
    const pairs = parsePairs(flags.arg ?? [], 'arg');
    const auth = await this.resolveAuth(flags);
    // A paid tool's receipt must have somewhere to go before the call is made.
    const trail =
      args.tool === PAID_TOOL
        ? await ReceiptTrail.open({
            profile: auth.profile,
            gatewayUrl: auth.gatewayUrl,
            keep: flags.keep,
            receiptsFile: flags.receipts,
            explicitKeys: flags.keys !== undefined || process.env['PROXYGATE_RECEIPT_KEYS'] ? () => loadPinnedKeys(flags.keys, []) : undefined,
            note: (text) => this.note(text),
            client: () => createClient(auth),
          })
        : undefined;
    // A paid call's receipt is judged here (the trail may pin its keys only once it arrives):
    // the client learns at connect who the receipt must name and whether the gateway signs v3.
    const client = await connectMcp(auth, flags.pins, trail ? { receiptIdentity: true, allowLegacyReceipts: flags['allow-legacy-receipts'] } : {});
    try {
      // A typo is the caller's mistake (exit 2), not a protocol failure of the gateway.
      if (!Object.hasOwn(client.pins.tools, args.tool)) {
        throw new UsageError(`the gateway has no MCP tool "${args.tool}"`, 'run "proxygate mcp tools" for the list');
      }
      const schema = (await client.listTools()).find((t) => t.name === args.tool)?.inputSchema;
      const toolArgs = toolArguments(args.tool, pairs, schema);
      const result = await client.callTool(args.tool, toolArgs);
      const text = toolText(result);
      const kept = trail ? await keepReceipt(trail, auth.gatewayUrl, client, toolArgs, result) : undefined;
      if (result.isError) throw await toolError(text, kept);
      this.out(text);
      if (trail) this.judge(trail, kept, result);
      return result;
    } finally {
      await client.close();
    }
  }

  /** The receipt line on stderr, then exit 1 for a receipt that does not prove the charge. */
  private judge(trail: ReceiptTrail, kept: KeptReceipt | undefined, result: unknown): void {
    if (kept) this.note(receiptLine(kept.verdict, keptWhere(kept)));
    const failure =
      receiptKeyFailure(trail) ??
      (kept && !kept.verdict.valid && kept.verdict.reason !== 'no_keys'
        ? receiptInvalidFailure(kept.verdict)
        : undefined);
    if (!failure) return;
    // The answer was delivered: --json still prints it, then the exit code says the receipt failed.
    if (this.jsonEnabled()) this.logJson(result);
    throw Object.assign(failure, { reported: true });
  }
}

/** `--arg` pairs typed and checked by the tool's input schema; a mismatch is a usage error listing the fields. */
function toolArguments(tool: string, pairs: ReadonlyArray<[string, string]>, schema: unknown): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const values: Record<string, unknown> = {};
  for (const [key, raw] of pairs) {
    if (Object.hasOwn(values, key)) throw new UsageError(`--arg ${key} is given twice`, 'give each argument once (an array or object is one JSON value)');
    Object.defineProperty(values, key, { value: readArgValue(raw, Object.hasOwn(properties, key) ? properties[key] : undefined), enumerable: true, writable: true, configurable: true });
  }
  if (schema === undefined) return values;
  const problems = schemaProblems(values, schema, '');
  if (problems.length === 0) return values;
  const fields = expectedFields(schema);
  throw new CliError(
    'usage_error',
    `the arguments do not fit ${tool}'s input schema: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
    ExitCode.usage,
    fields.length ? `${tool} takes --arg ${fields.join(', ')}` : `${tool} takes no arguments`,
    { expected: fields, input_schema: schema },
  );
}

/**
 * Verifies and keeps the receipt of a `call_api` result (or of its error, e.g. a block) with the
 * SDK's MCP checks, as `mcp serve` does: what the client learned of this token and gateway says
 * who the buyer must be and whether a v1/v2 receipt is a downgrade.
 */
async function keepReceipt(trail: ReceiptTrail, gatewayUrl: string, client: GatewayMcpClient, toolArgs: Record<string, unknown>, result: CallToolResult): Promise<KeptReceipt | undefined> {
  const [sdk, mcpSdk] = await Promise.all([loadSdk(), loadMcpSdk()]);
  const answer = readCallApiAnswer(mcpSdk, result);
  if (!answer.claims) return undefined;
  const text = (key: string) => (typeof toolArgs[key] === 'string' ? toolArgs[key] : undefined);
  const query = toolArgs['query'];
  const sent: SentCall = {
    listing_id: text('listing_id') ?? '',
    method: text('method'),
    path: text('path') ?? '',
    query: isStringRecord(query) ? query : undefined,
    body: text('body'),
    shield: text('shield'),
    idempotency_key: text('idempotency_key'),
  };
  return keepCallApiReceipt(trail, sdk, mcpSdk, {
    gatewayUrl,
    answer: { ...answer, claims: answer.claims },
    sent,
    expected: () => ({ tokenId: client.tokenId, wallet: client.buyerWallet, minVersion: client.minReceiptVersion }),
  });
}

function receiptLine(verdict: KeptReceipt['verdict'], where: string | undefined): string {
  const saved = where ? `, saved to ${where}` : '';
  if (verdict.valid) return `receipt: valid${saved}`;
  if (verdict.reason === 'no_keys') return `receipt: NOT verified (no receipt keys; "proxygate receipts keys trust" pins them)${saved}`;
  return `receipt: INVALID (${verdict.reason})${saved}`;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** A tool error carries the gateway's error body as text; rebuild the typed SDK error from it. */
async function toolError(text: string, kept: KeptReceipt | undefined): Promise<Error> {
  const { APIError } = await loadSdk();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: 'tool_error', message: text.slice(0, 500) };
  }
  const status = typeof (body as { status?: unknown }).status === 'number' ? (body as { status: number }).status : 400;
  const error = APIError.generate({ status, body });
  if (!kept || kept.files.length === 0) return error;
  // A blocked paid call still had its receipt kept: the error line says where.
  const failure = toCliError(error);
  return new CliError(failure.code, failure.message, failure.exitCode, `${failure.action ?? 'see the receipt'}; its receipt was saved to ${kept.files.join(' and ')}`, failure.details);
}
