import { Flags } from '@oclif/core';
import type { KeySetDocument } from '@proxygate-kit/sdk/receipts';
import { BaseCommand } from '../../../lib/base-command.js';
import { createClient } from '../../../lib/client.js';
import { CliError } from '../../../lib/errors.js';
import { ExitCode } from '../../../lib/exit-codes.js';
import { writeOutputFile } from '../../../lib/output-file.js';
import { loadReceiptsSdk } from '../../../lib/sdk-loader.js';

export default class ReceiptsKeysExport extends BaseCommand {
  static override summary = "save the gateway's receipt key set, to pin it for offline verification";
  static override description = `The one receipts command that uses the network: GET /.well-known/proxygate-receipt-keys (or,
on a gateway without it, the v1/v2 keys of GET /health). The document is validated (every key strictly decoded, not of small order) before it is written, so a
pinned file always loads. Commit it and pass it to "receipts verify --keys".`;
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
    try {
      const raw = await client.meta.receiptKeys().catch(async (error: unknown) => {
        // The public gateway serves no key-set document, only /health's v1 platform key and v2 CA
        // key: pin those (v1/v2 receipts verify; v3 needs the document).
        if ((error as { status?: number }).status !== 404) throw error;
        const health = await client.meta.health();
        this.note('The gateway serves no key-set document; pinning the platform and receipt CA keys from /health');
        return KeySet.fromKeys([], { platformPubkey: health.platform_pubkey, receiptCaPubkey: health.receipt_ca_pubkey }).toJSON();
      });
      document = KeySet.fromDocument(raw as KeySetDocument).toJSON();
    } catch (error) {
      if (error instanceof KeySetError) throw new CliError('invalid_key_set', `the gateway's key set is not usable: ${error.message}`, ExitCode.failure, 'do not pin it; report it to the gateway operator');
      throw error;
    }
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (flags.output) {
      await writeOutputFile(flags.output, text);
      this.note(`Saved ${document.keys.length} key(s) to ${flags.output}`);
    } else if (!this.jsonEnabled()) {
      process.stdout.write(text);
    }
    return document;
  }
}
