/**
 * Routing with the real `aws` binary (docs/routing.md): an internet gateway and a default route
 * made with create-internet-gateway / create-route, then `aws ec2 run-instances
 * --associate-public-ip-address --private-ip-address ...`, which the CLI rewrites into
 * `NetworkInterface.1.PrivateIpAddresses.1.{PrivateIpAddress,Primary}` and
 * `NetworkInterface.1.AssociatePublicIpAddress`: the address asked for and a public IP are
 * honoured (EIP-7, EIP-8); a stop and start gives a new public IP, an Elastic IP stays (EIP-7).
 * API only. A missing `aws` fails this test, naming it (STYLE §6).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsCli } from "../helpers/aws-cli.js";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;
let cli: AwsCli;

beforeAll(async () => {
  server = await startEc2Server();
  cli = new AwsCli({ endpoint: server.endpoint });
});
afterAll(async () => {
  cli?.dispose();
  await server?.close();
});

describe("aws ec2 routing commands", () => {
  // Why 120 s: some twenty aws CLI processes, each a Python start (1-3 s on a loaded machine).
  it(
    "creates a gateway and a route, then runs an instance with the asked address and a public IP (RT-4, EIP-7, EIP-8)",
    { timeout: 120_000 },
    async () => {
      // Why: the CLI's JSON, read field by field below; shapes are what the assertions check.
      type J = Record<string, any>;
      const vpc = await cli.json<J>(["ec2", "create-vpc", "--cidr-block", "10.80.0.0/16"]);
      const vpcId = vpc["Vpc"]["VpcId"] as string;
      const subnet = await cli.json<J>([
        "ec2",
        "create-subnet",
        "--vpc-id",
        vpcId,
        "--cidr-block",
        "10.80.1.0/24",
      ]);
      const subnetId = subnet["Subnet"]["SubnetId"] as string;
      const igw = await cli.json<J>(["ec2", "create-internet-gateway"]);
      const igwId = igw["InternetGateway"]["InternetGatewayId"] as string;
      expect(igwId).toMatch(/^igw-[0-9a-f]{17}$/);
      await cli.json([
        "ec2",
        "attach-internet-gateway",
        "--internet-gateway-id",
        igwId,
        "--vpc-id",
        vpcId,
      ]);
      const tables = await cli.json<J>([
        "ec2",
        "describe-route-tables",
        "--filters",
        `Name=vpc-id,Values=${vpcId}`,
      ]);
      const rtb = tables["RouteTables"][0]["RouteTableId"] as string;
      const route = await cli.json<J>([
        "ec2",
        "create-route",
        "--route-table-id",
        rtb,
        "--destination-cidr-block",
        "0.0.0.0/0",
        "--gateway-id",
        igwId,
      ]);
      expect(route["Return"]).toBe(true);
      const run = await cli.json<J>([
        "ec2",
        "run-instances",
        "--image-id",
        "ami-12345678",
        "--instance-type",
        "t3.micro",
        "--count",
        "1",
        "--subnet-id",
        subnetId,
        "--associate-public-ip-address",
        "--private-ip-address",
        "10.80.1.25",
      ]);
      const inst = run["Instances"][0];
      expect(inst["PrivateIpAddress"]).toBe("10.80.1.25");
      expect(inst["PublicIpAddress"]).toMatch(/^198\.1[89]\.\d+\.\d+$/);
      const described = await cli.json<J>([
        "ec2",
        "describe-instances",
        "--instance-ids",
        inst["InstanceId"] as string,
      ]);
      const d = described["Reservations"][0]["Instances"][0];
      expect(d["PublicIpAddress"]).toBe(inst["PublicIpAddress"]);
      expect(d["NetworkInterfaces"][0]["Association"]["PublicIp"]).toBe(inst["PublicIpAddress"]);
      const after = await cli.json<J>(["ec2", "describe-route-tables", "--route-table-ids", rtb]);
      expect(after["RouteTables"][0]["Routes"]).toEqual([
        {
          DestinationCidrBlock: "10.80.0.0/16",
          GatewayId: "local",
          Origin: "CreateRouteTable",
          State: "active",
        },
        {
          DestinationCidrBlock: "0.0.0.0/0",
          GatewayId: igwId,
          Origin: "CreateRoute",
          State: "active",
        },
      ]);
      // IGW-3 through the CLI: the public IP holds the gateway.
      const detach = await cli.run([
        "ec2",
        "detach-internet-gateway",
        "--internet-gateway-id",
        igwId,
        "--vpc-id",
        vpcId,
      ]);
      expect(detach.code).not.toBe(0);
      expect(detach.stderr).toContain("DependencyViolation");

      // EIP-7: stopped, the instance has no public IP; started again, a new one. An Elastic IP
      // associated with it stays through a stop and start.
      const id = inst["InstanceId"] as string;
      const first = inst["PublicIpAddress"] as string;
      const publicIpOf = async (): Promise<string | undefined> =>
        (await cli.json<J>(["ec2", "describe-instances", "--instance-ids", id]))["Reservations"][0][
          "Instances"
        ][0]["PublicIpAddress"] as string | undefined;
      await cli.json(["ec2", "stop-instances", "--instance-ids", id]);
      expect(await publicIpOf()).toBeUndefined();
      await cli.json(["ec2", "start-instances", "--instance-ids", id]);
      const second = await publicIpOf();
      expect(second).toMatch(/^198\.1[89]\.\d+\.\d+$/);
      expect(second).not.toBe(first);
      const eip = await cli.json<J>(["ec2", "allocate-address", "--domain", "vpc"]);
      await cli.json([
        "ec2",
        "associate-address",
        "--instance-id",
        id,
        "--allocation-id",
        eip["AllocationId"],
      ]);
      await cli.json(["ec2", "stop-instances", "--instance-ids", id]);
      await cli.json(["ec2", "start-instances", "--instance-ids", id]);
      expect(await publicIpOf()).toBe(eip["PublicIp"]);
    },
  );
});
