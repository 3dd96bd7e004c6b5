import { sha256 } from '../crypto/hash.js';

/** What the mock's synthetic upstream receives: the path after `/proxy/{service}`. */
export interface UpstreamRequest {
  method: string;
  path: string;
  /** The query the upstream receives: the buyer's (without `listing`) plus a query-placed seller credential. */
  query: URLSearchParams;
  body: Uint8Array;
  /** Headers the gateway sends upstream (lower-case names), the seller's credential included when it goes in a header. */
  headers: Record<string, string>;
}

export interface UpstreamResponse {
  status: number;
  contentType: string;
  body: string;
  /** Streaming listings: the event-stream chunks in order (their concatenation is `body`). */
  events?: string[];
  /** Per-token listings: the tokens the upstream reports, which set the price of the call. */
  tokens?: { input: number; output: number };
  /** The model the upstream answered with (usage rows and their summary group by it). */
  model?: string;
}

export function json(value: unknown, status = 200): UpstreamResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

/** A small deterministic number from text, so the same question gets the same synthetic answer. */
export function pseudo(text: string, modulo: number): number {
  const digest = sha256(text);
  return (((digest[0] ?? 0) << 8) | (digest[1] ?? 0)) % modulo;
}

export function bodyText(request: UpstreamRequest): string {
  return new TextDecoder().decode(request.body);
}

export function parseJsonBody(request: UpstreamRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(bodyText(request));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Whitespace-separated words: the mock's stand-in for a tokenizer. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
