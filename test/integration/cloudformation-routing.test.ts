/**
 * CloudFormation with routing resources (docs/routing.md, docs/cloudformation.md CFN-20) through
 * @aws-sdk/client-cloudformation against an in-process Controller: a stack with an internet
 * gateway and its attachment, route tables with routes and subnet associations, Elastic IPs, a
 * NAT gateway, an instance with a public IP and a VPC peering (accepted by the stack, same
 * account) is created, updated in place (a route's target, an association's table) and deleted,
 * leaving nothing behind. API only: no packet is routed.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import {
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeVpcPeeringConnectionsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
let ctl: StartedController;
let cfn: CloudFormationClient;
let ec2: EC2Client;

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  cfn = new CloudFormationClient({
    endpoint: ctl.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
  ec2 = new EC2Client({ endpoint: ctl.url, region: "us-east-1", credentials, maxAttempts: 1 });
});
afterAll(async () => {
  cfn.destroy();
  ec2.destroy();
  await ctl.stop();
});

const waiter = { maxWaitTime: 60, minDelay: 1, maxDelay: 2 };

/** The template; `second` switches the private default route and the app association. */
function template(second: boolean): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: "2010-09-09",
    Resources: {
      Vpc: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.95.0.0/16" } },
      Peer: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.96.0.0/16" } },
      Public: {
        Type: "AWS::EC2::Subnet",
        Properties: { VpcId: { Ref: "Vpc" }, CidrBlock: "10.95.1.0/24", MapPublicIpOnLaunch: true },
      },
      Private: {
        Type: "AWS::EC2::Subnet",
        Properties: { VpcId: { Ref: "Vpc" }, CidrBlock: "10.95.2.0/24" },
      },
      Igw: {
        Type: "AWS::EC2::InternetGateway",
        Properties: { Tags: [{ Key: "Name", Value: "gw" }] },
      },
      Attach: {
        Type: "AWS::EC2::VPCGatewayAttachment",
        Properties: { VpcId: { Ref: "Vpc" }, InternetGatewayId: { Ref: "Igw" } },
      },
      PublicRt: { Type: "AWS::EC2::RouteTable", Properties: { VpcId: { Ref: "Vpc" } } },
      DefaultRoute: {
        Type: "AWS::EC2::Route",
        DependsOn: "Attach",
        Properties: {
          RouteTableId: { Ref: "PublicRt" },
          DestinationCidrBlock: "0.0.0.0/0",
          GatewayId: { Ref: "Igw" },
        },
      },
      PublicAssoc: {
        Type: "AWS::EC2::SubnetRouteTableAssociation",
        Properties: { SubnetId: { Ref: "Public" }, RouteTableId: { Ref: "PublicRt" } },
      },
      NatEip: { Type: "AWS::EC2::EIP", DependsOn: "Attach", Properties: { Domain: "vpc" } },
      Nat: {
        Type: "AWS::EC2::NatGateway",
        Properties: {
          SubnetId: { Ref: "Public" },
          AllocationId: { "Fn::GetAtt": ["NatEip", "AllocationId"] },
        },
      },
      PrivateRt: { Type: "AWS::EC2::RouteTable", Properties: { VpcId: { Ref: "Vpc" } } },
      PrivateRoute: {
        Type: "AWS::EC2::Route",
        DependsOn: "Attach",
        Properties: {
          RouteTableId: { Ref: "PrivateRt" },
          DestinationCidrBlock: "0.0.0.0/0",
          ...(second ? { GatewayId: { Ref: "Igw" } } : { NatGatewayId: { Ref: "Nat" } }),
        },
      },
      PrivateAssoc: {
        Type: "AWS::EC2::SubnetRouteTableAssociation",
        Properties: {
          SubnetId: { Ref: "Private" },
          RouteTableId: { Ref: second ? "PublicRt" : "PrivateRt" },
        },
      },
      Peering: {
        Type: "AWS::EC2::VPCPeeringConnection",
        Properties: { VpcId: { Ref: "Vpc" }, PeerVpcId: { Ref: "Peer" } },
      },
      PeerRoute: {
        Type: "AWS::EC2::Route",
        Properties: {
          RouteTableId: { Ref: "PrivateRt" },
          DestinationCidrBlock: "10.96.0.0/16",
          VpcPeeringConnectionId: { Ref: "Peering" },
        },
      },
      Web: {
        Type: "AWS::EC2::Instance",
        DependsOn: "Attach",
        Properties: {
          ImageId: "ami-12345678",
          InstanceType: "t3.micro",
          SubnetId: { Ref: "Public" },
        },
      },
      WebEip: {
        Type: "AWS::EC2::EIP",
        DependsOn: "Attach",
        Properties: { Domain: "vpc", InstanceId: { Ref: "Web" } },
      },
    },
    Outputs: {
      WebPublicIp: { Value: { "Fn::GetAtt": ["Web", "PublicIp"] } },
    },
  });
}

async function physical(stack: string): Promise<Record<string, string>> {
  const r = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }));
  return Object.fromEntries(
    (r.StackResources ?? []).map((x) => [x.LogicalResourceId!, x.PhysicalResourceId!]),
  );
}

describe("CloudFormation with routing resources", { timeout: 180_000 }, () => {
  it("creates, updates in place and deletes a routed network (CFN-20; RT-, IGW-, EIP-, NAT-, PCX-)", async () => {
    await cfn.send(new CreateStackCommand({ StackName: "routed", TemplateBody: template(false) }));
    await waitUntilStackCreateComplete({ ...waiter, client: cfn }, { StackName: "routed" });
    const ids = await physical("routed");
    expect(ids["Igw"]).toMatch(/^igw-/);
    expect(ids["Nat"]).toMatch(/^nat-/);
    expect(ids["NatEip"]).toMatch(/^198\.1[89]\./);
    const pcx = await ec2.send(
      new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [ids["Peering"]!] }),
    );
    expect(pcx.VpcPeeringConnections?.[0]?.Status?.Code).toBe("active");
    const eips = await ec2.send(new DescribeAddressesCommand({ PublicIps: [ids["WebEip"]!] }));
    expect(eips.Addresses?.[0]?.InstanceId).toBe(ids["Web"]);
    const privateRt = async () =>
      (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [ids["PrivateRt"]!] })))
        .RouteTables![0]!;
    expect(
      (await privateRt()).Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0"),
    ).toMatchObject({
      NatGatewayId: ids["Nat"],
      State: "active",
    });
    expect((await privateRt()).Associations?.map((a) => a.SubnetId)).toEqual([ids["Private"]]);

    await cfn.send(new UpdateStackCommand({ StackName: "routed", TemplateBody: template(true) }));
    await waitUntilStackUpdateComplete({ ...waiter, client: cfn }, { StackName: "routed" });
    const after = await privateRt();
    expect(after.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")?.GatewayId).toBe(
      ids["Igw"],
    );
    expect(after.Associations ?? []).toEqual([]);

    await cfn.send(new DeleteStackCommand({ StackName: "routed" }));
    await waitUntilStackDeleteComplete({ ...waiter, client: cfn }, { StackName: "routed" });
    const igws = await ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: "internet-gateway-id", Values: [ids["Igw"]!] }],
      }),
    );
    expect(igws.InternetGateways).toEqual([]);
    expect((await ec2.send(new DescribeAddressesCommand({}))).Addresses).toEqual([]);
    const nat = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [ids["Nat"]!] }));
    expect(["deleting", "deleted"]).toContain(nat.NatGateways?.[0]?.State);
  });
});
