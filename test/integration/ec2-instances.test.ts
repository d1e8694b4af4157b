/**
 * ENIs, instances, managed prefix lists and tags through the real AWS SDK v3
 * (AWS-BEHAVIOUR API-27..API-35, DEF-4, RULE-2, TO-2, TO-8, Q-3, ERR-15, ERR-32, ERR-34, ERR-37).
 */
import {
  CreateManagedPrefixListCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteNetworkInterfaceCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  GetManagedPrefixListEntriesCommand,
  ModifyInstanceAttributeCommand,
  ModifyManagedPrefixListCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ec2Failure as failure } from "../helpers/ec2-failure.js";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;
let ec2: EC2Client;
let vpcId: string;
let subnetId: string;
let defaultGroupId: string;

beforeAll(async () => {
  server = await startEc2Server({ store: { quotas: { vpcsPerRegion: 100 } } });
  ec2 = server.client();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
  subnetId =
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))).Subnet
      ?.SubnetId ?? "";
  const d = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "group-name", Values: ["default"] },
      ],
    }),
  );
  defaultGroupId = d.SecurityGroups?.[0]?.GroupId ?? "";
});

async function newGroup(name: string): Promise<string> {
  return (
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: name, Description: "d", VpcId: vpcId }),
      )
    ).GroupId ?? ""
  );
}

async function eni(id: string) {
  const r = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
  return r.NetworkInterfaces?.[0];
}

describe("network interfaces via the AWS SDK", () => {
  it("allocates the first free address after the 4 reserved, attaches the default SG (API-27, DEF-4)", async () => {
    const r = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Description: "front" }),
    );
    const n = r.NetworkInterface;
    expect(n?.NetworkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(n).toMatchObject({
      PrivateIpAddress: "10.0.1.4",
      SubnetId: subnetId,
      VpcId: vpcId,
      Status: "available",
      SourceDestCheck: true,
      Description: "front",
      Groups: [{ GroupId: defaultGroupId, GroupName: "default" }],
    });
    expect(n?.MacAddress).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    const second = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetId, SecondaryPrivateIpAddressCount: 2 }),
    );
    expect(
      second.NetworkInterface?.PrivateIpAddresses?.map((a) => [a.PrivateIpAddress, a.Primary]),
    ).toEqual([
      ["10.0.1.5", true],
      ["10.0.1.6", false],
      ["10.0.1.7", false],
    ]);
  });

  it("takes a requested address, refusing one in use, reserved, or outside the subnet", async () => {
    await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: "10.0.1.50" }),
    );
    expect(
      (
        await failure(
          ec2.send(
            new CreateNetworkInterfaceCommand({
              SubnetId: subnetId,
              PrivateIpAddress: "10.0.1.50",
            }),
          ),
        )
      ).code,
    ).toBe("InvalidIPAddress.InUse");
    expect(
      (
        await failure(
          ec2.send(
            new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: "10.0.1.2" }),
          ),
        )
      ).message,
    ).toContain("10.0.1.2");
    expect(
      (
        await failure(
          ec2.send(
            new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: "10.0.2.9" }),
          ),
        )
      ).message,
    ).toContain("10.0.2.9");
  });

  it("checks groups: exist (ERR-5), same VPC (ERR-34), at most 5 (Q-3, ERR-15)", async () => {
    expect(
      await failure(
        ec2.send(
          new CreateNetworkInterfaceCommand({
            SubnetId: subnetId,
            Groups: ["sg-0123456789abcdef0"],
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidGroup.NotFound",
      message: "The security group 'sg-0123456789abcdef0' does not exist",
    });
    const otherVpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.5.0.0/16" }))).Vpc
      ?.VpcId;
    const foreign = (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "f", Description: "d", VpcId: otherVpc }),
      )
    ).GroupId;
    expect(
      await failure(
        ec2.send(
          new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [foreign ?? ""] }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidParameter",
      message: `Security group ${foreign} and subnet ${subnetId} belong to different networks.`,
    });
    const six: string[] = [];
    for (let i = 0; i < 6; i++) six.push(await newGroup(`g${i}`));
    expect(
      await failure(
        ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: six })),
      ),
    ).toMatchObject({
      code: "SecurityGroupsPerInterfaceLimitExceeded",
    });
    const ok = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: six.slice(0, 5) }),
    );
    expect(ok.NetworkInterface?.Groups).toHaveLength(5);
  });

  it("modifies exactly one attribute: groups, source/dest check, description, conntrack (API-28, ERR-37)", async () => {
    const id =
      (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface
        ?.NetworkInterfaceId ?? "";
    const web = await newGroup("web");
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: [web] }),
    );
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: id,
        SourceDestCheck: { Value: false },
      }),
    );
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: id,
        Description: { Value: "changed" },
      }),
    );
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: id,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: 3600, UdpTimeout: 45 },
      }),
    );
    expect(await eni(id)).toMatchObject({
      Groups: [{ GroupId: web }],
      SourceDestCheck: false,
      Description: "changed",
      ConnectionTrackingConfiguration: {
        TcpEstablishedTimeout: 3600,
        UdpTimeout: 45,
        UdpStreamTimeout: 180,
      },
    });
    expect(
      await failure(
        ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: id,
            Groups: [web],
            SourceDestCheck: { Value: true },
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidParameterCombination",
      message: "Only one attribute can be modified at a time",
    });
  });

  it.each([
    ["UdpTimeout", { UdpTimeout: 10 }, "Invalid value '10' for UdpTimeout. Valid range is 30-60."],
    [
      "UdpStreamTimeout",
      { UdpStreamTimeout: 181 },
      "Invalid value '181' for UdpStreamTimeout. Valid range is 60-180.",
    ],
    [
      "TcpEstablishedTimeout",
      { TcpEstablishedTimeout: 59 },
      "Invalid value '59' for TcpEstablishedTimeout. Valid range is 60-432000.",
    ],
  ])("rejects an out-of-range %s with TO-8's message (ERR-38)", async (_f, spec, message) => {
    const e = await failure(
      ec2.send(
        new CreateNetworkInterfaceCommand({
          SubnetId: subnetId,
          ConnectionTrackingSpecification: spec,
        }),
      ),
    );
    expect(e).toEqual({ code: "InvalidParameterValue", status: 400, message });
  });

  it("filters by group-id and subnet-id; unknown ENI is ERR-32", async () => {
    const web = await newGroup("web");
    const a = (
      await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [web] }))
    ).NetworkInterface;
    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }));
    const r = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "group-id", Values: [web] }] }),
    );
    expect(r.NetworkInterfaces?.map((x) => x.NetworkInterfaceId)).toEqual([a?.NetworkInterfaceId]);
    const bySubnet = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: "subnet-id", Values: [subnetId] }],
      }),
    );
    expect(bySubnet.NetworkInterfaces).toHaveLength(2);
    expect(
      await failure(
        ec2.send(
          new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0123456789abcdef0"] }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidNetworkInterfaceID.NotFound",
      message: "The networkInterface ID 'eni-0123456789abcdef0' does not exist",
    });
  });
});

describe("instances via the AWS SDK", () => {
  it("runs instances with a primary ENI each, pending in the answer, running when described (API-30, API-31)", async () => {
    const web = await newGroup("web");
    const r = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        InstanceType: "t3.micro",
        MinCount: 2,
        MaxCount: 2,
        SubnetId: subnetId,
        SecurityGroupIds: [web],
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "web" }] }],
      }),
    );
    expect(r.ReservationId).toMatch(/^r-[0-9a-f]{17}$/);
    expect(r.Instances).toHaveLength(2);
    const i = r.Instances?.[0];
    expect(i?.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(i).toMatchObject({
      State: { Code: 0, Name: "pending" },
      SubnetId: subnetId,
      VpcId: vpcId,
      PrivateIpAddress: "10.0.1.4",
      SecurityGroups: [{ GroupId: web, GroupName: "web" }],
      Tags: [{ Key: "Name", Value: "web" }],
    });
    expect(i?.NetworkInterfaces?.[0]).toMatchObject({
      Attachment: { DeviceIndex: 0, DeleteOnTermination: true },
      Groups: [{ GroupId: web }],
    });
    const d = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "instance-state-name", Values: ["running"] },
          { Name: "subnet-id", Values: [subnetId] },
        ],
      }),
    );
    expect(d.Reservations).toHaveLength(1);
    expect(d.Reservations?.[0]?.Instances?.map((x) => x.InstanceId)).toEqual(
      r.Instances?.map((x) => x.InstanceId),
    );
    const enis = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: "attachment.instance-id", Values: [i?.InstanceId ?? ""] }],
      }),
    );
    expect(enis.NetworkInterfaces?.[0]).toMatchObject({
      Status: "in-use",
      Attachment: { InstanceId: i?.InstanceId },
    });
  });

  it("takes NetworkInterface.N with a conntrack spec (TO-2) and an existing ENI", async () => {
    const r = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-1",
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: [
          {
            DeviceIndex: 0,
            SubnetId: subnetId,
            PrivateIpAddress: "10.0.1.20",
            ConnectionTrackingSpecification: { UdpStreamTimeout: 90 },
          },
        ],
      }),
    );
    expect(r.Instances?.[0]?.NetworkInterfaces?.[0]).toMatchObject({
      PrivateIpAddress: "10.0.1.20",
      ConnectionTrackingConfiguration: { UdpStreamTimeout: 90 },
    });
    const pre = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface?.NetworkInterfaceId;
    const r2 = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-1",
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: pre }],
      }),
    );
    expect(r2.Instances?.[0]?.NetworkInterfaces?.[0]?.NetworkInterfaceId).toBe(pre);
    expect(
      (await failure(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: pre }))))
        .code,
    ).toBe("InvalidNetworkInterface.InUse");
    // Terminating keeps an ENI that was not created with the instance, now detached.
    await ec2.send(
      new TerminateInstancesCommand({ InstanceIds: [r2.Instances?.[0]?.InstanceId ?? ""] }),
    );
    expect((await eni(pre ?? ""))?.Status).toBe("available");
  });

  it("answers a retried RunInstances (same ClientToken) with the first reservation", async () => {
    const req = {
      ImageId: "ami-1",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      ClientToken: "retry-1",
    };
    const a = await ec2.send(new RunInstancesCommand(req));
    const b = await ec2.send(new RunInstancesCommand(req));
    expect(b.ReservationId).toBe(a.ReservationId);
    expect(b.Instances?.map((i) => i.InstanceId)).toEqual(a.Instances?.map((i) => i.InstanceId));
    const all = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "subnet-id", Values: [subnetId] }] }),
    );
    expect(all.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(1);
  });

  it("refuses SecurityGroup names with a subnet (ERR-35)", async () => {
    expect(
      await failure(
        ec2.send(
          new RunInstancesCommand({
            ImageId: "ami-1",
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnetId,
            SecurityGroups: ["web"],
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidParameterCombination",
      message: "The parameter groupName cannot be used with the parameter subnet",
    });
  });

  it("changes the primary ENI's groups via ModifyInstanceAttribute (API-33, RULE-2)", async () => {
    const r = await ec2.send(
      new RunInstancesCommand({ ImageId: "ami-1", MinCount: 1, MaxCount: 1, SubnetId: subnetId }),
    );
    const inst = r.Instances?.[0];
    expect(inst?.SecurityGroups?.map((g) => g.GroupId)).toEqual([defaultGroupId]);
    const app = await newGroup("app");
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: inst?.InstanceId,
        Groups: [app, defaultGroupId],
      }),
    );
    expect(
      (await eni(inst?.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? ""))?.Groups?.map(
        (g) => g.GroupId,
      ),
    ).toEqual([app, defaultGroupId]);
  });

  it("terminates idempotently, deleting the primary ENI; one bad id terminates nothing (API-32, ERR-32)", async () => {
    const r = await ec2.send(
      new RunInstancesCommand({ ImageId: "ami-1", MinCount: 1, MaxCount: 1, SubnetId: subnetId }),
    );
    const id = r.Instances?.[0]?.InstanceId ?? "";
    const eniId = r.Instances?.[0]?.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? "";
    expect(
      await failure(
        ec2.send(new TerminateInstancesCommand({ InstanceIds: [id, "i-0123456789abcdef0"] })),
      ),
    ).toMatchObject({
      code: "InvalidInstanceID.NotFound",
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
    });
    const still = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(still.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe("running");
    const t = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(t.TerminatingInstances?.[0]).toMatchObject({
      InstanceId: id,
      PreviousState: { Code: 16, Name: "running" },
      CurrentState: { Code: 32, Name: "shutting-down" },
    });
    const again = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(again.TerminatingInstances?.[0]).toMatchObject({
      PreviousState: { Name: "terminated" },
      CurrentState: { Name: "terminated" },
    });
    expect(
      (
        await failure(
          ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })),
        )
      ).code,
    ).toBe("InvalidNetworkInterfaceID.NotFound");
    const gone = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "instance-state-name", Values: ["terminated"] }],
      }),
    );
    expect(gone.Reservations?.flatMap((x) => x.Instances ?? []).map((x) => x.InstanceId)).toContain(
      id,
    );
  });
});

describe("managed prefix lists via the AWS SDK", () => {
  it("creates, versions on modify, and reads entries at a version (API-34)", async () => {
    const c = await ec2.send(
      new CreateManagedPrefixListCommand({
        PrefixListName: "offices",
        MaxEntries: 5,
        AddressFamily: "IPv4",
        Entries: [{ Cidr: "198.51.100.7/24", Description: "hq" }],
      }),
    );
    const pl = c.PrefixList;
    expect(pl?.PrefixListId).toMatch(/^pl-[0-9a-f]{17}$/);
    expect(pl).toMatchObject({
      PrefixListName: "offices",
      MaxEntries: 5,
      Version: 1,
      AddressFamily: "IPv4",
    });
    const m = await ec2.send(
      new ModifyManagedPrefixListCommand({
        PrefixListId: pl?.PrefixListId,
        CurrentVersion: 1,
        AddEntries: [{ Cidr: "203.0.113.0/24" }],
        RemoveEntries: [{ Cidr: "198.51.100.0/24" }],
      }),
    );
    expect(m.PrefixList?.Version).toBe(2);
    const now = await ec2.send(
      new GetManagedPrefixListEntriesCommand({ PrefixListId: pl?.PrefixListId }),
    );
    expect(now.Entries).toEqual([{ Cidr: "203.0.113.0/24" }]);
    const v1 = await ec2.send(
      new GetManagedPrefixListEntriesCommand({ PrefixListId: pl?.PrefixListId, TargetVersion: 1 }),
    );
    expect(v1.Entries).toEqual([{ Cidr: "198.51.100.0/24", Description: "hq" }]);
    const stale = await failure(
      ec2.send(
        new ModifyManagedPrefixListCommand({
          PrefixListId: pl?.PrefixListId,
          CurrentVersion: 1,
          AddEntries: [{ Cidr: "192.0.2.0/24" }],
        }),
      ),
    );
    expect(stale.message).toContain(pl?.PrefixListId ?? "?");
    const d = await ec2.send(
      new DescribeManagedPrefixListsCommand({ PrefixListIds: [pl?.PrefixListId ?? ""] }),
    );
    expect(d.PrefixLists?.[0]?.Version).toBe(2);
    const over = await failure(
      ec2.send(
        new ModifyManagedPrefixListCommand({
          PrefixListId: pl?.PrefixListId,
          AddEntries: Array.from({ length: 5 }, (_, i) => ({ Cidr: `10.${i}.0.0/16` })),
        }),
      ),
    );
    expect(over.message).toContain("maximum is 5");
  });
});

describe("tags via the AWS SDK", () => {
  it("creates (overwriting keys), filters by tag and tag-key, and deletes tags (API-35)", async () => {
    await ec2.send(
      new CreateTagsCommand({
        Resources: [vpcId, subnetId],
        Tags: [
          { Key: "env", Value: "dev" },
          { Key: "team", Value: "" },
        ],
      }),
    );
    await ec2.send(
      new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: "env", Value: "prod" }] }),
    );
    const v = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(v.Vpcs?.[0]?.Tags).toEqual([
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "" },
    ]);
    const byKey = await ec2.send(
      new DescribeVpcsCommand({
        Filters: [
          { Name: "tag-key", Values: ["team"] },
          { Name: "tag:env", Values: ["prod"] },
        ],
      }),
    );
    expect(byKey.Vpcs?.map((x) => x.VpcId)).toEqual([vpcId]);
    await ec2.send(
      new DeleteTagsCommand({
        Resources: [vpcId],
        Tags: [{ Key: "env", Value: "dev" }, { Key: "team" }],
      }),
    );
    expect((await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0]?.Tags).toEqual([
      { Key: "env", Value: "prod" },
    ]);
    // One unknown resource: nothing is tagged (RULE-12).
    const e = await failure(
      ec2.send(
        new CreateTagsCommand({
          Resources: [subnetId, "sg-0123456789abcdef0"],
          Tags: [{ Key: "k", Value: "v" }],
        }),
      ),
    );
    expect(e.code).toBe("InvalidGroup.NotFound");
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(
      (await failure(ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: tooMany })))).code,
    ).toBe("TagLimitExceeded");
  });
});
