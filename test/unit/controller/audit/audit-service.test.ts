/**
 * Audit mode's control side (controller/audit/audit-service.ts) and what the compiler makes of
 * a staged set (CompiledEniPolicy.audit): a real state store and the real EC2 handlers.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { AuditService } from "../../../../controller/audit/audit-service.js";
import type { AuditEvent } from "../../../../controller/audit/audit-types.js";
import { EC2_ACTIONS } from "../../../../controller/ec2/actions.js";
import { HubError } from "../../../../controller/hub/hub-errors.js";
import { compileEniPolicy, PolicyIndex } from "../../../../controller/policy/compile.js";
import { StateStore } from "../../../../controller/store/state-store.js";
import { queryParamsFromJson } from "../../../../controller/whatif/whatif.js";

let store: StateStore;
let events: AuditEvent[];
let audit: AuditService;
let ids: { sgA: string; sgB: string; eni: string; other: string };

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

function compiled(eniId: string) {
  const state = store.readPolicyState();
  const index = new PolicyIndex(state);
  return compileEniPolicy(index.enis.get(eniId)!, index, state.revision);
}

const perm = (port: number, cidr = "10.0.1.0/24") => ({
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: cidr }],
});

beforeEach(() => {
  store = StateStore.open(":memory:");
  ec2("CreateVpc", { CidrBlock: "10.0.0.0/16" });
  const vpcId = last(store.list("vpc").filter((v) => !v.isDefault)).vpcId;
  ec2("CreateSubnet", { VpcId: vpcId, CidrBlock: "10.0.1.0/24" });
  const subnet = last(store.list("subnet")).subnetId;
  ec2("CreateSecurityGroup", { GroupName: "a", GroupDescription: "a", VpcId: vpcId });
  const sgA = last(store.list("securityGroup")).groupId;
  ec2("CreateSecurityGroup", { GroupName: "b", GroupDescription: "b", VpcId: vpcId });
  const sgB = last(store.list("securityGroup")).groupId;
  ec2("AuthorizeSecurityGroupIngress", { GroupId: sgA, IpPermissions: [perm(22)] });
  ec2("AuthorizeSecurityGroupIngress", { GroupId: sgB, IpPermissions: [perm(443)] });
  ec2("CreateNetworkInterface", { SubnetId: subnet, SecurityGroupId: [sgA, sgB] });
  const eni = last(store.list("networkInterface")).eniId;
  ec2("CreateNetworkInterface", { SubnetId: subnet, SecurityGroupId: [sgB] });
  const other = last(store.list("networkInterface")).eniId;
  ids = { sgA, sgB, eni, other };
  events = [];
  audit = new AuditService(store, { auditEvents: () => ({ events, lost: 3 }) });
});

describe("audit mode: staging", () => {
  it("compiles a group's staged set beside the enforced rules, the other groups' enforced rules kept", () => {
    const rev = store.revision();
    const r = audit.stage("group", ids.sgA, { ingress: [perm(8080)] });
    expect(r.revision).toBe(rev + 1);
    expect(r.ingress).toEqual([
      expect.objectContaining({
        ruleId: `${ids.sgA}:staged:ingress:1`,
        protocol: "6",
        fromPort: 8080,
        cidrIpv4: "10.0.1.0/24",
      }),
    ]);
    expect(r.egress).toBeUndefined();
    const p = compiled(ids.eni);
    expect(p.ingress.map((x) => x.fromPort).sort()).toEqual([22, 443]); // enforced: untouched
    expect(p.audit!.ingress.map((x) => x.fromPort).sort()).toEqual([443, 8080]); // sg-b enforced + sg-a staged
    expect(p.audit!.egress.map((x) => x.ruleId)).toEqual(p.egress.map((x) => x.ruleId)); // egress kept
    expect(compiled(ids.other).audit).toBeUndefined(); // not a member of sg-a
  });

  it("lets an ENI's own staged set win over its groups'; [] stages 'allow nothing'", () => {
    audit.stage("group", ids.sgA, { ingress: [perm(8080)] });
    audit.stage("eni", ids.eni, { ingress: [] });
    expect(compiled(ids.eni).audit!.ingress).toEqual([]);
    expect(audit.list().map((s) => [s.kind, s.id])).toEqual([
      ["group", ids.sgA],
      ["eni", ids.eni],
    ]);
  });

  it("clears a staged set; clearing nothing or an unknown target is an error", () => {
    audit.stage("group", ids.sgA, { egress: [perm(53, "0.0.0.0/0")] });
    const rev = store.revision();
    expect(audit.clear("group", ids.sgA).revision).toBe(rev + 1);
    expect(compiled(ids.eni).audit).toBeUndefined();
    expect(() => audit.clear("group", ids.sgA)).toThrow(
      expect.objectContaining({ code: "EMU_ERR_API_AUDIT_NOT_FOUND" }),
    );
    expect(() => audit.stage("group", "sg-0123456789abcdef0", { ingress: [] })).toThrow(
      expect.objectContaining({ code: "EMU_ERR_API_AUDIT_UNKNOWN_TARGET" }),
    );
  });

  it.each([
    [[], /give \{"ingress"/],
    [{}, /give 'ingress'/],
    [{ ingress: "tcp" }, /must be a list/],
    [
      {
        ingress: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 21, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        ],
      },
      /InvalidParameterValue/,
    ],
    [{ ingress: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22 }] }, /ingress\[0\]/],
    [
      {
        ingress: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.300/8" }] },
        ],
      },
      /InvalidParameterValue/,
    ],
    [
      { ingress: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, Bogus: 1 }] },
      /unknown field 'Bogus'/,
    ],
    [{ ingress: [], extra: 1 }, /unknown field 'extra'/],
  ])("refuses %j with EMU_ERR_API_AUDIT_INVALID and changes nothing", (body, msg) => {
    const rev = store.revision();
    let err: unknown;
    try {
      audit.stage("group", ids.sgA, body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe("EMU_ERR_API_AUDIT_INVALID");
    expect((err as HubError).message).toMatch(msg);
    expect(store.revision()).toBe(rev);
  });

  it("filters the agents' events by ENI, group and kind", () => {
    const ev = (eniId: string, kind: AuditEvent["kind"]): AuditEvent => ({
      eniId,
      direction: "ingress",
      kind,
      protocol: 6,
      src: "10.0.1.9",
      srcPort: 40000,
      dst: "10.0.1.10",
      dstPort: 22,
      packets: 1,
      bytes: 60,
      firstAtMs: 1,
      lastAtMs: 1,
    });
    events = [ev(ids.eni, "would_block"), ev(ids.other, "would_allow"), ev(ids.eni, "would_allow")];
    expect(audit.events({ group: ids.sgA }).events).toHaveLength(2);
    expect(audit.events({ group: ids.sgB, kind: "would_allow" }).events).toHaveLength(2);
    expect(audit.events({ eni: ids.other })).toEqual({ events: [events[1]], lost: 3 });
    expect(audit.events({ limit: 1 }).events).toEqual([events[2]]);
    expect(() => audit.events({ kind: "maybe" })).toThrow(/would_block or would_allow/);
  });
});
