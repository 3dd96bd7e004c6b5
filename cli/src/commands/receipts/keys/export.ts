import { Flags } from '@oclif/core';
import type { KeySetDocument } from '@proxygate-kit/sdk/receipts';
import { BaseCommand } from '../../../lib/base-command.js';
import { createClient } from '../../../lib/client.js';
import { CliError } from '../../../lib/errors.js';
import { ExitCode } from '../../../lib/exit-codes.js';
import { writeOutputFile } from '../../../lib/output-file.js';
import { loadReceiptsSdk } from '../../../lib/sdk-loader.js';

export default class ReceiptsKeysExport extends BaseCommand {
  static override summary = "save the gateway's receipt keys, to pin them for offline verification";
  static override description = `The one receipts command that uses the network. Where the gateway advertises its key-set document
(an extension), that document; elsewhere (the public gateway) the keys of GET /health: the platform
key that signs v1 receipts and, when sent, the CA key that certifies v2 receipts' ephemeral keys.
Either way the keys are validated (strictly decoded, not of small order) before the file is written,
so a pinned file always loads. Commit it and pass it to "receipts verify --keys".`;
  static override examples = ['<%= config.bin %> receipts keys export > keys.json', '<%= config.bin %> receipts keys export --output keys.json'];
  static override enableJsonFlag = true;
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write to this file instead of stdout' }),
  };

  async run(): Promise<KeySetDocument> {
    const { flags } = await this.parse(ReceiptsKeysExport);
    const client = await createClient(await this.resolveAuth(flags));
    const { KeySet, KeySetError } = await loadReceiptsSdk();
    let document: KeySetDocument;
    let what: string;
    try {
      const fromDocument = (await client.meta.extensions()).has('receipt_keys');
      const raw = await client.meta.receiptKeys();
      document = KeySet.fromDocument(raw as KeySetDocument).toJSON();
      const v2 = document.receipt_ca_pubkey ? ' and the v2 receipt CA key' : ' (no v2 receipt CA key: v2 receipts will not verify)';
      what = fromDocument ? `${document.keys.length} key(s)` : `the v1 platform key${v2} from GET /health (the gateway serves no key-set document)`;
    } catch (error) {
      if (error instanceof KeySetError) throw new CliError('invalid_key_set', `the gateway's key set is not usable: ${error.message}`, ExitCode.failure, 'do not pin it; report it to the gateway operator');
      throw error;
    }
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (flags.output) {
      await writeOutputFile(flags.output, text);
      this.note(`Saved ${what} to ${flags.output}`);
    } else {
      if (!this.jsonEnabled()) process.stdout.write(text);
      this.note(`Exported ${what}`);
    }
    return document;
  }
}
