import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  VpcEmulatorExperimentError,
  writeExperiment,
} from "../../../testcontainers/experiments.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-tc-exp-unit-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("writeExperiment", () => {
  it("passes a file path as it is", () => {
    const file = join(dir, "exp.yaml");
    writeFileSync(file, "title: t\n");
    expect(writeExperiment(file, dir)).toBe(file);
  });

  it("writes YAML text to experiment.yaml in the output directory", () => {
    const file = writeExperiment("title: t\nhypothesis: {}\n", dir);
    expect(file).toBe(join(dir, "experiment.yaml"));
    expect(readFileSync(file, "utf8")).toBe("title: t\nhypothesis: {}\n");
  });

  it("writes an object as YAML with the same structure", () => {
    const exp = { title: "t", method: [{ wait: "1s" }], hypothesis: { probes: [] } };
    expect(parse(readFileSync(writeExperiment(exp, dir), "utf8"))).toEqual(exp);
  });

  it("names a path that does not exist (exit code 2, as an invalid file)", () => {
    expect(() => writeExperiment(join(dir, "nope.yaml"), dir)).toThrow(VpcEmulatorExperimentError);
    expect(() => writeExperiment(join(dir, "nope.yaml"), dir)).toThrow(
      `experiment file ${join(dir, "nope.yaml")} does not exist`,
    );
  });
});
