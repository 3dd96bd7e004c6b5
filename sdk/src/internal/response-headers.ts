// The headers of the answer an error was thrown after (paid calls read their receipt from them),
// kept off the error's enumerable fields so serialising an error never grows.
const seen = new WeakMap<object, Headers>();

export function attachResponseHeaders<E>(error: E, headers: Headers): E {
  if (typeof error === 'object' && error !== null) seen.set(error, headers);
  return error;
}

export function responseHeadersOf(error: unknown): Headers | undefined {
  return typeof error === 'object' && error !== null ? seen.get(error) : undefined;
}
