// Which command a command line names, as oclif finds it with `topicSeparator: ' '` (@oclif/core
// lib/help/util.js normalizeArgv / collateSpacedCmdIDFromArgs): leading words are joined while
// they spell a command or topic id; a flag, a `k=v` word or a command that takes arguments ends it.

/**
 * The id and the rest of the command line, or undefined where oclif would not run a command
 * directly from these words (no words, a `topic:command` spelling, an id that is no command).
 */
export function resolveCommandId(argv: readonly string[], commandIds: readonly string[], hasArgs: (id: string) => boolean): { id: string; argv: string[] } | undefined {
  const first = argv[0];
  if (first === undefined || first.includes(':')) return undefined;
  const usable = new Set(commandIds.flatMap((id) => id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(':'))));
  let id = first;
  if (argv.length > 1) {
    const words: string[] = [];
    const joined = (word?: string) => (word ? [...words, word] : words).filter(Boolean).join(':');
    for (const word of argv) {
      if (usable.has(joined(word))) words.push(word);
      else if (word.includes('=') || word.startsWith('-') || (joined() !== '' && commandIds.includes(joined()) && hasArgs(joined()))) break;
      else words.push(word);
    }
    id = joined();
  }
  if (!commandIds.includes(id)) return undefined;
  return { id, argv: argv.slice(id.split(':').length) };
}
