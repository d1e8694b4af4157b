/**
 * ERR-36 over HTTP: a parameter the action does not define answers `UnknownParameter` (400,
 * `The parameter <Name> is not recognized`) and changes nothing; every parameter AWS defines for
 * the action (API-9..API-35) is accepted, including ones vpcemu does not act on, so real clients
 * (SDK v3 here; aws CLI and Terraform in their own tests) never trip over it.
 */
import {
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;

beforeAll(async () => {
  server = await startEc2Server({ store: { quotas: { vpcsPerRegion: 50 } } });
});
afterAll(async () => {
  await server.close();
});

async function post(body: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${server.endpoint}/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  return { status: r.status, text: await r.text() };
}

/** Posts `body`, expects success, returns the first capture of `re` in the response. */
async function ok(body: string, re: RegExp = /<requestId>/): Promise<string> {
  const r = await post(body);
  expect(r.text).not.toContain("<Errors>");
  expect(r.status).toBe(200);
  return re.exec(r.text)?.[1] ?? "";
}

async function expectUnknown(body: string, name: string): Promise<void> {
  const r = await post(body);
  expect(r.status).toBe(400);
  expect(r.text).toContain(
    `<Code>UnknownParameter</Code><Message>The parameter ${name} is not recognized</Message>`,
  );
}

const VPC = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/;
const SUBNET = /<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/;
const GROUP = /<groupId>(sg-[0-9a-f]+)<\/groupId>/;
const ACL = /<networkAclId>(acl-[0-9a-f]+)<\/networkAclId>/;
const ENI = /<networkInterfaceId>(eni-[0-9a-f]+)<\/networkInterfaceId>/;
const INSTANCE = /<instanceId>(i-[0-9a-f]+)<\/instanceId>/;
const PL = /<prefixListId>(pl-[0-9a-f]+)<\/prefixListId>/;
const RULE = /<securityGroupRuleId>(sgr-[0-9a-f]+)<\/securityGroupRuleId>/;
const ASSOC = /<networkAclAssociationId>(aclassoc-[0-9a-f]+)<\/networkAclAssociationId>/;

let vpc = "";
let subnet = "";
let sg = "";
let acl = "";
let pl = "";

beforeAll(async () => {
  vpc = await ok("Action=CreateVpc&CidrBlock=10.50.0.0/16", VPC);
  subnet = await ok(`Action=CreateSubnet&VpcId=${vpc}&CidrBlock=10.50.1.0/24`, SUBNET);
  sg = await ok(`Action=CreateSecurityGroup&GroupName=base&GroupDescription=d&VpcId=${vpc}`, GROUP);
  acl = await ok(`Action=CreateNetworkAcl&VpcId=${vpc}`, ACL);
  pl = await ok(
    "Action=CreateManagedPrefixList&PrefixListName=base&MaxEntries=2&AddressFamily=IPv4",
    PL,
  );
});

describe("UnknownParameter (ERR-36)", () => {
  it.each([
    ["VPC", () => "Action=CreateVpc&CidrBlock=10.51.0.0/16&Bogus=1", "Bogus"],
    ["VPC describe", () => "Action=DescribeVpcs&VpcIds.1=vpc-1", "VpcIds.1"],
    ["subnet", () => `Action=CreateSubnet&VpcId=${vpc}&CidrBlock=10.50.9.0/24&Cidr=x`, "Cidr"],
    [
      "security group",
      () => `Action=CreateSecurityGroup&GroupName=x&GroupDescription=d&VpcId=${vpc}&Description=d`,
      "Description",
    ],
    [
      "SG rules",
      () =>
        `Action=AuthorizeSecurityGroupEgress&GroupId=${sg}&IpPermissions.1.IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=10.9.0.0/16&IpPermissions.1.IpRanges.1.Cidr=10.9.0.0/16`,
      "IpPermissions.1.IpRanges.1.Cidr",
    ],
    [
      "SG rule modify",
      () =>
        `Action=ModifySecurityGroupRules&GroupId=${sg}&SecurityGroupRule.1.SecurityGroupRuleId=sgr-0123456789abcdef0&SecurityGroupRule.1.Rule.IpProtocol=tcp`,
      "SecurityGroupRule.1.Rule.IpProtocol",
    ],
    [
      "network ACL",
      () =>
        `Action=CreateNetworkAclEntry&NetworkAclId=${acl}&RuleNumber=5&Protocol=6&RuleAction=allow&Egress=false&CidrBlock=0.0.0.0/0&PortRange.Start=1`,
      "PortRange.Start",
    ],
    [
      "ENI",
      () => `Action=CreateNetworkInterface&SubnetId=${subnet}&SecurityGroupIds.1=${sg}`,
      "SecurityGroupIds.1",
    ],
    [
      "instance",
      () =>
        `Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&SubnetId=${subnet}&NetworkInterface.1.Groups.1=${sg}`,
      "NetworkInterface.1.Groups.1",
    ],
    [
      "prefix list",
      () =>
        `Action=ModifyManagedPrefixList&PrefixListId=${pl}&AddEntry.1.Cidr=10.0.0.0/8&AddEntry.1.Cidrs=10.0.0.0/8`,
      "AddEntry.1.Cidrs",
    ],
    [
      "tags",
      () => `Action=CreateTags&ResourceId.1=${vpc}&Tag.1.Key=k&Tag.1.Value=v&Tags.1.Key=k`,
      "Tags.1.Key",
    ],
  ])("rejects a bogus parameter on %s actions, naming it", async (_family, body, name) => {
    await expectUnknown(body(), name);
  });

  it("rejects a nested bogus member (IpPermissions.1.Bogus) and changes nothing (RULE-12)", async () => {
    const before = await post(
      `Action=DescribeSecurityGroupRules&Filter.1.Name=group-id&Filter.1.Value.1=${sg}`,
    );
    await expectUnknown(
      `Action=AuthorizeSecurityGroupIngress&GroupId=${sg}&IpPermissions.1.IpProtocol=tcp` +
        "&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22" +
        "&IpPermissions.1.IpRanges.1.CidrIp=198.51.100.0/24&IpPermissions.1.Bogus=1",
      "IpPermissions.1.Bogus",
    );
    const after = await post(
      `Action=DescribeSecurityGroupRules&Filter.1.Name=group-id&Filter.1.Value.1=${sg}`,
    );
    expect(after.text.match(RULE)?.length).toBe(before.text.match(RULE)?.length);
    expect(after.text).not.toContain("198.51.100.0/24");
  });

  it("rejects a list index where a scalar is defined, a bad index, and a wrongly cased name", async () => {
    await expectUnknown(`Action=DeleteVpc&VpcId.1=${vpc}`, "VpcId.1");
    await expectUnknown(`Action=DescribeSubnets&SubnetId.0=${subnet}`, "SubnetId.0");
    await expectUnknown(`Action=DeleteSubnet&subnetId=${subnet}`, "subnetId");
  });

  it("answers UnknownParameter before MissingParameter and before DryRunOperation", async () => {
    await expectUnknown("Action=CreateSubnet&Bogus=1", "Bogus");
    await expectUnknown("Action=CreateVpc&CidrBlock=10.52.0.0/16&DryRun=true&Bogus=1", "Bogus");
    await expectUnknown("Action=DescribeVpcs&DryRun=true&Bogus=1", "Bogus");
  });

  it("keeps InvalidAction for an unknown Action, whatever its parameters", async () => {
    const r = await post("Action=CreateRocket&Bogus=1");
    expect(r.status).toBe(400);
    expect(r.text).toContain("<Code>InvalidAction</Code>");
  });

  it("accepts Action, Version, DryRun and SigV4 query-auth parameters (X-Amz-*) on GET", async () => {
    const r = await fetch(
      `${server.endpoint}/?Action=DescribeVpcs&Version=2016-11-15&X-Amz-Algorithm=AWS4-HMAC-SHA256` +
        "&X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fec2%2Faws4_request&X-Amz-Date=20260101T000000Z" +
        "&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
    );
    expect(r.status).toBe(200);
  });

  it("accepts a bare empty list (Name=) as older query serializers send an empty list", async () => {
    await ok(`Action=CreateVpc&CidrBlock=10.53.0.0/16&TagSpecification=`, VPC);
  });
});

describe("every documented parameter accepted (API-9..API-35)", () => {
  const tags = (type: string) =>
    `&TagSpecification.1.ResourceType=${type}&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=net`;
  const filter = (name: string, value: string, tagged = true) =>
    `&Filter.1.Name=${name}&Filter.1.Value.1=${value}` +
    (tagged ? "&Filter.2.Name=tag-key&Filter.2.Value.1=team" : "");

  it("VPC and subnet actions", async () => {
    const v = await ok(
      "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.60.0.0/16&AmazonProvidedIpv6CidrBlock=true" +
        `&InstanceTenancy=default${tags("vpc")}&DryRun=false`,
      VPC,
    );
    await ok(`Action=DescribeVpcs&VpcId.1=${v}${filter("vpc-id", v)}&MaxResults=5`);
    const s = await ok(
      `Action=CreateSubnet&VpcId=${v}&CidrBlock=10.60.1.0/24&AvailabilityZone=us-east-1b${tags("subnet")}`,
      SUBNET,
    );
    await ok(`Action=DescribeSubnets&SubnetId.1=${s}${filter("vpc-id", v)}&MaxResults=5`);
    const v2 = await ok("Action=CreateVpc&CidrBlock=10.61.0.0/16", VPC);
    await ok(`Action=AssociateVpcCidrBlock&VpcId=${v2}&AmazonProvidedIpv6CidrBlock=true`);
    await ok(`Action=DeleteSubnet&SubnetId=${s}`);
  });

  it("security group and rule actions", async () => {
    // GroupName names groups of the default VPC (API-15), so "full" goes there.
    const defaultVpc = await ok(`Action=DescribeVpcs${filter("is-default", "true", false)}`, VPC);
    const g = await ok(
      `Action=CreateSecurityGroup&GroupName=full&GroupDescription=all%20params&VpcId=${defaultVpc}${tags("security-group")}`,
      GROUP,
    );
    const ruleId = await ok(
      `Action=AuthorizeSecurityGroupIngress&GroupId=${g}` +
        "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443" +
        "&IpPermissions.1.IpRanges.1.CidrIp=203.0.113.0/24&IpPermissions.1.IpRanges.1.Description=web" +
        "&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=2001:db8::/32&IpPermissions.1.Ipv6Ranges.1.Description=web6" +
        `&IpPermissions.1.PrefixListIds.1.PrefixListId=${pl}&IpPermissions.1.PrefixListIds.1.Description=pl` +
        `&IpPermissions.1.Groups.1.GroupId=${g}&IpPermissions.1.Groups.1.UserId=123456789012` +
        `&IpPermissions.1.Groups.1.VpcId=${defaultVpc}&IpPermissions.1.Groups.1.Description=peer` +
        tags("security-group-rule"),
      RULE,
    );
    await ok(
      `Action=AuthorizeSecurityGroupIngress&GroupName=full&IpProtocol=udp&FromPort=53&ToPort=53&CidrIp=192.0.2.0/24`,
    );
    await ok(
      `Action=AuthorizeSecurityGroupEgress&GroupId=${g}&IpPermissions.1.IpProtocol=udp` +
        "&IpPermissions.1.FromPort=123&IpPermissions.1.ToPort=123&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
    );
    await ok(
      `Action=UpdateSecurityGroupRuleDescriptionsIngress&GroupId=${g}` +
        `&SecurityGroupRuleDescription.1.SecurityGroupRuleId=${ruleId}&SecurityGroupRuleDescription.1.Description=new`,
    );
    await ok(
      `Action=UpdateSecurityGroupRuleDescriptionsEgress&GroupId=${g}&IpPermissions.1.IpProtocol=udp` +
        "&IpPermissions.1.FromPort=123&IpPermissions.1.ToPort=123" +
        "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.IpRanges.1.Description=ntp",
    );
    await ok(
      `Action=ModifySecurityGroupRules&GroupId=${g}&SecurityGroupRule.1.SecurityGroupRuleId=${ruleId}` +
        "&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp&SecurityGroupRule.1.SecurityGroupRule.FromPort=8443" +
        "&SecurityGroupRule.1.SecurityGroupRule.ToPort=8443&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=203.0.113.0/24" +
        "&SecurityGroupRule.1.SecurityGroupRule.Description=modified",
    );
    await ok(
      `Action=DescribeSecurityGroups&GroupId.1=${g}${filter("vpc-id", defaultVpc)}&MaxResults=5`,
    );
    await ok(`Action=DescribeSecurityGroups&GroupName.1=full`);
    await ok(
      `Action=DescribeSecurityGroupRules&SecurityGroupRuleId.1=${ruleId}&MaxResults=5${filter("group-id", g)}`,
    );
    await ok(`Action=RevokeSecurityGroupIngress&GroupId=${g}&SecurityGroupRuleId.1=${ruleId}`);
    await ok(
      `Action=RevokeSecurityGroupIngress&GroupName=full&IpProtocol=udp&FromPort=53&ToPort=53&CidrIp=192.0.2.0/24`,
    );
    await ok(
      `Action=RevokeSecurityGroupEgress&GroupId=${g}&IpPermissions.1.IpProtocol=udp` +
        "&IpPermissions.1.FromPort=123&IpPermissions.1.ToPort=123&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8",
    );
    await ok(`Action=DeleteSecurityGroup&GroupName=full`);
  });

  it("network ACL actions", async () => {
    const a = await ok(
      `Action=CreateNetworkAcl&VpcId=${vpc}&ClientToken=tok-1${tags("network-acl")}`,
      ACL,
    );
    await ok(
      `Action=CreateNetworkAclEntry&NetworkAclId=${a}&RuleNumber=100&Protocol=6&RuleAction=allow` +
        "&Egress=false&CidrBlock=0.0.0.0/0&PortRange.From=80&PortRange.To=80",
    );
    await ok(
      `Action=CreateNetworkAclEntry&NetworkAclId=${a}&RuleNumber=110&Protocol=58&RuleAction=allow` +
        "&Egress=true&Ipv6CidrBlock=::/0&Icmp.Type=128&Icmp.Code=0",
    );
    await ok(
      `Action=ReplaceNetworkAclEntry&NetworkAclId=${a}&RuleNumber=100&Protocol=17&RuleAction=deny` +
        "&Egress=false&CidrBlock=10.0.0.0/8&PortRange.From=53&PortRange.To=53",
    );
    await ok(`Action=DeleteNetworkAclEntry&NetworkAclId=${a}&RuleNumber=110&Egress=true`);
    await ok(
      `Action=DescribeNetworkAcls&NetworkAclId.1=${acl}${filter("vpc-id", vpc, false)}&MaxResults=5`,
    );
    const assoc = await ok(
      `Action=DescribeNetworkAcls&Filter.1.Name=association.subnet-id&Filter.1.Value.1=${subnet}`,
      ASSOC,
    );
    const moved = await ok(
      `Action=ReplaceNetworkAclAssociation&AssociationId=${assoc}&NetworkAclId=${a}`,
      /<newAssociationId>(aclassoc-[0-9a-f]+)<\/newAssociationId>/,
    );
    const dflt = await ok(
      `Action=DescribeNetworkAcls&Filter.1.Name=vpc-id&Filter.1.Value.1=${vpc}&Filter.2.Name=default&Filter.2.Value.1=true`,
      ACL,
    );
    await ok(`Action=ReplaceNetworkAclAssociation&AssociationId=${moved}&NetworkAclId=${dflt}`);
    await ok(`Action=DeleteNetworkAcl&NetworkAclId=${a}`);
  });

  it("ENI and instance actions", async () => {
    const e = await ok(
      `Action=CreateNetworkInterface&SubnetId=${subnet}&SecurityGroupId.1=${sg}&Description=full` +
        "&PrivateIpAddresses.1.PrivateIpAddress=10.50.1.20&PrivateIpAddresses.1.Primary=true" +
        "&SecondaryPrivateIpAddressCount=1&ClientToken=eni-tok" +
        "&ConnectionTrackingSpecification.TcpEstablishedTimeout=3600" +
        "&ConnectionTrackingSpecification.UdpStreamTimeout=120&ConnectionTrackingSpecification.UdpTimeout=30" +
        tags("network-interface"),
      ENI,
    );
    await ok(`Action=ModifyNetworkInterfaceAttribute&NetworkInterfaceId=${e}&Description.Value=x`);
    await ok(
      `Action=ModifyNetworkInterfaceAttribute&NetworkInterfaceId=${e}&SourceDestCheck.Value=false`,
    );
    await ok(
      `Action=ModifyNetworkInterfaceAttribute&NetworkInterfaceId=${e}&SecurityGroupId.1=${sg}`,
    );
    await ok(
      `Action=ModifyNetworkInterfaceAttribute&NetworkInterfaceId=${e}&ConnectionTrackingSpecification.UdpTimeout=60`,
    );
    await ok(
      `Action=DescribeNetworkInterfaces&NetworkInterfaceId.1=${e}${filter("subnet-id", subnet)}&MaxResults=5`,
    );
    const i = await ok(
      "Action=RunInstances&ImageId=ami-12345678&InstanceType=t3.micro&MinCount=1&MaxCount=1" +
        "&ClientToken=run-tok&NetworkInterface.1.DeviceIndex=0" +
        `&NetworkInterface.1.SubnetId=${subnet}&NetworkInterface.1.SecurityGroupId.1=${sg}` +
        "&NetworkInterface.1.PrivateIpAddress=10.50.1.30&NetworkInterface.1.DeleteOnTermination=true" +
        "&NetworkInterface.1.SecondaryPrivateIpAddressCount=1&NetworkInterface.1.Description=nic" +
        "&NetworkInterface.1.ConnectionTrackingSpecification.TcpEstablishedTimeout=600" +
        `&NetworkInterface.2.DeviceIndex=1&NetworkInterface.2.NetworkInterfaceId=${e}` +
        "&KeyName=k&UserData=ZWNobw%3D%3D&Monitoring.Enabled=false&Placement.AvailabilityZone=us-east-1a" +
        "&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fxvda&BlockDeviceMapping.1.Ebs.VolumeSize=8" +
        "&MetadataOptions.HttpTokens=required" +
        tags("instance"),
      INSTANCE,
    );
    await ok(`Action=DescribeInstances${filter("instance-state-name", "running")}&MaxResults=5`);
    await ok(`Action=DescribeInstances&InstanceId.1=${i}`);
    await ok(`Action=ModifyInstanceAttribute&InstanceId=${i}&GroupId.1=${sg}`);
    await ok(`Action=ModifyInstanceAttribute&InstanceId=${i}&SourceDestCheck.Value=true`);
    await ok(`Action=TerminateInstances&InstanceId.1=${i}`);
    await ok(`Action=DeleteNetworkInterface&NetworkInterfaceId=${e}`);
  });

  it("prefix list and tag actions", async () => {
    const p = await ok(
      "Action=CreateManagedPrefixList&PrefixListName=full&MaxEntries=5&AddressFamily=IPv4" +
        "&Entry.1.Cidr=10.0.0.0/8&Entry.1.Description=ten&ClientToken=pl-tok" +
        tags("prefix-list"),
      PL,
    );
    await ok(
      `Action=ModifyManagedPrefixList&PrefixListId=${p}&CurrentVersion=1&PrefixListName=full2` +
        "&AddEntry.1.Cidr=172.16.0.0/12&AddEntry.1.Description=rfc1918&RemoveEntry.1.Cidr=10.0.0.0/8",
    );
    await ok(`Action=ModifyManagedPrefixList&PrefixListId=${p}&MaxEntries=6`);
    await ok(
      `Action=DescribeManagedPrefixLists&PrefixListId.1=${p}&Filter.1.Name=prefix-list-name&Filter.1.Value.1=full2&MaxResults=5`,
    );
    await ok(`Action=GetManagedPrefixListEntries&PrefixListId=${p}&TargetVersion=1&MaxResults=5`);
    await ok(
      `Action=CreateTags&ResourceId.1=${p}&ResourceId.2=${vpc}&Tag.1.Key=a&Tag.1.Value=b&Tag.2.Key=c&Tag.2.Value=`,
    );
    await ok(`Action=DeleteTags&ResourceId.1=${p}&Tag.1.Key=a&Tag.1.Value=b&Tag.2.Key=c`);
  });

  it("accepts SDK v3 calls carrying parameters vpcemu does not act on", async () => {
    const ec2 = server.client();
    const v = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: "10.70.0.0/16",
        InstanceTenancy: "default",
        DryRun: false,
      }),
    );
    const vpcId = v.Vpc?.VpcId ?? "";
    const s = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: "10.70.1.0/24",
        AvailabilityZoneId: "use1-az1",
      }),
    );
    const g = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "sdk", Description: "d", VpcId: vpcId }),
    );
    await ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: s.Subnet?.SubnetId,
        Groups: [g.GroupId ?? ""],
        InterfaceType: undefined,
        EnablePrimaryIpv6: false,
      }),
    );
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: "ami-12345678",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: s.Subnet?.SubnetId,
        SecurityGroupIds: [g.GroupId ?? ""],
        KeyName: "key",
        UserData: "ZWNobw==",
        Monitoring: { Enabled: false },
        BlockDeviceMappings: [
          { DeviceName: "/dev/xvda", Ebs: { VolumeSize: 8, VolumeType: "gp3" } },
        ],
        MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2 },
        IamInstanceProfile: { Name: "profile" },
        EbsOptimized: false,
      }),
    );
    expect(run.Instances?.[0]?.InstanceId).toMatch(/^i-[0-9a-f]{17}$/);
    const d = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [g.GroupId ?? ""] }));
    expect(d.SecurityGroups?.[0]?.GroupName).toBe("sdk");
  });
});
