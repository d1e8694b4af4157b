/**
 * Route tables and VPC peering on real traffic (docs/routing.md RT-14, RT-15, RT-16, PCX-8,
 * REF-4, REF-5): a local runtime (real namespaces, TUN devices, agents over loopback UDP, the
 * controller a child process); TCP through kernel sockets inside the namespaces
 * (test/helpers/chaos-probe.ts); peering, routes and the rule made with the real aws CLI (the
 * rule in the seed's `UserIdGroupPairs=[{GroupId=...,VpcId=...,UserId=...}]` shorthand). Every wait is for the agents' enforced revision (GET /v1/revision),
 * polled with a deadline; a refused connection is a connect timeout.
 *
 *   VPC a 10.60.0.0/16                               VPC b 10.61.0.0/16
 *     sa 10.60.1.0/24                                  sb 10.61.1.0/24
 *       db 10.60.1.10 db-sg, tcp echo 5432               app   10.61.1.10 app-sg
 *                                                        other 10.61.1.11 other-sg
 *   db-sg: tcp 5432 from app-sg (by id, with VPC b and the account) once peered
 *   (namespaces vpcemu-chaosvrt<pid>x<n>-<node>, from startNetnsRuntime: no other test uses the tag)
 *
 * Root required (fails naming what is missing, never skips).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedLocalRuntime } from "../../../cli/runtime/local-runtime.js";
import { AwsCli } from "../../helpers/aws-cli.js";
import { startNetnsRuntime, type NetnsRuntime } from "../../helpers/chaos-runtime.js";
import type { ChaosProbe } from "../../helpers/chaos-traffic.js";

const ACCOUNT = "123456789012";
const DB = "10.60.1.10";
const PORT = 5432;
const REFUSED_MS = 1500;

const TOPOLOGY = `description: routing and peering netns test
vpcs:
  - { name: a, cidr: 10.60.0.0/16 }
  - { name: b, cidr: 10.61.0.0/16 }
subnets:
  - { name: sa, vpc: a, cidr: 10.60.1.0/24 }
  - { name: sb, vpc: b, cidr: 10.61.1.0/24 }
securityGroups:
  - { name: db-sg, vpc: a }
  - { name: app-sg, vpc: b }
  - { name: other-sg, vpc: b }
instances:
  - { name: db, subnet: sa, securityGroups: [db-sg], privateIp: 10.60.1.10 }
  - { name: app, subnet: sb, securityGroups: [app-sg], privateIp: 10.61.1.10 }
  - { name: other, subnet: sb, securityGroups: [other-sg], privateIp: 10.61.1.11 }
`;

let rt: NetnsRuntime | undefined;
let runtime: StartedLocalRuntime | undefined;
let aws: AwsCli;
let pcx = "";

/** `aws ec2 ARGS...` against the runtime's controller; its JSON answer. */
async function ec2(...args: string[]): Promise<any> {
  const r = await aws.run(["ec2", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() === "" ? {} : JSON.parse(r.stdout);
}

const probe = (node: string): ChaosProbe => rt!.probe(node);

/** Every agent enforces the controller's revision after the last change. */
async function enforced(): Promise<void> {
  const now = await rt!.api.revision();
  await rt!.api.waitEnforced(rt!.agentCount, now.revision);
}

function id(kind: "vpcs" | "securityGroups", key: string): string {
  const v = runtime!.applied?.[kind].get(key);
  if (v === undefined) throw new Error(`no ${kind} '${key}' in the topology`);
  return v;
}

async function mainTable(vpcId: string): Promise<string> {
  const t = await ec2(
    "describe-route-tables",
    "--filters",
    `Name=vpc-id,Values=${vpcId}`,
    "Name=association.main,Values=true",
  );
  return t.RouteTables[0].RouteTableId;
}

/** Every agent enforces the controller's revision after the last change. */
beforeAll(async () => {
  rt = await startNetnsRuntime("vrt", TOPOLOGY, { extraCommands: ["aws"] });
  runtime = rt.runtime;
  aws = new AwsCli({ endpoint: rt.runtime.ec2Endpoint });
  await enforced();
  await probe("db").tcpEchoServer(PORT);
}, 120_000);

afterAll(async () => {
  aws?.dispose();
  await rt?.[Symbol.asyncDispose]();
}, 60_000);

describe("route tables and VPC peering with kernel sockets", () => {
  it("refuses app -> db across two VPCs without a peering (RT-16)", async () => {
    expect((await probe("app").tcpConnect(DB, PORT, REFUSED_MS)).ok).toBe(false);
  });

  it("connects app -> db once peered with routes both ways and a rule naming app-sg; other is refused (RT-14, PCX-8, REF-4)", async () => {
    const vpcA = id("vpcs", "a");
    const vpcB = id("vpcs", "b");
    pcx = (await ec2("create-vpc-peering-connection", "--vpc-id", vpcA, "--peer-vpc-id", vpcB))
      .VpcPeeringConnection.VpcPeeringConnectionId;
    await ec2("accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx);
    for (const [vpc, cidr] of [
      [vpcA, "10.61.0.0/16"],
      [vpcB, "10.60.0.0/16"],
    ] as const) {
      await ec2(
        "create-route",
        "--route-table-id",
        await mainTable(vpc),
        "--destination-cidr-block",
        cidr,
        "--vpc-peering-connection-id",
        pcx,
      );
    }
    // The seed's form for a peer VPC's group (../shared/seeds: UserIdGroupPairs with VpcId, UserId).
    await ec2(
      "authorize-security-group-ingress",
      "--group-id",
      id("securityGroups", "a/db-sg"),
      "--ip-permissions",
      `IpProtocol=tcp,FromPort=${PORT},ToPort=${PORT},UserIdGroupPairs=[{GroupId=${id("securityGroups", "b/app-sg")},VpcId=${vpcB},UserId=${ACCOUNT}}]`,
    );
    await enforced();
    const echoed = await probe("app").tcpEcho(DB, PORT, 5000);
    expect(echoed).toMatchObject({ ok: true });
    expect((await probe("other").tcpConnect(DB, PORT, REFUSED_MS)).ok).toBe(false);
  });

  it("stops new connections once the peering is deleted; the rule is stale (REF-5, RT-15)", async () => {
    await ec2("delete-vpc-peering-connection", "--vpc-peering-connection-id", pcx);
    await enforced();
    expect((await probe("app").tcpConnect(DB, PORT, REFUSED_MS)).ok).toBe(false);
    const stale = await ec2("describe-stale-security-groups", "--vpc-id", id("vpcs", "a"));
    expect(stale.StaleSecurityGroupSet.map((g: { GroupId: string }) => g.GroupId)).toEqual([
      id("securityGroups", "a/db-sg"),
    ]);
  });
});
