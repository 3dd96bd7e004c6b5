import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// The OS keychain through its command-line tools, so the CLI ships no native module.
// Every call has a hard timeout: a locked keychain or a missing D-Bus session must not hang the CLI.

const SERVICE = 'proxygate';
export const KEYCHAIN_TIMEOUT_MS = 3_000;

export type KeychainKind = 'macos-keychain' | 'secret-service';

function onPath(binary: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
}

/** Which keychain this machine offers, if any. */
export function detectKeychain(): KeychainKind | undefined {
  if (process.platform === 'darwin' && onPath('security')) return 'macos-keychain';
  if (process.platform === 'linux' && onPath('secret-tool')) return 'secret-service';
  return undefined;
}

interface RunResult {
  code: number | null;
  stdout: string;
}

function run(command: string, args: readonly string[], input: string | undefined): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, stdout: '' });
    }, KEYCHAIN_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', () => {
      clearTimeout(timer);
      resolve({ code: null, stdout: '' });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

// `security -i` reads the command from stdin, so the secret never appears in a process listing.
function securityQuote(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

export async function keychainSet(kind: KeychainKind, profile: string, secret: string): Promise<boolean> {
  if (kind === 'macos-keychain') {
    const line = `add-generic-password -U -a ${securityQuote(profile)} -s ${SERVICE} -w ${securityQuote(secret)}\n`;
    return (await run('security', ['-i'], line)).code === 0;
  }
  const result = await run('secret-tool', ['store', `--label=proxygate (${profile})`, 'service', SERVICE, 'profile', profile], secret);
  return result.code === 0;
}

export async function keychainGet(kind: KeychainKind, profile: string): Promise<string | undefined> {
  const result =
    kind === 'macos-keychain'
      ? await run('security', ['find-generic-password', '-a', profile, '-s', SERVICE, '-w'], undefined)
      : await run('secret-tool', ['lookup', 'service', SERVICE, 'profile', profile], undefined);
  const secret = result.stdout.trim();
  return result.code === 0 && secret ? secret : undefined;
}

export async function keychainDelete(kind: KeychainKind, profile: string): Promise<boolean> {
  const result =
    kind === 'macos-keychain'
      ? await run('security', ['delete-generic-password', '-a', profile, '-s', SERVICE], undefined)
      : await run('secret-tool', ['clear', 'service', SERVICE, 'profile', profile], undefined);
  return result.code === 0;
}
