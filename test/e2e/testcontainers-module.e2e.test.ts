/**
 * The testcontainers module's own contract on real Docker: failure messages, lifecycles
 * (`await using` removes what attach() started), and AWS statefulness seen through conntrack().
 *
 *   underlay: internal network owned by the emulator
 *   controller        web 10.0.1.10, public IP (web-sg: tcp 80 from 0.0.0.0/0)   internet 198.51.100.10
 *                     subnet 10.0.1.0/24, main table 0.0.0.0/0 -> igw (IGW-5)
 *                     short-lived app containers attached and disposed
 */
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  DescribeRouteTablesCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeVpcsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
} from "@aws-sdk/client-ec2";
import { GenericContainer, type StartedTestContainer } from "testcontainers";
import { afterAll, describe, expect, it } from "vitest";
import {
  VpcEmulatorContainer,
  VPCEMU_LABEL,
  type StartedVpcEmulatorContainer,
} from "../../testcontainers/index.js";
import {
  assertDockerPrerequisites,
  docker,
  E2E_IMAGE,
  setupOrFailEach,
} from "./docker-prerequisites.js";

const SCRIPTS = "/opt/vpcemu/scripts/docker";

async function instanceState(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

function containerExists(id: string): boolean {
  return docker(["ps", "-aq", "--no-trunc", "--filter", `id=${id}`]).trim() !== "";
}

async function probeHttp(from: StartedTestContainer, host: string, timeoutMs = 3_000) {
  const r = await from.exec([
    "node",
    `${SCRIPTS}/probe.mjs`,
    "http",
    host,
    "80",
    "--timeout",
    String(timeoutMs),
  ]);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { ok: boolean; error?: string };
}

describe("VpcEmulatorContainer", { timeout: 60_000 }, () => {
  it("fails, naming `npm run image`, when the image is not present (never pulls)", async () => {
    assertDockerPrerequisites();
    await expect(new VpcEmulatorContainer("vpcemu:no-such-tag").start()).rejects.toThrow(
      /vpcemu:no-such-tag is not present locally.*npm run image/,
    );
  });
});

describe("VpcEmulatorContainer.withCredentials", { timeout: 60_000 }, () => {
  it("makes the emulator verify SigV4: its own client works, a wrong secret gets AuthFailure", async () => {
    assertDockerPrerequisites();
    await using emu = await new VpcEmulatorContainer(E2E_IMAGE)
      .withRegion("eu-west-1")
      .withCredentials("AKIDVPCEMUTEST", "s3cr3t")
      .start();
    expect(emu.getRegion()).toBe("eu-west-1");
    await expect(emu.getEc2Client().send(new DescribeVpcsCommand({}))).resolves.toBeDefined();
    const wrong = new EC2Client({
      endpoint: emu.getEc2Endpoint(),
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDVPCEMUTEST", secretAccessKey: "wrong" },
      maxAttempts: 1,
    });
    await expect(wrong.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: expect.stringMatching(/AuthFailure|SignatureDoesNotMatch/),
    });
    wrong.destroy();
  });
});

describe("StartedVpcEmulatorContainer", { timeout: 60_000 }, () => {
  let emu: StartedVpcEmulatorContainer;
  let ec2: EC2Client;
  let subnetId = "";
  let webSg = "";
  let networkName = "";
  const apps: StartedTestContainer[] = [];

  const app = async (entry: string[], onUnderlay = true): Promise<StartedTestContainer> => {
    let c = new GenericContainer(E2E_IMAGE)
      .withPullPolicy({ shouldPull: () => false })
      .withEntrypoint(entry);
    if (onUnderlay) c = c.withNetwork(emu.getNetwork());
    const started = await c.start();
    apps.push(started);
    return started;
  };

  setupOrFailEach(async () => {
    assertDockerPrerequisites();
    emu = await new VpcEmulatorContainer(E2E_IMAGE).start();
    networkName = emu.getNetwork().getName();
    ec2 = emu.getEc2Client();
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: "10.0.1.0/24" }),
    );
    subnetId = subnet.Subnet!.SubnetId!;
    // IGW-5: the internet reaches an instance at its public IP through the gateway.
    const igw = await ec2.send(new CreateInternetGatewayCommand({}));
    const GatewayId = igw.InternetGateway!.InternetGatewayId!;
    await ec2.send(
      new AttachInternetGatewayCommand({ InternetGatewayId: GatewayId, VpcId: vpc.Vpc!.VpcId! }),
    );
    const tables = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "vpc-id", Values: [vpc.Vpc!.VpcId!] }],
      }),
    );
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: tables.RouteTables![0]!.RouteTableId!,
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId,
      }),
    );
    await ec2.send(
      new CreateTagsCommand({ Resources: [subnetId], Tags: [{ Key: "Name", Value: "public" }] }),
    );
    webSg = (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: "web-sg",
          Description: "web",
          VpcId: vpc.Vpc!.VpcId!,
        }),
      )
    ).GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: webSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(apps.map((c) => c.stop({ timeout: 1_000 })));
    await emu?.stop({ timeout: 2_000 });
    // The underlay network the emulator created is gone with it.
    if (networkName) {
      expect(docker(["network", "ls", "-q", "--filter", `name=^${networkName}$`]).trim()).toBe("");
    }
  }, 120_000);

  it("creates its underlay network internal (no route off the machine)", () => {
    const internal = docker(["network", "inspect", "-f", "{{.Internal}}", networkName]).trim();
    expect(internal).toBe("true");
  });

  it("removes the sidecar and terminates the instance when an `await using` scope ends", async () => {
    const c = await app(["sleep", "infinity"]);
    let instanceId = "";
    let sidecarId = "";
    {
      // Subnet by Name tag, no groups: the VPC default SG (DEF-4).
      await using vm = await emu.attach(c, { subnet: "public", name: "lifecycle" });
      instanceId = vm.instanceId;
      sidecarId = vm.agent.getId();
      expect(vm.privateIp).toMatch(/^10\.0\.1\./);
      expect(containerExists(sidecarId)).toBe(true);
      expect(await instanceState(ec2, instanceId)).toBe("running");
      const labelled = docker(["ps", "-q", "--filter", `label=${VPCEMU_LABEL}=agent`]);
      expect(labelled.trim()).not.toBe("");
    }
    expect(containerExists(sidecarId)).toBe(false);
    expect(await instanceState(ec2, instanceId)).toMatch(/shutting-down|terminated/);
  });

  it("refuses a container that is not on the underlay network, naming the fix", async () => {
    const c = await app(["sleep", "infinity"], false);
    await expect(emu.attach(c, { subnet: subnetId })).rejects.toThrow(
      /not on the emulator's underlay network.*withNetwork\(emulator.getNetwork\(\)\)/,
    );
  });

  it("shows AWS statefulness through conntrack(): untracked HTTP (CT-3) turns tracked and still answers with egress revoked (CT-1)", async () => {
    const web = await app(["node", `${SCRIPTS}/web-server.mjs`, "80"]);
    const client = await app(["sleep", "infinity"]);
    const webVm = await emu.attach(web, {
      subnet: subnetId,
      securityGroups: [webSg],
      privateIp: "10.0.1.10",
      publicIp: true,
    });
    expect(webVm.publicIp).toMatch(/^198\.1[89]\./);
    const webPublic = webVm.publicIp!;
    await emu.attachExternal(client, { address: "198.51.100.10" });
    await emu.waitForPolicy();

    // CT-3: tcp 80 from 0.0.0.0/0 in, all traffic to 0.0.0.0/0 out: HTTP is untracked.
    expect(await probeHttp(client, webPublic)).toMatchObject({ ok: true });
    const before = await emu.conntrack({ instance: webVm.instanceId });
    const http = (r: typeof before) =>
      r.enis.flatMap((e) => e.entries).filter((e) => e.protocol === 6 && e.original.dstPort === 80);
    expect(http(before)).toEqual([]);

    // Revoke the default egress rule: HTTP becomes tracked, and its replies still leave (CT-1).
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: webSg,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await emu.waitForPolicy();
    expect(await probeHttp(client, webPublic)).toMatchObject({ ok: true });
    const after = await emu.conntrack({ instance: webVm.instanceId });
    expect(http(after).length).toBeGreaterThan(0);
    // The gateway rewrote the destination before conntrack: the flow is keyed on the private IP.
    expect(http(after)[0]!.original).toMatchObject({ src: "198.51.100.10", dst: "10.0.1.10" });
  });
});
