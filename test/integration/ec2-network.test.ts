/**
 * VPCs, subnets and network ACLs through the real AWS SDK v3 (AWS-BEHAVIOUR API-9..API-13,
 * API-22..API-26, DEF-5..DEF-8, NACL-*, ERR-26..ERR-33).
 */
import {
  AssociateSubnetCidrBlockCommand,
  AssociateVpcCidrBlockCommand,
  AuthorizeSecurityGroupEgressCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkAclCommand,
  DeleteNetworkAclEntryCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  ReplaceNetworkAclAssociationCommand,
  ReplaceNetworkAclEntryCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ec2Failure as failure } from "../helpers/ec2-failure.js";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;
let ec2: EC2Client;

beforeAll(async () => {
  server = await startEc2Server({ store: { quotas: { vpcsPerRegion: 50 } } });
  ec2 = server.client();
});
afterAll(async () => {
  await server.close();
});

async function newVpc(cidr = "10.0.0.0/16", ipv6 = false): Promise<string> {
  const r = await ec2.send(
    new CreateVpcCommand({ CidrBlock: cidr, AmazonProvidedIpv6CidrBlock: ipv6 }),
  );
  return r.Vpc?.VpcId ?? "";
}

async function aclsOf(vpcId: string) {
  const r = await ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
  );
  return r.NetworkAcls ?? [];
}

describe("VPCs and subnets via the AWS SDK", () => {
  it("creates, describes (by id, filter, tag) and deletes a VPC with its defaults (API-9..11, DEF-8)", async () => {
    const r = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: "10.0.0.5/16",
        TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "main" }] }],
      }),
    );
    const vpcId = r.Vpc?.VpcId ?? "";
    expect(vpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(r.Vpc).toMatchObject({
      CidrBlock: "10.0.0.0/16",
      State: "available",
      IsDefault: false,
      Tags: [{ Key: "Name", Value: "main" }],
    });
    const byTag = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: ["main"] }] }),
    );
    expect(byTag.Vpcs?.map((v) => v.VpcId)).toContain(vpcId);
    expect((await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs).toHaveLength(1);
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    expect(await failure(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).toMatchObject({
      code: "InvalidVpcID.NotFound",
      message: `The vpc ID '${vpcId}' does not exist`,
    });
    const sgs = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
    );
    expect(sgs.SecurityGroups).toEqual([]);
    expect(await aclsOf(vpcId)).toEqual([]);
  });

  it("rejects VPC CIDRs outside /16../28 and malformed ones in AWS's words (ERR-33, ECX-6)", async () => {
    expect(await failure(newVpc("10.0.0.0/8"))).toMatchObject({
      code: "InvalidVpc.Range",
      message: "The CIDR '10.0.0.0/8' is invalid.",
    });
    expect((await failure(newVpc("10.0.0.0/29"))).code).toBe("InvalidVpc.Range");
    expect(await failure(newVpc("10.0.0.300/16"))).toMatchObject({
      code: "InvalidParameterValue",
      message:
        "Value (10.0.0.300/16) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
    });
  });

  it("refuses DeleteVpc while subnets or custom groups remain (ERR-31)", async () => {
    const vpcId = await newVpc();
    const s = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }));
    expect(await failure(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).toMatchObject({
      code: "DependencyViolation",
      message: `The vpc '${vpcId}' has dependencies and cannot be deleted.`,
    });
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s.Subnet?.SubnetId }));
    const g = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "x", Description: "x", VpcId: vpcId }),
    );
    expect((await failure(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).code).toBe(
      "DependencyViolation",
    );
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: g.GroupId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });

  it("creates subnets inside the VPC, without overlap, reserving 5 addresses (API-12, ERR-33)", async () => {
    const vpcId = await newVpc();
    const s = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }));
    expect(s.Subnet).toMatchObject({
      CidrBlock: "10.0.1.0/24",
      AvailableIpAddressCount: 251,
      State: "available",
      AvailabilityZone: "us-east-1a",
    });
    expect(s.Subnet?.SubnetId).toMatch(/^subnet-[0-9a-f]{17}$/);
    expect(
      await failure(
        ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.128/25" })),
      ),
    ).toMatchObject({
      code: "InvalidSubnet.Conflict",
      message: "The CIDR '10.0.1.128/25' conflicts with another subnet",
    });
    expect(
      (await failure(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.1.0.0/24" }))))
        .code,
    ).toBe("InvalidSubnet.Range");
    expect(
      (
        await failure(
          ec2.send(
            new CreateSubnetCommand({ VpcId: "vpc-0123456789abcdef0", CidrBlock: "10.1.0.0/24" }),
          ),
        )
      ).code,
    ).toBe("InvalidVpcID.NotFound");
    const listed = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
    );
    expect(listed.Subnets?.map((x) => x.SubnetId)).toEqual([s.Subnet?.SubnetId]);
  });

  it("refuses DeleteSubnet while an ENI is in it", async () => {
    const vpcId = await newVpc();
    const s = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" })))
      .Subnet;
    const eni = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s?.SubnetId }));
    expect((await failure(ec2.send(new DeleteSubnetCommand({ SubnetId: s?.SubnetId })))).code).toBe(
      "DependencyViolation",
    );
    await ec2.send(
      new DeleteNetworkInterfaceCommand({
        NetworkInterfaceId: eni.NetworkInterface?.NetworkInterfaceId,
      }),
    );
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s?.SubnetId }));
  });
});

describe("associating an IPv6 block later (DEF-3)", () => {
  it("adds ::/0 egress to untouched groups and 101/32768 to untouched default-NACL directions", async () => {
    const vpcId = await newVpc("10.7.0.0/16");
    const untouched = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "u", Description: "d", VpcId: vpcId }),
    );
    const modified = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "m", Description: "d", VpcId: vpcId }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: modified.GroupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    const defAcl = (await aclsOf(vpcId))[0]?.NetworkAclId ?? "";
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: defAcl,
        RuleNumber: 90,
        Protocol: "-1",
        RuleAction: "deny",
        Egress: true,
        CidrBlock: "192.0.2.0/24",
      }),
    );
    const r = await ec2.send(
      new AssociateVpcCidrBlockCommand({ VpcId: vpcId, AmazonProvidedIpv6CidrBlock: true }),
    );
    expect(r.Ipv6CidrBlockAssociation?.Ipv6CidrBlock).toMatch(/::\/56$/);
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
    );
    const v6egress = (name: string) =>
      groups.SecurityGroups?.find((g) => g.GroupName === name)?.IpPermissionsEgress?.flatMap(
        (p) => p.Ipv6Ranges ?? [],
      );
    expect(v6egress("default")).toEqual([{ CidrIpv6: "::/0" }]);
    expect(v6egress("u")).toEqual([{ CidrIpv6: "::/0" }]);
    expect(v6egress("m")).toEqual([]);
    const acl = (await aclsOf(vpcId)).find((a) => a.IsDefault);
    expect(acl?.Entries?.filter((e) => !e.Egress).map((e) => e.RuleNumber)).toEqual([
      100, 101, 32767, 32768,
    ]);
    expect(acl?.Entries?.filter((e) => e.Egress).map((e) => e.RuleNumber)).toEqual([
      90, 100, 32767, 32768,
    ]);
    const subnet = (
      await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.7.1.0/24" }))
    ).Subnet;
    const v6 = r.Ipv6CidrBlockAssociation?.Ipv6CidrBlock?.replace("/56", "/64") ?? "";
    const s = await ec2.send(
      new AssociateSubnetCidrBlockCommand({ SubnetId: subnet?.SubnetId, Ipv6CidrBlock: v6 }),
    );
    expect(s.Ipv6CidrBlockAssociation?.Ipv6CidrBlock).toBe(v6);
    const eni = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnet?.SubnetId, Ipv6AddressCount: 1 }),
    );
    expect(eni.NetworkInterface?.Ipv6Addresses?.[0]?.Ipv6Address).toBe(v6.replace("::/64", "::4"));
  });
});

describe("network ACLs via the AWS SDK", () => {
  it("gives each VPC a default NACL allowing all, 32767 deny last (DEF-5), v6 entries in IPv6 VPCs", async () => {
    const acl = (await aclsOf(await newVpc()))[0];
    expect(acl?.IsDefault).toBe(true);
    expect(acl?.NetworkAclId).toMatch(/^acl-[0-9a-f]{17}$/);
    expect(
      acl?.Entries?.map((e) => [e.RuleNumber, e.Egress, e.RuleAction, e.Protocol, e.CidrBlock]),
    ).toEqual([
      [100, false, "allow", "-1", "0.0.0.0/0"],
      [32767, false, "deny", "-1", "0.0.0.0/0"],
      [100, true, "allow", "-1", "0.0.0.0/0"],
      [32767, true, "deny", "-1", "0.0.0.0/0"],
    ]);
    const v6 = (await aclsOf(await newVpc("10.2.0.0/16", true)))[0];
    expect(
      v6?.Entries?.filter((e) => !e.Egress).map((e) => [
        e.RuleNumber,
        e.RuleAction,
        e.CidrBlock ?? e.Ipv6CidrBlock,
      ]),
    ).toEqual([
      [100, "allow", "0.0.0.0/0"],
      [101, "allow", "::/0"],
      [32767, "deny", "0.0.0.0/0"],
      [32768, "deny", "::/0"],
    ]);
  });

  it("associates new subnets with the default NACL (DEF-7) and moves them (API-25, NACL-1)", async () => {
    const vpcId = await newVpc();
    const subnetId =
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))).Subnet
        ?.SubnetId ?? "";
    const def = await ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: "association.subnet-id", Values: [subnetId] }],
      }),
    );
    const assoc = def.NetworkAcls?.[0]?.Associations?.[0];
    expect(def.NetworkAcls?.[0]?.IsDefault).toBe(true);
    expect(assoc?.NetworkAclAssociationId).toMatch(/^aclassoc-[0-9a-f]{17}$/);
    const custom = await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }));
    const aclId = custom.NetworkAcl?.NetworkAclId ?? "";
    // DEF-6: a new NACL denies everything and has no associations.
    expect(custom.NetworkAcl?.IsDefault).toBe(false);
    expect(custom.NetworkAcl?.Entries?.map((e) => [e.RuleNumber, e.Egress, e.RuleAction])).toEqual([
      [32767, false, "deny"],
      [32767, true, "deny"],
    ]);
    expect(custom.NetworkAcl?.Associations).toEqual([]);
    const moved = await ec2.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: assoc?.NetworkAclAssociationId,
        NetworkAclId: aclId,
      }),
    );
    expect(moved.NewAssociationId).toMatch(/^aclassoc-/);
    expect(moved.NewAssociationId).not.toBe(assoc?.NetworkAclAssociationId);
    const now = await ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: "association.subnet-id", Values: [subnetId] }],
      }),
    );
    expect(now.NetworkAcls?.map((a) => a.NetworkAclId)).toEqual([aclId]);
    // NACL-11 / ERR-30: an associated NACL and the default NACL cannot be deleted.
    expect(
      await failure(ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }))),
    ).toMatchObject({
      code: "DependencyViolation",
      message: `The networkAcl '${aclId}' has dependencies and cannot be deleted.`,
    });
    const defId = def.NetworkAcls?.[0]?.NetworkAclId;
    expect(
      (await failure(ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: defId })))).code,
    ).toBe("InvalidParameterValue");
    await ec2.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: moved.NewAssociationId,
        NetworkAclId: defId,
      }),
    );
    await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }));
  });

  it("creates, replaces and deletes entries in rule-number order (API-23, API-24, NACL-3, NACL-9)", async () => {
    const vpcId = await newVpc();
    const aclId =
      (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl?.NetworkAclId ??
      "";
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: aclId,
        RuleNumber: 200,
        Protocol: "6",
        RuleAction: "allow",
        Egress: false,
        CidrBlock: "10.0.0.7/16",
        PortRange: { From: 80, To: 80 },
      }),
    );
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: aclId,
        RuleNumber: 110,
        Protocol: "17",
        RuleAction: "allow",
        Egress: false,
        CidrBlock: "0.0.0.0/0",
        PortRange: { From: 53, To: 53 },
      }),
    );
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: aclId,
        RuleNumber: 120,
        Protocol: "1",
        RuleAction: "deny",
        Egress: true,
        CidrBlock: "0.0.0.0/0",
        IcmpTypeCode: { Type: 8, Code: -1 },
      }),
    );
    let acl = (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] })))
      .NetworkAcls?.[0];
    expect(acl?.Entries?.map((e) => [e.RuleNumber, e.Egress])).toEqual([
      [110, false],
      [200, false],
      [32767, false],
      [120, true],
      [32767, true],
    ]);
    expect(acl?.Entries?.[1]).toMatchObject({
      CidrBlock: "10.0.0.0/16",
      PortRange: { From: 80, To: 80 },
      Protocol: "6",
    });
    expect(acl?.Entries?.[3]).toMatchObject({
      IcmpTypeCode: { Type: 8, Code: -1 },
      RuleAction: "deny",
    });
    // ERR-26: the number is taken in that direction (but free in the other).
    expect(
      await failure(
        ec2.send(
          new CreateNetworkAclEntryCommand({
            NetworkAclId: aclId,
            RuleNumber: 110,
            Protocol: "-1",
            RuleAction: "deny",
            Egress: false,
            CidrBlock: "0.0.0.0/0",
          }),
        ),
      ),
    ).toMatchObject({
      code: "NetworkAclEntryAlreadyExists",
      message: "The network acl entry identified by 110 already exists.",
    });
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: aclId,
        RuleNumber: 110,
        Protocol: "-1",
        RuleAction: "deny",
        Egress: true,
        CidrBlock: "0.0.0.0/0",
      }),
    );
    await ec2.send(
      new ReplaceNetworkAclEntryCommand({
        NetworkAclId: aclId,
        RuleNumber: 200,
        Protocol: "-1",
        RuleAction: "deny",
        Egress: false,
        CidrBlock: "192.0.2.0/24",
      }),
    );
    acl = (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] })))
      .NetworkAcls?.[0];
    expect(acl?.Entries?.find((e) => e.RuleNumber === 200)).toMatchObject({
      RuleAction: "deny",
      Protocol: "-1",
      CidrBlock: "192.0.2.0/24",
    });
    expect(acl?.Entries?.find((e) => e.RuleNumber === 200)?.PortRange).toBeUndefined();
    await ec2.send(
      new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 200, Egress: false }),
    );
    expect(
      (
        await failure(
          ec2.send(
            new DeleteNetworkAclEntryCommand({
              NetworkAclId: aclId,
              RuleNumber: 200,
              Egress: false,
            }),
          ),
        )
      ).code,
    ).toBe("InvalidNetworkAclEntry.NotFound");
    expect(
      (
        await failure(
          ec2.send(
            new ReplaceNetworkAclEntryCommand({
              NetworkAclId: aclId,
              RuleNumber: 300,
              Protocol: "-1",
              RuleAction: "deny",
              Egress: false,
              CidrBlock: "0.0.0.0/0",
            }),
          ),
        )
      ).code,
    ).toBe("InvalidNetworkAclEntry.NotFound");
    // NACL-4: the `*` entry cannot be removed.
    expect(
      (
        await failure(
          ec2.send(
            new DeleteNetworkAclEntryCommand({
              NetworkAclId: aclId,
              RuleNumber: 32767,
              Egress: false,
            }),
          ),
        )
      ).code,
    ).toBe("InvalidParameterValue");
  });

  it.each([
    [
      "a protocol name (NACL-6, ERR-22)",
      { Protocol: "tcp", PortRange: { From: 1, To: 2 } },
      "InvalidParameterValue",
      "Invalid value 'tcp' for IP protocol. Unknown protocol.",
    ],
    [
      "rule number 0 (ERR-24)",
      { RuleNumber: 0 },
      "InvalidParameterValue",
      "Invalid value '0' for RuleNumber.",
    ],
    [
      "rule number 32767 (ERR-24)",
      { RuleNumber: 32767 },
      "InvalidParameterValue",
      "Invalid value '32767' for RuleNumber.",
    ],
    ["tcp without PortRange (NACL-6)", { Protocol: "6" }, "MissingParameter", "PortRange"],
    ["icmp without Icmp (NACL-6)", { Protocol: "1" }, "MissingParameter", "Icmp"],
    [
      "a malformed CIDR (ERR-17)",
      { CidrBlock: "10.0.0.0/40" },
      "InvalidParameterValue",
      "CIDR block 10.0.0.0/40 is malformed",
    ],
  ] as const)("rejects an entry with %s", async (_n, patch, code, message) => {
    const vpcId = await newVpc();
    const aclId =
      (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl?.NetworkAclId ??
      "";
    const e = await failure(
      ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: aclId,
          RuleNumber: 100,
          Protocol: "-1",
          RuleAction: "allow",
          Egress: false,
          CidrBlock: "0.0.0.0/0",
          ...patch,
        }),
      ),
    );
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  it("caps entries at 20 per direction, `*` not counted (Q-5, ERR-29)", async () => {
    const vpcId = await newVpc();
    const aclId =
      (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl?.NetworkAclId ??
      "";
    for (let n = 1; n <= 20; n++)
      await ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: aclId,
          RuleNumber: n,
          Protocol: "-1",
          RuleAction: "allow",
          Egress: false,
          CidrBlock: `10.${n}.0.0/16`,
        }),
      );
    expect(
      (
        await failure(
          ec2.send(
            new CreateNetworkAclEntryCommand({
              NetworkAclId: aclId,
              RuleNumber: 21,
              Protocol: "-1",
              RuleAction: "allow",
              Egress: false,
              CidrBlock: "10.21.0.0/16",
            }),
          ),
        )
      ).code,
    ).toBe("NetworkAclEntryLimitExceeded");
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: aclId,
        RuleNumber: 21,
        Protocol: "-1",
        RuleAction: "allow",
        Egress: true,
        CidrBlock: "10.21.0.0/16",
      }),
    );
  });

  it("answers InvalidNetworkAclID.NotFound naming the id (ERR-28)", async () => {
    expect(
      await failure(
        ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: ["acl-0123456789abcdef0"] })),
      ),
    ).toMatchObject({
      code: "InvalidNetworkAclID.NotFound",
      message: "The networkAcl ID 'acl-0123456789abcdef0' does not exist",
    });
  });
});
