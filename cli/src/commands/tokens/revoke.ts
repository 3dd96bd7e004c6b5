import { Args } from '@oclif/core';
import type { TokenInfo } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';

export default class TokensRevoke extends BaseCommand {
  static override summary = 'revoke a token and, in cascade, the tokens it minted: a gateway extension';
  static override examples = [
    '<%= config.bin %> tokens revoke "$TOKEN_ID"',
    "<%= config.bin %> tokens list --json | jq -r '.data[] | select(.name == \"ci-reader\") | .id' | xargs <%= config.bin %> tokens revoke",
  ];
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ ignoreStdin: true, description: 'token id (tok_…)', required: true }) };

  async run(): Promise<TokenInfo> {
    const { args, flags } = await this.parse(TokensRevoke);
    const auth = await this.resolveAuth(flags);
    this.requireKey(auth);
    const info = await (await createClient(auth)).tokens.revoke(args.id);
    this.out(`Revoked ${info.id} at ${info.revoked_at ?? 'now'}`);
    return info;
  }
}
