import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTopology, TopologyError } from "../../../../cli/topology/topology.js";

// examples/two-tier.yaml (groups web-sg, db-sg; subnets public, private; instances web, db)
// followed by a faults: section.
const TWO_TIER = readFileSync("examples/two-tier.yaml", "utf8");
const LINES = TWO_TIER.split("\n").length;
const withFaults = (faults: string) => `${TWO_TIER}\nfaults:\n${faults}`;
/** Line number, in withFaults(), of the n-th line (1-based) of the faults text. */
const line = (n: number) => LINES + 1 + n;

function issuesOf(text: string): string[] {
  try {
    parseTopology(text, "t.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return (err as Error).message.split("\n");
  }
  throw new Error("expected a TopologyError");
}

describe("topology faults:", () => {
  it("is optional (no faults -> [])", () => {
    expect(parseTopology(TWO_TIER, "t.yaml").faults).toEqual([]);
  });

  it("reads faults and partitions in the JSON API's fields, names of the file allowed", () => {
    const t = parseTopology(
      withFaults(`  - name: slow-db
    from: sg:web-sg
    to: [instance:db]
    direction: both
    protocol: tcp
    ports: 3306
    effects:
      delay: { latencyMs: 100, jitterMs: 10, distribution: normal }
      loss: { percent: 1.5 }
    durationMs: 60000
    seed: 7
  - from: web
    to: "*"
    effects:
      loss: { gilbertElliott: { p: 5, r: 20 } }
      rate: { bitsPerSecond: 10000000 }
  - from: [subnet:private]
    effects:
      conntrack: { allowance: 2, flush: true, timeouts: { udp: 5 } }
  - groups: [[sg:web-sg], "subnet:private,node:internet"]
    oneWay: true
    startAfterMs: 5000
`),
      "t.yaml",
    );
    expect(t.faults.map((f) => [f.kind, f.name, f.request])).toEqual([
      [
        "fault",
        "slow-db",
        {
          from: ["sg:web-sg"],
          to: ["instance:db"],
          direction: "both",
          protocol: "tcp",
          ports: "3306",
          effects: {
            delay: { latencyMs: 100, jitterMs: 10, distribution: "normal" },
            loss: { percent: 1.5 },
          },
          durationMs: 60000,
          seed: 7,
          description: "slow-db",
        },
      ],
      [
        "fault",
        undefined,
        {
          from: ["web"],
          to: ["*"],
          direction: "one-way",
          effects: {
            loss: { gilbertElliott: { p: 5, r: 20 } },
            rate: { bitsPerSecond: 10_000_000 },
          },
        },
      ],
      [
        "fault",
        undefined,
        {
          from: ["subnet:private"],
          direction: "one-way",
          effects: { conntrack: { allowance: 2, flush: true, timeouts: { udp: 5 } } },
        },
      ],
      [
        "partition",
        undefined,
        {
          groups: [["sg:web-sg"], ["subnet:private", "node:internet"]],
          oneWay: true,
          startAfterMs: 5000,
        },
      ],
    ]);
    expect(t.faults[0]!.at.line).toBe(line(1));
  });

  it("names file, line and field of every bad value", () => {
    expect(
      issuesOf(
        withFaults(`  - from: sg:web-sg
    to: sg:nope
    effects:
      delay: { latencyMs: 70000 }
      loss: { percent: 120 }
      rate: { bitsPerSecond: 0 }
      teleport: true
  - from: instance:dbb
    to: 10.0.0.0/33
    protocol: sctpish
    effects: { blackhole: true, reject: true }
  - from: [web, "az:mars"]
    to: "*"
    effects: {}
`),
      ),
    ).toEqual([
      `t.yaml:${line(2)}: faults[0].to: unknown security group 'nope' (groups of this file: web-sg, db-sg)`,
      `t.yaml:${line(4)}: faults[0].effects.delay.latencyMs: expected a number above 0 and at most 60000, got '70000'`,
      `t.yaml:${line(5)}: faults[0].effects.loss.percent: expected a number above 0 and at most 100, got '120'`,
      `t.yaml:${line(6)}: faults[0].effects.rate.bitsPerSecond: expected an integer in 8..9007199254740991, got '0'`,
      `t.yaml:${line(7)}: faults[0].effects.teleport: unknown field (expected one of: delay, loss, duplicate, corrupt, reorder, rate, blackhole, reject, conntrack)`,
      `t.yaml:${line(8)}: faults[1].from: unknown instance 'dbb' (instances of this file: web, db)`,
      `t.yaml:${line(9)}: faults[1].to: malformed CIDR '10.0.0.0/33'`,
      `t.yaml:${line(10)}: faults[1].protocol: unknown protocol 'sctpish' (use tcp, udp, icmp, icmpv6, all or a number 0-255)`,
      `t.yaml:${line(11)}: faults[1].effects: blackhole and reject exclude each other (silent drop vs. RST/ICMP unreachable)`,
      `t.yaml:${line(12)}: faults[2].from[1]: 'mars' is not an availability zone name (e.g. us-east-1a)`,
      `t.yaml:${line(14)}: faults[2].effects: no effect: give at least one of delay, loss, duplicate, corrupt, reorder, rate, blackhole, reject, conntrack`,
    ]);
  });

  it("refuses an ambiguous bare name with the candidates, and unknown kinds", () => {
    // The instance db renamed web-sg: the bare name now fits a group and an instance.
    const text = TWO_TIER.replace("  - name: db\n", "  - name: web-sg\n");
    expect(
      issuesOf(
        `${text}\nfaults:\n  - from: web-sg\n    to: vpc:main\n    effects: { blackhole: true }\n`,
      ),
    ).toEqual([
      `t.yaml:${line(1)}: faults[0].from: 'web-sg' is ambiguous: write one of sg:web-sg, instance:web-sg`,
      `t.yaml:${line(2)}: faults[0].to: unknown selector kind 'vpc:' (use sg:, subnet:, instance:, az:, node: or tag:)`,
    ]);
  });

  it("needs `to` for packet effects, a delay for reorder, two groups for a partition", () => {
    expect(
      issuesOf(
        withFaults(`  - from: web
    effects: { loss: { percent: 5 } }
  - from: web
    to: db
    ports: 80
    effects: { reorder: { percent: 25 } }
  - groups: [[web]]
    mode: halves
`),
      ),
    ).toEqual([
      `t.yaml:${line(1)}: faults[0].to: required field missing`,
      `t.yaml:${line(5)}: faults[1].ports: ports need protocol tcp or udp`,
      `t.yaml:${line(6)}: faults[1].effects.reorder: reorder needs a delay (as in netem, reordered packets skip it)`,
      `t.yaml:${line(7)}: faults[2].groups: a partition needs at least two groups, got 1`,
      `t.yaml:${line(8)}: faults[2].mode: expected one of complete, majorities-ring, bridge, got 'halves'`,
    ]);
  });
});

describe("docs/topology.md faults example", () => {
  it("is valid against examples/two-tier.yaml", () => {
    const doc = readFileSync("docs/topology.md", "utf8");
    const block = /```yaml\n(faults:\n[\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const t = parseTopology(`${TWO_TIER}\n${block!}`, "t.yaml");
    expect(t.faults.map((f) => f.name ?? f.kind)).toEqual([
      "slow-db",
      "flaky-internet",
      "partition",
    ]);
  });
});
