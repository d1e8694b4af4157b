/**
 * The default VPC of each account and region (docs/ec2-api.md "Default VPC"), regions and
 * Availability Zones, through the AWS SDK and the aws CLI against a real Controller: AWS's
 * layout, created lazily; the actions that fall back to it; VPCIdNotSpecified once it is gone;
 * CreateDefaultVpc / CreateDefaultSubnet; AWS's zone validation.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateDefaultSubnetCommand,
  CreateDefaultVpcCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteInternetGatewayCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DetachInternetGatewayCommand,
  DescribeAvailabilityZonesCommand,
  DescribeNetworkAclsCommand,
  DescribeRegionsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Subnet,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { AwsCli } from "../helpers/aws-cli.js";
import { ec2Failure } from "../helpers/ec2-failure.js";

let ctl: StartedController;
let cli: AwsCli;
const clients: EC2Client[] = [];

function client(accessKeyId: string, region = "us-east-1"): EC2Client {
  const c = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  cli = new AwsCli({ endpoint: ctl.url });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  cli?.dispose();
  await ctl?.stop();
});

async function defaultVpcOf(ec2: EC2Client) {
  const r = await ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
  );
  return r.Vpcs ?? [];
}

async function defaultSubnets(ec2: EC2Client, vpcId: string): Promise<Subnet[]> {
  const r = await ec2.send(
    new DescribeSubnetsCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "default-for-az", Values: ["true"] },
      ],
    }),
  );
  return (r.Subnets ?? []).sort((a, b) =>
    (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""),
  );
}

describe("the default VPC, laid out as AWS does", () => {
  it("exists in a fresh account and region: 172.31.0.0/16, a /20 default subnet per zone, default group, NACL, main route table (DVPC-1)", async () => {
    const ec2 = client("111111111111", "us-east-1");
    const [vpc, ...more] = await defaultVpcOf(ec2);
    expect(more).toEqual([]);
    expect(vpc).toMatchObject({
      CidrBlock: "172.31.0.0/16",
      IsDefault: true,
      OwnerId: "111111111111",
      State: "available",
    });
    const subnets = await defaultSubnets(ec2, vpc!.VpcId!);
    expect(subnets.map((s) => [s.AvailabilityZone, s.AvailabilityZoneId, s.CidrBlock])).toEqual([
      ["us-east-1a", "use1-az1", "172.31.0.0/20"],
      ["us-east-1b", "use1-az2", "172.31.16.0/20"],
      ["us-east-1c", "use1-az3", "172.31.32.0/20"],
      ["us-east-1d", "use1-az4", "172.31.48.0/20"],
      ["us-east-1e", "use1-az5", "172.31.64.0/20"],
      ["us-east-1f", "use1-az6", "172.31.80.0/20"],
    ]);
    expect(subnets.every((s) => s.MapPublicIpOnLaunch === true && s.DefaultForAz === true)).toBe(
      true,
    );
    expect(subnets[0]!.AvailableIpAddressCount).toBe(4091);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc!.VpcId!] }] }),
    );
    expect(groups.SecurityGroups?.map((g) => g.GroupName)).toEqual(["default"]);
    const acls = await ec2.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc!.VpcId!] }] }),
    );
    expect(acls.NetworkAcls?.map((a) => [a.IsDefault, a.Associations?.length])).toEqual([
      [true, 6],
    ]);
    const rts = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpc!.VpcId!] },
          { Name: "association.main", Values: ["true"] },
        ],
      }),
    );
    // docs/routing.md IGW-9: an internet gateway and a default route, as AWS lays it out.
    const igws = await ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: "attachment.vpc-id", Values: [vpc!.VpcId!] }],
      }),
    );
    expect(igws.InternetGateways).toHaveLength(1);
    expect(rts.RouteTables?.[0]?.Routes).toEqual([
      {
        DestinationCidrBlock: "172.31.0.0/16",
        GatewayId: "local",
        Origin: "CreateRouteTable",
        State: "active",
      },
      {
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igws.InternetGateways?.[0]?.InternetGatewayId,
        Origin: "CreateRoute",
        State: "active",
      },
    ]);
    const hostnames = await ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: vpc!.VpcId!, Attribute: "enableDnsHostnames" }),
    );
    expect(hostnames.EnableDnsHostnames?.Value).toBe(true);
  });

  it("follows the region: us-west-1 has zones b and c (usw1-az1, usw1-az3) (ACC-4)", async () => {
    const ec2 = client("111111111111", "us-west-1");
    const [vpc] = await defaultVpcOf(ec2);
    const subnets = await defaultSubnets(ec2, vpc!.VpcId!);
    expect(subnets.map((s) => [s.AvailabilityZone, s.AvailabilityZoneId, s.CidrBlock])).toEqual([
      ["us-west-1b", "usw1-az1", "172.31.0.0/20"],
      ["us-west-1c", "usw1-az3", "172.31.16.0/20"],
    ]);
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(
      zones.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.RegionName, z.State]),
    ).toEqual([
      ["us-west-1b", "usw1-az1", "us-west-1", "available"],
      ["us-west-1c", "usw1-az3", "us-west-1", "available"],
    ]);
    expect(
      await ec2Failure(
        ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-west-1a"] })),
      ),
    ).toMatchObject({
      code: "InvalidParameterValue",
      message: "Invalid availability zone: [us-west-1a]",
    });
  });

  it("lists AWS's regions (DescribeRegions) and refuses a signature scoped to an unknown region (ACC-3)", async () => {
    const r = await client("111111111111").send(new DescribeRegionsCommand({}));
    const names = r.Regions?.map((x) => x.RegionName) ?? [];
    expect(names).toEqual(expect.arrayContaining(["us-east-1", "eu-west-1", "ap-northeast-1"]));
    expect(r.Regions?.find((x) => x.RegionName === "eu-west-1")).toEqual({
      RegionName: "eu-west-1",
      Endpoint: "ec2.eu-west-1.amazonaws.com",
      OptInStatus: "opt-in-not-required",
    });
    expect(
      await ec2Failure(client("111111111111", "mars-north-1").send(new DescribeVpcsCommand({}))),
    ).toEqual({
      code: "SignatureDoesNotMatch",
      status: 403,
      message: "Credential should be scoped to a valid region, not 'mars-north-1'.",
    });
  });

  it("refuses a subnet in a zone the region does not have, as AWS words it (ACC-5)", async () => {
    const ec2 = client("111111111111", "us-west-1");
    const vpc = await ec2.send(new DescribeVpcsCommand({}));
    const custom = vpc.Vpcs!.find((v) => v.IsDefault === true)!;
    expect(
      await ec2Failure(
        ec2.send(
          new CreateSubnetCommand({
            VpcId: custom.VpcId!,
            CidrBlock: "172.31.200.0/24",
            AvailabilityZone: "us-west-1a",
          }),
        ),
      ),
    ).toEqual({
      code: "InvalidParameterValue",
      status: 400,
      message:
        "Value (us-west-1a) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-west-1b, us-west-1c.",
    });
  });
});

describe("actions that fall back to the default VPC", () => {
  const ec2 = () => client("222222222222", "eu-west-1");

  it("creates a group without VpcId in the default VPC; GroupName names it there (DVPC-2)", async () => {
    const [vpc] = await defaultVpcOf(ec2());
    const g = await ec2().send(
      new CreateSecurityGroupCommand({ GroupName: "web", Description: "web" }),
    );
    const byName = await ec2().send(new DescribeSecurityGroupsCommand({ GroupNames: ["web"] }));
    expect(byName.SecurityGroups?.map((x) => [x.GroupId, x.VpcId])).toEqual([
      [g.GroupId, vpc!.VpcId],
    ]);
    expect(
      await ec2Failure(ec2().send(new DescribeSecurityGroupsCommand({ GroupNames: ["nope"] }))),
    ).toMatchObject({
      code: "InvalidGroup.NotFound",
      message: `The security group 'nope' does not exist in default VPC '${vpc!.VpcId}'`,
    });
    await ec2().send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupName: "web",
        IpProtocol: "tcp",
        FromPort: 80,
        ToPort: 80,
        CidrIp: "0.0.0.0/0",
      }),
    );
  });

  it("lists a permission Revoke found no rule for in unknownIpPermissionSet in the default VPC (API-18)", async () => {
    const r = await ec2().send(
      new RevokeSecurityGroupIngressCommand({
        GroupName: "web",
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 81, ToPort: 81, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    expect(r.RevokedSecurityGroupRules).toHaveLength(1);
    expect(r.UnknownIpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 81,
        ToPort: 81,
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
  });

  it("runs an instance without SubnetId in the default subnet of the first zone, or of its Placement zone, with the default group or named groups (DVPC-2)", async () => {
    const [vpc] = await defaultVpcOf(ec2());
    const subnets = await defaultSubnets(ec2(), vpc!.VpcId!);
    const a = await ec2().send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
      }),
    );
    const defaultGroup = (
      await ec2().send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: "vpc-id", Values: [vpc!.VpcId!] },
            { Name: "group-name", Values: ["default"] },
          ],
        }),
      )
    ).SecurityGroups![0]!.GroupId;
    expect(a.Instances?.[0]).toMatchObject({
      SubnetId: subnets[0]!.SubnetId,
      VpcId: vpc!.VpcId,
      Placement: { AvailabilityZone: "eu-west-1a" },
      PrivateIpAddress: "172.31.0.4",
      SecurityGroups: [{ GroupId: defaultGroup, GroupName: "default" }],
    });
    const b = await ec2().send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: "eu-west-1c" },
        SecurityGroups: ["web"],
      }),
    );
    expect(b.Instances?.[0]).toMatchObject({
      SubnetId: subnets[2]!.SubnetId,
      Placement: { AvailabilityZone: "eu-west-1c" },
      SecurityGroups: [{ GroupName: "web" }],
    });
    expect(
      await ec2Failure(
        ec2().send(
          new RunInstancesCommand({
            ImageId: "ami-12345678",
            MinCount: 1,
            MaxCount: 1,
            Placement: { AvailabilityZone: "eu-west-1z" },
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidParameterValue",
      message: "Invalid availability zone: [eu-west-1z]",
    });
    await ec2().send(
      new TerminateInstancesCommand({
        InstanceIds: [a.Instances![0]!.InstanceId!, b.Instances![0]!.InstanceId!],
      }),
    );
  });

  it("answers VPCIdNotSpecified once the default VPC is deleted, does not bring it back, and CreateDefaultVpc does (DVPC-3, DVPC-4)", async () => {
    const [vpc] = await defaultVpcOf(ec2());
    await ec2().send(new DeleteSecurityGroupCommand({ GroupName: "web" }));
    for (const s of await defaultSubnets(ec2(), vpc!.VpcId!))
      await ec2().send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
    // RT-9 (docs/routing.md): the internet gateway first, as on AWS.
    const igws = await ec2().send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: "attachment.vpc-id", Values: [vpc!.VpcId!] }],
      }),
    );
    for (const g of igws.InternetGateways ?? []) {
      await ec2().send(
        new DetachInternetGatewayCommand({
          InternetGatewayId: g.InternetGatewayId,
          VpcId: vpc!.VpcId!,
        }),
      );
      await ec2().send(
        new DeleteInternetGatewayCommand({ InternetGatewayId: g.InternetGatewayId }),
      );
    }
    await ec2().send(new DeleteVpcCommand({ VpcId: vpc!.VpcId! }));
    const none = {
      code: "VPCIdNotSpecified",
      status: 400,
      message: "No default VPC for this user",
    };
    expect(
      await ec2Failure(
        ec2().send(new CreateSecurityGroupCommand({ GroupName: "x", Description: "x" })),
      ),
    ).toEqual(none);
    expect(
      await ec2Failure(
        ec2().send(new RunInstancesCommand({ ImageId: "ami-12345678", MinCount: 1, MaxCount: 1 })),
      ),
    ).toEqual(none);
    expect(
      await ec2Failure(ec2().send(new DescribeSecurityGroupsCommand({ GroupNames: ["default"] }))),
    ).toEqual(none);
    expect(await defaultVpcOf(ec2())).toEqual([]);
    const created = await ec2().send(new CreateDefaultVpcCommand({}));
    expect(created.Vpc).toMatchObject({ CidrBlock: "172.31.0.0/16", IsDefault: true });
    expect(await defaultSubnets(ec2(), created.Vpc!.VpcId!)).toHaveLength(3);
    expect(await ec2Failure(ec2().send(new CreateDefaultVpcCommand({})))).toEqual({
      code: "DefaultVpcAlreadyExists",
      status: 400,
      message: "A Default VPC already exists for this account in this region.",
    });
  });

  it("recreates a deleted default subnet with CreateDefaultSubnet, once per zone (DVPC-4)", async () => {
    const [vpc] = await defaultVpcOf(ec2());
    const b = (await defaultSubnets(ec2(), vpc!.VpcId!))[1]!;
    await ec2().send(new DeleteSubnetCommand({ SubnetId: b.SubnetId! }));
    const again = await ec2().send(
      new CreateDefaultSubnetCommand({ AvailabilityZone: "eu-west-1b" }),
    );
    expect(again.Subnet).toMatchObject({
      AvailabilityZone: "eu-west-1b",
      CidrBlock: "172.31.16.0/20",
      DefaultForAz: true,
      MapPublicIpOnLaunch: true,
    });
    expect(
      await ec2Failure(
        ec2().send(new CreateDefaultSubnetCommand({ AvailabilityZone: "eu-west-1b" })),
      ),
    ).toMatchObject({ code: "DefaultSubnetAlreadyExistsInAvailabilityZone" });
  });
});

describe("the default VPC through the aws CLI", () => {
  it("describes it and answers create-default-vpc as AWS does", async () => {
    const opts = { accessKeyId: "333333333333", region: "ap-northeast-1" };
    const vpcs = await cli.json<{ Vpcs: Array<{ VpcId: string; CidrBlock: string }> }>(
      ["ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true"],
      opts,
    );
    expect(vpcs.Vpcs.map((v) => v.CidrBlock)).toEqual(["172.31.0.0/16"]);
    const zones = await cli.json<{
      AvailabilityZones: Array<{ ZoneName: string; ZoneId: string }>;
    }>(["ec2", "describe-availability-zones"], opts);
    expect(zones.AvailabilityZones.map((z) => `${z.ZoneName}=${z.ZoneId}`)).toEqual([
      "ap-northeast-1a=apne1-az4",
      "ap-northeast-1c=apne1-az1",
      "ap-northeast-1d=apne1-az2",
    ]);
    const again = await cli.run(["ec2", "create-default-vpc"], opts);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("(DefaultVpcAlreadyExists)");
  });
});
