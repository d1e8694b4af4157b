/**
 * Reachability Analyzer's EC2 calls with the AWS SDK v3 (docs/observability.md "Explain"
 * EXP-8..EXP-10): CreateNetworkInsightsPath, DescribeNetworkInsightsPaths,
 * StartNetworkInsightsAnalysis, DescribeNetworkInsightsAnalyses, DeleteNetworkInsightsAnalysis,
 * DeleteNetworkInsightsPath on a controller whose state the SDK made:
 *
 *   VPC 10.0.0.0/16 (+ igw, 0.0.0.0/0 route, web's Elastic IP in the igw test)
 *     web 10.0.1.x web-sg (tcp 80 from 0.0.0.0/0 added by a test) | db 10.0.2.x db-sg
 *     (tcp 3306 from web-sg); default NACL (allow all)
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkInsightsPathCommand,
  CreateRouteCommand,
  DeleteNetworkInsightsAnalysisCommand,
  DeleteNetworkInsightsPathCommand,
  DescribeNetworkInsightsAnalysesCommand,
  DescribeNetworkInsightsPathsCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  StartNetworkInsightsAnalysisCommand,
  type NetworkInsightsAnalysis,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createWebDbTopology,
  startTestController,
  type TestController,
  type WebDbTopology,
} from "../helpers/in-process-agents.js";

let t: TestController;
let ec2: EC2Client;
let topo: WebDbTopology;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-nia-"));
  t = await startTestController({ statePath: join(dir, "state.db") });
  ec2 = t.ec2;
  topo = await createWebDbTopology(ec2);
});

afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function analyse(pathId: string): Promise<NetworkInsightsAnalysis> {
  const started = await ec2.send(
    new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: pathId }),
  );
  expect(started.NetworkInsightsAnalysis).toMatchObject({
    NetworkInsightsPathId: pathId,
    Status: "running",
  });
  const id = started.NetworkInsightsAnalysis!.NetworkInsightsAnalysisId!;
  expect(id).toMatch(/^nia-[0-9a-f]{17}$/);
  // A script polls until the analysis is no longer running.
  for (;;) {
    const d = await ec2.send(
      new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [id] }),
    );
    const a = d.NetworkInsightsAnalyses![0]!;
    if (a.Status !== "running") return a;
  }
}

async function path(input: {
  Source: string;
  Destination?: string;
  DestinationIp?: string;
  Protocol: "tcp" | "udp";
  DestinationPort?: number;
}): Promise<string> {
  const r = await ec2.send(new CreateNetworkInsightsPathCommand(input));
  return r.NetworkInsightsPath!.NetworkInsightsPathId!;
}

describe("network insights (Reachability Analyzer) with the AWS SDK", () => {
  it("finds web -> db:3306 with its security group rule and NACL entries (EXP-8)", async () => {
    const created = await ec2.send(
      new CreateNetworkInsightsPathCommand({
        Source: topo.web.InstanceId!,
        Destination: topo.db.InstanceId!,
        Protocol: "tcp",
        DestinationPort: 3306,
        TagSpecifications: [
          { ResourceType: "network-insights-path", Tags: [{ Key: "Name", Value: "web-db" }] },
        ],
      }),
    );
    const p = created.NetworkInsightsPath!;
    expect(p).toMatchObject({
      Source: topo.web.InstanceId,
      Destination: topo.db.InstanceId,
      Protocol: "tcp",
      DestinationPort: 3306,
      Tags: [{ Key: "Name", Value: "web-db" }],
    });
    expect(p.NetworkInsightsPathId).toMatch(/^nip-[0-9a-f]{17}$/);
    expect(p.NetworkInsightsPathArn).toBe(
      `arn:aws:ec2:us-east-1:123456789012:network-insights-path/${p.NetworkInsightsPathId}`,
    );
    expect(p.SourceArn).toBe(`arn:aws:ec2:us-east-1:123456789012:instance/${topo.web.InstanceId}`);
    const a = await analyse(p.NetworkInsightsPathId!);
    expect(a).toMatchObject({ Status: "succeeded", NetworkPathFound: true, Explanations: [] });
    const ingress = a.ForwardPathComponents!.find(
      (c) => c.SecurityGroupRule?.Direction === "ingress",
    );
    expect(ingress).toMatchObject({
      Component: { Id: topo.dbSg },
      SecurityGroupRule: { SecurityGroupId: topo.dbSg, Protocol: "6" },
    });
    const acl = a.ForwardPathComponents!.find((c) => c.AclRule?.Egress === true);
    expect(acl?.AclRule).toMatchObject({ RuleAction: "allow", RuleNumber: 100 });
    expect(a.ForwardPathComponents!.map((c) => c.SequenceNumber)).toEqual(
      a.ForwardPathComponents!.map((_c, i) => i + 1),
    );
    expect(a.ReturnPathComponents!.length).toBeGreaterThan(0);
  });

  it("explains db -> web:22 with ENI_SG_RULES_MISMATCH naming web's group and interface (EXP-8)", async () => {
    const a = await analyse(
      await path({
        Source: topo.db.InstanceId!,
        Destination: topo.web.InstanceId!,
        Protocol: "tcp",
        DestinationPort: 22,
      }),
    );
    expect(a.NetworkPathFound).toBe(false);
    expect(a.Explanations).toHaveLength(1);
    expect(a.Explanations![0]).toMatchObject({
      ExplanationCode: "ENI_SG_RULES_MISMATCH",
      Direction: "ingress",
      SecurityGroups: [{ Id: topo.webSg }],
      NetworkInterface: { Id: topo.web.NetworkInterfaces![0]!.NetworkInterfaceId },
    });
  });

  it("analyses an internet gateway to web's Elastic IP, and finds it once web-sg admits port 80 (EXP-8, IGW-5)", async () => {
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
      .InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: topo.vpcId }));
    const rtb = (
      await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: "vpc-id", Values: [topo.vpcId] },
            { Name: "association.main", Values: ["true"] },
          ],
        }),
      )
    ).RouteTables![0]!.RouteTableId!;
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: rtb,
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igw,
      }),
    );
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: eip.AllocationId!,
        InstanceId: topo.web.InstanceId!,
      }),
    );
    const id = await path({
      Source: igw,
      Destination: topo.web.InstanceId!,
      Protocol: "tcp",
      DestinationPort: 80,
    });
    const before = await analyse(id);
    expect(before.NetworkPathFound).toBe(false);
    expect(before.Explanations!.map((e) => e.ExplanationCode)).toEqual(["ENI_SG_RULES_MISMATCH"]);
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: topo.webSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    const after = await analyse(id);
    expect(after).toMatchObject({ Status: "succeeded", NetworkPathFound: true });
    expect(after.ForwardPathComponents!.some((c) => c.RouteTableRoute?.GatewayId === igw)).toBe(
      true,
    );
  });

  it("describes, filters and deletes paths and analyses; both survive a controller restart (EXP-9)", async () => {
    const id = await path({
      Source: topo.web.InstanceId!,
      Destination: topo.db.InstanceId!,
      Protocol: "udp",
      DestinationPort: 53,
    });
    const a = await analyse(id);
    expect(a.NetworkPathFound).toBe(false);
    const byProtocol = await ec2.send(
      new DescribeNetworkInsightsPathsCommand({ Filters: [{ Name: "protocol", Values: ["udp"] }] }),
    );
    expect(byProtocol.NetworkInsightsPaths!.map((p) => p.NetworkInsightsPathId)).toEqual([id]);
    const byPath = await ec2.send(
      new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsPathId: id }),
    );
    expect(byPath.NetworkInsightsAnalyses!.map((x) => x.NetworkInsightsAnalysisId)).toEqual([
      a.NetworkInsightsAnalysisId,
    ]);
    // Restart on the same state file.
    const all = (await ec2.send(new DescribeNetworkInsightsAnalysesCommand({})))
      .NetworkInsightsAnalyses!;
    await t.stop();
    t = await startTestController({ statePath: join(dir, "state.db") });
    ec2 = t.ec2;
    const again = (await ec2.send(new DescribeNetworkInsightsAnalysesCommand({})))
      .NetworkInsightsAnalyses!;
    expect(again).toEqual(all);
    await ec2.send(
      new DeleteNetworkInsightsAnalysisCommand({
        NetworkInsightsAnalysisId: a.NetworkInsightsAnalysisId!,
      }),
    );
    const deleted = await ec2.send(
      new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: id }),
    );
    expect(deleted.NetworkInsightsPathId).toBe(id);
    await expect(
      ec2.send(new DescribeNetworkInsightsPathsCommand({ NetworkInsightsPathIds: [id] })),
    ).rejects.toMatchObject({ name: "InvalidNetworkInsightsPathId.NotFound" });
  });

  it.each([
    [
      "an unknown source instance",
      { Source: "i-0123456789abcdef0", Destination: "DB", Protocol: "tcp", DestinationPort: 1 },
      "InvalidInstanceID.NotFound",
      "The instance ID 'i-0123456789abcdef0' does not exist",
    ],
    [
      "an unsupported source",
      { Source: "sg-0123456789abcdef0", Destination: "DB", Protocol: "tcp", DestinationPort: 1 },
      "InvalidParameterValue",
      "Invalid value 'sg-0123456789abcdef0' for Source. vpcemu analyses paths between instances, network interfaces and internet gateways.",
    ],
    [
      "protocol icmp",
      { Source: "WEB", Destination: "DB", Protocol: "icmp", DestinationPort: 1 },
      "InvalidParameterValue",
      "Invalid value 'icmp' for Protocol.",
    ],
    [
      "no destination port",
      { Source: "WEB", Destination: "DB", Protocol: "tcp" },
      "MissingParameter",
      /DestinationPort/,
    ],
    [
      "a malformed destination IP",
      { Source: "WEB", DestinationIp: "10.0.2.300", Protocol: "tcp", DestinationPort: 1 },
      "InvalidParameterValue",
      "Invalid value '10.0.2.300' for DestinationIp.",
    ],
  ])("refuses a path with %s (EXP-10)", async (_what, input, code, message) => {
    const fill = (v: unknown) =>
      v === "WEB" ? topo.web.InstanceId : v === "DB" ? topo.db.InstanceId : v;
    const req = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, fill(v)]));
    const err = await ec2.send(new CreateNetworkInsightsPathCommand(req as never)).catch((e) => e);
    expect(err).toMatchObject({ name: code, $metadata: { httpStatusCode: 400 } });
    if (typeof message === "string") expect(err.message).toBe(message);
    else expect(err.message).toMatch(message);
  });

  it("refuses unknown path and analysis ids (EXP-10)", async () => {
    await expect(
      ec2.send(
        new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: "nip-0123456789abcdef0" }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidNetworkInsightsPathId.NotFound",
      message: "The network insights path ID 'nip-0123456789abcdef0' does not exist",
    });
    await expect(
      ec2.send(
        new DescribeNetworkInsightsAnalysesCommand({
          NetworkInsightsAnalysisIds: ["nia-0123456789abcdef0"],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidNetworkInsightsAnalysisId.NotFound" });
    await expect(
      ec2.send(
        new DeleteNetworkInsightsAnalysisCommand({
          NetworkInsightsAnalysisId: "nia-0123456789abcdef0",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidNetworkInsightsAnalysisId.NotFound" });
  });
});
