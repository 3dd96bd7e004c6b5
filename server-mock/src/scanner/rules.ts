/** The four flags of spec/README.md "Shield". */
export type ShieldFlag = 'prompt_injection' | 'hidden_instructions' | 'secret_leak' | 'suspicious_link';

export interface ShieldRule {
  id: string;
  flag: ShieldFlag;
  /** Basis points this rule adds to the score (the total is capped at 10000). */
  weightBp: number;
  test(text: string): boolean;
}

const ZERO_WIDTH = /[\u200B-\u200D\u2060\u180E]|(?<!^)\uFEFF/u;
const UNICODE_TAGS = /[\u{E0000}-\u{E007F}]/u;
const INSTRUCTION_WORDS =
  /\b(?:ignore|disregard|instruction|instructions|assistant|ai|model|llm|prompt|system|you must|do not tell|agent)\b/i;

function regexRule(id: string, flag: ShieldFlag, weightBp: number, ...patterns: RegExp[]): ShieldRule {
  return { id, flag, weightBp, test: (text) => patterns.some((pattern) => pattern.test(text)) };
}

// Injection phrasing is matched after removing zero-width characters so they cannot split a phrase.
function withoutInvisibles(text: string): string {
  return text.replace(/[\u200B-\u200D\u2060\u180E\uFEFF]|[\u{E0000}-\u{E007F}]/gu, '');
}

function injectionRule(id: string, weightBp: number, ...patterns: RegExp[]): ShieldRule {
  return {
    id,
    flag: 'prompt_injection',
    weightBp,
    test: (text) => {
      const visible = withoutInvisibles(text);
      return patterns.some((pattern) => pattern.test(visible));
    },
  };
}

const WHITE = String.raw`(?:#fff(?:fff)?\b|white\b|rgba?\(\s*255\s*,\s*255\s*,\s*255\s*(?:,\s*1(?:\.0+)?\s*)?\))`;
const WHITE_COLOR = new RegExp(String.raw`(?:^|[;\s])color\s*:\s*${WHITE}`, 'i');
const BACKGROUND = /(?:^|[;\s])background(?:-color)?\s*:\s*([^;]+)/i;
const WHITE_VALUE = new RegExp(`^\\s*${WHITE}`, 'i');

/** White text on a white (or unset, i.e. page-white) background. */
function whiteOnWhite(text: string): boolean {
  for (const match of text.matchAll(/style\s*=\s*(["'])(.*?)\1/gis)) {
    const style = match[2] ?? '';
    if (!WHITE_COLOR.test(style)) continue;
    const background = BACKGROUND.exec(style)?.[1];
    if (background === undefined || WHITE_VALUE.test(background)) return true;
  }
  return false;
}

function instructionInHtmlComment(text: string): boolean {
  for (const match of text.matchAll(/<!--([\s\S]*?)-->/g)) {
    if (INSTRUCTION_WORDS.test(match[1] ?? '')) return true;
  }
  return false;
}

const CSS_HIDDEN_WITH_TEXT =
  /<(\w+)[^>]*style\s*=\s*["'][^"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px)?\s*(?:;|["']))[^"']*["'][^>]*>\s*[^<\s]/i;

const URL_PATTERN = /\b(?:https?|ftp):\/\/[^\s"'<>()]+/gi;

function urlHosts(text: string): string[] {
  const hosts: string[] = [];
  for (const match of text.matchAll(URL_PATTERN)) {
    try {
      hosts.push(new URL(match[0]).hostname.toLowerCase());
    } catch {
      // Not a parseable URL: other rules still see the raw text.
    }
  }
  return hosts;
}

// WHATWG URL turns a Unicode host into punycode, so IDN homographs land in the punycode rule too.
const SHORTENERS = new Set(['bit.ly', 'tinyurl.com', 't.co', 'goo.gl', 'is.gd', 'ow.ly', 'buff.ly', 'cutt.ly', 'rebrand.ly', 'shorturl.at', 'tiny.cc']);
const BRANDS = ['proxygate', 'paypal', 'google', 'github', 'openai', 'microsoft', 'apple', 'amazon', 'stripe', 'anthropic'];

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function deconfuse(label: string): string {
  return label.replace(/0/g, 'o').replace(/1/g, 'l').replace(/3/g, 'e').replace(/5/g, 's').replace(/rn/g, 'm').replace(/vv/g, 'w');
}

// Second-level labels under which ccTLDs register names (google.co.uk, paypal.com.au).
const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'gov', 'ac', 'edu']);

/** The label a registrant chose (`paypal` in www.paypal.co.uk) and the labels left of it. */
function registeredLabel(host: string): { registered: string; subdomains: string[] } | null {
  const labels = host.split('.');
  if (labels.length < 2) return null;
  const tld = labels[labels.length - 1] ?? '';
  const second = labels[labels.length - 2] ?? '';
  const index = labels.length >= 3 && tld.length === 2 && SECOND_LEVEL.has(second) ? labels.length - 3 : labels.length - 2;
  return { registered: labels[index] ?? '', subdomains: labels.slice(0, index) };
}

/** A host that imitates a brand: a near-miss spelling, or the brand as a label of someone else's domain. */
function isLookalikeHost(host: string): boolean {
  const parts = registeredLabel(host);
  if (!parts) return false;
  const { registered, subdomains } = parts;
  if (BRANDS.includes(registered)) return false;
  const plain = deconfuse(registered).replace(/-/g, '');
  return BRANDS.some(
    (brand) =>
      plain === brand ||
      (registered.length >= 5 && levenshtein(registered, brand) === 1) ||
      registered.split('-').includes(brand) ||
      subdomains.includes(brand),
  );
}

export const SHIELD_RULES: readonly ShieldRule[] = [
  injectionRule(
    'ignore_previous_instructions',
    4500,
    /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts|directions|rules|messages)\b/i,
  ),
  injectionRule(
    'role_reassignment',
    3000,
    /\byou\s+are\s+now\s+(?:an?\s+|the\s+|in\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|dan\b|different\s+(?:ai|assistant|model)|developer\s+mode|god\s+mode|no\s+longer)/i,
    /\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must)\b/i,
  ),
  injectionRule(
    'system_prompt_probe',
    3000,
    /\b(?:reveal|print|show|output|repeat|leak|disclose|display)\b[^.\n]{0,40}\bsystem\s+prompt\b/i,
    /\bnew\s+system\s+prompt\b|<\/?system>|\[system\]|^\s*system\s*:/im,
  ),
  injectionRule(
    'jailbreak_roleplay',
    3000,
    /\bdo\s+anything\s+now\b|\bdeveloper\s+mode\s+(?:enabled|on)\b|\bjailbreak(?:ed|en)?\b|\bpretend\s+(?:that\s+)?you\s+(?:are|have)\s+no\b|\brole-?play\s+as\s+an?\s+(?:unrestricted|unfiltered|evil)\b/i,
    /\bDAN\s+mode\b|\bact\s+as\s+DAN\b/,
  ),
  injectionRule(
    'credential_exfiltration',
    3500,
    /\b(?:send|post|forward|exfiltrate|upload)\s+(?:all\s+|the\s+|your\s+)?(?:\w+\s+){0,3}(?:api\s+keys?|tokens?|credentials|passwords?|secrets?)\s+to\b/i,
  ),
  regexRule('zero_width_characters', 'hidden_instructions', 3000, ZERO_WIDTH),
  regexRule('unicode_tag_characters', 'hidden_instructions', 5000, UNICODE_TAGS),
  { id: 'html_comment_instructions', flag: 'hidden_instructions', weightBp: 3500, test: instructionInHtmlComment },
  regexRule('css_hidden_text', 'hidden_instructions', 3500, CSS_HIDDEN_WITH_TEXT),
  { id: 'white_on_white_text', flag: 'hidden_instructions', weightBp: 3000, test: whiteOnWhite },
  regexRule('openai_style_key', 'secret_leak', 7000, /\bsk-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{20,}/),
  regexRule('aws_access_key', 'secret_leak', 7000, /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/),
  regexRule('github_token', 'secret_leak', 7000, /\bgh[pousr]_[A-Za-z0-9]{36,}\b/),
  regexRule(
    'proxygate_token',
    'secret_leak',
    7000,
    /\bpg_live_[A-Za-z0-9]{32}\b/,
    /\bpg_del_[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  ),
  regexRule('pem_private_key', 'secret_leak', 8000, /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/),
  {
    id: 'raw_ip_url',
    flag: 'suspicious_link',
    weightBp: 2500,
    test: (text) => urlHosts(text).some((host) => /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.startsWith('[')),
  },
  {
    id: 'punycode_domain',
    flag: 'suspicious_link',
    weightBp: 3000,
    test: (text) => urlHosts(text).some((host) => host.split('.').some((label) => label.startsWith('xn--'))),
  },
  { id: 'lookalike_domain', flag: 'suspicious_link', weightBp: 3000, test: (text) => urlHosts(text).some(isLookalikeHost) },
  // Text like "JavaScript: the good parts" is prose; a script URL runs code right after the colon.
  regexRule('script_url', 'suspicious_link', 4000, /(?:^|[\s"'(=[<])javascript\s*:[\w(/%]/i),
  regexRule('data_url', 'suspicious_link', 3000, /\bdata:(?:text\/html|application\/(?:x-)?javascript|text\/javascript|image\/svg\+xml)[;,]/i),
  { id: 'url_shortener', flag: 'suspicious_link', weightBp: 1500, test: (text) => urlHosts(text).some((host) => SHORTENERS.has(host)) },
];
