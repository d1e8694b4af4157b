/**
 * The emulated internet reaches VPCs only through an internet gateway (docs/routing.md IGW-5..
 * IGW-7, RT-17), with kernel sockets: a local runtime (real namespaces, TUN devices, agents over
 * loopback UDP, the controller a child process) built from a routed topology file (internet
 * gateway, route table, `publicIp: true`, docs/topology.md); TCP through kernel sockets inside
 * the namespaces (test/helpers/chaos-probe.ts); later changes through the EC2 API with
 * @aws-sdk/client-ec2. Every wait is for the agents' enforced revision (GET /v1/revision), polled
 * with a deadline; a refused connection is a connect timeout. A TCP handshake completes only
 * when the reply comes from the address the client dialled, so an echo answered by a public IP
 * shows the reply's source.
 *
 *   VPC 10.62.0.0/16, igw attached
 *     pub  10.62.1.0/24, table pub-rt 0.0.0.0/0 -> igw:
 *          web 10.62.1.10, public IP (launch-time), web-sg (tcp 8080 from 0.0.0.0/0), echo 8080
 *     priv 10.62.2.0/24, main table (local only):
 *          db 10.62.2.20, public IP too (allowed, warned), web-sg, echo 8080
 *   internet 198.51.100.10 (the runtime's external node), echo 8080
 *   (namespaces vpcemu-chaosvigw<pid>x<n>-<node>, from startNetnsRuntime: no other test uses the tag)
 *
 * Root required (fails naming what is missing, never skips).
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  DeleteRouteCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedLocalRuntime } from "../../../cli/runtime/local-runtime.js";
import { startNetnsRuntime, type NetnsRuntime } from "../../helpers/chaos-runtime.js";
import type { ChaosProbe } from "../../helpers/chaos-traffic.js";
import { waitUntil } from "../../helpers/wait-until.js";

const WEB = "10.62.1.10";
const DB = "10.62.2.20";
const INTERNET = "198.51.100.10";
const PORT = 8080;
const REFUSED_MS = 1500;

const TOPOLOGY = `description: internet gateway netns test
vpcs:
  - { name: v, cidr: 10.62.0.0/16 }
subnets:
  - { name: pub, vpc: v, cidr: 10.62.1.0/24 }
  - { name: priv, vpc: v, cidr: 10.62.2.0/24 }
securityGroups:
  - name: web-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: ${PORT}, cidr: 0.0.0.0/0 }
instances:
  - { name: web, subnet: pub, securityGroups: [web-sg], privateIp: ${WEB}, publicIp: true }
  - { name: db, subnet: priv, securityGroups: [web-sg], privateIp: ${DB}, publicIp: true }
internetGateways:
  - { name: igw, vpc: v }
routeTables:
  - name: pub-rt
    vpc: v
    subnets: [pub]
    routes:
      - { destination: 0.0.0.0/0, internetGateway: igw }
`;

let rt: NetnsRuntime | undefined;
let runtime: StartedLocalRuntime | undefined;
let ec2: EC2Client;
let webPublic = "";
let dbPublic = "";

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
  webPublic = runtime.applied!.instances.get("web")!.publicIp!;
  dbPublic = runtime.applied!.instances.get("db")!.publicIp!;
  await enforced();
  await probe("web").tcpEchoServer(PORT);
  await probe("db").tcpEchoServer(PORT);
  await probe("internet").tcpEchoServer(PORT);
}, 120_000);

afterAll(async () => {
  ec2?.destroy();
  await rt?.[Symbol.asyncDispose]();
}, 60_000);

describe("the internet reaches VPCs only through the internet gateway", () => {
  it("reaches web at its public IP and never at its private IP (IGW-5, RT-17)", async () => {
    expect(webPublic).toMatch(/^198\.1[89]\./);
    // The runtime shows it with the node (vpcemu status, exec by address).
    expect(runtime!.node("web").publicIps).toEqual([webPublic]);
    expect(runtime!.node(webPublic).name).toBe("web");
    expect(await probe("internet").tcpEcho(webPublic, PORT, 5000)).toMatchObject({ ok: true });
    expect((await probe("internet").tcpConnect(WEB, PORT, REFUSED_MS)).ok).toBe(false);
  });

  it("cannot reach an instance of a subnet without a gateway route, though its SG admits 0.0.0.0/0 and it has a public IP (IGW-5, RT-17)", async () => {
    expect(dbPublic).toMatch(/^198\.1[89]\./);
    expect((await probe("internet").tcpConnect(dbPublic, PORT, REFUSED_MS)).ok).toBe(false);
    expect((await probe("internet").tcpConnect(DB, PORT, REFUSED_MS)).ok).toBe(false);
  });

  it("lets web reach the internet from its public IP, and not db, whose subnet has no gateway route (IGW-6, RT-17)", async () => {
    // The internet's echo answers web's handshake only if it arrives from the address the
    // internet answers to: the gateway rewrote the source to web's public IP and back.
    expect(await probe("web").tcpEcho(INTERNET, PORT, 5000)).toMatchObject({ ok: true });
    expect((await probe("db").tcpConnect(INTERNET, PORT, REFUSED_MS)).ok).toBe(false);
  });

  it("answers the internet at an Elastic IP once associated with web (IGW-7, EIP-6)", async () => {
    const a = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: a.AllocationId!,
        InstanceId: runtime!.applied!.instances.get("web")!.instanceId,
      }),
    );
    await enforced();
    expect(await probe("internet").tcpEcho(a.PublicIp!, PORT, 5000)).toMatchObject({ ok: true });
    // EIP-6: the Elastic IP replaces the launch-time one; the runtime's node follows.
    await waitUntil("web's node shows the Elastic IP", () =>
      (runtime!.node("web").publicIps ?? []).includes(a.PublicIp!),
    );
    expect(runtime!.node("web").publicIps).toEqual([a.PublicIp!]);
    webPublic = a.PublicIp!;
  });

  it("refuses new connections to web's public IP once the gateway route is deleted (IGW-5)", async () => {
    await ec2.send(
      new DeleteRouteCommand({
        RouteTableId: runtime!.applied!.routeTables.get("pub-rt")!,
        DestinationCidrBlock: "0.0.0.0/0",
      }),
    );
    await enforced();
    expect((await probe("internet").tcpConnect(webPublic, PORT, REFUSED_MS)).ok).toBe(false);
    expect((await probe("web").tcpConnect(INTERNET, PORT, REFUSED_MS)).ok).toBe(false);
  });
});
