/**
 * The one exception to STYLE.md §2 (controller/ and node-agent/ never import each other):
 * controller/explain/agent-judges.ts reaches the agent's matchers so explain cannot drift from
 * enforcement (what-if's judge, controller/whatif/, does the same). This keeps the exception
 * from growing: few controller files import node-agent/, and every node-agent module they
 * reach, transitively, is pure (no node: module, no Buffer, no clock, no randomness, no
 * timers).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => m[1]!);
}

/** Controller files importing node-agent/ (explain's agent-judges.ts; what-if's judge does too). */
function importers(): string[] {
  return tsFiles(join(ROOT, "controller")).filter((f) =>
    importsOf(f).some((i) => i.includes("node-agent/")),
  );
}

describe("the controller's imports of node-agent/ (STYLE.md §2 exception)", () => {
  it("come from explain's agent-judges.ts (and the few judges like it), not from everywhere", () => {
    const files = importers().map((f) => relative(ROOT, f));
    expect(files).toContain("controller/explain/agent-judges.ts");
    expect(files.length).toBeLessThanOrEqual(3);
  });

  it("reach only pure node-agent modules, transitively", () => {
    const seen = new Set<string>();
    const todo = importers();
    while (todo.length > 0) {
      const file = todo.pop()!;
      for (const i of importsOf(file)) {
        if (!i.startsWith(".")) continue;
        const target = resolve(dirname(file), i.replace(/\.js$/, ".ts"));
        if (!target.includes(`${join(ROOT, "node-agent")}`) || seen.has(target)) continue;
        seen.add(target);
        todo.push(target);
      }
    }
    expect(seen.size).toBeGreaterThan(0);
    for (const f of seen) {
      const text = readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      const name = relative(ROOT, f);
      expect(
        importsOf(f).filter((i) => !i.startsWith(".")),
        name,
      ).toEqual([]);
      expect(text, name).not.toMatch(/\bBuffer\b|Date\.now|Math\.random|setTimeout|setInterval/);
    }
  });
});
