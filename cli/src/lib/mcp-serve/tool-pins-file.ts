import { chmod, link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PinnableTool, ToolPinDiff, ToolPinSet } from '@proxygate-kit/sdk/mcp';
import { configDir } from '../credentials.js';
import { CliError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadMcpSdk } from '../sdk-loader.js';
import { keyPinFile, profileSegment } from '../trail/paths.js';

/**
 * The MCP tool pins `mcp serve` judges the gateway's tools by, and `mcp pin` renews: the SDK's
 * pin set (`version`, `tools`: one SHA-256 per tool) plus the definitions they were made from, so
 * a change can be shown field by field. Files saved by `mcp tools --save-pins` (hashes only) are
 * read too. Default: one file per profile and MCP endpoint origin beside the receipt key pins.
 */

type Env = Record<string, string | undefined>;

export interface ToolPinsFile extends ToolPinSet {
  proxygate_tool_pins?: 1;
  /** The MCP endpoint the pins were made for. */
  mcp_url?: string;
  pinned_at?: string;
  updated_at?: string;
  /** The definitions pinned, by name (only those whose hash matches their pin are trusted). */
  definitions?: Record<string, PinnableTool>;
}

export interface LoadedPins {
  file: string;
  pins: ToolPinsFile;
  /** Size and mtime when read: a renewal by `mcp pin` changes them. */
  stamp: string;
}

/** `<config dir>/mcp-tool-pins/<profile>/<scheme>_<host>[_<port>].json`. */
export function defaultToolPinsFile(profile: string, mcpUrl: string, env: Env = process.env): string {
  return join(configDir(env), 'mcp-tool-pins', profileSegment(profile), basename(keyPinFile(profile, mcpUrl, env)));
}

function unreadable(file: string, why: string): UsageError {
  return new UsageError(`the MCP tool pins in ${file} ${why}`, 'fix or delete the file, then run "proxygate mcp pin" to pin the gateway\'s tools again');
}

async function stampOf(file: string): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  return info ? `${info.size}:${info.mtimeMs}` : undefined;
}

/** The pins in `file`, or undefined when it does not exist yet (first run). */
export async function readToolPins(file: string): Promise<LoadedPins | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw unreadable(file, `cannot be read (${code ?? 'EIO'})`);
  }
  const { parseToolPinSet, pinTool } = await loadMcpSdk();
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw unreadable(file, 'are not valid JSON');
  }
  let set: ToolPinSet;
  try {
    set = parseToolPinSet(raw);
  } catch (error) {
    throw unreadable(file, `are not a tool-pin file (${error instanceof Error ? error.message : 'unreadable'})`);
  }
  const extra = raw as Partial<ToolPinsFile>;
  const definitions: Record<string, PinnableTool> = {};
  if (typeof extra.definitions === 'object' && extra.definitions !== null) {
    for (const [name, definition] of Object.entries(extra.definitions)) {
      // A definition edited by hand without its pin would show a change that is not the pinned one.
      const hash = set.tools[name];
      if (!hash || typeof definition !== 'object' || definition === null) continue;
      const matches = await pinTool(definition).then((h) => h === hash, () => false);
      if (matches) Object.defineProperty(definitions, name, { value: definition, enumerable: true, writable: true, configurable: true });
    }
  }
  const pins: ToolPinsFile = {
    ...set,
    ...(typeof extra.mcp_url === 'string' ? { mcp_url: extra.mcp_url } : {}),
    ...(typeof extra.pinned_at === 'string' ? { pinned_at: extra.pinned_at } : {}),
    ...(typeof extra.updated_at === 'string' ? { updated_at: extra.updated_at } : {}),
    definitions,
  };
  return { file, pins, stamp: (await stampOf(file)) ?? '' };
}

/** True when `file` changed since `loaded` was read (or appeared/vanished). */
export async function toolPinsChanged(file: string, loaded: LoadedPins | undefined): Promise<boolean> {
  return (await stampOf(file)) !== loaded?.stamp;
}

/** The pins of `tools` with their definitions, as a file holds them. */
export async function pinsOf(tools: readonly PinnableTool[], mcpUrl: string, previous?: ToolPinsFile, now = new Date()): Promise<ToolPinsFile> {
  const { computeToolPins } = await loadMcpSdk();
  const set = await computeToolPins(tools);
  const definitions: Record<string, PinnableTool> = {};
  for (const tool of tools) Object.defineProperty(definitions, tool.name, { value: tool, enumerable: true, writable: true, configurable: true });
  const at = now.toISOString();
  return { version: 1, tools: set.tools, proxygate_tool_pins: 1, mcp_url: mcpUrl, pinned_at: previous?.pinned_at ?? at, updated_at: at, definitions };
}

function cannotWrite(file: string, error: unknown): CliError {
  const code = (error as { code?: unknown }).code;
  return new CliError('mcp_pins_unwritable', `cannot write the MCP tool pins ${file}${typeof code === 'string' ? ` (${code})` : ''}`, ExitCode.usage, 'check the directory and its permissions, or pass --pins FILE');
}

async function prepare(file: string): Promise<string> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  return temp;
}

/**
 * Saves first pins unless the file exists (linked into place, so two first runs at once keep
 * one); returns the pins in force and whether these were written.
 */
export async function createToolPins(file: string, pins: ToolPinsFile): Promise<{ loaded: LoadedPins; created: boolean }> {
  let temp: string | undefined;
  try {
    temp = await prepare(file);
    await writeFile(temp, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o600 });
    await link(temp, file);
    return { loaded: { file, pins, stamp: (await stampOf(file)) ?? '' }, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(file, error);
  } finally {
    if (temp) await rm(temp, { force: true });
  }
  const existing = await readToolPins(file);
  if (!existing) throw unreadable(file, 'vanished while pinning');
  return { loaded: existing, created: false };
}

/** Replaces the pins (a renewal): written beside the file and renamed over it, never half a file. */
export async function replaceToolPins(file: string, pins: ToolPinsFile): Promise<void> {
  try {
    const temp = await prepare(file);
    const mode = (await stat(file).catch(() => undefined))?.mode;
    await writeFile(temp, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o600 });
    if (mode !== undefined && process.platform !== 'win32') await chmod(temp, mode & 0o777 & ~0o077);
    await rename(temp, file);
  } catch (error) {
    throw cannotWrite(file, error);
  }
}

/** Characters a terminal would not show (controls, bidi, zero-width, tags) as escapes. */
function visible(text: string): string {
  return JSON.stringify(text).replace(/[\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]|\uDB40[\uDC00-\uDC7F]/g, (c) =>
    [...c].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  );
}

function clip(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

const FIELDS = ['title', 'description', 'inputSchema', 'outputSchema', 'annotations', 'execution', '_meta'] as const;

/**
 * What changed, for a person deciding whether to renew: one line per tool, and for a changed
 * description the old and new text (escaped, so hidden characters show).
 */
export async function describeToolChanges(diff: ToolPinDiff, before: Record<string, PinnableTool> | undefined, now: ReadonlyMap<string, PinnableTool>): Promise<string[]> {
  const { canonicalize } = await import('@proxygate-kit/sdk/receipts');
  const same = (a: unknown, b: unknown) => {
    try {
      return canonicalize(a ?? null) === canonicalize(b ?? null);
    } catch {
      return false;
    }
  };
  const lines: string[] = [];
  for (const name of diff.changed) {
    const old = before?.[name];
    const next = now.get(name);
    if (!old || !next) {
      lines.push(`~ ${name}: its definition changed (the pins file holds no earlier definition to compare)`);
      continue;
    }
    const fields = FIELDS.filter((field) => !same(old[field], next[field]));
    lines.push(`~ ${name}: ${fields.length > 0 ? fields.join(', ') : 'definition'} changed`);
    if (fields.includes('description')) {
      lines.push(`    was: ${clip(visible(old.description ?? ''))}`);
      lines.push(`    now: ${clip(visible(next.description ?? ''))}`);
    }
  }
  for (const name of diff.added) {
    lines.push(`+ ${name}: a new tool: ${clip(visible(now.get(name)?.description ?? ''))}`);
  }
  for (const name of diff.removed) lines.push(`- ${name}: no longer listed`);
  return lines;
}
