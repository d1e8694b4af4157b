/**
 * Routing through the EC2 API (docs/routing.md): internet gateways, route tables and routes,
 * Elastic IPs and launch-time public IPs, NAT gateways, egress-only gateways, VPC peering across
 * accounts with SG references and stale rules; errors with AWS's codes; state kept across a
 * restart on a file database. Driven by @aws-sdk/client-ec2 against the in-process handler.
 * API only: no packet is routed here (the data path is not there yet).
 */
import {
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateEgressOnlyInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteEgressOnlyInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeAddressesCommand,
  DescribeEgressOnlyInternetGatewaysCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeStaleSecurityGroupsCommand,
  DescribeTagsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DetachInternetGatewayCommand,
  DisassociateAddressCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  RejectVpcPeeringConnectionCommand,
  ReleaseAddressCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ec2Failure } from "../helpers/ec2-failure.js";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

const PUBLIC_RANGE = /^198\.1[89]\.\d{1,3}\.\d{1,3}$/;

let server: Ec2TestServer;
let ec2: EC2Client;
const clients: EC2Client[] = [];

function client(accessKeyId: string, region = "us-east-1"): EC2Client {
  const c = new EC2Client({
    endpoint: server.endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = await startEc2Server({ store: { quotas: { vpcsPerRegion: 100 } } });
  ec2 = server.client();
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.close();
});

/** A VPC with one subnet (and optionally an attached internet gateway). */
async function network(
  c: EC2Client,
  cidr: string,
  subnetCidr: string,
  withIgw = false,
): Promise<{ vpcId: string; subnetId: string; igwId?: string }> {
  const vpcId = (await c.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnetId = (await c.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: subnetCidr })))
    .Subnet!.SubnetId!;
  if (!withIgw) return { vpcId, subnetId };
  const igwId = (await c.send(new CreateInternetGatewayCommand({}))).InternetGateway!
    .InternetGatewayId!;
  await c.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  return { vpcId, subnetId, igwId };
}

async function mainTable(c: EC2Client, vpcId: string) {
  const r = await c.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "association.main", Values: ["true"] },
      ],
    }),
  );
  expect(r.RouteTables).toHaveLength(1);
  return r.RouteTables![0]!;
}

describe("internet gateways", () => {
  it("creates, attaches (one per VPC), filters by attachment.vpc-id, detaches and deletes (IGW-1..IGW-4)", async () => {
    const { vpcId } = await network(ec2, "10.10.0.0/16", "10.10.1.0/24");
    const igw = (
      await ec2.send(
        new CreateInternetGatewayCommand({
          TagSpecifications: [
            { ResourceType: "internet-gateway", Tags: [{ Key: "Name", Value: "gw" }] },
          ],
        }),
      )
    ).InternetGateway!;
    expect(igw.InternetGatewayId).toMatch(/^igw-[0-9a-f]{17}$/);
    expect(igw.Attachments).toEqual([]);
    expect(igw.Tags).toEqual([{ Key: "Name", Value: "gw" }]);
    await ec2.send(
      new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId }),
    );
    const found = await ec2.send(
      new DescribeInternetGatewaysCommand({
        Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }],
      }),
    );
    expect(found.InternetGateways?.map((g) => g.InternetGatewayId)).toEqual([
      igw.InternetGatewayId,
    ]);
    expect(found.InternetGateways?.[0]?.Attachments).toEqual([
      { State: "available", VpcId: vpcId },
    ]);
    // IGW-2: a second gateway on the same VPC, the same gateway twice.
    const other = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!;
    expect(
      await ec2Failure(
        ec2.send(
          new AttachInternetGatewayCommand({
            InternetGatewayId: other.InternetGatewayId,
            VpcId: vpcId,
          }),
        ),
      ),
    ).toMatchObject({
      code: "Resource.AlreadyAssociated",
      message: `Network ${vpcId} already has an internet gateway attached`,
    });
    expect(
      (
        await ec2Failure(
          ec2.send(
            new AttachInternetGatewayCommand({
              InternetGatewayId: igw.InternetGatewayId,
              VpcId: vpcId,
            }),
          ),
        )
      ).code,
    ).toBe("Resource.AlreadyAssociated");
    // IGW-4: attached gateways cannot be deleted; RT-9: nor the VPC they serve.
    expect(
      await ec2Failure(
        ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId })),
      ),
    ).toMatchObject({ code: "DependencyViolation" });
    expect((await ec2Failure(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).code).toBe(
      "DependencyViolation",
    );
    expect(
      await ec2Failure(
        ec2.send(
          new DetachInternetGatewayCommand({
            InternetGatewayId: other.InternetGatewayId,
            VpcId: vpcId,
          }),
        ),
      ),
    ).toMatchObject({
      code: "Gateway.NotAttached",
      message: `resource ${other.InternetGatewayId} is not attached to network ${vpcId}`,
    });
    await ec2.send(
      new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId }),
    );
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId }));
    expect(
      await ec2Failure(
        ec2.send(
          new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw.InternetGatewayId!] }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidInternetGatewayID.NotFound",
      message: `The internetGateway ID '${igw.InternetGatewayId}' does not exist`,
    });
  });

  it("creates, lists and deletes an egress-only internet gateway (IGW-8)", async () => {
    const vpcId = (
      await ec2.send(
        new CreateVpcCommand({ CidrBlock: "10.11.0.0/16", AmazonProvidedIpv6CidrBlock: true }),
      )
    ).Vpc!.VpcId!;
    const g = (await ec2.send(new CreateEgressOnlyInternetGatewayCommand({ VpcId: vpcId })))
      .EgressOnlyInternetGateway!;
    expect(g.EgressOnlyInternetGatewayId).toMatch(/^eigw-/);
    expect(g.Attachments).toEqual([{ State: "attached", VpcId: vpcId }]);
    const rt = await mainTable(ec2, vpcId);
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: rt.RouteTableId,
        DestinationIpv6CidrBlock: "::/0",
        EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId,
      }),
    );
    const listed = await ec2.send(
      new DescribeEgressOnlyInternetGatewaysCommand({
        EgressOnlyInternetGatewayIds: [g.EgressOnlyInternetGatewayId!],
      }),
    );
    expect(listed.EgressOnlyInternetGateways).toHaveLength(1);
    expect((await ec2Failure(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })))).code).toBe(
      "DependencyViolation",
    );
    const del = await ec2.send(
      new DeleteEgressOnlyInternetGatewayCommand({
        EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId,
      }),
    );
    expect(del.ReturnCode).toBe(true);
    // RT-10: the route stays, as a blackhole.
    const after = await mainTable(ec2, vpcId);
    expect(after.Routes?.find((r) => r.DestinationIpv6CidrBlock === "::/0")?.State).toBe(
      "blackhole",
    );
    await ec2.send(
      new DeleteRouteCommand({ RouteTableId: rt.RouteTableId, DestinationIpv6CidrBlock: "::/0" }),
    );
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });
});

describe("route tables", () => {
  it("keeps the main table with its local route, adds tables, routes and associations (RT-1..RT-8)", async () => {
    const { vpcId, subnetId, igwId } = await network(ec2, "10.12.0.0/16", "10.12.1.0/24", true);
    const main = await mainTable(ec2, vpcId);
    expect(main.Routes).toEqual([
      {
        DestinationCidrBlock: "10.12.0.0/16",
        GatewayId: "local",
        State: "active",
        Origin: "CreateRouteTable",
      },
    ]);
    expect(main.Associations?.[0]).toMatchObject({ Main: true, RouteTableId: main.RouteTableId });
    const rt = (
      await ec2.send(
        new CreateRouteTableCommand({
          VpcId: vpcId,
          TagSpecifications: [
            { ResourceType: "route-table", Tags: [{ Key: "tier", Value: "web" }] },
          ],
        }),
      )
    ).RouteTable!;
    expect(rt.RouteTableId).toMatch(/^rtb-[0-9a-f]{17}$/);
    expect(rt.Routes).toHaveLength(1);
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: rt.RouteTableId,
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igwId,
      }),
    );
    const assoc = await ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: rt.RouteTableId, SubnetId: subnetId }),
    );
    expect(assoc.AssociationId).toMatch(/^rtbassoc-/);
    expect(assoc.AssociationState?.State).toBe("associated");
    const bySubnet = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "association.subnet-id", Values: [subnetId] }],
      }),
    );
    expect(bySubnet.RouteTables?.map((t) => t.RouteTableId)).toEqual([rt.RouteTableId]);
    const byRoute = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: "route.gateway-id", Values: [igwId!] },
          { Name: "tag:tier", Values: ["web"] },
        ],
      }),
    );
    expect(byRoute.RouteTables?.[0]?.Routes?.[1]).toMatchObject({
      DestinationCidrBlock: "0.0.0.0/0",
      GatewayId: igwId,
      State: "active",
      Origin: "CreateRoute",
    });
    // RT-3: one explicit association per subnet.
    expect(
      await ec2Failure(
        ec2.send(
          new AssociateRouteTableCommand({ RouteTableId: main.RouteTableId, SubnetId: subnetId }),
        ),
      ),
    ).toMatchObject({ code: "Resource.AlreadyAssociated" });
    // RT-6: not while associated; never the main table.
    expect(
      (await ec2Failure(ec2.send(new DeleteRouteTableCommand({ RouteTableId: rt.RouteTableId }))))
        .code,
    ).toBe("DependencyViolation");
    expect(
      await ec2Failure(ec2.send(new DeleteRouteTableCommand({ RouteTableId: main.RouteTableId }))),
    ).toMatchObject({
      code: "DependencyViolation",
      message: `The routeTable '${main.RouteTableId}' has dependencies and cannot be deleted.`,
    });
    // RT-8: the subnet moves to the main table with a new association id.
    const moved = await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: assoc.AssociationId,
        RouteTableId: main.RouteTableId,
      }),
    );
    expect(moved.NewAssociationId).not.toBe(assoc.AssociationId);
    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: moved.NewAssociationId }));
    // RT-8: another table becomes the main one.
    const mainAssoc = main.Associations![0]!.RouteTableAssociationId!;
    const newMain = await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: mainAssoc,
        RouteTableId: rt.RouteTableId,
      }),
    );
    expect((await mainTable(ec2, vpcId)).RouteTableId).toBe(rt.RouteTableId);
    expect(
      await ec2Failure(
        ec2.send(new DisassociateRouteTableCommand({ AssociationId: newMain.NewAssociationId })),
      ),
    ).toMatchObject({ code: "InvalidParameterValue" });
    await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: newMain.NewAssociationId,
        RouteTableId: main.RouteTableId,
      }),
    );
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: rt.RouteTableId }));
    expect((await mainTable(ec2, vpcId)).RouteTableId).toBe(main.RouteTableId);
  });

  it("answers AWS's errors for routes: missing target, duplicates, local routes, other networks (RT-4, RT-5, RT-7)", async () => {
    const { vpcId, igwId } = await network(ec2, "10.13.0.0/16", "10.13.1.0/24", true);
    const rt = (await mainTable(ec2, vpcId)).RouteTableId!;
    const cases: Array<[Record<string, string>, string, string | RegExp]> = [
      [
        { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0123456789abcdef0" },
        "InvalidGatewayID.NotFound",
        "The gateway ID 'igw-0123456789abcdef0' does not exist",
      ],
      [
        { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0123456789abcdef0" },
        "NatGatewayNotFound",
        /nat-0123456789abcdef0/,
      ],
      [
        { DestinationCidrBlock: "0.0.0.0/0", VpcPeeringConnectionId: "pcx-0123456789abcdef0" },
        "InvalidVpcPeeringConnectionID.NotFound",
        /pcx-0123456789abcdef0/,
      ],
      [
        { DestinationCidrBlock: "0.0.0.0/0", NetworkInterfaceId: "eni-0123456789abcdef0" },
        "InvalidNetworkInterfaceID.NotFound",
        /eni-0123456789abcdef0/,
      ],
      [
        { DestinationCidrBlock: "0.0.0.0/0", InstanceId: "i-0123456789abcdef0" },
        "InvalidInstanceID.NotFound",
        /i-0123456789abcdef0/,
      ],
      [
        { DestinationCidrBlock: "10.13.0.0/16", GatewayId: igwId! },
        "RouteAlreadyExists",
        "The route identified by 10.13.0.0/16 already exists.",
      ],
      [
        { DestinationCidrBlock: "10.13.5.0/24", GatewayId: igwId! },
        "InvalidParameterValue",
        /equal to or more specific than one of this VPC's CIDR blocks/,
      ],
      [{ DestinationCidrBlock: "0.0.0.0/0" }, "InvalidParameterCombination", /exactly one of/],
      [{ DestinationCidrBlock: "300.0.0.0/0", GatewayId: igwId! }, "InvalidParameterValue", /300/],
    ];
    for (const [params, code, message] of cases) {
      const f = await ec2Failure(ec2.send(new CreateRouteCommand({ RouteTableId: rt, ...params })));
      expect({ params, code: f.code }).toEqual({ params, code });
      if (typeof message === "string") expect(f.message).toBe(message);
      else expect(f.message).toMatch(message);
    }
    // A gateway of another VPC.
    const other = await network(ec2, "10.14.0.0/16", "10.14.1.0/24", true);
    expect(
      await ec2Failure(
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: rt,
            DestinationCidrBlock: "0.0.0.0/0",
            GatewayId: other.igwId,
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidParameterValue",
      message: `route table ${rt} and network gateway ${other.igwId} belong to different networks`,
    });
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: rt,
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igwId,
      }),
    );
    expect(
      await ec2Failure(
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: rt,
            DestinationCidrBlock: "0.0.0.0/0",
            GatewayId: igwId,
          }),
        ),
      ),
    ).toMatchObject({ code: "RouteAlreadyExists" });
    expect(
      await ec2Failure(
        ec2.send(
          new DeleteRouteCommand({ RouteTableId: rt, DestinationCidrBlock: "10.13.0.0/16" }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidParameterValue",
      message: `cannot remove local route 10.13.0.0/16 in route table ${rt}`,
    });
    expect(
      await ec2Failure(
        ec2.send(
          new DeleteRouteCommand({ RouteTableId: rt, DestinationCidrBlock: "192.0.2.0/24" }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidRoute.NotFound",
      message: `no route with destination-cidr-block 192.0.2.0/24 in route table ${rt}`,
    });
    expect(
      (
        await ec2Failure(
          ec2.send(
            new ReplaceRouteCommand({
              RouteTableId: rt,
              DestinationCidrBlock: "192.0.2.0/24",
              GatewayId: igwId,
            }),
          ),
        )
      ).code,
    ).toBe("InvalidRoute.NotFound");
    expect(
      await ec2Failure(
        ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ["rtb-0123456789abcdef0"] })),
      ),
    ).toMatchObject({
      code: "InvalidRouteTableID.NotFound",
      message: "The routeTable ID 'rtb-0123456789abcdef0' does not exist",
    });
  });
});

describe("public and Elastic IPs", () => {
  it("honours the primary private address in every form and gives public IPs (EIP-6..EIP-8)", async () => {
    const { subnetId } = await network(ec2, "10.20.0.0/16", "10.20.1.0/24", true);
    // The aws CLI form with --associate-public-ip-address.
    const a = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: subnetId,
              AssociatePublicIpAddress: true,
              PrivateIpAddresses: [{ PrivateIpAddress: "10.20.1.50", Primary: true }],
            },
          ],
        }),
      )
    ).Instances![0]!;
    expect(a.PrivateIpAddress).toBe("10.20.1.50");
    expect(a.PublicIpAddress).toMatch(PUBLIC_RANGE);
    expect(a.NetworkInterfaces?.[0]?.Association).toMatchObject({
      PublicIp: a.PublicIpAddress,
      IpOwnerId: "amazon",
    });
    // NetworkInterface.N.PrivateIpAddress and the top-level PrivateIpAddress.
    const b = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: subnetId, PrivateIpAddress: "10.20.1.51" },
          ],
        }),
      )
    ).Instances![0]!;
    expect(b.PrivateIpAddress).toBe("10.20.1.51");
    expect(b.PublicIpAddress).toBeUndefined();
    const c = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          PrivateIpAddress: "10.20.1.52",
        }),
      )
    ).Instances![0]!;
    expect(c.PrivateIpAddress).toBe("10.20.1.52");
    // MapPublicIpOnLaunch on the subnet.
    await ec2.send(
      new ModifySubnetAttributeCommand({
        SubnetId: subnetId,
        MapPublicIpOnLaunch: { Value: true },
      }),
    );
    const d = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
        }),
      )
    ).Instances![0]!;
    expect(d.PublicIpAddress).toMatch(PUBLIC_RANGE);
    expect(d.PublicIpAddress).not.toBe(a.PublicIpAddress);
    const described = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: "ip-address", Values: [d.PublicIpAddress!] }],
      }),
    );
    expect(described.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe(d.InstanceId);
    expect(described.Reservations?.[0]?.Instances?.[0]?.PublicDnsName).toMatch(
      /^ec2-198-1[89]-\d+-\d+\.compute-1\.amazonaws\.com$/,
    );
    // Two primaries, and AssociatePublicIpAddress with an existing interface: refused.
    expect(
      (
        await ec2Failure(
          ec2.send(
            new RunInstancesCommand({
              ImageId: "ami-12345678",
              MinCount: 1,
              MaxCount: 1,
              NetworkInterfaces: [
                {
                  DeviceIndex: 0,
                  SubnetId: subnetId,
                  PrivateIpAddresses: [
                    { PrivateIpAddress: "10.20.1.60", Primary: true },
                    { PrivateIpAddress: "10.20.1.61", Primary: true },
                  ],
                },
              ],
            }),
          ),
        )
      ).code,
    ).toBe("InvalidParameterValue");
    expect(
      (
        await ec2Failure(
          ec2.send(
            new RunInstancesCommand({
              ImageId: "ami-12345678",
              MinCount: 1,
              MaxCount: 1,
              NetworkInterfaces: [
                {
                  DeviceIndex: 0,
                  NetworkInterfaceId: b.NetworkInterfaces![0]!.NetworkInterfaceId,
                  AssociatePublicIpAddress: true,
                },
              ],
            }),
          ),
        )
      ).code,
    ).toBe("InvalidParameterCombination");
    await ec2.send(
      new TerminateInstancesCommand({
        InstanceIds: [a.InstanceId!, b.InstanceId!, c.InstanceId!, d.InstanceId!],
      }),
    );
  });

  it("allocates, associates, reassociates, disassociates and releases Elastic IPs (EIP-1..EIP-5)", async () => {
    const noIgw = await network(ec2, "10.21.0.0/16", "10.21.1.0/24");
    const { vpcId, subnetId, igwId } = await network(ec2, "10.22.0.0/16", "10.22.1.0/24", true);
    const run = async (sid: string) =>
      (
        await ec2.send(
          new RunInstancesCommand({ ImageId: "ami-1", MinCount: 1, MaxCount: 1, SubnetId: sid }),
        )
      ).Instances![0]!;
    const web = await run(subnetId);
    const other = await run(subnetId);
    const lonely = await run(noIgw.subnetId);
    const eip = await ec2.send(
      new AllocateAddressCommand({
        Domain: "vpc",
        TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "Name", Value: "web" }] }],
      }),
    );
    expect(eip.AllocationId).toMatch(/^eipalloc-/);
    expect(eip.PublicIp).toMatch(PUBLIC_RANGE);
    expect(eip.Domain).toBe("vpc");
    expect(
      await ec2Failure(
        ec2.send(
          new AssociateAddressCommand({
            AllocationId: eip.AllocationId,
            InstanceId: lonely.InstanceId,
          }),
        ),
      ),
    ).toMatchObject({
      code: "Gateway.NotAttached",
      message: `Network ${noIgw.vpcId} is not attached to any internet gateway`,
    });
    const assoc = await ec2.send(
      new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: web.InstanceId }),
    );
    expect(assoc.AssociationId).toMatch(/^eipassoc-/);
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [web.InstanceId!] })))
      .Reservations![0]!.Instances![0]!;
    expect(inst.PublicIpAddress).toBe(eip.PublicIp);
    const eni = (
      await ec2.send(
        new DescribeNetworkInterfacesCommand({
          NetworkInterfaceIds: [inst.NetworkInterfaces![0]!.NetworkInterfaceId!],
        }),
      )
    ).NetworkInterfaces![0]!;
    expect(eni.Association).toMatchObject({
      PublicIp: eip.PublicIp,
      AllocationId: eip.AllocationId,
      AssociationId: assoc.AssociationId,
      IpOwnerId: "123456789012",
    });
    const listed = await ec2.send(
      new DescribeAddressesCommand({
        Filters: [
          { Name: "domain", Values: ["vpc"] },
          { Name: "instance-id", Values: [web.InstanceId!] },
        ],
      }),
    );
    expect(listed.Addresses).toEqual([
      expect.objectContaining({
        PublicIp: eip.PublicIp,
        AllocationId: eip.AllocationId,
        AssociationId: assoc.AssociationId,
        InstanceId: web.InstanceId,
        PrivateIpAddress: web.PrivateIpAddress,
        Tags: [{ Key: "Name", Value: "web" }],
      }),
    ]);
    const byIp = await ec2.send(
      new DescribeAddressesCommand({ Filters: [{ Name: "public-ip", Values: [eip.PublicIp!] }] }),
    );
    expect(byIp.Addresses?.map((x) => x.AllocationId)).toEqual([eip.AllocationId]);
    // EIP-3: already associated; reassociation only when allowed.
    expect(
      await ec2Failure(
        ec2.send(
          new AssociateAddressCommand({
            AllocationId: eip.AllocationId,
            InstanceId: other.InstanceId,
          }),
        ),
      ),
    ).toMatchObject({
      code: "Resource.AlreadyAssociated",
      message: `resource ${eip.AllocationId} is already associated with associationId ${assoc.AssociationId}`,
    });
    const re = await ec2.send(
      new AssociateAddressCommand({
        AllocationId: eip.AllocationId,
        InstanceId: other.InstanceId,
        AllowReassociation: true,
      }),
    );
    // IGW-3: mapped addresses hold the gateway.
    expect(
      await ec2Failure(
        ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })),
      ),
    ).toMatchObject({
      code: "DependencyViolation",
      message: `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    });
    expect(
      await ec2Failure(ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }))),
    ).toMatchObject({ code: "InvalidIPAddress.InUse" });
    expect(
      (
        await ec2Failure(
          ec2.send(new DisassociateAddressCommand({ AssociationId: assoc.AssociationId })),
        )
      ).code,
    ).toBe("InvalidAssociationID.NotFound");
    await ec2.send(new DisassociateAddressCommand({ AssociationId: re.AssociationId }));
    await ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
    expect(
      await ec2Failure(
        ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] })),
      ),
    ).toMatchObject({
      code: "InvalidAllocationID.NotFound",
      message: `The allocation ID '${eip.AllocationId}' does not exist`,
    });
    await ec2.send(
      new TerminateInstancesCommand({
        InstanceIds: [web.InstanceId!, other.InstanceId!, lonely.InstanceId!],
      }),
    );
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  });

  it("limits Elastic IPs per account and region (EIP-5)", async () => {
    const c = client("333333333333", "eu-west-1");
    for (let n = 0; n < 5; n++) await c.send(new AllocateAddressCommand({ Domain: "vpc" }));
    expect(await ec2Failure(c.send(new AllocateAddressCommand({ Domain: "vpc" })))).toMatchObject({
      code: "AddressLimitExceeded",
    });
    expect((await c.send(new DescribeAddressesCommand({}))).Addresses).toHaveLength(5);
  });
});

describe("NAT gateways", () => {
  it("goes pending -> available, routes to it, deleting -> deleted with a blackhole route (NAT-1..NAT-6, RT-7)", async () => {
    const { vpcId, subnetId, igwId } = await network(ec2, "10.30.0.0/16", "10.30.1.0/24", true);
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    expect(
      (await ec2Failure(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId })))).code,
    ).toBe("MissingParameter");
    const nat = (
      await ec2.send(
        new CreateNatGatewayCommand({
          SubnetId: subnetId,
          AllocationId: eip.AllocationId,
          TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "Name", Value: "n" }] }],
        }),
      )
    ).NatGateway!;
    expect(nat.NatGatewayId).toMatch(/^nat-[0-9a-f]{17}$/);
    expect(nat.State).toBe("pending");
    expect(nat.NatGatewayAddresses?.[0]).toMatchObject({
      AllocationId: eip.AllocationId,
      PublicIp: eip.PublicIp,
      PrivateIp: "10.30.1.254",
    });
    expect(
      await ec2Failure(
        ec2.send(
          new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: eip.AllocationId }),
        ),
      ),
    ).toMatchObject({
      code: "Resource.AlreadyAssociated",
      message: `Elastic IP address [${eip.AllocationId}] is already associated`,
    });
    const private_ = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: private_.RouteTable!.RouteTableId,
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igwId,
      }),
    );
    // RT-7: the destination keeps its place; the target changes.
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: private_.RouteTable!.RouteTableId,
        DestinationCidrBlock: "0.0.0.0/0",
        NatGatewayId: nat.NatGatewayId,
      }),
    );
    await natGatewayState(ec2, nat.NatGatewayId!, "available");
    const avail = await ec2.send(
      new DescribeNatGatewaysCommand({
        Filter: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "state", Values: ["available"] },
        ],
      }),
    );
    expect(avail.NatGateways?.map((n) => n.NatGatewayId)).toEqual([nat.NatGatewayId]);
    const addr = await ec2.send(
      new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }),
    );
    expect(addr.Addresses?.[0]?.PrivateIpAddress).toBe("10.30.1.254");
    // NAT-6: its subnet cannot go while it lives.
    expect((await ec2Failure(ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })))).code).toBe(
      "DependencyViolation",
    );
    const del = await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId }));
    expect(del.NatGatewayId).toBe(nat.NatGatewayId);
    const deleting = await ec2.send(
      new DescribeNatGatewaysCommand({
        Filter: [{ Name: "nat-gateway-id", Values: [nat.NatGatewayId!] }],
      }),
    );
    expect(deleting.NatGateways?.[0]?.State).toBe("deleting");
    await natGatewayState(ec2, nat.NatGatewayId!, "deleted");
    const gone = await ec2.send(
      new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }),
    );
    expect(gone.NatGateways?.[0]?.State).toBe("deleted");
    const rt = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "route.nat-gateway-id", Values: [nat.NatGatewayId!] }],
      }),
    );
    expect(rt.RouteTables?.[0]?.Routes?.[1]).toMatchObject({
      DestinationCidrBlock: "0.0.0.0/0",
      NatGatewayId: nat.NatGatewayId,
      State: "blackhole",
    });
    expect(rt.RouteTables?.[0]?.Routes?.[1]?.GatewayId).toBeUndefined();
    await ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
    expect(
      await ec2Failure(
        ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: "nat-0123456789abcdef0" })),
      ),
    ).toMatchObject({ code: "NatGatewayNotFound" });
  });
});

describe("VPC peering", () => {
  it("peers two accounts: pending -> active, cross-account group reference, deleted -> stale (PCX-1..PCX-7, REF-4, REF-5)", async () => {
    const alice = client("111122223333");
    const bob = client("444455556666");
    const a = await network(alice, "10.40.0.0/16", "10.40.1.0/24");
    const b = await network(bob, "10.41.0.0/16", "10.41.1.0/24");
    const bobSg = (
      await bob.send(
        new CreateSecurityGroupCommand({ GroupName: "app", Description: "app", VpcId: b.vpcId }),
      )
    ).GroupId!;
    const aliceSg = (
      await alice.send(
        new CreateSecurityGroupCommand({ GroupName: "db", Description: "db", VpcId: a.vpcId }),
      )
    ).GroupId!;
    const ref = {
      GroupId: aliceSg,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 5432,
          ToPort: 5432,
          UserIdGroupPairs: [{ GroupId: bobSg, VpcId: b.vpcId, UserId: "444455556666" }],
        },
      ],
    };
    // REF-4: no peering yet.
    expect((await ec2Failure(alice.send(new AuthorizeSecurityGroupIngressCommand(ref)))).code).toBe(
      "InvalidGroup.NotFound",
    );
    const created = (
      await alice.send(
        new CreateVpcPeeringConnectionCommand({
          VpcId: a.vpcId,
          PeerVpcId: b.vpcId,
          PeerOwnerId: "444455556666",
        }),
      )
    ).VpcPeeringConnection!;
    expect(created.VpcPeeringConnectionId).toMatch(/^pcx-[0-9a-f]{17}$/);
    expect(created.Status?.Code).toBe("initiating-request");
    // PCX-4: the accepter sees it; only the accepter accepts.
    const seen = await bob.send(
      new DescribeVpcPeeringConnectionsCommand({
        Filters: [{ Name: "status-code", Values: ["pending-acceptance"] }],
      }),
    );
    expect(seen.VpcPeeringConnections?.map((p) => p.VpcPeeringConnectionId)).toEqual([
      created.VpcPeeringConnectionId,
    ]);
    expect(
      await ec2Failure(
        alice.send(
          new AcceptVpcPeeringConnectionCommand({
            VpcPeeringConnectionId: created.VpcPeeringConnectionId,
          }),
        ),
      ),
    ).toMatchObject({ code: "OperationNotPermitted" });
    expect(
      await ec2Failure(
        client("777777777777").send(
          new DescribeVpcPeeringConnectionsCommand({
            VpcPeeringConnectionIds: [created.VpcPeeringConnectionId!],
          }),
        ),
      ),
    ).toMatchObject({ code: "InvalidVpcPeeringConnectionID.NotFound" });
    const accepted = (
      await bob.send(
        new AcceptVpcPeeringConnectionCommand({
          VpcPeeringConnectionId: created.VpcPeeringConnectionId,
        }),
      )
    ).VpcPeeringConnection!;
    expect(accepted.Status).toEqual({ Code: "active", Message: "Active" });
    expect(accepted.AccepterVpcInfo).toMatchObject({
      VpcId: b.vpcId,
      OwnerId: "444455556666",
      CidrBlock: "10.41.0.0/16",
    });
    expect(
      await ec2Failure(
        bob.send(
          new AcceptVpcPeeringConnectionCommand({
            VpcPeeringConnectionId: created.VpcPeeringConnectionId,
          }),
        ),
      ),
    ).toMatchObject({
      code: "InvalidStateTransition",
      message: `Invalid state transition for ${created.VpcPeeringConnectionId}, attempted to transition from active to active`,
    });
    // Routes to the peering on both sides (PCX-6).
    const art = (await mainTable(alice, a.vpcId)).RouteTableId!;
    await alice.send(
      new CreateRouteCommand({
        RouteTableId: art,
        DestinationCidrBlock: "10.41.0.0/16",
        VpcPeeringConnectionId: created.VpcPeeringConnectionId,
      }),
    );
    // REF-4: the peer's group, by id with its VPC and account (the seed's UserIdGroupPairs form).
    await alice.send(new AuthorizeSecurityGroupIngressCommand(ref));
    const g = (await alice.send(new DescribeSecurityGroupsCommand({ GroupIds: [aliceSg] })))
      .SecurityGroups![0]!;
    expect(g.IpPermissions?.[0]?.UserIdGroupPairs?.[0]).toMatchObject({
      GroupId: bobSg,
      UserId: "444455556666",
      VpcId: b.vpcId,
      VpcPeeringConnectionId: created.VpcPeeringConnectionId,
      PeeringStatus: "active",
    });
    expect(
      (await alice.send(new DescribeStaleSecurityGroupsCommand({ VpcId: a.vpcId })))
        .StaleSecurityGroupSet,
    ).toEqual([]);
    // REF-5: deleting the peering leaves the rule, stale; the route turns blackhole.
    await bob.send(
      new DeleteVpcPeeringConnectionCommand({
        VpcPeeringConnectionId: created.VpcPeeringConnectionId,
      }),
    );
    const stale = await alice.send(new DescribeStaleSecurityGroupsCommand({ VpcId: a.vpcId }));
    expect(stale.StaleSecurityGroupSet).toHaveLength(1);
    expect(stale.StaleSecurityGroupSet?.[0]).toMatchObject({
      GroupId: aliceSg,
      GroupName: "db",
      VpcId: a.vpcId,
    });
    expect(stale.StaleSecurityGroupSet?.[0]?.StaleIpPermissions?.[0]).toMatchObject({
      IpProtocol: "tcp",
      FromPort: 5432,
      ToPort: 5432,
      UserIdGroupPairs: [
        expect.objectContaining({
          GroupId: bobSg,
          PeeringStatus: "deleted",
          UserId: "444455556666",
        }),
      ],
    });
    const route = (await mainTable(alice, a.vpcId)).Routes?.find(
      (r) => r.VpcPeeringConnectionId === created.VpcPeeringConnectionId,
    );
    expect(route?.State).toBe("blackhole");
    const listed = await alice.send(
      new DescribeVpcPeeringConnectionsCommand({
        VpcPeeringConnectionIds: [created.VpcPeeringConnectionId!],
      }),
    );
    expect(listed.VpcPeeringConnections?.[0]?.Status?.Code).toBe("deleted");
  });

  it("fails overlapping CIDRs as AWS does, rejects, deletes a pending request (PCX-3, PCX-5)", async () => {
    const x = await network(ec2, "10.50.0.0/16", "10.50.1.0/24");
    const y = await network(ec2, "10.50.0.0/16", "10.50.2.0/24");
    const z = await network(ec2, "10.51.0.0/16", "10.51.1.0/24");
    const failed = (
      await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: x.vpcId, PeerVpcId: y.vpcId }))
    ).VpcPeeringConnection!;
    const d = await ec2.send(
      new DescribeVpcPeeringConnectionsCommand({
        VpcPeeringConnectionIds: [failed.VpcPeeringConnectionId!],
      }),
    );
    expect(d.VpcPeeringConnections?.[0]?.Status).toEqual({
      Code: "failed",
      Message: "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range.",
    });
    const p1 = (
      await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: x.vpcId, PeerVpcId: z.vpcId }))
    ).VpcPeeringConnection!;
    expect(
      (
        await ec2Failure(
          ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: z.vpcId, PeerVpcId: x.vpcId })),
        )
      ).code,
    ).toBe("VpcPeeringConnectionAlreadyExists");
    // RT-9: a pending peering holds the VPC.
    expect((await ec2Failure(ec2.send(new DeleteVpcCommand({ VpcId: z.vpcId })))).code).toBe(
      "DependencyViolation",
    );
    const r = await ec2.send(
      new RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: p1.VpcPeeringConnectionId }),
    );
    expect(r.Return).toBe(true);
    const p2 = (
      await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: x.vpcId, PeerVpcId: z.vpcId }))
    ).VpcPeeringConnection!;
    await ec2.send(
      new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: p2.VpcPeeringConnectionId }),
    );
    const both = await ec2.send(
      new DescribeVpcPeeringConnectionsCommand({
        VpcPeeringConnectionIds: [p1.VpcPeeringConnectionId!, p2.VpcPeeringConnectionId!],
      }),
    );
    expect(both.VpcPeeringConnections?.map((p) => p.Status?.Code)).toEqual(["rejected", "deleted"]);
    expect(
      (
        await ec2Failure(
          ec2.send(
            new DeleteVpcPeeringConnectionCommand({
              VpcPeeringConnectionId: p2.VpcPeeringConnectionId,
            }),
          ),
        )
      ).code,
    ).toBe("InvalidStateTransition");
    await ec2.send(new DeleteSubnetCommand({ SubnetId: z.subnetId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: z.vpcId }));
  });
});

describe("tags and persistence", () => {
  it("tags the new resources, the derived main route table included, and lists them in DescribeTags", async () => {
    const { vpcId, igwId } = await network(ec2, "10.60.0.0/16", "10.60.1.0/24", true);
    const rt = (await mainTable(ec2, vpcId)).RouteTableId!;
    await ec2.send(
      new CreateTagsCommand({ Resources: [rt, igwId!], Tags: [{ Key: "env", Value: "test" }] }),
    );
    const tags = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [rt, igwId!] }] }),
    );
    expect(tags.Tags?.map((t) => [t.ResourceType, t.Key]).sort()).toEqual([
      ["internet-gateway", "env"],
      ["route-table", "env"],
    ]);
    expect((await mainTable(ec2, vpcId)).Tags).toEqual([{ Key: "env", Value: "test" }]);
  });

  it("keeps routing state across a controller restart on a file database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcemu-routing-"));
    const statePath = join(dir, "state.db");
    try {
      let ids: Record<string, string>;
      {
        const s = await startEc2Server({ statePath });
        const c = s.client();
        const { vpcId, subnetId, igwId } = await network(c, "10.70.0.0/16", "10.70.1.0/24", true);
        const rt = (await c.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!
          .RouteTableId!;
        await c.send(
          new CreateRouteCommand({
            RouteTableId: rt,
            DestinationCidrBlock: "0.0.0.0/0",
            GatewayId: igwId,
          }),
        );
        const assoc = (
          await c.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: subnetId }))
        ).AssociationId!;
        const eip = (await c.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!;
        const nat = (
          await c.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: eip }))
        ).NatGateway!.NatGatewayId!;
        const peer = await network(c, "10.71.0.0/16", "10.71.1.0/24");
        const pcx = (
          await c.send(
            new CreateVpcPeeringConnectionCommand({ VpcId: vpcId, PeerVpcId: peer.vpcId }),
          )
        ).VpcPeeringConnection!.VpcPeeringConnectionId!;
        await c.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
        const inst = (
          await c.send(
            new RunInstancesCommand({
              ImageId: "ami-1",
              MinCount: 1,
              MaxCount: 1,
              NetworkInterfaces: [
                { DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: true },
              ],
            }),
          )
        ).Instances![0]!;
        ids = {
          vpcId,
          igwId: igwId!,
          rt,
          assoc,
          eip,
          nat,
          pcx,
          instanceId: inst.InstanceId!,
          publicIp: inst.PublicIpAddress!,
        };
        c.destroy();
        await s.close();
      }
      const s = await startEc2Server({ statePath });
      const c = s.client();
      try {
        const igw = (
          await c.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [ids["igwId"]!] }))
        ).InternetGateways![0]!;
        expect(igw.Attachments?.[0]?.VpcId).toBe(ids["vpcId"]);
        const rt = (await c.send(new DescribeRouteTablesCommand({ RouteTableIds: [ids["rt"]!] })))
          .RouteTables![0]!;
        expect(rt.Routes?.[1]).toMatchObject({ GatewayId: ids["igwId"], State: "active" });
        expect(rt.Associations?.[0]?.RouteTableAssociationId).toBe(ids["assoc"]);
        const nat = (await c.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [ids["nat"]!] })))
          .NatGateways![0]!;
        expect(nat.NatGatewayAddresses?.[0]?.AllocationId).toBe(ids["eip"]);
        const pcx = (
          await c.send(
            new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [ids["pcx"]!] }),
          )
        ).VpcPeeringConnections![0]!;
        expect(pcx.Status?.Code).toBe("active");
        const inst = (
          await c.send(new DescribeInstancesCommand({ InstanceIds: [ids["instanceId"]!] }))
        ).Reservations![0]!.Instances![0]!;
        expect(inst.PublicIpAddress).toBe(ids["publicIp"]);
      } finally {
        c.destroy();
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Polls DescribeNatGateways until the gateway reaches `state` (NAT-3: states change over time). */
async function natGatewayState(client: EC2Client, id: string, state: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await client.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }));
    if (r.NatGateways?.[0]?.State === state) return;
    if (Date.now() > deadline) throw new Error(`NAT gateway ${id} not ${state} within 10 s`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
