// "Did you mean": the closest commands and topics to a mistyped command line (edit distance, most
// words matched first), and an extra word after a real command is an unexpected argument.
import { describe, expect, it } from 'vitest';
import { editDistance, guessCommandLine } from '../../src/lib/help-suggest.js';
import { COMMANDS } from '../../src/commands.js';

const IDS = Object.keys(COMMANDS);
const TOPICS = ['apis', 'tokens', 'receipts', 'receipts:keys', 'receipts:audit', 'mcp'];
const WITH_ARGS = new Set(IDS.filter((id) => {
  const command = COMMANDS[id as keyof typeof COMMANDS] as { args?: Record<string, unknown>; strict?: boolean };
  return command.strict === false || Object.keys(command.args ?? {}).length > 0;
}));
const guess = (line: string) => guessCommandLine(line.split(' '), IDS, TOPICS, WITH_ARGS);

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('apsi', 'apis')).toBe(1);
    expect(editDistance('reciepts', 'receipts')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the closest commands and topics, the most words matched first', () => {
    expect(guess('apsi').suggestions).toEqual(['api', 'apis']);
    expect(guess('reciepts').suggestions).toEqual(['receipts']);
    expect(guess('receipts verfy').suggestions).toEqual(['receipts verify']);
    expect(guess('reciepts verify').suggestions).toEqual(['receipts verify']);
    expect(guess('tokens lst').suggestions).toEqual(['tokens list']);
    expect(guess('receipts keys shwo').suggestions).toEqual(['receipts keys show']);
    expect(guess('mcp tool').suggestions).toEqual(['mcp tools']);
    expect(guess('balanse').suggestions).toEqual(['balance']);
    // A prefix of a longer name, as cobra (gh) suggests.
    expect(guess('cat').suggestions).toEqual(['categories']);
    expect(guess('frobnicate').suggestions).toEqual([]);
    expect(guess('receipts frob').suggestions).toEqual([]);
  });

  it('a real command followed by a word it does not take is an unexpected argument, not an unknown command', () => {
    expect(guess('balance extra')).toEqual({ unexpected: { command: 'balance', argument: 'extra' }, suggestions: [] });
    expect(guess('mcp tools x y')).toEqual({ unexpected: { command: 'mcp tools', argument: 'x' }, suggestions: [] });
    expect(guess('receipts path now').unexpected).toEqual({ command: 'receipts path', argument: 'now' });
  });
});
