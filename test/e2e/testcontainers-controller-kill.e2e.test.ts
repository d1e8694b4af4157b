/**
 * `emulator.faults.killController()` on real Docker (issue 9, process faults): the controller
 * process inside the emulator container is SIGKILLed and its supervisor starts it again from the
 * container's state file; the container itself keeps running (same mapped ports), SGs and faults
 * survive, the agent sidecars reconnect, and what changes afterwards is enforced.
 *
 *   underlay: internal network owned by the emulator
 *   emulator container: controller-supervisor.mjs (PID 1)
 *                         -> vpcemu controller --state /var/lib/vpcemu/state.db
 *   internet 198.51.100.10 --http--> web 10.0.1.10 at its public IP (web-sg: tcp 80 from 0.0.0.0/0;
 *                                    the subnet's main table routes 0.0.0.0/0 to an internet gateway)
 */
import {
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  DescribeRouteTablesCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { GenericContainer, type StartedTestContainer } from "testcontainers";
import { afterAll, describe, expect, it } from "vitest";
import {
  VpcEmulatorContainer,
  type StartedVpcEmulatorContainer,
} from "../../testcontainers/index.js";
import {
  assertDockerPrerequisites,
  docker,
  E2E_IMAGE,
  setupOrFailEach,
} from "./docker-prerequisites.js";

const SCRIPTS = "/opt/vpcemu/scripts/docker";
const HTTP_80: IpPermission[] = [
  { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
];

let emu: StartedVpcEmulatorContainer;
let ec2: EC2Client;
let webSg = "";
let client: StartedTestContainer;
/** web's public IP: where the internet reaches it (docs/routing.md IGW-5, RT-17). */
let webPublic = "";
const apps: StartedTestContainer[] = [];

async function probeHttp(timeoutMs = 3_000): Promise<{ ok: boolean; error?: string }> {
  const r = await client.exec([
    "node",
    `${SCRIPTS}/probe.mjs`,
    "http",
    webPublic,
    "80",
    "--timeout",
    String(timeoutMs),
  ]);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; error?: string };
}

/** When the container started, and whether it runs: a killed controller must not restart it. */
function containerStart(): string {
  return docker(["inspect", "-f", "{{.State.StartedAt}} {{.State.Running}}", emu.getId()]).trim();
}

setupOrFailEach(async () => {
  assertDockerPrerequisites();
  emu = await new VpcEmulatorContainer(E2E_IMAGE).start();
  ec2 = emu.getEc2Client();
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))
  ).Subnet!.SubnetId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
    .InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const main = await ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
  );
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: main.RouteTables![0]!.RouteTableId!,
      DestinationCidrBlock: "0.0.0.0/0",
      GatewayId: igw,
    }),
  );
  webSg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web-sg", Description: "web", VpcId: vpcId }),
    )
  ).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: HTTP_80 }),
  );
  const app = async (entry: string[]): Promise<StartedTestContainer> => {
    const started = await new GenericContainer(E2E_IMAGE)
      .withPullPolicy({ shouldPull: () => false })
      .withEntrypoint(entry)
      .withNetwork(emu.getNetwork())
      .start();
    apps.push(started);
    return started;
  };
  const web = await app(["node", `${SCRIPTS}/web-server.mjs`, "80"]);
  client = await app(["sleep", "infinity"]);
  const webVm = await emu.attach(web, {
    subnet: subnetId,
    securityGroups: [webSg],
    privateIp: "10.0.1.10",
    publicIp: true,
  });
  webPublic = webVm.publicIp!;
  await emu.attachExternal(client, { address: "198.51.100.10" });
  await emu.waitForPolicy();
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(apps.map((c) => c.stop({ timeout: 1_000 })));
  await emu?.stop({ timeout: 2_000 });
}, 120_000);

describe("emulator.faults.killController", { timeout: 180_000 }, () => {
  it("SIGKILLs the controller; it comes back in the same container with its SGs and faults, agents reconnect, later changes are enforced", async () => {
    expect(await probeHttp()).toMatchObject({ ok: true });
    const fault = await emu.faults.add({
      from: "node:internet",
      to: "sg:web-sg",
      protocol: "tcp",
      ports: 80,
      effects: { reject: true },
    });
    expect(await probeHttp()).toMatchObject({ ok: false });
    const started = containerStart();

    const killed = await emu.faults.killController({ downMs: 2_000 });

    // A crash of the process, not of the container: same container run, a new controller pid.
    expect(killed).toMatchObject({ exit: "SIGKILL" });
    expect(killed.newPid).not.toBe(killed.pid);
    expect(containerStart()).toBe(started);
    expect(started).toMatch(/ true$/);
    // The state file brought back the SG rule and the fault, which the agents enforce again.
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [webSg] }));
    expect(groups.SecurityGroups?.[0]?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: "tcp",
        FromPort: 80,
        ToPort: 80,
        IpRanges: [expect.objectContaining({ CidrIp: "0.0.0.0/0" })],
      }),
    ]);
    expect(await fault.view()).toMatchObject({ faultId: fault.id, state: "active" });
    expect(await probeHttp()).toMatchObject({ ok: false });

    // Changes after the restart reach the agents: the fault's removal, then a revoked rule.
    await fault.remove();
    await emu.waitForPolicy();
    expect(await probeHttp()).toMatchObject({ ok: true });
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: HTTP_80 }),
    );
    await emu.waitForPolicy();
    expect(await probeHttp(2_000)).toMatchObject({ ok: false, error: "timeout" });
  });
});
