// Which of a client's tokens an answer (or the error that ended a call) was obtained with, as an
// opaque per-client id, never the token itself. Paid calls key what they learn about receipts
// (v3 seen, buyer wallet) by it, so a rotating `apiKey` function keeps each token's facts apart.
const seen = new WeakMap<object, string>();

export function attachCredential<T>(target: T, id: string | undefined): T {
  if (id !== undefined && typeof target === 'object' && target !== null) seen.set(target, id);
  return target;
}

export function credentialOf(target: unknown): string | undefined {
  return typeof target === 'object' && target !== null ? seen.get(target) : undefined;
}
