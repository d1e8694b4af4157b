/**
 * Security groups and rules through the real AWS SDK for JavaScript v3 against the EC2 handler
 * on loopback. Cites AWS-BEHAVIOUR.md DEF-*, RULE-*, Q-*, ERR-*, API-*.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  UpdateSecurityGroupRuleDescriptionsIngressCommand,
  type EC2Client,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ec2Failure as failure } from "../helpers/ec2-failure.js";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;
let ec2: EC2Client;
let vpcId: string;

beforeAll(async () => {
  server = await startEc2Server({ store: { quotas: { vpcsPerRegion: 100 } } });
  ec2 = server.client();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
});

async function newGroup(name = "web"): Promise<string> {
  const r = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: "test group", VpcId: vpcId }),
  );
  return r.GroupId ?? "";
}

async function describeGroup(groupId: string) {
  const r = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  const g = r.SecurityGroups?.[0];
  if (g === undefined) throw new Error("group missing");
  return g;
}

async function rulesOf(groupId: string) {
  const r = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
  );
  return r.SecurityGroupRules ?? [];
}

const http80: IpPermission = {
  IpProtocol: "tcp",
  FromPort: 80,
  ToPort: 80,
  IpRanges: [{ CidrIp: "0.0.0.0/0" }],
};

describe("security groups via the AWS SDK", () => {
  it("creates each VPC with a default group: inbound -1 from itself, outbound -1 to 0.0.0.0/0 (DEF-1)", async () => {
    const r = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "group-name", Values: ["default"] },
        ],
      }),
    );
    const g = r.SecurityGroups?.[0];
    expect(r.SecurityGroups).toHaveLength(1);
    expect(g?.Description).toBe("default VPC security group");
    expect(g?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: "-1",
        UserIdGroupPairs: [
          expect.objectContaining({ GroupId: g?.GroupId, UserId: "123456789012" }),
        ],
      }),
    ]);
    expect(g?.IpPermissions?.[0]?.FromPort).toBeUndefined();
    expect(g?.IpPermissionsEgress).toEqual([
      expect.objectContaining({ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
    ]);
  });

  it("gives a new group no inbound rules and one outbound -1 to 0.0.0.0/0, with API-8 ids (DEF-2)", async () => {
    const id = await newGroup();
    expect(id).toMatch(/^sg-[0-9a-f]{17}$/);
    const g = await describeGroup(id);
    expect(g.IpPermissions).toEqual([]);
    expect(g.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.IpRanges])).toEqual([
      ["-1", [{ CidrIp: "0.0.0.0/0" }]],
    ]);
    const rules = await rulesOf(id);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1 });
    expect(rules[0]?.SecurityGroupRuleId).toMatch(/^sgr-[0-9a-f]{17}$/);
  });

  it("adds ::/0 egress to new and default groups of an IPv6 VPC (DEF-1, DEF-2)", async () => {
    const v6 = (
      await ec2.send(
        new CreateVpcCommand({ CidrBlock: "10.1.0.0/16", AmazonProvidedIpv6CidrBlock: true }),
      )
    ).Vpc;
    expect(v6?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock).toMatch(/\/56$/);
    const r = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "v6", Description: "d", VpcId: v6?.VpcId }),
    );
    const g = await describeGroup(r.GroupId ?? "");
    expect(g.IpPermissionsEgress?.[0]?.Ipv6Ranges).toEqual([{ CidrIpv6: "::/0" }]);
  });

  it("rejects duplicate names case-insensitively, 'default', and sg-* names (RULE-13, ERR-11..13)", async () => {
    await newGroup("Web");
    const dup = await failure(newGroup("web"));
    expect(dup.code).toBe("InvalidGroup.Duplicate");
    expect(dup.message).toContain(vpcId);
    expect((await failure(newGroup("default"))).code).toBe("InvalidGroup.Reserved");
    const sg = await failure(newGroup("sg-foo"));
    expect(sg.code).toBe("InvalidParameterValue");
    expect(sg.message).toContain("sg-foo");
  });

  it("makes one rule per peer and merges them into one IpPermission on describe (RULE-11)", async () => {
    const id = await newGroup();
    const r = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 443,
            ToPort: 443,
            IpRanges: [
              { CidrIp: "10.0.0.0/8", Description: "internal" },
              { CidrIp: "192.0.2.0/24" },
            ],
            Ipv6Ranges: [{ CidrIpv6: "2001:db8::/32" }],
          },
        ],
      }),
    );
    expect(r.Return).toBe(true);
    expect(r.SecurityGroupRules).toHaveLength(3);
    expect(new Set(r.SecurityGroupRules?.map((x) => x.SecurityGroupRuleId)).size).toBe(3);
    const g = await describeGroup(id);
    expect(g.IpPermissions).toHaveLength(1);
    expect(g.IpPermissions?.[0]).toMatchObject({
      IpProtocol: "tcp",
      FromPort: 443,
      ToPort: 443,
      IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "internal" }, { CidrIp: "192.0.2.0/24" }],
      Ipv6Ranges: [{ CidrIpv6: "2001:db8::/32" }],
    });
  });

  it("stores protocol numbers 6/17/1/58 as names and canonicalises CIDR host bits (RULE-4, RULE-8)", async () => {
    const id = await newGroup();
    const r = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [
          { IpProtocol: "6", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "100.68.0.18/18" }] },
        ],
      }),
    );
    expect(r.SecurityGroupRules?.[0]).toMatchObject({
      IpProtocol: "tcp",
      CidrIpv4: "100.68.0.0/18",
    });
    const dup = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 22,
              ToPort: 22,
              IpRanges: [{ CidrIp: "100.68.0.7/18" }],
            },
          ],
        }),
      ),
    );
    expect(dup.code).toBe("InvalidPermission.Duplicate");
  });

  it("answers a duplicate rule with ERR-1's message naming peer, protocol and ports", async () => {
    const id = await newGroup();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80] }),
    );
    const e = await failure(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80] })),
    );
    expect(e).toEqual({
      code: "InvalidPermission.Duplicate",
      status: 400,
      message:
        'the specified rule "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW" already exists',
    });
  });

  it("rejects the same permission twice in one request (ERR-2)", async () => {
    const id = await newGroup();
    const e = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80, http80] }),
      ),
    );
    expect(e.code).toBe("InvalidParameterValue");
    expect(e.message).toBe("The same permission must not appear multiple times");
  });

  it("validates a request whole: a bad second permission adds nothing (RULE-12)", async () => {
    const id = await newGroup();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80] }),
    );
    const e = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
            http80,
          ],
        }),
      ),
    );
    expect(e.code).toBe("InvalidPermission.Duplicate");
    expect((await rulesOf(id)).filter((r) => !r.IsEgress)).toHaveLength(1);
  });

  it.each([
    [
      "malformed CIDR (ERR-17)",
      { IpProtocol: "tcp", FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: "10.0.0/8" }] },
      "InvalidParameterValue",
      "CIDR block 10.0.0/8 is malformed",
    ],
    [
      "IPv6 CIDR in CidrIp (ERR-17)",
      { IpProtocol: "tcp", FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: "::/0" }] },
      "InvalidParameterValue",
      "CIDR block ::/0 is malformed",
    ],
    [
      "port out of range (ERR-20)",
      { IpProtocol: "tcp", FromPort: 1, ToPort: 70000, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "InvalidPermission.Malformed",
      "TCP/UDP port (70000) out of range",
    ],
    [
      "from > to (ERR-24)",
      { IpProtocol: "udp", FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "InvalidParameterValue",
      "90-80",
    ],
    [
      "tcp without ports (ERR-19)",
      { IpProtocol: "tcp", IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "InvalidParameterValue",
      "Must specify both from and to ports with TCP/UDP.",
    ],
    [
      "icmp type -1 with a code (RULE-6, ERR-24)",
      { IpProtocol: "icmp", FromPort: -1, ToPort: 3, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "InvalidParameterValue",
      "'3'",
    ],
    [
      "protocol 'all' (ERR-22)",
      { IpProtocol: "all", IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "InvalidParameterValue",
      "Invalid value 'all' for IP protocol. Unknown protocol.",
    ],
    [
      "no protocol (ERR-21)",
      { IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      "InvalidParameterValue",
      "Invalid value 'null' for protocol.",
    ],
    [
      "no peer (ERR-23)",
      { IpProtocol: "tcp", FromPort: 1, ToPort: 2 },
      "MissingParameter",
      "Missing source specification",
    ],
    [
      "256-char description (RULE-10)",
      {
        IpProtocol: "tcp",
        FromPort: 1,
        ToPort: 2,
        IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "x".repeat(256) }],
      },
      "InvalidParameterValue",
      "xxxx",
    ],
  ] as const)("rejects %s naming the value", async (_name, perm, code, text) => {
    const id = await newGroup();
    const e = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [perm as IpPermission],
        }),
      ),
    );
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.message).toContain(text);
  });

  it("opens every port for -1 and shows no ports in DescribeSecurityGroups, -1/-1 in rules (RULE-5)", async () => {
    const id = await newGroup();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [
          { IpProtocol: "-1", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        ],
      }),
    );
    const g = await describeGroup(id);
    expect(g.IpPermissions?.[0]?.FromPort).toBeUndefined();
    expect((await rulesOf(id)).find((r) => !r.IsEgress)).toMatchObject({
      FromPort: -1,
      ToPort: -1,
    });
  });

  it("accepts icmpv6 without ports as all types (RULE-6)", async () => {
    const id = await newGroup();
    const r = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [{ IpProtocol: "icmpv6", Ipv6Ranges: [{ CidrIpv6: "::/0" }] }],
      }),
    );
    expect(r.SecurityGroupRules?.[0]).toMatchObject({
      IpProtocol: "icmpv6",
      FromPort: -1,
      ToPort: -1,
    });
  });

  it("references groups by id and by name, same VPC only (REF-3, REF-4, ERR-8)", async () => {
    const web = await newGroup("web");
    const app = await newGroup("app");
    const r = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: app,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: web }] },
          {
            IpProtocol: "tcp",
            FromPort: 9090,
            ToPort: 9090,
            UserIdGroupPairs: [{ GroupName: "web" }],
          },
          {
            IpProtocol: "tcp",
            FromPort: 7070,
            ToPort: 7070,
            UserIdGroupPairs: [{ GroupId: app, Description: "self" }],
          },
        ],
      }),
    );
    expect(r.SecurityGroupRules?.map((x) => x.ReferencedGroupInfo?.GroupId)).toEqual([
      web,
      web,
      app,
    ]);
    const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc?.VpcId;
    const foreign = (
      await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "far", Description: "d", VpcId: other }),
      )
    ).GroupId;
    const e = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: app,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 1, ToPort: 1, UserIdGroupPairs: [{ GroupId: foreign }] },
          ],
        }),
      ),
    );
    expect(e).toMatchObject({
      code: "InvalidGroup.NotFound",
      message: "You have specified two resources that belong to different networks.",
    });
  });

  it("answers InvalidGroup.NotFound naming an unknown group, and Malformed for a bad id (ERR-5, ERR-6)", async () => {
    const e = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: "sg-0123456789abcdef0",
          IpPermissions: [http80],
        }),
      ),
    );
    expect(e).toMatchObject({
      code: "InvalidGroup.NotFound",
      message: "The security group 'sg-0123456789abcdef0' does not exist",
    });
    const d = await failure(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })),
    );
    expect(d.code).toBe("InvalidGroup.NotFound");
    const m = await failure(ec2.send(new DeleteSecurityGroupCommand({ GroupId: "bogus" })));
    expect(m).toMatchObject({
      code: "InvalidGroupId.Malformed",
      message: 'Invalid id: "bogus" (expecting "sg-...")',
    });
  });

  it("revokes by permission ignoring the description, and by rule id (RULE-9, API-18)", async () => {
    const id = await newGroup();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [{ ...http80, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "web" }] }],
      }),
    );
    const r = await ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80] }),
    );
    expect(r.Return).toBe(true);
    expect(r.RevokedSecurityGroupRules?.[0]).toMatchObject({
      CidrIpv4: "0.0.0.0/0",
      Description: "web",
    });
    expect((await describeGroup(id)).IpPermissions).toEqual([]);
    const egressId = (await rulesOf(id)).find((x) => x.IsEgress)?.SecurityGroupRuleId;
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: id, SecurityGroupRuleIds: [egressId ?? ""] }),
    );
    expect((await describeGroup(id)).IpPermissionsEgress).toEqual([]);
  });

  it("fails revoking a missing rule with ERR-3 and revokes nothing (RULE-12)", async () => {
    const id = await newGroup();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80] }),
    );
    const e = await failure(
      ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            http80,
            { IpProtocol: "tcp", FromPort: 81, ToPort: 81, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          ],
        }),
      ),
    );
    expect(e).toMatchObject({
      code: "InvalidPermission.NotFound",
      message: "The specified rule does not exist in this security group.",
    });
    expect((await describeGroup(id)).IpPermissions).toHaveLength(1);
    const byId = await failure(
      ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: id,
          SecurityGroupRuleIds: ["sgr-0123456789abcdef0"],
        }),
      ),
    );
    expect(byId).toMatchObject({
      code: "InvalidSecurityGroupRuleId.NotFound",
      message: "The security group rule ID 'sgr-0123456789abcdef0' does not exist",
    });
  });

  it("enforces 60 rules per direction per family, SG references counting in both (Q-1, Q-2, ERR-14)", async () => {
    const id = await newGroup();
    const v4 = Array.from({ length: 60 }, (_, i) => ({ CidrIp: `10.${i}.0.0/16` }));
    const v6 = Array.from({ length: 60 }, (_, i) => ({
      CidrIpv6: `2001:db8:${i.toString(16)}::/48`,
    }));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 1, ToPort: 1, IpRanges: v4, Ipv6Ranges: v6 },
        ],
      }),
    );
    const over = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 2, ToPort: 2, IpRanges: [{ CidrIp: "10.200.0.0/16" }] },
          ],
        }),
      ),
    );
    expect(over).toMatchObject({
      code: "RulesPerSecurityGroupLimitExceeded",
      message: "The maximum number of rules per security group has been reached.",
    });
    const ref = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 2, ToPort: 2, UserIdGroupPairs: [{ GroupId: id }] },
          ],
        }),
      ),
    );
    expect(ref.code).toBe("RulesPerSecurityGroupLimitExceeded");
    // Egress is counted separately.
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: id,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 2, ToPort: 2, IpRanges: [{ CidrIp: "10.200.0.0/16" }] },
        ],
      }),
    );
  });

  it("counts a prefix list's MaxEntries towards the quota (Q-2)", async () => {
    const id = await newGroup();
    const pl = await ec2.send(
      new CreateManagedPrefixListCommand({
        PrefixListName: "big",
        MaxEntries: 55,
        AddressFamily: "IPv4",
      }),
    );
    const plId = pl.PrefixList?.PrefixListId ?? "";
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: id,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 5, ToPort: 5, PrefixListIds: [{ PrefixListId: plId }] },
        ],
      }),
    );
    const cidrs = Array.from({ length: 6 }, (_, i) => ({ CidrIp: `10.${i}.0.0/16` }));
    const e = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [{ IpProtocol: "tcp", FromPort: 6, ToPort: 6, IpRanges: cidrs }],
        }),
      ),
    );
    expect(e.code).toBe("RulesPerSecurityGroupLimitExceeded");
    const unknown = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 7,
              ToPort: 7,
              PrefixListIds: [{ PrefixListId: "pl-0123456789abcdef0" }],
            },
          ],
        }),
      ),
    );
    expect(unknown.code).toBe("InvalidPrefixListID.NotFound");
  });

  it("refuses to delete the default group (ERR-10) or a group in use or referenced (ERR-9)", async () => {
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "group-name", Values: ["default"] },
        ],
      }),
    );
    const def = groups.SecurityGroups?.[0]?.GroupId ?? "";
    expect(await failure(ec2.send(new DeleteSecurityGroupCommand({ GroupId: def })))).toMatchObject(
      {
        code: "CannotDelete",
        message: `the specified group: "${def}" name: "default" cannot be deleted by a user`,
      },
    );
    const web = await newGroup("web");
    const app = await newGroup("app");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: app,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 1, ToPort: 1, UserIdGroupPairs: [{ GroupId: web }] },
        ],
      }),
    );
    expect(await failure(ec2.send(new DeleteSecurityGroupCommand({ GroupId: web })))).toMatchObject(
      {
        code: "DependencyViolation",
        message: `resource ${web} has a dependent object`,
      },
    );
    const subnet = (
      await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))
    ).Subnet;
    await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnet?.SubnetId, Groups: [app] }),
    );
    expect((await failure(ec2.send(new DeleteSecurityGroupCommand({ GroupId: app })))).code).toBe(
      "DependencyViolation",
    );
    // A self-reference does not block deletion.
    const solo = await newGroup("solo");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: solo,
        IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: solo }] }],
      }),
    );
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: solo }));
  });

  it("modifies a rule in place keeping its id, and refuses a peer type change (API-20, ERR-25)", async () => {
    const id = await newGroup();
    const created = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80] }),
    );
    const ruleId = created.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? "";
    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: id,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: ruleId,
            SecurityGroupRule: {
              IpProtocol: "tcp",
              FromPort: 8000,
              ToPort: 8100,
              CidrIpv4: "10.0.0.0/8",
              Description: "moved",
            },
          },
        ],
      }),
    );
    const after = (await rulesOf(id)).find((r) => r.SecurityGroupRuleId === ruleId);
    expect(after).toMatchObject({
      FromPort: 8000,
      ToPort: 8100,
      CidrIpv4: "10.0.0.0/8",
      Description: "moved",
    });
    const e = await failure(
      ec2.send(
        new ModifySecurityGroupRulesCommand({
          GroupId: id,
          SecurityGroupRules: [
            {
              SecurityGroupRuleId: ruleId,
              SecurityGroupRule: { IpProtocol: "tcp", FromPort: 1, ToPort: 1, CidrIpv6: "::/0" },
            },
          ],
        }),
      ),
    );
    expect(e.code).toBe("InvalidParameterValue");
    expect(e.message).toContain(ruleId);
  });

  it("updates and clears rule descriptions by permission (API-21)", async () => {
    const id = await newGroup();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [http80] }),
    );
    await ec2.send(
      new UpdateSecurityGroupRuleDescriptionsIngressCommand({
        GroupId: id,
        IpPermissions: [
          { ...http80, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "public web" }] },
        ],
      }),
    );
    expect((await describeGroup(id)).IpPermissions?.[0]?.IpRanges).toEqual([
      { CidrIp: "0.0.0.0/0", Description: "public web" },
    ]);
    await ec2.send(
      new UpdateSecurityGroupRuleDescriptionsIngressCommand({
        GroupId: id,
        IpPermissions: [http80],
      }),
    );
    expect((await describeGroup(id)).IpPermissions?.[0]?.IpRanges).toEqual([
      { CidrIp: "0.0.0.0/0" },
    ]);
  });

  it("filters by ip-permission fields, tags, and pages with MaxResults/NextToken (API-6, API-7)", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await newGroup(`g${i}`));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: ids[3], IpPermissions: [http80] }),
    );
    const byPort = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "ip-permission.from-port", Values: ["80"] },
          { Name: "vpc-id", Values: [vpcId] },
        ],
      }),
    );
    expect(byPort.SecurityGroups?.map((g) => g.GroupId)).toEqual([ids[3]]);
    const pages: string[] = [];
    let token: string | undefined;
    let n = 0;
    do {
      const r = await ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [{ Name: "vpc-id", Values: [vpcId] }],
          MaxResults: 5,
          NextToken: token,
        }),
      );
      pages.push(...(r.SecurityGroups ?? []).map((g) => g.GroupId ?? ""));
      token = r.NextToken;
      n++;
    } while (token !== undefined);
    expect(n).toBe(2);
    expect(pages).toHaveLength(8);
    expect(new Set(pages).size).toBe(8);
  });
});
