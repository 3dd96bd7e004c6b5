import { readEnv } from './env.js';
import { redactText, redactValue } from './redact.js';

/** Log levels from most to least severe; `off` silences the SDK. */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Anything console-like. Each method receives one redacted message and optional redacted details. */
export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

/** Level from the explicit option, else `PROXYGATE_LOG`, else `warn`. */
export function resolveLogLevel(option: LogLevel | undefined, logger: Logger | undefined): LogLevel {
  if (option) return option;
  const env = readEnv('PROXYGATE_LOG')?.toLowerCase();
  if (isLogLevel(env)) {
    return env;
  }
  if (env !== undefined) {
    (logger ?? console).warn(`proxygate: ignoring PROXYGATE_LOG=${redactText(env)} (expected off|error|warn|info|debug)`);
  }
  return 'warn';
}

/** The SDK's logger: filters by level and redacts every line and every detail object. */
export class SdkLogger {
  constructor(
    private readonly sink: Logger,
    readonly level: LogLevel,
    private readonly secrets: () => readonly string[],
  ) {}

  enabled(level: Exclude<LogLevel, 'off'>): boolean {
    return RANK[level] <= RANK[this.level];
  }

  error(message: string, details?: unknown): void {
    this.emit('error', message, details);
  }
  warn(message: string, details?: unknown): void {
    this.emit('warn', message, details);
  }
  info(message: string, details?: unknown): void {
    this.emit('info', message, details);
  }
  debug(message: string, details?: unknown): void {
    this.emit('debug', message, details);
  }

  private emit(level: Exclude<LogLevel, 'off'>, message: string, details: unknown): void {
    if (!this.enabled(level)) return;
    const secrets = this.secrets();
    const line = `proxygate: ${redactText(message, secrets)}`;
    if (details === undefined) this.sink[level](line);
    else this.sink[level](line, redactValue(details, secrets));
  }
}
