/**
 * The seed scenario (examples/two-tier.yaml) on real traffic, as `vpcemu demo` shows it: each
 * expectation is checked with real sockets between node namespaces and reported PASS/FAIL with
 * its timing and the AWS-BEHAVIOUR ids it demonstrates.
 *
 *   internet (198.51.100.10)  --igw-->  web (10.0.1.10, public IP 198.18.0.x, web-sg)  -->  db (10.0.2.20, db-sg)
 *        |  to web's public IP only        |  :80 :443 from 0.0.0.0/0                         |  :3306 from web-sg only
 *        +-------------------------------->+------------------------------------------------->+
 *             public subnet 10.0.1.0/24 (public-rt: 0.0.0.0/0 -> igw) | private subnet 10.0.2.0/24 (private-acl, main table)
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  DeleteNetworkAclEntryCommand,
  DeleteRouteCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { fetchConntrack, formatConntrackTable } from "./conntrack-view.js";
import type { StartedLocalRuntime } from "./local-runtime.js";
import { Probes, type ProbeResult } from "./probes.js";

export interface ExpectationResult {
  readonly name: string;
  readonly ids: readonly string[];
  readonly pass: boolean;
  readonly ms: number;
  readonly detail: string;
}

const WEB = "10.0.1.10";
const WEB2 = "10.0.1.11";
const DB = "10.0.2.20";
const BLOCKED_TIMEOUT_MS = 2000;

/** `ok` describes a result; "timeout" where a block is expected. */
function describeResult(r: ProbeResult): string {
  return r.ok ? `answered in ${r.ms?.toFixed(1) ?? "?"} ms` : `no answer (${r.error ?? "?"})`;
}

/**
 * Runs every expectation of the seed scenario against `runtime` (started with
 * examples/two-tier.yaml), printing through `print`. Changes the state as it goes (revokes and
 * restores rules, launches web2). Returns one result per expectation.
 */
export async function runTwoTierScenario(
  runtime: StartedLocalRuntime,
  print: (line: string) => void,
): Promise<ExpectationResult[]> {
  const applied = runtime.applied;
  if (!applied) throw new Error("the two-tier topology was not applied by this runtime");
  const ec2 = runtime.ec2;
  const webSg = applied.securityGroups.get("main/web-sg")!;
  const dbSg = applied.securityGroups.get("main/db-sg")!;
  const privateAcl = applied.networkAcls.get("private-acl")!;
  const publicRt = applied.routeTables.get("public-rt")!;
  const igw = applied.internetGateways.get("igw")!;
  // IGW-5: the internet reaches web only at its public IP, through the gateway.
  const webPublic = applied.instances.get("web")?.publicIp;
  if (webPublic === undefined)
    throw new Error("web has no public IP (publicIp: true in the topology)");
  const probes = new Probes((n) => runtime.node(n).namespace);
  const results: ExpectationResult[] = [];

  /** Applies an API change and waits until every agent enforces it; returns the time taken. */
  const change = async (what: string, send: () => Promise<unknown>): Promise<void> => {
    const t0 = performance.now();
    await send();
    const t1 = performance.now();
    await runtime.settle();
    print(
      `  ~ ${what} (API ${(t1 - t0).toFixed(0)} ms, enforced by all agents ${(performance.now() - t1).toFixed(0)} ms later)`,
    );
  };

  const expect = async (
    name: string,
    ids: string[],
    check: () => Promise<{ pass: boolean; detail: string }>,
  ) => {
    const t0 = performance.now();
    let outcome: { pass: boolean; detail: string };
    try {
      outcome = await check();
    } catch (err) {
      outcome = {
        pass: false,
        detail: `error: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const ms = performance.now() - t0;
    results.push({ name, ids, pass: outcome.pass, ms, detail: outcome.detail });
    const tag = outcome.pass ? "PASS" : "FAIL";
    print(
      `${tag}  ${name}${ids.length ? ` [${ids.join(", ")}]` : ""}  (${ms.toFixed(0)} ms) ${outcome.detail}`,
    );
  };
  const answers = (r: ProbeResult) => ({ pass: r.ok, detail: describeResult(r) });
  const timesOut = (r: ProbeResult) => ({
    pass: !r.ok && r.error === "timeout",
    detail: describeResult(r),
  });

  const showConntrack = async (node: string) => {
    const inst = runtime.node(node).instanceId!;
    const reports = await fetchConntrack(runtime.controllerUrl, inst);
    print(`  conntrack ${node} (${inst}):`);
    for (const line of formatConntrackTable(reports, Date.now()).split("\n")) print(`    ${line}`);
    return reports;
  };

  try {
    print("Starting servers: web :80 (http), :443 (http); db :3306 (echo)");
    await probes.server("web", "http", 80);
    await probes.server("web", "http", 443);
    await probes.server("db", "tcp", 3306);

    print("");
    print(
      `Internet gateway: web ${WEB} has public IP ${webPublic}; public-rt (${publicRt}) routes 0.0.0.0/0 to ${igw}`,
    );
    await expect("internet -> web:80 at its public IP answers", ["IGW-5", "RULE-1"], async () =>
      answers(await probes.httpGet("internet", webPublic, 80)),
    );
    await expect("internet -> web:443 at its public IP answers", ["IGW-5"], async () =>
      answers(await probes.httpGet("internet", webPublic, 443)),
    );
    await expect(
      "internet -> web:80 at its private IP times out (not routed from the internet)",
      ["RT-17"],
      async () => timesOut(await probes.tcpRequest("internet", WEB, 80, BLOCKED_TIMEOUT_MS)),
    );
    const igwRoute = { RouteTableId: publicRt, DestinationCidrBlock: "0.0.0.0/0" };
    await change("delete public-rt route 0.0.0.0/0 -> igw", () =>
      ec2.send(new DeleteRouteCommand(igwRoute)),
    );
    await expect(
      "internet -> web:80 at its public IP times out (no route to the gateway)",
      ["IGW-5"],
      async () => timesOut(await probes.tcpRequest("internet", webPublic, 80, BLOCKED_TIMEOUT_MS)),
    );
    await change("restore public-rt route 0.0.0.0/0 -> igw", () =>
      ec2.send(new CreateRouteCommand({ ...igwRoute, GatewayId: igw })),
    );

    print("");
    print("Security groups as written in the topology");
    await expect("web -> db:3306 connects (db-sg allows web-sg)", ["REF-1", "RULE-3"], async () =>
      answers(await probes.tcpRequest("web", DB, 3306)),
    );
    await expect(
      "internet -> db:3306 times out (db has no public IP)",
      ["RT-17", "CT-11"],
      async () => timesOut(await probes.tcpRequest("internet", DB, 3306, BLOCKED_TIMEOUT_MS)),
    );
    await expect("internet -> web:8080 times out (no rule)", ["CT-11"], async () =>
      timesOut(await probes.tcpRequest("internet", webPublic, 8080, BLOCKED_TIMEOUT_MS)),
    );

    print("");
    print("Stateful: web's default egress rule revoked");
    await change("revoke web-sg egress -1 to 0.0.0.0/0", () =>
      ec2.send(
        new RevokeSecurityGroupEgressCommand({
          GroupId: webSg,
          IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        }),
      ),
    );
    await expect(
      "internet -> web:80 still answers (replies ride the conntrack entry)",
      ["CT-1", "CT-2"],
      async () => answers(await probes.httpGet("internet", webPublic, 80)),
    );
    await expect("ping internet -> web answers and is tracked", ["CT-8"], async () => {
      const r = await probes.ping("internet", webPublic, 3);
      const reports = await fetchConntrack(runtime.controllerUrl, runtime.node("web").instanceId!);
      const icmp = reports.flatMap((e) => e.entries).filter((e) => e.protocol === 1);
      return {
        pass: r.ok && icmp.length > 0,
        detail: `${describeResult(r)}; ${icmp.length} ICMP conntrack entr${icmp.length === 1 ? "y" : "ies"} on web`,
      };
    });
    await expect("web -> db:3306 now times out (web has no egress rule)", ["RULE-3"], async () =>
      timesOut(await probes.tcpRequest("web", DB, 3306, BLOCKED_TIMEOUT_MS)),
    );
    await showConntrack("web");
    await change("restore web-sg egress -1 to 0.0.0.0/0", () =>
      ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: webSg,
          IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        }),
      ),
    );

    print("");
    print("Group references are live: a second web instance joins web-sg");
    await change("RunInstances web2 (10.0.1.11) in the public subnet with web-sg", () =>
      ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-0123456789abcdef0",
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: applied.subnets.get("public"),
          SecurityGroupIds: [webSg],
          PrivateIpAddress: WEB2,
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "web2" }] }],
        }),
      ),
    );
    await expect("web2 -> db:3306 connects with no rule change", ["REF-2"], async () =>
      answers(
        await probes.tcpRequest(
          runtime.nodes().some((n) => n.name === "web2") ? "web2" : WEB2,
          DB,
          3306,
        ),
      ),
    );

    print("");
    print("Established connection web -> db:3306 under NACL and SG changes");
    const session = await probes.session("web", DB, 3306, BLOCKED_TIMEOUT_MS);
    await expect("the connection carries data", [], async () => answers(await session.send()));
    const denyEntry = { NetworkAclId: privateAcl, RuleNumber: 50, Egress: false };
    await change("private-acl inbound rule 50: deny tcp 3306 from 10.0.1.0/24", () =>
      ec2.send(
        new CreateNetworkAclEntryCommand({
          ...denyEntry,
          Protocol: "6",
          RuleAction: "deny",
          CidrBlock: "10.0.1.0/24",
          PortRange: { From: 3306, To: 3306 },
        }),
      ),
    );
    await expect("the NACL deny cuts the established connection", ["NACL-8", "CT-7"], async () =>
      timesOut(await session.send()),
    );
    await change("delete private-acl inbound rule 50", () =>
      ec2.send(new DeleteNetworkAclEntryCommand(denyEntry)),
    );
    await expect("lifting the deny revives the same connection", ["NACL-8", "CT-7"], async () => {
      // Why a longer wait: TCP retransmits the lost segment on its backoff timer.
      let r = await session.send();
      for (let i = 0; !r.ok && i < 3; i++) r = await session.send();
      return answers(r);
    });
    const mysqlRule = {
      GroupId: dbSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: webSg }] },
      ],
    };
    await change("revoke db-sg ingress tcp 3306 from web-sg", () =>
      ec2.send(new RevokeSecurityGroupIngressCommand(mysqlRule)),
    );
    await expect(
      "the established connection survives the SG rule removal (tracked)",
      ["CT-5"],
      async () => answers(await session.send()),
    );
    await expect("a new web -> db:3306 connection times out", ["CT-5"], async () =>
      timesOut(await probes.tcpRequest("web", DB, 3306, BLOCKED_TIMEOUT_MS)),
    );
    await showConntrack("db");
    await session.close();
    await change("restore db-sg ingress tcp 3306 from web-sg", () =>
      ec2.send(new AuthorizeSecurityGroupIngressCommand(mysqlRule)),
    );
    await expect("web -> db:3306 connects again", [], async () =>
      answers(await probes.tcpRequest("web", DB, 3306)),
    );
  } finally {
    await probes.stopAll();
  }
  return results;
}
