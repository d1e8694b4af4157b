/**
 * `vpcemu chaos` in-process against a real controller (port 0, :memory:) holding the seed
 * scenario, and a topology file's `faults:` section applied through the same JSON API. No agent
 * is connected, so a fault is enforced as soon as it is stored (no affected agent lags).
 *
 *   main(["chaos", ..., "--endpoint", url]) --HTTP--> Controller /v1/faults
 */
import { readFileSync } from "node:fs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { main } from "../../cli/main.js";
import { applyTopology, type AppliedTopology } from "../../cli/topology/apply-topology.js";
import { parseTopology, TopologyError } from "../../cli/topology/topology.js";

let controller: StartedController;
let ec2: EC2Client;
let applied: AppliedTopology;
let out = "";
let err = "";

const TWO_TIER = readFileSync("examples/two-tier.yaml", "utf8");

beforeAll(async () => {
  controller = await new Controller({ listen: "127.0.0.1:0", statePath: ":memory:" }).start();
  ec2 = new EC2Client({
    endpoint: controller.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  applied = await applyTopology(ec2, parseTopology(TWO_TIER, "two-tier.yaml"));
});

afterAll(async () => {
  ec2.destroy();
  await controller.stop();
});

beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await fetch(`${controller.url}/v1/faults`, { method: "DELETE" });
});

/** Runs `vpcemu chaos ARGS --endpoint <controller>`; resolves with the exit code. */
const chaos = (...args: string[]) => main(["chaos", ...args, "--endpoint", controller.url]);
/** Runs `vpcemu chaos ARGS` expecting exit 0 (the assertion shows stderr otherwise). */
const ok = async (...args: string[]) => expect(await chaos(...args), err).toBe(0);
const groupId = (name: string) => applied.securityGroups.get(`main/${name}`)!;

describe("vpcemu chaos against a controller", () => {
  it("adds a fault and prints its id; ls, show, rm and clear see it", async () => {
    await ok(
      "add",
      "--from",
      "sg:web-sg",
      "--to",
      "sg:db-sg",
      "--proto",
      "tcp",
      "--port",
      "3306",
      "--delay",
      "100ms",
      "--jitter",
      "10ms",
      "--for",
      "60s",
      "--seed",
      "7",
    );
    const id = out.trim();
    expect(id).toMatch(/^flt-[0-9a-f]{17}$/);
    expect(err).toBe("");

    out = "";
    await ok("ls");
    const [header, row] = out.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+STATE\s+FROM\s+DIR\s+TO\s+EFFECTS\s+COUNTERS\s+EXPIRES$/);
    expect(row).toMatch(
      new RegExp(
        `^${id}\\s+active\\s+${groupId("web-sg")}\\s+->\\s+${groupId("db-sg")} tcp/3306\\s+delay 100ms ±10ms\\s+matched=0\\s+in (60|59)s$`,
      ),
    );

    out = "";
    await ok("ls", "-o", "json");
    const listed = JSON.parse(out) as {
      faults: { faultId: string; seed: number; effects: unknown }[];
    };
    expect(listed.faults.map((f) => [f.faultId, f.seed])).toEqual([[id, 7]]);
    expect(listed.faults[0]!.effects).toEqual({
      delay: { latencyMs: 100, jitterMs: 10, correlation: 0, distribution: "uniform" },
    });

    out = "";
    await ok("show", id);
    expect(out).toContain(`fault     ${id}`);
    expect(out).toContain("traffic   tcp ports 3306");
    expect(out).toContain(`from      ${groupId("web-sg")}`);

    out = "";
    await ok("rm", id);
    expect(out).toBe(`${id}\n`);
    await ok("add", "--from", "web", "--to", "*", "--blackhole", "--no-wait");
    await ok("add", "--from", "db", "--to", "*", "--loss", "5%", "-o", "json");
    out = "";
    await ok("clear");
    expect(out).toBe("removed 2 faults\n");
  });

  it("adds partitions and conntrack faults", async () => {
    await ok("partition", "sg:db-sg", "sg:web-sg,198.51.100.0/24", "--one-way", "-o", "json");
    const cut = JSON.parse(out) as { partition: unknown; effects: unknown; direction: string };
    expect(cut.partition).toEqual({
      groups: [[groupId("db-sg")], [groupId("web-sg"), "198.51.100.0/24"]],
      mode: "complete",
      oneWay: true,
    });
    expect(cut.effects).toEqual({ blackhole: true });
    out = "";
    await ok(
      "conntrack",
      "--on",
      "instance:db",
      "--allowance",
      "0",
      "--flush",
      "--udp-timeout",
      "5s",
      "--for",
      "1m",
      "-o",
      "json",
    );
    const ct = JSON.parse(out) as { from: string[]; effects: unknown; expiresAt: string };
    expect(ct.from).toEqual([applied.instances.get("db")!.instanceId]);
    expect(ct.effects).toEqual({ conntrack: { allowance: 0, flush: true, timeouts: { udp: 5 } } });
    expect(Date.parse(ct.expiresAt) - Date.now()).toBeGreaterThan(50_000);
  });

  it("prints the controller's refusals with their code and stores nothing (exit 1)", async () => {
    expect(await chaos("add", "--from", "sg:wbe-sg", "--to", "sg:db-sg", "--blackhole")).toBe(1);
    expect(err).toMatch(/^vpcemu chaos add: EMU_ERR_FAULT_INVALID: .*wbe-sg/);
    err = "";
    expect(await chaos("add", "--from", "10.0.0.0/33", "--to", "*", "--blackhole")).toBe(1);
    expect(err).toMatch(/EMU_ERR_FAULT_INVALID: .*10\.0\.0\.0\/33/);
    err = "";
    expect(await chaos("partition", "web", "db", "--mode", "bridge")).toBe(1);
    expect(err).toMatch(/EMU_ERR_FAULT_INVALID: .*three groups/);
    err = "";
    expect(await chaos("rm", "flt-00000000000000000")).toBe(1);
    expect(err).toMatch(/EMU_ERR_FAULT_NOT_FOUND/);
    out = "";
    await ok("ls", "-o", "json");
    expect(JSON.parse(out)).toEqual({ faults: [] });
  });

  it("refuses bad values before asking (exit 2) and says when the controller is unreachable", async () => {
    expect(await chaos("add", "--from", "web", "--to", "db", "--delay", "50")).toBe(2);
    expect(err).toContain("--delay 50: a duration needs a unit");
    err = "";
    expect(await main(["chaos", "ls", "--endpoint", "http://127.0.0.1:9"])).toBe(1);
    expect(err).toMatch(
      /EMU_ERR_UNREACHABLE: cannot reach the controller at http:\/\/127\.0\.0\.1:9/,
    );
  });
});

describe("topology faults: section", () => {
  it("is applied after the resources, the file's names turned into the ids just created", async () => {
    const vpcName = `chaos-${process.pid}`;
    const text = TWO_TIER.replace(
      "  - name: main\n    cidr: 10.0.0.0/16",
      `  - name: ${vpcName}\n    cidr: 10.1.0.0/16`,
    )
      .replaceAll("vpc: main", `vpc: ${vpcName}`)
      .replaceAll("10.0.", "10.1.")
      .replace("privateIp: 10.1.1.10", "privateIp: 10.1.1.11");
    const topology = parseTopology(
      `${text}\nfaults:\n  - name: slow-db\n    from: sg:web-sg\n    to: [db]\n    effects: { delay: { latencyMs: 50 } }\n    durationMs: 60000\n  - groups: [[subnet:public], [subnet:private]]\n`,
      "chaos.yaml",
    );
    const mine = await applyTopology(ec2, topology, { jsonApiUrl: controller.url });
    expect(mine.faults.map((f) => f.name)).toEqual(["slow-db", undefined]);
    const views = (await (await fetch(`${controller.url}/v1/faults`)).json()) as {
      faults: {
        faultId: string;
        from: string[];
        to: string[];
        description: string;
        partition?: { groups: string[][] };
      }[];
    };
    const slow = views.faults.find((f) => f.faultId === mine.faults[0]!.faultId)!;
    expect(slow.from).toEqual([mine.securityGroups.get(`${vpcName}/web-sg`)]);
    expect(slow.to).toEqual([mine.instances.get("db")!.instanceId]);
    expect(slow.description).toBe("slow-db");
    const cut = views.faults.find((f) => f.faultId === mine.faults[1]!.faultId)!;
    expect(cut.partition!.groups).toEqual([
      [mine.subnets.get("public")],
      [mine.subnets.get("private")],
    ]);
  });

  it("reports a fault the controller refuses at the fault's line, with the code", async () => {
    const topology = parseTopology(
      `vpcs:\n  - name: lonely-${process.pid}\n    cidr: 10.9.0.0/16\nfaults:\n  - from: tag:Team=none\n    to: "*"\n    effects: { reorder: { percent: 5 }, delay: { latencyMs: 1 } }\n    seed: 1\n  - from: sg-0123456789abcdef0\n    to: "*"\n    effects: { blackhole: true }\n`,
      "bad.yaml",
    );
    const error = await applyTopology(ec2, topology, { jsonApiUrl: controller.url }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as Error).message).toMatch(
      /^bad\.yaml:9: faults\[1\]: EMU_ERR_FAULT_INVALID: .*sg-0123456789abcdef0/,
    );
  });
});
