// `proxygate mcp serve` as an MCP host runs it: the BUILT binary as a subprocess, driven by the
// official MCP SDK's stdio client. Each server gets its own config and data directories.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CLI_BIN, mockControl, runCli, type MockProcess, type RunResult } from './harness.js';

export interface Home {
  dir: string;
  env: Record<string, string>;
  /** `proxygate ARGS` with this home's environment (plus `extra`). */
  cli(args: readonly string[], extra?: Record<string, string | undefined>): Promise<RunResult>;
  remove(): Promise<void>;
}

/** A private config/data directory and the environment of a host that starts the server. */
export async function newHome(mock: Pick<MockProcess, 'url'>, token: string | undefined): Promise<Home> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-mcp-serve-'));
  const env: Record<string, string> = {
    PROXYGATE_GATEWAY_URL: mock.url,
    PROXYGATE_CONFIG_DIR: join(dir, 'config'),
    PROXYGATE_DATA_DIR: join(dir, 'data'),
    PROXYGATE_CACHE_DIR: join(dir, 'cache'),
    PROXYGATE_CREDENTIAL_STORE: 'file',
    ...(token ? { PROXYGATE_API_KEY: token } : {}),
  };
  return {
    dir,
    env,
    cli: (args, extra = {}) => runCli(args, { env: { ...env, ...extra } }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface Served {
  client: Client;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  /** Resolves when stderr contains `pattern` (the server says what it did there). */
  waitForStderr(pattern: RegExp): Promise<string>;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Starts `proxygate mcp serve ARGS` on stdio and connects the MCP SDK's client to it. */
export async function serve(home: Home, args: readonly string[] = [], extraEnv: Record<string, string> = {}): Promise<Served> {
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'SYSTEMROOT', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_BIN, 'mcp', 'serve', ...args],
    env: { ...base, ...home.env, ...extraEnv },
    stderr: 'pipe',
  });
  let stderr = '';
  const waiters: Array<() => void> = [];
  (transport.stderr as Readable | null)?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  const client = new Client({ name: 'proxygate-test-host', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`mcp serve did not start: ${error instanceof Error ? error.message : String(error)}\n${stderr}`);
  }
  const waitForStderr = async (pattern: RegExp): Promise<string> => {
    for (;;) {
      const match = pattern.exec(stderr);
      if (match) return match[0];
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    client,
    stderr: () => stderr,
    waitForStderr,
    call: async (name, callArgs = {}) => (await client.callTool({ name, arguments: callArgs })) as CallToolResult,
    close: () => client.close(),
  };
}

/** The whole text of a tool result. */
export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}

/** The data between the BEGIN-DATA/END-DATA lines of a wrapped result, and its marker. */
export function dataOf(result: CallToolResult): { marker: string; data: string } {
  const text = textOf(result);
  const begin = /^BEGIN-DATA ([0-9a-f]{32}) tool="[^"]*"(?: status="error")?$/m.exec(text);
  if (!begin?.[1]) throw new Error(`no data block in: ${text.slice(0, 500)}`);
  const marker = begin[1];
  const start = begin.index + begin[0].length + 1;
  const end = text.indexOf(`\nEND-DATA ${marker}`, start);
  if (end < 0) throw new Error('the data block does not end');
  return { marker, data: text.slice(start, end) };
}

export async function ledgerSize(mock: Pick<MockProcess, 'url'>): Promise<number> {
  return (await mockControl<{ data: unknown[] }>(mock, 'GET', 'ledger')).data.length;
}

/** A listing of the mock's catalog by slug (public REST). */
export async function listingId(mock: Pick<MockProcess, 'url'>, slug: string): Promise<string> {
  const page = (await (await fetch(`${mock.url}/v1/apis?limit=100`)).json()) as { data: Array<{ listing_id: string; slug: string }> };
  const found = page.data.find((l) => l.slug === slug);
  if (!found) throw new Error(`no listing ${slug}`);
  return found.listing_id;
}
