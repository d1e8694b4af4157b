/**
 * The scenario runner (cli/chaos/experiment-run.ts) against a fake world, and its reports
 * (experiment-report.ts): JUnit parsed back as XML, the SVG checked well-formed.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { junitXml, timelineSvg, wrap } from "../../../cli/chaos/experiment-report.js";
import { percentile, runExperiment, type RunEnv } from "../../../cli/chaos/experiment-run.js";
import { parseExperiment } from "../../../cli/chaos/experiment-spec.js";
import type { FaultView } from "../../../cli/chaos/fault-api.js";

/** A world with one rule (web -> db) EC2 can revoke, faults that add latency, and alarms. */
class FakeWorld {
  ruleOpen = true;
  faults = new Map<string, FaultView>();
  removed: string[] = [];
  ec2Calls: string[] = [];
  alarms: [string, string][] = [];
  conntrackExceeded = 5;
  failStep = false;
  fis = new Map<string, { status: string; gets: number; reason?: string }>();
  fisTemplates = new Set<string>(["EXT1"]);
  fisCalls: string[] = [];
  baseMs = 2;
  fisCompletes = true;
  private n = 0;

  env(): RunEnv {
    return {
      now: () => Date.now(),
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          if (signal?.aborted) return resolve();
          const t = setTimeout(resolve, ms);
          signal?.addEventListener("abort", () => {
            clearTimeout(t);
            resolve();
          });
        }),
      startServers: async () => {},
      stopServers: async () => {},
      reach: async (p) => {
        if (p.to === "db" && !this.ruleOpen) return { ok: false, error: "timeout" };
        if (p.to === "nowhere") return { ok: false, error: "timeout" };
        const extra = [...this.faults.values()].reduce(
          (sum, f) => sum + (f.effects.delay?.latencyMs ?? 0),
          0,
        );
        return { ok: true, ms: this.baseMs + extra };
      },
      eniCounters: async () => ({ conntrackAllowanceExceeded: this.conntrackExceeded }),
      addFault: async (request) => {
        if (this.failStep) throw new Error("EMU_ERR_FAULT_SELECTOR: nothing matches sg:x");
        const id = `flt-${String(++this.n).padStart(17, "0")}`;
        const view = {
          faultId: id,
          state: "active",
          effects: request.effects,
          expiresAt: null,
          counters: { matched: 7, dropped: 0 },
        } as unknown as FaultView;
        this.faults.set(id, view);
        return view;
      },
      addPartition: async () => {
        throw new Error("not used");
      },
      getFault: async (id) => {
        const f = this.faults.get(id);
        if (!f) throw new Error(`no fault ${id}`);
        return f;
      },
      removeFault: async (id) => {
        this.faults.delete(id);
        this.removed.push(id);
      },
      ec2: async (action) => {
        this.ec2Calls.push(action);
        this.ruleOpen = action === "authorize-ingress";
        return action;
      },
      processFault: async (op, node) => `${op} ${node}`,
      fisStart: async (ref) => {
        let templateId = ref.template ?? "";
        if (ref.create) {
          templateId = `EXT${this.fisTemplates.size + 1}`;
          this.fisTemplates.add(templateId);
        }
        const id = `EXP${this.fis.size + 1}`;
        this.fis.set(id, { status: "running", gets: 0 });
        this.fisCalls.push(`start ${templateId}`);
        return {
          experiment: { id, state: { status: "running" } },
          templateId,
          created: ref.create !== undefined,
        };
      },
      fisGet: async (id) => {
        const e = this.fis.get(id)!;
        // Completes on the third look unless stopped.
        if (e.status === "running" && ++e.gets >= 3 && this.fisCompletes) e.status = "completed";
        return {
          id,
          state: { status: e.status as "running", ...(e.reason ? { reason: e.reason } : {}) },
        };
      },
      fisStop: async (id) => {
        const e = this.fis.get(id)!;
        e.status = "stopped";
        e.reason = "Experiment stopped by user.";
        this.fisCalls.push(`stop ${id}`);
        return { id, state: { status: "stopped", reason: e.reason } };
      },
      fisDeleteTemplate: async (id) => {
        this.fisTemplates.delete(id);
        this.fisCalls.push(`delete ${id}`);
      },
      setAlarm: async (name, state) => {
        this.alarms.push([name, state]);
        return true;
      },
      log: () => {},
    };
  }
}

const HEAD = `title: unit run
hypothesis:
  interval: 20ms
  settle: 0s
  probes:
    - name: web-to-db
      tcp: { from: web, to: db, port: 3306 }
      timeout: 100ms
      samples: 2
      latency: { p99: 50ms }
    - name: conntrack
      counter: { node: db, name: conntrack_allowance_exceeded, max: 0 }
`;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });

function junitCases(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as {
    testsuites: { failures: string; testsuite: { testcase: Record<string, unknown>[] } };
  };
  return { doc, cases: doc.testsuites.testsuite.testcase };
}

describe("vpcemu chaos run: the runner", () => {
  it("holds: samples in every phase, the fault added then removed, counters from the start, alarms OK", async () => {
    const world = new FakeWorld();
    const exp = parseExperiment(
      `${HEAD}method:
  - { name: slow, add: "--from sg:web-sg --to sg:db-sg --delay 10ms" }
  - wait: 150ms
  - remove: slow
`.replace(
        "method:",
        "    - name: matched\n      counter: { fault: slow, name: matched, max: 7 }\nmethod:",
      ),
      "unit.yaml",
    );
    const j = await runExperiment(exp, world.env());
    expect(j.outcome, j.reason).toBe("held");
    expect(j.verdicts.map((v) => `${v.probe}/${v.phase}/${v.ok}`)).toEqual([
      "web-to-db/before/true",
      "web-to-db/during/true",
      "web-to-db/after/true",
      "conntrack/before/true",
      "conntrack/during/true",
      "conntrack/after/true",
      "matched/before/true",
      "matched/during/true",
      "matched/after/true",
    ]);
    expect(j.samples.filter((s) => s.probe === "matched" && s.phase === "after")).toMatchObject([
      { value: 7 },
    ]);
    const during = j.samples.filter((s) => s.probe === "web-to-db" && s.phase === "during");
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(during.some((s) => s.ms === 12)).toBe(true);
    expect(j.samples.filter((s) => s.probe === "conntrack").every((s) => s.value === 0)).toBe(true);
    expect(j.faults).toHaveLength(1);
    expect(j.faults[0]!.counters).toMatchObject({ matched: 7 });
    expect(j.faults[0]!.endT).toBeGreaterThan(j.faults[0]!.addedT);
    expect(world.removed).toEqual([j.faults[0]!.faultId]);
    expect(world.faults.size).toBe(0);
    expect(j.steps.map((s) => s.ok)).toEqual([true, true, true]);
    expect(world.alarms).toEqual([
      ["web-to-db", "OK"],
      ["conntrack", "OK"],
      ["matched", "OK"],
    ]);
    const { cases, doc } = junitCases(junitXml(j));
    expect(doc.testsuites.failures).toBe("0");
    expect(cases.map((c) => c.name)).toEqual([
      "web-to-db (before)",
      "web-to-db (during)",
      "web-to-db (after)",
      "conntrack (before)",
      "conntrack (during)",
      "conntrack (after)",
      "matched (before)",
      "matched (during)",
      "matched (after)",
      "method",
      "rollback",
    ]);
    const svg = timelineSvg(j);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain("web-to-db");
  });

  it("fails: the revoked rule cuts web -> db, the stop condition ends the method, the rollback authorizes again", async () => {
    const world = new FakeWorld();
    const exp = parseExperiment(
      `${HEAD}method:
  - ec2: { action: revoke-ingress, group: db-sg, protocol: tcp, ports: 3306, sourceGroup: web-sg }
  - wait: 30s
stopConditions:
  - { probe: web-to-db, failures: 3 }
`,
      "unit.yaml",
    );
    const started = Date.now();
    const j = await runExperiment(exp, world.env());
    expect(Date.now() - started).toBeLessThan(10_000); // the 30 s wait was cut short
    expect(j.outcome).toBe("failed");
    expect(j.stoppedBy).toMatch(
      /^stop condition: probe 'web-to-db' failed 3 times \(limit 3\) at /,
    );
    expect(j.reason).toMatch(
      /^the hypothesis failed: probe 'web-to-db' during: 3 of 3 samples failed, first at \d{4}-\d\d-\d\dT[\d:.]+Z \(t\+[\d.]+s\): unreachable \(timeout\)/,
    );
    expect(world.ec2Calls).toEqual(["revoke-ingress", "authorize-ingress"]);
    expect(j.rollback).toMatchObject([
      { what: "ec2 authorize-ingress db-sg tcp/3306 web-sg", ok: true },
    ]);
    expect(j.verdicts.find((v) => v.phase === "after" && v.probe === "web-to-db")?.ok).toBe(true);
    expect(world.alarms).toContainEqual(["web-to-db", "ALARM"]);
    expect(world.alarms.at(-1)).toEqual(["web-to-db", "OK"]);

    const { cases, doc } = junitCases(junitXml(j));
    expect(doc.testsuites.failures).toBe("1");
    const failing = cases.filter((c) => c.failure !== undefined);
    expect(failing.map((c) => c.name)).toEqual(["web-to-db (during)"]);
    const failure = failing[0]!.failure as { message: string; "#text": string };
    expect(failure.message).toMatch(/^probe 'web-to-db' during: 3 of 3 samples failed, first at /);
    expect(failure["#text"]).toMatch(/FAIL no answer \(timeout\)/);
    expect(XMLValidator.validate(timelineSvg(j))).toBe(true);
  });

  it("a latency limit breaks the hypothesis (p99 over the limit)", async () => {
    const world = new FakeWorld();
    const exp = parseExperiment(
      `${HEAD}method:
  - add: --from sg:web-sg --to sg:db-sg --delay 100ms
  - wait: 100ms
`,
      "unit.yaml",
    );
    const j = await runExperiment(exp, world.env());
    expect(j.outcome).toBe("failed");
    expect(j.reason).toMatch(/probe 'web-to-db' during: latency p99 102 ms over the limit 50 ms/);
    expect(world.faults.size).toBe(0); // the rollback removed the fault the method left
    expect(j.rollback).toMatchObject([{ ok: true, what: expect.stringMatching(/^removed flt-/) }]);
  });

  it("Ctrl-C: the method stops, the rollback removes the fault, 'after' does not run", async () => {
    const world = new FakeWorld();
    const exp = parseExperiment(
      `${HEAD}method:
  - add: --from sg:web-sg --to sg:db-sg --delay 1ms
  - ec2: { action: authorize-ingress, group: db-sg, protocol: tcp, ports: 22, cidr: 10.0.0.0/8 }
  - wait: 60s
`,
      "unit.yaml",
    );
    const abort = new AbortController();
    // Ctrl-C while the method waits (its 60 s step), whenever the run gets there.
    const env = world.env();
    const sleep = env.sleep;
    env.sleep = (ms, signal) => {
      if (ms === 60_000) setImmediate(() => abort.abort());
      return sleep(ms, signal);
    };
    const j = await runExperiment(exp, env, abort.signal);
    expect(j.outcome).toBe("aborted");
    expect(j.reason).toMatch(/^interrupted at .* rolled back$/);
    expect(world.faults.size).toBe(0);
    expect(world.ec2Calls).toEqual(["authorize-ingress", "revoke-ingress"]);
    expect(j.verdicts.filter((v) => v.phase === "after").map((v) => v.ok)).toEqual([
      undefined,
      undefined,
    ]);
    const { cases } = junitCases(junitXml(j));
    expect(cases.filter((c) => c.skipped !== undefined).map((c) => c.name)).toEqual([
      "web-to-db (after)",
      "conntrack (after)",
    ]);
  });

  it("a failing 'before' skips the method (a gauge is read as it is)", async () => {
    const world = new FakeWorld();
    const exp = parseExperiment(
      `title: t
hypothesis:
  probes:
    - { name: gone, tcp: { from: web, to: nowhere, port: 1 }, samples: 1, timeout: 100ms }
    - { name: ct, counter: { node: db, name: conntrack_allowance_available, max: 4 } }
method:
  - add: --from sg:web-sg --to sg:db-sg --delay 1ms
`,
      "unit.yaml",
    );
    const j = await runExperiment(exp, world.env());
    expect(j.outcome).toBe("failed");
    expect(j.reason).toMatch(
      /^the steady state did not hold before the method: probe 'gone' before/,
    );
    expect(j.steps).toEqual([]);
    expect(world.faults.size).toBe(0);
    expect(j.verdicts.map((v) => `${v.probe}/${v.phase}/${v.ok}`)).toEqual([
      "gone/before/false",
      "gone/during/undefined",
      "gone/after/undefined",
      "ct/before/true",
      "ct/during/undefined",
      "ct/after/undefined",
    ]);
  });

  it("a step that fails ends the method as an error; what came before is rolled back", async () => {
    const world = new FakeWorld();
    const exp = parseExperiment(
      `${HEAD}method:
  - ec2: { action: authorize-ingress, group: db-sg, protocol: tcp, ports: 22, cidr: 10.0.0.0/8 }
  - add: --from sg:x --to sg:db-sg --delay 1ms
  - wait: 60s
`,
      "unit.yaml",
    );
    world.failStep = true;
    const j = await runExperiment(exp, world.env());
    expect(j.outcome).toBe("error");
    expect(j.reason).toMatch(
      /^step 2 \(fault sg:x -> sg:db-sg delay, line \d+\) failed at .*: EMU_ERR_FAULT_SELECTOR/,
    );
    expect(world.ec2Calls).toEqual(["authorize-ingress", "revoke-ingress"]);
    const { cases } = junitCases(junitXml(j));
    expect(cases.find((c) => c.name === "method")?.error).toBeDefined();
  });
});

describe("vpcemu chaos run: FIS steps", () => {
  it("a waited experiment ends before the next step; a created template is deleted after", async () => {
    const world = new FakeWorld();
    const exp = parseExperiment(
      `${HEAD}method:
  - fis:
      create:
        description: d
        roleArn: arn:aws:iam::123456789012:role/fis
        stopConditions: [{ source: none }]
        targets: { s: { resourceType: "aws:ec2:subnet", resourceTags: { Name: private }, selectionMode: ALL } }
        actions: { w: { actionId: "aws:fis:wait", parameters: { duration: PT1S } } }
  - wait: 50ms
`,
      "unit.yaml",
    );
    const j = await runExperiment(exp, world.env());
    expect(j.outcome, j.reason).toBe("held");
    expect(j.experiments).toMatchObject([
      { id: "EXP1", templateId: "EXT2", created: true, status: "completed" },
    ]);
    expect(j.steps[0]!.result).toBe("EXP1 completed");
    expect(j.steps[1]!.t).toBeGreaterThanOrEqual(j.experiments[0]!.endT!);
    expect(world.fisCalls).toEqual(["start EXT2", "delete EXT2"]);
    expect(world.fisTemplates.has("EXT2")).toBe(false);
    expect(XMLValidator.validate(timelineSvg(j))).toBe(true);
  });

  it("an experiment still running at the end (wait: false) is stopped by the rollback", async () => {
    const world = new FakeWorld();
    world.fisCompletes = false;
    const exp = parseExperiment(
      `${HEAD}method:
  - fis: { template: EXT1, wait: false }
  - wait: 50ms
`,
      "unit.yaml",
    );
    const j = await runExperiment(exp, world.env());
    expect(j.outcome, j.reason).toBe("held");
    expect(world.fisCalls).toEqual(["start EXT1", "stop EXP1"]);
    expect(world.fisTemplates.has("EXT1")).toBe(true); // not ours: kept
    expect(j.experiments[0]).toMatchObject({
      status: "stopped",
      reason: "Experiment stopped by user.",
    });
    expect(j.rollback).toMatchObject([{ what: "stopped FIS experiment EXP1 (stopped)", ok: true }]);
  });
});

describe("vpcemu chaos run: report helpers", () => {
  it("nearest-rank percentiles", () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
  });

  it("escapes names in XML and wraps labels at spaces", () => {
    const j = {
      title: `a <b> & "c"`,
      file: "x.yaml",
      startedAt: "2026-01-01T00:00:00.000Z",
      endedAt: "2026-01-01T00:00:01.000Z",
      durationMs: 1000,
      outcome: "failed" as const,
      reason: "probe 'p<1>' before: bad & worse",
      probes: [{ name: "p<1>", kind: "tcp", alarm: "p", description: "tcp a -> b:1 reachable" }],
      phases: { before: { startT: 0, endT: 500 } },
      samples: [
        {
          probe: "p<1>",
          phase: "before" as const,
          at: "2026-01-01T00:00:00.100Z",
          t: 100,
          ok: false,
          answered: false,
          error: "ECONNREFUSED",
        },
      ],
      steps: [],
      faults: [],
      experiments: [],
      rollback: [],
      verdicts: [
        {
          probe: "p<1>",
          phase: "before" as const,
          ok: false,
          samples: 1,
          failures: 1,
          message: "probe 'p<1>' before: bad & worse",
        },
      ],
      alarms: { available: true, set: 0, errors: [] },
      counterBaseline: {},
    };
    const { cases } = junitCases(junitXml(j));
    expect((cases[0]!.failure as { message: string }).message).toBe(
      "probe 'p<1>' before: bad & worse",
    );
    expect(XMLValidator.validate(timelineSvg(j))).toBe(true);
    expect(wrap("tcp internet -> web:80 reachable", 16)).toEqual([
      "tcp internet ->",
      "web:80 reachable",
    ]);
  });
});
