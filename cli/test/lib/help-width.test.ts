// Help fits an 80-column terminal (oclif's width when stdout is not a terminal): no line of any
// command's page, topic page or help topic is longer, and descriptions are filled, not ragged
// (a line never ends where the next line's first word would still have fit). Pages come from the
// CLI's help class with an 80-column width, its output collected (in-process, oclif's own loading
// of the help class from dist/ cannot resolve the SDK's sources, and its writes escape capture).
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { Config } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands.js';
import ProxygateHelp from '../../src/lib/help-class.js';
import { HELP_TOPICS } from '../../src/lib/help-topics.js';
import { reflow, shellWords, wrapCommand } from '../../src/lib/help-wrap.js';
import { cli } from '../helpers/run.js';

class CollectedHelp extends ProxygateHelp {
  text = '';
  protected override log(...args: string[]): void {
    this.text += `${args.join('\n')}\n`;
  }
}

const cliRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The page `proxygate WORDS --help` shows on an 80-column terminal. */
async function page(words: string[]): Promise<string> {
  const config = await Config.load({ root: cliRoot });
  const help = new CollectedHelp(config, { ...config.pjson.oclif.helpOptions, maxWidth: 80, stripAnsi: true });
  await help.showHelp(words);
  expect(help.text, words.join(' ')).not.toBe('');
  return stripVTControlCharacters(help.text);
}

const WIDTH = 80;
const TOPICS = ['apis', 'tokens', 'receipts', 'receipts:keys', 'receipts:audit', 'mcp'];
const PAGES: string[][] = [
  [],
  ...[...Object.keys(COMMANDS), ...TOPICS].map((id) => id.split(':')),
];

const tooLong = (text: string) => stripVTControlCharacters(text).split('\n').filter((line) => [...line].length > WIDTH);

/** Lines of `text` that end before a word the next line starts with would have fit (same paragraph). */
function ragged(text: string): string[] {
  const lines = text.split('\n');
  const found: string[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const [a, b] = [lines[i]!, lines[i + 1]!];
    if (!a.trim() || !b.trim() || /^\s*(?:[-*] |\S+ {2,})/.test(b)) continue;
    const indent = (s: string) => s.length - s.trimStart().length;
    if (indent(b) < indent(a)) continue;
    const first = b.trim().split(/\s+/)[0]!;
    if ([...a].length + 1 + [...first].length <= WIDTH) found.push(`${a}⏎${b}`);
  }
  return found;
}

function section(page: string, header: string): string {
  // From the header to the next one (a line of capitals) or the end of the page.
  const match = new RegExp(`^${header}\\n([\\s\\S]*?)(?=\\n[A-Z][A-Z ]+\\n|(?![\\s\\S]))`, 'm').exec(page);
  return match?.[1] ?? '';
}

describe('help at 80 columns', () => {
  it('no line of any help page is longer than 80 columns', async () => {
    const long: string[] = [];
    for (const words of PAGES) {
      long.push(...tooLong(await page(words)).map((line) => `${words.join(' ') || '(root)'}: ${line}`));
    }
    for (const topic of Object.keys(HELP_TOPICS)) {
      const r = await cli(['help', topic]);
      expect(r.exitCode).toBe(0);
      long.push(...tooLong(r.stdout).map((line) => `help ${topic}: ${line}`));
    }
    expect(long).toEqual([]);
  });

  it('descriptions and help topics are filled paragraphs, not lines broken where the source was', async () => {
    const found: string[] = [];
    for (const id of Object.keys(COMMANDS)) {
      const description = section(await page(id.split(':')), 'DESCRIPTION');
      if (id === 'usage') expect(description).toContain('not just this page');
      found.push(...ragged(description).map((l) => `${id}: ${l}`));
    }
    for (const topic of Object.keys(HELP_TOPICS)) found.push(...ragged(stripVTControlCharacters((await cli(['help', topic])).stdout)).map((l) => `help ${topic}: ${l}`));
    expect(found).toEqual([]);
  });
});

describe('the wrapping', () => {
  it('keeps list items and LABEL  text rows hanging, and cuts no word', () => {
    const text = 'Intro text that is long enough\nto be joined.\n\n  - item one that goes on\n    and on and on and on\n  KEY   a value\n        continued';
    expect(reflow(text, 32)).toBe(
      'Intro text that is long enough\nto be joined.\n\n  - item one that goes on and on\n    and on and on\n  KEY   a value continued',
    );
    // A label too wide to leave room: the text goes under it.
    expect(reflow('  A_LONG_VARIABLE_NAME  its meaning', 30)).toBe('  A_LONG_VARIABLE_NAME\n      its meaning');
    expect(reflow('a https://example.test/a/very/long/path/that/does/not/fit', 20)).toBe('a\nhttps://example.test/a/very/long/path/that/does/not/fit');
  });

  it('breaks a command between shell words (never inside quotes), a flag with its value', () => {
    const line = `$ proxygate call echo /echo --data '{"text": "hello world"}' --receipts receipts.jsonl`;
    const wrapped = wrapCommand(line, 50);
    expect(wrapped).toBe(`$ proxygate call echo /echo \\\n  --data '{"text": "hello world"}' \\\n  --receipts receipts.jsonl`);
    // The shell reads the same words from the wrapped text.
    expect(shellWords(wrapped.replaceAll(' \\\n', ' '))).toEqual(shellWords(line));
  });
});
