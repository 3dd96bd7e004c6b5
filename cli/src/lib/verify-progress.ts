import { canShowProgress } from './terminal.js';

// A long `receipts verify` / `audit` shows a running count, its rate and (when the input's size
// is known) an ETA on a terminal's stderr; never in CI or when stderr is not a terminal. Nothing
// happens in the first DELAY_MS: a short run (the common CI step) never even asks whether
// stderr is a terminal, which would cost it the set-up of process.stderr.

const DELAY_MS = 300;
const EVERY_MS = 100;

export interface Progress {
  /** `count` receipts are judged so far, `bytes` of the input read. */
  tick(count: number, bytes?: number): void;
  /** Clears the line, if anything was shown. */
  stop(): void;
}

export interface ProgressOptions {
  /** `verifying` or `auditing`. */
  label?: string;
  /** Bytes of the whole input, when known (regular files): gives the ETA. */
  totalBytes?: number | undefined;
  now?: () => number;
  /** Asked once, after the delay: may progress be shown? */
  enabled?: () => boolean;
  write?: (text: string) => void;
}

/** `42s`, `3m 05s`, `1h 02m`. */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** The progress line: count, then (once a rate can be told) the rate, share done and ETA. */
export function progressText(label: string, count: number, elapsedMs: number, bytes: number, totalBytes: number | undefined): string {
  let text = `${label}: ${count.toLocaleString('en-US')} receipts`;
  if (elapsedMs >= 1000) text += `, ${Math.round((count * 1000) / elapsedMs).toLocaleString('en-US')}/s`;
  if (totalBytes && bytes > 0 && elapsedMs >= 1000) {
    const done = Math.min(1, bytes / totalBytes);
    text += `, ${Math.floor(done * 100)}% (ETA ${durationText(((totalBytes - Math.min(bytes, totalBytes)) * elapsedMs) / bytes)})`;
  }
  return text;
}

export function verifyProgress(options: ProgressOptions = {}): Progress {
  const label = options.label ?? 'verifying';
  const now = options.now ?? Date.now;
  const enabled = options.enabled ?? (() => canShowProgress());
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const start = now();
  let shown: boolean | undefined;
  let last = 0;
  let width = 0;
  return {
    tick(count, bytes = 0) {
      const at = now();
      if (shown === false || at - start < DELAY_MS || at - last < EVERY_MS) return;
      shown ??= enabled();
      if (!shown) return;
      last = at;
      const text = progressText(label, count, at - start, bytes, options.totalBytes);
      // Pad over a longer line shown before (the ETA shrinks).
      write(`\r${text.padEnd(width)}`);
      width = text.length;
    },
    stop() {
      if (width > 0) write('\r\u001B[2K');
    },
  };
}
