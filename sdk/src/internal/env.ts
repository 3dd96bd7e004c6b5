/**
 * Reads an environment variable without assuming Node: `process.env` when present (Node, Bun,
 * bundlers that shim it), `Deno.env` otherwise. Values are trimmed; empty means unset.
 */
export function readEnv(name: string): string | undefined {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get?: (key: string) => string | undefined } };
  };
  let value: string | undefined;
  try {
    value = g.process?.env?.[name] ?? g.Deno?.env?.get?.(name);
  } catch {
    // Deno without --allow-env throws; treat as unset.
    value = undefined;
  }
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
