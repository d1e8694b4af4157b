import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  allowedBetween,
  scaleInstances,
  scaleTopologyYaml,
} from "../../../../cli/topology/scale-topology.js";
import { parseTopology } from "../../../../cli/topology/topology.js";

describe("scaleTopologyYaml", () => {
  it("writes a topology file that parses: 250 instances, 10 subnets, 5 groups referencing each other", () => {
    const t = parseTopology(scaleTopologyYaml({ instances: 250 }), "scale.yaml");
    expect(t.instances).toHaveLength(250);
    expect(t.subnets).toHaveLength(10);
    expect(t.securityGroups.map((g) => g.name)).toEqual(["g0", "g1", "g2", "g3", "g4"]);
    expect(t.warnings).toEqual([]);
    // Every group admits itself and the group before it in the ring (REF-1).
    const g2 = JSON.stringify(t.securityGroups[2]);
    expect(g2).toContain('"g2"');
    expect(g2).toContain('"g1"');
    expect(g2).not.toContain('"g3"');
  });

  it("is what examples/scale-250.yaml holds", () => {
    expect(readFileSync("examples/scale-250.yaml", "utf8")).toBe(
      scaleTopologyYaml({ instances: 250 }),
    );
  });

  it("spreads instances round robin with unique addresses inside their subnets", () => {
    const insts = scaleInstances({ instances: 1000, subnets: 10, groups: 5 });
    expect(new Set(insts.map((i) => i.privateIp)).size).toBe(1000);
    expect(insts[13]).toEqual({ name: "n13", subnet: 3, group: 3, privateIp: "10.0.4.11" });
    for (const i of insts) expect(i.privateIp.startsWith(`10.0.${i.subnet + 1}.`)).toBe(true);
  });

  it("allows a group's own members and the previous group's, nothing else", () => {
    expect(allowedBetween(0, 0)).toBe(true);
    expect(allowedBetween(0, 1)).toBe(true);
    expect(allowedBetween(4, 0)).toBe(true);
    expect(allowedBetween(1, 0)).toBe(false);
    expect(allowedBetween(0, 2)).toBe(false);
  });

  it("refuses sizes that do not fit", () => {
    expect(() => scaleInstances({ instances: 0 })).toThrow(/instances must be 1-2500/);
    expect(() => scaleInstances({ instances: 2500, subnets: 10 })).toThrow(/do not fit/);
  });
});
