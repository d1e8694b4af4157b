import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  ExperimentError,
  parseExperiment,
  splitWords,
  type Experiment,
} from "../../../cli/chaos/experiment-spec.js";

const MINIMAL = `title: t
hypothesis:
  probes:
    - name: web-to-db
      tcp: { from: web, to: db, port: 3306 }
`;

function errorsOf(text: string): string[] {
  try {
    parseExperiment(text, "exp.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(ExperimentError);
    return (err as ExperimentError).message.split("\n");
  }
  throw new Error("expected the file to be refused");
}

describe("experiment file: parsing", () => {
  it("reads the examples shipped in examples/experiments", () => {
    const dir = join(
      dirname(fileURLToPath(import.meta.url)),
      "..",
      "..",
      "..",
      "examples",
      "experiments",
    );
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const exp = parseExperiment(readFileSync(join(dir, f), "utf8"), f);
      expect(exp.probes.length).toBeGreaterThan(0);
      expect(exp.steps.length).toBeGreaterThan(0);
    }
  });

  it("fills defaults: reachable, 2 s timeout, 3 samples, 1 s interval and settle, alarm = name", () => {
    const exp = parseExperiment(MINIMAL, "exp.yaml");
    expect(exp).toMatchObject<Partial<Experiment>>({
      title: "t",
      intervalMs: 1000,
      settleMs: 1000,
      servers: [],
      steps: [],
      stopConditions: [],
    });
    expect(exp.probes[0]).toMatchObject({
      kind: "reach",
      name: "web-to-db",
      alarm: "web-to-db",
      protocol: "tcp",
      from: "web",
      to: "db",
      port: 3306,
      expect: "reachable",
      timeoutMs: 2000,
      samples: 3,
    });
  });

  it("reads every probe kind, step kind and stop condition", () => {
    const exp = parseExperiment(
      `title: all of it
servers:
  - { node: web, http: 80 }
  - { node: db, udp: 5353 }
hypothesis:
  interval: 250ms
  settle: 0s
  probes:
    - { name: h, http: { from: internet, to: web, port: 80 }, latency: { p50: 20ms, p99: 100ms, max: 1s }, alarm: web-slow }
    - { name: u, udp: { from: web, to: 10.0.2.20, port: 5353 }, samples: 1 }
    - { name: i, icmp: { from: internet, to: db }, expect: unreachable, timeout: 1s }
    - { name: c, counter: { node: db, name: conntrack_allowance_exceeded, max: 0 } }
    - { name: d, counter: { node: db, name: drops.sg_ingress, min: 1 } }
    - { name: f, counter: { fault: slow, name: dropped, max: 10 } }
method:
  - { name: slow, add: "--from sg:web-sg --to sg:db-sg --delay 50ms --jitter 5ms --for 30s" }
  - { name: ct, conntrack: "--on instance:db --allowance 10" }
  - { name: cut, partition: "subnet:public subnet:private --one-way --for 5s" }
  - name: json
    faults:
      - { from: [sg:web-sg], to: [sg:db-sg], effects: { loss: { percent: 5 } } }
  - wait: 2s
  - remove: slow
  - ec2: { action: revoke-ingress, group: db-sg, protocol: tcp, ports: 3306, sourceGroup: web-sg, description: mysql }
  - ec2: { action: authorize-egress, group: sg-0123, protocol: all, cidr: 0.0.0.0/0 }
  - kill-agent: { node: db, for: 2s }
  - pause-agent: { node: web, for: 500ms }
  - restart-agent: { node: db }
  - fis: { template: "tag:Name=cut", wait: false }
stopConditions:
  - { probe: h, failures: 2 }
`,
      "exp.yaml",
    );
    expect(exp.intervalMs).toBe(250);
    expect(exp.settleMs).toBe(0);
    expect(exp.servers.map((s) => `${s.node}/${s.protocol}/${s.port}`)).toEqual([
      "web/http/80",
      "db/udp/5353",
    ]);
    expect(exp.probes[0]).toMatchObject({
      alarm: "web-slow",
      latency: { p50Ms: 20, p99Ms: 100, maxMs: 1000 },
    });
    expect(exp.probes[2]).toMatchObject({ protocol: "icmp", expect: "unreachable" });
    expect(exp.probes[5]).toMatchObject({
      kind: "counter",
      source: { fault: "slow" },
      counter: "dropped",
    });
    expect(exp.steps.map((s) => s.kind)).toEqual([
      "fault",
      "fault",
      "partition",
      "fault",
      "wait",
      "remove",
      "ec2",
      "ec2",
      "process",
      "process",
      "process",
      "fis",
    ]);
    expect(exp.steps[0]).toMatchObject({
      request: {
        from: ["sg:web-sg"],
        to: ["sg:db-sg"],
        effects: { delay: { latencyMs: 50, jitterMs: 5 } },
        durationMs: 30_000,
      },
    });
    expect(exp.steps[1]).toMatchObject({
      request: { from: ["instance:db"], effects: { conntrack: { allowance: 10 } } },
    });
    expect(exp.steps[2]).toMatchObject({
      request: { groups: [["subnet:public"], ["subnet:private"]], oneWay: true, durationMs: 5000 },
    });
    expect(exp.steps[3]).toMatchObject({ request: { effects: { loss: { percent: 5 } } } });
    expect(exp.steps[6]).toMatchObject({
      action: "revoke-ingress",
      rule: {
        group: "db-sg",
        protocol: "tcp",
        fromPort: 3306,
        toPort: 3306,
        sourceGroup: "web-sg",
        description: "mysql",
      },
    });
    expect(exp.steps[7]).toMatchObject({ rule: { protocol: "-1", cidr: "0.0.0.0/0" } });
    expect(exp.steps[8]).toMatchObject({ op: "kill-agent", node: "db", ms: 2000 });
    expect(exp.steps[9]).toMatchObject({ op: "pause-agent", node: "web", ms: 500 });
    expect(exp.steps[10]).toMatchObject({ op: "restart-agent", node: "db" });
    expect(exp.steps[11]).toMatchObject({ kind: "fis", template: "tag:Name=cut", wait: false });
    expect(exp.stopConditions).toMatchObject([{ probe: "h", failures: 2 }]);
  });
});

describe("experiment file: validation names the file, line and field", () => {
  it("YAML syntax errors", () => {
    expect(errorsOf("title: t\nhypothesis: [\n")[0]).toMatch(/^exp\.yaml:\d+: /);
  });

  it("missing title and hypothesis, unknown top-level field", () => {
    expect(errorsOf("nope: 1\n")).toEqual([
      "exp.yaml:1: nope: unknown field (expected one of: title, description, servers, hypothesis, method, stopConditions)",
      "exp.yaml:1: title: required field missing",
      "exp.yaml:1: hypothesis: required field missing",
    ]);
  });

  it("probe mistakes", () => {
    const errs = errorsOf(`title: t
hypothesis:
  interval: 5
  probes:
    - name: a
      tcp: { from: web, to: db }
      expect: up
    - name: b
      icmp: { from: web, to: db, port: 1 }
      timeout: 1500ms
    - name: c
      tcp: { from: web, to: db, port: 80 }
      http: { from: web, to: db, port: 80 }
    - name: a
      udp: { from: web, to: db, port: 99999 }
    - name: d
      counter: { node: db, name: nonsense }
    - name: e
      tcp: { from: web, to: db, port: 1 }
      expect: unreachable
      latency: { p99: 1s }
`);
    expect(errs).toEqual([
      "exp.yaml:3: hypothesis.interval: interval 5: a duration needs a unit: us, ms, s, m or h (e.g. 5ms)",
      "exp.yaml:6: hypothesis.probes[0].tcp.port: required field missing",
      "exp.yaml:7: hypothesis.probes[0].expect: expected 'reachable' or 'unreachable', got 'up'",
      "exp.yaml:9: hypothesis.probes[1].icmp.port: icmp has no port",
      "exp.yaml:10: hypothesis.probes[1].timeout: icmp waits whole seconds (ping -W): use 1s, 2s, ...",
      "exp.yaml:11: hypothesis.probes[2]: expected exactly one of tcp, http, udp, icmp, counter (got tcp, http)",
      "exp.yaml:14: hypothesis.probes[3]: duplicate probe name 'a' (first at line 5)",
      "exp.yaml:15: hypothesis.probes[3].udp.port: expected a port 1-65535, got '99999'",
      expect.stringMatching(
        /^exp\.yaml:17: hypothesis\.probes\[4\]\.counter\.name: unknown counter 'nonsense' \(use conntrack_allowance_exceeded, /,
      ),
      "exp.yaml:17: hypothesis.probes[4].counter: needs a limit: min, max or both",
      "exp.yaml:21: hypothesis.probes[5].latency: an unreachable probe has no latency to limit",
    ]);
  });

  it("step mistakes: flags, kinds, names, EC2 rules, process faults", () => {
    const errs = errorsOf(`${MINIMAL}method:
  - add: --from sg:web-sg --delay 50
  - add: --from sg:a --to sg:b --delay 5ms --bogus
  - wait: 2s
    remove: x
  - remove: later
  - name: later
    partition: sg:a
  - ec2: { action: revoke, group: db-sg, protocol: tcp, cidr: 10.0.0.0/8 }
  - ec2: { action: revoke-ingress, group: db-sg, protocol: icmp, ports: 80, cidr: 10.0.0.0/8, sourceGroup: web-sg }
  - pause-agent: { node: db }
  - fis: { template: nope }
  - fis: { create: { actions: {} } }
stopConditions:
  - { probe: nobody, failures: 0 }
  - { probe: nobody, failures: 1 }
`);
    expect(errs).toEqual([
      "exp.yaml:7: method[0].add: --to is required (e.g. --to sg:db-sg, or --to '*')",
      "exp.yaml:8: method[1].add: Unknown option '--bogus'",
      "exp.yaml:9: method[2]: expected exactly one of add, conntrack, partition, faults, wait, remove, ec2, fis, kill-agent, pause-agent, restart-agent (got wait, remove)",
      "exp.yaml:11: method[3]: remove: 'later' names no earlier fault or partition step",
      "exp.yaml:13: method[4].partition: a partition needs at least two groups, got 1 (e.g. sg:web-sg sg:db-sg)",
      "exp.yaml:14: method[5].ec2.action: unknown action 'revoke' (use authorize-ingress, revoke-ingress, authorize-egress, revoke-egress)",
      "exp.yaml:14: method[5].ec2.ports: required field missing (tcp and udp)",
      "exp.yaml:15: method[6].ec2.ports: ports need protocol tcp or udp",
      "exp.yaml:15: method[6].ec2: expected exactly one peer: cidr or sourceGroup",
      "exp.yaml:16: method[7].pause-agent.for: required field missing",
      "exp.yaml:17: method[8].fis.template: expected an experiment template id (EXT...) or tag:KEY=VALUE, got 'nope'",
      "exp.yaml:18: method[9].fis.create: targets: required (a mapping), as in CreateExperimentTemplate",
      "exp.yaml:20: stopConditions[0].failures: expected an integer in 1..1000000, got '0'",
      "exp.yaml:21: stopConditions[1]: probe: unknown probe 'nobody'",
    ]);
  });

  it("JSON fault bodies are checked like a topology file's faults", () => {
    const errs = errorsOf(`${MINIMAL}method:
  - faults:
      - { from: [sg:a], to: [sg:b], effects: { delay: { latencyMs: 70000 } } }
`);
    expect(errs).toEqual([
      "exp.yaml:8: method[0].faults[0].effects.delay.latencyMs: expected a number above 0 and at most 60000, got '70000'",
    ]);
  });

  it("splits flag strings as a shell would", () => {
    expect(splitWords(`--from sg:a --description 'two words' --to "x y"z`)).toEqual([
      "--from",
      "sg:a",
      "--description",
      "two words",
      "--to",
      "x yz",
    ]);
  });
});
