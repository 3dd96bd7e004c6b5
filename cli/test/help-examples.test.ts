// Every command's help examples against the demo mock (seed "demo"), in both profiles: each listing
// an example names resolves to one listing and each path it calls is one of that listing's
// endpoints; every example that only reads or pays inside the mock runs and succeeds (placeholders
// such as "$REQUEST_ID" filled in from a real call); no example carries a date that will go stale.
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands.js';
import { useInProcessMock, type MockProfile } from './helpers/mock.js';
import { cli, isolatedEnv } from './helpers/run.js';

type FlagTable = Record<string, { type: 'boolean' | 'option'; char?: string }>;
type CommandClass = { examples?: Array<string | { command: string }>; flags?: FlagTable; baseFlags?: FlagTable; enableJsonFlag?: boolean };

const BIN = 'proxygate';
const IDS = Object.keys(COMMANDS).sort((a, b) => b.split(':').length - a.split(':').length);

interface Example {
  id: string;
  text: string;
}

const EXAMPLES: Example[] = Object.entries(COMMANDS).flatMap(([id, command]) =>
  ((command as CommandClass).examples ?? []).map((e) => ({ id, text: (typeof e === 'string' ? e : e.command).replaceAll('<%= config.bin %>', BIN) })),
);

/** `$(...)` bodies (their own command lines) and the line with each replaced by a placeholder word. */
function substitutions(line: string): { outer: string; inner: string[] } {
  const inner: string[] = [];
  let outer = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '$' && line[i + 1] === '(') {
      let depth = 1;
      let j = i + 2;
      for (; j < line.length && depth > 0; j++) {
        if (line[j] === '(') depth++;
        if (line[j] === ')') depth--;
      }
      const body = line.slice(i + 2, j - 1);
      const nested = substitutions(body);
      inner.push(nested.outer, ...nested.inner);
      outer += '$SUBST';
      i = j - 1;
    } else outer += line[i];
  }
  return { outer, inner };
}

/** Shell words, split into commands at | ; && > < (quotes kept together, as a shell reads them). */
function commandsOf(line: string): Array<{ words: string[]; piped: boolean }> {
  const commands: Array<{ words: string[]; piped: boolean }> = [];
  let words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  let piped = false;
  const end = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const split = (nextPiped: boolean) => {
    end();
    if (words.length) commands.push({ words, piped });
    words = [];
    piped = nextPiped;
  };
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word = (word ?? '') + ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) end();
    else if (ch === '|') split(true);
    else if (ch === ';' || ch === '&' || ch === '>' || ch === '<') split(false);
    else word = (word ?? '') + ch;
  }
  split(false);
  // A redirection target is not a command.
  return commands.filter((c) => c.words[0] !== undefined);
}

interface Invocation {
  id: string;
  positionals: string[];
  flags: Array<[string, string | true]>;
  /** Whether it reads a pipe, writes a file, or has a part the shell fills in. */
  plain: boolean;
}

function invocationsOf(example: Example): Invocation[] {
  const { outer, inner } = substitutions(example.text);
  const lines = [outer, ...inner];
  const found: Invocation[] = [];
  for (const line of lines) {
    const parts = commandsOf(line);
    for (const [index, part] of parts.entries()) {
      const words = part.words[0] === 'xargs' ? part.words.slice(1) : part.words;
      if (words[0] !== BIN) continue;
      const rest = words.slice(1);
      const id = IDS.find((candidate) => candidate.split(':').every((w, i) => rest[i] === w));
      if (!id) throw new Error(`example "${example.text}" names no command`);
      const argv = rest.slice(id.split(':').length);
      const command = COMMANDS[id as keyof typeof COMMANDS] as unknown as CommandClass;
      const table: FlagTable = { ...(command.baseFlags ?? {}), ...(command.flags ?? {}) };
      const byChar = new Map(Object.entries(table).filter(([, f]) => f.char).map(([name, f]) => [f.char!, name]));
      const positionals: string[] = [];
      const flags: Array<[string, string | true]> = [];
      for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === '-' || !arg.startsWith('-')) {
          positionals.push(arg);
          continue;
        }
        const [rawName, inline] = arg.startsWith('--') ? [arg.slice(2).split('=')[0]!, arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined] : [byChar.get(arg.slice(1)) ?? arg.slice(1), undefined];
        const name = rawName.startsWith('no-') && table[rawName.slice(3)] ? rawName.slice(3) : rawName;
        const flag = table[name];
        if (!flag && name !== 'json') throw new Error(`example "${example.text}": ${id} has no flag ${arg}`);
        if (flag?.type === 'option') flags.push([name, inline ?? argv[++i] ?? '']);
        else flags.push([name, true]);
      }
      const plain = !line.includes('$SUBST') && inner.length === 0 && parts.length === 1 && index === 0 && !/\$[A-Z_]/.test(line.replace(/"\$(REQUEST_ID|TOKEN_ID)"/g, ''));
      found.push({ id, positionals, flags, plain });
    }
  }
  return found;
}

/** The listings an invocation names, with the path (and method) it calls on each. */
function listingUses(inv: Invocation, example: Example): Array<{ ref: string; path?: string; method?: string }> {
  const values = (name: string) => inv.flags.filter(([n]) => n === name).map(([, v]) => String(v));
  const uses: Array<{ ref: string; path?: string; method?: string }> = [];
  if (inv.id === 'apis:show' || inv.id === 'apis:docs') uses.push({ ref: inv.positionals[0]! });
  if (inv.id === 'call') {
    const batch = values('batch');
    if (batch.length === 0) {
      const method = values('method')[0] ?? (values('data').length ? 'POST' : 'GET');
      uses.push({ ref: inv.positionals[0]!, path: inv.positionals[1]!, method });
    } else {
      // The batch's lines come from the printf before it: each JSON object is one call.
      for (const match of example.text.matchAll(/'(\{.*?\})'/g)) {
        const line = JSON.parse(match[1]!) as { listing: string; path: string; method?: string; body?: unknown };
        uses.push({ ref: line.listing, path: line.path, method: line.method ?? (line.body === undefined ? 'GET' : 'POST') });
      }
    }
  }
  if (inv.id === 'tokens:create') uses.push(...values('listing').map((ref) => ({ ref })));
  if (inv.id === 'mcp:serve' || inv.id === 'mcp:config') uses.push(...values('allow-listing').map((ref) => ({ ref })));
  if (inv.id === 'mcp:call' && inv.positionals[0] === 'call_api') {
    const arg = (key: string) => values('arg').find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1);
    uses.push({ ref: arg('listing_id')!, path: arg('path')!, method: arg('method') ?? 'GET' });
  }
  return uses;
}

// Commands whose examples run here: they read, or pay inside the mock. Not run: login/logout
// (prompts, another gateway), mcp serve (a server), mcp config/pin (host and pin files),
// receipts verify/audit/log/keys export/trust/forget (files named in the example, or the pin).
const RUNNABLE = new Set(['api', 'apis', 'apis:show', 'apis:docs', 'balance', 'call', 'categories', 'help', 'mcp:call', 'mcp:tools', 'pricing', 'rate', 'receipts:keys:show', 'receipts:path', 'services', 'tokens:create', 'tokens:list', 'tokens:revoke', 'usage', 'whoami']);
// Flags that write files or read stdin.
const WRITES = new Set(['receipts', 'output', 'save-pins', 'head', 'write', 'config-file', 'batch']);
const EXTENSION_ONLY = new Set(['tokens:create', 'tokens:list', 'tokens:revoke', 'receipts:log']);

describe('help examples', () => {
  it('carry no fixed date (durations before now instead)', () => {
    const dated = EXAMPLES.filter((e) => /\b20\d\d-\d\d(-\d\d)?\b/.test(e.text));
    expect(dated.map((e) => e.text)).toEqual([]);
  });

  it('name commands and flags that exist', () => {
    for (const example of EXAMPLES) expect(() => invocationsOf(example), example.text).not.toThrow();
    // The parser above finds the listings the examples use (a guard against it finding none).
    const refs = EXAMPLES.flatMap((e) => invocationsOf(e).flatMap((inv) => listingUses(inv, e)));
    expect(refs.length).toBeGreaterThan(8);
  });
});

describe.each<MockProfile>(['extended', 'public'])('help examples against the demo mock, %s profile', (profile) => {
  const ctx = useInProcessMock('demo', profile);
  let env: Awaited<ReturnType<typeof isolatedEnv>>;
  const vars: Record<string, string> = {};
  beforeAll(async () => {
    env = await isolatedEnv({ PROXYGATE_GATEWAY_URL: ctx.origin, PROXYGATE_API_KEY: ctx.mock.demoTokens.trader, NO_COLOR: '1' });
    const call = JSON.parse((await cli(['call', 'echo', '/echo', '--json'])).stdout) as { request_id: string };
    vars['REQUEST_ID'] = call.request_id;
    vars['TOKEN_ID'] = 'tok_none';
    if (profile === 'extended') {
      expect((await cli(['tokens', 'create', '--scope', 'catalog:read', '--name', 'ci-reader', '--expires', '1h'])).exitCode).toBe(0);
      vars['TOKEN_ID'] = (JSON.parse((await cli(['tokens', 'list', '--json'])).stdout) as { data: Array<{ id: string; name: string | null }> }).data.find((t) => t.name === 'ci-reader')!.id;
    }
  });
  afterAll(() => env.restore());

  it('every listing an example names is one listing of the mock, and every path it calls is one of its endpoints', async () => {
    const seen = new Set<string>();
    for (const example of EXAMPLES) {
      for (const use of invocationsOf(example).flatMap((inv) => listingUses(inv, example))) {
        const key = `${use.ref} ${use.method ?? ''} ${use.path ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const shown = await cli(['apis', 'show', use.ref, '--json']);
        expect(shown.exitCode, `${example.text}: ${use.ref}: ${shown.stderr}`).toBe(0);
        if (use.path === undefined) continue;
        const endpoints = (JSON.parse(shown.stdout) as { endpoints: Array<{ method: string; path: string }> }).endpoints;
        expect(endpoints, `${example.text}: ${use.method} ${use.path}`).toContainEqual(expect.objectContaining({ method: use.method, path: use.path }));
      }
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it('every example that reads or pays within the mock runs and succeeds', async () => {
    let ran = 0;
    for (const example of EXAMPLES) {
      const [inv, ...more] = invocationsOf(example);
      if (!inv || more.length > 0 || !inv.plain || !RUNNABLE.has(inv.id)) continue;
      if (inv.flags.some(([name]) => WRITES.has(name))) continue;
      // The example's own words (quotes removed, placeholders filled in), after the binary name.
      const words = commandsOf(example.text.replace(/\$([A-Z_]+)/g, (_, name: string) => vars[name] ?? `$${name}`))[0]!.words.slice(1);
      const r = await cli(words);
      ran++;
      if (profile === 'public' && EXTENSION_ONLY.has(inv.id)) {
        expect(r.stderr, example.text).toMatch(/^extension_not_supported: /);
        continue;
      }
      expect(r.exitCode, `${example.text}\n${r.stderr}`).toBe(0);
    }
    expect(ran).toBeGreaterThan(25);
  });
});
