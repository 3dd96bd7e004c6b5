// Messages are built from pieces, some of them another party's sentences (the gateway's "Injected
// 503.", a hook's error), so a join must not double their punctuation ("503.. It was").

/**
 * Joins `head` and `tail` with `separator` (`'. '` by default, or `'; '`, `' ('`, ...) without
 * doubled punctuation: a head ending a sentence (`.`, `!`, `?`) before a full stop keeps its own
 * mark; before any other separator the head's closing `.`, `;`, `:` or `,` gives way to it.
 * An empty head or tail leaves the other as it is.
 */
export function joinSentences(head: string, tail: string, separator = '. '): string {
  const start = head.trimEnd();
  if (start === '') return tail;
  if (tail === '') return start;
  const mark = separator.trim();
  if (mark === '') return `${start}${separator}${tail}`;
  if (mark === '.' && /[.!?]$/.test(start)) return `${start}${separator.replace('.', '')}${tail}`;
  return `${start.replace(/(?<!\.)[.;:,]$/, '')}${separator}${tail}`;
}
