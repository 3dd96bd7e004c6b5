import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// Subprocess harness for the BUILT binary (`npm test` builds first; or
// `npx turbo run build --filter=@proxygate-kit/cli...`).

const repo = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_BIN = `${repo}cli/bin/run.cjs`;
const MOCK_BIN = `${repo}server-mock/bin/proxygate-mock.js`;

/** Fails with the fix in the message when the binaries were not built. */
export function assertBuilt(): void {
  const missing = ['cli/oclif.manifest.json', 'cli/dist/fast-path.bundle.cjs', 'cli/dist/commands.js', 'server-mock/dist/serve.js'].filter(
    (file) => !existsSync(`${repo}${file}`),
  );
  if (missing.length > 0) {
    throw new Error(`build first (npm test does; or npx turbo run build --filter=@proxygate-kit/cli...): missing ${missing.join(', ')}`);
  }
}

export type MockProfile = 'public' | 'extended';

export interface MockProcess {
  url: string;
  profile: MockProfile;
  tokens: { readOnly: string; trader: string; capped: string; broke: string; traderV1: string; traderV2: string };
  stop(): Promise<void>;
}

/** `proxygate-mock --port 0 --json [--profile P]` on 127.0.0.1; it exits when we close its stdin. */
export async function startMockProcess(seed: string, profile: MockProfile = 'extended'): Promise<MockProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [MOCK_BIN, '--port', '0', '--seed', seed, '--profile', profile, '--json', '--exit-on-stdin-close'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`proxygate-mock exited early (${code})`)));
  });
  const info = JSON.parse(line) as { url: string; profile: MockProfile; tokens: MockProcess['tokens'] };
  if (info.profile !== profile) throw new Error(`proxygate-mock serves the ${info.profile} profile, not ${profile}`);
  return {
    url: info.url,
    profile: info.profile,
    tokens: info.tokens,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin?.end();
    setTimeout(() => child.kill('SIGTERM'), 2_000).unref();
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string | Uint8Array;
  /** Leave stdin open (for interrupt tests); `onSpawn` gets the child. */
  keepStdinOpen?: boolean;
  onSpawn?: (child: ChildProcess) => void;
}

// The CLI's start-up caches go to a directory of this test process, not the runner's home.
let cacheDir: string | undefined;
function testCacheDir(): string {
  if (!cacheDir) {
    const dir = mkdtempSync(join(tmpdir(), 'pg-cli-cache-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cacheDir = dir;
  }
  return cacheDir;
}

/** Runs `node cli/bin/run.cjs ...args` with a clean environment plus `env`. Stdin is a pipe: never a TTY. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  // Caches and kept receipts go to this test process's directory, never the runner's home.
  const base: Record<string, string> = { PROXYGATE_CACHE_DIR: join(testCacheDir(), 'proxygate'), PROXYGATE_DATA_DIR: join(testCacheDir(), 'data') };
  for (const key of ['PATH', 'HOME', 'SYSTEMROOT', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  const env: Record<string, string> = { ...base };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
    if (options.input !== undefined) child.stdin.end(options.input);
    else if (!options.keepStdinOpen) child.stdin.end();
  });
}

/** The mock's control API (`/__mock/*`): faults, ledger, settlement. Never faulted itself. */
export async function mockControl<T = unknown>(mock: Pick<MockProcess, 'url'>, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${mock.url}/__mock/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (!response.ok) throw new Error(`${method} /__mock/${path} answered ${response.status}`);
  return (await response.json()) as T;
}
