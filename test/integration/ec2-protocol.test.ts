/**
 * The EC2 Query protocol itself (AWS-BEHAVIOUR API-1..API-5, ERR-36, ERR-39): raw HTTP for the
 * wire shapes, the AWS SDK for DryRun and SigV4 auth mode.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  ModifyInstanceAttributeCommand,
  ModifyManagedPrefixListCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ModifySecurityGroupRulesCommand,
  RunInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ec2Failure as failure } from "../helpers/ec2-failure.js";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;

beforeAll(async () => {
  server = await startEc2Server({ store: { quotas: { vpcsPerRegion: 50 } } });
});
afterAll(async () => {
  await server.close();
});

async function post(body: string): Promise<{ status: number; text: string; headers: Headers }> {
  const r = await fetch(`${server.endpoint}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

describe("EC2 Query protocol", () => {
  it("answers a form POST with namespaced XML, requestId first, <x/> for empty lists (API-1, API-3)", async () => {
    const r = await post("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/xml;charset=UTF-8");
    expect(r.headers.get("server")).toBe("AmazonEC2");
    expect(r.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<CreateVpcResponse xmlns="http:\/\/ec2.amazonaws.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><vpc><vpcId>vpc-[0-9a-f]{17}<\/vpcId>/,
    );
    expect(r.text).toContain("<ipv6CidrBlockAssociationSet/>");
    expect(r.text).toContain("<tagSet/>");
  });

  it("answers `<return>true</return>` for actions without output and accepts GET (API-1, API-3)", async () => {
    const vpc = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(
      (await post("Action=CreateVpc&CidrBlock=10.1.0.0/16")).text,
    )?.[1];
    const g = await fetch(
      `${server.endpoint}/?Action=CreateSecurityGroup&Version=2016-11-15&GroupName=g&GroupDescription=d&VpcId=${vpc}`,
    );
    expect(g.status).toBe(200);
    const groupId = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(await g.text())?.[1];
    const del = await post(`Action=DeleteSecurityGroup&GroupId=${groupId}`);
    expect(del.text).toContain("<return>true</return>");
  });

  it("decodes legacy top-level params and IpPermissions.N.Groups.M / UserIdGroupPairs.M (API-2, API-17)", async () => {
    const vpc = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(
      (await post("Action=CreateVpc&CidrBlock=10.2.0.0/16")).text,
    )?.[1];
    const mk = async (name: string) =>
      /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(
        (await post(`Action=CreateSecurityGroup&GroupName=${name}&GroupDescription=d&VpcId=${vpc}`))
          .text,
      )?.[1];
    const a = await mk("a");
    const b = await mk("b");
    const legacy = await post(
      `Action=AuthorizeSecurityGroupIngress&GroupId=${a}&IpProtocol=tcp&FromPort=22&ToPort=22&CidrIp=203.0.113.1/32`,
    );
    expect(legacy.text).toContain("<cidrIpv4>203.0.113.1/32</cidrIpv4>");
    const pairs = await post(
      `Action=AuthorizeSecurityGroupIngress&GroupId=${a}&IpPermissions.1.IpProtocol=udp&IpPermissions.1.FromPort=53&IpPermissions.1.ToPort=53` +
        `&IpPermissions.1.Groups.1.GroupId=${b}&IpPermissions.1.UserIdGroupPairs.1.GroupName=a`,
    );
    expect(pairs.status).toBe(200);
    expect(pairs.text).toContain(`<referencedGroupInfo><groupId>${b}</groupId>`);
    expect(pairs.text).toContain(`<referencedGroupInfo><groupId>${a}</groupId>`);
    const noPeer = await post(
      `Action=AuthorizeSecurityGroupIngress&GroupId=${a}&IpProtocol=tcp&FromPort=1&ToPort=1`,
    );
    expect(noPeer.text).toContain("<Code>MissingParameter</Code>");
  });

  it("answers errors in AWS's body with RequestID, 400 (API-4, ERR-36)", async () => {
    const r = await post("Action=DescribeVpcs&VpcId.1=vpc-0123456789abcdef0");
    expect(r.status).toBe(400);
    expect(r.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>InvalidVpcID.NotFound<\/Code><Message>The vpc ID 'vpc-0123456789abcdef0' does not exist<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
    );
    const unknown = await post("Action=LaunchRockets&Version=2016-11-15");
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("<Code>InvalidAction</Code>");
    expect(unknown.text).toContain("LaunchRockets");
    const missing = await post("Action=CreateSubnet&CidrBlock=10.0.0.0/24");
    expect(missing.text).toContain(
      "<Code>MissingParameter</Code><Message>The request must contain the parameter VpcId</Message>",
    );
    expect((await post("Version=2016-11-15")).text).toContain("<Code>MissingAction</Code>");
  });

  it("answers DryRun with DryRunOperation, HTTP 412, changing nothing (API-5, ERR-39)", async () => {
    const ec2 = server.client();
    const before = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length;
    expect(
      await failure(ec2.send(new CreateVpcCommand({ CidrBlock: "10.3.0.0/16", DryRun: true }))),
    ).toEqual({
      code: "DryRunOperation",
      status: 412,
      message: "Request would have succeeded, but DryRun flag is set.",
    });
    expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length).toBe(before);
    // DryRun validates first: an invalid request fails with its own error.
    expect(
      (await failure(ec2.send(new CreateVpcCommand({ CidrBlock: "10.3.0.0/8", DryRun: true }))))
        .code,
    ).toBe("InvalidVpc.Range");
    expect(
      (await failure(ec2.send(new DescribeSecurityGroupsCommand({ DryRun: true })))).code,
    ).toBe("DryRunOperation");
    const revision = server.store.revision();
    await failure(ec2.send(new CreateVpcCommand({ CidrBlock: "10.4.0.0/16", DryRun: true })));
    expect(server.store.revision()).toBe(revision);
  });

  it("pages with MaxResults/NextToken and rejects MaxResults outside 5..1000 (API-6)", async () => {
    const ec2 = server.client();
    const all = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
    const p1 = await ec2.send(new DescribeVpcsCommand({ MaxResults: 5 }));
    expect(p1.Vpcs).toHaveLength(Math.min(5, all.length));
    expect((await failure(ec2.send(new DescribeVpcsCommand({ MaxResults: 4 })))).code).toBe(
      "InvalidParameterValue",
    );
    expect((await failure(ec2.send(new DescribeVpcsCommand({ NextToken: "garbage!" })))).code).toBe(
      "InvalidPaginationToken",
    );
  });

  it("rejects an unknown filter name naming it (API-7)", async () => {
    const e = await failure(
      server
        .client()
        .send(new DescribeVpcsCommand({ Filters: [{ Name: "colour", Values: ["red"] }] })),
    );
    expect(e).toMatchObject({
      code: "InvalidParameterValue",
      message: "The filter 'colour' is invalid",
    });
  });
});

describe("EC2 Query malformed requests", () => {
  // Each is a client error answered with a 4xx AWS code naming the problem: never 200, never 5xx.
  it.each([
    [
      "AuthorizeSecurityGroupIngress without any permission",
      "Action=AuthorizeSecurityGroupIngress&GroupId=SG",
      "MissingParameter",
    ],
    [
      "RevokeSecurityGroupIngress without any permission",
      "Action=RevokeSecurityGroupIngress&GroupId=SG",
      "MissingParameter",
    ],
    [
      "a non-numeric port",
      "Action=AuthorizeSecurityGroupIngress&GroupId=SG&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=abc&IpPermissions.1.ToPort=1&IpPermissions.1.IpRanges.1.CidrIp=1.2.3.4/32",
      "InvalidParameterValue",
    ],
    [
      "a filter without a name",
      "Action=DescribeSecurityGroups&Filter.1.Value.1=x",
      "MissingParameter",
    ],
    [
      "an IPv6 address count in an IPv4-only subnet",
      "Action=CreateNetworkInterface&SubnetId=SUBNET&Ipv6AddressCount=1",
      "InvalidParameterValue",
    ],
    [
      "a malformed private address",
      "Action=CreateNetworkInterface&SubnetId=SUBNET&PrivateIpAddress=banana",
      "InvalidParameterValue",
    ],
    [
      "more instances than free addresses",
      "Action=RunInstances&ImageId=a&MinCount=1&MaxCount=300&SubnetId=SUBNET",
      "InsufficientFreeAddressesInSubnet",
    ],
    [
      "MinCount above MaxCount",
      "Action=RunInstances&ImageId=a&MinCount=2&MaxCount=1&SubnetId=SUBNET",
      "InvalidParameterValue",
    ],
    [
      "a non-boolean Egress",
      "Action=CreateNetworkAclEntry&NetworkAclId=acl-0123456789abcdef0&RuleNumber=1&Protocol=-1&RuleAction=allow&Egress=maybe&CidrBlock=0.0.0.0/0",
      "InvalidParameterValue",
    ],
    [
      "both CIDR families on a NACL entry",
      "Action=CreateNetworkAclEntry&NetworkAclId=acl-0123456789abcdef0&RuleNumber=1&Protocol=-1&RuleAction=allow&Egress=true&CidrBlock=0.0.0.0/0&Ipv6CidrBlock=::/0",
      "InvalidParameterCombination",
    ],
    [
      "tagging an unknown kind of id",
      "Action=CreateTags&ResourceId.1=foo-123&Tag.1.Key=a",
      "InvalidID",
    ],
    [
      "an aws: tag key",
      "Action=CreateTags&ResourceId.1=VPC&Tag.1.Key=aws:x&Tag.1.Value=a",
      "InvalidParameterValue",
    ],
    [
      "an IPv6 entry in an IPv4 prefix list",
      "Action=CreateManagedPrefixList&PrefixListName=x&MaxEntries=2&AddressFamily=IPv4&Entry.1.Cidr=::/0",
      "InvalidParameterValue",
    ],
    [
      "a control-character pagination token",
      "Action=DescribeVpcs&NextToken=%00%01",
      "InvalidPaginationToken",
    ],
    ["an Object.prototype action name", "Action=__proto__", "InvalidAction"],
    [
      "a non-boolean DryRun",
      "Action=CreateVpc&CidrBlock=10.0.0.0/16&DryRun=maybe",
      "InvalidParameterValue",
    ],
  ])("answers %s with a 4xx error", async (_name, template, code) => {
    const vpc =
      /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(
        (await post("Action=CreateVpc&CidrBlock=10.0.0.0/16")).text,
      )?.[1] ?? "";
    const subnet =
      /<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/.exec(
        (await post(`Action=CreateSubnet&VpcId=${vpc}&CidrBlock=10.0.0.0/24`)).text,
      )?.[1] ?? "";
    const sg =
      /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(
        (await post(`Action=CreateSecurityGroup&VpcId=${vpc}&GroupName=g&GroupDescription=d`)).text,
      )?.[1] ?? "";
    const revision = server.store.revision();
    const r = await post(
      template.replace("=SG", `=${sg}`).replace("=SUBNET", `=${subnet}`).replace("=VPC", `=${vpc}`),
    );
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).toContain(`<Code>${code}</Code>`);
    // XML 1.0 cannot carry control characters; the message still parses.
    expect(r.text).not.toMatch(/[\u0000-\u0008]/);
    expect(server.store.revision()).toBe(revision);
  });
});

describe("EC2 Query SigV4 auth mode", () => {
  let authed: Ec2TestServer;
  beforeAll(async () => {
    authed = await startEc2Server({ auth: { keys: { AKIDVPCEMU: "s3cr3t" } } });
  });
  afterAll(async () => {
    await authed.close();
  });

  it("accepts requests signed by a configured key", async () => {
    const ec2 = authed.client({ accessKeyId: "AKIDVPCEMU", secretAccessKey: "s3cr3t" });
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const g = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "x y",
        Description: "with (parens) & stuff",
        VpcId: vpc.Vpc?.VpcId,
      }),
    );
    expect(g.GroupId).toMatch(/^sg-/);
  });

  it("rejects a wrong secret with SignatureDoesNotMatch (403) and an unknown key with AuthFailure (401)", async () => {
    const wrong = authed.client({ accessKeyId: "AKIDVPCEMU", secretAccessKey: "nope" });
    expect(await failure(wrong.send(new DescribeVpcsCommand({})))).toMatchObject({
      code: "SignatureDoesNotMatch",
      status: 403,
    });
    const stranger = authed.client({ accessKeyId: "AKIDOTHER", secretAccessKey: "s3cr3t" });
    expect(await failure(stranger.send(new DescribeVpcsCommand({})))).toMatchObject({
      code: "AuthFailure",
      status: 401,
      message: "AWS was not able to validate the provided access credentials",
    });
    const r = await fetch(`${authed.endpoint}/`, { method: "POST", body: "Action=DescribeVpcs" });
    expect(r.status).toBe(401);
    expect(await r.text()).toContain("<Code>AuthFailure</Code>");
  });
});

describe("Q-3: (rules per SG) x (SGs per ENI) <= 1,000 with raised quotas", () => {
  // 400 rules per group x 5 groups = 2,000: AWS would lower one quota; vpcemu holds the product as
  // a cap of 1,000 rules per ENI, per direction and family (docs/ec2-api.md [CHOICE]).
  let raised: Ec2TestServer;
  let ec2: EC2Client;
  let vpcId = "";
  let subnetId = "";
  let next = 0;

  beforeAll(async () => {
    raised = await startEc2Server({ store: { quotas: { rulesPerGroupPerDirection: 400 } } });
    ec2 = raised.client();
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId ?? "";
    subnetId =
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.0.0/24" }))).Subnet
        ?.SubnetId ?? "";
  });
  afterAll(async () => {
    await raised.close();
  });

  /** `n` distinct IPv4 /32 peers never used before in this server. */
  function cidrs(n: number): { CidrIp: string }[] {
    return Array.from({ length: n }, () => {
      const i = next++;
      return { CidrIp: `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32` };
    });
  }

  async function group(name: string, inboundV4: number): Promise<string> {
    const id =
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: name, Description: "d", VpcId: vpcId }),
        )
      ).GroupId ?? "";
    if (inboundV4 > 0)
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: cidrs(inboundV4) },
          ],
        }),
      );
    return id;
  }

  async function ingressCount(groupId: string): Promise<number> {
    const r = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
    );
    return (r.SecurityGroupRules ?? []).filter((x) => x.IsEgress === false).length;
  }

  it("lets one group hold the raised 400 rules and an ENI carry exactly 1,000 inbound IPv4 rules", async () => {
    const a = await group("exact-a", 400);
    const b = await group("exact-b", 400);
    const c = await group("exact-c", 200);
    const eni = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [a, b, c] }),
    );
    expect(eni.NetworkInterface?.Groups?.map((g) => g.GroupId)).toEqual([a, b, c]);
    // Q-1 still counts families and directions apart: IPv6 and outbound rules fit beside them.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: c,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 22,
            ToPort: 22,
            Ipv6Ranges: [{ CidrIpv6: "2001:db8::/32" }],
          },
        ],
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: c,
        IpPermissions: [{ IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: cidrs(1) }],
      }),
    );
  });

  it("refuses a group set whose rules exceed 1,000 with SecurityGroupsPerInterfaceLimitExceeded (ERR-15)", async () => {
    const a = await group("set-a", 400);
    const b = await group("set-b", 400);
    const c = await group("set-c", 201);
    const small = await group("set-small", 1);
    const revision = raised.store.revision();
    const created = await failure(
      ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [a, b, c] })),
    );
    expect(created.code).toBe("SecurityGroupsPerInterfaceLimitExceeded");
    expect(created.status).toBe(400);
    expect(created.message).toContain(
      "The maximum number of security groups per interface has been reached.",
    );
    expect(created.message).toContain("1001 inbound IPv4 rules");
    const run = await failure(
      ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: [a, b, c],
        }),
      ),
    );
    expect(run.code).toBe("SecurityGroupsPerInterfaceLimitExceeded");
    expect(raised.store.revision()).toBe(revision);

    const eniId =
      (
        await ec2.send(
          new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [a, b, small] }),
        )
      ).NetworkInterface?.NetworkInterfaceId ?? "";
    const modified = await failure(
      ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eniId,
          Groups: [a, b, c],
        }),
      ),
    );
    expect(modified.code).toBe("SecurityGroupsPerInterfaceLimitExceeded");
    const kept = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }),
    );
    expect(kept.NetworkInterfaces?.[0]?.Groups?.map((g) => g.GroupId)).toEqual([a, b, small]);

    const instanceId =
      (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: "ami-12345678",
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnetId,
            SecurityGroupIds: [small],
          }),
        )
      ).Instances?.[0]?.InstanceId ?? "";
    const attr = await failure(
      ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: [a, b, c] })),
    );
    expect(attr.code).toBe("SecurityGroupsPerInterfaceLimitExceeded");
  });

  it("refuses rules that would take an attached ENI past 1,000 with RulesPerSecurityGroupLimitExceeded (ERR-14)", async () => {
    const a = await group("grow-a", 400);
    const b = await group("grow-b", 400);
    const c = await group("grow-c", 199);
    const eniId =
      (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [a, b, c] })))
        .NetworkInterface?.NetworkInterfaceId ?? "";
    const revision = raised.store.revision();
    const grow = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: c,
          IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: cidrs(2) }],
        }),
      ),
    );
    expect(grow.code).toBe("RulesPerSecurityGroupLimitExceeded");
    expect(grow.message).toContain(
      "The maximum number of rules per security group has been reached.",
    );
    expect(grow.message).toContain(`Network interface ${eniId} would have 1001 inbound IPv4 rules`);
    expect(raised.store.revision()).toBe(revision);
    expect(await ingressCount(c)).toBe(199);
    // One more still fits (1,000 exactly); an SG reference counts in both families, so then
    // a reference is refused too.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: c,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: cidrs(1) }],
      }),
    );
    const ref = await failure(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: c,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: a }] },
          ],
        }),
      ),
    );
    expect(ref.code).toBe("RulesPerSecurityGroupLimitExceeded");
    // The same growth on a group no ENI carries is only bound by the per-group quota.
    const loose = await group("grow-loose", 399);
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: loose,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: cidrs(1) }],
      }),
    );
    expect(await ingressCount(loose)).toBe(400);
  });

  it("refuses ModifySecurityGroupRules and a prefix list resize that would overflow an attached ENI", async () => {
    const pl =
      (
        await ec2.send(
          new CreateManagedPrefixListCommand({
            PrefixListName: "q3",
            MaxEntries: 10,
            AddressFamily: "IPv4",
          }),
        )
      ).PrefixList?.PrefixListId ?? "";
    const a = await group("pl-a", 400);
    const b = await group("pl-b", 400);
    const c = await group("pl-c", 180);
    // A prefix list counts its MaxEntries in both families: 10 here, so 990 inbound IPv4.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: c,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: pl }] },
        ],
      }),
    );
    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [a, b, c] }));
    const resize = await failure(
      ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: pl, MaxEntries: 21 })),
    );
    expect(resize.code).toBe("RulesPerSecurityGroupLimitExceeded");
    await ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: pl, MaxEntries: 20 }));

    // ModifySecurityGroupRules: a CIDR rule switched to a prefix list rule is a peer-type change
    // (ERR-25), so exercise a prefix-list rule switched to a larger list instead.
    const big =
      (
        await ec2.send(
          new CreateManagedPrefixListCommand({
            PrefixListName: "q3-big",
            MaxEntries: 21,
            AddressFamily: "IPv4",
          }),
        )
      ).PrefixList?.PrefixListId ?? "";
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [c] }] }),
    );
    const plRule =
      rules.SecurityGroupRules?.find((r) => r.PrefixListId === pl)?.SecurityGroupRuleId ?? "";
    const modify = await failure(
      ec2.send(
        new ModifySecurityGroupRulesCommand({
          GroupId: c,
          SecurityGroupRules: [
            {
              SecurityGroupRuleId: plRule,
              SecurityGroupRule: {
                IpProtocol: "tcp",
                FromPort: 443,
                ToPort: 443,
                PrefixListId: big,
              },
            },
          ],
        }),
      ),
    );
    expect(modify.code).toBe("RulesPerSecurityGroupLimitExceeded");
    const after = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [plRule] }),
    );
    expect(after.SecurityGroupRules?.[0]?.PrefixListId).toBe(pl);
  });
});
