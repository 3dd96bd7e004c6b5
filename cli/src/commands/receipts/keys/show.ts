import { Flags } from '@oclif/core';
import { BaseCommand } from '../../../lib/base-command.js';
import { wholeList } from '../../../lib/pages.js';
import { gatewayOrigin, keyPinFile } from '../../../lib/trail/paths.js';
import { listPins, readPin, type KeyPin } from '../../../lib/trail/pins.js';

export default class ReceiptsKeysShow extends BaseCommand {
  static override summary = 'show the receipt keys pinned for this profile and gateway';
  static override description = `Paid calls verify receipts against these keys, pinned on the first paid call (or "receipts keys
export") against the gateway. --all lists every gateway pinned for the profile (--json: the list
shape of every list command, one pin per gateway under "data").`;
  static override examples = ['<%= config.bin %> receipts keys show', '<%= config.bin %> receipts keys show --all --json'];
  static override enableJsonFlag = true;
  static override flags = {
    all: Flags.boolean({ description: 'every gateway pinned for this profile' }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(ReceiptsKeysShow);
    const auth = await this.resolveAuth(flags);
    if (flags.all) {
      const pins = await listPins(auth.profile);
      if (pins.length === 0) this.note(`no receipt keys are pinned for profile "${auth.profile}"`);
      for (const { file, pin } of pins) this.out(describe(pin, file));
      return { ...wholeList(pins.map(({ file, pin }) => ({ file, ...pin }))), profile: auth.profile };
    }
    const gateway = gatewayOrigin(auth.gatewayUrl);
    const file = keyPinFile(auth.profile, auth.gatewayUrl);
    const pin = await readPin(auth.profile, auth.gatewayUrl);
    if (!pin) {
      this.note(`no receipt keys are pinned for ${gateway} (profile "${auth.profile}"): the first paid call pins them, or run "proxygate receipts keys trust"`);
      return { profile: auth.profile, gateway, file, pinned: false };
    }
    this.out(describe(pin, file));
    return { profile: auth.profile, file, pinned: true, ...pin };
  }
}

function describe(pin: KeyPin, file: string): string {
  const lines = [
    `${pin.gateway}  (${pin.source === 'key_set' ? 'key-set document' : 'GET /health'}; pinned ${pin.pinned_at}, updated ${pin.updated_at}, ${pin.how.replace(/_/g, ' ')})`,
    `  file: ${file}`,
    ...pin.keys.keys.map((k) => `  key ${k.kid}  ${k.status}  ${k.x}  from ${k.not_before}${k.not_after ? ` until ${k.not_after}` : ''}`),
    ...(pin.keys.platform_pubkey ? [`  platform_pubkey ${pin.keys.platform_pubkey}  (v1 receipts)`] : []),
    ...(pin.keys.receipt_ca_pubkey ? [`  receipt_ca_pubkey ${pin.keys.receipt_ca_pubkey}  (v2 receipts)`] : []),
  ];
  return lines.join('\n');
}
