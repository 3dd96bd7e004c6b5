// The body of an answer as the SDK read it, so `asResponse()` can hand back a Response whose body
// is still readable after the SDK parsed (and validated) it. Kept in WeakMaps keyed by the fetch
// Response (and by the ValidationError a malformed answer ended in), never on enumerable fields.
const bodies = new WeakMap<Response, string | Uint8Array>();

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** True when a content type says the body is JSON (`application/json`, `application/problem+json`, ...). */
export function isJsonType(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && JSON_TYPE.test(contentType);
}
const answers = new WeakMap<object, Response>();

/** Records what was read from `response`. */
export function rememberBody(response: Response, body: string | Uint8Array): void {
  bodies.set(response, body);
}

/** Records the answer an error (e.g. a ValidationError of a 2xx body) was thrown about. */
export function rememberAnswer<E>(error: E, response: Response): E {
  if (typeof error === 'object' && error !== null) answers.set(error, response);
  return error;
}

/** The answer `error` was thrown about, when it came from one. */
export function answerOf(error: unknown): Response | undefined {
  return typeof error === 'object' && error !== null ? answers.get(error) : undefined;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * `response` with its body readable: itself when still unread (a streamed answer), else a copy
 * carrying the bytes the SDK read, with the same status, headers and URL.
 */
export function readableResponse(response: Response): Response {
  const body = bodies.get(response);
  if (!response.bodyUsed || body === undefined) return response;
  const copy = new Response(NULL_BODY_STATUSES.has(response.status) ? null : (body as BodyInit), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has no URL; the caller may want to know where the answer came from.
  if (response.url) Object.defineProperty(copy, 'url', { value: response.url });
  if (response.redirected) Object.defineProperty(copy, 'redirected', { value: true });
  return copy;
}
