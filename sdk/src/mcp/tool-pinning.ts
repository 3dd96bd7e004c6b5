import { sha256Hex } from '../receipts/hashes.js';
import { canonicalize } from '../receipts/jcs.js';

/** The parts of an MCP tool definition a pin covers (everything a model or the client acts on). */
export interface PinnableTool {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
  execution?: unknown;
  _meta?: unknown;
}

/** Saved pins: one SHA-256 (hex) per tool name. Serialisable as JSON; save it with your config. */
export interface ToolPinSet {
  version: 1;
  tools: Record<string, string>;
}

export interface ToolPinDiff {
  /** Tools present now but not in the saved pins. */
  added: string[];
  /** Tools in the saved pins that the server no longer lists. */
  removed: string[];
  /** Tools whose definition hash differs from the saved pin. */
  changed: string[];
}

/**
 * SHA-256 over the tool's whole definition in canonical JSON (RFC 8785, the receipts' JCS).
 * Hashing the description alone would miss a rug pull hidden in a schema or an annotation, so
 * every field the server sent counts. A definition JCS cannot represent (a lone surrogate) throws:
 * such a tool is refused rather than pinned under a lossy encoding.
 */
export async function pinTool(tool: PinnableTool): Promise<string> {
  return sha256Hex(canonicalize(tool));
}

/**
 * Sets `name` as an own data property: a plain assignment to `__proto__` changes the prototype
 * instead, which would leave a tool of that name unpinned (and its changes unseen).
 */
function setPin(pins: Record<string, string>, name: string, hash: string): void {
  Object.defineProperty(pins, name, { value: hash, enumerable: true, writable: true, configurable: true });
}

export async function computeToolPins(tools: readonly PinnableTool[]): Promise<ToolPinSet> {
  const pins: Record<string, string> = {};
  for (const tool of tools) {
    if (Object.hasOwn(pins, tool.name)) throw new Error(`server lists tool "${tool.name}" twice`);
    setPin(pins, tool.name, await pinTool(tool));
  }
  return { version: 1, tools: pins };
}

export function diffToolPins(saved: ToolPinSet, current: ToolPinSet): ToolPinDiff {
  const savedNames = Object.keys(saved.tools);
  const currentNames = Object.keys(current.tools);
  return {
    added: currentNames.filter((name) => !Object.hasOwn(saved.tools, name)).sort(),
    removed: savedNames.filter((name) => !Object.hasOwn(current.tools, name)).sort(),
    changed: currentNames
      .filter((name) => Object.hasOwn(saved.tools, name) && saved.tools[name] !== current.tools[name])
      .sort(),
  };
}

export function isEmptyDiff(diff: ToolPinDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

/** Parses pins read from a file; throws on anything that is not a pin set (never trust a config blindly). */
export function parseToolPinSet(value: unknown): ToolPinSet {
  const text = typeof value === 'string' ? JSON.parse(value) as unknown : value;
  if (typeof text !== 'object' || text === null) throw new TypeError('tool pins: not an object');
  const { version, tools } = text as { version?: unknown; tools?: unknown };
  if (version !== 1) throw new TypeError('tool pins: unsupported version');
  if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) {
    throw new TypeError('tool pins: "tools" must be an object');
  }
  const out: Record<string, string> = {};
  for (const [name, hash] of Object.entries(tools)) {
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
      throw new TypeError(`tool pins: pin of "${name}" is not a SHA-256 hex digest`);
    }
    setPin(out, name, hash);
  }
  return { version: 1, tools: out };
}
