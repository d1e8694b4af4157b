/**
 * Code blocks of a Markdown doc and the marker that precedes each one:
 *
 *   <!-- example: NAME -->        run as written; blocks sharing NAME are parts of one program
 *   <!-- not run: REASON -->      shown to the reader only, and says why
 *
 * A fenced block of a language the docs test runs (ts, sh) without one of these markers is an
 * error, so a snippet nobody runs is always explicit.
 */

/** What the line before a fenced block says about it. */
export type DocBlockMarker =
  | { readonly kind: "example"; readonly name: string }
  | { readonly kind: "not-run"; readonly reason: string };

export interface DocBlock {
  /** The fence's info string (`ts`, `sh`, "" for none). */
  readonly lang: string;
  /** The block's text, fences excluded, ending in a newline. */
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly marker: DocBlockMarker | undefined;
}

const FENCE = /^```(\S*)\s*$/;
const EXAMPLE = /^<!--\s*example:\s*([\w-]+)\s*-->$/;
const NOT_RUN = /^<!--\s*not run:\s*(.+?)\s*-->$/;

/** Every fenced block of `markdown`, with the marker on the nearest non-blank line above it. */
export function extractDocBlocks(markdown: string): DocBlock[] {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`unclosed code fence at line ${start + 1}`);
    let above = start - 1;
    while (above >= 0 && lines[above]!.trim() === "") above--;
    const prev = above >= 0 ? lines[above]!.trim() : "";
    const example = EXAMPLE.exec(prev);
    const notRun = NOT_RUN.exec(prev);
    blocks.push({
      lang: open[1] ?? "",
      code: body.join("\n") + "\n",
      line: start + 1,
      marker: example
        ? { kind: "example", name: example[1]! }
        : notRun
          ? { kind: "not-run", reason: notRun[1]! }
          : undefined,
    });
  }
  return blocks;
}

/** Blocks of `langs` that carry neither marker, as "line N (lang)" for an error message. */
export function unmarkedBlocks(blocks: readonly DocBlock[], langs: readonly string[]): string[] {
  return blocks
    .filter((b) => langs.includes(b.lang) && b.marker === undefined)
    .map((b) => `line ${b.line} (${b.lang})`);
}

/** The examples of one language, in document order: name -> its parts joined. */
export function examplesOf(blocks: readonly DocBlock[], lang: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of blocks) {
    if (b.lang !== lang || b.marker?.kind !== "example") continue;
    const name = b.marker.name;
    out.set(name, (out.get(name) ?? "") + (out.has(name) ? "\n" : "") + b.code);
  }
  return out;
}

/**
 * The commands of a shell block as a user types them: comment-only and blank lines dropped,
 * backslash-continued lines joined (the text of each command stays verbatim).
 */
export function shellCommands(code: string): string[] {
  const commands: string[] = [];
  let pending = "";
  for (const raw of code.split("\n")) {
    if (pending === "" && (raw.trim() === "" || raw.trim().startsWith("#"))) continue;
    pending += (pending ? "\n" : "") + raw;
    if (!raw.endsWith("\\")) {
      commands.push(pending);
      pending = "";
    }
  }
  if (pending) commands.push(pending);
  return commands;
}

/** One row of a recipe table: its name, the one command, and what the reader should see. */
export interface DocRecipe {
  readonly name: string;
  readonly command: string;
  readonly expect: string;
  /** 1-based line of the row. */
  readonly line: number;
}

const RECIPES = /^<!--\s*recipes:\s*([\w-]+)\s*-->$/;

/**
 * The rows of the table marked `<!-- recipes: NAME -->` (the nearest table below the marker):
 * `| recipe | \`command\` | what you see |`. The command is the first cell's backquoted text,
 * verbatim; a row without exactly one backquoted command is an error.
 */
export function extractRecipes(markdown: string, name: string): DocRecipe[] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => RECIPES.exec(l.trim())?.[1] === name);
  if (start < 0) throw new Error(`no <!-- recipes: ${name} --> marker`);
  let i = start + 1;
  while (i < lines.length && !lines[i]!.startsWith("|")) i++;
  const recipes: DocRecipe[] = [];
  // Header and separator rows first.
  for (i += 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
    const cells = lines[i]!.split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    const command = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
    if (cells.length !== 3 || command === undefined) {
      throw new Error(`line ${i + 1}: a recipe row needs | name | \`command\` | what you see |`);
    }
    recipes.push({ name: cells[0]!, command, expect: cells[2]!, line: i + 1 });
  }
  return recipes;
}
