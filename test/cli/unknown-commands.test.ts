// The built binary's answers to command lines that name no command (oclif's command_not_found hook
// and help): "did you mean", an unexpected argument named as such, -h, version. One usage line on
// stderr and exit 2, the JSON error on stdout under --json. Nothing here reaches a gateway.
import { describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './harness.js';

const env = { PROXYGATE_GATEWAY_URL: 'http://127.0.0.1:9', PROXYGATE_API_KEY: undefined, NO_COLOR: '1' };
const pg = (args: string[]) => runCli(args, { env });

describe('command lines that name no command', { timeout: 60_000 }, () => {
  assertBuilt();

  it('a typo is answered with the commands it was probably meant to be', async () => {
    const cases: Array<[string[], string]> = [
      [['apsi'], 'usage_error: unknown command "apsi" (did you mean "proxygate api" or "proxygate apis"? run "proxygate --help" for the list)'],
      [['reciepts'], 'usage_error: unknown command "reciepts" (did you mean "proxygate receipts"? run "proxygate --help" for the list)'],
      [['receipts', 'verfy', 'r.jsonl'], 'usage_error: unknown command "receipts verfy r.jsonl" (did you mean "proxygate receipts verify"? run "proxygate --help" for the list)'],
      [['tokens', 'lst'], 'usage_error: unknown command "tokens lst" (did you mean "proxygate tokens list"? run "proxygate --help" for the list)'],
      [['receipts', 'frob'], 'usage_error: unknown command "receipts frob" (run "proxygate receipts --help" for the receipts commands)'],
      [['frobnicate'], 'usage_error: unknown command "frobnicate" (run "proxygate --help" for the list)'],
      [['help', 'apsi'], 'usage_error: no command or help topic "apsi" (did you mean "proxygate help api" or "proxygate help apis"? run "proxygate --help" for the list)'],
    ];
    for (const [args, line] of cases) {
      const r = await pg(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toBe(`${line}\n`);
    }
  });

  it('a typo with -h or --help gets the same "did you mean" line, not oclif\'s "Command x not found"', async () => {
    const cases: Array<[string[], string[]]> = [
      [['apsi', '--help'], ['apsi']],
      [['--help', 'apsi'], ['apsi']],
      [['receipt', 'verify', '-h'], ['receipt', 'verify']],
      [['tokens', 'lst', '--help'], ['tokens', 'lst']],
      [['receipts', 'frob', '-h'], ['receipts', 'frob']],
    ];
    for (const [args, typo] of cases) {
      const [r, plain] = await Promise.all([pg(args), pg(typo)]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/^usage_error: unknown command "[^"]+" \(.*\)\n$/);
      expect(r.stderr, args.join(' ')).toBe(plain.stderr);
    }
    expect((await pg(['receipt', 'verify', '-h'])).stderr).toContain('did you mean "proxygate receipts verify"?');
    const json = await pg(['apsi', '--help', '--json']);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'usage_error', message: 'unknown command "apsi"', exit_code: 2 });
  });

  it('an extra word after a command is an unexpected argument, named, like oclif says it for commands with arguments', async () => {
    const r = await pg(['balance', 'extra']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('usage_error: Unexpected argument: extra ("proxygate balance" takes no arguments; see "proxygate balance --help")\n');
    // Whatever the order of words and flags (oclif finds the extra word in two different places).
    for (const args of [['balance', '--json', 'extra'], ['balance', 'extra', '--json'], ['balance', '--profile', 'p', 'extra']]) {
      const other = await pg(args);
      expect(other.code, args.join(' ')).toBe(2);
      expect(other.stderr, args.join(' ')).toBe(r.stderr);
    }
    expect((await pg(['balance', '--json', 'extra'])).stdout).toBe((await pg(['balance', 'extra', '--json'])).stdout);
    const withArgs = await pg(['apis', 'show', 'echo', 'more']);
    expect(withArgs.code).toBe(2);
    expect(withArgs.stderr).toBe('usage_error: Unexpected argument: more (see "proxygate apis show --help")\n');
    const json = await pg(['mcp', 'tools', 'x', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'usage_error', message: 'Unexpected argument: x', action: '"proxygate mcp tools" takes no arguments; see "proxygate mcp tools --help"', exit_code: 2 },
    });
  });

  it('-h is help, on every command and topic; version prints what --version prints', async () => {
    for (const args of [['-h'], ['apis', '-h'], ['receipts', 'verify', '-h'], ['tokens', '-h'], ['api', '/v1/balance', '-h']]) {
      const short = await pg(args);
      const long = await pg(args.map((a) => (a === '-h' ? '--help' : a)));
      expect(short.code, args.join(' ')).toBe(0);
      expect(short.stdout, args.join(' ')).toBe(long.stdout);
      expect(short.stdout, args.join(' ')).toMatch(/^USAGE|\nUSAGE/);
    }
    const version = await pg(['version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^@proxygate-kit\/cli\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+/);
    expect(version.stdout).toBe((await pg(['--version'])).stdout);
    expect((await pg(['--help'])).stdout).toMatch(/^ {2}version +print the CLI's version \(as --version\)$/m);
    const help = await pg(['help', 'version']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('$ proxygate version');
    // -h after version is its help, not the version; a word after it is one too many.
    for (const args of [['version', '--help'], ['version', '-h'], ['--version', '-h']]) {
      const r = await pg(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toBe(help.stdout);
    }
    for (const args of [['version', 'foo'], ['--version', 'foo']]) {
      const r = await pg(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toBe('usage_error: Unexpected argument: foo ("proxygate version" takes no arguments; see "proxygate version --help")\n');
    }
  });

  it('help takes one command or topic: a word after it is an unexpected argument', async () => {
    for (const [args, extra] of [[['help', 'apis', 'extra'], 'extra'], [['help', 'apis', 'show', 'echo'], 'echo'], [['help', 'version', 'x'], 'x'], [['help', 'exit-codes', 'now'], 'now']] as const) {
      const r = await pg([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toBe(`usage_error: Unexpected argument: ${extra} ("proxygate help" takes one command or topic; see "proxygate help --help")\n`);
    }
    // Several words that name one command or topic are still one subject.
    expect((await pg(['help', 'receipts', 'keys', 'show'])).code).toBe(0);
    expect((await pg(['help', 'receipts', 'keys'])).code).toBe(0);
  });

  it('a refusal by a command that is not the CLI\'s own (autocomplete) is one line too', async () => {
    const cases: Array<[string[], string]> = [
      [['autocomplete', 'bash', 'extra'], 'usage_error: Unexpected argument: extra (see "proxygate autocomplete --help")'],
      [['autocomplete', 'fish'], 'usage_error: Expected fish to be one of: zsh, bash, powershell (see "proxygate autocomplete --help")'],
      [['help', '--frob'], 'usage_error: Nonexistent flag: --frob (see "proxygate help --help")'],
    ];
    for (const [args, line] of cases) {
      const r = await pg(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toBe(`${line}\n`);
    }
  });
});
