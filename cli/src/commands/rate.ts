import { Args, Flags } from '@oclif/core';
import type { RateResult } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';

export default class Rate extends BaseCommand {
  static override summary = 'rate the seller of a past call up or down';
  static override examples = ['<%= config.bin %> rate req_01HXYZ --up', '<%= config.bin %> rate req_01HXYZ --down'];
  static override enableJsonFlag = true;
  static override args = { requestId: Args.string({ ignoreStdin: true, description: 'request id (req_…) from the receipt or usage', required: true }) };
  static override flags = {
    up: Flags.boolean({ description: 'a good answer', exactlyOne: ['up', 'down'] }),
    down: Flags.boolean({ description: 'a bad answer', exactlyOne: ['up', 'down'] }),
  };

  async run(): Promise<RateResult> {
    const { args, flags } = await this.parse(Rate);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const result = await (await createClient(auth)).account.rate({ request_id: args.requestId, is_positive: flags.up === true });
    this.out(`Rated ${result.request_id} (${result.listing_id}) ${result.is_positive ? 'up' : 'down'}`);
    return result;
  }
}
