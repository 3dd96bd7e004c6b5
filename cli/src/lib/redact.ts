// Secrets never reach output in clear: tokens are shown as their prefix plus the last four characters.
const TOKEN_PATTERN = /\b(pg_(?:live|del|test)_)[A-Za-z0-9._~+/=-]+/g;

/** `pg_live_…abcd`: enough to tell two tokens apart, too little to use one. */
export function maskToken(token: string): string {
  const prefix = /^pg_(?:live|del|test)_/.exec(token)?.[0] ?? '';
  const tail = token.length - prefix.length >= 12 ? token.slice(-4) : '';
  return `${prefix}…${tail}`;
}

/** Replace every token-looking substring of free text (error messages, echoed input) with its mask. */
export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret.length >= 8) out = out.split(secret).join(maskToken(secret));
  }
  return out.replace(TOKEN_PATTERN, (match) => maskToken(match));
}
