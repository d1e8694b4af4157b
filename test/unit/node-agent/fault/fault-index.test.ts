import { describe, expect, it } from "vitest";
import type { FaultPair } from "../../../../node-agent/fault/compiled-fault.js";
import { FaultIndex } from "../../../../node-agent/fault/fault-index.js";

const set = (...keys: string[]) => ({ any: false, portKeys: keys });
const ANY = { any: true, portKeys: [] };
const pair = (from: FaultPair["from"], to: FaultPair["to"], reverse = false): FaultPair => ({
  from,
  to,
  reverse,
});

describe("FaultIndex", () => {
  it("answers per (src, dst) with the pairs that matched, in fault order", () => {
    const idx = new FaultIndex([
      {
        fault: "web->db both",
        pairs: [pair(set("eni-web"), set("eni-db")), pair(set("eni-db"), set("eni-web"), true)],
      },
      { fault: "any->db", pairs: [pair(ANY, set("eni-db"))] },
      { fault: "web->*", pairs: [pair(set("eni-web"), ANY)] },
    ]);
    expect(idx.lookup("eni-web", "eni-db")).toEqual([
      { fault: "web->db both", forward: true, reverse: false },
      { fault: "any->db", forward: true, reverse: false },
      { fault: "web->*", forward: true, reverse: false },
    ]);
    expect(idx.lookup("eni-db", "eni-web")).toEqual([
      { fault: "web->db both", forward: false, reverse: true },
    ]);
    expect(idx.lookup("eni-x", "eni-db")).toEqual([
      { fault: "any->db", forward: true, reverse: false },
    ]);
    expect(idx.lookup("eni-x", "eni-y")).toBeUndefined();
    expect(idx.lookup("eni-web", "ext:internet")).toEqual([
      { fault: "web->*", forward: true, reverse: false },
    ]);
  });

  it("marks both directions when a `both` fault's sets overlap (forward and reverse pair match)", () => {
    const idx = new FaultIndex([{ fault: "f", pairs: [pair(ANY, ANY), pair(ANY, ANY, true)] }]);
    expect(idx.lookup("a", "b")).toEqual([{ fault: "f", forward: true, reverse: true }]);
  });

  it("computes a pair once and caches misses too", () => {
    const idx = new FaultIndex([{ fault: 1, pairs: [pair(set("a"), set("b"))] }]);
    const first = idx.lookup("a", "b");
    expect(idx.lookup("a", "b")).toBe(first);
    expect(idx.lookup("a", "c")).toBeUndefined();
    expect(idx.lookup("a", "c")).toBeUndefined();
    expect(idx.cachedPairs()).toBe(2);
  });

  it("with 1 000 faults on other pairs, a pair's answer holds only its own fault", () => {
    const faults = Array.from({ length: 1000 }, (_, i) => ({
      fault: i,
      pairs: [pair(set(`eni-s${i}`), set(`eni-d${i}`))],
    }));
    const idx = new FaultIndex(faults);
    expect(idx.lookup("eni-s500", "eni-d500")).toEqual([
      { fault: 500, forward: true, reverse: false },
    ]);
    expect(idx.lookup("eni-s500", "eni-d501")).toBeUndefined();
  });
});
