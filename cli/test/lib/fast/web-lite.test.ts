// The data path's Headers and Response (web-lite.ts) against Node's own: names, values, order,
// refusals, bodies (its HTTP, http-fetch.ts, is compared in http-fetch.test.ts).
import { describe, expect, it } from 'vitest';
import { LiteHeaders, LiteResponse } from '../../../src/lib/fast/web-lite.js';

describe('web-lite Headers and Response behave as Node\'s', () => {
  const build = (H: typeof Headers) => {
    const h = new H({ 'X-B': ' 2 ', a: '1' });
    h.append('a', 'x');
    h.append('Set-Cookie', 's=1');
    h.append('set-cookie', 't=2');
    h.set('c', '3');
    h.delete('C');
    return h;
  };
  it('names, values, order, set-cookie, copying', () => {
    const ours = build(LiteHeaders as unknown as typeof Headers);
    const node = build(Headers);
    expect([...ours]).toEqual([...node]);
    expect([...ours.keys()]).toEqual([...node.keys()]);
    expect([...ours.values()]).toEqual([...node.values()]);
    expect(ours.get('A')).toBe(node.get('A'));
    expect(ours.get('set-cookie')).toBe(node.get('set-cookie'));
    expect(ours.getSetCookie()).toEqual(node.getSetCookie());
    expect(ours.has('x-b')).toBe(true);
    expect(ours.get('missing')).toBeNull();
    const seenOurs: string[] = [];
    const seenNode: string[] = [];
    ours.forEach((v, k) => seenOurs.push(`${k}=${v}`));
    node.forEach((v, k) => seenNode.push(`${k}=${v}`));
    expect(seenOurs).toEqual(seenNode);
    expect([...new LiteHeaders(ours as never)]).toEqual([...new Headers(node)]);
    expect([...new LiteHeaders([['k', 'v']])]).toEqual([...new Headers([['k', 'v']])]);
    expect(Object.prototype.toString.call(ours)).toBe(Object.prototype.toString.call(node));
  });
  it('refuses what Node refuses', () => {
    for (const [name, value] of [['bad name', 'v'], ['ok', 'a\nb'], ['', 'v']]) {
      expect(() => new LiteHeaders().append(name as string, value as string), `${name}`).toThrow(TypeError);
      expect(() => new Headers().append(name as string, value as string)).toThrow(TypeError);
    }
  });
  it('a Response reads its body once, as text, bytes or JSON', async () => {
    for (const R of [LiteResponse as unknown as typeof Response, Response]) {
      const r = new R('{"a":1}', { status: 201, statusText: 'Created', headers: { 'x-a': '1' } });
      expect([r.status, r.ok, r.statusText, r.headers.get('x-a'), r.headers.get('content-type'), r.bodyUsed]).toEqual([201, true, 'Created', '1', 'text/plain;charset=UTF-8', false]);
      expect(await r.json()).toEqual({ a: 1 });
      expect(r.bodyUsed).toBe(true);
      await expect(r.text()).rejects.toThrow(TypeError);
      const stream = new R(new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array([104, 105])), c.close()) }));
      expect(await stream.text()).toBe('hi');
      expect(new R(null, { status: 204 }).body).toBeNull();
      expect(() => new R('x', { status: 600 })).toThrow(RangeError);
    }
  });
});
