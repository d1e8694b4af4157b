/**
 * `vpcemu whatif` on real traffic (issue 13 items 4 and 7): live flows through real namespaces,
 * TUN devices and agents; the prediction of a revoke and of a NACL deny entry, then the change
 * applied and exactly the predicted flows dying on the wire. Root required.
 *
 *   VPC w 10.0.0.0/16, the default NACL on both subnets
 *   a 10.0.1.0/24                                b 10.0.2.0/24
 *     client 10.0.1.10 client-sg  ---------->      server 10.0.2.20 server-sg
 *       (no ingress, default egress)                  tcp 22   from 10.0.1.0/24  tracked
 *                                                     tcp 80   from 0.0.0.0/0    untracked at the
 *                                                              server (default egress all /0,
 *                                                              CT-2, CT-3)
 *                                                     udp 5353 from 10.0.1.0/24  tracked
 *   live flows: ssh-like session to 22, session to 80, a UDP flow from port 45353 to 5353
 */
import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnInNamespace } from "../../../cli/runtime/netns.js";
import type { WhatIfAnswer, WhatIfFlow } from "../../../controller/whatif/whatif.js";
import { startNetnsRuntime, type NetnsRuntime } from "../../helpers/chaos-runtime.js";
import type { ChaosSession } from "../../helpers/chaos-traffic.js";

const CLIENT = "10.0.1.10";
const SERVER = "10.0.2.20";
const UDP_SRC = 45353;

const TOPOLOGY = `description: whatif and audit netns test
vpcs:
  - { name: w, cidr: 10.0.0.0/16 }
subnets:
  - { name: a, vpc: w, cidr: 10.0.1.0/24 }
  - { name: b, vpc: w, cidr: 10.0.2.0/24 }
securityGroups:
  - name: client-sg
    vpc: w
  - name: server-sg
    vpc: w
    ingress:
      - { protocol: tcp, ports: 22, cidr: 10.0.1.0/24 }
      - { protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }
      - { protocol: udp, ports: 5353, cidr: 10.0.1.0/24 }
instances:
  - { name: client, subnet: a, securityGroups: [client-sg], privateIp: 10.0.1.10 }
  - { name: server, subnet: b, securityGroups: [server-sg], privateIp: 10.0.2.20 }
`;

/** A UDP flow from a fixed port: one datagram every 50 ms, a line per echo on stdout. */
class UdpFlow {
  private readonly child: ChildProcess;
  private echoes = 0;

  constructor(ns: string) {
    const script = `
      const s = require("node:dgram").createSocket("udp4");
      let seq = 0;
      s.on("message", (m) => process.stdout.write("echo " + m + "\\n"));
      s.bind(${UDP_SRC}, () => setInterval(() => s.send("u" + seq++, 5353, "${SERVER}"), 50));
      process.stdin.on("end", () => process.exit(0)).resume();`;
    this.child = spawnInNamespace(ns, process.execPath, ["-e", script], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      this.echoes += d.split("\n").filter((l) => l.startsWith("echo ")).length;
    });
  }

  /** Resolves true once a new echo arrives within timeoutMs, else false. */
  async echoesWithin(timeoutMs: number): Promise<boolean> {
    const start = this.echoes;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.echoes > start) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.echoes > start;
  }

  stop(): void {
    this.child.kill("SIGKILL");
  }
}

let rt: NetnsRuntime;
let ssh: ChaosSession;
let http: ChaosSession;
let udp: UdpFlow;

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rt.runtime.controllerUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function whatif(action: string, parameters: Record<string, unknown>): Promise<WhatIfAnswer> {
  const r = await api<WhatIfAnswer>("POST", "/v1/whatif", { action, parameters });
  expect(r.status).toBe(200);
  return r.body;
}

/** Our three flows, named by what the prediction lists. */
function nameOf(f: WhatIfFlow): string {
  if (f.protocol === 6 && f.src === CLIENT && f.dst === SERVER && f.srcPort === ssh.localPort)
    return "ssh";
  if (f.protocol === 6 && f.src === CLIENT && f.dst === SERVER && f.srcPort === http.localPort)
    return "http";
  if (f.protocol === 17 && f.src === CLIENT && f.srcPort === UDP_SRC && f.dstPort === 5353)
    return "udp";
  return `${f.protocol} ${f.src}:${f.srcPort}->${f.dst}:${f.dstPort}`;
}

const names = (flows: readonly WhatIfFlow[]): string[] => flows.map(nameOf).sort();

/** Which of our flows still carry traffic now. */
async function alive(): Promise<Record<string, boolean>> {
  const [s, h, u] = await Promise.all([ssh.send(2000), http.send(2000), udp.echoesWithin(2000)]);
  return { ssh: s.ok, http: h.ok, udp: u };
}

/** Waits (bounded) until the server's flow log holds an ACCEPT record of the http flow: untracked flows are known only from flow logs (CT-14). */
async function waitForHttpRecord(): Promise<void> {
  const eni = rt.eni("server");
  const want = new RegExp(` ${CLIENT} ${SERVER} ${http.localPort} 80 6 .* ACCEPT OK$`);
  const deadline = Date.now() + 100_000;
  for (;;) {
    const r = await api<{ records: string[] }>("GET", `/v1/flow-logs?eni=${eni}`);
    if (r.body.records.some((l) => want.test(l))) return;
    if (Date.now() > deadline)
      throw new Error(`no flow-log record of the http flow: ${JSON.stringify(r.body.records)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

beforeAll(async () => {
  // Why 2 s flow-log windows (default 60 s, FL-3): untracked flows are known only from flow-log
  // records, which a window publishes when it closes.
  rt = await startNetnsRuntime("wi", TOPOLOGY, { flowLogWindowMs: 2000 });
  const server = rt.probe("server");
  await server.tcpEchoServer(22);
  await server.tcpEchoServer(80);
  await server.udpEchoServer(5353);
  const client = rt.probe("client");
  ssh = await client.session(SERVER, 22);
  http = await client.session(SERVER, 80);
  udp = new UdpFlow(rt.ns("client"));
  expect(await alive()).toEqual({ ssh: true, http: true, udp: true });
}, 120_000);

afterAll(async () => {
  udp?.stop();
  await rt?.[Symbol.asyncDispose]();
});

describe("whatif on real traffic", () => {
  it("predicts that a revoke cuts exactly the untracked flow, then the revoke does (CT-5, CT-6, CT-14)", async () => {
    await waitForHttpRecord();
    const rule = {
      GroupId: rt.sg("w/server-sg"),
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    };
    const p = await whatif("RevokeSecurityGroupIngress", rule);
    expect(names(p.cut)).toEqual(["http"]);
    expect(names(p.survive)).toEqual(["ssh", "udp"]);
    const cut = p.cut[0]!;
    expect(cut).toMatchObject({
      srcEni: rt.eni("client"),
      dstEni: rt.eni("server"),
      source: "conntrack",
    });
    expect(cut.trackedOn).toEqual([rt.eni("client")]); // tracked at the client only
    expect(cut.decidedBy).toMatchObject({
      eniId: rt.eni("server"),
      reason: "sg_no_match",
      packet: "original",
      direction: "ingress",
    });
    expect(names(p.newlyDenied)).toContain("http");
    // Nothing applied: the flows are as they were.
    expect(await alive()).toEqual({ ssh: true, http: true, udp: true });

    await rt.runtime.ec2.send(new RevokeSecurityGroupIngressCommand(rule));
    await rt.runtime.settle();
    expect(await alive()).toEqual({ ssh: true, http: false, udp: true });
  }, 180_000);

  it("predicts that a NACL deny entry cuts the tracked flow it matches, then it does (NACL-8, CT-7)", async () => {
    const acls = await rt.runtime.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: "association.subnet-id", Values: [await subnetOf("server")] }],
      }),
    );
    const aclId = acls.NetworkAcls![0]!.NetworkAclId!;
    const entry = {
      NetworkAclId: aclId,
      RuleNumber: 10,
      Protocol: "6",
      RuleAction: "deny" as const,
      Egress: false,
      CidrBlock: `${CLIENT}/32`,
      PortRange: { From: 22, To: 22 },
    };
    const p = await whatif("CreateNetworkAclEntry", entry);
    expect(names(p.cut)).toEqual(["ssh"]);
    expect(names(p.survive)).toEqual(["udp"]); // http is already cut: not flowing
    expect(p.cut[0]!.decidedBy).toMatchObject({
      eniId: rt.eni("server"),
      reason: "nacl_denied",
      naclRule: 10,
      networkAclId: aclId,
      tracked: true,
    });
    try {
      await rt.runtime.ec2.send(new CreateNetworkAclEntryCommand(entry));
      await rt.runtime.settle();
      expect(await alive()).toEqual({ ssh: false, http: false, udp: true });
    } finally {
      await rt.runtime.ec2.send(
        new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 10, Egress: false }),
      );
      await rt.runtime.settle();
    }
    // CT-7: the entry outlived the block, so the tracked flow revives.
    expect((await ssh.send(3000)).ok).toBe(true);
  }, 60_000);

  it("answers an invalid call with the AWS error the real call would, and applies nothing", async () => {
    const r = await api<{ code: string; awsError: { code: string } }>("POST", "/v1/whatif", {
      action: "RevokeSecurityGroupIngress",
      parameters: {
        GroupId: "sg-0123456789abcdef0",
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
        ],
      },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: "EMU_ERR_API_WHATIF_REJECTED",
      awsError: { code: "InvalidGroup.NotFound" },
    });
  });
});

describe("audit mode on real traffic", () => {
  it("logs 'would block' for a staged rule set while the traffic still passes, and 'would allow' for what only it admits", async () => {
    const sg = rt.sg("w/server-sg");
    const staged = await api<{ revision: number; ingress: { ruleId: string }[] }>(
      "PUT",
      `/v1/audit/groups/${sg}`,
      {
        ingress: [
          {
            IpProtocol: "udp",
            FromPort: 5353,
            ToPort: 5353,
            IpRanges: [{ CidrIp: "10.0.1.0/24" }],
          },
          {
            IpProtocol: "tcp",
            FromPort: 8080,
            ToPort: 8080,
            IpRanges: [{ CidrIp: "10.0.1.0/24" }],
          },
        ],
      },
    );
    expect(staged.status).toBe(200);
    expect(staged.body.ingress.map((r) => r.ruleId)).toEqual([
      `${sg}:staged:ingress:1`,
      `${sg}:staged:ingress:2`,
    ]);
    await rt.runtime.settle(); // the agents enforce the staged revision (CompiledEniPolicy.audit)
    try {
      // The staged set has no tcp 22: a new ssh-like connection would be blocked, yet passes.
      const fresh = await rt.probe("client").session(SERVER, 22);
      try {
        expect((await fresh.send(2000)).ok).toBe(true);
        // Only the staged set admits 8080: the SYN is still dropped (nothing admitted by it).
        expect((await rt.probe("client").tcpConnect(SERVER, 8080, 1000)).ok).toBe(false);
        const server = rt.eni("server");
        type Ev = {
          kind: string;
          protocol: number;
          src: string;
          srcPort: number;
          dstPort: number;
          enforcedRuleId?: string;
          stagedRuleId?: string;
          direction: string;
          packets: number;
        };
        const deadline = Date.now() + 30_000;
        let events: Ev[] = [];
        for (;;) {
          events = (await api<{ events: Ev[] }>("GET", `/v1/audit/events?eni=${server}`)).body
            .events;
          const block = events.some(
            (e) => e.kind === "would_block" && e.srcPort === fresh.localPort,
          );
          const allow = events.some((e) => e.kind === "would_allow" && e.dstPort === 8080);
          if (block && allow) break;
          if (Date.now() > deadline)
            throw new Error(`audit events missing: ${JSON.stringify(events)}`);
          await new Promise((r) => setTimeout(r, 500));
        }
        expect(
          events.find((e) => e.kind === "would_block" && e.srcPort === fresh.localPort),
        ).toMatchObject({
          direction: "ingress",
          protocol: 6,
          src: CLIENT,
          dstPort: 22,
          enforcedRuleId: expect.stringMatching(/^sgr-/),
        });
        expect(events.find((e) => e.kind === "would_allow" && e.dstPort === 8080)).toMatchObject({
          direction: "ingress",
          src: CLIENT,
          stagedRuleId: `${sg}:staged:ingress:2`,
        });
        // The tracked UDP flow goes on through its entry: judged by no rule, never an event.
        expect(events.some((e) => e.protocol === 17)).toBe(false);
        expect(await udp.echoesWithin(2000)).toBe(true);
        const list = await api<{ staged: { kind: string; id: string }[] }>("GET", "/v1/audit");
        expect(list.body.staged).toEqual([expect.objectContaining({ kind: "group", id: sg })]);
      } finally {
        await fresh.close();
      }
    } finally {
      expect((await api("DELETE", `/v1/audit/groups/${sg}`)).status).toBe(200);
      await rt.runtime.settle();
    }
    expect((await api<{ code: string }>("DELETE", `/v1/audit/groups/${sg}`)).body.code).toBe(
      "EMU_ERR_API_AUDIT_NOT_FOUND",
    );
    const bad = await api<{ code: string; message: string }>("PUT", `/v1/audit/groups/${sg}`, {
      ingress: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 21, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("EMU_ERR_API_AUDIT_INVALID");
  }, 90_000);
});

async function subnetOf(node: string): Promise<string> {
  const r = await api<{ instances: { instanceId: string; subnetId: string }[] }>(
    "GET",
    "/v1/instances",
  );
  const id = rt.runtime.node(node).instanceId;
  return r.body.instances.find((i) => i.instanceId === id)!.subnetId;
}
