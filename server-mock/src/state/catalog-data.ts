/**
 * The mock's fixed catalog: sellers, the category tree and the listings with their synthetic
 * upstreams. Ids, wallets and slugs do not depend on the seed, so docs and scripts can name them.
 * Prices are integer micro-USD (seller side; the buyer pays the platform fee on top).
 */
import { HOSTILE_HIDDEN, HOSTILE_INJECTION, HOSTILE_SECRETS, LINKS_MILD, LINKS_PHISH } from './hostile-content.js';
import type { CatalogEndpoint, EndpointPrice } from './types.js';
import type { UpstreamAuth } from './upstream-credentials.js';
import { bodyText, countTokens, json, parseJsonBody, pseudo, type UpstreamRequest, type UpstreamResponse } from './upstream.js';

export interface SellerDraft {
  slug: string;
  accountType: 'personal' | 'organization';
  organization: string | null;
  memberSince: string;
  trustScore: number;
  badges: string[];
  partner: boolean;
}

export const SELLERS: readonly SellerDraft[] = [
  { slug: 'skycast', accountType: 'organization', organization: 'Skycast Weather Ltd.', memberSince: '2025-11-04T00:00:00Z', trustScore: 92, badges: ['reliable', 'veteran'], partner: true },
  { slug: 'findly', accountType: 'organization', organization: 'Findly Inc.', memberSince: '2025-12-01T00:00:00Z', trustScore: 88, badges: ['reliable'], partner: false },
  { slug: 'seekr', accountType: 'personal', organization: null, memberSince: '2026-05-12T00:00:00Z', trustScore: 61, badges: [], partner: false },
  { slug: 'wirefeed', accountType: 'organization', organization: 'Wirefeed Media', memberSince: '2026-02-10T00:00:00Z', trustScore: 80, badges: ['reliable'], partner: false },
  { slug: 'ledgerly', accountType: 'organization', organization: 'Ledgerly GmbH', memberSince: '2025-10-20T00:00:00Z', trustScore: 95, badges: ['reliable', 'veteran', 'fast'], partner: true },
  { slug: 'lingua', accountType: 'organization', organization: 'Lingua Labs', memberSince: '2026-01-18T00:00:00Z', trustScore: 84, badges: ['fast'], partner: false },
  { slug: 'mockworks', accountType: 'personal', organization: null, memberSince: '2026-08-01T00:00:00Z', trustScore: 70, badges: [], partner: false },
  { slug: 'shadyco', accountType: 'personal', organization: null, memberSince: '2026-08-15T00:00:00Z', trustScore: 12, badges: [], partner: false },
];

export interface CategoryDraft {
  slug: string;
  name: string;
  icon: string;
  subcategories: { slug: string; name: string; icon: string }[];
}

export const CATEGORY_TREE: readonly CategoryDraft[] = [
  { slug: 'ai', name: 'AI', icon: 'sparkles', subcategories: [{ slug: 'llm', name: 'Language Models', icon: 'message' }, { slug: 'translation', name: 'Translation', icon: 'languages' }] },
  { slug: 'data', name: 'Data', icon: 'database', subcategories: [{ slug: 'weather', name: 'Weather', icon: 'cloud' }, { slug: 'time', name: 'Time', icon: 'clock' }] },
  { slug: 'finance', name: 'Finance', icon: 'bank', subcategories: [{ slug: 'fx', name: 'Exchange Rates', icon: 'coins' }, { slug: 'equities', name: 'Equities', icon: 'chart' }] },
  { slug: 'media', name: 'Media', icon: 'newspaper', subcategories: [{ slug: 'news', name: 'News', icon: 'rss' }] },
  { slug: 'search', name: 'Search', icon: 'search', subcategories: [{ slug: 'web', name: 'Web Search', icon: 'globe' }] },
  { slug: 'security-test', name: 'Security Test Fixtures', icon: 'shield', subcategories: [] },
  { slug: 'utilities', name: 'Utilities', icon: 'wrench', subcategories: [{ slug: 'testing', name: 'Testing', icon: 'flask' }] },
];

export const SERVICE_NAMES: Record<string, string> = {
  weather: 'Weather',
  search: 'Web Search',
  news: 'News',
  finance: 'Finance',
  translate: 'Translate',
  echo: 'Echo',
  time: 'Clock',
  llm: 'Language Models',
  reviews: 'Product Reviews',
  pages: 'Web Pages',
  pastebin: 'Pastebin',
  links: 'Link Directory',
};

export interface ListingDraft {
  slug: string;
  seller: string;
  service: string;
  description: string;
  categories: string[];
  authPattern: string;
  /** Where the gateway puts the seller's upstream key (default: from `authPattern`, see upstream-credentials.ts). */
  upstreamAuth?: UpstreamAuth;
  /** Seller price per request, micro-USD (null on per-token listings). */
  price: number | null;
  /** Per-token listings: seller micro-USD per million input / output tokens. */
  perMillion?: { input: number; output: number };
  endpointPrices?: EndpointPrice[];
  streaming?: boolean;
  verified: boolean;
  rating: [up: number, down: number];
  latency: number;
  uptime: number;
  rpm: number;
  calls: number;
  created: string;
  /** Listing docs: markdown generated from the endpoints, an OpenAPI document, or none. */
  docs: 'markdown' | 'openapi' | null;
  endpoints: CatalogEndpoint[];
  respond(request: UpstreamRequest): UpstreamResponse;
}

const CHAT_TOKENS = ['Hello', ',', ' I', ' am', ' a', ' mock', ' model', '.', ' You', ' said', ':'];

function chatCompletion(request: UpstreamRequest): UpstreamResponse {
  const body = parseJsonBody(request);
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const prompt = messages
    .map((message) => (typeof message === 'object' && message !== null ? (message as { content?: unknown }).content : undefined))
    .filter((content): content is string => typeof content === 'string')
    .join('\n');
  if (!prompt) return json({ error: { message: 'messages must hold at least one message with text content' } }, 400);
  const model = typeof body['model'] === 'string' && body['model'] ? body['model'] : 'mock-chat-1';
  const reply = `This is a mock answer of ${countTokens(prompt)} words to: ${prompt.slice(0, 80)}`;
  const tokens = { input: countTokens(prompt), output: countTokens(reply) };
  return {
    ...json({
      id: `chatcmpl-${pseudo(prompt, 1_000_000)}`,
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
      usage: { prompt_tokens: tokens.input, completion_tokens: tokens.output, total_tokens: tokens.input + tokens.output },
    }),
    tokens,
    model,
  };
}

export const LISTING_DRAFTS: readonly ListingDraft[] = [
  {
    slug: 'weather-current',
    seller: 'skycast',
    service: 'weather',
    description: 'Current conditions and short forecasts for any city.',
    categories: ['data', 'weather'],
    authPattern: 'api_key',
    upstreamAuth: { in: 'query', name: 'appid' },
    price: 1_000,
    endpointPrices: [{ path: '/forecast', pricing_unit: 'per_request', price_per_request: 2_000, daily_cap_per_wallet: null, daily_cap_global: null }],
    verified: true,
    rating: [120, 4],
    latency: 85,
    uptime: 99.95,
    rpm: 600,
    calls: 48_200,
    created: '2026-03-02T09:00:00.000Z',
    docs: 'openapi',
    endpoints: [
      { method: 'GET', path: '/current', description: 'Current conditions; query `city`.' },
      { method: 'GET', path: '/forecast', description: 'Daily forecast; query `city`, `days` (1..7).' },
    ],
    respond: (request) => {
      const city = request.query.get('city') ?? 'Berlin';
      if (request.path === '/forecast') {
        const days = Math.min(7, Math.max(1, Number(request.query.get('days') ?? '3') || 3));
        return json({ city, days: Array.from({ length: days }, (_, day) => ({ day, high_c: 10 + pseudo(`${city}:${day}`, 20) })) });
      }
      return json({ city, temp_c: pseudo(city, 35) - 5, conditions: ['sunny', 'cloudy', 'rain', 'snow'][pseudo(`c:${city}`, 4)] });
    },
  },
  {
    slug: 'weather-alerts',
    seller: 'skycast',
    service: 'weather',
    description: 'Free severe-weather alerts by region (100 calls per wallet per day).',
    categories: ['data', 'weather'],
    authPattern: 'none',
    price: 0,
    endpointPrices: [{ path: '/alerts', pricing_unit: 'per_request', price_per_request: 0, daily_cap_per_wallet: 100, daily_cap_global: null }],
    verified: true,
    rating: [40, 2],
    latency: 60,
    uptime: 99.9,
    rpm: 1_200,
    calls: 91_000,
    created: '2026-03-05T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [{ method: 'GET', path: '/alerts', description: 'Active alerts; query `region`.' }],
    respond: (request) => json({ region: request.query.get('region') ?? 'global', alerts: [] }),
  },
  {
    slug: 'web-search',
    seller: 'findly',
    service: 'search',
    description: 'Ranked web results with snippets.',
    categories: ['search', 'web'],
    authPattern: 'bearer',
    price: 4_000,
    verified: true,
    rating: [310, 22],
    latency: 240,
    uptime: 99.8,
    rpm: 300,
    calls: 120_500,
    created: '2026-01-15T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [{ method: 'GET', path: '/search', description: 'Search; query `q`, `n` (1..10).' }],
    respond: (request) => {
      const q = request.query.get('q') ?? '';
      const n = Math.min(10, Math.max(1, Number(request.query.get('n') ?? '3') || 3));
      return json({
        query: q,
        results: Array.from({ length: n }, (_, i) => ({ title: `Result ${i + 1} for ${q}`, url: `https://example.com/${i + 1}`, snippet: `About ${q}.` })),
      });
    },
  },
  {
    // Same slug as findly's listing: a slug is unique per seller only (lookups need `seller_slug`).
    slug: 'web-search',
    seller: 'seekr',
    service: 'search',
    description: 'Budget web search: fewer results, lower price.',
    categories: ['search', 'web'],
    authPattern: 'api_key',
    price: 3_000,
    verified: false,
    rating: [14, 6],
    latency: 410,
    uptime: 98.2,
    rpm: 60,
    calls: 2_100,
    created: '2026-06-01T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [{ method: 'GET', path: '/search', description: 'Search; query `q` (3 results).' }],
    respond: (request) => {
      const q = request.query.get('q') ?? '';
      return json({ query: q, results: [1, 2, 3].map((i) => ({ title: `Budget result ${i} for ${q}`, url: `https://example.org/${i}` })) });
    },
  },
  {
    slug: 'news-headlines',
    seller: 'wirefeed',
    service: 'news',
    description: 'Top headlines by topic.',
    categories: ['media', 'news'],
    authPattern: 'api_key',
    price: 2_000,
    verified: true,
    rating: [75, 9],
    latency: 130,
    uptime: 99.5,
    rpm: 240,
    calls: 30_100,
    created: '2026-05-20T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [{ method: 'GET', path: '/headlines', description: 'Headlines; query `topic`.' }],
    respond: (request) => {
      const topic = request.query.get('topic') ?? 'world';
      return json({ topic, headlines: [`${topic}: markets steady`, `${topic}: new bridge opens`] });
    },
  },
  {
    slug: 'fx-rates',
    seller: 'ledgerly',
    service: 'finance',
    description: 'Reference exchange rates (integers in millionths).',
    categories: ['finance', 'fx'],
    authPattern: 'api_key',
    price: 500,
    verified: true,
    rating: [200, 3],
    latency: 40,
    uptime: 99.99,
    rpm: 1_000,
    calls: 250_000,
    created: '2025-12-01T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [{ method: 'GET', path: '/rates', description: 'Rates; query `base` (ISO 4217).' }],
    respond: (request) => {
      const base = (request.query.get('base') ?? 'USD').toUpperCase();
      return json({ base, rates_micro: { EUR: 900_000 + pseudo(base, 50_000), GBP: 780_000 + pseudo(`g${base}`, 40_000) } });
    },
  },
  {
    slug: 'stock-quote',
    seller: 'ledgerly',
    service: 'finance',
    description: 'Delayed equity quotes.',
    categories: ['finance', 'equities'],
    authPattern: 'api_key',
    price: 2_500,
    verified: false,
    rating: [18, 6],
    latency: 190,
    uptime: 99.1,
    rpm: 120,
    calls: 8_400,
    created: '2026-07-11T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [{ method: 'GET', path: '/quote', description: 'Quote; query `symbol`.' }],
    respond: (request) => {
      const symbol = (request.query.get('symbol') ?? 'ACME').toUpperCase();
      return json({ symbol, price_cents: 1000 + pseudo(symbol, 90_000) });
    },
  },
  {
    slug: 'translate-text',
    seller: 'lingua',
    service: 'translate',
    description: 'Machine translation of short texts.',
    categories: ['ai', 'translation'],
    authPattern: 'bearer',
    price: 3_000,
    verified: true,
    rating: [95, 11],
    latency: 320,
    uptime: 99.7,
    rpm: 200,
    calls: 15_700,
    created: '2026-04-08T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [
      {
        method: 'POST',
        path: '/translate',
        description: 'Body `{ text, to }`.',
        request_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' }, to: { type: 'string' } } },
      },
    ],
    respond: (request) => {
      const body = parseJsonBody(request);
      const text = typeof body['text'] === 'string' ? body['text'] : '';
      const to = typeof body['to'] === 'string' ? body['to'] : 'en';
      if (!text) return json({ error: 'text is required' }, 400);
      return json({ to, translation: `[${to}] ${text}` });
    },
  },
  {
    slug: 'echo',
    seller: 'mockworks',
    service: 'echo',
    description: 'Returns the request it received; handy for tests.',
    categories: ['utilities', 'testing'],
    authPattern: 'none',
    price: 100,
    verified: true,
    rating: [12, 0],
    latency: 5,
    uptime: 100,
    rpm: 6_000,
    calls: 1_200,
    created: '2026-09-01T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [
      { method: 'GET', path: '/echo', description: 'Echoes the query.' },
      { method: 'POST', path: '/echo', description: 'Echoes the query and body.' },
      { method: 'PUT', path: '/echo', description: 'Echoes the query and body.' },
      { method: 'PATCH', path: '/echo', description: 'Echoes the query and body.' },
      { method: 'DELETE', path: '/echo', description: 'Echoes the query.' },
      { method: 'GET', path: '/headers', description: 'Echoes the headers the upstream received (httpbin style).' },
    ],
    // `/headers` reflects the upstream request, the seller's key included: the leak the gateway must stop.
    respond: (request) =>
      request.path === '/headers'
        ? json({ headers: request.headers })
        : json({ method: request.method, path: request.path, query: Object.fromEntries(request.query), body: bodyText(request) }),
  },
  {
    slug: 'time-now',
    seller: 'mockworks',
    service: 'time',
    description: 'Free: a fixed reference time (deterministic), 100 calls per wallet per day.',
    categories: ['data', 'time'],
    authPattern: 'none',
    price: 0,
    endpointPrices: [{ path: '/now', pricing_unit: 'per_request', price_per_request: 0, daily_cap_per_wallet: 100, daily_cap_global: null }],
    verified: false,
    rating: [3, 1],
    latency: 2,
    uptime: 100,
    rpm: 6_000,
    calls: 600,
    created: '2026-10-01T09:00:00.000Z',
    docs: null,
    endpoints: [{ method: 'GET', path: '/now', description: 'Reference time.' }],
    respond: () => json({ now: '2026-11-25T12:00:00.000Z' }),
  },
  {
    slug: 'llm-stream',
    seller: 'lingua',
    service: 'llm',
    description: 'A token-by-token chat completion over server-sent events, priced per request.',
    categories: ['ai', 'llm'],
    authPattern: 'bearer',
    price: 10_000,
    streaming: true,
    verified: true,
    rating: [150, 20],
    latency: 900,
    uptime: 99.6,
    rpm: 120,
    calls: 64_000,
    created: '2026-06-30T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [{ method: 'POST', path: '/chat', description: 'Body `{ prompt }`; streams `data: {"delta"}` events (text/event-stream).' }],
    respond: (request) => {
      const prompt = parseJsonBody(request)['prompt'];
      const words = [...CHAT_TOKENS, ` ${typeof prompt === 'string' ? prompt : ''}`];
      const events = [...words.map((delta) => `data: ${JSON.stringify({ delta })}\n\n`), 'data: [DONE]\n\n'];
      return { status: 200, contentType: 'text/event-stream', body: events.join(''), events, model: 'mock-stream-1' };
    },
  },
  {
    slug: 'chat-completions',
    seller: 'lingua',
    service: 'llm',
    description: 'OpenAI-style chat completions, priced per input and output token.',
    categories: ['ai', 'llm'],
    authPattern: 'bearer',
    price: null,
    perMillion: { input: 2_000_000, output: 8_000_000 },
    verified: true,
    rating: [88, 7],
    latency: 650,
    uptime: 99.4,
    rpm: 90,
    calls: 22_000,
    created: '2026-07-20T09:00:00.000Z',
    docs: 'markdown',
    endpoints: [
      {
        method: 'POST',
        path: '/chat/completions',
        description: 'Body `{ model?, messages: [{ role, content }] }`; charged on the `usage` tokens of the answer.',
        request_schema: { type: 'object', required: ['messages'], properties: { model: { type: 'string' }, messages: { type: 'array' } } },
      },
    ],
    respond: chatCompletion,
  },
  {
    slug: 'product-reviews',
    seller: 'shadyco',
    service: 'reviews',
    description: 'User reviews; some contain prompt-injection text (shield test listing).',
    categories: ['security-test'],
    authPattern: 'none',
    price: 200,
    verified: false,
    rating: [2, 30],
    latency: 70,
    uptime: 97.5,
    rpm: 60,
    calls: 900,
    created: '2026-08-15T09:00:00.000Z',
    docs: null,
    endpoints: [{ method: 'GET', path: '/reviews', description: 'Reviews; query `product`.' }],
    respond: (request) => json({ product: request.query.get('product') ?? 'widget', reviews: HOSTILE_INJECTION }),
  },
  {
    slug: 'release-notes',
    seller: 'shadyco',
    service: 'pages',
    description: 'An HTML page with hidden instructions (shield test listing).',
    categories: ['security-test'],
    authPattern: 'none',
    price: 200,
    verified: false,
    rating: [1, 12],
    latency: 75,
    uptime: 97.1,
    rpm: 60,
    calls: 700,
    created: '2026-08-16T09:00:00.000Z',
    docs: null,
    endpoints: [{ method: 'GET', path: '/page', description: 'The page HTML.' }],
    respond: () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: HOSTILE_HIDDEN }),
  },
  {
    slug: 'paste-dump',
    seller: 'shadyco',
    service: 'pastebin',
    description: 'A paste that leaks (fake) credentials (shield test listing).',
    categories: ['security-test'],
    authPattern: 'none',
    price: 200,
    verified: false,
    rating: [0, 5],
    latency: 50,
    uptime: 96.4,
    rpm: 60,
    calls: 300,
    created: '2026-08-17T09:00:00.000Z',
    docs: null,
    endpoints: [{ method: 'GET', path: '/paste', description: 'The paste as plain text.' }],
    respond: () => ({ status: 200, contentType: 'text/plain; charset=utf-8', body: HOSTILE_SECRETS }),
  },
  {
    slug: 'link-directory',
    seller: 'shadyco',
    service: 'links',
    description: 'Links; `?variant=phish` returns phishing links (shield test listing).',
    categories: ['security-test'],
    authPattern: 'none',
    price: 200,
    verified: false,
    rating: [4, 9],
    latency: 55,
    uptime: 98.0,
    rpm: 60,
    calls: 450,
    created: '2026-08-18T09:00:00.000Z',
    docs: null,
    endpoints: [{ method: 'GET', path: '/links', description: 'Links; query `variant` = mild | phish.' }],
    respond: (request) => json({ links: request.query.get('variant') === 'phish' ? LINKS_PHISH : LINKS_MILD }),
  },
];
