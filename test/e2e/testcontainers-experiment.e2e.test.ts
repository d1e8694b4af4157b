/**
 * `emulator.runExperiment(...)` on real Docker: scenario runs (docs/experiments.md) with attached
 * app containers as the nodes, through the package's own `vpcemu chaos run --nodes`. A blackhole
 * web -> db breaks a hypothesis that needs db reachable: the run says failed, its JUnit names the
 * probe, the fault is rolled back; the same probe without a fault holds.
 *
 *   underlay: internal network owned by the emulator
 *   controller     web 10.0.1.10 (web-sg)  ---->  db 10.0.1.20 (db-sg: tcp 3306, 8080, udp 5353,
 *                                                                  icmp from web-sg)
 *                  each run: a probe container in web's and db's network namespace
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
} from "@aws-sdk/client-ec2";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { GenericContainer, type StartedTestContainer } from "testcontainers";
import { afterAll, describe, expect, it } from "vitest";
import {
  VpcEmulatorContainer,
  VpcEmulatorExperimentError,
  VPCEMU_LABEL,
  type AttachedInstance,
  type StartedVpcEmulatorContainer,
} from "../../testcontainers/index.js";
import {
  assertDockerPrerequisites,
  docker,
  E2E_IMAGE,
  setupOrFailEach,
} from "./docker-prerequisites.js";

/** A blackhole web-sg -> db-sg while web must reach db:3306: the hypothesis fails. */
const BLACKHOLE = `
title: web survives a db blackhole
servers:
  - { node: db, tcp: 3306 }
hypothesis:
  interval: 300ms
  settle: 200ms
  probes:
    - name: web-to-db
      tcp: { from: web, to: db, port: 3306 }
      timeout: 1s
      samples: 1
method:
  - name: cut
    add: --from sg:web-sg --to sg:db-sg --blackhole --description exp-cut
  - wait: 10s
stopConditions:
  - { probe: web-to-db, failures: 1 }
`;

interface JUnitCase {
  name: string;
  failure?: { message: string };
  skipped?: unknown;
}

function junitCases(path: string): JUnitCase[] {
  const xml = readFileSync(path, "utf8");
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as {
    testsuites: { testsuite: { testcase: JUnitCase | JUnitCase[] } };
  };
  const tc = doc.testsuites.testsuite.testcase;
  return Array.isArray(tc) ? tc : [tc];
}

describe("StartedVpcEmulatorContainer.runExperiment", { timeout: 90_000 }, () => {
  let emu: StartedVpcEmulatorContainer;
  let web: AttachedInstance;
  let db: AttachedInstance;
  let dbApp: StartedTestContainer;
  const apps: StartedTestContainer[] = [];
  const out = mkdtempSync(join(tmpdir(), "vpcemu-tc-exp-"));

  setupOrFailEach(async () => {
    assertDockerPrerequisites();
    emu = await new VpcEmulatorContainer(E2E_IMAGE).start();
    const ec2 = emu.getEc2Client();
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    const subnetId = (
      await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))
    ).Subnet!.SubnetId!;
    const group = async (name: string) =>
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
        )
      ).GroupId!;
    const webSg = await group("web-sg");
    const dbSg = await group("db-sg");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: dbSg,
        IpPermissions: [
          ...[
            ["tcp", 3306],
            ["tcp", 8080],
            ["udp", 5353],
            ["icmp", -1],
          ].map(([proto, port]) => ({
            IpProtocol: proto as string,
            FromPort: port as number,
            ToPort: port as number,
            UserIdGroupPairs: [{ GroupId: webSg }],
          })),
        ],
      }),
    );
    const app = () =>
      new GenericContainer(E2E_IMAGE)
        .withPullPolicy({ shouldPull: () => false })
        .withEntrypoint(["sleep", "infinity"])
        .withNetwork(emu.getNetwork())
        .start();
    const [webApp, dbContainer] = await Promise.all([app(), app()]);
    apps.push(webApp, dbContainer);
    dbApp = dbContainer;
    [web, db] = await Promise.all([
      emu.attach(webApp, {
        subnet: subnetId,
        securityGroups: ["web-sg"],
        privateIp: "10.0.1.10",
        name: "web",
      }),
      emu.attach(dbContainer, {
        subnet: subnetId,
        securityGroups: [dbSg],
        privateIp: "10.0.1.20",
        name: "db",
      }),
    ]);
    await emu.waitForPolicy();
  }, 180_000);

  afterAll(async () => {
    // Why apps first: the emulator removes its underlay network on stop, which Docker refuses
    // while app containers are still attached (the network then leaked and later runs ran out
    // of 172.x ranges, taking the compose docs' 172.29.71.0/24).
    await Promise.allSettled(apps.map((c) => c.stop({ timeout: 1_000 })));
    const network = emu?.getNetwork().getName();
    await emu?.stop({ timeout: 2_000 });
    if (network) {
      expect(docker(["network", "ls", "-q", "--filter", `name=^${network}$`]).trim()).toBe("");
    }
    rmSync(out, { recursive: true, force: true });
  }, 120_000);

  it("reports a failed hypothesis naming the probe in JUnit, and rolls the fault back", async () => {
    const run = await emu.runExperiment(BLACKHOLE, { outDir: join(out, "blackhole") });

    expect(run.outcome).toBe("failed");
    expect(run.passed).toBe(false);
    expect(run.exitCode).toBe(1);
    expect(run.reason).toMatch(/^the hypothesis failed: probe 'web-to-db' during: /);
    expect(run.failures.map((v) => `${v.probe} (${v.phase})`)).toEqual(["web-to-db (during)"]);
    expect(run.failures[0]!.firstFailureAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(run.journal.stoppedBy).toMatch(/stop condition: probe 'web-to-db' failed 1 times/);
    // The steady state held before the fault and again after the rollback.
    const ok = (phase: string) =>
      run.journal.verdicts.find((v) => v.probe === "web-to-db" && v.phase === phase)?.ok;
    expect([ok("before"), ok("after")]).toEqual([true, true]);

    const cases = junitCases(run.reports.junit);
    const failing = cases.filter((c) => c.failure !== undefined).map((c) => c.name);
    expect(failing).toEqual(["web-to-db (during)"]);
    expect(cases.find((c) => c.name === "web-to-db (during)")!.failure!.message).toContain(
      "probe 'web-to-db' during",
    );
    expect(XMLValidator.validate(readFileSync(run.reports.svg, "utf8"))).toBe(true);

    // Rolled back: the fault the run added is gone, and so are the run's probe containers.
    const faultId = run.journal.faults[0]!.faultId;
    expect(run.journal.rollback).toContainEqual(
      expect.objectContaining({ what: `removed ${faultId}`, ok: true }),
    );
    expect(await emu.faults.list()).toEqual([]);
    expect(docker(["ps", "-aq", "--filter", `label=${VPCEMU_LABEL}=probe`]).trim()).toBe("");
  });

  it("passes a hypothesis that holds (tcp, udp, http, icmp, counter probes; an EC2 rule change rolled back; nodes given as an instance and a container; object form)", async () => {
    const run = await emu.runExperiment(
      {
        title: "frontend reaches the database",
        servers: [
          { node: "database", tcp: 3306 },
          { node: "db", udp: 5353 },
          { node: "db", http: 8080 },
        ],
        hypothesis: {
          interval: "300ms",
          settle: "100ms",
          probes: [
            {
              name: "frontend-to-database",
              tcp: { from: "frontend", to: "database", port: 3306 },
              timeout: "2s",
              samples: 2,
            },
            { name: "web-to-db-udp", udp: { from: "web", to: "db", port: 5353 }, samples: 1 },
            { name: "web-to-db-http", http: { from: "web", to: "db", port: 8080 }, samples: 1 },
            { name: "ping-db", icmp: { from: "web", to: "10.0.1.20" }, samples: 1 },
            // db's ENI counters through its agent id (grown since the run started).
            {
              name: "db-conntrack",
              counter: { node: "db", name: "conntrack_allowance_exceeded", max: 0 },
            },
            // web-sg admits nothing: db -> web is expected to stay closed.
            {
              name: "db-to-web-closed",
              tcp: { from: "db", to: "web", port: 3306 },
              expect: "unreachable",
              timeout: "500ms",
              samples: 1,
            },
          ],
        },
        method: [
          // An EC2 rule change through the emulator's API; the rollback revokes it again.
          {
            ec2: {
              action: "authorize-ingress",
              group: "web-sg",
              protocol: "tcp",
              ports: "9999",
              cidr: "10.0.0.0/8",
              description: "exp",
            },
          },
          { wait: "600ms" },
        ],
      },
      { nodes: { frontend: web, database: dbApp }, outDir: join(out, "holds") },
    );

    expect(run.reason).toBeUndefined();
    expect(run.outcome).toBe("held");
    expect(run.passed).toBe(true);
    expect(run.exitCode).toBe(0);
    expect(run.failures).toEqual([]);
    expect(run.output).toContain("hypothesis held");
    const cases = junitCases(run.reports.junit);
    expect(cases.filter((c) => c.failure !== undefined)).toEqual([]);
    expect(cases.map((c) => c.name)).toContain("frontend-to-database (after)");
    expect(run.journal.steps.map((st) => [st.kind, st.ok])).toEqual([
      ["ec2", true],
      ["wait", true],
    ]);
    const webSg = await emu.getEc2Client().send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: "group-name", Values: ["web-sg"] }],
      }),
    );
    expect(webSg.SecurityGroups?.[0]?.IpPermissions ?? []).toEqual([]);
  });

  it("kills and restarts db's agent sidecar as process steps: web -> db fails only while it is down", async () => {
    const run = await emu.runExperiment(
      `
title: db's agent dies and comes back
servers:
  - { node: db, tcp: 3306 }
hypothesis:
  interval: 300ms
  settle: 100ms
  probes:
    - name: web-to-db
      tcp: { from: web, to: db, port: 3306 }
      timeout: 1s
      samples: 1
method:
  - kill-agent: { node: db, for: 60s }
  - wait: 1s
  - restart-agent: { node: db }
`,
      { outDir: join(out, "kill") },
    );

    expect(run.outcome).toBe("failed");
    expect(run.journal.steps.map((st) => [st.kind, st.ok])).toEqual([
      ["kill-agent", true],
      ["wait", true],
      ["restart-agent", true],
    ]);
    const verdict = (phase: string) =>
      run.journal.verdicts.find((v) => v.probe === "web-to-db" && v.phase === phase)?.ok;
    expect([verdict("before"), verdict("during"), verdict("after")]).toEqual([true, false, true]);
    // The sidecar runs again (restart-agent waited until its agent enforced the policy).
    expect(docker(["inspect", "-f", "{{.State.Running}}", db.agent.getId()]).trim()).toBe("true");
  });

  it("is interrupted by its abort signal like Ctrl-C: rolled back, aborted, exit 130", async () => {
    const abort = new AbortController();
    const run = await emu.runExperiment(
      BLACKHOLE.replace("wait: 10s", "wait: 120s").replace(/stopConditions:[\s\S]*$/, ""),
      {
        outDir: join(out, "abort"),
        signal: abort.signal,
        log: (line) => {
          if (line.includes("step 2: wait")) abort.abort();
        },
      },
    );
    expect(run.outcome).toBe("aborted");
    expect(run.exitCode).toBe(130);
    expect(run.journal.rollback).toContainEqual(
      expect.objectContaining({ what: `removed ${run.journal.faults[0]!.faultId}`, ok: true }),
    );
    expect(await emu.faults.list()).toEqual([]);
  });

  it("pauses db's agent sidecar as a step and unpauses it when the run ends before its 'for'", async () => {
    const run = await emu.runExperiment(
      BLACKHOLE.replace(
        /method:[\s\S]*$/,
        "method:\n  - pause-agent: { node: db, for: 120s }\n  - wait: 1s\n",
      ),
      { outDir: join(out, "pause") },
    );
    expect(run.journal.steps.map((st) => [st.kind, st.ok])).toEqual([
      ["pause-agent", true],
      ["wait", true],
    ]);
    const verdict = (phase: string) =>
      run.journal.verdicts.find((v) => v.probe === "web-to-db" && v.phase === phase)?.ok;
    expect(verdict("during")).toBe(false);
    const state = docker([
      "inspect",
      "-f",
      "{{.State.Running}} {{.State.Paused}}",
      db.agent.getId(),
    ]);
    expect(state.trim()).toBe("true false");
  });

  it("vpcemu chaos run --nodes names a container that is gone, and runs nothing (exit 1)", () => {
    const exp = join(out, "gone.yaml");
    const nodes = join(out, "gone-nodes.json");
    writeFileSync(exp, BLACKHOLE);
    writeFileSync(
      nodes,
      JSON.stringify({
        nodes: {
          web: { container: "vpcemu-exp-test-no-such-container", address: "10.0.1.10" },
          db: { container: dbApp.getId(), address: "10.0.1.20" },
        },
      }),
    );
    const bin = fileURLToPath(new URL("../../bin/vpcemu.js", import.meta.url));
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "chaos",
        "run",
        exp,
        "--nodes",
        nodes,
        "--endpoint",
        emu.getApiUrl(),
        "--out",
        join(out, "gone"),
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "node 'web': container vpcemu-exp-test-no-such-container is gone (no such container)",
    );
  });

  it("refuses an experiment naming a node it does not have, before anything runs", async () => {
    const text = BLACKHOLE.replace("from: web,", "from: nosuch,");
    const err = await emu
      .runExperiment(text, { outDir: join(out, "unknown") })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VpcEmulatorExperimentError);
    expect(err).toMatchObject({ exitCode: 2 });
    expect((err as Error).message).toMatch(
      /unknown node 'nosuch' \(.*nodes\.json has: (web, db|db, web)\)/,
    );
  });
});
