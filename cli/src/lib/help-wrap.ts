// Help text fitted to the terminal. Descriptions and help topics are written as paragraphs broken
// at ~100 columns; oclif wraps each of those lines on its own (a ragged short line after every
// one) and drops a list item's hanging indent. Here a paragraph's lines are joined and filled
// again, keeping the hanging indent of list items and `LABEL  text` rows.

/** A list item (`- `, `* `) or a table row (a label, then two spaces or more): its lead. */
const ITEM = /^\s*(?:[-*] |\S+ {2,})/;

interface Block {
  /** What the first line starts with: its indentation, and the item's bullet or label. */
  lead: string;
  /** Where the text of the item's next lines starts. */
  hang: number;
  words: string[];
}

/** `text` with every paragraph, list item and table row filled to `width` columns. */
export function reflow(text: string, width: number): string {
  const out: string[] = [];
  let block: Block | undefined;
  const flush = () => {
    if (block) out.push(...fill(block, width));
    block = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      flush();
      out.push('');
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const item = ITEM.exec(line)?.[0];
    // A line at the hang of the block above continues it (a paragraph's hang is its indentation).
    if (block && item === undefined && indent === block.hang) {
      block.words.push(...wordsOf(line));
      continue;
    }
    flush();
    const lead = item ?? line.slice(0, indent);
    block = { lead, hang: lead.length, words: wordsOf(line.slice(lead.length)) };
  }
  flush();
  return out.join('\n');
}

function wordsOf(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** Greedy fill; a word longer than the room left stands alone on its line (never cut). */
function fill(block: Block, width: number): string[] {
  const lines: string[] = [];
  let hang = block.hang;
  let line = block.lead;
  // A label so wide that little room is left: the text goes on under it, a little indented.
  if (width - block.hang < 24 && block.lead.trim() !== '') {
    lines.push(block.lead.trimEnd());
    hang = block.lead.length - block.lead.trimStart().length + 4;
    line = ' '.repeat(hang);
  }
  let fresh = true;
  for (const word of block.words) {
    if (!fresh && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(hang) + word;
    } else line += (fresh ? '' : ' ') + word;
    fresh = false;
  }
  lines.push(line.trimEnd());
  return lines;
}

/**
 * Shell words of `line`: split at blanks outside quotes, so a break between two of them (a ` \`
 * line continuation, whose next line's indentation is blanks again) leaves the command as it was.
 * Inside `$(...)` too: its blanks separate words of the inner command.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"' && i + 1 < line.length) {
        word += ch + line[++i];
        continue;
      }
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (/\s/.test(ch)) {
      if (word) words.push(word);
      word = '';
      continue;
    }
    word += ch;
  }
  if (word) words.push(word);
  return words;
}

/**
 * A one-line shell command in `width` columns, continued with ` \` on lines indented by
 * `continuation` spaces, under the command after `$ ` (a word too long for any line stands alone,
 * never cut).
 */
export function wrapCommand(line: string, width: number, continuation = 2): string {
  if (line.length <= width) return line;
  const lines: string[] = [];
  let current = '';
  for (const word of flagsWithValues(shellWords(line))) {
    if (current.trim() && current.length + 1 + word.length + 2 > width) {
      lines.push(`${current} \\`);
      current = ' '.repeat(continuation) + word;
    } else current += (current ? ' ' : '') + word;
  }
  lines.push(current);
  return lines.join('\n');
}

const OPERATORS = new Set(['|', '||', '&&', ';', '>', '>>', '<']);

/** `--keys keys.json` kept on one line: a break goes between flags, not inside one. */
function flagsWithValues(words: readonly string[]): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    if (word.startsWith('-') && word.length > 1 && next !== undefined && !next.startsWith('-') && !OPERATORS.has(next)) {
      chunks.push(`${word} ${next}`);
      i++;
    } else chunks.push(word);
  }
  return chunks;
}
