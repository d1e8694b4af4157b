/**
 * A small world for the EC2 fuzzer to act on: a VPC, two subnets, groups with rules, an
 * instance, a network ACL, a prefix list, made through the Query API of `endpoint`. Returns
 * their ids by prefix (KnownIds).
 */
import type { KnownIds } from "./ec2-fuzzer.js";

async function call(endpoint: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${params["Action"]}: ${res.status} ${body}`);
  return body;
}

const first = (body: string, tag: string): string => {
  const m = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(body);
  if (m?.[1] === undefined) throw new Error(`no <${tag}> in ${body.slice(0, 300)}`);
  return m[1];
};

/** Makes the world; its ids by prefix. */
export async function makeEc2World(endpoint: string): Promise<KnownIds> {
  const vpc = first(
    await call(endpoint, { Action: "CreateVpc", CidrBlock: "10.0.0.0/16" }),
    "vpcId",
  );
  const subnets = [
    first(
      await call(endpoint, { Action: "CreateSubnet", VpcId: vpc, CidrBlock: "10.0.1.0/24" }),
      "subnetId",
    ),
    first(
      await call(endpoint, { Action: "CreateSubnet", VpcId: vpc, CidrBlock: "10.0.2.0/24" }),
      "subnetId",
    ),
  ];
  const groups = [];
  for (const name of ["web", "db"])
    groups.push(
      first(
        await call(endpoint, {
          Action: "CreateSecurityGroup",
          GroupName: name,
          GroupDescription: name,
          VpcId: vpc,
        }),
        "groupId",
      ),
    );
  await call(endpoint, {
    Action: "AuthorizeSecurityGroupIngress",
    GroupId: groups[1]!,
    "IpPermissions.1.IpProtocol": "tcp",
    "IpPermissions.1.FromPort": "5432",
    "IpPermissions.1.ToPort": "5432",
    "IpPermissions.1.Groups.1.GroupId": groups[0]!,
  });
  const instance = first(
    await call(endpoint, {
      Action: "RunInstances",
      ImageId: "ami-12345678",
      InstanceType: "t3.micro",
      MinCount: "1",
      MaxCount: "1",
      SubnetId: subnets[0]!,
      "SecurityGroupId.1": groups[0]!,
    }),
    "instanceId",
  );
  const desc = await call(endpoint, { Action: "DescribeInstances", "InstanceId.1": instance });
  const eni = first(desc, "networkInterfaceId");
  const acl = first(
    await call(endpoint, { Action: "CreateNetworkAcl", VpcId: vpc }),
    "networkAclId",
  );
  const pl = first(
    await call(endpoint, {
      Action: "CreateManagedPrefixList",
      PrefixListName: "office",
      MaxEntries: "5",
      AddressFamily: "IPv4",
      "Entry.1.Cidr": "203.0.113.0/24",
    }),
    "prefixListId",
  );
  const rtb = /<routeTableId>(rtb-[0-9a-f]+)<\/routeTableId>/.exec(
    await call(endpoint, { Action: "DescribeRouteTables" }),
  )?.[1];
  return {
    vpc: [vpc],
    subnet: subnets,
    sg: groups,
    i: [instance],
    eni: [eni],
    acl: [acl],
    pl: [pl],
    ...(rtb !== undefined ? { rtb: [rtb] } : {}),
  };
}
