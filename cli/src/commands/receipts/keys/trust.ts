import { Flags } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';
import { createClient } from '../../../lib/client.js';
import { CliError, UsageError } from '../../../lib/errors.js';
import { ExitCode } from '../../../lib/exit-codes.js';
import { confirm } from '../../../lib/trail/confirm.js';
import { describeChanges, fetchKeyMaterial, sameKeys } from '../../../lib/trail/key-material.js';
import { gatewayOrigin, keyPinFile } from '../../../lib/trail/paths.js';
import { newPin, readPin, replacePin } from '../../../lib/trail/pins.js';

export default class ReceiptsKeysTrust extends BaseCommand {
  static override summary = "pin the gateway's current receipt keys for this profile, after showing what changes";
  static override description = `Reads the gateway's receipt keys again (its key-set document where advertised, else GET /health)
and shows how they differ from the keys pinned for this profile and gateway. On a terminal it asks
before replacing the pin; elsewhere --yes is needed. This is how a key change that no pinned key
endorses (a new platform_pubkey of the public gateway, a rotation without endorsement) is taken in:
check it with the gateway operator first.`;
  static override examples = ['<%= config.bin %> receipts keys trust', '<%= config.bin %> receipts keys trust --yes --json'];
  static override enableJsonFlag = true;
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'replace the pin without asking (needed when not on a terminal)' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(ReceiptsKeysTrust);
    const auth = await this.resolveAuth(flags);
    const gateway = gatewayOrigin(auth.gatewayUrl);
    const file = keyPinFile(auth.profile, auth.gatewayUrl);
    const material = await fetchKeyMaterial(await createClient(auth));
    const pin = await readPin(auth.profile, auth.gatewayUrl);
    if (pin && (await sameKeys(pin.keys, material.keys))) {
      this.note(`the keys pinned for ${gateway} (profile "${auth.profile}") are the gateway's current keys: nothing changes`);
      return { gateway, profile: auth.profile, file, changed: false, changes: [], keys: pin.keys };
    }
    const changes = describeChanges(pin?.keys, material.keys);
    const source = material.source === 'key_set' ? 'its key-set document' : 'GET /health';
    this.note(`${pin ? 'The receipt keys of' : 'No keys are pinned yet for'} ${gateway} (profile "${auth.profile}")${pin ? ' changed' : ''}; from ${source}:`);
    for (const line of changes) this.note(`  ${line}`);
    if (!flags.yes) {
      const answer = await confirm(`Pin these keys for ${gateway}?`);
      if (answer === undefined) throw new UsageError('replacing the pinned receipt keys needs a confirmation, and this session is not interactive', 'check the change above, then run again with --yes');
      if (!answer) throw new CliError('not_trusted', 'the pinned receipt keys were left unchanged', ExitCode.failure);
    }
    const next = newPin(auth.gatewayUrl, material.source, material.keys, 'trusted', pin);
    await replacePin(auth.profile, next);
    this.note(`pinned in ${file}`);
    return { gateway, profile: auth.profile, file, changed: true, changes, keys: next.keys };
  }
}
