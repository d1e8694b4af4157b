/**
 * A topology file applied through the EC2 API of a real in-process controller (no root needed):
 * the state it builds is what the API describes, and API errors point at the file's line.
 */
import { readFileSync } from "node:fs";
import {
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../../../controller/app.js";
import { applyTopology } from "../../../../cli/topology/apply-topology.js";
import { parseTopology, TopologyError } from "../../../../cli/topology/topology.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

let controller: StartedController;
let ec2: EC2Client;

beforeEach(async () => {
  controller = await new Controller({ listen: "127.0.0.1:0", statePath: ":memory:" }).start();
  ec2 = new EC2Client({
    endpoint: controller.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});

afterEach(async () => {
  ec2.destroy();
  await controller.stop();
});

describe("applyTopology", () => {
  it("builds the two-tier state through the EC2 API", async () => {
    const topology = parseTopology(readFileSync("examples/two-tier.yaml", "utf8"), "two-tier.yaml");
    const applied = await applyTopology(ec2, topology);
    const webSg = applied.securityGroups.get("main/web-sg")!;
    const dbSg = applied.securityGroups.get("main/db-sg")!;

    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [webSg, dbSg] }));
    const web = groups.SecurityGroups!.find((g) => g.GroupId === webSg)!;
    expect(web.GroupName).toBe("web-sg");
    const ingress = web.IpPermissions!.map((p) => [
      p.IpProtocol,
      p.FromPort,
      p.ToPort,
      p.IpRanges?.[0]?.CidrIp ?? p.PrefixListIds?.[0]?.PrefixListId?.slice(0, 3),
    ]);
    expect(ingress).toEqual(
      expect.arrayContaining([
        ["tcp", 80, 80, "0.0.0.0/0"],
        ["tcp", 443, 443, "0.0.0.0/0"],
        ["tcp", 22, 22, "pl-"],
        ["icmp", 8, -1, "0.0.0.0/0"],
      ]),
    );
    // No `egress:` in the file: the AWS default egress stays (DEF-2).
    expect(web.IpPermissionsEgress).toEqual([
      expect.objectContaining({
        IpProtocol: "-1",
        IpRanges: [expect.objectContaining({ CidrIp: "0.0.0.0/0" })],
      }),
    ]);
    const db = groups.SecurityGroups!.find((g) => g.GroupId === dbSg)!;
    expect(db.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: "tcp",
        FromPort: 3306,
        ToPort: 3306,
        UserIdGroupPairs: [expect.objectContaining({ GroupId: webSg })],
      }),
    ]);

    const acls = await ec2.send(
      new DescribeNetworkAclsCommand({ NetworkAclIds: [applied.networkAcls.get("private-acl")!] }),
    );
    expect(acls.NetworkAcls![0]!.Associations!.map((a) => a.SubnetId)).toEqual([
      applied.subnets.get("private"),
    ]);

    const instances = await ec2.send(new DescribeInstancesCommand({}));
    const byName = new Map(
      instances
        .Reservations!.flatMap((r) => r.Instances!)
        .map((i) => [i.Tags?.find((t) => t.Key === "Name")?.Value, i]),
    );
    expect(byName.get("web")?.PrivateIpAddress).toBe("10.0.1.10");
    expect(byName.get("web")?.SubnetId).toBe(applied.subnets.get("public"));
    expect(byName.get("db")?.PrivateIpAddress).toBe("10.0.2.20");
    expect(byName.get("db")?.SecurityGroups?.map((g) => g.GroupId)).toEqual([dbSg]);
  });

  it("replaces the default egress with an explicit list and sets conntrack timeouts (TO-2)", async () => {
    const topology = parseTopology(
      `vpcs: [{ name: v, cidr: 10.1.0.0/16 }]
subnets: [{ name: s, vpc: v, cidr: 10.1.1.0/24 }]
securityGroups:
  - name: quiet
    vpc: v
    egress:
      - { protocol: udp, ports: 53, cidr: 10.1.0.2/32 }
instances:
  - name: a
    subnet: s
    securityGroups: [quiet]
    conntrack: { udpTimeout: 45, udpStreamTimeout: 90 }
`,
      "t.yaml",
    );
    const applied = await applyTopology(ec2, topology);
    const sg = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [applied.securityGroups.get("v/quiet")!] }),
    );
    expect(
      sg.SecurityGroups![0]!.IpPermissionsEgress!.map((p) => [
        p.IpProtocol,
        p.FromPort,
        p.IpRanges?.[0]?.CidrIp,
      ]),
    ).toEqual([["udp", 53, "10.1.0.2/32"]]);
    const eni = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        NetworkInterfaceIds: [applied.instances.get("a")!.eniId],
      }),
    );
    expect(eni.NetworkInterfaces![0]!.ConnectionTrackingConfiguration).toMatchObject({
      UdpTimeout: 45,
      UdpStreamTimeout: 90,
    });
  });

  it("reports an API error at the line of the item that caused it (ERR-1)", async () => {
    const topology = parseTopology(
      `vpcs: [{ name: v, cidr: 10.2.0.0/16 }]
securityGroups:
  - name: dup
    vpc: v
    ingress:
      - { protocol: tcp, ports: 80, cidr: 10.0.0.5/24 }
      - { protocol: tcp, ports: 80, cidr: 10.0.0.7/24 }
`,
      "dup.yaml",
    );
    const err = await applyTopology(ec2, topology).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as Error).message).toMatch(
      /^dup\.yaml:7: securityGroups\[0\]\.ingress\[1\]: InvalidPermission\.Duplicate: /,
    );
  });
});
