/**
 * Terraform's whole lifecycle against vpcemu (issue 10 item 6): the hashicorp/aws provider
 * (5.100.0, from the local filesystem mirror) applies the three-tier fixture
 * (test/fixtures/terraform/three-tier/main.tf), plans with no drift, carries real traffic
 * between the instances it created, applies a change, and destroys everything. Every EC2 and STS
 * call the provider makes must be answered (no InvalidAction, UnknownParameter, InternalError).
 *
 *   terraform + provider --HTTP (ec2, sts, iam endpoints)--> Controller 127.0.0.1:<port> (":memory:")
 *                                                             | /v1/agents/ws
 *                 +-------------------------------------------+---------------+
 *   agent-web (i-web, 127.0.0.1:7311)   agent-app (i-app, :7312)   agent-db (i-db, :7313)
 *       FakeTun eni-web  <------------- MemoryBus (Geneve) ------------->  FakeTun eni-db
 *
 * web 10.0.1.0/24 (web-sg: 80 from /0, 22 from the admin prefix list)
 * app 10.0.2.0/24 (app-sg: app_port from web-sg)     db 10.0.3.0/24 (db-sg: 5432 from app-sg;
 * NACL: 5432 in from the app subnet, ephemeral out to it)
 */
import {
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  deliveredOrDropped,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";
import {
  providerCalls,
  requireTerraform,
  TerraformWorkspace,
  type ProviderCall,
  type TerraformRun,
} from "../helpers/terraform.js";

const FIXTURE = new URL("../fixtures/terraform/three-tier", import.meta.url).pathname;
const TF_TIMEOUT = 600_000;

let h: TestController;
let ctl: StartedController;
let ws: TerraformWorkspace;
let ec2: EC2Client;
const calls: ProviderCall[] = [];
const timings: Record<string, number> = {};

async function terraform(step: string, ...args: string[]): Promise<TerraformRun> {
  const r = await ws.run(args, TF_TIMEOUT);
  timings[step] = r.ms;
  calls.push(...providerCalls(r.log));
  return r;
}

const vars = (appPort: number) => ["-var", `endpoint=${ctl.url}`, "-var", `app_port=${appPort}`];

function failed(r: TerraformRun): string {
  return `terraform exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`;
}

interface Outputs {
  vpc_id: { value: string };
  instance_ids: { value: Record<"web" | "app" | "db", string> };
  private_ips: { value: Record<"web" | "app" | "db", string> };
  security_group_ids: { value: Record<"web" | "app" | "db", string> };
}
let out: Outputs;

beforeAll(async () => {
  const tf = requireTerraform();
  h = await startTestController();
  ({ ctl, ec2 } = h);
  ws = new TerraformWorkspace(FIXTURE, tf);
});

afterAll(async () => {
  await h?.stop();
  ws?.dispose();
  if (Object.keys(timings).length > 0) {
    const counts = new Map<string, number>();
    for (const c of calls)
      counts.set(`${c.service}:${c.action}`, (counts.get(`${c.service}:${c.action}`) ?? 0) + 1);
    process.stdout.write(
      `terraform timings (ms): ${JSON.stringify(timings)}\nprovider calls: ${[...counts].map(([k, n]) => `${k} x${n}`).join(", ")}\n`,
    );
  }
});

// ---- in-process agents hosting the instances Terraform created

interface Node {
  agent: StartedAgent;
  tun: FakeTun;
  ip: string;
}
const nodes: Partial<Record<"web" | "app" | "db", Node>> = {};

async function host(tier: "web" | "app" | "db", port: number): Promise<void> {
  const instanceId = out.instance_ids.value[tier];
  const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const eniId = d.Reservations![0]!.Instances![0]!.NetworkInterfaces![0]!.NetworkInterfaceId!;
  const { agent, tuns } = await h.startAgent({
    agentId: `agent-${tier}`,
    instanceIds: [instanceId],
    endpoint: `127.0.0.1:${port}`,
  });
  nodes[tier] = { agent, tun: await tuns.tun(eniId), ip: out.private_ips.value[tier] };
}

async function enforced(): Promise<void> {
  await ctl.waitForEnforced(ctl.revision(), 10_000);
}

let sport = 41000;
/**
 * A SYN from `from` to `to`:`port`; resolves with whether `to` received it, once it was
 * delivered or counted as dropped by either agent (never after a fixed quiet time).
 */
async function synReaches(from: Node, to: Node, port: number): Promise<boolean> {
  const syn = buildTcp({
    src: from.ip,
    dst: to.ip,
    srcPort: sport++,
    dstPort: port,
    flags: TcpFlag.SYN,
    seq: 1,
  });
  if (!(await deliveredOrDropped(from.tun, to.tun, syn, [from.agent, to.agent]))) return false;
  const got = await to.tun.nextReceived();
  const d = decodePacket(got, 0, got.length);
  return typeof d !== "string" && d.dstPort === port;
}

describe("Terraform three-tier lifecycle (hashicorp/aws 5.100.0)", () => {
  it(
    "initialises from the filesystem mirror only",
    async () => {
      const r = await terraform("init", "init", "-input=false", "-no-color");
      expect(r.code, failed(r)).toBe(0);
      expect(r.stdout).toContain("Installing hashicorp/aws v5.100.0");
    },
    TF_TIMEOUT,
  );

  it(
    "applies the three-tier config",
    async () => {
      const r = await terraform(
        "apply",
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        ...vars(8080),
      );
      expect(r.code, failed(r)).toBe(0);
      expect(r.stdout).toContain("Apply complete! Resources: 16 added, 0 changed, 0 destroyed.");
      const o = await ws.run(["output", "-json"]);
      out = JSON.parse(o.stdout) as Outputs;
      const d = await ec2.send(
        new DescribeInstancesCommand({ InstanceIds: Object.values(out.instance_ids.value) }),
      );
      const instances = d.Reservations!.flatMap((x) => x.Instances!);
      expect(instances.map((i) => i.State?.Name)).toEqual(["running", "running", "running"]);
      const subnets = await ec2.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [out.vpc_id.value] }] }),
      );
      expect(subnets.Subnets?.find((s) => s.CidrBlock === "10.0.1.0/24")?.MapPublicIpOnLaunch).toBe(
        true,
      );
    },
    TF_TIMEOUT,
  );

  it(
    "plans no changes right after apply (plan -detailed-exitcode = 0: no drift)",
    async () => {
      const r = await terraform(
        "plan",
        "plan",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
        ...vars(8080),
      );
      expect(r.code, failed(r)).toBe(0);
      expect(r.stdout).toContain("No changes.");
    },
    TF_TIMEOUT,
  );

  it("enforces the created rules on real traffic between the created instances", async () => {
    await host("web", 7311);
    await host("app", 7312);
    await host("db", 7313);
    await enforced();
    const { web, app, db } = nodes as Record<"web" | "app" | "db", Node>;
    // app -> db:5432: db-sg allows app-sg (aws_security_group_rule), the db NACL the app subnet.
    expect(await synReaches(app, db, 5432)).toBe(true);
    // web -> db:5432: not in db-sg (and not in the db NACL): dropped silently (CT-11).
    const sgBefore =
      db.agent.drops()[DropReason.SgNoMatch] + db.agent.drops()[DropReason.NaclDenied];
    expect(await synReaches(web, db, 5432)).toBe(false);
    expect(db.agent.drops()[DropReason.SgNoMatch] + db.agent.drops()[DropReason.NaclDenied]).toBe(
      sgBefore + 1,
    );
    // web -> app:8080 (aws_vpc_security_group_ingress_rule referencing web-sg); 9090 not yet.
    expect(await synReaches(web, app, 8080)).toBe(true);
    expect(await synReaches(web, app, 9090)).toBe(false);
  });

  it(
    "applies a change (app_port 8080 -> 9090) in place, and traffic follows it",
    async () => {
      const r = await terraform(
        "change",
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        ...vars(9090),
      );
      expect(r.code, failed(r)).toBe(0);
      expect(r.stdout).toContain("Resources: 0 added, 1 changed, 0 destroyed.");
      const rules = await ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [{ Name: "group-id", Values: [out.security_group_ids.value.app] }],
        }),
      );
      const ingress = rules.SecurityGroupRules!.filter((x) => x.IsEgress === false);
      expect(ingress).toMatchObject([
        {
          FromPort: 9090,
          ToPort: 9090,
          ReferencedGroupInfo: { GroupId: out.security_group_ids.value.web },
        },
      ]);
      await enforced();
      const { web, app } = nodes as Record<"web" | "app" | "db", Node>;
      expect(await synReaches(web, app, 9090)).toBe(true);
      expect(await synReaches(web, app, 8080)).toBe(false);
      const plan = await terraform(
        "plan-2",
        "plan",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
        ...vars(9090),
      );
      expect(plan.code, failed(plan)).toBe(0);
    },
    TF_TIMEOUT,
  );

  it(
    "destroys everything it created (nothing left, checked through the API)",
    async () => {
      const r = await terraform(
        "destroy",
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        ...vars(9090),
      );
      expect(r.code, failed(r)).toBe(0);
      expect(r.stdout).toContain("Destroy complete! Resources: 16 destroyed.");
      const vpcs = await ec2.send(new DescribeVpcsCommand({}));
      expect(vpcs.Vpcs?.filter((v) => v.IsDefault !== true)).toEqual([]);
      const groups = await ec2.send(new DescribeSecurityGroupsCommand({}));
      expect(groups.SecurityGroups?.filter((g) => g.VpcId === out.vpc_id.value)).toEqual([]);
      const acls = await ec2.send(
        new DescribeNetworkAclsCommand({
          Filters: [{ Name: "vpc-id", Values: [out.vpc_id.value] }],
        }),
      );
      expect(acls.NetworkAcls).toEqual([]);
      const lists = await ec2.send(
        new DescribeManagedPrefixListsCommand({
          Filters: [{ Name: "owner-id", Values: ["123456789012"] }],
        }),
      );
      expect(lists.PrefixLists).toEqual([]);
      const d = await ec2.send(
        new DescribeInstancesCommand({ InstanceIds: Object.values(out.instance_ids.value) }),
      );
      expect(d.Reservations!.flatMap((x) => x.Instances!).map((i) => i.State?.Name)).toEqual([
        "terminated",
        "terminated",
        "terminated",
      ]);
    },
    TF_TIMEOUT,
  );

  it("answered every EC2 and STS call the provider made", () => {
    const ec2sts = calls.filter((c) => c.service === "ec2" || c.service === "sts");
    expect(ec2sts.length).toBeGreaterThan(100);
    const unanswered = ec2sts.filter(
      (c) =>
        c.status >= 500 ||
        c.errorCode === "InvalidAction" ||
        c.errorCode === "UnknownParameter" ||
        c.errorCode === "InternalError",
    );
    expect(unanswered).toEqual([]);
    expect(
      ec2sts.some(
        (c) => c.service === "sts" && c.action === "GetCallerIdentity" && c.status === 200,
      ),
    ).toBe(true);
  });
});

describe("Terraform with a provider that assumes a role (STS AssumeRole, STS-3, DVPC-2)", () => {
  it(
    "acts in the role's account and region, puts a group without vpc_id in its default VPC, and shows no drift",
    async () => {
      const aws = new TerraformWorkspace(
        new URL("../fixtures/terraform/assume-role", import.meta.url).pathname,
        requireTerraform(),
      );
      try {
        const v = ["-var", `endpoint=${ctl.url}`];
        const init = await aws.run(["init", "-input=false", "-no-color"]);
        expect(init.code, failed(init)).toBe(0);
        const apply = await aws.run(["apply", "-auto-approve", "-input=false", "-no-color", ...v]);
        const mine = providerCalls(apply.log);
        expect(apply.code, failed(apply)).toBe(0);
        const o = JSON.parse((await aws.run(["output", "-json"])).stdout) as Record<
          string,
          { value: string }
        >;
        expect(o["account_id"]?.value).toBe("222222222222");
        expect(o["caller_arn"]?.value).toBe(
          "arn:aws:sts::222222222222:assumed-role/deploy/terraform",
        );
        expect(o["group_arn"]?.value).toMatch(
          /^arn:aws:ec2:eu-west-1:222222222222:security-group\/sg-/,
        );
        const theirs = new EC2Client({
          endpoint: ctl.ec2Endpoint,
          region: "eu-west-1",
          credentials: { accessKeyId: "222222222222", secretAccessKey: "x" },
          maxAttempts: 1,
        });
        try {
          const vpcs = await theirs.send(new DescribeVpcsCommand({ VpcIds: [o["vpc_id"]!.value] }));
          expect(vpcs.Vpcs?.[0]).toMatchObject({ IsDefault: true, CidrBlock: "172.31.0.0/16" });
        } finally {
          theirs.destroy();
        }
        const plan = await aws.run([
          "plan",
          "-detailed-exitcode",
          "-input=false",
          "-no-color",
          ...v,
        ]);
        expect(plan.code, failed(plan)).toBe(0);
        const destroy = await aws.run([
          "destroy",
          "-auto-approve",
          "-input=false",
          "-no-color",
          ...v,
        ]);
        mine.push(...providerCalls(plan.log), ...providerCalls(destroy.log));
        expect(destroy.code, failed(destroy)).toBe(0);
        expect(
          mine.some((c) => c.service === "sts" && c.action === "AssumeRole" && c.status === 200),
        ).toBe(true);
        expect(
          mine.filter(
            (c) =>
              (c.service === "ec2" || c.service === "sts") &&
              (c.status >= 500 ||
                c.errorCode === "InvalidAction" ||
                c.errorCode === "UnknownParameter"),
          ),
        ).toEqual([]);
      } finally {
        aws.dispose();
      }
    },
    TF_TIMEOUT,
  );
});
