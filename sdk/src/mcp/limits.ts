// Bounds on what an MCP server may make the client hold or walk: how many tools, how deeply
// nested their schemas (a recursive walk of a hostile schema ends in a RangeError), and how many
// bytes one answer may carry (a tool result, a tools/list page, one SSE event).
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ValidationError } from '../core/error.js';
import { McpLimitError } from './errors.js';

export interface McpLimits {
  /** Tools one server may list (every page together). Default 256. */
  maxTools?: number;
  /** Nesting depth of a tool's input and output schemas (objects and arrays). Default 32. */
  maxSchemaDepth?: number;
  /** Bytes of one answer: a JSON response body, or one SSE event. Default 8 MiB. */
  maxResultBytes?: number;
}

export const DEFAULT_LIMITS: Required<McpLimits> = { maxTools: 256, maxSchemaDepth: 32, maxResultBytes: 8 * 1024 * 1024 };

export function resolveLimits(limits: McpLimits | undefined): Required<McpLimits> {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof McpLimits>) {
    const value = limits?.[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ValidationError(`limits.${key} must be a positive integer`, [{ path: ['limits', key], message: 'expected a positive integer', code: 'invalid_option' }], value);
    }
    out[key] = value;
  }
  return out;
}

/** Nesting depth of a JSON value, walked without recursion; stops counting past `max`. */
export function jsonDepth(value: unknown, max: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > max) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Throws `McpLimitError` when a listing has too many tools or a schema nests too deeply. */
export function checkToolList(tools: readonly Tool[], limits: Required<McpLimits>): void {
  if (tools.length > limits.maxTools) throw new McpLimitError('tools', limits.maxTools, `The server lists ${tools.length} tools, which`);
  for (const tool of tools) {
    for (const schema of [tool.inputSchema, tool.outputSchema]) {
      if (jsonDepth(schema, limits.maxSchemaDepth) > limits.maxSchemaDepth) {
        throw new McpLimitError('schema_depth', limits.maxSchemaDepth, `The schema nesting of tool "${tool.name.slice(0, 64)}"`);
      }
    }
  }
}

/**
 * The response with its body counted as it streams: past `maxBytes` in one JSON body (or one SSE
 * event) the stream fails with `McpLimitError`, and `onExceeded` learns of it so calls waiting on a
 * stream can be failed at once.
 */
export function limitBody(response: Response, maxBytes: number, onExceeded: (error: McpLimitError) => void): Response {
  if (!response.body) return response;
  const declared = Number(response.headers.get('content-length'));
  const sse = /^\s*text\/event-stream/i.test(response.headers.get('content-type') ?? '');
  const exceeded = (): McpLimitError => {
    const error = new McpLimitError('result_bytes', maxBytes, sse ? 'An SSE event from the MCP server' : 'An answer of the MCP server');
    onExceeded(error);
    return error;
  };
  if (!sse && Number.isFinite(declared) && declared > maxBytes) {
    void response.body.cancel().catch(() => undefined);
    const error = exceeded();
    return new Response(new ReadableStream({ start: (controller) => controller.error(error) }), response);
  }
  let count = 0;
  let previous = -1; // the byte before the current one, across chunks
  let beforePrevious = -1;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (sse) {
        // An event ends at a blank line (LF LF, or CR LF CR LF): each one is counted on its own.
        for (const byte of chunk) {
          if (byte === 10 && (previous === 10 || (previous === 13 && beforePrevious === 10))) count = 0;
          else count += 1;
          beforePrevious = previous;
          previous = byte;
          if (count > maxBytes) break;
        }
      } else {
        count += chunk.length;
      }
      if (count > maxBytes) {
        controller.error(exceeded());
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
}
