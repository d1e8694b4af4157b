/**
 * A routed topology file (internet gateway, route tables, Elastic IPs, a NAT gateway, a peering,
 * `publicIp: true`) applied through the EC2 API of a real controller: the state it builds is what
 * the API describes (docs/topology.md), and an API error points at the file's line.
 */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeVpcPeeringConnectionsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { applyTopology } from "../../cli/topology/apply-topology.js";
import { parseTopology, TopologyError } from "../../cli/topology/topology.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ROUTED = `vpcs:
  - { name: main, cidr: 10.0.0.0/16 }
  - { name: other, cidr: 10.1.0.0/16 }
subnets:
  - { name: public, vpc: main, cidr: 10.0.1.0/24 }
  - { name: private, vpc: main, cidr: 10.0.2.0/24 }
  - { name: far, vpc: other, cidr: 10.1.1.0/24 }
instances:
  - { name: web, subnet: public, publicIp: true, privateIp: 10.0.1.10 }
  - { name: api, subnet: public, privateIp: 10.0.1.11 }
  - { name: db, subnet: private, privateIp: 10.0.2.20 }
  - { name: peer, subnet: far, privateIp: 10.1.1.10 }
internetGateways:
  - { name: igw, vpc: main }
elasticIps:
  - { name: api-eip, instance: api }
  - { name: nat-eip }
natGateways:
  - { name: nat, subnet: public, elasticIp: nat-eip }
peerings:
  - { name: main-other, vpc: main, peerVpc: other }
routeTables:
  - name: public-rt
    vpc: main
    subnets: [public]
    routes:
      - { destination: 0.0.0.0/0, internetGateway: igw }
      - { destination: 10.1.0.0/16, peering: main-other }
  - name: private-rt
    vpc: main
    subnets: [private]
    routes:
      - { destination: 0.0.0.0/0, natGateway: nat }
  - name: far-rt
    vpc: other
    subnets: [far]
    routes:
      - { destination: 10.0.0.0/16, peering: main-other }
`;

let controller: StartedController;
let ec2: EC2Client;

beforeEach(async () => {
  controller = await new Controller({ listen: "127.0.0.1:0", statePath: ":memory:" }).start();
  ec2 = new EC2Client({
    endpoint: controller.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});

afterEach(async () => {
  ec2.destroy();
  await controller.stop();
});

describe("a routed topology file through the EC2 API", () => {
  it("creates and wires the gateway, route tables, addresses, NAT gateway and peering", async () => {
    const applied = await applyTopology(ec2, parseTopology(ROUTED, "routed.yaml"));
    const mainVpc = applied.vpcs.get("main")!;
    const igw = applied.internetGateways.get("igw")!;
    const pcx = applied.peerings.get("main-other")!;
    const nat = applied.natGateways.get("nat")!;

    // IGW-1: attached to its VPC, with its Name tag.
    const gws = await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] }));
    expect(gws.InternetGateways?.[0]?.Attachments).toEqual([
      expect.objectContaining({ VpcId: mainVpc, State: "available" }),
    ]);
    expect(gws.InternetGateways?.[0]?.Tags).toEqual([{ Key: "Name", Value: "igw" }]);

    // PCX-2: same account, accepted.
    const peering = await ec2.send(
      new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [pcx] }),
    );
    expect(peering.VpcPeeringConnections?.[0]?.Status?.Code).toBe("active");

    // NAT-1: in its subnet with its Elastic IP.
    const nats = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }));
    expect(nats.NatGateways?.[0]?.SubnetId).toBe(applied.subnets.get("public"));
    expect(nats.NatGateways?.[0]?.NatGatewayAddresses?.[0]?.AllocationId).toBe(
      applied.elasticIps.get("nat-eip")!.allocationId,
    );

    // Routes with their targets; each table associated with its subnets (RT-3).
    const tables = await ec2.send(
      new DescribeRouteTablesCommand({ RouteTableIds: [...applied.routeTables.values()] }),
    );
    const view = (name: string) => {
      const t = tables.RouteTables!.find((x) => x.RouteTableId === applied.routeTables.get(name))!;
      return {
        subnets: (t.Associations ?? []).map((a) => a.SubnetId),
        routes: (t.Routes ?? []).map((r) => [
          r.DestinationCidrBlock,
          r.GatewayId ?? r.NatGatewayId ?? r.VpcPeeringConnectionId,
        ]),
      };
    };
    expect(view("public-rt")).toEqual({
      subnets: [applied.subnets.get("public")],
      routes: expect.arrayContaining([
        ["10.0.0.0/16", "local"],
        ["0.0.0.0/0", igw],
        ["10.1.0.0/16", pcx],
      ]),
    });
    expect(view("private-rt").routes).toEqual(expect.arrayContaining([["0.0.0.0/0", nat]]));
    expect(view("far-rt").routes).toEqual(expect.arrayContaining([["10.0.0.0/16", pcx]]));

    // EIP-6, EIP-7: web has a launch-time public IP, api its Elastic IP, db none.
    const web = applied.instances.get("web")!;
    const api = applied.instances.get("api")!;
    expect(web.publicIp).toMatch(/^198\.1[89]\./);
    expect(api.publicIp).toBe(applied.elasticIps.get("api-eip")!.publicIp);
    expect(applied.instances.get("db")!.publicIp).toBeUndefined();
    const described = await ec2.send(
      new DescribeInstancesCommand({ InstanceIds: [web.instanceId, api.instanceId] }),
    );
    const publicIps = described
      .Reservations!.flatMap((r) => r.Instances!)
      .map((i) => [i.InstanceId, i.PublicIpAddress]);
    expect(publicIps).toEqual(
      expect.arrayContaining([
        [web.instanceId, web.publicIp],
        [api.instanceId, api.publicIp],
      ]),
    );
    const addresses = await ec2.send(
      new DescribeAddressesCommand({
        AllocationIds: [applied.elasticIps.get("api-eip")!.allocationId],
      }),
    );
    expect(addresses.Addresses?.[0]?.InstanceId).toBe(api.instanceId);
  });

  it("reports an API error at the line of the item that caused it", async () => {
    // The file's checks cannot know the account's quota: the sixth Elastic IP is the API's to
    // refuse (EIP-5).
    const eips = Array.from({ length: 6 }, (_, i) => `  - { name: e${i} }`).join("\n");
    const text = `vpcs:\n  - { name: main, cidr: 10.0.0.0/16 }\nelasticIps:\n${eips}\n`;
    const err = await applyTopology(ec2, parseTopology(text, "quota.yaml")).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as Error).message).toMatch(
      /^quota\.yaml:9: elasticIps\[5\]: AddressLimitExceeded: /,
    );
  });
});
