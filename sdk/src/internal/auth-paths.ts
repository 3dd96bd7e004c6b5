// Which gateway paths need a token, as the spec's `security` says (a test checks this list against
// spec/openapi.yaml): everything a buyer owns or spends. The catalog, docs, pricing, services,
// categories, health, the key-set document and the OAuth metadata are public.
const AUTH_REQUIRED = /^\/?(?:v1\/(?:me|balance|wallet\/limits|usage|rate|tokens|receipts)(?:[/?#]|$)|proxy\/)/;

/** Whether a request to `path` (below the gateway origin) is refused by the gateway without a token. */
export function requiresAuth(path: string): boolean {
  return AUTH_REQUIRED.test(path);
}
