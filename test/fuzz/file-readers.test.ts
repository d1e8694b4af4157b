/**
 * Fuzz tier, file readers (issue 14 items 4 and 6): the topology reader (cli/topology) and the
 * experiment reader (cli/chaos/experiment-spec.ts) on 500 mutants each (times
 * VPCEMU_FUZZ_SCALE) of the example files: nodes replaced by random scalars, lists, mappings
 * and Object.prototype names, as YAML text, plus byte-level mutants of the text. Each either
 * parses or throws its own error (TopologyError, ExperimentError) naming file:line; nothing
 * else escapes (a TypeError would be a crash of `vpcemu up` or `vpcemu chaos run`).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ExperimentError, parseExperiment } from "../../cli/chaos/experiment-spec.js";
import { parseTopology } from "../../cli/topology/topology.js";
import { TopologyError } from "../../cli/topology/yaml-reader.js";
import { Rng, fuzzCount, fuzzSeed, mutateBytes } from "./fuzz-random.js";
import { mutateJson } from "./services-fuzzer.js";

const SEED = fuzzSeed();
const COUNT = fuzzCount(500);
const example = (p: string) =>
  readFileSync(fileURLToPath(new URL(`../../examples/${p}`, import.meta.url)), "utf8");

function mutants(rng: Rng, texts: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = rng.pick(texts);
    if (rng.chance(0.25)) {
      out.push(new TextDecoder().decode(mutateBytes(rng, new TextEncoder().encode(text))));
      continue;
    }
    out.push(stringify(mutateJson(rng, parse(text))));
  }
  return out;
}

function runReader(
  texts: readonly string[],
  read: (text: string) => unknown,
  own: (err: unknown) => boolean,
): { parsed: number; refused: number; escaped: string[] } {
  let parsed = 0;
  let refused = 0;
  const escaped: string[] = [];
  for (const t of texts) {
    try {
      read(t);
      parsed++;
    } catch (err) {
      if (own(err)) refused++;
      else if (escaped.length < 10)
        escaped.push(
          `${(err as Error).stack?.split("\n").slice(0, 4).join(" | ")}\n---\n${t.slice(0, 600)}`,
        );
    }
  }
  return { parsed, refused, escaped };
}

describe("topology and experiment readers under mutated files", () => {
  it(`the topology reader parses or answers TopologyError for ${COUNT} mutants`, () => {
    const rng = new Rng(SEED);
    console.log(`fuzz readers: VPCEMU_FUZZ_SEED=${SEED} files=${COUNT} x 2`);
    const r = runReader(
      mutants(rng, [example("two-tier.yaml")], COUNT),
      (t) => parseTopology(t, "t.yaml"),
      (e) => e instanceof TopologyError,
    );
    console.log(`fuzz readers: topology ${r.parsed} parsed, ${r.refused} refused`);
    expect(r.escaped, `VPCEMU_FUZZ_SEED=${SEED}`).toEqual([]);
  });

  it(`the experiment reader parses or answers ExperimentError for ${COUNT} mutants`, () => {
    const rng = new Rng(SEED).fork(1);
    const r = runReader(
      mutants(
        rng,
        ["db-rule-revoked.yaml", "fis-private-outage.yaml", "slow-database.yaml"].map((f) =>
          example(`experiments/${f}`),
        ),
        COUNT,
      ),
      (t) => parseExperiment(t, "e.yaml"),
      (e) => e instanceof ExperimentError,
    );
    console.log(`fuzz readers: experiments ${r.parsed} parsed, ${r.refused} refused`);
    expect(r.escaped, `VPCEMU_FUZZ_SEED=${SEED}`).toEqual([]);
  });
});
