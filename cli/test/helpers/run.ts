import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';
import { captureOutput, runCommand } from '@oclif/test';
import { run } from '@oclif/core';
import { COMMANDS } from '../../src/commands.js';

const cliRoot = fileURLToPath(new URL('../..', import.meta.url));

// oclif imports command modules with Node's own loader, which cannot read the TypeScript
// sources; give the CLI's root plugin the command classes vitest already compiled instead.
// A stale oclif.manifest.json from an earlier build must not hide new commands either.
type PluginInternals = {
  name: string;
  options: { ignoreManifest?: boolean };
  commandCache?: unknown;
  loadCommandsFromTarget(): Promise<unknown>;
  _manifest(): Promise<unknown>;
};
const proto = Plugin.prototype as unknown as PluginInternals;
const original = proto.loadCommandsFromTarget;
const originalManifest = proto._manifest;
proto._manifest = async function (this: PluginInternals) {
  if (this.options && (this.options as { isRoot?: boolean }).isRoot) this.options.ignoreManifest = true;
  return originalManifest.call(this);
};
proto.loadCommandsFromTarget = async function (this: PluginInternals) {
  if (this.name === '@proxygate-kit/cli') {
    this.commandCache = COMMANDS;
    return COMMANDS;
  }
  return original.call(this);
};

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  result: unknown;
}

/** Runs `proxygate <args>` in-process and reports its exit code like the real binary would. */
export async function cli(args: string[]): Promise<CliResult> {
  // runCommand re-splits its arguments on spaces; an argument with spaces goes through its
  // captureOutput + run directly (the same thing runCommand does, minus the re-splitting).
  const hasSpaces = args.some((a) => /\s/.test(a));
  const { stdout, stderr, error, result } = hasSpaces
    ? await captureOutput(async () => run(args, { root: cliRoot }))
    : await runCommand(args, { root: cliRoot });
  const exit = (error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit;
  return { stdout, stderr, result, exitCode: error ? (exit ?? 1) : 0 };
}

const KEYS = ['PROXYGATE_API_KEY', 'PROXYGATE_GATEWAY_URL', 'PROXYGATE_PROFILE', 'PROXYGATE_CONTENT_TYPE', 'PROXYGATE_RECEIPT_KEYS', 'PROXYGATE_NOW', 'CI', 'NO_COLOR', 'DEBUG'] as const;

/** A private config dir and a clean environment for one test; returns the cleanup. */
export async function isolatedEnv(extra: Record<string, string> = {}): Promise<{ dir: string; restore: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-cli-'));
  const saved = new Map<string, string | undefined>();
  const set = (k: string, v: string | undefined) => {
    if (!saved.has(k)) saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  for (const k of KEYS) set(k, undefined);
  set('PROXYGATE_CONFIG_DIR', join(dir, 'config'));
  // Paid calls keep their receipts in the data directory: never the runner's own.
  set('PROXYGATE_DATA_DIR', join(dir, 'data'));
  set('PROXYGATE_CREDENTIAL_STORE', 'file');
  for (const [k, v] of Object.entries(extra)) set(k, v);
  return {
    dir,
    restore: async () => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
