import { canShowProgress } from './terminal.js';

// Bulk `receipts verify` shows a running count on a terminal. Nothing happens in the first
// DELAY_MS: a short run (the common CI step) never even asks whether stderr is a terminal,
// which would cost it the set-up of process.stderr.

const DELAY_MS = 300;
const EVERY_MS = 100;

export interface Progress {
  /** `count` receipts are verified so far. */
  tick(count: number): void;
  /** Clears the line, if anything was shown. */
  stop(): void;
}

export interface ProgressOptions {
  now?: () => number;
  /** Asked once, after the delay: may progress be shown? */
  enabled?: () => boolean;
  write?: (text: string) => void;
}

export function verifyProgress(options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const enabled = options.enabled ?? (() => canShowProgress());
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const start = now();
  let shown: boolean | undefined;
  let last = 0;
  let wrote = false;
  return {
    tick(count) {
      const at = now();
      if (shown === false || at - start < DELAY_MS || at - last < EVERY_MS) return;
      shown ??= enabled();
      if (!shown) return;
      last = at;
      wrote = true;
      write(`\rverifying: ${count.toLocaleString('en-US')} receipts`);
    },
    stop() {
      if (wrote) write('\r\u001B[2K');
    },
  };
}
