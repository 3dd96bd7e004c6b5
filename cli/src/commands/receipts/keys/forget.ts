import { BaseCommand } from '../../../lib/base-command.js';
import { gatewayOrigin, keyPinFile } from '../../../lib/trail/paths.js';
import { forgetPin } from '../../../lib/trail/pins.js';

export default class ReceiptsKeysForget extends BaseCommand {
  static override summary = 'forget the receipt keys pinned for this profile and gateway';
  static override description = `The next paid call (or "receipts keys trust") pins the gateway's keys again, as on first use.
Receipts already kept stay in the log.`;
  static override examples = ['<%= config.bin %> receipts keys forget', '<%= config.bin %> receipts keys forget --gateway https://gateway.example'];
  static override enableJsonFlag = true;

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(ReceiptsKeysForget);
    const auth = await this.resolveAuth(flags);
    const gateway = gatewayOrigin(auth.gatewayUrl);
    const file = keyPinFile(auth.profile, auth.gatewayUrl);
    const forgotten = await forgetPin(auth.profile, auth.gatewayUrl);
    this.note(forgotten ? `forgot the receipt keys pinned for ${gateway} (profile "${auth.profile}")` : `no receipt keys were pinned for ${gateway} (profile "${auth.profile}")`);
    return { profile: auth.profile, gateway, file, forgotten };
  }
}
