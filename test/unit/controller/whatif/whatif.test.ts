/**
 * The what-if prediction (controller/whatif/): a real state store and the real EC2 action
 * handlers, the ENIs' policies compiled as the hub compiles them, conntrack entries and
 * flow-log records as agents report them.
 *
 *   VPC 10.0.0.0/16, default NACL on both subnets
 *   a 10.0.1.0/24: client 10.0.1.10 client-sg (no ingress; default egress all to 0.0.0.0/0)
 *   b 10.0.2.0/24: server 10.0.2.20 server-sg: tcp 22 from 10.0.1.0/24 (tracked),
 *                  tcp 80 from 0.0.0.0/0 (untracked with the default egress, CT-2/CT-3),
 *                  udp 53 from 10.0.0.0/16 (tracked); default egress
 *   live: ssh 40001->22 (tracked both ends), http 40002->80 (tracked at the client only),
 *         dns 40003->53 (tracked both ends); refused: 10.0.1.10 -> 10.0.2.20:8080
 */
import { beforeEach, describe, expect, it } from "vitest";
import { EC2_ACTIONS } from "../../../../controller/ec2/actions.js";
import { compileEniPolicy, PolicyIndex } from "../../../../controller/policy/compile.js";
import type { ConntrackEntryReport } from "../../../../controller/reports/report-types.js";
import { StateStore } from "../../../../controller/store/state-store.js";
import type { RecentFlow } from "../../../../controller/whatif/recent-flows.js";
import {
  WhatIf,
  WhatIfRequestError,
  parseWhatIfRequest,
  queryParamsFromJson,
  type WhatIfAnswer,
  type WhatIfFlow,
  type WhatIfRejected,
} from "../../../../controller/whatif/whatif.js";

const CLIENT = "10.0.1.10";
const SERVER = "10.0.2.20";
const NOW = 1_800_000_000_000;

let store: StateStore;
let ids: { clientEni: string; serverEni: string; serverSg: string; naclB: string };
let conntrack: Map<string, ConntrackEntryReport[]>;
let recent: RecentFlow[];

function ec2(action: string, parameters: Record<string, unknown>): void {
  EC2_ACTIONS[action]!({
    store,
    params: queryParamsFromJson(action, parameters),
    region: "us-east-1",
    accountId: "123456789012",
    dryRun: false,
  });
}

const last = <T>(xs: T[]): T => xs[xs.length - 1]!;

function entry(
  protocol: number,
  sport: number,
  dport: number,
  direction: string,
): ConntrackEntryReport {
  return {
    protocol,
    original: { src: CLIENT, srcPort: sport, dst: SERVER, dstPort: dport },
    reply: { src: SERVER, srcPort: dport, dst: CLIENT, dstPort: sport },
    state: protocol === 6 ? "ESTABLISHED" : "UDP_STREAM",
    expiresAtMs: NOW + 60_000,
    packetsOriginal: 3,
    bytesOriginal: 180,
    packetsReply: 3,
    bytesReply: 180,
    ruleId: "sgr-x",
    direction,
  };
}

function flowRecord(
  eniId: string,
  src: string,
  sport: number,
  dst: string,
  dport: number,
  action: "ACCEPT" | "REJECT",
): RecentFlow {
  return {
    eniId,
    protocol: 6,
    src,
    srcPort: sport,
    dst,
    dstPort: dport,
    action,
    direction:
      src === CLIENT
        ? eniId === ids.clientEni
          ? "egress"
          : "ingress"
        : eniId === ids.clientEni
          ? "ingress"
          : "egress",
    endMs: NOW - 10_000,
    tcpFlags: 27,
  };
}

function whatif(): WhatIf {
  return new WhatIf({
    store,
    region: "us-east-1",
    accountId: "123456789012",
    now: () => NOW,
    source: {
      hostedPolicies: () => {
        const state = store.readPolicyState();
        const index = new PolicyIndex(state);
        return state.networkInterfaces.map((e) => compileEniPolicy(e, index, state.revision));
      },
      conntrack: async () => conntrack,
      recentFlows: (since) => recent.filter((f) => f.endMs >= since),
    },
  });
}

async function ask(action: string, parameters: Record<string, unknown>): Promise<WhatIfAnswer> {
  const r = await whatif().evaluate(parseWhatIfRequest({ action, parameters }));
  if ("rejected" in r) throw new Error(`rejected: ${r.awsCode} ${r.message}`);
  return r;
}

const ports = (flows: readonly WhatIfFlow[]): number[] =>
  flows.map((f) => f.dstPort).sort((a, b) => a - b);

beforeEach(() => {
  store = StateStore.open(":memory:");
  ec2("CreateVpc", { CidrBlock: "10.0.0.0/16" });
  const vpcId = last(store.list("vpc").filter((v) => !v.isDefault)).vpcId;
  ec2("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.1.0/24" });
  ec2("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.2.0/24" });
  const subnets = store.list("subnet").filter((s) => s.vpcId === vpcId);
  const [a, b] = [
    subnets.find((s) => s.cidrBlock === "10.0.1.0/24")!,
    subnets.find((s) => s.cidrBlock === "10.0.2.0/24")!,
  ];
  ec2("CreateSecurityGroup", { GroupName: "client-sg", GroupDescription: "c", VpcId: vpcId });
  const clientSg = last(store.list("securityGroup")).groupId;
  ec2("CreateSecurityGroup", { GroupName: "server-sg", GroupDescription: "s", VpcId: vpcId });
  const serverSg = last(store.list("securityGroup")).groupId;
  ec2("AuthorizeSecurityGroupIngress", {
    GroupId: serverSg,
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      { IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: "10.0.0.0/16" }] },
    ],
  });
  ec2("CreateNetworkInterface", {
    SubnetId: a.subnetId,
    PrivateIpAddress: CLIENT,
    SecurityGroupId: [clientSg],
  });
  const clientEni = last(store.list("networkInterface")).eniId;
  ec2("CreateNetworkInterface", {
    SubnetId: b.subnetId,
    PrivateIpAddress: SERVER,
    SecurityGroupId: [serverSg],
  });
  const serverEni = last(store.list("networkInterface")).eniId;
  ids = { clientEni, serverEni, serverSg, naclB: b.networkAclId };
  conntrack = new Map([
    [
      clientEni,
      [
        entry(6, 40001, 22, "egress"),
        entry(6, 40002, 80, "egress"),
        entry(17, 40003, 53, "egress"),
      ],
    ],
    [serverEni, [entry(6, 40001, 22, "ingress"), entry(17, 40003, 53, "ingress")]],
  ]);
  recent = [
    flowRecord(serverEni, CLIENT, 40002, SERVER, 80, "ACCEPT"),
    flowRecord(serverEni, SERVER, 80, CLIENT, 40002, "ACCEPT"),
    flowRecord(serverEni, CLIENT, 40009, SERVER, 8080, "REJECT"),
  ];
});

describe("whatif", () => {
  it("cuts the untracked flow of a revoked /0 rule and keeps the tracked ones (CT-5, CT-6, CT-2)", async () => {
    const r = await ask("RevokeSecurityGroupIngress", {
      GroupId: ids.serverSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    });
    expect(r.changedEnis).toEqual([ids.serverEni]);
    expect(ports(r.cut)).toEqual([80]);
    expect(ports(r.survive)).toEqual([22, 53]);
    const http = r.cut[0]!;
    expect(http).toMatchObject({
      src: CLIENT,
      srcPort: 40002,
      dstPort: 80,
      srcEni: ids.clientEni,
      dstEni: ids.serverEni,
      trackedOn: [ids.clientEni],
    });
    expect(http.decidedBy).toMatchObject({
      eniId: ids.serverEni,
      pass: false,
      reason: "sg_no_match",
      packet: "original",
      direction: "ingress",
    });
    // Before: the server admitted it untracked by the /0 rule.
    expect(http.before.find((s) => s.eniId === ids.serverEni)).toMatchObject({
      pass: true,
      tracked: false,
      via: "rule",
      groupId: ids.serverSg,
    });
    expect(r.survive.every((f) => f.after.every((s) => s.via === "conntrack"))).toBe(true);
    // A survivor is explained at the ENI whose policy the change alters.
    expect(r.survive.map((f) => f.decidedBy?.eniId)).toEqual([ids.serverEni, ids.serverEni]);
    expect(ports(r.newlyDenied)).toEqual([80]);
    expect(r.newlyAllowed).toEqual([]);
  });

  it("keeps a tracked flow whose rule is revoked, and denies new ones like it (CT-5)", async () => {
    const r = await ask("RevokeSecurityGroupIngress", {
      GroupId: ids.serverSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
      ],
    });
    expect(r.cut).toEqual([]);
    expect(ports(r.survive)).toEqual([22, 53, 80]);
    expect(ports(r.newlyDenied)).toEqual([22]);
    expect(r.newlyDenied[0]!.decidedBy).toMatchObject({
      eniId: ids.serverEni,
      reason: "sg_no_match",
    });
  });

  it("cuts tracked flows a NACL deny entry matches, naming the entry (NACL-8, CT-7)", async () => {
    const r = await ask("CreateNetworkAclEntry", {
      NetworkAclId: ids.naclB,
      RuleNumber: 10,
      Protocol: "6",
      RuleAction: "deny",
      Egress: false,
      CidrBlock: "10.0.1.0/24",
      PortRange: { From: 22, To: 22 },
    });
    expect(ports(r.cut)).toEqual([22]);
    expect(r.cut[0]!.decidedBy).toMatchObject({
      eniId: ids.serverEni,
      reason: "nacl_denied",
      naclRule: 10,
      networkAclId: ids.naclB,
      packet: "original",
      direction: "ingress",
      tracked: true,
    });
    expect(ports(r.survive)).toEqual([53, 80]);
    expect(ports(r.newlyDenied)).toEqual([22]);
  });

  it("allows a refused connection once a rule admits it", async () => {
    const r = await ask("AuthorizeSecurityGroupIngress", {
      GroupId: ids.serverSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: "10.0.1.10/32" }] },
      ],
    });
    expect(ports(r.newlyAllowed)).toEqual([8080]);
    expect(r.newlyAllowed[0]!.after.find((s) => s.eniId === ids.serverEni)).toMatchObject({
      pass: true,
      tracked: true,
      via: "rule",
    });
    expect(r.cut).toEqual([]);
  });

  it("judges only flows touching an ENI the change alters, and caps each list at 'limit'", async () => {
    ec2("CreateSecurityGroup", {
      GroupName: "lonely",
      GroupDescription: "l",
      VpcId: store.get("networkInterface", ids.serverEni)!.vpcId,
    });
    const lonely = last(store.list("securityGroup")).groupId;
    const none = await ask("AuthorizeSecurityGroupIngress", {
      GroupId: lonely,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
      ],
    });
    expect(none).toMatchObject({
      changedEnis: [],
      unaffected: 3,
      survive: [],
      cut: [],
      newlyDenied: [],
    });
    const r = await whatif().evaluate(
      parseWhatIfRequest({
        action: "RevokeSecurityGroupIngress",
        parameters: {
          GroupId: ids.serverSg,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
          ],
        },
        limit: 1,
      }),
    );
    expect(r).toMatchObject({
      limit: 1,
      totals: { survive: 3, cut: 0, newlyDenied: 1, newlyAllowed: 0 },
    });
    expect((r as WhatIfAnswer).survive).toHaveLength(1);
  });

  it("changes nothing: the store's revision, rules and change events stay as they were", async () => {
    const rev = store.revision();
    const rules = store.get("securityGroup", ids.serverSg)!.rules.length;
    let changes = 0;
    store.onChange(() => changes++);
    await ask("RevokeSecurityGroupIngress", {
      GroupId: ids.serverSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    });
    expect(store.revision()).toBe(rev);
    expect(store.get("securityGroup", ids.serverSg)!.rules.length).toBe(rules);
    expect(changes).toBe(0);
    expect(store.readPolicyState().revision).toBe(rev);
  });

  it("answers the AWS error the real call would, and applies nothing", async () => {
    const w = whatif();
    const r = (await w.evaluate(
      parseWhatIfRequest({
        query: `Action=RevokeSecurityGroupIngress&GroupId=sg-0123456789abcdef0&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.0.1.0/24`,
      }),
    )) as WhatIfRejected;
    expect(r).toMatchObject({ rejected: true, status: 400, awsCode: "InvalidGroup.NotFound" });
    const dup = (await w.evaluate(
      parseWhatIfRequest({
        action: "AuthorizeSecurityGroupIngress",
        parameters: {
          GroupId: ids.serverSg,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
          ],
        },
      }),
    )) as WhatIfRejected;
    expect(dup).toMatchObject({ rejected: true, awsCode: "InvalidPermission.Duplicate" });
  });

  it("refuses calls it cannot judge and malformed bodies", async () => {
    await expect(
      whatif().evaluate(
        parseWhatIfRequest({ action: "CreateVpc", parameters: { CidrBlock: "10.9.0.0/16" } }),
      ),
    ).rejects.toThrow(WhatIfRequestError);
    expect(() => parseWhatIfRequest([])).toThrow(WhatIfRequestError);
    expect(() => parseWhatIfRequest({ action: "RevokeSecurityGroupIngress", bogus: 1 })).toThrow(
      /unknown field 'bogus'/,
    );
    expect(() => parseWhatIfRequest({ action: "X", recentSeconds: -1 })).toThrow(/recentSeconds/);
  });
});
