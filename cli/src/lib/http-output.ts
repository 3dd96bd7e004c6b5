/** Status line and headers, for --include (written to stderr so stdout stays the body). */
export function formatResponseHead(status: number, headers: Headers): string {
  const lines = [`HTTP ${status}`];
  headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return `${lines.join('\n')}\n`;
}

/** Pretty JSON when the body is JSON, else the text as received. */
export function formatBody(data: unknown): string {
  if (data === undefined || data === null || data === '') return '';
  if (typeof data === 'string') return data;
  return JSON.stringify(data, null, 2);
}
