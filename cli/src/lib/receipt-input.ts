import { UsageError } from './errors.js';
import { readInputFile } from './input.js';

/** One receipt to verify and where it came from (for failure lines). */
export interface ReceiptItem {
  /** `file:line` for JSON Lines, `file#index` for arrays, `file` for a single object. */
  locator: string;
  /** The receipt's own JSON text, so the SDK's strict parser sees duplicate keys and all. */
  text: string;
}

/**
 * Receipts from a file's text: a JSON array, one JSON object (a receipt, or a `{ data: [...] }`
 * page of the receipt log), or JSON Lines. Elements are kept as their exact source text.
 */
export function splitReceipts(text: string, source: string): ReceiptItem[] {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    return splitJsonArray(trimmed, source).map((t, i) => ({ locator: `${source}#${i + 1}`, text: t }));
  }
  const lines = body.split(/\r?\n/);
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (nonEmpty.length > 1 && nonEmpty.every((l) => l.trim().startsWith('{'))) {
    const items: ReceiptItem[] = [];
    lines.forEach((line, i) => {
      if (line.trim() !== '') items.push({ locator: `${source}:${i + 1}`, text: line.trim() });
    });
    return items;
  }
  if (trimmed.startsWith('{')) {
    const log = logPageData(trimmed, source);
    if (log) return splitJsonArray(log, source).map((t, i) => ({ locator: `${source}#${i + 1}`, text: t }));
    return [{ locator: source, text: trimmed }];
  }
  // A bare header value (base64 of the receipt JSON), one per line.
  return nonEmpty.map((line) => ({ locator: source, text: decodeBase64Receipt(line.trim(), source) }));
}

function decodeBase64Receipt(value: string, source: string): string {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) throw new UsageError(`${source} is not JSON, JSON Lines or base64 receipts`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * The raw text of the `data` array of a `{ data: [...], head }` receipt-log page, if that is what
 * this is. Only the top-level member counts: a nested `data` must not stand in for it.
 */
export function logPageData(objectText: string, source: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(objectText);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { data?: unknown }).data)) return undefined;
  const members = topLevelMembers(objectText).filter((member) => member.key === 'data');
  // JSON.parse keeps the last of duplicate keys, other readers the first: refuse to pick.
  if (members.length !== 1) throw new UsageError(`${source}: the receipt-log page has ${members.length} "data" members`);
  const start = members[0]!.value;
  const end = matchingBracket(objectText, start);
  return end === -1 ? undefined : objectText.slice(start, end + 1);
}

/**
 * The keys (decoded) of the own members of a well-formed JSON object's text and where each value
 * starts: member i lies between the i-th separator (the `{`, then each comma) and its colon.
 */
function topLevelMembers(text: string): Array<{ key: string; value: number }> {
  const { commas, colons } = walkBrackets(text, 0);
  const starts = [0, ...commas];
  return colons.map((colon, i) => {
    let value = colon + 1;
    while (/\s/.test(text[value] ?? '')) value++;
    return { key: JSON.parse(text.slice(starts[i]! + 1, colon)) as string, value };
  });
}

/** Splits the top level of a JSON array into element texts without re-serialising them. */
export function splitJsonArray(text: string, source: string): string[] {
  const { end, commas } = walkBrackets(text, 0);
  if (end === -1 || text.slice(end + 1).trim() !== '') throw new UsageError(`${source}: the JSON array is not well formed`);
  const bounds = [0, ...commas, end];
  const elements = bounds.slice(1).map((bound, i) => text.slice(bounds[i]! + 1, bound).trim());
  return elements.length === 1 && elements[0] === '' ? [] : elements;
}

const matchingBracket = (text: string, open: number): number => walkBrackets(text, open).end;

/**
 * Walks a JSON value from its opening bracket, skipping strings: the index of the matching
 * closing bracket (-1 when there is none) and of the commas and colons directly inside it.
 */
function walkBrackets(text: string, open: number): { end: number; commas: number[]; colons: number[] } {
  const commas: number[] = [];
  const colons: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return { end: i, commas, colons };
    } else if (ch === ',' && depth === 1) commas.push(i);
    else if (ch === ':' && depth === 1) colons.push(i);
  }
  return { end: -1, commas, colons };
}

/** The sources to read: the files, or stdin when none is named (never a terminal: it would wait forever). */
export function inputSources(files: readonly string[]): string[] {
  const sources = files.length === 0 ? ['-'] : [...files];
  if (sources.filter((f) => f === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  if (sources.includes('-') && process.stdin.isTTY) throw new UsageError('no receipts given', 'pass receipt files, or pipe them on stdin');
  return sources;
}

/** Every receipt of every source (`-` or no file: stdin). */
export async function readReceiptSources(files: readonly string[]): Promise<ReceiptItem[]> {
  const sources = inputSources(files);
  const items: ReceiptItem[] = [];
  for (const file of sources) {
    const text = (await readInputFile(file)).toString('utf8');
    items.push(...splitReceipts(text, file === '-' ? 'stdin' : file));
  }
  return items;
}

/** `--shard i/n` (1-based): which part of the work this CI job takes. */
export function parseShard(value: string): { index: number; total: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (!match || total < 1 || index < 1 || index > total) throw new UsageError(`--shard must be i/n with 1 <= i <= n, got "${value}"`, 'e.g. --shard 2/4');
  return { index, total };
}

/** A stable shard for a key (FNV-1a), so every job agrees without talking to the others. */
export function shardOf(key: string, total: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % total) + 1;
}
