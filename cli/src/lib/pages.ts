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

/**
 * The `--json` shape of every list command: the items under `data`, and where the next page
 * starts (`cursor`, pass it to `--cursor`; null when `has_more` is false). Extras (usage's
 * `summary`) sit beside them. One shape, so a script reads `.data[]` and `.has_more` whatever
 * the list, as it reads the gateway's own `GET /v1/apis`.
 */
export interface ListJson<Item> {
  data: Item[];
  cursor: string | null;
  has_more: boolean;
}

export function listJson<Item, Extra extends Record<string, unknown> = Record<never, never>>(
  listed: { items: Item[]; cursor: string | null; hasMore: boolean },
  extra?: Extra,
): ListJson<Item> & Extra {
  return { data: listed.items, cursor: listed.hasMore ? listed.cursor : null, has_more: listed.hasMore, ...(extra as Extra) };
}

/** The whole list in one answer (nothing to page through). */
export function wholeList<Item>(items: Item[]): ListJson<Item> {
  return { data: items, cursor: null, has_more: false };
}

/** The hint (stderr) after a page with more results: how to get the rest. */
export function moreHint(listed: { cursor: string | null; hasMore: boolean }): string | undefined {
  if (!listed.hasMore) return undefined;
  return listed.cursor ? `More results: --cursor ${listed.cursor} for the next page (or --all for every page)` : 'More results: --all for every page';
}
