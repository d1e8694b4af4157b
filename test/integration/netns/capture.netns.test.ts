/**
 * `vpcemu capture` on a real local runtime (namespaces, TUN devices, agents as processes): the
 * real CLI writes db's traffic and its agent's underlay as pcapng, and Debian's tshark reads
 * it: each ENI packet's comment carries its verdict (accepted by a named SG rule or by
 * conntrack, dropped with the groups none of whose rules matched), and the underlay's Geneve
 * datagrams decode with their VNI and ENI options. Bad input (an unknown node, a filter libpcap
 * refuses, over the JSON API an unknown target or a refused filter) gets a precise error and
 * starts nothing (docs/observability.md "Capture").
 *
 *   VPC cap 10.0.0.0/16: web 10.0.1.10 (web-sg: all from the VPC)
 *                        db  10.0.2.20 (db-sg: tcp 3306 from 10.0.1.0/24 only)
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VPCEMU_BIN } from "../../../cli/runtime/paths.js";
import { startNetnsRuntime, type NetnsRuntime } from "../../helpers/chaos-runtime.js";
import { requireTshark, tsharkFields } from "../../helpers/tshark.js";
import { waitUntil } from "../../helpers/wait-until.js";

const TOPOLOGY = `description: capture netns test
vpcs:
  - { name: cap, cidr: 10.0.0.0/16 }
subnets:
  - { name: public, vpc: cap, cidr: 10.0.1.0/24 }
  - { name: private, vpc: cap, cidr: 10.0.2.0/24 }
securityGroups:
  - name: web-sg
    vpc: cap
    ingress:
      - { protocol: -1, cidr: 10.0.0.0/16 }
  - name: db-sg
    vpc: cap
    ingress:
      - { protocol: tcp, ports: 3306, cidr: 10.0.1.0/24 }
instances:
  - { name: web, subnet: public, securityGroups: [web-sg], privateIp: 10.0.1.10 }
  - { name: db, subnet: private, securityGroups: [db-sg], privateIp: 10.0.2.20 }
`;

/** web and db are in different subnets: the default NACL's rule 100 allowed each packet. */
const NACL = "(?: nacl=acl-[0-9a-f]+)? nacl_rule=100";

/** The CLI talks to this file's runtime, whatever $VPCEMU_ENDPOINT says. */
const env: NodeJS.ProcessEnv = { ...process.env, VPCEMU_ENDPOINT: "" };

let rt: NetnsRuntime;
let dir: string;

beforeAll(async () => {
  requireTshark();
  rt = await startNetnsRuntime("cap", TOPOLOGY, { extraCommands: ["ping", "bash"] });
  dir = mkdtempSync(join(tmpdir(), "vpcemu-capture-"));
}, 120_000);

afterAll(async () => {
  await rt?.[Symbol.asyncDispose]();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

function cli(args: readonly string[]) {
  return spawnSync(process.execPath, [VPCEMU_BIN, ...args], {
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
}

/** Runs `cmd` inside a node's namespace; its exit status. */
function inNode(node: string, cmd: readonly string[]): number | null {
  return spawnSync("ip", ["netns", "exec", rt.ns(node), ...cmd], { timeout: 20_000 }).status;
}

async function captures(): Promise<unknown[]> {
  const res = await fetch(`${rt.runtime.controllerUrl}/v1/captures`);
  return ((await res.json()) as { captures: unknown[] }).captures;
}

/** tshark's rows of `file`, or [] while the file is not readable yet. */
function rowsOf(
  file: string,
  fields: readonly string[],
  extra: readonly string[] = [],
): string[][] {
  try {
    return tsharkFields(file, fields, extra);
  } catch {
    return [];
  }
}

describe("vpcemu capture", () => {
  it("writes db's allowed and dropped packets with their verdicts, and the Geneve underlay (CAP-1, CAP-2, CAP-4)", async () => {
    const file = join(dir, "db.pcapng");
    const runtimeDir = rt.runtime.runtimeDir;
    const child = spawn(
      process.execPath,
      [VPCEMU_BIN, "capture", "--runtime-dir", runtimeDir, "db", "-w", file, "--underlay"],
      { env, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    try {
      await waitUntil("the capture to start", () => stderr.includes("capturing db"), 30_000, 50);
      // Dropped: db-sg admits no ICMP. Accepted: tcp 3306 from web's subnet (db answers RST).
      expect(inNode("web", ["ping", "-c", "2", "-W", "1", "10.0.2.20"])).not.toBe(0);
      inNode("web", ["bash", "-c", "echo > /dev/tcp/10.0.2.20/3306"]);
      // The agent flushes every 50 ms: wait until the file holds the reset db sent.
      await waitUntil(
        "db's RST in the file",
        () => rowsOf(file, ["frame.comment"], ["-Y", "tcp.flags.reset == 1 && !geneve"]).length > 0,
        20_000,
        100,
      );
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/\d+ packets captured/);

    const db = rt.eni("db");
    const web = rt.eni("web");
    const dbSg = rt.sg("cap/db-sg");
    // ENI packets: interface = db's ENI, raw IP (no Geneve).
    const eni = rowsOf(
      file,
      ["frame.interface_name", "frame.comment", "ip.src", "ip.dst", "icmp.type", "tcp.flags.str"],
      ["-Y", "!geneve"],
    );
    const pings = eni.filter((r) => r[4] === "8");
    expect(pings.length).toBe(2);
    for (const p of pings) {
      expect(p.slice(0, 4)).toEqual([
        db,
        expect.stringMatching(
          new RegExp(
            `^verdict=drop reason=sg_no_match dir=ingress groups=\\[${dbSg}\\]${NACL} conntrack=none$`,
          ),
        ),
        "10.0.1.10",
        "10.0.2.20",
      ]);
    }
    const syn = eni.find((r) => r[5]?.includes("S") && !r[5].includes("A"));
    expect(syn?.slice(0, 4)).toEqual([
      db,
      expect.stringMatching(
        new RegExp(
          `^verdict=accept reason=sg_rule dir=ingress sg_rule=sgr-[0-9a-f]+${NACL} conntrack=new$`,
        ),
      ),
      "10.0.1.10",
      "10.0.2.20",
    ]);
    const rst = eni.find((r) => r[5]?.includes("R"));
    expect(rst?.slice(0, 4)).toEqual([
      db,
      expect.stringMatching(
        new RegExp(
          `^verdict=accept reason=conntrack_established dir=egress sg_rule=sgr-[0-9a-f]+${NACL} conntrack=established$`,
        ),
      ),
      "10.0.2.20",
      "10.0.1.10",
    ]);

    // The underlay: Geneve from web's agent (pings, SYN) and to it (RST), options decoded.
    const underlay = rowsOf(
      file,
      [
        "frame.interface_name",
        "frame.comment",
        "geneve.vni",
        "geneve.option.class",
        "geneve.option.type",
        "geneve.option.unknown.data",
        "ip.src",
        "ip.dst",
      ],
      ["-Y", "geneve"],
    );
    const hex = (s: string): string =>
      Buffer.from(s.padEnd((s.length + 3) & ~3, "\0"), "latin1").toString("hex");
    const incoming = underlay.filter((r) => r[1]!.startsWith("underlay in from="));
    const outgoing = underlay.filter((r) => r[1]!.startsWith("underlay out to="));
    // Every ping reached db's agent over the underlay before db-sg dropped it.
    expect(incoming.length).toBeGreaterThanOrEqual(3);
    expect(outgoing.length).toBeGreaterThanOrEqual(1);
    for (const r of incoming) {
      expect(r[0]).toBe("underlay");
      expect(r[3]).toBe("0xff5c,0xff5c");
      expect(r[4]).toBe("0x01,0x02");
      expect(r[5]).toBe(`${hex(web)},${hex(db)}`); // source ENI, destination ENI
      // Underlay addresses (loopback) first, then the inner packet's.
      expect(r[6]).toMatch(/^127\.\d+\.\d+\.\d+,10\.0\.1\.10$/);
      expect(r[7]).toMatch(/^127\.\d+\.\d+\.\d+,10\.0\.2\.20$/);
    }
    expect(outgoing[0]![5]).toBe(`${hex(db)},${hex(web)}`);
    expect(new Set(underlay.map((r) => r[2])).size).toBe(1); // one VPC: one VNI

    // A clean stop ends the file with each interface's statistics.
    const info = spawnSync("capinfos", [file], { encoding: "utf8" }).stdout;
    expect(info).toMatch(/Name = underlay[^#]*Number of stat entries = 1/);
    expect(await captures()).toEqual([]);
  }, 90_000);

  it("applies the filter on the agent and writes to stdout without -w (CAP-3, CAP-4)", async () => {
    const file = join(dir, "filtered.pcapng");
    const out = openSync(file, "w");
    const child = spawn(
      process.execPath,
      [
        VPCEMU_BIN,
        "capture",
        "--runtime-dir",
        rt.runtime.runtimeDir,
        "db",
        "--filter",
        "tcp port 3306",
        "-c",
        "2",
      ],
      { env, stdio: ["ignore", out, "pipe"] },
    );
    closeSync(out);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    await waitUntil("the capture to start", () => stderr.includes("capturing db"), 30_000, 50);
    inNode("web", ["ping", "-c", "1", "-W", "1", "10.0.2.20"]);
    inNode("web", ["bash", "-c", "echo > /dev/tcp/10.0.2.20/3306"]);
    // -c 2: the SYN and the RST end the capture on the agent.
    expect(await exited).toBe(0);
    expect(stderr).toContain("2 packets captured");
    const rows = rowsOf(file, ["frame.comment", "tcp.dstport", "tcp.srcport", "icmp.type"]);
    expect(rows.map((r) => r[1] === "3306" || r[2] === "3306")).toEqual([true, true]);
  }, 60_000);

  it("refuses an unknown node or a filter libpcap refuses, and starts nothing (CAP-6)", async () => {
    const unknown = cli([
      "capture",
      "--runtime-dir",
      rt.runtime.runtimeDir,
      "nosuch",
      "-w",
      "/dev/null",
    ]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(
      "vpcemu capture: unknown node 'nosuch' (nodes: internet, web, db)\n",
    );
    const bad = cli([
      "capture",
      "--runtime-dir",
      rt.runtime.runtimeDir,
      "db",
      "-w",
      join(dir, "never.pcapng"),
      "--filter",
      "tcp port",
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      "vpcemu capture: --filter 'tcp port': can't parse filter expression: syntax error\n",
    );
    expect(spawnSync("test", ["-e", join(dir, "never.pcapng")]).status).toBe(1);
    const path = cli([
      "capture",
      "--runtime-dir",
      rt.runtime.runtimeDir,
      "db",
      "-w",
      "/nonexistent-dir/x",
    ]);
    expect([path.status, path.stderr]).toEqual([
      1,
      "vpcemu capture: cannot write /nonexistent-dir/x: ENOENT: no such file or directory, open '/nonexistent-dir/x'\n",
    ]);
    const address = cli(["capture", "--runtime-dir", rt.runtime.runtimeDir, "10.0.300.1"]);
    expect([address.status, address.stderr]).toEqual([
      1,
      "vpcemu capture: '10.0.300.1' is not a valid IP address (nodes: internet, web, db)\n",
    ]);
    expect(await captures()).toEqual([]);
  });

  it("answers the JSON API's bad requests with precise errors (CAP-6)", async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${rt.runtime.controllerUrl}/v1/captures`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { code: string; message: string } };
    };
    const unknown = await post({ instance: "i-0123456789abcdef0" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("EMU_ERR_API_CAPTURE_TARGET");
    expect(unknown.body.message).toMatch(
      /^No connected agent hosts instance 'i-0123456789abcdef0'\. Agents: .*internet \(ext:internet\)/,
    );
    // The agent compiles the filter with libpcap and refuses it before capturing anything.
    const refused = await post({ eni: rt.eni("db"), filter: "host 10.0.300.1" });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      code: "EMU_ERR_API_CAPTURE_REFUSED",
      message: expect.stringMatching(
        /^Agent '.+' refused the capture: capture filter 'host 10\.0\.300\.1': invalid IPv4 address '10\.0\.300\.1'$/,
      ),
    });
    const invalid = await post({ eni: rt.eni("db"), snaplen: 0 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toBe(
      "Invalid capture: snaplen must be an integer from 1 to 262144, got 0",
    );
    const two = await post({ eni: rt.eni("db"), instance: "i-1" });
    expect(two.body.message).toBe(
      "Invalid capture: give exactly one of instance, eni, external, agent",
    );
    expect(await captures()).toEqual([]);
  });
});
