import { BaseCommand } from '../lib/base-command.js';
import { DEFAULT_PROFILE, deleteProfile } from '../lib/credentials.js';

export default class Logout extends BaseCommand {
  static override summary = 'forget the stored key of a profile';
  static override examples = ['<%= config.bin %> logout', '<%= config.bin %> logout --profile ci'];
  static override enableJsonFlag = true;

  async run(): Promise<{ profile: string; removed: boolean }> {
    const { flags } = await this.parse(Logout);
    const profile = flags.profile ?? process.env['PROXYGATE_PROFILE'] ?? DEFAULT_PROFILE;
    const removed = await deleteProfile(profile);
    this.note(removed ? `Logged out of profile "${profile}"` : `Profile "${profile}" had no stored key`);
    if (process.env['PROXYGATE_API_KEY']) this.note('Note: PROXYGATE_API_KEY is still set in this environment');
    return { profile, removed };
  }
}
