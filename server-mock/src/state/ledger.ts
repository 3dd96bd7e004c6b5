import type { Account } from './accounts.js';
import { notFound, validationError } from './errors.js';
import type { SequentialIds } from './sequential-ids.js';
import type { TokenRecord, TokenStore } from './tokens.js';
import type { LedgerEntry, WalletLimits } from './types.js';
import { utcDay } from './utc-day.js';

/** What a ledger row points at. */
export interface LedgerCall {
  requestId: string;
  listingId: string;
  idempotencyKey: string | null;
}

/**
 * The accounts' money, integer micro-USD. A charge holds the amount in `pending` until
 * `settle()`, adds it to what the token and its ancestors spent (their caps) and to the
 * account's spend of the UTC day (its daily limit); a refund undoes all three. Each is a row.
 */
export class Ledger {
  private readonly rows: LedgerEntry[] = [];
  /** Net micro-USD spent per `<account>\n<UTC day>`. */
  private readonly dailySpend = new Map<string, number>();

  constructor(
    readonly accounts: Map<string, Account>,
    private readonly tokens: TokenStore,
    private readonly ids: SequentialIds,
  ) {}

  /** The account a token spends from. */
  accountOf(token: TokenRecord): Account {
    const account = this.accounts.get(token.accountId);
    if (!account) throw new Error(`state invariant: no account ${token.accountId}`);
    return account;
  }

  /** Net micro-USD the account spent on the UTC day of `at`. */
  spentOn(account: Account, at: Date): number {
    return this.dailySpend.get(`${account.id}\n${utcDay(at)}`) ?? 0;
  }

  charge(token: TokenRecord, call: LedgerCall, amount: number, at: Date): void {
    this.move(token, amount, at);
    this.record(token, call, amount, 'charge', at);
  }

  refund(token: TokenRecord, call: LedgerCall, amount: number, at: Date): void {
    this.move(token, -amount, at);
    this.record(token, call, amount, 'refund', at);
  }

  /** Settles every pending charge: `pending_settlement` moves out of `balance`. */
  settle(): void {
    for (const account of this.accounts.values()) {
      account.balance -= account.pending;
      account.pending = 0;
    }
  }

  /** Every charge and refund, oldest first (copies). */
  entries(): LedgerEntry[] {
    return this.rows.map((entry) => ({ ...entry }));
  }

  /** Sets an account's limits (what `GET /v1/wallet/limits` shows and paid calls enforce). */
  setLimits(accountId: string, limits: WalletLimits): void {
    const account = this.accounts.get(accountId);
    if (!account) throw notFound(`No account ${accountId}.`);
    for (const value of [limits.daily_limit_micro_usdc, limits.per_tx_limit_micro_usdc]) {
      if (value !== null && (!Number.isSafeInteger(value) || value < 0)) throw validationError('limits must be null or non-negative safe integers');
    }
    account.limits = { ...limits };
  }

  /** Holds (`delta > 0`) or releases (`delta < 0`) money: pending settlement, caps, daily spend. */
  private move(token: TokenRecord, delta: number, at: Date): void {
    const account = this.accountOf(token);
    account.pending += delta;
    for (const link of this.tokens.chain(token)) link.spent += delta;
    const day = `${account.id}\n${utcDay(at)}`;
    this.dailySpend.set(day, (this.dailySpend.get(day) ?? 0) + delta);
  }

  private record(token: TokenRecord, call: LedgerCall, amount: number, kind: LedgerEntry['kind'], at: Date): void {
    this.rows.push({
      id: this.ids.next('ledger'),
      token_id: token.id,
      request_id: call.requestId,
      listing_id: call.listingId,
      amount_micro_usd: amount,
      kind,
      idempotency_key: call.idempotencyKey,
      created_at: at.toISOString(),
    });
  }
}
