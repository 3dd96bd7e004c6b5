import { ReceiptParseError } from './errors.js';

/**
 * A JSON value as the strict reader returns it. Objects inherit nothing from Object.prototype
 * (`"__proto__"` or `"toString"` are plain own keys).
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// Objects made by Object.create(null) start in V8's slow dictionary mode; instances of a
// constructor whose prototype has a null prototype keep fast properties and inherit nothing.
const BareObject = function BareObject() {} as unknown as new () => { [key: string]: JsonValue };
BareObject.prototype = Object.create(null) as object;

// Receipts nest three levels deep; the bound keeps hostile input from overflowing the stack.
const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// V8's fatal decoder is ~20x slower than the replacing one; the replacing one is exact unless
// the text holds U+FFFD, in which case the fatal one decides.
const utf8Loose = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Decodes UTF-8 strictly (invalid sequences are `malformed`, not replaced).
 * ignoreBOM keeps a BOM as U+FEFF so the JSON reader rejects it as a stray character.
 */
export function decodeUtf8(bytes: Uint8Array, field = ''): string {
  const loose = utf8Loose.decode(bytes);
  if (!loose.includes('\uFFFD')) return loose;
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ReceiptParseError('malformed', field, 'not valid UTF-8');
  }
}

/**
 * Parses JSON text more strictly than JSON.parse: duplicate keys, lone surrogates (raw or
 * escaped), numbers that are not safe integers written as plain integers (no fraction, no
 * exponent, no -0), and nesting beyond 32 levels are all `malformed`, with the failing path.
 * Receipts carry no other numbers, so a number that would not re-serialize to itself is refused.
 */
export function parseStrictJson(text: string): JsonValue {
  const reader = new StrictReader(text);
  reader.skipWs();
  const value = reader.value(0);
  reader.skipWs();
  if (reader.pos !== text.length) reader.fail('unexpected data after the JSON value');
  return value;
}

class StrictReader {
  pos = 0;
  private readonly path: (string | number)[] = [];

  constructor(private readonly src: string) {}

  fail(message: string): never {
    let field = '';
    for (const part of this.path) field += typeof part === 'number' ? `[${part}]` : field ? `.${part}` : part;
    throw new ReceiptParseError('malformed', field, `${message} (at offset ${this.pos})`);
  }

  skipWs(): void {
    const s = this.src;
    let c = s.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.pos);
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const c = this.src.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: return this.object(depth);
      case 0x5b: return this.array(depth);
      case 0x22: return this.string();
      case 0x74: return this.literal('true', true);
      case 0x66: return this.literal('false', false);
      case 0x6e: return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
    }
  }

  private literal<T extends JsonValue>(word: string, result: T): T {
    if (!this.src.startsWith(word, this.pos)) this.fail('unexpected character');
    this.pos += word.length;
    return result;
  }

  private object(depth: number): { [key: string]: JsonValue } {
    const out = new BareObject();
    const s = this.src;
    this.pos++;
    this.skipWs();
    if (s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (s.charCodeAt(this.pos) !== 0x22) this.fail('expected a string key');
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        this.path.push(key);
        this.fail('duplicate key');
      }
      this.skipWs();
      if (s.charCodeAt(this.pos) !== 0x3a) this.fail('expected ":"');
      this.pos++;
      this.skipWs();
      this.path.push(key);
      out[key] = this.value(depth + 1);
      this.path.pop();
      this.skipWs();
      const c = s.charCodeAt(this.pos++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('expected "," or "}"');
      }
      this.skipWs();
    }
  }

  private array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    const s = this.src;
    this.pos++;
    this.skipWs();
    if (s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.path.push(out.length);
      out.push(this.value(depth + 1));
      this.path.pop();
      this.skipWs();
      const c = s.charCodeAt(this.pos++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('expected "," or "]"');
      }
      this.skipWs();
    }
  }

  private number(): number {
    const s = this.src;
    const start = this.pos;
    if (s.charCodeAt(this.pos) === 0x2d) this.pos++;
    const first = s.charCodeAt(this.pos);
    if (first === 0x30) {
      this.pos++;
      const after = s.charCodeAt(this.pos);
      if (after >= 0x30 && after <= 0x39) this.fail('leading zero');
    }
    else if (first >= 0x31 && first <= 0x39) {
      do this.pos++;
      while (s.charCodeAt(this.pos) >= 0x30 && s.charCodeAt(this.pos) <= 0x39);
    } else this.fail('invalid number');
    const next = s.charCodeAt(this.pos);
    if (next === 0x2e || next === 0x65 || next === 0x45) this.fail('numbers must be plain integers');
    const lexeme = s.slice(start, this.pos);
    if (lexeme === '-0') this.fail('-0 is not allowed');
    const n = Number(lexeme);
    if (!Number.isSafeInteger(n)) this.fail('integer beyond 2^53 - 1 (use an integer string)');
    return n;
  }

  private string(): string {
    const s = this.src;
    let i = ++this.pos;
    let out = '';
    let chunkStart = i;
    let surrogates = false;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(chunkStart, i);
        this.pos = i + 1;
        break;
      }
      if (c === 0x5c) {
        out += s.slice(chunkStart, i);
        const e = s.charCodeAt(i + 1);
        i += 2;
        switch (e) {
          case 0x22: out += '"'; break;
          case 0x5c: out += '\\'; break;
          case 0x2f: out += '/'; break;
          case 0x62: out += '\b'; break;
          case 0x66: out += '\f'; break;
          case 0x6e: out += '\n'; break;
          case 0x72: out += '\r'; break;
          case 0x74: out += '\t'; break;
          case 0x75: {
            const hex = s.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              this.pos = i;
              this.fail('invalid \\u escape');
            }
            const unit = parseInt(hex, 16);
            if (unit >= 0xd800 && unit <= 0xdfff) surrogates = true;
            out += String.fromCharCode(unit);
            i += 4;
            break;
          }
          default:
            this.pos = i - 1;
            this.fail('invalid escape');
        }
        chunkStart = i;
        continue;
      }
      if (c < 0x20 || Number.isNaN(c)) {
        this.pos = i;
        this.fail(Number.isNaN(c) ? 'unterminated string' : 'control character in string');
      }
      if (c >= 0xd800 && c <= 0xdfff) surrogates = true;
      i++;
    }
    if (surrogates && hasLoneSurrogate(out)) {
      this.pos = i;
      this.fail('lone surrogate in string');
    }
    return out;
  }
}

const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string is not well-formed UTF-16 (it could not be encoded as UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  // The cheap scan first: most strings hold no surrogate at all.
  return ANY_SURROGATE.test(s) && LONE_SURROGATE.test(s);
}
