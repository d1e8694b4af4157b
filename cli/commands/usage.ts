/**
 * Shared argv handling for the CLI commands: strict node:util parseArgs (an unknown flag is a
 * usage error, exit 2) plus `--help`. Commands throw UsageError for wrong arguments; cli/main.ts
 * prints it and exits 2.
 */
import { parseArgs } from "node:util";

/** Wrong command-line arguments: cli/main.ts prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean; default?: string | boolean }
>;

/**
 * Parses `args` strictly against `options` (plus -h/--help). Returns `undefined` after printing
 * `usage` when help was asked for; throws UsageError on unknown flags or missing values.
 */
export function parseCommandArgs<O extends OptionSpec>(
  args: readonly string[],
  options: O,
  usage: string,
  allowPositionals = false,
):
  | { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }
  | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
  if ((parsed.values as Record<string, unknown>).help === true) {
    process.stdout.write(usage + "\n");
    return undefined;
  }
  return {
    values: parsed.values as Record<string, string | boolean | string[] | undefined>,
    positionals: parsed.positionals,
  };
}
