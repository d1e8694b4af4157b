/**
 * The internet gateway's 1:1 NAT with kernel sockets (docs/routing.md IGW-5..IGW-7): a local
 * runtime (real namespaces, TUN devices, agents over loopback UDP, the controller a child
 * process); TCP through kernel sockets inside the namespaces (test/helpers/chaos-probe.ts); the
 * gateway, route and Elastic IP made through the EC2 API with @aws-sdk/client-ec2. Every wait
 * is for the agents' enforced revision (GET /v1/revision), polled with a deadline; a refused
 * connection is a connect timeout. A TCP handshake completes only when the reply comes from the
 * address the client dialled, so an echo answered by the Elastic IP shows the reply's source.
 *
 *   VPC 10.62.0.0/16, igw attached by the test, main table 0.0.0.0/0 -> igw
 *     pub 10.62.1.0/24: web 10.62.1.10 web-sg (tcp 8080 from 0.0.0.0/0), tcp echo 8080,
 *                       an Elastic IP 198.18.x.y
 *   internet 198.51.100.10 (the runtime's external node)
 *   (namespaces vpcemu-chaosvigw<pid>x<n>-<node>, from startNetnsRuntime: no other test uses the tag)
 *
 * Root required (fails naming what is missing, never skips).
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedLocalRuntime } from "../../../cli/runtime/local-runtime.js";
import { startNetnsRuntime, type NetnsRuntime } from "../../helpers/chaos-runtime.js";
import type { ChaosProbe } from "../../helpers/chaos-traffic.js";

const WEB = "10.62.1.10";
const PORT = 8080;
const REFUSED_MS = 1500;

const TOPOLOGY = `description: internet gateway netns test
vpcs:
  - { name: v, cidr: 10.62.0.0/16 }
subnets:
  - { name: pub, vpc: v, cidr: 10.62.1.0/24 }
securityGroups:
  - name: web-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: ${PORT}, cidr: 0.0.0.0/0 }
instances:
  - { name: web, subnet: pub, securityGroups: [web-sg], privateIp: ${WEB} }
`;

let rt: NetnsRuntime | undefined;
let runtime: StartedLocalRuntime | undefined;
let ec2: EC2Client;
let rtb = "";
let eip = "";

const probe = (node: string): ChaosProbe => rt!.probe(node);

/** Every agent enforces the controller's revision after the last change. */
async function enforced(): Promise<void> {
  const now = await rt!.api.revision();
  await rt!.api.waitEnforced(rt!.agentCount, now.revision);
}

beforeAll(async () => {
  rt = await startNetnsRuntime("vigw", TOPOLOGY);
  runtime = rt.runtime;
  ec2 = new EC2Client({
    endpoint: rt.runtime.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  await enforced();
  await probe("web").tcpEchoServer(PORT);
}, 120_000);

afterAll(async () => {
  ec2?.destroy();
  await rt?.[Symbol.asyncDispose]();
}, 60_000);

describe("internet gateway with kernel sockets", () => {
  it("keeps the internet node's private path without a gateway route (RT-17)", async () => {
    expect(await probe("internet").tcpEcho(WEB, PORT, 5000)).toMatchObject({ ok: true });
  });

  it("answers the internet by web's Elastic IP once a gateway, its route and the address exist; the private path then no longer completes (IGW-5, IGW-6, IGW-7)", async () => {
    const vpc = runtime!.applied!.vpcs.get("v")!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
      .InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    rtb = (
      await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [
            { Name: "vpc-id", Values: [vpc] },
            { Name: "association.main", Values: ["true"] },
          ],
        }),
      )
    ).RouteTables![0]!.RouteTableId!;
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: rtb,
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: igw,
      }),
    );
    const a = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    eip = a.PublicIp!;
    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: a.AllocationId!,
        InstanceId: runtime!.applied!.instances.get("web")!.instanceId,
      }),
    );
    await enforced();
    expect(eip).toMatch(/^198\.1[89]\./);
    expect(await probe("internet").tcpEcho(eip, PORT, 5000)).toMatchObject({ ok: true });
    // web's replies now leave through the gateway from the Elastic IP: a handshake dialled to
    // the private address never completes.
    expect((await probe("internet").tcpConnect(WEB, PORT, REFUSED_MS)).ok).toBe(false);
  });

  it("refuses new connections to the Elastic IP once the gateway route is deleted (IGW-5)", async () => {
    await ec2.send(
      new DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0" }),
    );
    await enforced();
    expect((await probe("internet").tcpConnect(eip, PORT, REFUSED_MS)).ok).toBe(false);
  });
});
