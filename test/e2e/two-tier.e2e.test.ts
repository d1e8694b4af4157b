/**
 * The seed two-tier app on real containers through the testcontainers module.
 *
 *   underlay: internal Docker network created by VpcEmulatorContainer
 *   ┌──────────────┬────────────────────┬────────────────────┬───────────────────┬──────────────┐
 *   controller     web 10.0.1.10        db 10.0.2.20         other 10.0.1.30     internet
 *   (vpcemu:local) public, web-sg       private, db-sg       public, other-sg    198.51.100.10
 *                  public IP            no public IP         public IP
 *                  :80 web-server.mjs   :3306 db-server.mjs  client              client
 *   each app container has an agent sidecar in its network namespace (attach()).
 *
 * The public subnet's route table sends 0.0.0.0/0 to an internet gateway; the private subnet
 * keeps the main table (local only). web-sg: tcp 80 from 0.0.0.0/0. db-sg: tcp 3306 from web-sg.
 * other-sg: nothing inbound. Expectations: internet -> web:80 at web's public IP answers (IGW-5);
 * web -> db:3306 connects; internet -> db:3306, internet -> other's public IP and other ->
 * db:3306 time out (silent drop); an SG change reaches running containers; conntrack read
 * through the module.
 */
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { GenericContainer, type StartedTestContainer } from "testcontainers";
import { afterAll, describe, expect, it } from "vitest";
import {
  VpcEmulatorContainer,
  type AttachedInstance,
  type StartedVpcEmulatorContainer,
} from "../../testcontainers/index.js";
import { assertDockerPrerequisites, E2E_IMAGE, setupOrFailEach } from "./docker-prerequisites.js";

const SCRIPTS = "/opt/vpcemu/scripts/docker";

interface ProbeResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly reply?: string;
  readonly error?: string;
}

/** Runs scripts/docker/probe.mjs inside `from` (its sockets use the emulated ENI). */
async function probe(
  from: StartedTestContainer,
  kind: "tcp" | "http",
  host: string,
  port: number,
  timeoutMs = 3_000,
): Promise<ProbeResult> {
  const r = await from.exec(
    ["node", `${SCRIPTS}/probe.mjs`, kind, host, String(port), "--timeout", String(timeoutMs)],
    { workingDir: "/" },
  );
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as ProbeResult;
  } catch {
    throw new Error(`probe printed no result (exit ${r.exitCode}): ${r.output}`);
  }
}

function appContainer(emu: StartedVpcEmulatorContainer, entry: string[]): GenericContainer {
  return new GenericContainer(E2E_IMAGE)
    .withPullPolicy({ shouldPull: () => false })
    .withNetwork(emu.getNetwork())
    .withEntrypoint(entry);
}

describe("two-tier app on containers (testcontainers module)", { timeout: 60_000 }, () => {
  let emu: StartedVpcEmulatorContainer;
  let ec2: EC2Client;
  const containers: StartedTestContainer[] = [];
  const attached: AttachedInstance[] = [];
  let web: StartedTestContainer;
  let db: StartedTestContainer;
  let other: StartedTestContainer;
  let internet: StartedTestContainer;
  let dbSg = "";
  let otherSg = "";
  let webAttached: AttachedInstance;
  let dbAttached: AttachedInstance;
  let otherAttached_: AttachedInstance;
  const timings: Record<string, number> = {};

  setupOrFailEach(async () => {
    const t0 = performance.now();
    assertDockerPrerequisites();
    emu = await new VpcEmulatorContainer(E2E_IMAGE).start();
    timings.controllerStartMs = performance.now() - t0;
    ec2 = emu.getEc2Client();

    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const vpcId = vpc.Vpc!.VpcId!;
    const pub = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }));
    const priv = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.2.0/24" }),
    );
    // IGW-5: the internet reaches the public subnet's instances at their public IPs.
    const igw = await ec2.send(new CreateInternetGatewayCommand({}));
    const GatewayId = igw.InternetGateway!.InternetGatewayId!;
    await ec2.send(
      new AttachInternetGatewayCommand({ InternetGatewayId: GatewayId, VpcId: vpcId }),
    );
    const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    const RouteTableId = rt.RouteTable!.RouteTableId!;
    await ec2.send(
      new CreateRouteCommand({ RouteTableId, DestinationCidrBlock: "0.0.0.0/0", GatewayId }),
    );
    await ec2.send(
      new AssociateRouteTableCommand({ RouteTableId, SubnetId: pub.Subnet!.SubnetId! }),
    );
    const group = async (name: string) =>
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
        )
      ).GroupId!;
    const webSg = await group("web-sg");
    dbSg = await group("db-sg");
    otherSg = await group("other-sg");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: webSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: dbSg,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 3306,
            ToPort: 3306,
            UserIdGroupPairs: [{ GroupId: webSg }],
          },
        ],
      }),
    );

    const t1 = performance.now();
    [web, db, other, internet] = await Promise.all([
      appContainer(emu, ["node", `${SCRIPTS}/web-server.mjs`, "80"]).start(),
      appContainer(emu, ["node", `${SCRIPTS}/db-server.mjs`, "3306"]).start(),
      appContainer(emu, ["sleep", "infinity"]).start(),
      appContainer(emu, ["sleep", "infinity"]).start(),
    ]);
    containers.push(web, db, other, internet);
    timings.appContainersMs = performance.now() - t1;

    const t2 = performance.now();
    webAttached = await emu.attach(web, {
      subnet: pub.Subnet!.SubnetId!,
      securityGroups: ["web-sg"],
      privateIp: "10.0.1.10",
      publicIp: true,
      name: "web",
    });
    dbAttached = await emu.attach(db, {
      subnet: priv.Subnet!.SubnetId!,
      securityGroups: [dbSg],
      privateIp: "10.0.2.20",
      name: "db",
    });
    const otherAttached = await emu.attach(other, {
      subnet: pub.Subnet!.SubnetId!,
      securityGroups: [otherSg],
      privateIp: "10.0.1.30",
      publicIp: true,
    });
    otherAttached_ = otherAttached;
    const internetAttached = await emu.attachExternal(internet, { address: "198.51.100.10" });
    attached.push(webAttached, dbAttached, otherAttached, internetAttached);
    await emu.waitForPolicy();
    timings.attachFourMs = performance.now() - t2;
    timings.setupTotalMs = performance.now() - t0;
  }, 240_000);

  afterAll(async () => {
    const t0 = performance.now();
    for (const a of attached) await a.detach().catch(() => undefined);
    await Promise.allSettled(containers.map((c) => c.stop({ timeout: 1_000 })));
    await emu?.stop({ timeout: 2_000 });
    timings.teardownMs = performance.now() - t0;
    console.log(
      `e2e two-tier timings (ms): ${Object.entries(timings)
        .map(([k, v]) => `${k}=${Math.round(v)}`)
        .join(" ")}`,
    );
  }, 120_000);

  it("lets the internet reach web on tcp 80 at its public IP (IGW-5; rule from 0.0.0.0/0)", async () => {
    expect(webAttached.publicIp).toMatch(/^198\.1[89]\./);
    const r = await probe(internet, "http", webAttached.publicIp!, 80);
    expect(r).toMatchObject({ ok: true });
    expect(r.reply).toContain("hello");
  });

  it("lets web reach db on 3306 through the rule referencing web-sg (REF-1)", async () => {
    const r = await probe(web, "tcp", "10.0.2.20", 3306);
    expect(r).toMatchObject({ ok: true, reply: "vpcemu-db ready" });
  });

  it("drops internet -> db:3306 silently: the client times out (no RST)", async () => {
    const r = await probe(internet, "tcp", "10.0.2.20", 3306, 2_000);
    expect(r).toMatchObject({ ok: false, error: "timeout" });
  });

  it("counts internet -> other's public IP packets, silently dropped, on other's ENI as sg_no_match", async () => {
    const r = await probe(internet, "tcp", otherAttached_.publicIp!, 3306, 1_000);
    expect(r).toMatchObject({ ok: false, error: "timeout" });
    let drops = 0;
    for (let i = 0; i < 60 && drops === 0; i++) {
      const report = await emu.counters(otherAttached_.eniId).catch(() => undefined);
      drops = report?.counters.drops.sg_no_match ?? 0;
      if (drops === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(drops).toBeGreaterThan(0);
  });

  it("drops db:3306 from an instance outside web-sg", async () => {
    const r = await probe(other, "tcp", "10.0.2.20", 3306, 2_000);
    expect(r).toMatchObject({ ok: false, error: "timeout" });
  });

  it("applies an SG change to running containers: authorize, then revoke (RULE, REF-2)", async () => {
    const perm = {
      GroupId: dbSg,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 3306,
          ToPort: 3306,
          UserIdGroupPairs: [{ GroupId: otherSg }],
        },
      ],
    };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand(perm));
    await emu.waitForPolicy();
    expect(await probe(other, "tcp", "10.0.2.20", 3306)).toMatchObject({ ok: true });

    await ec2.send(new RevokeSecurityGroupIngressCommand(perm));
    await emu.waitForPolicy();
    expect(await probe(other, "tcp", "10.0.2.20", 3306, 2_000)).toMatchObject({
      ok: false,
      error: "timeout",
    });
  });

  it("reads the tracked web -> db flow through the module's conntrack() (CT-14)", async () => {
    // Hold a connection open for 20 s in the background so the entry is live when read.
    await web.exec([
      "sh",
      "-c",
      `node -e "const s=require('net').connect(3306,'10.0.2.20');s.on('error',()=>{});setTimeout(()=>s.destroy(),20000)" >/dev/null 2>&1 &`,
    ]);
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      const report = await emu.conntrack({ instance: dbAttached.instanceId });
      found = report.enis.some((eni) =>
        eni.entries.some(
          (e) =>
            e.protocol === 6 &&
            e.original.src === "10.0.1.10" &&
            e.original.dst === "10.0.2.20" &&
            e.original.dstPort === 3306,
        ),
      );
      if (!found) await new Promise((r) => setTimeout(r, 300));
    }
    expect(found).toBe(true);
  });
});
