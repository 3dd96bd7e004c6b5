import { Args } from '@oclif/core';
import type { ListingDocs } from '@proxygate-kit/sdk';
import { BaseCommand } from '../../lib/base-command.js';
import { createClient } from '../../lib/client.js';
import { LISTING_REF_DESCRIPTION } from './show.js';

export default class ApisDocs extends BaseCommand {
  static override summary = "print a listing's documentation (Markdown, OpenAPI or GraphQL, as the seller wrote it)";
  static override description = `The content goes to stdout as published; its type (markdown, openapi, graphql) to stderr.
REF is resolved as in "apis show" (an id is used as is).`;
  static override examples = ['<%= config.bin %> apis docs weather-current | less', '<%= config.bin %> apis docs findly/web-search --json'];
  static override enableJsonFlag = true;
  static override args = { ref: Args.string({ ignoreStdin: true, description: LISTING_REF_DESCRIPTION, required: true }) };

  async run(): Promise<ListingDocs> {
    const { args, flags } = await this.parse(ApisDocs);
    const docs = await (await createClient(await this.resolveAuth(flags))).catalog.docs(args.ref);
    this.note(`${docs.doc_type} documentation of ${docs.listing_id}, updated ${docs.updated_at}`);
    this.out(docs.content);
    return docs;
  }
}
