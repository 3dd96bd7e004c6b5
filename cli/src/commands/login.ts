import { Flags } from '@oclif/core';
import { BaseCommand } from '../lib/base-command.js';
import { createClient } from '../lib/client.js';
import { identify } from '../lib/identity.js';
import { saveProfile } from '../lib/credentials.js';
import { UsageError } from '../lib/errors.js';
import { readStdin } from '../lib/input.js';
import { promptSecret } from '../lib/prompt.js';
import { maskToken } from '../lib/redact.js';
import { canPrompt } from '../lib/terminal.js';

const KEY_SHAPE = /^pg_(live|del|test)_\S+$/;

export default class Login extends BaseCommand {
  static override summary = 'store an API key for later commands';
  static override description = `The key is checked against the gateway (GET /v1/me, and the token's scopes where the gateway
serves introspection), then kept in the OS keychain when one answers (else in credentials.json, mode 0600). Without --key it is read from stdin when piped, or asked
for with hidden input on a terminal; never prompted for in CI or without a TTY.`;
  static override examples = [
    '<%= config.bin %> login',
    'printenv PG_KEY | <%= config.bin %> login',
    '<%= config.bin %> login --profile ci --gateway http://127.0.0.1:4010 --key "$PG_KEY"',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    key: Flags.string({ description: 'the key to store (pg_live_… or pg_del_…); read from stdin or a prompt when absent' }),
    verify: Flags.boolean({ description: 'check the key against the gateway before storing it', default: true, allowNo: true }),
  };

  async run(): Promise<{ profile: string; wallet: string | null; token_id: string | null; scopes: string[] | null; key: string; stored_in: string; storage: string }> {
    const { flags } = await this.parse(Login);
    const key = await this.obtainKey(flags.key);
    this.secrets.push(key);
    if (!KEY_SHAPE.test(key)) throw new UsageError('that does not look like a Proxygate key', 'keys start with pg_live_ or pg_del_');
    const auth = await this.resolveAuth({ ...flags, 'api-key': key });
    let tokenId: string | null = null;
    let scopes: string[] | null = null;
    let wallet: string | null = null;
    if (flags.verify) {
      const identity = await identify(await createClient(auth));
      wallet = identity.account.wallet;
      tokenId = identity.token?.id ?? null;
      scopes = identity.scopes;
    }
    // Only an explicit gateway is remembered, so the default stays the default.
    const gateway = flags.gateway ?? process.env['PROXYGATE_GATEWAY_URL'];
    const saved = await saveProfile(auth.profile, key, gateway ? auth.gatewayUrl : undefined);
    this.note(
      `Logged in${tokenId ? ` as ${tokenId}` : wallet ? ` as wallet ${wallet}` : ''} (profile "${auth.profile}", key ${maskToken(key)}${scopes ? `, scopes ${scopes.join(' ') || 'none'}` : ''}); key stored in ${saved.description}`,
    );
    return { profile: auth.profile, wallet, token_id: tokenId, scopes, key: maskToken(key), stored_in: saved.description, storage: saved.storage };
  }

  private async obtainKey(flagKey: string | undefined): Promise<string> {
    if (flagKey) return flagKey.trim();
    if (!process.stdin.isTTY) {
      const piped = (await readStdin()).toString('utf8').trim();
      if (piped) return piped;
      throw new UsageError('no key given', 'pass --key, pipe the key on stdin, or run on a terminal');
    }
    if (!canPrompt()) throw new UsageError('no key given and prompts are disabled', 'pass --key or pipe the key on stdin');
    const typed = await promptSecret('Paste your Proxygate API key (input hidden): ');
    if (!typed) throw new UsageError('no key given');
    return typed;
  }
}
