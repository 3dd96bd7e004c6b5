import { Args } from '@oclif/core';
import type { ListingDocs } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';

export default class ApisDocs extends BaseCommand {
  static override summary = "print a listing's documentation (Markdown)";
  static override examples = ['<%= config.bin %> apis docs lst_weather01 | less'];
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ ignoreStdin: true, description: 'listing id (lst_…) or slug', required: true }) };

  async run(): Promise<ListingDocs> {
    const { args, flags } = await this.parse(ApisDocs);
    const docs = await (await createClient(await this.resolveAuth(flags))).catalog.docs(args.id);
    this.out(docs.markdown);
    return docs;
  }
}
