// What an unknown command line was probably meant to be: "did you mean" suggestions (like gh's and
// git's) and, when the words start with a real command, the extra word it does not take.

/** Edits between two words, a swap of neighbours counting as one (`apsi` -> `apis`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** How far a typed word may be from a real one: 1 edit for short words, 2 from 5 letters. */
function closeEnough(typed: string, known: string): number | undefined {
  const lower = typed.toLowerCase();
  if (lower === known) return 0;
  const distance = editDistance(lower, known);
  const allowed = Math.min(typed.length, known.length) >= 5 ? 2 : 1;
  if (distance <= allowed) return distance;
  // A prefix of a longer name (`cat` for `categories`), as cobra suggests.
  if (lower.length >= 3 && known.startsWith(lower)) return allowed;
  return undefined;
}

export interface CommandLineGuess {
  /** A real command the words start with, and the first word after it it does not take. */
  unexpected?: { command: string; argument: string };
  /** Commands or topics (space-separated words) the words were probably meant to name, best first. */
  suggestions: string[];
}

/**
 * `words` are the command words oclif could not match (`["apsi"]`, `["balance", "extra"]`);
 * `commands` and `topics` are oclif's ids (`receipts:keys:show`), visible ones only.
 * `commandsWithArgs` are the ids that take positional arguments (their extra words are arguments).
 */
export function guessCommandLine(words: readonly string[], commands: readonly string[], topics: readonly string[], commandsWithArgs: ReadonlySet<string> = new Set()): CommandLineGuess {
  const commandSet = new Set(commands);
  // The longest run of leading words that is a command: what follows is an argument it does not take.
  for (let n = words.length - 1; n >= 1; n--) {
    const id = words.slice(0, n).join(':');
    if (commandSet.has(id) && !commandsWithArgs.has(id)) return { unexpected: { command: words.slice(0, n).join(' '), argument: words[n]! }, suggestions: [] };
  }
  const scored: Array<{ name: string; distance: number; depth: number }> = [];
  for (const id of new Set([...commands, ...topics])) {
    const parts = id.split(':');
    // A name is compared word by word with as many typed words; each word must be close.
    if (parts.length > words.length) continue;
    let distance = 0;
    for (let i = 0; i < parts.length && distance !== Infinity; i++) {
      const d = closeEnough(words[i]!, parts[i]!);
      distance = d === undefined ? Infinity : distance + d;
    }
    if (distance === Infinity || distance === 0) continue;
    scored.push({ name: parts.join(' '), distance, depth: parts.length });
  }
  // The most words matched first (`receipts verify` over `receipts`), then the fewest edits.
  scored.sort((a, b) => b.depth - a.depth || a.distance - b.distance || a.name.localeCompare(b.name));
  const best = scored[0];
  if (!best) return { suggestions: [] };
  return { suggestions: scored.filter((s) => s.depth === best.depth && s.distance === best.distance).map((s) => s.name).slice(0, 3) };
}

/** The known names closest to a typed one (`limt` -> `limit`), best first, at most three; none when nothing is close. */
export function closestNames(typed: string, known: readonly string[]): string[] {
  const scored = known.flatMap((name) => {
    const distance = closeEnough(typed, name);
    return distance === undefined || distance === 0 ? [] : [{ name, distance }];
  });
  const best = Math.min(...scored.map((s) => s.distance));
  return scored.filter((s) => s.distance === best).map((s) => s.name).sort().slice(0, 3);
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`, each prefixed with the binary. */
export function quoteAlternatives(bin: string, names: readonly string[]): string {
  const quoted = names.map((n) => `"${bin} ${n}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** The action of an extra word after a command that takes none, whichever way it was found. */
export function takesNoArguments(bin: string, command: string): string {
  return `"${bin} ${command}" takes no arguments; see "${bin} ${command} --help"`;
}
