// TTY discipline in one place: prompts, colour and spinners depend on these answers only.

type Env = Record<string, string | undefined>;

function truthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** CI runners set CI; PROXYGATE_PROMPT_DISABLED turns prompts off explicitly. */
export function isNonInteractiveEnv(env: Env = process.env): boolean {
  return truthy(env['CI']) || truthy(env['PROXYGATE_PROMPT_DISABLED']);
}

/** A prompt is allowed only with a human on both ends: stdin and stderr are TTYs and not CI. */
export function canPrompt(env: Env = process.env): boolean {
  return Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY) && !isNonInteractiveEnv(env);
}

/** Spinners and progress go to stderr, only when it is a TTY and not CI. */
export function canShowProgress(env: Env = process.env): boolean {
  return Boolean(process.stderr.isTTY) && !isNonInteractiveEnv(env);
}

/** https://no-color.org: any non-empty NO_COLOR disables colour; so does a non-TTY stream. */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: Env = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  if (truthy(env['FORCE_COLOR'])) return true;
  return Boolean(stream.isTTY);
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;

export function paint(style: keyof typeof CODES, text: string, stream: { isTTY?: boolean } = process.stdout): string {
  if (!colorEnabled(stream)) return text;
  const [open, close] = CODES[style];
  return `\u001B[${open}m${text}\u001B[${close}m`;
}

/** A minimal stderr spinner: silent unless canShowProgress(); always cleared on stop. */
export function startSpinner(label: string): { stop(): void } {
  if (!canShowProgress()) return { stop() {} };
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const timer = setInterval(() => {
    process.stderr.write(`\r${frames[i++ % frames.length]} ${label}`);
  }, 80);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write('\r\u001B[2K');
    },
  };
}
