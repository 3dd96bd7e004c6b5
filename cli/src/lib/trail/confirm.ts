import { createInterface } from 'node:readline';
import { canPrompt } from '../terminal.js';

/** Asks a yes/no question on the terminal (default no); undefined when no prompt is possible. */
export async function confirm(question: string): Promise<boolean | undefined> {
  if (!canPrompt()) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
