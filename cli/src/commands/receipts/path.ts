import { BaseCommand } from '../../lib/base-command.js';
import { DEFAULT_PROFILE } from '../../lib/credentials.js';
import { currentReceiptLogFile, dataDir, keyPinDir, receiptLogDir, receiptLogFiles, trailNow } from '../../lib/trail/paths.js';

export default class ReceiptsPath extends BaseCommand {
  static override summary = "print where the profile's receipts are kept";
  static override description = `Every paid call ("call", "mcp call") appends its receipt to the profile's receipts log: one JSON
Lines file per month (UTC), YYYY-MM.jsonl, 0600 in a 0700 directory under the data directory
($PROXYGATE_DATA_DIR, else $XDG_DATA_HOME/proxygate, else ~/.local/share/proxygate). Prints the
directory; --json adds the month files and where the pinned receipt keys are.
"proxygate receipts verify" and "receipts audit" read this log when given no file.`;
  static override examples = ['<%= config.bin %> receipts path', 'ls "$(<%= config.bin %> receipts path)"', '<%= config.bin %> receipts path --json'];
  static override enableJsonFlag = true;

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(ReceiptsPath);
    const profile = flags.profile ?? (process.env['PROXYGATE_PROFILE'] || DEFAULT_PROFILE);
    const dir = receiptLogDir(profile);
    this.out(dir);
    return {
      profile,
      data_dir: dataDir(),
      dir,
      current: currentReceiptLogFile(profile, trailNow()),
      files: receiptLogFiles(profile),
      keys_dir: keyPinDir(profile),
    };
  }
}
