/**
 * What-if and audit mode through the real controller and two in-process agents (FakeTun,
 * MemoryBus; no root): POST /v1/whatif reads the agents' conntrack tables and flow-log records
 * and judges a proposed call; the /v1/audit routes stage a rule set that the agents judge beside
 * the enforced one (docs/observability.md "What-if", "Audit mode"; docs/json-api.md). The real
 * traffic version is test/integration/netns/whatif-audit.netns.test.ts.
 *
 *   web 10.0.1.x web-sg (default egress) --> db 10.0.2.x db-sg: tcp 3306 from web-sg (tracked),
 *                                                              tcp 80 from 0.0.0.0/0 (untracked,
 *                                                              default egress all /0: CT-2/CT-3)
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeNetworkAclsCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import type { WhatIfAnswer, WhatIfFlow } from "../../controller/whatif/whatif.js";
import {
  createWebDbTopology,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import { buildTcp } from "../helpers/packet-builder.js";
import { waitUntil } from "../helpers/wait-until.js";

let h: TestController;
const ids = { webEni: "", dbEni: "", dbSg: "", webSg: "", dbSubnet: "" };
let webIp = "";
let dbIp = "";
let webTun: FakeTun;
let dbTun: FakeTun;

async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, h.ctl.ec2Endpoint), {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const syn = (sport: number, dport: number) =>
  buildTcp({ src: webIp, dst: dbIp, srcPort: sport, dstPort: dport, flags: TcpFlag.SYN, seq: 1 });

const ports = (flows: readonly WhatIfFlow[]) =>
  flows
    .filter((f) => f.src === webIp)
    .map((f) => f.srcPort)
    .sort();

beforeAll(async () => {
  h = await startTestController();
  const t = await createWebDbTopology(h.ec2);
  webIp = t.web.PrivateIpAddress!;
  dbIp = t.db.PrivateIpAddress!;
  Object.assign(ids, {
    webEni: t.web.NetworkInterfaces![0]!.NetworkInterfaceId!,
    dbEni: t.db.NetworkInterfaces![0]!.NetworkInterfaceId!,
    dbSg: t.dbSg,
    webSg: t.webSg,
    dbSubnet: t.dbSubnet,
  });
  await h.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: t.dbSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    }),
  );
  const opts = { reportIntervalMs: 100, flowLogWindowMs: 1000 };
  const a = await h.startAgent({
    agentId: "agent-web",
    instanceIds: [t.web.InstanceId!],
    endpoint: "127.0.0.1:7501",
    ...opts,
  });
  const b = await h.startAgent({
    agentId: "agent-db",
    instanceIds: [t.db.InstanceId!],
    endpoint: "127.0.0.1:7502",
    ...opts,
  });
  await h.enforced();
  webTun = await a.tuns.tun(ids.webEni);
  dbTun = await b.tuns.tun(ids.dbEni);
  // A tracked flow (3306) and an untracked one (80, tracked only at web), both delivered.
  webTun.send(syn(41000, 3306));
  await dbTun.nextReceived();
  webTun.send(syn(41001, 80));
  await dbTun.nextReceived();
  // The untracked flow is known from db's flow log only (CT-14): wait for its record.
  await waitUntil(
    "db's flow-log record of the port 80 flow",
    async () =>
      (await api<{ records: string[] }>("GET", `/v1/flow-logs?eni=${ids.dbEni}`)).body.records.some(
        (l) => l.includes(` 41001 80 6 `),
      ),
    10_000,
    50,
  );
});

afterAll(async () => {
  await h?.stop();
});

describe("POST /v1/whatif", () => {
  it("predicts a revoke: the untracked flow cut, the tracked one surviving (CT-5, CT-6)", async () => {
    const r = await api<WhatIfAnswer>("POST", "/v1/whatif", {
      action: "RevokeSecurityGroupIngress",
      parameters: {
        GroupId: ids.dbSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(ports(r.body.cut)).toEqual([41001]);
    expect(ports(r.body.survive)).toEqual([41000]);
    expect(r.body.cut[0]).toMatchObject({
      srcEni: ids.webEni,
      dstEni: ids.dbEni,
      trackedOn: [ids.webEni],
    });
    expect(r.body.cut[0]!.decidedBy).toMatchObject({
      eniId: ids.dbEni,
      reason: "sg_no_match",
      direction: "ingress",
    });
    expect(r.body.changedEnis).toEqual([ids.dbEni]);
  });

  it("predicts a NACL deny entry cutting the tracked flow, in the Query form (NACL-8)", async () => {
    const acls = await h.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: "association.subnet-id", Values: [ids.dbSubnet] }],
      }),
    );
    const acl = acls.NetworkAcls![0]!.NetworkAclId!;
    const r = await api<WhatIfAnswer>("POST", "/v1/whatif", {
      query: `Action=CreateNetworkAclEntry&NetworkAclId=${acl}&RuleNumber=5&Protocol=6&RuleAction=deny&Egress=false&CidrBlock=10.0.1.0/24&PortRange.From=3306&PortRange.To=3306`,
    });
    expect(r.status).toBe(200);
    expect(ports(r.body.cut)).toEqual([41000]);
    expect(r.body.cut[0]!.decidedBy).toMatchObject({
      eniId: ids.dbEni,
      reason: "nacl_denied",
      naclRule: 5,
      networkAclId: acl,
      tracked: true,
    });
    expect(ports(r.body.survive)).toEqual([41001]);
  });

  it.each([
    [
      { action: "CreateVpc", parameters: { CidrBlock: "10.9.0.0/16" } },
      400,
      "EMU_ERR_API_WHATIF_BAD_REQUEST",
    ],
    [{ action: "RevokeSecurityGroupIngress", nope: 1 }, 400, "EMU_ERR_API_WHATIF_BAD_REQUEST"],
    ["revoke", 400, "EMU_ERR_API_WHATIF_BAD_REQUEST"],
    [
      {
        action: "RevokeSecurityGroupIngress",
        parameters: {
          GroupId: "sg-0123456789abcdef0",
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
          ],
        },
      },
      400,
      "EMU_ERR_API_WHATIF_REJECTED",
    ],
  ])("refuses %j with %i %s", async (body, status, code) => {
    const rev = h.ctl.revision();
    const r = await api("POST", "/v1/whatif", body);
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(h.ctl.revision()).toBe(rev);
  });
});

describe("/v1/audit", () => {
  it("logs would_block for a staged set while the packet still passes, and counts it", async () => {
    const staged = await api<{ revision: number }>("PUT", `/v1/audit/groups/${ids.dbSg}`, {
      ingress: [],
    });
    expect(staged.status).toBe(200);
    await h.ctl.waitForEnforced(staged.body.revision, 5000);
    webTun.send(syn(41002, 3306));
    await dbTun.nextReceived(); // AUD-1: still delivered
    type Ev = { kind: string; srcPort: number; eniId: string; enforcedRuleId?: string };
    await waitUntil(
      "the would_block event",
      async () =>
        (
          await api<{ events: Ev[] }>("GET", `/v1/audit/events?group=${ids.dbSg}&kind=would_block`)
        ).body.events.some((e) => e.srcPort === 41002),
      5000,
      20,
    );
    const ev = (await api<{ events: Ev[] }>("GET", `/v1/audit/events?eni=${ids.dbEni}`)).body
      .events;
    expect(ev).toEqual([
      expect.objectContaining({
        kind: "would_block",
        srcPort: 41002,
        eniId: ids.dbEni,
        enforcedRuleId: expect.stringMatching(/^sgr-/),
      }),
    ]);
    await waitUntil(
      "db's audit counter",
      async () =>
        (
          await api<{ counters: { auditWouldBlock?: number } }>(
            "GET",
            `/v1/counters?eni=${ids.dbEni}`,
          )
        ).body.counters.auditWouldBlock === 1,
      5000,
      20,
    );
    expect((await api("DELETE", `/v1/audit/groups/${ids.dbSg}`)).status).toBe(200);
    expect((await api<{ staged: unknown[] }>("GET", "/v1/audit")).body.staged).toEqual([]);
    expect(
      (await api("PUT", `/v1/audit/enis/eni-0123456789abcdef0`, { ingress: [] })).body.code,
    ).toBe("EMU_ERR_API_AUDIT_UNKNOWN_TARGET");
  });
});
