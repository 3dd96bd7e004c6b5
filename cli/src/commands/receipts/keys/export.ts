import { Flags } from '@oclif/core';
import type { KeySetDocument } from '@proxygate-kit/sdk/receipts';
import { BaseCommand } from '../../../lib/base-command.js';
import { createClient } from '../../../lib/client.js';
import { writeOutputFile } from '../../../lib/output-file.js';
import { fetchKeyMaterial } from '../../../lib/trail/key-material.js';
import { syncPin } from '../../../lib/trail/pin-sync.js';

export default class ReceiptsKeysExport extends BaseCommand {
  static override summary = "save the gateway's receipt keys, to pin them for offline verification";
  static override description = `The one receipts command that uses the network. Where the gateway advertises its key-set document
(an extension), that document; elsewhere (the public gateway) the keys of GET /health: the platform
key that signs v1 receipts and, when sent, the CA key that certifies v2 receipts' ephemeral keys.
Either way the keys are validated (strictly decoded, not of small order) before the file is written,
so a pinned file always loads. Commit it and pass it to "receipts verify --keys".

Like a paid call, it also pins the keys for the profile when none are pinned for this gateway yet,
takes in a rotation a pinned key endorses, and warns (pin unchanged) about any other change:
"proxygate receipts keys trust" decides those.`;
  static override examples = ['<%= config.bin %> receipts keys export > keys.json', '<%= config.bin %> receipts keys export --output keys.json'];
  static override enableJsonFlag = true;
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write to this file instead of stdout' }),
  };

  async run(): Promise<KeySetDocument> {
    const { flags } = await this.parse(ReceiptsKeysExport);
    const auth = await this.resolveAuth(flags);
    const client = await createClient(auth);
    const material = await fetchKeyMaterial(client);
    const document = material.keys;
    const v2 = document.receipt_ca_pubkey ? ' and the v2 receipt CA key' : ' (no v2 receipt CA key: v2 receipts will not verify)';
    const what = material.source === 'key_set' ? `${document.keys.length} key(s)` : `the v1 platform key${v2} from GET /health (the gateway serves no key-set document)`;
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (flags.output) {
      await writeOutputFile(flags.output, text);
      this.note(`Saved ${what} to ${flags.output}`);
    } else {
      if (!this.jsonEnabled()) process.stdout.write(text);
      this.note(`Exported ${what}`);
    }
    // Then, as a paid call would: pinned on first use, an endorsed rotation taken in, anything else reported.
    const sync = await syncPin(auth.profile, auth.gatewayUrl, material, (note) => this.note(note));
    if (sync.status === 'differs') {
      this.note(
        `WARNING: these keys differ from the keys pinned for profile "${auth.profile}" (${sync.changes.join('; ')}): ${sync.reason}; the pin is unchanged ("proxygate receipts keys trust" takes them in)`,
      );
    }
    return document;
  }
}
