import { describe, expect, test } from 'vitest';
import { FetchError, prepareRequest, sendRequest, withQuery } from '../../src/internal/fetch-request.js';

// The request shaping the client took from ofetch (and its ufo query encoding), now the SDK's own:
// these are the bytes ofetch 1.5 produced for the same inputs (checked side by side when it was replaced).
const signal = new AbortController().signal;

describe('withQuery', () => {
  test.each([
    ['http://127.0.0.1:4010/v1/apis', { q: 'weather forecast', limit: 20, verified: true }, 'http://127.0.0.1:4010/v1/apis?q=weather+forecast&limit=20&verified=true'],
    ['http://h/p', { badges: ['a,b', 'c/d'], x: '' }, 'http://h/p?badges=a,b&badges=c%2Fd&x'],
    ['http://h/p', { 'a=b': 'c&d#e', u: 'é ü+`^|{}' }, 'http://h/p?a%3Db=c%26d%23e&u=%C3%A9+%C3%BC%2B`^|%7B%7D'],
    ['http://h/p', { n: 0, f: false, arr: [], o: { k: 1 } }, 'http://h/p?n=0&f=false&o=%7B%22k%22:1%7D'],
    ['http://h/p', { b: 'B', 2: 'two', 1: 'one' }, 'http://h/p?1=one&2=two&b=B'],
    ['http://h/p?x=1&y=a+b&z=%2F&q', { x: 'override' }, 'http://h/p?x=override&y=a+b&z=%2F&q'],
    ['http://h/p?x=1#frag', { s: 'a%20b' }, 'http://h/p?x=1&s=a%2520b#frag'],
    ['http://h/p?constructor=1&__proto__=2&a=3', { t: "!'()*~-._:@,;$" }, "http://h/p?a=3&t=!'()*~-._:@,;$"],
  ])('%s + %j', (url, query, expected) => {
    expect(withQuery(url, query)).toBe(expected);
  });

  test('an empty merged query leaves no "?"', () => {
    expect(withQuery('http://h/p?', { gone: undefined })).toBe('http://h/p');
  });
});

describe('prepareRequest', () => {
  const prepare = (method: string, body: unknown, headers: Record<string, string> = {}) => {
    const { url, init } = prepareRequest('http://h/p', { method, body, headers, signal });
    return { url, method: init.method, body: init.body, duplex: init.duplex, headers: Object.fromEntries(new Headers(init.headers)) };
  };

  test('a plain object or array on a payload method is sent as JSON with JSON content-type and accept', () => {
    expect(prepare('post', { a: 1 })).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', accept: 'application/json' } });
    expect(prepare('DELETE', [1, 2]).body).toBe('[1,2]');
  });

  test('a string body is sent as written; an explicit content-type and accept are kept', () => {
    expect(prepare('PUT', '{"x": 1 }', { 'content-type': 'text/plain', accept: 'text/csv' })).toMatchObject({ body: '{"x": 1 }', headers: { 'content-type': 'text/plain', accept: 'text/csv' } });
    expect(prepare('POST', 'raw').headers['content-type']).toBe('application/json');
  });

  test('form-encoded content-type turns an object into a form body', () => {
    expect(prepare('POST', { a: '1', b: 'x y' }, { 'content-type': 'application/x-www-form-urlencoded' }).body).toBe('a=1&b=x+y');
  });

  test('bytes, forms and GET bodies pass through untouched; streams are half-duplex', () => {
    const bytes = new Uint8Array([1, 2]);
    expect(prepare('POST', bytes)).toMatchObject({ body: bytes, headers: {} });
    const form = new URLSearchParams('a=1');
    expect(prepare('POST', form).body).toBe(form);
    expect(prepare('GET', { a: 1 }).body).toEqual({ a: 1 });
    const stream = new ReadableStream();
    expect(prepare('POST', stream)).toMatchObject({ body: stream, duplex: 'half' });
  });

  test('the caller\'s headers object is copied, not changed', () => {
    const headers = new Headers({ authorization: 'Bearer x' });
    const { init } = prepareRequest('http://h/p', { method: 'POST', body: { a: 1 }, headers, signal });
    expect(headers.has('content-type')).toBe(false);
    expect(new Headers(init.headers).get('authorization')).toBe('Bearer x');
  });
});

describe('sendRequest', () => {
  test('what fetch throws comes back as the cause of a FetchError that holds no request options', async () => {
    const cause = new TypeError('fetch failed');
    const error = await sendRequest(() => Promise.reject(cause), 'http://h/p', { method: 'GET', headers: { authorization: 'Bearer secret' }, signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).name).toBe('FetchError');
    expect((error as FetchError).cause).toBe(cause);
    expect(JSON.stringify(Object.getOwnPropertyDescriptors(error))).not.toContain('secret');
    expect((error as FetchError).message).toBe('[GET] "http://h/p": <no response> fetch failed');
  });

  test('fetch receives the prepared URL and init', async () => {
    let seen: [string, RequestInit] | undefined;
    const response = await sendRequest(async (url, init) => {
      seen = [url, init];
      return new Response('ok');
    }, 'http://h/p', { method: 'patch', query: { a: 'b c' }, body: { k: true }, headers: {}, signal });
    expect(await response.text()).toBe('ok');
    expect(seen?.[0]).toBe('http://h/p?a=b+c');
    expect(seen?.[1]).toMatchObject({ method: 'PATCH', body: '{"k":true}', signal });
  });
});
