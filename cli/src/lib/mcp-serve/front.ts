// What `mcp serve` adds between an MCP host and the gateway, per call: pinned tool definitions,
// local refusals (scope, --read-only, --allow-listing, the budget), the shield floor, receipts
// verified offline and kept, and every result handed to the host as untrusted data.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { PaidReceiptVerdict } from '@proxygate-kit/sdk';
import type { CallReceiptVerdict, GatewayMcpClient, ReceiptClaims } from '@proxygate-kit/sdk/mcp';
import type { GatewayClient } from '../client.js';
import { toCliError } from '../errors.js';
import { ALLOW_LEGACY_RECEIPTS_HINT, receiptRefusal } from '../legacy-receipts.js';
import { redactSecrets } from '../redact.js';
import { isBlock, keepCallApiReceipt, keptWhere, readCallApiAnswer, type CallApiAnswer, type KeptReceipt, type ReceiptTrail, type SentCall } from '../trail/index.js';
import { BudgetExceeded, type Reservation, type SpendBudget } from './spend-budget.js';
import { describeToolChanges, readToolPins, toolPinsChanged, type LoadedPins } from './tool-pins-file.js';

type McpSdk = typeof import('@proxygate-kit/sdk/mcp');
type Sdk = typeof import('@proxygate-kit/sdk');
export type ShieldMode = 'off' | 'monitor' | 'strict';

const SHIELD_ORDER: Record<ShieldMode, number> = { off: 0, monitor: 1, strict: 2 };
/** Tools that write: refused with --read-only (call_api spends, rate_seller rates). */
const WRITING_TOOLS = new Set(['call_api', 'rate_seller']);
const META = 'ai.proxygate/serve';

export interface FrontOptions {
  client: GatewayMcpClient;
  mcpSdk: McpSdk;
  sdk: Sdk;
  /** A REST client of the same gateway and token (listing prices for the budget). */
  rest: () => Promise<GatewayClient>;
  trail: ReceiptTrail;
  gatewayUrl: string;
  pinsFile: string;
  pins: LoadedPins | undefined;
  /** The tools as listed at start (for describing a change found then). */
  tools: readonly Tool[];
  readOnly: boolean;
  shieldFloor: ShieldMode;
  /** Listing ids `--allow-listing` resolved to (undefined: every listing). */
  allowListings: ReadonlyMap<string, string> | undefined;
  budget: SpendBudget;
  /** Pass `outputSchema` and `structuredContent` through (they reach a model unwrapped). */
  structured: boolean;
  note: (text: string) => void;
  secrets: readonly string[];
}

interface Refusal {
  code: string;
  message: string;
  action?: string | undefined;
}

export class GatewayFront {
  #pins: LoadedPins | undefined;
  #tools = new Map<string, Tool>();
  #reportedBlock = '';
  #reportedUnknown = new Set<string>();
  /** Set once this token has a valid v3 receipt: a weaker one after it is a downgrade. */
  #seenV3 = false;
  /** Told when the tools a host may see change (a renewal unblocks, a change blocks). */
  onToolsChanged: (() => void) | undefined;

  constructor(private readonly o: FrontOptions) {
    this.#pins = o.pins;
    this.#tools = new Map(o.tools.map((tool) => [tool.name, tool]));
  }

  /** The tools a host sees: the gateway's known tools whose definitions match the pins. */
  async listTools(): Promise<Tool[]> {
    await this.refreshPins();
    const tools = await this.o.client.listTools();
    this.#tools = new Map(tools.map((tool) => [tool.name, tool]));
    await this.reportBlocked();
    const known = new Set<string>(this.o.mcpSdk.GATEWAY_TOOL_NAMES);
    const shown: Tool[] = [];
    for (const tool of tools) {
      if (!known.has(tool.name)) {
        if (!this.#reportedUnknown.has(tool.name)) {
          this.#reportedUnknown.add(tool.name);
          this.o.note(`mcp serve: not serving the gateway's tool "${tool.name.slice(0, 64)}": the kit does not know what it does, so it cannot bound what it spends`);
        }
        continue;
      }
      if (this.isBlocked(tool.name)) continue;
      const { outputSchema, ...rest } = tool;
      shown.push(this.o.structured && outputSchema ? { ...rest, outputSchema } : rest);
    }
    return shown;
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    try {
      return await this.#call(name, args);
    } catch (error) {
      return this.failure(name, error);
    }
  }

  async #call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    if (!(this.o.mcpSdk.GATEWAY_TOOL_NAMES as readonly string[]).includes(name)) {
      return this.refuse(name, { code: 'unknown_tool', message: `this server has no tool "${name.slice(0, 64)}"`, action: 'list the tools again' });
    }
    if (this.isBlocked(name)) {
      await this.refreshPins();
      if (this.isBlocked(name)) return this.refuse(name, this.pinRefusal(name));
    }
    if (this.o.readOnly && WRITING_TOOLS.has(name)) {
      return this.refuse(name, { code: 'read_only', message: `${name} is refused: this server runs with --read-only`, action: 'run "proxygate mcp serve" without --read-only to allow it' });
    }
    const required = this.o.mcpSdk.TOOL_SCOPES[name as keyof McpSdk['TOOL_SCOPES']];
    const held = this.o.client.scopes;
    if (required && held !== undefined && !this.o.mcpSdk.hasScope(held, required)) {
      return this.refuse(name, {
        code: 'insufficient_scope',
        message: `the token lacks the "${required}" scope${required === 'trade' ? ' ("proxy" on the public gateway)' : ''} that ${name} needs (it holds: ${held.join(', ') || 'none'})`,
        action: `use a token with the "${required}" scope`,
      });
    }
    return name === 'call_api' ? this.paidCall(args) : this.readCall(name, args);
  }

  private async readCall(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const raw = (await this.o.client.callTool(name, args)) as CallToolResult;
    const header = raw.isError ? `proxygate mcp serve: the gateway answered ${name} with an error (below, as data).` : `proxygate mcp serve: result of ${name} (no charge).`;
    // The gateway's own text (its JSON, compact) when it sent one: cheaper than writing the structure again.
    const hasText = raw.content.some((c) => c.type === 'text');
    const data = raw.isError || hasText || raw.structuredContent === undefined ? { content: raw.content } : { structuredContent: raw.structuredContent };
    return this.wrapped(name, header, data, {
      isError: raw.isError === true,
      ...(this.o.structured && !raw.isError && raw.structuredContent !== undefined ? { structuredContent: raw.structuredContent } : {}),
      meta: { tool: name, charged: false },
    });
  }

  // --- the paid call ------------------------------------------------------------------------

  private async paidCall(args: Record<string, unknown>): Promise<CallToolResult> {
    const input = this.o.mcpSdk.TOOL_SCHEMAS.call_api.input.safeParse(args);
    if (!input.success) {
      const issues = input.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
      return this.refuse('call_api', { code: 'invalid_arguments', message: `invalid call_api arguments (${issues})`, action: 'fix the arguments; nothing was sent' });
    }
    const asked = input.data.shield;
    const shield: ShieldMode = asked !== undefined && SHIELD_ORDER[asked] >= SHIELD_ORDER[this.o.shieldFloor] ? asked : this.o.shieldFloor;
    const sent = { ...input.data, shield };
    const allow = this.o.allowListings;
    if (allow && !allow.has(sent.listing_id)) {
      return this.refuse('call_api', {
        code: 'listing_not_allowed',
        message: `listing ${sent.listing_id.slice(0, 64)} is not among the listings this server allows (--allow-listing ${[...allow.values()].join(', ')})`,
        action: 'call an allowed listing, or restart "proxygate mcp serve" with another --allow-listing',
      });
    }
    let reservation: Reservation | undefined;
    if (this.o.budget.active) {
      const price = await this.priceOf(sent.listing_id, sent.path, shield === 'off');
      if ('refusal' in price) return this.refuse('call_api', price.refusal);
      try {
        reservation = await this.o.budget.reserve(price.microUsd);
      } catch (error) {
        if (!(error instanceof BudgetExceeded)) throw error;
        const { scope, usedMicroUsd, limitMicroUsd, priceMicroUsd } = error.refusal;
        const usd = this.o.sdk.formatUsd;
        return this.refuse('call_api', {
          code: 'budget_exceeded',
          message: `the call may cost up to ${usd(priceMicroUsd)}; ${scope === 'session' ? 'this session' : 'today (UTC)'} used ${usd(usedMicroUsd)} of ${usd(limitMicroUsd)} (${scope === 'session' ? '--max-spend' : '--max-spend-per-day'})`,
          action: scope === 'session' ? 'restart the server with a higher --max-spend' : 'wait for the next UTC day, or raise --max-spend-per-day',
        });
      }
    }
    let raw: CallToolResult;
    try {
      raw = (await this.o.client.callTool('call_api', sent)) as CallToolResult;
    } catch (error) {
      const unsent = notSent(error);
      if (reservation && unsent) await this.o.budget.release(reservation);
      // Else the outcome is unknown: the reservation stays counted at the call's maximum price.
      return this.failure('call_api', error, !unsent, `${sent.method ?? 'GET'} ${sent.path} on listing ${sent.listing_id}`);
    }
    const { header, ...rest } = await this.settleAnswer(raw, sent, reservation, asked !== undefined && asked !== shield);
    return this.wrapped('call_api', header, rest.data, rest.extra);
  }

  /** The most a call can cost (price plus shield surcharge), or why that cannot be known. */
  private async priceOf(listingId: string, path: string, shieldOff: boolean): Promise<{ microUsd: number } | { refusal: Refusal }> {
    let listing;
    try {
      listing = await (await this.o.rest()).calls.resolveListing(listingId);
    } catch (error) {
      const failure = toCliError(error);
      return { refusal: { code: 'price_unknown', message: `the price of listing ${listingId.slice(0, 64)} could not be read (${failure.message}), so the budget cannot bound the call`, action: failure.action } };
    }
    const price = this.o.sdk.callPrice(listing, path.split('?')[0] ?? path, shieldOff);
    if (!price.bounded) {
      return { refusal: { code: 'cost_unbounded', message: `the budget cannot bound a call to ${listing.service}${path} before it is made: ${price.reason}`, action: 'call a listing priced per request, or restart without --max-spend/--max-spend-per-day' } };
    }
    return { microUsd: price.microUsd };
  }

  /** Verifies and keeps the receipt of an answer, settles the budget, and says what happened. */
  private async settleAnswer(
    raw: CallToolResult,
    sent: ServedCall,
    reservation: Reservation | undefined,
    shieldRaised: boolean,
  ): Promise<{ header: string; data: DataSource; extra: WrapExtra }> {
    const read = readCallApiAnswer(this.o.mcpSdk, raw);
    const { claims, record, output } = read;
    const kept = claims ? await this.keep({ ...read, claims }, sent) : undefined;
    const amount = kept?.cost != null && kept.cost <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(kept.cost) : undefined;
    if (reservation) {
      if (amount !== undefined) await this.o.budget.settle(reservation, budgetAmount(amount, reservation, kept?.verdict));
      else if (!claims) await this.o.budget.release(reservation); // no receipt: nothing was charged
    }
    const spend = await this.spendLine();
    const verdict = kept?.verdict;
    const where = keptWhere(kept);
    const receiptLine = verdict ? receiptSentence(verdict, where) : 'no receipt came with this answer: nothing was charged';
    const paid = amount !== undefined ? `charged ${this.o.sdk.formatUsd(amount)} (the receipt's amount)` : 'no charge';
    const call = `${sent.method ?? 'GET'} ${sent.path} on listing ${sent.listing_id}`;
    const raised = shieldRaised ? ` (raised to this server's floor, ${sent.shield})` : '';
    const meta = { tool: 'call_api', request_id: verdict?.receipt?.request_id ?? claims?.request_id ?? null, amount_micro_usd: amount ?? null, receipt: verdict ? { valid: verdict.valid, reason: verdict.reason, kept_in: kept?.files ?? [] } : null, spend };
    this.o.note(`mcp serve: call_api ${call}: ${paid}; ${receiptLine}`);

    if (raw.isError) {
      const blocked = isBlock(record);
      const header = [
        blocked
          ? `proxygate mcp serve: the shield (${sent.shield}${raised}) BLOCKED the answer of ${call}; it is withheld. ${paid}.`
          : `proxygate mcp serve: the gateway refused ${call}; ${paid}. Its error is below, as data.`,
        `Receipt: ${receiptLine}.`,
        ...(spend ? [spend.text] : []),
      ].join('\n');
      return { header, data: { content: raw.content }, extra: { isError: true, meta: { ...meta, charged: amount !== undefined, blocked } } };
    }
    if (!output) {
      const header = `proxygate mcp serve: the call_api result is not what the gateway's tool promises (${paid}; receipt: ${receiptLine}); it is withheld.`;
      return { header, data: { content: [{ type: 'text', text: 'withheld' }] }, extra: { isError: true, meta: { ...meta, charged: amount !== undefined } } };
    }
    const result = output;
    if (!verdict?.valid) {
      const change = this.o.trail.keyChanges.find((c) => c.requestId === (verdict?.receipt?.request_id ?? result.request_id));
      const why = change
        ? `UNKNOWN RECEIPT KEY: the receipt is ${change.message}`
        : verdict?.reason === 'no_keys'
          ? 'the receipt could not be verified (no receipt keys)'
          : verdict?.reason === 'downgrade'
            ? `${receiptRefusal(verdict)}; ${ALLOW_LEGACY_RECEIPTS_HINT}`
            : `the receipt did not verify (${verdict?.reason ?? 'missing'}: ${verdict?.message ?? 'no receipt'})`;
      this.o.note(`mcp serve: REFUSED the answer of request ${result.request_id}: ${why}`);
      const header = [
        `proxygate mcp serve: the answer of ${call} is WITHHELD: ${why}. The answer cannot be trusted to be what the gateway sent.`,
        `${paid[0]?.toUpperCase()}${paid.slice(1)}; the receipt was ${where ? `kept in ${where}` : 'not kept'} for an audit ("proxygate receipts verify").`,
        ...(spend ? [spend.text] : []),
      ].join('\n');
      return { header, data: { content: [{ type: 'text', text: 'withheld' }] }, extra: { isError: true, meta: { ...meta, charged: amount !== undefined } } };
    }
    if (verdict.receipt?.receipt_version === 3) this.#seenV3 = true;
    const signedShield = (verdict as Partial<CallReceiptVerdict>).shield ?? null;
    const shield = signedShield ?? this.o.sdk.shieldFromEvent(result.shield);
    const signed = signedShield ? 'signed in the receipt' : 'as the gateway claims it (v1/v2 receipts do not sign it)';
    const shieldText = shield
      ? `Shield: ${shield.mode}${raised}, ${shield.action}, score ${(shield.scoreBp / 10_000).toFixed(2)}, flags ${shield.flags.length > 0 ? shield.flags.join(', ') : 'none'} (${signed}).`
      : 'Shield: no verdict.';
    const header = [`proxygate mcp serve: paid call ${call}: ${paid}.`, `Receipt: ${receiptLine}.`, shieldText, ...(spend ? [spend.text] : [])].join('\n');
    const answer = `status: ${result.status}\ncontent-type: ${result.content_type ?? 'none'}\nrequest_id: ${result.request_id}\n\n${result.body}`;
    return {
      header,
      data: { content: [{ type: 'text', text: answer }] },
      extra: {
        isError: false,
        ...(this.o.structured ? { structuredContent: record } : {}),
        meta: { ...meta, charged: true, shield: shield ? { mode: shield.mode, action: shield.action, score_bp: shield.scoreBp, flags: shield.flags, signed: signedShield !== null } : null },
      },
    };
  }

  /** Verifies the receipt offline (the SDK's MCP checks) and keeps it in the trail. */
  private keep(answer: CallApiAnswer & { claims: ReceiptClaims }, sent: ServedCall): Promise<KeptReceipt & { cost: bigint | null }> {
    const client = this.o.client;
    return keepCallApiReceipt(this.o.trail, this.o.sdk, this.o.mcpSdk, {
      gatewayUrl: this.o.gatewayUrl,
      answer,
      sent,
      expected: () => ({ tokenId: client.tokenId, wallet: client.buyerWallet, minVersion: this.#seenV3 ? 3 : client.minReceiptVersion }),
    });
  }

  private async spendLine(): Promise<{ text: string; session_micro_usd: number; day_micro_usd: number | null } | undefined> {
    const budget = this.o.budget;
    if (!budget.active) return undefined;
    const usd = this.o.sdk.formatUsd;
    const day = await budget.dayUsedMicroUsd().catch(() => undefined);
    const parts = [
      budget.limits.sessionMicroUsd !== undefined ? `this session ${usd(budget.usedMicroUsd)} of ${usd(budget.limits.sessionMicroUsd)}` : undefined,
      day !== undefined && budget.limits.dailyMicroUsd !== undefined ? `today (UTC) ${usd(day)} of ${usd(budget.limits.dailyMicroUsd)}` : undefined,
    ].filter((p): p is string => p !== undefined);
    return { text: `Spend: ${parts.join('; ')}.`, session_micro_usd: budget.usedMicroUsd, day_micro_usd: day ?? null };
  }

  // --- pins -------------------------------------------------------------------------------

  isBlocked(name: string): boolean {
    const diff = this.o.client.pinMismatch;
    return diff !== undefined && (diff.changed.includes(name) || diff.added.includes(name));
  }

  private pinRefusal(name: string): Refusal {
    return {
      code: 'tool_pin_mismatch',
      message: `the gateway's definition of ${name} changed since it was pinned in ${this.o.pinsFile}; it is blocked`,
      action: 'a person runs "proxygate mcp pin" (it shows the change) to renew the pins on purpose',
    };
  }

  /** Takes in the pins file again when `mcp pin` (or a person) changed it. */
  async refreshPins(): Promise<void> {
    if (!(await toolPinsChanged(this.o.pinsFile, this.#pins))) return;
    let loaded: LoadedPins | undefined;
    try {
      loaded = await readToolPins(this.o.pinsFile);
    } catch (error) {
      this.o.note(`mcp serve: ${toCliError(error).message}; keeping the pins read before`);
      return;
    }
    if (!loaded) return; // deleted: the pins in memory stay in force
    const before = JSON.stringify(this.o.client.pinMismatch ?? null);
    this.#pins = loaded;
    this.o.client.acceptPins(loaded.pins);
    if (JSON.stringify(this.o.client.pinMismatch ?? null) !== before) {
      this.o.note(`mcp serve: took in the renewed tool pins of ${this.o.pinsFile}`);
      this.#reportedBlock = '';
      this.onToolsChanged?.();
    }
  }

  /** Says once per change which tools are blocked and how they changed. */
  async reportBlocked(): Promise<void> {
    const diff = this.o.client.pinMismatch;
    const key = JSON.stringify(diff ?? null);
    if (key === this.#reportedBlock) return;
    const first = this.#reportedBlock === '';
    this.#reportedBlock = key;
    if (!diff || (diff.changed.length === 0 && diff.added.length === 0)) return;
    const lines = await describeToolChanges(diff, this.#pins?.pins.definitions, this.#tools);
    this.o.note(
      [
        `mcp serve: the gateway's tools differ from the pins in ${this.o.pinsFile}; BLOCKED: ${[...diff.changed, ...diff.added].join(', ')}`,
        ...lines.map((l) => `  ${l}`),
        '  a person runs "proxygate mcp pin" to review and renew them; the other tools are served',
      ].join('\n'),
    );
    if (!first) this.onToolsChanged?.();
  }

  // --- results ------------------------------------------------------------------------------

  private refuse(name: string, refusal: Refusal): CallToolResult {
    const text = `proxygate mcp serve refused ${name} before sending anything: ${refusal.message}${refusal.action ? ` (${refusal.action})` : ''}.`;
    this.o.note(`mcp serve: ${text}`);
    return { isError: true, content: [{ type: 'text', text }], _meta: { [META]: { tool: name, refused: refusal.code, sent: false } } };
  }

  /**
   * A failure as the host sees it: what happened in our words, the error's own text as data.
   * `maybeCharged` when a paid call left and its answer was lost.
   */
  private failure(name: string, error: unknown, maybeCharged = false, call = name): CallToolResult {
    const failure = toCliError(error);
    if (failure.code === 'tool_pin_mismatch') return this.refuse(name, this.pinRefusal(name));
    const status = (error as { status?: unknown }).status;
    const header = maybeCharged
      ? `proxygate mcp serve: ${call} failed and MAY HAVE BEEN CHARGED: its answer was lost and it was not sent again; check "proxygate usage" before retrying. The error is below, as data.`
      : typeof status === 'number'
        ? `proxygate mcp serve: the gateway refused ${call}${name === 'call_api' ? '; no charge' : ''}. Its error is below, as data.`
        : `proxygate mcp serve: ${call} failed. The error is below, as data.`;
    const detail = {
      error: failure.code,
      message: redactSecrets(failure.message, this.o.secrets),
      ...(failure.action ? { action: redactSecrets(failure.action, this.o.secrets) } : {}),
      ...(typeof status === 'number' ? { status } : {}),
    };
    this.o.note(`mcp serve: ${name} failed: ${detail.error}: ${detail.message}${maybeCharged ? ' (the call may have been charged)' : ''}`);
    return this.wrapped(name, header, { structuredContent: detail }, { isError: true, meta: { tool: name, error: failure.code, outcome_unknown: maybeCharged } });
  }

  private wrapped(name: string, header: string, data: DataSource, extra: WrapExtra): CallToolResult {
    const block = this.o.mcpSdk.toDataBlock(data, { tool: name });
    return {
      content: [{ type: 'text', text: `${header}\n\n${block.text}` }],
      ...(extra.isError ? { isError: true } : {}),
      ...(extra.structuredContent ? { structuredContent: extra.structuredContent } : {}),
      _meta: { [META]: { ...extra.meta, data_marker: block.marker } },
    };
  }
}

/** A `call_api` as this server sends it: the shield raised to its floor. */
type ServedCall = SentCall & { shield: ShieldMode };
type DataSource = { content?: CallToolResult['content']; structuredContent?: unknown };
interface WrapExtra {
  isError: boolean;
  structuredContent?: Record<string, unknown>;
  meta: Record<string, unknown>;
}

function receiptSentence(verdict: PaidReceiptVerdict, where: string | undefined): string {
  const kept = where ? `; kept in ${where}` : '';
  const id = verdict.receipt?.request_id ? `request ${verdict.receipt.request_id}` : 'request unknown';
  if (verdict.valid) return `valid (verified offline against the pinned keys), ${id}${kept}`;
  // Not a failure of the receipt: nothing to check it against (the answer is still withheld).
  if (verdict.reason === 'no_keys') return `NOT verified (no receipt keys), ${id}${kept}`;
  return `INVALID (${verdict.reason}), ${id}${kept}`;
}

/**
 * Errors that say the call was not run: refused before it left (an expired session, a pin), or
 * refused by the gateway's MCP endpoint itself (a 4xx answer: a tool that ran answers with a tool
 * result, even for its own errors).
 */
function notSent(error: unknown): boolean {
  const { code, name, status } = error as { code?: unknown; name?: unknown; status?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) return true;
  return code === 'session_expired' || code === 'tool_pin_mismatch' || name === 'ToolPinMismatchError';
}

/**
 * What a call counts against the budget. A receipt found wrong (a replayed one, another call's,
 * a forged body) does not say what was charged: the call counts the most it could cost, so a
 * cheap old receipt cannot make the budget undercount. Unverified (no keys) keeps its amount.
 */
function budgetAmount(amount: number, reservation: Reservation, verdict: PaidReceiptVerdict | undefined): number {
  if (!verdict || verdict.valid || verdict.reason === 'no_keys') return amount;
  return Math.max(amount, reservation.microUsd);
}
