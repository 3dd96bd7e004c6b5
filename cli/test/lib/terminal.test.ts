// Colour, prompts and progress only with a human at a terminal.
import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/lib/terminal.js';

describe('terminal discipline', () => {
  it('honours NO_COLOR and non-TTY streams', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
  });
});

describe('prompts and progress only with a human at a terminal', () => {
  it('CI or PROXYGATE_PROMPT_DISABLED turn prompts and spinners off whatever the TTY says', async () => {
    const { canPrompt, canShowProgress, isNonInteractiveEnv } = await import('../../src/lib/terminal.js');
    expect(isNonInteractiveEnv({ CI: 'true' })).toBe(true);
    expect(isNonInteractiveEnv({ CI: '0' })).toBe(false);
    expect(isNonInteractiveEnv({ PROXYGATE_PROMPT_DISABLED: '1' })).toBe(true);
    expect(isNonInteractiveEnv({})).toBe(false);
    const stdin = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
    const stderr = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    try {
      Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
      Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
      expect(canPrompt({})).toBe(true);
      expect(canShowProgress({})).toBe(true);
      expect(canPrompt({ CI: '1' })).toBe(false);
      expect(canShowProgress({ CI: '1' })).toBe(false);
      Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
      expect(canPrompt({})).toBe(false);
    } finally {
      if (stdin) Object.defineProperty(process.stdin, 'isTTY', stdin);
      else delete (process.stdin as { isTTY?: boolean }).isTTY;
      if (stderr) Object.defineProperty(process.stderr, 'isTTY', stderr);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });
});
