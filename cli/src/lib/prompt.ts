import { UsageError } from './errors.js';
import { canPrompt } from './terminal.js';

/** Ask for a secret on the TTY without echoing it. Never called when a prompt is not allowed. */
export async function promptSecret(question: string): Promise<string> {
  if (!canPrompt()) {
    throw new UsageError('input needed but this session is not interactive', 'pass --key or pipe the key on stdin');
  }
  const stdin = process.stdin;
  const wasRaw = stdin.isRaw;
  // Echo goes off before the question shows, so nothing typed after it can appear on screen.
  stdin.setRawMode(true);
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value.trim());
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
        if (ch === '\u007F' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
