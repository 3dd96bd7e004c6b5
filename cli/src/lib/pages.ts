import type { Page, PagePromise } from '@proxygate-kit/sdk';
import { startSpinner } from './terminal.js';

/** One page of a list command, or every page with `--all`: the items and where to go on. */
export interface Listed<Item, Body> {
  items: Item[];
  /** The first page's body (wrapper extras such as usage's `summary`). */
  first: Body;
  cursor: string | null;
  hasMore: boolean;
}

/** `--limit/--cursor` give one page; `--all` follows cursors (spinner on a terminal only). */
export async function listPages<Item, Body extends { cursor: string | null; has_more: boolean }>(pages: PagePromise<Item, Body>, all: boolean): Promise<Listed<Item, Body>> {
  const first: Page<Item, Body> = await pages;
  if (!all) return { items: first.data, first: first.body, cursor: first.cursor, hasMore: first.hasNextPage() };
  const items: Item[] = [];
  const spinner = startSpinner('fetching every page');
  try {
    for await (const page of first.iterPages()) items.push(...page.data);
  } finally {
    spinner.stop();
  }
  return { items, first: first.body, cursor: null, hasMore: false };
}

/** The hint after a page with more results. */
export function moreHint(listed: { cursor: string | null; hasMore: boolean }): string | undefined {
  return listed.hasMore && listed.cursor ? `More results: --cursor ${listed.cursor} (or --all)` : undefined;
}
