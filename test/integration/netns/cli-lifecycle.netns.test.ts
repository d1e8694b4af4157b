/**
 * `vpcemu up` / `exec` / `conntrack` / `down` as a user runs them: separate processes, real
 * namespaces, real TUN devices, real sockets. Needs root, /dev/net/tun and iproute2 (fails
 * naming what is missing, never skips).
 *
 *   internet 198.51.100.10 ---> web 10.0.1.10 at its public IP, through the internet gateway
 *                               (web-sg: 80, 443 from 0.0.0.0/0; IGW-5, RT-17)
 *                               web ---> db 10.0.2.20 (db-sg: 3306 from web-sg)
 *   (examples/two-tier.yaml; namespaces vpcemu-tcli<pid>-*; runtime dir in /tmp)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeInstancesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listNamespaces } from "../../../cli/runtime/netns.js";
import { PROBE_SCRIPT, TWO_TIER_EXAMPLE, VPCEMU_BIN } from "../../../cli/runtime/paths.js";
import { readRuntimeState, type RuntimeState } from "../../../cli/runtime/runtime-state.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-cli-test-"));
const PREFIX = `vpcemu-tcli${process.pid}-`;
let hostTunsBefore: string[] = [];

/** TUN devices in the host namespace (agents create theirs here before moving them). */
function hostTuns(): string[] {
  return spawnSync("ip", ["-o", "link", "show", "type", "tun"], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}
let up: ChildProcess | undefined;
let upOutput = "";
let state: RuntimeState | undefined;

/** Runs `vpcemu ARGS` to completion with the test's runtime directory. */
function vpcemu(
  args: string[],
  timeoutMs = 20_000,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [VPCEMU_BIN, ...args], {
    env: { ...process.env, VPCEMU_RUNTIME_DIR: dir },
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  requireNetnsPrerequisites();
  hostTunsBefore = hostTuns();
  up = spawn(
    process.execPath,
    [
      VPCEMU_BIN,
      "up",
      "-f",
      TWO_TIER_EXAMPLE,
      "--listen",
      "127.0.0.1:0",
      "--namespace-prefix",
      PREFIX,
    ],
    {
      env: { ...process.env, VPCEMU_RUNTIME_DIR: dir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  up.stdout!.setEncoding("utf8").on("data", (d: string) => (upOutput += d));
  up.stderr!.setEncoding("utf8").on("data", (d: string) => (upOutput += d));
  const deadline = Date.now() + 60_000;
  while (!upOutput.includes("vpcemu is up")) {
    if (up.exitCode !== null) throw new Error(`vpcemu up exited ${up.exitCode}:\n${upOutput}`);
    if (Date.now() > deadline) throw new Error(`vpcemu up did not come up in 60 s:\n${upOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  state = readRuntimeState(dir);
}, 90_000);

afterAll(async () => {
  if (up && up.exitCode === null) {
    vpcemu(["down"]);
    if (up.exitCode === null) up.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("vpcemu up / exec / conntrack / down", () => {
  it("records the nodes in the runtime state file", () => {
    expect(state?.pid).toBe(up?.pid);
    expect(state?.nodes.map((n) => [n.name, n.addresses[0]])).toEqual([
      ["internet", "198.51.100.10"],
      ["web", "10.0.1.10"],
      ["db", "10.0.2.20"],
    ]);
  });

  it("gives each node a namespace holding only lo and its TUN with its address", () => {
    for (const node of state!.nodes) {
      const links = spawnSync("ip", ["-n", node.namespace, "-o", "link", "show"], {
        encoding: "utf8",
      }).stdout;
      expect(
        links
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split(":")[1]?.trim()),
      ).toEqual(["lo", "eth0"]);
      const addrs = spawnSync(
        "ip",
        ["-n", node.namespace, "-o", "-4", "addr", "show", "dev", "eth0"],
        {
          encoding: "utf8",
        },
      ).stdout;
      expect(addrs).toContain(`inet ${node.addresses[0]}/32`);
    }
  });

  it("exec runs a program in a node and passes its exit code through", () => {
    const ok = vpcemu(["exec", "web", "--", "ip", "-o", "-4", "addr", "show", "dev", "eth0"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("10.0.1.10");
    expect(vpcemu(["exec", "db", "--", "sh", "-c", "exit 7"]).code).toBe(7);
    const unknown = vpcemu(["exec", "nope", "--", "true"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown node 'nope'");
  });

  it("carries traffic between nodes started with exec; conntrack shows tracked flows with their rule", async () => {
    const start = (args: string[]) =>
      spawn(
        process.execPath,
        [VPCEMU_BIN, "exec", "web", "--", process.execPath, PROBE_SCRIPT, ...args],
        {
          env: { ...process.env, VPCEMU_RUNTIME_DIR: dir },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
    const servers = [start(["http-server", "80"]), start(["echo-server", "tcp", "22"])];
    try {
      for (const s of servers)
        await new Promise<void>((resolve) => s.stdout!.once("data", () => resolve()));
      const probe = (args: string[]) =>
        JSON.parse(
          vpcemu(["exec", "internet", "--", process.execPath, PROBE_SCRIPT, ...args]).stdout,
        ) as {
          ok: boolean;
          error?: string;
        };
      // IGW-5: the internet reaches web at its public IP (DescribeInstances PublicIpAddress).
      const ec2 = new EC2Client({
        endpoint: state!.ec2Endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      });
      const described = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: "tag:Name", Values: ["web"] }] }),
      );
      ec2.destroy();
      const webPublic = described.Reservations![0]!.Instances![0]!.PublicIpAddress!;
      expect(webPublic).toMatch(/^198\.1[89]\./);
      expect(probe(["http-get", webPublic, "80", "3000"])).toMatchObject({
        ok: true,
        status: 200,
      });
      // RT-17: never at its private address.
      expect(probe(["http-get", "10.0.1.10", "80", "1500"])).toMatchObject({ ok: false });
      // SSH from the `admins` prefix list (198.51.100.10/32): not a /0 peer, so tracked (CT-2).
      expect(probe(["tcp-request", webPublic, "22", "3000"])).toMatchObject({ ok: true });
      expect(probe(["tcp-request", "10.0.2.20", "3306", "1500"])).toEqual({
        ok: false,
        error: "timeout",
      }); // CT-11

      const json = vpcemu(["conntrack", "web", "-o", "json"]);
      expect(json.code).toBe(0);
      const entries = (
        JSON.parse(json.stdout) as {
          entries: { protocol: number; ruleId: string; original: { dstPort: number } }[];
        }[]
      ).flatMap((r) => r.entries);
      const ssh = entries.filter((e) => e.protocol === 6 && e.original.dstPort === 22);
      expect(ssh.length).toBeGreaterThan(0);
      expect(ssh[0]!.ruleId).toMatch(/^sgr-/);
      // CT-3/CT-14: HTTP on 80 from 0.0.0.0/0 with the default all-/0 egress is untracked.
      expect(entries.filter((e) => e.original.dstPort === 80)).toEqual([]);

      const text = vpcemu(["conntrack", "web"]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^tcp .* dport=22 .* rule=sgr-/m);
    } finally {
      for (const s of servers) s.kill("SIGTERM");
    }
  });

  it("StopInstances takes db off the network but keeps its node; StartInstances brings it back with an empty conntrack table (INST-2, INST-3)", async () => {
    const db = state!.nodes.find((n) => n.name === "db")!;
    const ec2 = new EC2Client({
      endpoint: state!.ec2Endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    /** Until every agent enforces the controller's revision (GET /v1/revision, CT-17). */
    const enforced = async (): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        const r = (await (await fetch(`${state!.controllerUrl}/v1/revision`)).json()) as {
          enforced: boolean;
        };
        if (r.enforced) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error("revision not enforced within 10 s");
    };
    const toDb = (timeoutMs: number) =>
      JSON.parse(
        vpcemu([
          "exec",
          "web",
          "--",
          process.execPath,
          PROBE_SCRIPT,
          "tcp-request",
          "10.0.2.20",
          "3306",
          String(timeoutMs),
        ]).stdout,
      ) as { ok: boolean; error?: string };
    const dbEntries = () =>
      (
        JSON.parse(vpcemu(["conntrack", "db", "-o", "json"]).stdout) as {
          entries: { original: { dstPort: number } }[];
        }[]
      ).flatMap((r) => r.entries.filter((e) => e.original.dstPort === 3306));
    const server = spawn(
      process.execPath,
      [
        VPCEMU_BIN,
        "exec",
        "db",
        "--",
        process.execPath,
        PROBE_SCRIPT,
        "echo-server",
        "tcp",
        "3306",
      ],
      { env: { ...process.env, VPCEMU_RUNTIME_DIR: dir }, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve) => server.stdout!.once("data", () => resolve()));
      expect(toDb(3000)).toMatchObject({ ok: true }); // REF-1
      expect(dbEntries().length).toBeGreaterThan(0);

      await ec2.send(new StopInstancesCommand({ InstanceIds: [db.instanceId!] }));
      await enforced();
      expect(toDb(1500)).toEqual({ ok: false, error: "timeout" });
      // The node stays: namespace, TUN with its address, and the server in it.
      const addrs = spawnSync("ip", ["-n", db.namespace, "-o", "-4", "addr", "show", "eth0"], {
        encoding: "utf8",
      }).stdout;
      expect(addrs).toContain("inet 10.0.2.20/32");
      expect(server.exitCode).toBeNull();
      expect(dbEntries()).toEqual([]);

      await ec2.send(new StartInstancesCommand({ InstanceIds: [db.instanceId!] }));
      await enforced();
      expect(dbEntries()).toEqual([]);
      expect(toDb(3000)).toMatchObject({ ok: true });
    } finally {
      server.kill("SIGTERM");
      ec2.destroy();
    }
  }, 60_000);

  it("down stops up and leaves no namespace, TUN device or agent process behind", async () => {
    const agentPids = state!.nodes.map((n) => n.agentPid!);
    const down = vpcemu(["down"], 30_000);
    expect(down.code).toBe(0);
    await new Promise<void>((resolve) =>
      up!.exitCode !== null ? resolve() : up!.once("exit", () => resolve()),
    );
    expect(up!.exitCode).toBe(0);
    expect(state!.namespacePrefix).toBe(PREFIX);
    expect(await listNamespaces(PREFIX)).toEqual([]);
    for (const pid of agentPids) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
    expect(readRuntimeState(dir)).toBeUndefined();
    // No TUN left in the host namespace either.
    expect(hostTuns().filter((t) => !hostTunsBefore.includes(t))).toEqual([]);
  }, 60_000);
});
