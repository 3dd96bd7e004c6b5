import type { Balance as BalanceBody } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { renderKeyValues } from '../lib/format.js';
import { loadMoney } from '../lib/money.js';

export default class Balance extends BaseCommand {
  static override summary = "show the account's balance: available to spend, pending settlement, total";
  static override description = `Amounts are exact USD (the gateway's integers are micro-USD, whatever it calls them). "available"
is what paid calls can spend; "pending settlement" is held for calls not yet settled.`;
  static override examples = ['<%= config.bin %> balance', '<%= config.bin %> balance --json'];
  static override enableJsonFlag = true;

  async run(): Promise<BalanceBody> {
    const { flags } = await this.parse(Balance);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const balance = await (await createClient(auth)).account.balance();
    const { formatUsd } = await loadMoney();
    this.out(
      renderKeyValues([
        ['available', formatUsd(balance.available)],
        ['pending settlement', formatUsd(balance.pending_settlement)],
        ['balance', formatUsd(balance.balance)],
        ...(balance.in_cooldown ? [['cooldown', 'yes: withdrawals are paused'] as const] : []),
      ]),
    );
    return balance;
  }
}
