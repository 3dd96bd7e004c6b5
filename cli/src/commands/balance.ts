import type { Balance as BalanceBody } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { formatUsd } from '../lib/format.js';

export default class Balance extends BaseCommand {
  static override summary = "show the account's credit balance";
  static override examples = ['<%= config.bin %> balance', '<%= config.bin %> balance --json'];
  static override enableJsonFlag = true;

  async run(): Promise<BalanceBody> {
    const { flags } = await this.parse(Balance);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const balance = await (await createClient(auth)).account.balance();
    this.out(`${formatUsd(balance.balance_micro_cents)} ${balance.currency} (${balance.balance_micro_cents} micro-cents)`);
    return balance;
  }
}
