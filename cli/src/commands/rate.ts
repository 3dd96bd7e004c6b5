import { Args, Flags } from '@oclif/core';
import type { RateResult } from '@proxygate-kit/sdk';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';

export default class Rate extends BaseCommand {
  static override summary = 'rate the seller of a past call up or down';
  static override description = `REQUEST_ID is the request id of the call's receipt (printed by "call"). Rating the same call again
changes the earlier rating; the output says which happened, as the gateway reports it.`;
  static override examples = ['<%= config.bin %> rate "$REQUEST_ID" --up', '<%= config.bin %> rate "$REQUEST_ID" --down --json'];
  static override enableJsonFlag = true;
  static override args = { requestId: Args.string({ ignoreStdin: true, description: "request id of the call (the receipt's request_id)", required: true }) };
  static override flags = {
    up: Flags.boolean({ description: 'a good answer', exactlyOne: ['up', 'down'] }),
    down: Flags.boolean({ description: 'a bad answer', exactlyOne: ['up', 'down'] }),
  };

  async run(): Promise<RateResult & { request_id: string; is_positive: boolean }> {
    const { args, flags } = await this.parse(Rate);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const isPositive = flags.up === true;
    const result = await (await createClient(auth)).account.rate({ request_id: args.requestId, is_positive: isPositive });
    this.out(`Rated ${args.requestId} ${isPositive ? 'up' : 'down'}: ${result.is_update ? 'an earlier rating was changed' : 'new rating recorded'}`);
    return { ...result, request_id: args.requestId, is_positive: isPositive };
  }
}
