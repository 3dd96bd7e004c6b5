// The data path's command line handling against oclif's own, on the same command classes: the
// flag and argument tables are the commands' (so the fast parser is derived from them), the
// algorithm is oclif's port, and where oclif refuses a command line the port hands it back.
import { fileURLToPath } from 'node:url';
import { Config, Flags as OclifFlags, Args as OclifArgs, Parser } from '@oclif/core';
import { normalizeArgv } from '@oclif/core/help';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/commands.js';
import { ALL_COMMAND_IDS, dataCommandGroups, dataCommands, loadDataCommand, TAKES_ARGS, type DataCommandId } from '../../../src/data-path.js';

const DATA_COMMANDS = dataCommands();
import { parseArgv, type FlagDef } from '../../../src/lib/fast/argv-parser.js';
import { resolveCommandId } from '../../../src/lib/fast/command-id.js';
import { Args as LiteArgs, commandFlags, Flags as LiteFlags } from '../../../src/lib/fast/oclif-lite.js';
import '../../helpers/run.js';

type CommandClass = (typeof COMMANDS)[keyof typeof COMMANDS];

// The data path loads each command when a command line names it; here, all of them.
const CLASSES = Object.fromEntries(
  await Promise.all(Object.keys(DATA_COMMANDS).map(async (id) => [id, (await loadDataCommand(id as DataCommandId)) as CommandClass] as const)),
) as Record<DataCommandId, CommandClass>;

/** oclif's parse of one command line, or `refused` when oclif throws. */
async function oclifParse(command: CommandClass, argv: string[]): Promise<unknown> {
  const flags = commandFlags(command as never) as never;
  try {
    const out = await Parser.parse(argv, { flags, args: (command.args ?? {}) as never, strict: command.strict, context: {} as never });
    return { args: out.args, flags: out.flags, argv: out.argv };
  } catch {
    return 'refused';
  }
}

async function liteParse(command: CommandClass, argv: string[]): Promise<unknown> {
  const out = await parseArgv(argv, { flags: commandFlags(command as never), args: (command.args ?? {}) as never, strict: command.strict, context: {} });
  return out ? { args: out.args, flags: out.flags, argv: out.argv } : 'refused';
}

// Command lines a script writes, and the ways they go wrong.
const LINES: Record<string, string[][]> = {
  apis: [[], ['weather'], ['--json'], ['weather', '--limit', '5', '--json'], ['--limit=5'], ['--limit', 'x'], ['--limit', '0'], ['--sort', 'nope'], ['a', 'b'], ['--nope'], ['--all', '--cursor', 'c'], ['--verified'], ['-5'], ['--min-uptime', 'abc'], ['--min-rating', '99.5'], ['--min-trust-score', '101']],
  'apis:show': [['echo'], [], ['echo', '--json'], ['echo', 'extra'], ['skycast/weather-current', '--gateway', 'http://127.0.0.1:1']],
  'apis:docs': [['echo'], ['echo', '--json']],
  balance: [[], ['--json'], ['--json', '--json'], ['x'], ['--profile'], ['--profile', 'ci', '--api-key', 'k']],
  call: [
    ['echo', '/echo'],
    ['echo', '/echo', '--query', 'a=1', '--query', 'b=2'],
    ['echo', '/echo', '-q', 'a=1', 'b=2'],
    ['echo', '/echo', '-q=a=1'],
    ['--query', 'a=1', 'echo', '/echo'],
    ['echo', '/echo', '-X', 'POST', '-d', '{}'],
    ['echo', '/echo', '-XPOST'],
    ['echo', '/echo', '-d', '-'],
    ['echo', '/echo', '--shield', 'strict', '--no-keep'],
    ['echo', '/echo', '--keep', '--no-keep'],
    ['echo', '/echo', '--shield', 'nope'],
    ['echo', '/echo', '--max-cost', '0.01', '--max-cost', '0.02'],
    ['echo', '/echo', '-i'],
    ['echo', '/echo', '-ij'],
    ['echo', '/echo', '--json', '--include'],
    ['echo', '/echo', '--data'],
    ['echo', '/echo', '--data', '--json'],
    ['echo'],
    [],
    ['--batch', 'f.jsonl', '--concurrency', '8'],
    ['--batch', '-', '--concurrency', '0'],
    ['--batch', '-', '--concurrency', '65'],
    ['echo', '/echo', 'extra'],
    ['echo', '/echo', '--', '--json'],
  ],
  usage: [['--service', 'echo', '--from', '2026-01-01', '--all', '--json'], ['--limit', '-1']],
  'tokens:create': [['--scope', 'trade'], ['--scope', 'trade', '--scope', 'catalog:read', '--spend-cap', '1'], [], ['--scope', 'nope']],
  'tokens:list': [[], ['--json']],
  'tokens:revoke': [['tok_1'], []],
  'receipts:path': [[], ['--json']],
  'receipts:keys:show': [[], ['--all', '--json']],
  'receipts:audit': [['a.jsonl', 'b.jsonl'], ['--keys', 'k.json', '-'], []],
  'receipts:verify': [['a.jsonl', '--keys', 'k.json'], ['--pin', 'platform=x', '--pin', 'receipt-ca=y']],
};

describe('the fast parser is oclif\'s on the data commands\' own tables', () => {
  it('covers every data command, and each has sample command lines here', () => {
    for (const id of Object.keys(DATA_COMMANDS)) expect(COMMANDS[id as keyof typeof COMMANDS], id).toBe(CLASSES[id as DataCommandId]);
    // Each in exactly one group (one start-up bundle each), and TAKES_ARGS knows them all.
    const grouped = Object.values(dataCommandGroups()).flatMap((group) => Object.keys(group));
    expect(grouped.sort()).toEqual(Object.keys(DATA_COMMANDS).sort());
    expect(Object.keys(TAKES_ARGS).sort()).toEqual(Object.keys(DATA_COMMANDS).sort());
  });

  for (const [id, lines] of Object.entries(LINES)) {
    it(`${id}: the same args and flags, or refused where oclif refuses`, async () => {
      const command = CLASSES[id as DataCommandId];
      for (const argv of lines) {
        const [ours, theirs] = await Promise.all([liteParse(command, argv), oclifParse(command, argv)]);
        // The port may hand back more than oclif refuses (`--`), never accept what oclif refuses.
        if (ours === 'refused') expect(theirs === 'refused' || argv.includes('--'), `${id} ${argv.join(' ')}`).toBe(true);
        else expect(ours, `${id} ${argv.join(' ')}`).toEqual(theirs);
      }
    });
  }

  it('every data command\'s tables: parsed the same on a generated command line using every flag', async () => {
    for (const [id, command] of Object.entries(CLASSES)) {
      const flags = commandFlags(command as never);
      const argv: string[] = [];
      for (const [name, flag] of Object.entries(flags)) {
        if (flag.type === 'boolean') argv.push(flag.allowNo ? `--no-${name}` : `--${name}`);
        else argv.push(`--${name}`, flag.options?.[0] ?? (flag.parse && (await Promise.resolve(flag.parse('3' as never, {} as never, flag as never)).then(() => true, () => false)) ? '3' : 'v'));
      }
      for (const [name, arg] of Object.entries(command.args ?? {})) if ((arg as { required?: boolean }).required) argv.unshift(`${name}-value`);
      const [ours, theirs] = await Promise.all([liteParse(command, argv), oclifParse(command, argv)]);
      if (ours !== 'refused') expect(ours, id).toEqual(theirs);
      else expect(theirs, `${id}: ${argv.join(' ')}`).toBe('refused');
    }
  });

  it('the lite flag and argument builders make the objects oclif\'s make (the bundle\'s tables are the same tables)', () => {
    const strip = (o: object) => JSON.parse(JSON.stringify(o)) as unknown;
    const samples: Array<[string, () => unknown, () => unknown]> = [
      ['string', () => OclifFlags.string({ char: 'q', multiple: true, options: ['a'], description: 'd', helpGroup: 'G' }), () => LiteFlags.string({ char: 'q', multiple: true, options: ['a'], description: 'd', helpGroup: 'G' })],
      ['integer', () => OclifFlags.integer({ min: 1, max: 64 }), () => LiteFlags.integer({ min: 1, max: 64 })],
      ['boolean', () => OclifFlags.boolean({ allowNo: true, default: true }), () => LiteFlags.boolean({ allowNo: true, default: true })],
      ['arg', () => OclifArgs.string({ ignoreStdin: true, required: true }), () => LiteArgs.string({ ignoreStdin: true, required: true })],
    ];
    for (const [name, oclif, lite] of samples) expect(strip(lite() as object), name).toEqual(strip(oclif() as object));
  });

  it('a boolean flag given a value is handed back (the CLI refuses it; oclif would make the value an argument)', async () => {
    const refused: Array<[DataCommandId, string[]]> = [
      ['apis', ['--verified=true']],
      ['apis', ['--json=yes']],
      ['apis', ['--all=1', 'weather']],
      ['balance', ['--json=true']],
      ['call', ['echo', '/echo', '--no-keep=1']],
      ['receipts:verify', ['a.jsonl', '--list=1', '--keys', 'k.json']],
    ];
    for (const [id, argv] of refused) {
      expect(await liteParse(CLASSES[id], argv), `${id} ${argv.join(' ')}`).toBe('refused');
      // What oclif alone does with it: takes it, the value as an argument or an unexpected one.
      expect(await oclifParse(CLASSES[id], argv), `${id} ${argv.join(' ')}`).not.toEqual(await liteParse(CLASSES[id], argv.map((a) => a.split('=')[0]!)));
    }
    // An option's value may look like one (`-d --json=x` is a body), and an option flag takes `=`.
    for (const [id, argv] of [['call', ['echo', '/echo', '-d', '--json=x']], ['call', ['echo', '/echo', '--data', '--json=x']], ['apis', ['--limit=5']]] as const) {
      expect(await liteParse(CLASSES[id], [...argv]), `${id} ${argv.join(' ')}`).toEqual(await oclifParse(CLASSES[id], [...argv]));
    }
  });

  it('integer flags refuse what oclif refuses (and are handed back)', async () => {
    const flag = LiteFlags.integer({ min: 1, max: 64 }) as FlagDef;
    expect(await parseArgv(['--n', '65'], { flags: { n: flag }, args: {} })).toBeUndefined();
    expect((await parseArgv(['--n', '64'], { flags: { n: flag }, args: {} }))?.flags).toEqual({ n: 64 });
  });
});

describe('the command a command line names, as oclif finds it', () => {
  let config: Config;
  beforeAll(async () => {
    config = await Config.load({ root: fileURLToPath(new URL('../../..', import.meta.url)) });
  });

  it('the fast path knows every command id oclif knows', () => {
    expect([...ALL_COMMAND_IDS].sort()).toEqual([...config.commandIDs].sort());
  });

  it('resolves the same id and rest of line as oclif for data commands, and hands back the others', () => {
    const lines = [
      ['apis'],
      ['apis', 'weather'],
      ['apis', 'show', 'echo'],
      ['apis', 'docs', 'echo', '--json'],
      ['apis', '--json', 'show'],
      ['receipts', 'keys', 'show', '--all'],
      ['receipts', 'audit', 'merge', 'a', 'b'],
      ['receipts', 'audit', 'x.jsonl'],
      ['receipts', 'verify', 'f'],
      ['receipts', 'nope'],
      ['receipts'],
      ['balance', 'extra'],
      ['call', 'echo', '/echo', 'k=v'],
      ['tokens', 'revoke', 'tok_1'],
      ['mcp', 'tools'],
      ['login'],
      ['apis:show', 'echo'],
      ['--json', 'apis'],
      ['usage', '--service=echo'],
    ];
    const hasArgs = (id: string) => {
      const command = CLASSES[id as DataCommandId] as { strict?: boolean; args?: object } | undefined;
      return Boolean(command && (command.strict === false || Object.keys(command.args ?? {}).length > 0));
    };
    // The data path's own table (it matches words before loading any command) is the classes' rule.
    for (const id of Object.keys(DATA_COMMANDS)) expect(TAKES_ARGS[id as DataCommandId], `TAKES_ARGS.${id}`).toBe(hasArgs(id));
    for (const argv of lines) {
      const ours = resolveCommandId(argv, ALL_COMMAND_IDS, hasArgs);
      const [id, ...rest] = normalizeArgv(config, [...argv]);
      const isData = id !== undefined && Object.hasOwn(DATA_COMMANDS, id);
      if (ours) {
        expect(isData || !Object.hasOwn(DATA_COMMANDS, ours.id), argv.join(' ')).toBe(true);
        if (Object.hasOwn(DATA_COMMANDS, ours.id)) expect({ id: ours.id, argv: ours.argv }, argv.join(' ')).toEqual({ id, argv: rest });
      } else {
        expect(isData && !argv[0]?.includes(':'), argv.join(' ')).toBe(false);
      }
    }
  });
});
