/**
 * NAT gateways with kernel sockets (docs/routing.md NAT-8..NAT-12, RT-15): a local runtime
 * (real namespaces, TUN devices, agents over loopback UDP, the controller a child process,
 * test/helpers/chaos-runtime.ts startNetnsRuntime); the internet gateway, route tables, Elastic
 * IPs and NAT gateways made with the real `aws` CLI against the runtime's controller
 * (test/helpers/aws-cli.ts). TCP between node processes inside the namespaces: a "whoami"
 * server on the internet node answers each connection with the peer address it sees. Every
 * wait is for the agents' enforced revision (GET /v1/revision) or a polled state with a
 * deadline; a refused connection is a connect timeout.
 *
 *   VPC 10.63.0.0/16, igw attached by the test
 *     pub  10.63.1.0/24  table: 0.0.0.0/0 -> igw       web 10.63.1.10; nat-1 + Elastic IP 1
 *     priv 10.63.2.0/24  table: 0.0.0.0/0 -> nat-1     app 10.63.2.10, app-sg tcp 9090 from 0.0.0.0/0
 *     bare 10.63.3.0/24  table: local only             nat-2 + Elastic IP 2
 *   internet 198.51.100.10 (the runtime's external node): whoami on tcp 9090
 *   (namespaces vpcemu-chaosvnat<pid>x<n>-<node>, from startNetnsRuntime)
 *
 * Root required (fails naming what is missing, never skips).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsCli } from "../../helpers/aws-cli.js";
import { waitUntil } from "../../helpers/wait-until.js";
import { startNetnsRuntime, type NetnsRuntime } from "../../helpers/chaos-runtime.js";

const APP = "10.63.2.10";
const INTERNET = "198.51.100.10";
const PORT = 9090;
const REFUSED_MS = 1500;

const TOPOLOGY = `description: NAT gateway netns test
vpcs:
  - { name: v, cidr: 10.63.0.0/16 }
subnets:
  - { name: pub, vpc: v, cidr: 10.63.1.0/24 }
  - { name: priv, vpc: v, cidr: 10.63.2.0/24 }
  - { name: bare, vpc: v, cidr: 10.63.3.0/24 }
securityGroups:
  - name: app-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: ${PORT}, cidr: 0.0.0.0/0 }
  - name: web-sg
    vpc: v
    ingress: []
instances:
  - { name: web, subnet: pub, securityGroups: [web-sg], privateIp: 10.63.1.10 }
  - { name: app, subnet: priv, securityGroups: [app-sg], privateIp: ${APP} }
`;

let rt: NetnsRuntime | undefined;
let aws: AwsCli;
let whoami: ChildProcess | undefined;
let appServer: ChildProcess | undefined;
let rtbPriv = "";
const nat1 = { id: "", eni: "", eip: "" };
const nat2 = { id: "", eni: "", eip: "" };

/** Every agent enforces the controller's revision after the last change. */
async function enforced(): Promise<void> {
  const now = await rt!.api.revision();
  await rt!.api.waitEnforced(rt!.agentCount, now.revision);
}

/** Starts `node -e script` in `node`'s namespace; resolves once it printed "ready". */
function serve(node: string, script: string): Promise<ChildProcess> {
  const child = spawn("ip", ["netns", "exec", rt!.ns(node), process.execPath, "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d) => (err += String(d)));
    child.stdout!.on("data", (d) => {
      if (String(d).includes("ready")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`server in ${node} exited ${code}: ${err}`)));
  });
}

const SERVER = (port: number) =>
  `require("net").createServer((s) => { s.on("error", () => s.destroy()); s.end(s.remoteAddress + "\\n"); })` +
  `.listen(${port}, "0.0.0.0", () => console.log("ready"));`;

/**
 * Connects from `node` to host:port; resolves with the first line the server sent (the address
 * it saw), or "timeout" when no connection completed within `timeoutMs`.
 */
function whoamiFrom(node: string, host: string, port: number, timeoutMs: number): Promise<string> {
  const script =
    `const s = require("net").connect({ host: "${host}", port: ${port} });` +
    `const t = setTimeout(() => { console.log("timeout"); process.exit(0); }, ${timeoutMs});` +
    `let got = ""; s.on("data", (d) => { got += d; });` +
    `s.on("end", () => { clearTimeout(t); console.log(got.trim()); process.exit(0); });` +
    `s.on("error", (e) => { clearTimeout(t); console.log("error " + e.code); process.exit(0); });`;
  return new Promise((resolve, reject) => {
    execFile(
      "ip",
      ["netns", "exec", rt!.ns(node), process.execPath, "-e", script],
      { timeout: timeoutMs + 10_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout.trim())),
    );
  });
}

async function stopChild(c: ChildProcess | undefined): Promise<void> {
  if (c === undefined || c.exitCode !== null || c.pid === undefined) return;
  const exited = new Promise((r) => c.once("exit", r));
  c.kill("SIGTERM");
  await exited;
}

/** A NAT gateway with a new Elastic IP in `subnetId`, polled until `available` (NAT-3). */
async function natGateway(subnetId: string, into: typeof nat1): Promise<void> {
  const a = await aws.json<{ AllocationId: string; PublicIp: string }>([
    "ec2",
    "allocate-address",
    "--domain",
    "vpc",
  ]);
  const n = await aws.json<{
    NatGateway: { NatGatewayId: string; NatGatewayAddresses: { NetworkInterfaceId: string }[] };
  }>(["ec2", "create-nat-gateway", "--subnet-id", subnetId, "--allocation-id", a.AllocationId]);
  into.id = n.NatGateway.NatGatewayId;
  into.eni = n.NatGateway.NatGatewayAddresses[0]!.NetworkInterfaceId;
  into.eip = a.PublicIp;
  await natState(into.id, "available");
}

async function natState(id: string, state: string): Promise<void> {
  await waitUntil(
    `NAT gateway ${id} to be ${state}`,
    async () =>
      (
        await aws.json<{ NatGateways: { State: string }[] }>([
          "ec2",
          "describe-nat-gateways",
          "--nat-gateway-ids",
          id,
        ])
      ).NatGateways[0]?.State === state,
    10_000,
    200,
  );
}

/** Polls the NAT interface's drop counter `reason` until it exceeds `above` (20 s). */
async function dropsAbove(eni: string, reason: string, above: number): Promise<number> {
  let n = 0;
  await waitUntil(
    `${eni}: ${reason} above ${above}`,
    async () => {
      const c = (await rt!.api.counters(eni)) as
        { counters?: { drops?: Record<string, number> } } | undefined;
      n = c?.counters?.drops?.[reason] ?? 0;
      return n > above;
    },
    20_000,
    200,
  );
  return n;
}

beforeAll(async () => {
  rt = await startNetnsRuntime("vnat", TOPOLOGY, { extraCommands: ["ping"] });
  aws = new AwsCli({
    endpoint: rt.runtime.ec2Endpoint,
    accessKeyId: "vpcemu",
    secretAccessKey: "vpcemu",
  });
  const applied = rt.runtime.applied!;
  const vpc = applied.vpcs.get("v")!;
  const subnet = (name: string): string => {
    const id = applied.subnets.get(`v/${name}`) ?? applied.subnets.get(name);
    if (id === undefined)
      throw new Error(`no subnet ${name}: ${[...applied.subnets.keys()].join(",")}`);
    return id;
  };
  const igw = (
    await aws.json<{ InternetGateway: { InternetGatewayId: string } }>([
      "ec2",
      "create-internet-gateway",
    ])
  ).InternetGateway.InternetGatewayId;
  await aws.json(["ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc]);
  const table = async (name: string): Promise<string> => {
    const id = (
      await aws.json<{ RouteTable: { RouteTableId: string } }>([
        "ec2",
        "create-route-table",
        "--vpc-id",
        vpc,
      ])
    ).RouteTable.RouteTableId;
    await aws.json([
      "ec2",
      "associate-route-table",
      "--route-table-id",
      id,
      "--subnet-id",
      subnet(name),
    ]);
    return id;
  };
  const rtbPub = await table("pub");
  await aws.json([
    "ec2",
    "create-route",
    "--route-table-id",
    rtbPub,
    "--destination-cidr-block",
    "0.0.0.0/0",
    "--gateway-id",
    igw,
  ]);
  rtbPriv = await table("priv");
  await table("bare");
  await natGateway(subnet("pub"), nat1);
  await natGateway(subnet("bare"), nat2);
  await aws.json([
    "ec2",
    "create-route",
    "--route-table-id",
    rtbPriv,
    "--destination-cidr-block",
    "0.0.0.0/0",
    "--nat-gateway-id",
    nat1.id,
  ]);
  await enforced();
  whoami = await serve("internet", SERVER(PORT));
  appServer = await serve("app", SERVER(PORT));
}, 180_000);

afterAll(async () => {
  await stopChild(whoami);
  await stopChild(appServer);
  aws?.dispose();
  await rt?.[Symbol.asyncDispose]();
}, 60_000);

describe("NAT gateway with kernel sockets", () => {
  it("an instance of the private subnet reaches the internet's server, which sees the NAT gateway's Elastic IP (NAT-8)", async () => {
    expect(nat1.eip).toMatch(/^198\.1[89]\./);
    expect(await whoamiFrom("app", INTERNET, PORT, 5000)).toBe(nat1.eip);
  });

  it("the instance stays unreachable from the internet though its SG admits 0.0.0.0/0 (NAT-9)", async () => {
    expect(await whoamiFrom("internet", APP, PORT, REFUSED_MS)).toBe("timeout");
  });

  it("drops unsolicited inbound to the NAT gateway's Elastic IP: nat_no_mapping (NAT-9)", async () => {
    const before = (await dropsAbove(nat1.eni, "nat_no_mapping", -1).catch(() => 0)) as number;
    expect(await whoamiFrom("internet", nat1.eip, PORT, REFUSED_MS)).toBe("timeout");
    expect(await dropsAbove(nat1.eni, "nat_no_mapping", before)).toBeGreaterThan(before);
  });

  it("a NAT gateway in a subnet without an internet gateway route carries nothing (NAT-12)", async () => {
    await aws.json([
      "ec2",
      "replace-route",
      "--route-table-id",
      rtbPriv,
      "--destination-cidr-block",
      "0.0.0.0/0",
      "--nat-gateway-id",
      nat2.id,
    ]);
    await enforced();
    expect(await whoamiFrom("app", INTERNET, PORT, REFUSED_MS)).toBe("timeout");
    await aws.json([
      "ec2",
      "replace-route",
      "--route-table-id",
      rtbPriv,
      "--destination-cidr-block",
      "0.0.0.0/0",
      "--nat-gateway-id",
      nat1.id,
    ]);
    await enforced();
    expect(await whoamiFrom("app", INTERNET, PORT, 5000)).toBe(nat1.eip);
  });

  it("ping reaches the internet node through the NAT gateway: ICMP echo translated by identifier (NAT-11)", async () => {
    const code = await new Promise<number>((resolve) => {
      execFile(
        "ip",
        ["netns", "exec", rt!.ns("app"), "ping", "-c", "1", "-W", "3", INTERNET],
        { timeout: 15_000 },
        (err) => resolve(err === null ? 0 : typeof err.code === "number" ? err.code : 1),
      );
    });
    expect(code).toBe(0);
  });

  it("deleting the NAT gateway turns the route blackhole and cuts the traffic (NAT-4, RT-15)", async () => {
    await aws.json(["ec2", "delete-nat-gateway", "--nat-gateway-id", nat1.id]);
    await enforced();
    const t = await aws.json<{
      RouteTables: { Routes: { DestinationCidrBlock?: string; State: string }[] }[];
    }>(["ec2", "describe-route-tables", "--route-table-ids", rtbPriv]);
    expect(
      t.RouteTables[0]!.Routes.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.State,
    ).toBe("blackhole");
    expect(await whoamiFrom("app", INTERNET, PORT, REFUSED_MS)).toBe("timeout");
    await natState(nat1.id, "deleted");
  });
});
