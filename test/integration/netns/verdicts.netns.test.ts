/**
 * Verdict events on real traffic (issue 13 items 1 and 7; docs/observability.md "Verdict
 * events" VE-1..VE-4, docs/json-api.md `/v1/traces`): every drop site reachable with real
 * packets from kernel sockets, ping and iproute2 inside the namespaces names its own reason in a
 * trace's events; an SG drop names the groups, a NACL drop its rule number, an accept its SG
 * rule id, a chaos drop its fault id. A local runtime (real namespaces, TUN devices, agents over
 * loopback UDP, the controller a child process) from startNetnsRuntime; later changes through the
 * EC2 API (@aws-sdk/client-ec2) and the fault API, each followed by a wait until every agent
 * enforces the new revision (GET /v1/revision); events are polled with a deadline.
 *
 *   VPC 10.63.0.0/16
 *     a 10.63.1.0/24 (default NACL): web 10.63.1.10 web-sg (nothing in)
 *     b 10.63.2.0/24, b-acl: in 50 deny tcp 8081 from 10.63.1.0/24, 100 allow all; out 100 allow
 *          db 10.63.2.20 db-sg (tcp 8080-8082 from 10.63.1.0/24) + admin-sg (tcp 22 from 10.63.1.0/24)
 *   (namespaces vpcemu-chaosverd<pid>x<n>-<node>)
 *
 * Root required (fails naming what is missing, never skips).
 */
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import {
  CreateNetworkAclEntryCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNetnsRuntime, type NetnsRuntime } from "../../helpers/chaos-runtime.js";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  encodeEniOption,
  vniForVpc,
  writeGeneveHeader,
} from "../../../node-agent/overlay/geneve.js";
import { buildUdp } from "../../helpers/packet-builder.js";

const WEB = "10.63.1.10";
const DB = "10.63.2.20";
const REFUSED_MS = 1200;

const TOPOLOGY = `description: verdict events netns test
vpcs:
  - { name: v, cidr: 10.63.0.0/16 }
subnets:
  - { name: a, vpc: v, cidr: 10.63.1.0/24 }
  - { name: b, vpc: v, cidr: 10.63.2.0/24 }
securityGroups:
  - name: web-sg
    vpc: v
  - name: db-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: 8080-8082, cidr: 10.63.1.0/24 }
  - name: admin-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: 22, cidr: 10.63.1.0/24 }
networkAcls:
  - name: b-acl
    vpc: v
    subnets: [b]
    ingress:
      - { rule: 50, action: deny, protocol: tcp, cidr: 10.63.1.0/24, ports: 8081 }
      - { rule: 100, action: allow, protocol: -1, cidr: 0.0.0.0/0 }
    egress:
      - { rule: 100, action: allow, protocol: -1, cidr: 0.0.0.0/0 }
instances:
  - { name: web, subnet: a, securityGroups: [web-sg], privateIp: ${WEB} }
  - { name: db, subnet: b, securityGroups: [db-sg, admin-sg], privateIp: ${DB} }
`;

interface TraceEvent {
  seq: number;
  eniId: string;
  direction: string;
  verdict: string;
  reason: string;
  site?: string;
  sgRuleId?: string;
  noMatchGroups?: string[];
  naclId?: string;
  naclRuleNumber?: number | "*";
  conntrack: string;
  faultId?: string;
  protocol?: number;
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  length: number;
}

let rt: NetnsRuntime | undefined;
let ec2: EC2Client;
let traceId = "";
let since = 1;
const seen: TraceEvent[] = [];

async function json(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${rt!.runtime.controllerUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

/** Every agent enforces the controller's current revision. */
async function enforced(): Promise<void> {
  const now = await rt!.api.revision();
  await rt!.api.waitEnforced(rt!.agentCount, now.revision);
}

/** Reads the trace until an event matching `want` arrived (10 s at most); returns it. */
async function eventWhere(what: string, want: (e: TraceEvent) => boolean): Promise<TraceEvent> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const hit = seen.find(want);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) {
      throw new Error(
        `no trace event ${what}; seen:\n${seen.map((e) => JSON.stringify(e)).join("\n")}`,
      );
    }
    const r = await json("GET", `/v1/traces/${traceId}/events?since=${since}`);
    expect(r.status).toBe(200);
    seen.push(...(r.body.events as TraceEvent[]));
    since = r.body.next as number;
    if ((r.body.events as TraceEvent[]).length === 0)
      await new Promise((res) => setTimeout(res, 50));
  }
}

function inNs(
  node: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("ip", ["netns", "exec", rt!.ns(node), ...args], {
    encoding: "utf8",
    timeout: 10_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  rt = await startNetnsRuntime("verd", TOPOLOGY, { extraCommands: ["ping"] });
  ec2 = new EC2Client({
    endpoint: rt.runtime.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  await enforced();
  for (const port of [8080, 8081, 8082, 22]) await rt.probe("db").tcpEchoServer(port);
  const t = await json("POST", "/v1/traces", {
    enis: [rt.eni("web"), rt.eni("db")],
    durationSeconds: 600,
  });
  expect(t.status).toBe(201);
  traceId = t.body.traceId;
}, 120_000);

afterAll(async () => {
  if (traceId !== "" && rt !== undefined)
    await json("DELETE", `/v1/traces/${traceId}`).catch(() => undefined);
  ec2?.destroy();
  await rt?.[Symbol.asyncDispose]();
}, 60_000);

const tcpFrom = (e: TraceEvent, dstPort: number) =>
  e.protocol === 6 && e.dstPort === dstPort && e.src === WEB;

describe("verdict events on real traffic: one reason per site, the decision's names", () => {
  it("an accepted connection names the SG rule on both sides, the NACL entry, and conntrack new then established (VE-1, VE-2)", async () => {
    expect(await rt!.probe("web").tcpEcho(DB, 8080, 5000)).toMatchObject({ ok: true });
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: "group-id", Values: [rt!.sg("v/db-sg")] }],
      }),
    );
    const dbRule = rules.SecurityGroupRules!.find(
      (r) => !r.IsEgress && r.FromPort === 8080,
    )!.SecurityGroupRuleId!;
    const webOut = await eventWhere(
      "web egress accept :8080",
      (e) => e.eniId === rt!.eni("web") && e.direction === "egress" && tcpFrom(e, 8080),
    );
    expect(webOut).toMatchObject({
      verdict: "accept",
      reason: "sg_rule",
      conntrack: "new",
      sgRuleId: expect.stringMatching(/^sgr-/),
      naclRuleNumber: 100,
    });
    const dbIn = await eventWhere(
      "db ingress accept :8080",
      (e) => e.eniId === rt!.eni("db") && e.direction === "ingress" && tcpFrom(e, 8080),
    );
    expect(dbIn).toMatchObject({
      verdict: "accept",
      reason: "sg_rule",
      sgRuleId: dbRule,
      conntrack: "new",
      naclId: expect.stringMatching(/^acl-/),
      naclRuleNumber: 100,
    });
    const reply = await eventWhere(
      "db's reply",
      (e) => e.eniId === rt!.eni("db") && e.direction === "egress" && e.srcPort === 8080,
    );
    expect(reply).toMatchObject({
      verdict: "accept",
      reason: "conntrack_established",
      sgRuleId: dbRule,
      conntrack: "established",
    });
  });

  it("an SG drop names the ENI's groups: no rule of groups [db-sg, admin-sg] matched (VE-3, sg_no_match)", async () => {
    expect((await rt!.probe("web").tcpConnect(DB, 9000, REFUSED_MS)).ok).toBe(false);
    const e = await eventWhere("sg drop :9000", (x) => tcpFrom(x, 9000) && x.verdict === "drop");
    expect(e).toMatchObject({
      eniId: rt!.eni("db"),
      direction: "ingress",
      reason: "sg_no_match",
      noMatchGroups: [rt!.sg("v/db-sg"), rt!.sg("v/admin-sg")],
      naclRuleNumber: 100,
      conntrack: "none",
    });
    expect(e.sgRuleId).toBeUndefined();
  });

  it("a NACL drop names the entry, also one added later through the EC2 API (VE-3, nacl_denied)", async () => {
    expect((await rt!.probe("web").tcpConnect(DB, 8081, REFUSED_MS)).ok).toBe(false);
    const first = await eventWhere(
      "nacl drop :8081",
      (x) => tcpFrom(x, 8081) && x.verdict === "drop",
    );
    expect(first).toMatchObject({
      eniId: rt!.eni("db"),
      direction: "ingress",
      reason: "nacl_denied",
      naclRuleNumber: 50,
      conntrack: "none",
    });
    const naclId = first.naclId!;
    expect(naclId).toMatch(/^acl-/);
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: naclId,
        RuleNumber: 60,
        Egress: false,
        Protocol: "6",
        RuleAction: "deny",
        CidrBlock: `${WEB}/32`,
        PortRange: { From: 8082, To: 8082 },
      }),
    );
    await enforced();
    expect((await rt!.probe("web").tcpConnect(DB, 8082, REFUSED_MS)).ok).toBe(false);
    const second = await eventWhere(
      "nacl drop :8082",
      (x) => tcpFrom(x, 8082) && x.verdict === "drop",
    );
    expect(second).toMatchObject({ reason: "nacl_denied", naclId, naclRuleNumber: 60 });
  });

  it("source_check: web sends from an address it does not own (egress site)", async () => {
    const dev = inNs("web", ["ip", "-o", "-4", "addr", "show"]).stdout.match(
      /^\d+: (\S+)\s+inet 10\.63\.1\.10\//m,
    )?.[1];
    expect(dev).toBeDefined();
    expect(inNs("web", ["ip", "addr", "add", "10.63.1.99/32", "dev", dev!]).status).toBe(0);
    try {
      inNs("web", ["ping", "-n", "-c", "1", "-W", "1", "-I", "10.63.1.99", DB]);
    } finally {
      inNs("web", ["ip", "addr", "del", "10.63.1.99/32", "dev", dev!]);
    }
    const e = await eventWhere("source_check", (x) => x.reason === "source_check");
    expect(e).toMatchObject({
      eniId: rt!.eni("web"),
      direction: "egress",
      verdict: "drop",
      src: "10.63.1.99",
      dst: DB,
      protocol: 1,
      icmpType: 8,
    });
  });

  it("no_route: web sends to an address no route covers (egress route step)", async () => {
    inNs("web", ["ping", "-n", "-c", "1", "-W", "1", "10.99.0.1"]);
    const e = await eventWhere("no_route", (x) => x.reason === "no_route" && x.dst === "10.99.0.1");
    expect(e).toMatchObject({
      eniId: rt!.eni("web"),
      direction: "egress",
      verdict: "drop",
      src: WEB,
      protocol: 1,
    });
  });

  it("fault_blackhole names the chaos fault that dropped the packet", async () => {
    const fault = await rt!.api.addActive({
      from: ["instance:web"],
      to: ["instance:db"],
      protocol: "tcp",
      ports: "22",
      effects: { blackhole: true },
    });
    await enforced();
    try {
      expect((await rt!.probe("web").tcpConnect(DB, 22, REFUSED_MS)).ok).toBe(false);
      const e = await eventWhere("fault_blackhole", (x) => x.reason === "fault_blackhole");
      expect(e).toMatchObject({
        eniId: rt!.eni("web"),
        direction: "egress",
        verdict: "drop",
        faultId: fault.faultId,
        dstPort: 22,
      });
    } finally {
      await rt!.api.removeEnforced(fault.faultId, rt!.agentCount);
    }
  });

  it("instance_stopped: a packet for a stopped instance is dropped where it is delivered (INST-2, ingress site)", async () => {
    const dbInstance = rt!.runtime.applied!.instances.get("db")!.instanceId;
    await ec2.send(new StopInstancesCommand({ InstanceIds: [dbInstance] }));
    await enforced();
    try {
      expect((await rt!.probe("web").tcpConnect(DB, 8080, REFUSED_MS)).ok).toBe(false);
      const e = await eventWhere("instance_stopped", (x) => x.reason === "instance_stopped");
      expect(e).toMatchObject({
        eniId: rt!.eni("db"),
        direction: "ingress",
        verdict: "drop",
        src: WEB,
        dstPort: 8080,
      });
    } finally {
      await ec2.send(new StartInstancesCommand({ InstanceIds: [dbInstance] }));
      await enforced();
    }
  });

  it("spoofed_underlay: a well-formed Geneve datagram claiming web's ENI, sent from a host socket on loopback to db's agent", async () => {
    const agents = (await json("GET", "/v1/agents")).body.agents as {
      agentId: string;
      endpoint: string;
      eniIds: string[];
    }[];
    const dbAgent = agents.find((a) => a.eniIds.includes(rt!.eni("db")))!;
    // Network safety: only a 127.0.0.0/8 endpoint is ever sent to.
    const m = /^(127\.\d+\.\d+\.\d+):(\d+)$/.exec(dbAgent.endpoint);
    expect(m).not.toBeNull();
    const snap = (await json("GET", `/v1/snapshot?agent=${dbAgent.agentId}`)).body as {
      enis: { eniId: string; vpcId: string }[];
    };
    const vpcId = snap.enis.find((e) => e.eniId === rt!.eni("db"))!.vpcId;
    const inner = buildUdp({
      src: WEB,
      dst: DB,
      srcPort: 40999,
      dstPort: 5400,
      payload: new Uint8Array(8),
    });
    const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
    buf.set(inner, ENCAP_HEADROOM);
    const start = writeGeneveHeader(
      buf,
      ENCAP_HEADROOM,
      vniForVpc(vpcId),
      ETHERTYPE_IPV4,
      encodeEniOption(rt!.eni("web")),
      encodeEniOption(rt!.eni("db")),
    );
    const sock = createSocket("udp4");
    try {
      await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
      await new Promise<void>((resolve, reject) =>
        sock.send(buf.subarray(start), Number(m![2]), m![1], (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    } finally {
      sock.close();
    }
    const e = await eventWhere("spoofed_underlay", (x) => x.reason === "spoofed_underlay");
    expect(e).toMatchObject({
      eniId: rt!.eni("db"),
      direction: "ingress",
      verdict: "drop",
      protocol: 17,
      src: WEB,
      dst: DB,
      srcPort: 40999,
      dstPort: 5400,
      length: inner.length,
    });
  });

  it("each drop reason seen came from one site (one direction each), and every site above was reached (VE-4)", () => {
    const drops = seen.filter((e) => e.verdict === "drop");
    const reasons = new Set(drops.map((e) => e.reason));
    for (const r of [
      "sg_no_match",
      "nacl_denied",
      "source_check",
      "no_route",
      "fault_blackhole",
      "instance_stopped",
    ])
      expect(reasons).toContain(r);
    for (const r of reasons) {
      const sites = new Set(drops.filter((e) => e.reason === r).map((e) => e.direction));
      expect([r, sites.size]).toEqual([r, 1]);
    }
  });
});
