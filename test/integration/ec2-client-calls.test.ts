/**
 * The EC2 calls real clients make beyond SGs and NACLs (issue 10 item 4; docs/ec2-api.md), with
 * AWS's request and response shapes and error codes, through the AWS SDK v3: VPC and subnet
 * attributes, secondary CIDRs, tenancy, route tables, tags, instance types and their network
 * limits, instance attributes and credit options, Start/Stop/Reboot and instance status, prefix
 * lists (customer- and AWS-managed), NotFound messages naming every id, filters.
 */
import {
  AssociateVpcCidrBlockCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteManagedPrefixListCommand,
  DeleteSubnetCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstanceCreditSpecificationsCommand,
  DescribeInstanceStatusCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DisassociateVpcCidrBlockCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  ModifyInstanceAttributeCommand,
  ModifyInstanceCreditSpecificationCommand,
  ModifyManagedPrefixListCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  ModifyVpcTenancyCommand,
  RebootInstancesCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ec2Failure as failure } from "../helpers/ec2-failure.js";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;
let ec2: EC2Client;
let vpcId = "";
let subnetId = "";

beforeAll(async () => {
  server = await startEc2Server({ store: { quotas: { vpcsPerRegion: 20 } } });
  ec2 = server.client();
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  subnetId = (
    await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: "10.0.1.0/24",
        AvailabilityZone: "us-east-1a",
      }),
    )
  ).Subnet!.SubnetId!;
});
afterAll(async () => {
  await server.close();
});

async function run(extra: Partial<ConstructorParameters<typeof RunInstancesCommand>[0]> = {}) {
  const r = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      ...extra,
    }),
  );
  return r.Instances![0]!;
}

describe("VPC and subnet attributes", () => {
  it("answers DescribeVpcAttribute with AWS's defaults and ModifyVpcAttribute one attribute at a time (ECX-7)", async () => {
    const get = async (
      a: "enableDnsSupport" | "enableDnsHostnames" | "enableNetworkAddressUsageMetrics",
    ) => ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: a }));
    expect((await get("enableDnsSupport")).EnableDnsSupport?.Value).toBe(true);
    expect((await get("enableDnsHostnames")).EnableDnsHostnames?.Value).toBe(false);
    expect(
      (await get("enableNetworkAddressUsageMetrics")).EnableNetworkAddressUsageMetrics?.Value,
    ).toBe(false);
    await ec2.send(
      new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }),
    );
    expect((await get("enableDnsHostnames")).EnableDnsHostnames?.Value).toBe(true);
    expect(
      await failure(
        ec2.send(
          new ModifyVpcAttributeCommand({
            VpcId: vpcId,
            EnableDnsSupport: { Value: true },
            EnableDnsHostnames: { Value: true },
          }),
        ),
      ),
    ).toMatchObject({ code: "InvalidParameterCombination" });
    expect(
      await failure(
        ec2.send(
          new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: false } }),
        ),
      ),
    ).toMatchObject({ code: "InvalidParameterValue" });
    expect(
      await failure(
        ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: "bogus" as never })),
      ),
    ).toEqual({
      code: "InvalidParameterValue",
      status: 400,
      message: "Value (bogus) for parameter attribute is invalid. Unknown attribute.",
    });
  });

  it("shows ModifySubnetAttribute changes in DescribeSubnets, with Ipv6Native and PrivateDnsNameOptionsOnLaunch", async () => {
    await ec2.send(
      new ModifySubnetAttributeCommand({
        SubnetId: subnetId,
        MapPublicIpOnLaunch: { Value: true },
      }),
    );
    await ec2.send(
      new ModifySubnetAttributeCommand({
        SubnetId: subnetId,
        PrivateDnsHostnameTypeOnLaunch: "resource-name",
      }),
    );
    await ec2.send(
      new ModifySubnetAttributeCommand({
        SubnetId: subnetId,
        EnableResourceNameDnsARecordOnLaunch: { Value: true },
      }),
    );
    const s = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!;
    expect(s).toMatchObject({
      MapPublicIpOnLaunch: true,
      AssignIpv6AddressOnCreation: false,
      EnableDns64: false,
      Ipv6Native: false,
      AvailabilityZoneId: "use1-az1",
      PrivateDnsNameOptionsOnLaunch: {
        HostnameType: "resource-name",
        EnableResourceNameDnsARecord: true,
        EnableResourceNameDnsAAAARecord: false,
      },
    });
    const byFilter = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "map-public-ip-on-launch", Values: ["true"] },
          { Name: "vpc-id", Values: [vpcId] },
        ],
      }),
    );
    expect(byFilter.Subnets?.map((x) => x.SubnetId)).toEqual([subnetId]);
    expect(
      await failure(
        ec2.send(
          new ModifySubnetAttributeCommand({
            SubnetId: subnetId,
            AssignIpv6AddressOnCreation: { Value: true },
          }),
        ),
      ),
    ).toMatchObject({ code: "InvalidParameterValue" });
    expect(
      await failure(
        ec2.send(
          new ModifySubnetAttributeCommand({
            SubnetId: subnetId,
            MapPublicIpOnLaunch: { Value: false },
            EnableDns64: { Value: true },
          }),
        ),
      ),
    ).toMatchObject({ code: "InvalidParameterCombination" });
  });
});

describe("secondary CIDRs, tenancy and route tables", () => {
  it("associates secondary IPv4 CIDRs (quota 5), refuses overlaps, and disassociates them (ECX-8)", async () => {
    const v = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc!.VpcId!;
    const a = await ec2.send(
      new AssociateVpcCidrBlockCommand({ VpcId: v, CidrBlock: "10.21.0.0/16" }),
    );
    expect(a.CidrBlockAssociation).toMatchObject({
      CidrBlock: "10.21.0.0/16",
      CidrBlockState: { State: "associating" },
    });
    const assoc = a.CidrBlockAssociation!.AssociationId!;
    const vpc = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [v] }))).Vpcs![0]!;
    expect(vpc.CidrBlockAssociationSet?.map((x) => x.CidrBlock)).toEqual([
      "10.20.0.0/16",
      "10.21.0.0/16",
    ]);
    const s = await ec2.send(new CreateSubnetCommand({ VpcId: v, CidrBlock: "10.21.5.0/24" }));
    const rt = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [v] }] }),
    );
    expect(rt.RouteTables?.[0]?.Routes?.map((r) => r.DestinationCidrBlock)).toEqual([
      "10.20.0.0/16",
      "10.21.0.0/16",
    ]);
    expect(
      await failure(
        ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: v, CidrBlock: "10.21.128.0/17" })),
      ),
    ).toMatchObject({ code: "InvalidVpc.Range" });
    for (const c of ["10.22.0.0/16", "10.23.0.0/16", "10.24.0.0/16"])
      await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: v, CidrBlock: c }));
    expect(
      await failure(
        ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: v, CidrBlock: "10.25.0.0/16" })),
      ),
    ).toEqual({
      code: "CidrLimitExceeded",
      status: 400,
      message: `This network '${v}' has met its maximum number of allowed CIDRs: 5`,
    });
    expect(
      await failure(ec2.send(new DisassociateVpcCidrBlockCommand({ AssociationId: assoc }))),
    ).toMatchObject({
      code: "DependencyViolation",
    });
    expect(
      await failure(
        ec2.send(
          new DisassociateVpcCidrBlockCommand({
            AssociationId: vpc.CidrBlockAssociationSet![0]!.AssociationId!,
          }),
        ),
      ),
    ).toMatchObject({ code: "OperationNotPermitted" });
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s.Subnet!.SubnetId! }));
    const d = await ec2.send(new DisassociateVpcCidrBlockCommand({ AssociationId: assoc }));
    expect(d).toMatchObject({
      VpcId: v,
      CidrBlockAssociation: {
        CidrBlock: "10.21.0.0/16",
        CidrBlockState: { State: "disassociating" },
      },
    });
    expect(
      await failure(ec2.send(new DisassociateVpcCidrBlockCommand({ AssociationId: assoc }))),
    ).toMatchObject({ code: "InvalidVpcCidrBlockAssociationID.NotFound" });
  });

  it("changes a dedicated VPC to default tenancy only (ModifyVpcTenancy)", async () => {
    const v = (
      await ec2.send(
        new CreateVpcCommand({ CidrBlock: "10.30.0.0/16", InstanceTenancy: "dedicated" }),
      )
    ).Vpc!;
    expect(v.InstanceTenancy).toBe("dedicated");
    expect(
      await failure(
        ec2.send(
          new ModifyVpcTenancyCommand({ VpcId: v.VpcId!, InstanceTenancy: "dedicated" as never }),
        ),
      ),
    ).toEqual({
      code: "UnsupportedTenancy",
      status: 400,
      message: "The tenancy value dedicated is not supported.",
    });
    expect(
      (await ec2.send(new ModifyVpcTenancyCommand({ VpcId: v.VpcId!, InstanceTenancy: "default" })))
        .ReturnValue,
    ).toBe(true);
    expect(
      (await ec2.send(new DescribeVpcsCommand({ VpcIds: [v.VpcId!] }))).Vpcs![0]!.InstanceTenancy,
    ).toBe("default");
  });

  it("describes each VPC's main route table and names unknown route tables", async () => {
    const r = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "association.main", Values: ["true"] },
        ],
      }),
    );
    expect(r.RouteTables).toHaveLength(1);
    const t = r.RouteTables![0]!;
    expect(t.RouteTableId).toMatch(/^rtb-[0-9a-f]{17}$/);
    expect(t.Associations).toEqual([
      expect.objectContaining({
        Main: true,
        RouteTableId: t.RouteTableId,
        AssociationState: { State: "associated" },
      }),
    ]);
    expect(
      await failure(
        ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ["rtb-0123456789abcdef0"] })),
      ),
    ).toEqual({
      code: "InvalidRouteTableID.NotFound",
      status: 400,
      message: "The routeTable ID 'rtb-0123456789abcdef0' does not exist",
    });
  });
});

describe("tags, NotFound messages and filters", () => {
  it("lists tags of every resource kind with DescribeTags filters", async () => {
    const g = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "tagged", Description: "t", VpcId: vpcId }),
    );
    await ec2.send(
      new CreateTagsCommand({
        Resources: [vpcId, subnetId, g.GroupId!],
        Tags: [{ Key: "team", Value: "net" }],
      }),
    );
    await ec2.send(
      new CreateTagsCommand({ Resources: [g.GroupId!], Tags: [{ Key: "tier", Value: "web" }] }),
    );
    const all = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: "key", Values: ["team"] }] }),
    );
    expect(all.Tags?.map((t) => `${t.ResourceType}:${t.ResourceId}`).sort()).toEqual(
      [`security-group:${g.GroupId}`, `subnet:${subnetId}`, `vpc:${vpcId}`].sort(),
    );
    const sg = await ec2.send(
      new DescribeTagsCommand({
        Filters: [
          { Name: "resource-type", Values: ["security-group"] },
          { Name: "resource-id", Values: [g.GroupId!] },
        ],
      }),
    );
    expect(sg.Tags).toEqual([
      { ResourceId: g.GroupId, ResourceType: "security-group", Key: "team", Value: "net" },
      { ResourceId: g.GroupId, ResourceType: "security-group", Key: "tier", Value: "web" },
    ]);
    const tagKey = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: "tag:tier", Values: ["web"] }] }),
    );
    expect(tagKey.Tags?.map((t) => t.Key)).toEqual(["tier"]);
    const value = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: "value", Values: ["we*"] }] }),
    );
    expect(value.Tags?.map((t) => t.ResourceId)).toEqual([g.GroupId]);
  });

  it("names every unknown id in NotFound, singular and plural (ECX-1)", async () => {
    expect(
      await failure(
        ec2.send(
          new DescribeVpcsCommand({
            VpcIds: ["vpc-0123456789abcdef0", vpcId, "vpc-0123456789abcdef1"],
          }),
        ),
      ),
    ).toEqual({
      code: "InvalidVpcID.NotFound",
      status: 400,
      message: "The vpc IDs 'vpc-0123456789abcdef0, vpc-0123456789abcdef1' do not exist",
    });
    expect(
      await failure(
        ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] })),
      ),
    ).toMatchObject({
      message: "The subnet ID 'subnet-0123456789abcdef0' does not exist",
    });
    expect(
      await failure(
        ec2.send(
          new TerminateInstancesCommand({
            InstanceIds: ["i-0123456789abcdef0", "i-0123456789abcdef1"],
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidInstanceID.NotFound",
      message: "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist",
    });
  });

  it("answers InvalidGroupId.Malformed for a malformed group id, in GroupId.N and in a group-id filter (ERR-6)", async () => {
    const want = {
      code: "InvalidGroupId.Malformed",
      status: 400,
      message: 'Invalid id: "web" (expecting "sg-...")',
    };
    expect(
      await failure(
        ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: ["web"] }] }),
        ),
      ),
    ).toEqual(want);
    expect(
      await failure(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["web"] }))),
    ).toEqual(want);
  });

  it("filters groups by (egress.)ip-permission.group-name and ENIs by availability-zone", async () => {
    const a = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "a", Description: "a", VpcId: vpcId }),
    );
    const b = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "b", Description: "b", VpcId: vpcId }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: b.GroupId!,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 5432,
            ToPort: 5432,
            UserIdGroupPairs: [{ GroupId: a.GroupId! }],
          },
        ],
      }),
    );
    const eg = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: "egress.ip-permission.group-name", Values: ["a"] }],
      }),
    );
    expect(eg.SecurityGroups?.map((g) => g.GroupId)).toEqual([b.GroupId]);
    const ing = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: "ip-permission.group-name", Values: ["a"] }],
      }),
    );
    expect(ing.SecurityGroups).toEqual([]);
    const other = (
      await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: "10.0.9.0/24",
          AvailabilityZone: "us-east-1c",
        }),
      )
    ).Subnet!.SubnetId!;
    const eni = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: other }));
    const byAz = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: "availability-zone", Values: ["us-east-1c"] }],
      }),
    );
    expect(byAz.NetworkInterfaces?.map((e) => e.NetworkInterfaceId)).toEqual([
      eni.NetworkInterface!.NetworkInterfaceId,
    ]);
  });
});

describe("instance types and their network limits", () => {
  it("describes a realistic catalogue and refuses unknown types (ECX-2)", async () => {
    const r = await ec2.send(
      new DescribeInstanceTypesCommand({ InstanceTypes: ["t3.micro", "m5.large"] }),
    );
    const t3 = r.InstanceTypes!.find((t) => t.InstanceType === "t3.micro")!;
    expect(t3).toMatchObject({
      BurstablePerformanceSupported: true,
      Hypervisor: "nitro",
      VCpuInfo: { DefaultVCpus: 2 },
      MemoryInfo: { SizeInMiB: 1024 },
      NetworkInfo: {
        MaximumNetworkInterfaces: 2,
        Ipv4AddressesPerInterface: 2,
        Ipv6AddressesPerInterface: 2,
        Ipv6Supported: true,
      },
    });
    expect(r.InstanceTypes!.find((t) => t.InstanceType === "m5.large")?.NetworkInfo).toMatchObject({
      MaximumNetworkInterfaces: 3,
      Ipv4AddressesPerInterface: 10,
    });
    const burst = await ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [{ Name: "burstable-performance-supported", Values: ["true"] }],
      }),
    );
    expect(burst.InstanceTypes?.every((t) => t.InstanceType?.startsWith("t"))).toBe(true);
    expect(
      await failure(
        ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["x9.huge" as never] })),
      ),
    ).toEqual({
      code: "InvalidInstanceType",
      status: 400,
      message: "The following supplied instance types do not exist: [x9.huge]",
    });
  });

  it("enforces interfaces and addresses per interface on RunInstances (ECX-2)", async () => {
    expect(await failure(run({ InstanceType: "x9.huge" as never }))).toEqual({
      code: "InvalidParameterValue",
      status: 400,
      message: "Invalid value 'x9.huge' for InstanceType.",
    });
    expect(
      await failure(
        run({
          SubnetId: undefined,
          NetworkInterfaces: [0, 1, 2].map((i) => ({ DeviceIndex: i, SubnetId: subnetId })),
        }),
      ),
    ).toMatchObject({
      code: "AttachmentLimitExceeded",
      message: "Interface count 3 exceeds the limit for t3.micro",
    });
    expect(
      await failure(
        run({
          SubnetId: undefined,
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: subnetId, SecondaryPrivateIpAddressCount: 2 },
          ],
        }),
      ),
    ).toMatchObject({ code: "PrivateIpAddressLimitExceeded" });
    const ok = await run({
      InstanceType: "t3.small",
      SubnetId: undefined,
      NetworkInterfaces: [
        { DeviceIndex: 0, SubnetId: subnetId, SecondaryPrivateIpAddressCount: 3 },
      ],
    });
    expect(ok.NetworkInterfaces?.[0]?.PrivateIpAddresses).toHaveLength(4);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ok.InstanceId!] }));
  });
});

describe("instance attributes, credits and lifecycle", () => {
  it("describes every attribute and modifies DisableApiTermination without GroupId; protection refuses terminate (ECX-4)", async () => {
    const i = await run();
    const id = i.InstanceId!;
    const attr = (a: string) =>
      ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: a as never }));
    expect((await attr("instanceType")).InstanceType?.Value).toBe("t3.micro");
    expect((await attr("disableApiTermination")).DisableApiTermination?.Value).toBe(false);
    expect(
      (await attr("instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior?.Value,
    ).toBe("stop");
    expect((await attr("sourceDestCheck")).SourceDestCheck?.Value).toBe(true);
    expect((await attr("enaSupport")).EnaSupport?.Value).toBe(true);
    expect((await attr("rootDeviceName")).RootDeviceName?.Value).toBe("/dev/xvda");
    expect((await attr("groupSet")).Groups).toHaveLength(1);
    for (const a of [
      "kernel",
      "ramdisk",
      "userData",
      "blockDeviceMapping",
      "productCodes",
      "ebsOptimized",
      "sriovNetSupport",
      "enclaveOptions",
      "disableApiStop",
    ])
      expect((await attr(a)).InstanceId).toBe(id);
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: id,
        DisableApiTermination: { Value: true },
      }),
    );
    expect((await attr("disableApiTermination")).DisableApiTermination?.Value).toBe(true);
    expect(await failure(ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })))).toEqual({
      code: "OperationNotPermitted",
      status: 400,
      message: `The instance '${id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
    });
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: id,
        Attribute: "disableApiTermination",
        Value: "false",
      }),
    );
    expect(
      await failure(
        ec2.send(
          new ModifyInstanceAttributeCommand({
            InstanceId: id,
            DisableApiStop: { Value: true },
            SourceDestCheck: { Value: false },
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidParameterCombination",
      message: "Only one attribute can be modified at a time",
    });
    const t = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(t.TerminatingInstances?.[0]?.CurrentState).toEqual({ Code: 32, Name: "shutting-down" });
  });

  it("stops (stopping -> stopped), changes the type only while stopped, starts (pending -> running), reboots running ones (ECX-3, ECX-4)", async () => {
    const i = await run({ InstanceType: "t3.small" });
    const id = i.InstanceId!;
    expect(i.State).toEqual({ Code: 0, Name: "pending" });
    expect(
      await failure(
        ec2.send(
          new ModifyInstanceAttributeCommand({
            InstanceId: id,
            InstanceType: { Value: "t3.nano" },
          }),
        ),
      ),
    ).toEqual({
      code: "IncorrectInstanceState",
      status: 400,
      message: `The instance '${id}' is not in the 'stopped' state.`,
    });
    await ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }));
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stop.StoppingInstances?.[0]).toMatchObject({
      CurrentState: { Code: 64, Name: "stopping" },
      PreviousState: { Code: 16, Name: "running" },
    });
    const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(d.Reservations?.[0]?.Instances?.[0]).toMatchObject({
      State: { Code: 80, Name: "stopped" },
      StateReason: { Code: "Client.UserInitiatedShutdown" },
    });
    expect(
      await failure(ec2.send(new RebootInstancesCommand({ InstanceIds: [id] }))),
    ).toMatchObject({ code: "IncorrectInstanceState" });
    await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: "t3.nano" } }),
    );
    const start = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(start.StartingInstances?.[0]).toMatchObject({
      CurrentState: { Code: 0, Name: "pending" },
      PreviousState: { Code: 80, Name: "stopped" },
    });
    const after = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })))
      .Reservations![0]!.Instances![0]!;
    expect([after.State?.Name, after.InstanceType]).toEqual(["running", "t3.nano"]);
    await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true } }),
    );
    expect(await failure(ec2.send(new StopInstancesCommand({ InstanceIds: [id] })))).toMatchObject({
      code: "OperationNotPermitted",
    });
  });

  it("reports instance status for running instances, all with IncludeAllInstances", async () => {
    const a = await run();
    const b = await run();
    await ec2.send(new StopInstancesCommand({ InstanceIds: [b.InstanceId!] }));
    const running = await ec2.send(
      new DescribeInstanceStatusCommand({ InstanceIds: [a.InstanceId!, b.InstanceId!] }),
    );
    expect(
      running.InstanceStatuses?.map((s) => [
        s.InstanceId,
        s.InstanceStatus?.Status,
        s.SystemStatus?.Status,
      ]),
    ).toEqual([[a.InstanceId, "ok", "ok"]]);
    const all = await ec2.send(
      new DescribeInstanceStatusCommand({
        InstanceIds: [a.InstanceId!, b.InstanceId!],
        IncludeAllInstances: true,
      }),
    );
    expect(
      all.InstanceStatuses?.map((s) => [s.InstanceState?.Name, s.InstanceStatus?.Status]),
    ).toEqual([
      ["running", "ok"],
      ["stopped", "not-applicable"],
    ]);
  });

  it("answers credit options of burstable instances and refuses others (InstanceCreditSpecification.NotSupported)", async () => {
    const t3 = await run();
    const t2 = await run({ InstanceType: "t2.micro" });
    const m5 = await run({ InstanceType: "m5.large" });
    const r = await ec2.send(
      new DescribeInstanceCreditSpecificationsCommand({
        InstanceIds: [t3.InstanceId!, t2.InstanceId!],
      }),
    );
    expect(r.InstanceCreditSpecifications).toEqual([
      { InstanceId: t3.InstanceId, CpuCredits: "unlimited" },
      { InstanceId: t2.InstanceId, CpuCredits: "standard" },
    ]);
    expect(
      await failure(
        ec2.send(
          new DescribeInstanceCreditSpecificationsCommand({ InstanceIds: [m5.InstanceId!] }),
        ),
      ),
    ).toMatchObject({ code: "InstanceCreditSpecification.NotSupported" });
    const m = await ec2.send(
      new ModifyInstanceCreditSpecificationCommand({
        InstanceCreditSpecifications: [
          { InstanceId: t3.InstanceId!, CpuCredits: "standard" },
          { InstanceId: m5.InstanceId!, CpuCredits: "standard" },
        ],
      }),
    );
    expect(m.SuccessfulInstanceCreditSpecifications).toEqual([{ InstanceId: t3.InstanceId }]);
    expect(m.UnsuccessfulInstanceCreditSpecifications?.[0]).toMatchObject({
      InstanceId: m5.InstanceId,
      Error: { Code: "InstanceCreditSpecification.NotSupported" },
    });
  });
});

describe("prefix lists", () => {
  it("deletes a customer-managed list only when no rule references it", async () => {
    const pl = (
      await ec2.send(
        new CreateManagedPrefixListCommand({
          PrefixListName: "office",
          MaxEntries: 2,
          AddressFamily: "IPv4",
        }),
      )
    ).PrefixList!.PrefixListId!;
    const g = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "pl-user", Description: "p", VpcId: vpcId }),
    );
    const rule = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: g.GroupId!,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, PrefixListIds: [{ PrefixListId: pl }] },
        ],
      }),
    );
    expect(
      await failure(ec2.send(new DeleteManagedPrefixListCommand({ PrefixListId: pl }))),
    ).toMatchObject({
      code: "DependencyViolation",
      message: `The prefix list '${pl}' is referenced by security group rules (${rule.SecurityGroupRules![0]!.SecurityGroupRuleId}) and cannot be deleted.`,
    });
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: g.GroupId!,
        SecurityGroupRuleIds: [rule.SecurityGroupRules![0]!.SecurityGroupRuleId!],
      }),
    );
    const d = await ec2.send(new DeleteManagedPrefixListCommand({ PrefixListId: pl }));
    expect(d.PrefixList).toMatchObject({ PrefixListId: pl, State: "delete-complete" });
    expect(
      await failure(ec2.send(new DescribeManagedPrefixListsCommand({ PrefixListIds: [pl] }))),
    ).toMatchObject({
      code: "InvalidPrefixListID.NotFound",
    });
  });

  it("has the AWS-managed S3 and DynamoDB lists, read-only and usable in rules that the compiler expands (ECX-5, REF-7)", async () => {
    const old = await ec2.send(new DescribePrefixListsCommand({}));
    expect(old.PrefixLists?.map((p) => [p.PrefixListName, p.PrefixListId])).toEqual([
      ["com.amazonaws.us-east-1.s3", "pl-63a5400a"],
      ["com.amazonaws.us-east-1.dynamodb", "pl-02cd2c6b"],
    ]);
    expect(old.PrefixLists?.[0]?.Cidrs).toContain("52.216.0.0/15");
    const managed = await ec2.send(
      new DescribeManagedPrefixListsCommand({ Filters: [{ Name: "owner-id", Values: ["AWS"] }] }),
    );
    expect(managed.PrefixLists?.[0]).toMatchObject({
      PrefixListId: "pl-63a5400a",
      OwnerId: "AWS",
      AddressFamily: "IPv4",
      PrefixListArn: "arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a",
    });
    const entries = await ec2.send(
      new GetManagedPrefixListEntriesCommand({ PrefixListId: "pl-02cd2c6b" }),
    );
    expect(entries.Entries?.map((e) => e.Cidr)).toContain("52.94.0.0/22");
    expect(
      await failure(
        ec2.send(
          new ModifyManagedPrefixListCommand({
            PrefixListId: "pl-63a5400a",
            RemoveEntries: [{ Cidr: "52.216.0.0/15" }],
          }),
        ),
      ),
    ).toMatchObject({ code: "InvalidPrefixListModification" });
    const g = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "to-s3", Description: "s3", VpcId: vpcId }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: g.GroupId!,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 443,
            ToPort: 443,
            PrefixListIds: [{ PrefixListId: "pl-63a5400a" }],
          },
        ],
      }),
    );
    const state = server.store.readPolicyState();
    const s3 = state.prefixLists.find((p) => p.prefixListId === "pl-63a5400a");
    expect(s3?.cidrs).toContain("52.216.0.0/15");
    expect(
      state.securityGroups
        .find((x) => x.groupId === g.GroupId)
        ?.rules.some((r) => r.prefixListId === "pl-63a5400a"),
    ).toBe(true);
  });
});
