/**
 * Connection tracking on real traffic: UDP request/response and timeouts, ICMP echo, tracked
 * versus untracked flows on rule removal, the conntrack allowance, instance termination. Real
 * namespaces, TUN devices, agents over loopback UDP, sockets; root required.
 *
 *                          subnet a 10.0.1.0/24 | subnet b 10.0.2.0/24
 *   client 10.0.1.10 (default SG) ----+-------> open   10.0.2.10 open-sg: tcp 80 from 0.0.0.0/0
 *                                     |                  (untracked: default egress all /0),
 *                                     |                  tcp 22 from 10.0.1.0/24 (tracked)
 *                                     +-------> closed 10.0.2.20 closed-sg: NO egress rules;
 *                                     |                  udp 7, icmp, tcp 22 in; UdpTimeout 30,
 *                                     |                  UdpStreamTimeout 60 (set by the test)
 *                                     +-------> met    10.0.2.30 open-sg, vpcemu:conntrack-max 2
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchConntrack } from "../../../cli/runtime/conntrack-view.js";
import { namespaceExists, spawnInNamespace } from "../../../cli/runtime/netns.js";
import { startTestRuntime, type TestRuntime } from "../../helpers/netns-runtime.js";
import { waitUntil } from "../../helpers/wait-until.js";

const TOPOLOGY = `vpcs:
  - { name: v, cidr: 10.0.0.0/16 }
subnets:
  - { name: a, vpc: v, cidr: 10.0.1.0/24 }
  - { name: b, vpc: v, cidr: 10.0.2.0/24 }
securityGroups:
  - name: open-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }
      - { protocol: tcp, ports: 22, cidr: 10.0.1.0/24 }
  - name: closed-sg
    vpc: v
    egress: []
    ingress:
      - { protocol: udp, ports: 7, cidr: 10.0.0.0/16 }
      - { protocol: icmp, cidr: 0.0.0.0/0 }
      - { protocol: tcp, ports: 22, cidr: 10.0.1.0/24 }
instances:
  - { name: client, subnet: a, privateIp: 10.0.1.10 }
  - { name: open, subnet: b, securityGroups: [open-sg], privateIp: 10.0.2.10 }
  - { name: closed, subnet: b, securityGroups: [closed-sg], privateIp: 10.0.2.20 }
  - name: met
    subnet: b
    securityGroups: [open-sg]
    privateIp: 10.0.2.30
    tags: { "vpcemu:conntrack-max": "2" }
`;

const OPEN = "10.0.2.10";
const CLOSED = "10.0.2.20";
const MET = "10.0.2.30";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-ct-test-"));
let rt: TestRuntime;

async function entries(node: string) {
  const reports = await fetchConntrack(rt.runtime.controllerUrl, rt.runtime.node(node).instanceId!);
  return reports.flatMap((r) => r.entries);
}

beforeAll(async () => {
  const file = join(dir, "conntrack.yaml");
  writeFileSync(file, TOPOLOGY);
  rt = await startTestRuntime(file, ["ping"]);
  await rt.probes.server("open", "tcp", 80);
  await rt.probes.server("open", "tcp", 22);
  await rt.probes.server("closed", "udp", 7);
  await rt.probes.server("closed", "tcp", 22);
  await rt.probes.server("met", "tcp", 22);
  await rt.probes.server("met", "http", 80);
}, 120_000);

afterAll(async () => {
  await rt?.[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

describe("connection tracking on real traffic", () => {
  it("answers UDP requests with no egress rule, through a tracked entry (CT-1, CT-2)", async () => {
    const r = await rt.probes.udpRequest("client", CLOSED, 7, 2000, 3);
    expect(r.ok).toBe(true);
    const udp = (await entries("closed")).filter(
      (e) => e.protocol === 17 && e.original.dstPort === 7,
    );
    expect(udp.length).toBeGreaterThan(0);
    expect(udp[0]!.ruleId).toMatch(/^sgr-/);
  });

  it("answers ICMP echo with no egress rule; the echo is tracked (CT-8)", async () => {
    const r = await rt.probes.ping("client", CLOSED, 3);
    expect(r.ok).toBe(true);
    expect((await entries("closed")).some((e) => e.protocol === 1)).toBe(true);
  });

  it("cuts an untracked flow at once when its rule is revoked (CT-6, CT-3, CT-14)", async () => {
    const { runtime, probes } = rt;
    const session = await probes.session("client", OPEN, 80, 2000);
    try {
      expect((await session.send()).ok).toBe(true);
      // 80 from 0.0.0.0/0 + egress all to 0.0.0.0/0: untracked, so never in the table.
      expect((await entries("open")).filter((e) => e.original.dstPort === 80)).toEqual([]);
      const rule = {
        GroupId: runtime.applied!.securityGroups.get("v/open-sg")!,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      };
      await runtime.ec2.send(new RevokeSecurityGroupIngressCommand(rule));
      await runtime.settle();
      expect(await session.send()).toMatchObject({ ok: false, error: "timeout" });
      await runtime.ec2.send(new AuthorizeSecurityGroupIngressCommand(rule));
      await runtime.settle();
    } finally {
      await session.close();
    }
  });

  it("keeps a tracked flow when its rule is revoked; new connections fail (CT-5)", async () => {
    const { runtime, probes } = rt;
    const session = await probes.session("client", CLOSED, 22, 2000);
    try {
      expect((await session.send()).ok).toBe(true);
      await runtime.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: runtime.applied!.securityGroups.get("v/closed-sg")!,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
          ],
        }),
      );
      await runtime.settle();
      expect((await session.send()).ok).toBe(true);
      expect(await probes.tcpRequest("client", CLOSED, 22, 1500)).toMatchObject({
        ok: false,
        error: "timeout",
      });
      const ssh = (await entries("closed")).filter(
        (e) => e.protocol === 6 && e.original.dstPort === 22,
      );
      expect(ssh.map((e) => e.state)).toContain("ESTABLISHED");
    } finally {
      await session.close();
    }
  });

  it("drops new tracked flows beyond the allowance while old and untracked flows go on (MET-1, MET-2)", async () => {
    const { probes } = rt;
    const first = await probes.session("client", MET, 22, 2000);
    const second = await probes.session("client", MET, 22, 2000);
    try {
      expect((await first.send()).ok).toBe(true);
      expect((await second.send()).ok).toBe(true);
      expect(await probes.tcpRequest("client", MET, 22, 1500)).toMatchObject({
        ok: false,
        error: "timeout",
      });
      expect((await first.send()).ok).toBe(true);
      // Untracked flows take no allowance (MET-2): 80 from 0.0.0.0/0 with the default egress.
      expect((await probes.httpGet("client", MET, 80, 2000)).ok).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("expires UDP entries on the configured timeouts: 30 s single, 60 s stream (TO-1, TO-2, TO-7, CT-12)", async () => {
    const { runtime, probes } = rt;
    await runtime.ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: runtime.applied!.instances.get("closed")!.eniId,
        ConnectionTrackingSpecification: { UdpTimeout: 30, UdpStreamTimeout: 60 },
      }),
    );
    await runtime.settle();
    // closed has no egress rule: a reply leaves only while closed's entry lives. The echo
    // server answers the last request of each flow late, after the idle time given.
    const [early, late, stream, staleStream] = await Promise.all([
      probes.udpRequest("client", CLOSED, 7, 6_000, 1, [3_000]),
      probes.udpRequest("client", CLOSED, 7, 36_000, 1, [33_000]),
      probes.udpRequest("client", CLOSED, 7, 36_000, 3, [0, 0, 33_000]),
      probes.udpRequest("client", CLOSED, 7, 66_000, 3, [0, 0, 63_000]),
    ]);
    expect(early.ok).toBe(true); // within UdpTimeout
    expect(late).toMatchObject({ ok: false }); // single request-response idle 33 s > 30 s
    expect(stream.ok).toBe(true); // a stream idles up to UdpStreamTimeout (60 s)
    expect((staleStream.results as { ok: boolean }[]).map((r) => r.ok)).toEqual([
      true,
      true,
      false,
    ]);
  }, 120_000);

  it("keeps a live ping through an SG revoke (CT-5) but not through a NACL deny, which it survives (NACL-8)", async () => {
    const { runtime } = rt;
    const vpcId = runtime.applied!.vpcs.get("v")!;
    const acls = await runtime.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "default", Values: ["true"] },
        ],
      }),
    );
    const aclId = acls.NetworkAcls![0]!.NetworkAclId!;
    const icmpRule = {
      GroupId: runtime.applied!.securityGroups.get("v/closed-sg")!,
      IpPermissions: [
        { IpProtocol: "icmp", FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    };
    // One ping process = one echo id = one tracked flow (CT-8); -D stamps every reply.
    const ping = spawnInNamespace(
      runtime.node("client").namespace,
      "ping",
      ["-n", "-D", "-i", "0.05", CLOSED],
      {
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let out = "";
    ping.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    const now = () => Date.now() / 1000;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Each reply: when it came back (-D) and when its request left (minus its RTT).
    const replyLines = () =>
      [...out.matchAll(/^\[([\d.]+)\] \d+ bytes from .* time=([\d.]+) ms/gm)].map((m) => ({
        at: Number(m[1]),
        sent: Number(m[1]) - Number(m[2]) / 1000,
      }));
    const replyTimes = () => replyLines().map((r) => r.at);
    try {
      // The flow is tracked once the first reply is back (not after a guessed second).
      await waitUntil("ping's first reply", () => replyTimes().length > 0, 15_000, 20);
      await runtime.ec2.send(new RevokeSecurityGroupIngressCommand(icmpRule));
      await runtime.settle();
      const revoked = now();
      await sleep(1200); // observation window (CT-5: replies go on); settle() did the waiting
      const denyEntry = { NetworkAclId: aclId, RuleNumber: 10, Egress: false };
      await runtime.ec2.send(
        new CreateNetworkAclEntryCommand({
          ...denyEntry,
          Protocol: "1",
          RuleAction: "deny",
          CidrBlock: "10.0.1.0/24",
          IcmpTypeCode: { Type: -1, Code: -1 },
        }),
      );
      await runtime.settle();
      const denied = now();
      // Observation window, not an enforcement wait (settle() did that).
      await sleep(2500);
      const lifting = now();
      await runtime.ec2.send(new DeleteNetworkAclEntryCommand(denyEntry));
      await runtime.settle();
      const lifted = now();
      // NACL-8, CT-7: replies come back on the surviving entry; waited for, not slept on.
      await waitUntil(
        "a reply after the deny was lifted",
        () => replyTimes().some((t) => t > lifted + 0.3),
        10_000,
        20,
      );
      const end = now() + 0.01; // Date.now() is in ms, ping -D in µs: every reply seen is before it
      const replies = replyTimes();
      const between = (a: number, b: number) => replies.filter((t) => t > a && t < b).length;
      expect(between(revoked + 0.2, denied - 0.2)).toBeGreaterThan(0); // CT-5: tracked, still answered
      // NACL-8: cut. Judged by when each request left, not when its reply came: a request
      // that passed before the deny may come back late on a loaded machine (its RTT says so);
      // one sent after the deny was enforced must never be answered. The last second before
      // the lift is left out: a request held that long may be judged after the lift.
      const answeredSentIn = (a: number, b: number) =>
        replyLines().filter((r) => r.sent > a && r.sent < b).length;
      expect(answeredSentIn(denied, lifting - 1.0)).toBe(0);
      expect(between(lifted + 0.3, end)).toBeGreaterThan(0); // NACL-8, CT-7: the entry survived
      // A new ping (new echo id, new flow) is judged by the rules: no ICMP rule now.
      expect(await rt.probes.ping("client", CLOSED, 1, 1)).toMatchObject({ ok: false });
      await runtime.ec2.send(new AuthorizeSecurityGroupIngressCommand(icmpRule));
      await runtime.settle();
    } finally {
      ping.kill("SIGKILL");
    }
  });

  it("removes a node when its instance is terminated", async () => {
    const { runtime } = rt;
    const met = runtime.node("met");
    await runtime.ec2.send(new TerminateInstancesCommand({ InstanceIds: [met.instanceId!] }));
    await runtime.settle();
    expect(runtime.nodes().map((n) => n.name)).not.toContain("met");
    expect(await namespaceExists(met.namespace)).toBe(false);
  });
});
