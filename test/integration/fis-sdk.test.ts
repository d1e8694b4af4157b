/**
 * AWS FIS through @aws-sdk/client-fis against an in-process Controller (state in a temp file):
 * templates validated as FIS validates them, experiments and their states, every action on
 * real state (the cloned NACL seen through DescribeNetworkAcls, instance states through
 * DescribeInstances, faults through StartedController.faults), stop conditions on vpcemu
 * alarms, tags, and a restart that rolls back a running experiment. Behaviour IDs FIS-n:
 * docs/fis.md "Behaviour IDs". FIS durations run at 1/1000 (ControllerDeps.fisTimeScale):
 * PT1M takes 60 ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  FisClient,
  GetActionCommand,
  GetExperimentCommand,
  GetExperimentTemplateCommand,
  ListActionsCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  ListExperimentTemplatesCommand,
  ListTagsForResourceCommand,
  ListTargetResourceTypesCommand,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateExperimentTemplateCommand,
  ValidationException,
  type CreateExperimentTemplateCommandInput,
  type Experiment,
} from "@aws-sdk/client-fis";
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/fis`;
const ALARM_ARN = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;

let dir: string;
let statePath: string;
let ctl: StartedController;
let fis: FisClient;
let ec2: EC2Client;
let vpcId: string;
let subnetA: string;
let subnetB: string;
let webIds: string[];
let dbId: string;

async function startController(): Promise<void> {
  ctl = await new Controller(
    { listen: "127.0.0.1:0", statePath, log: () => {} },
    { fisTimeScale: 0.001 },
  ).start();
  fis = new FisClient({ endpoint: ctl.url, region: "us-east-1", credentials, maxAttempts: 1 });
  ec2 = new EC2Client({ endpoint: ctl.url, region: "us-east-1", credentials, maxAttempts: 1 });
}

async function stopController(): Promise<void> {
  fis.destroy();
  ec2.destroy();
  await ctl.stop();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-fis-sdk-"));
  statePath = join(dir, "state.db");
  await startController();
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  subnetA = (
    await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: "10.0.1.0/24",
        AvailabilityZone: "us-east-1a",
      }),
    )
  ).Subnet!.SubnetId!;
  subnetB = (
    await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: "10.0.2.0/24",
        AvailabilityZone: "us-east-1b",
      }),
    )
  ).Subnet!.SubnetId!;
  const web = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      InstanceType: "t3.micro",
      MinCount: 3,
      MaxCount: 3,
      SubnetId: subnetA,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Role", Value: "web" }] }],
    }),
  );
  webIds = web.Instances!.map((i) => i.InstanceId!).sort();
  const db = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetB,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Role", Value: "db" }] }],
    }),
  );
  dbId = db.Instances![0]!.InstanceId!;
});

afterAll(async () => {
  await stopController();
  rmSync(dir, { recursive: true, force: true });
});

function subnetArn(id: string): string {
  return `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${id}`;
}

function template(
  actions: CreateExperimentTemplateCommandInput["actions"],
  targets: CreateExperimentTemplateCommandInput["targets"],
  stopConditions: CreateExperimentTemplateCommandInput["stopConditions"] = [{ source: "none" }],
): CreateExperimentTemplateCommandInput {
  return { description: "test", roleArn: ROLE, actions, targets, stopConditions };
}

async function create(input: CreateExperimentTemplateCommandInput): Promise<string> {
  return (await fis.send(new CreateExperimentTemplateCommand(input))).experimentTemplate!.id!;
}

async function waitFor(
  id: string,
  pred: (e: Experiment) => boolean,
  timeoutMs = 10_000,
): Promise<Experiment> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const e = (await fis.send(new GetExperimentCommand({ id }))).experiment!;
    if (pred(e)) return e;
    if (Date.now() > end)
      throw new Error(`experiment ${id} did not reach the state: ${JSON.stringify(e.state)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const done = (e: Experiment) => ["completed", "stopped", "failed"].includes(e.state!.status!);

async function aclOf(subnetId: string): Promise<string> {
  const s = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
  const acls = await ec2.send(
    new DescribeNetworkAclsCommand({
      Filters: [{ Name: "association.subnet-id", Values: [subnetId] }],
    }),
  );
  expect(s.Subnets).toHaveLength(1);
  return acls.NetworkAcls![0]!.NetworkAclId!;
}

async function fisClones(): Promise<string[]> {
  const r = await ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: "tag:managedByFIS", Values: ["true"] }] }),
  );
  return r.NetworkAcls!.map((a) => a.NetworkAclId!);
}

async function instanceState(id: string): Promise<string> {
  const r = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations![0]!.Instances![0]!.State!.Name!;
}

const disruptTemplate = (duration: string, scope = "all") =>
  template(
    {
      cut: {
        actionId: "aws:network:disrupt-connectivity",
        parameters: { duration, scope },
        targets: { Subnets: "subnets" },
      },
    },
    {
      subnets: {
        resourceType: "aws:ec2:subnet",
        resourceArns: [subnetArn(subnetA)],
        selectionMode: "ALL",
      },
    },
  );

describe("FIS through @aws-sdk/client-fis", { timeout: 60_000 }, () => {
  it("lists the supported actions and target types; GetAction names parameters (FIS-1)", async () => {
    const actions = (await fis.send(new ListActionsCommand({}))).actions!.map((a) => a.id).sort();
    expect(actions).toEqual([
      "aws:ec2:reboot-instances",
      "aws:ec2:stop-instances",
      "aws:ec2:terminate-instances",
      "aws:fis:wait",
      "aws:network:disrupt-connectivity",
      "aws:ssm:send-command",
    ]);
    const a = (await fis.send(new GetActionCommand({ id: "aws:ec2:stop-instances" }))).action!;
    expect(Object.keys(a.parameters!)).toEqual(["startInstancesAfterDuration"]);
    expect(a.targets).toEqual({ Instances: { resourceType: "aws:ec2:instance" } });
    const err = await fis
      .send(new GetActionCommand({ id: "aws:ec2:nope" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    const types = (await fis.send(new ListTargetResourceTypesCommand({}))).targetResourceTypes!;
    expect(types.map((t) => t.resourceType)).toEqual(["aws:ec2:instance", "aws:ec2:subnet"]);
  });

  it("creates, gets, lists, updates and deletes templates (FIS-2)", async () => {
    const id = await create({ ...disruptTemplate("PT5M"), tags: { team: "a" } });
    expect(id).toMatch(/^EXT[A-Za-z0-9]+$/);
    const got = (await fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate!;
    expect(got.actions!["cut"]!.parameters).toEqual({ duration: "PT5M", scope: "all" });
    expect(got.creationTime).toBeInstanceOf(Date);
    expect(got.tags).toEqual({ team: "a" });
    const list = (await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates!;
    expect(list.map((t) => t.id)).toContain(id);
    const upd = await fis.send(new UpdateExperimentTemplateCommand({ id, description: "changed" }));
    expect(upd.experimentTemplate!.description).toBe("changed");
    await fis.send(new DeleteExperimentTemplateCommand({ id }));
    const err = await fis.send(new GetExperimentTemplateCommand({ id })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toContain(id);
  });

  it("answers ValidationException naming the offending value (FIS-3)", async () => {
    const bad = async (input: CreateExperimentTemplateCommandInput): Promise<string> => {
      const err = await fis
        .send(new CreateExperimentTemplateCommand(input))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationException);
      return (err as Error).message;
    };
    const t = {
      subnets: {
        resourceType: "aws:ec2:subnet",
        resourceArns: [subnetArn(subnetA)],
        selectionMode: "ALL",
      },
    };
    expect(
      await bad(
        template({ x: { actionId: "aws:ec2:explode", targets: { Subnets: "subnets" } } }, t),
      ),
    ).toContain("aws:ec2:explode");
    expect(await bad(disruptTemplate("PT30S"))).toContain("PT30S");
    expect(await bad(disruptTemplate("PT13H"))).toContain("PT13H");
    expect(await bad(disruptTemplate("5 minutes"))).toContain("5 minutes");
    expect(await bad(disruptTemplate("PT5M", "s3"))).toContain("s3");
    expect(
      await bad(
        template(
          {
            cut: {
              actionId: "aws:network:disrupt-connectivity",
              parameters: { duration: "PT1M" },
              targets: { Subnets: "missing" },
            },
          },
          t,
        ),
      ),
    ).toContain("missing");
    expect(
      await bad(
        template(
          {
            cut: {
              actionId: "aws:network:disrupt-connectivity",
              parameters: { duration: "PT1M" },
              targets: { Subnets: "subnets" },
            },
          },
          { subnets: { ...t.subnets, selectionMode: "SOME(3)" } },
        ),
      ),
    ).toContain("SOME(3)");
    expect(
      await bad(
        template(
          { w: { actionId: "aws:fis:wait", parameters: { duration: "PT1M", colour: "red" } } },
          {},
        ),
      ),
    ).toContain("colour");
    expect(
      await bad(
        template(
          {
            w: {
              actionId: "aws:fis:wait",
              parameters: { duration: "PT1M" },
              startAfter: ["ghost"],
            },
          },
          {},
        ),
      ),
    ).toContain("ghost");
    const err = await fis
      .send(new StartExperimentCommand({ experimentTemplateId: "EXTnope", clientToken: "x" }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });

  it("disrupt-connectivity clones the NACL (managedByFIS), swaps it, restores it at the end (FIS-4)", async () => {
    const original = await aclOf(subnetA);
    // PT1H runs 3.6 s here: the test looks at the running experiment before it ends (PT1M's
    // 60 ms ended before a loaded machine got to look).
    const id = await create(disruptTemplate("PT1H"));
    const started = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    expect(started.state!.status).toBe("pending");
    const running = await waitFor(started.id!, (e) => e.state!.status === "running" || done(e));
    expect(running.state!.status).toBe("running");
    const clone = await aclOf(subnetA);
    expect(clone).not.toBe(original);
    expect(await fisClones()).toEqual([clone]);
    const acl = (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [clone] })))
      .NetworkAcls![0]!;
    const denies = acl.Entries!.filter((e) => e.RuleNumber === 1);
    expect(denies.map((e) => [e.Egress, e.RuleAction, e.CidrBlock]).sort()).toEqual([
      [false, "deny", "0.0.0.0/0"],
      [true, "deny", "0.0.0.0/0"],
    ]);
    const end = await waitFor(started.id!, done);
    expect(end.state).toEqual({ status: "completed", reason: "Experiment completed." });
    expect(end.actions!["cut"]!.state!.status).toBe("completed");
    expect(await aclOf(subnetA)).toBe(original);
    expect(await fisClones()).toEqual([]);
  });

  it("availability-zone scope denies the other zones' subnets only (FIS-5)", async () => {
    const id = await create(disruptTemplate("PT12H", "availability-zone"));
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    await waitFor(exp.id!, (e) => e.state!.status === "running");
    const acl = (
      await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: await fisClones() }))
    ).NetworkAcls![0]!;
    expect(
      acl
        .Entries!.filter((e) => e.RuleAction === "deny" && e.RuleNumber! < 100)
        .map((e) => e.CidrBlock),
    ).toEqual(expect.arrayContaining(["10.0.2.0/24"]));
    expect(acl.Entries!.some((e) => e.RuleNumber! < 100 && e.CidrBlock === "0.0.0.0/0")).toBe(
      false,
    );
    await fis.send(new StopExperimentCommand({ id: exp.id! }));
    await waitFor(exp.id!, done);
    expect(await fisClones()).toEqual([]);
  });

  it("StopExperiment restores at once and answers stopping (FIS-6)", async () => {
    const original = await aclOf(subnetA);
    const id = await create(disruptTemplate("PT12H"));
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    await waitFor(exp.id!, (e) => e.state!.status === "running");
    expect(await aclOf(subnetA)).not.toBe(original);
    const stop = (await fis.send(new StopExperimentCommand({ id: exp.id! }))).experiment!;
    expect(stop.state!.status).toBe("stopping");
    // Restored before the answer: no wait.
    expect(await aclOf(subnetA)).toBe(original);
    expect(await fisClones()).toEqual([]);
    const after = (await fis.send(new GetExperimentCommand({ id: exp.id! }))).experiment!;
    expect(after.state).toEqual({ status: "stopped", reason: "Experiment stopped." });
    expect(after.actions!["cut"]!.state!.status).toBe("stopped");
    const again = await fis
      .send(new StopExperimentCommand({ id: exp.id! }))
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ValidationException);
    const missing = await fis
      .send(new GetExperimentCommand({ id: "EXPnope" }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("stop-instances stops the targets and starts them after startInstancesAfterDuration (FIS-7)", async () => {
    const id = await create(
      template(
        {
          stop: {
            actionId: "aws:ec2:stop-instances",
            // PT1H runs 3.6 s: long enough to see the instance stopped before FIS starts it.
            parameters: { startInstancesAfterDuration: "PT1H" },
            targets: { Instances: "db" },
          },
        },
        {
          db: {
            resourceType: "aws:ec2:instance",
            resourceTags: { Role: "db" },
            selectionMode: "ALL",
          },
        },
      ),
    );
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    await waitFor(exp.id!, (e) => e.actions!["stop"]!.state!.status === "running");
    expect(await instanceState(dbId)).toBe("stopped");
    expect(await instanceState(webIds[0]!)).toBe("running");
    const end = await waitFor(exp.id!, done);
    expect(end.state!.status).toBe("completed");
    expect(await instanceState(dbId)).toBe("running");
  });

  it("terminate-instances terminates its targets for good (FIS-7)", async () => {
    const doomed = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetB,
          TagSpecifications: [
            { ResourceType: "instance", Tags: [{ Key: "Role", Value: "doomed" }] },
          ],
        }),
      )
    ).Instances![0]!.InstanceId!;
    const id = await create(
      template(
        { kill: { actionId: "aws:ec2:terminate-instances", targets: { Instances: "d" } } },
        {
          d: {
            resourceType: "aws:ec2:instance",
            resourceArns: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${doomed}`],
            selectionMode: "ALL",
          },
        },
      ),
    );
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    expect((await waitFor(exp.id!, done)).state!.status).toBe("completed");
    expect(await instanceState(doomed)).toBe("terminated");
    expect(await instanceState(dbId)).toBe("running");
  });

  it("vpc scope allows the VPC's CIDR, then denies the rest (FIS-5)", async () => {
    const id = await create(disruptTemplate("PT12H", "vpc"));
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    await waitFor(exp.id!, (e) => e.state!.status === "running");
    const acl = (
      await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: await fisClones() }))
    ).NetworkAcls![0]!;
    const lead = acl
      .Entries!.filter((e) => e.RuleNumber! <= 2 && e.Egress === false)
      .sort((x, y) => x.RuleNumber! - y.RuleNumber!)
      .map((e) => [e.RuleNumber, e.RuleAction, e.CidrBlock]);
    expect(lead).toEqual([
      [1, "allow", "10.0.0.0/16"],
      [2, "deny", "0.0.0.0/0"],
    ]);
    await fis.send(new StopExperimentCommand({ id: exp.id! }));
    expect(await fisClones()).toEqual([]);
  });

  it("selectionMode COUNT and PERCENT pick from the filtered set, recorded as resolved targets (FIS-8)", async () => {
    const mk = (mode: string) =>
      template(
        { r: { actionId: "aws:ec2:reboot-instances", targets: { Instances: "web" } } },
        {
          web: {
            resourceType: "aws:ec2:instance",
            resourceTags: { Role: "web" },
            filters: [
              { path: "State.Name", values: ["running"] },
              { path: "Placement.AvailabilityZone", values: ["us-east-1a"] },
            ],
            selectionMode: mode,
          },
        },
      );
    for (const [mode, n] of [
      ["COUNT(2)", 2],
      ["PERCENT(34)", 1],
      ["ALL", 3],
    ] as const) {
      const id = await create(mk(mode));
      const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
        .experiment!;
      expect((await waitFor(exp.id!, done)).state!.status).toBe("completed");
      const resolved = (
        await fis.send(new ListExperimentResolvedTargetsCommand({ experimentId: exp.id! }))
      ).resolvedTargets!;
      expect(resolved).toHaveLength(n);
      for (const r of resolved) expect(webIds).toContain(r.targetInformation!["instance-id"]);
    }
  });

  it("a target that resolves to nothing fails the experiment (FIS-9)", async () => {
    const id = await create(
      template(
        { r: { actionId: "aws:ec2:reboot-instances", targets: { Instances: "none" } } },
        {
          none: {
            resourceType: "aws:ec2:instance",
            resourceTags: { Role: "ghost" },
            selectionMode: "ALL",
          },
        },
      ),
    );
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    const end = await waitFor(exp.id!, done);
    expect(end.state!.status).toBe("failed");
    expect(end.state!.reason).toContain("none");
    expect(end.actions!["r"]!.state!.status).toBe("cancelled");
  });

  it("startAfter orders actions; aws:fis:wait waits; ListExperiments filters by template (FIS-10)", async () => {
    const id = await create(
      template(
        {
          first: { actionId: "aws:fis:wait", parameters: { duration: "PT2M" } },
          second: {
            actionId: "aws:fis:wait",
            parameters: { duration: "PT1M" },
            startAfter: ["first"],
          },
        },
        {},
      ),
    );
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    const end = await waitFor(exp.id!, done);
    expect(end.state!.status).toBe("completed");
    expect(end.actions!["second"]!.startTime!.getTime()).toBeGreaterThanOrEqual(
      end.actions!["first"]!.endTime!.getTime(),
    );
    // The SDK 3.523 model has no experimentTemplateId filter; the CLI test uses it.
    const list = (await fis.send(new ListExperimentsCommand({}))).experiments!;
    expect(list.find((e) => e.id === exp.id)).toMatchObject({
      experimentTemplateId: id,
      state: { status: "completed" },
    });
  });

  it("ssm:send-command turns AWSFIS-Run-Network-* documents into chaos faults, removed at the end (FIS-11)", async () => {
    const doc = (name: string) => `arn:aws:ssm:us-east-1::document/${name}`;
    const id = await create(
      template(
        {
          lat: {
            actionId: "aws:ssm:send-command",
            parameters: {
              documentArn: doc("AWSFIS-Run-Network-Latency"),
              documentParameters: JSON.stringify({
                DurationSeconds: "43200",
                DelayMilliseconds: "150",
                JitterMilliseconds: "5",
              }),
              duration: "PT12H",
            },
            targets: { Instances: "db" },
          },
          port: {
            actionId: "aws:ssm:send-command",
            parameters: {
              documentArn: doc("AWSFIS-Run-Network-Blackhole-Port"),
              documentParameters: JSON.stringify({
                DurationSeconds: "43200",
                Port: "5432",
                Protocol: "tcp",
              }),
              duration: "PT12H",
            },
            targets: { Instances: "db" },
          },
          loss: {
            actionId: "aws:ssm:send-command",
            parameters: {
              documentArn: doc("AWSFIS-Run-Network-Packet-Loss-Sources"),
              documentParameters: JSON.stringify({
                DurationSeconds: "43200",
                LossPercent: "20",
                Sources: "10.0.1.0/24",
                TrafficType: "egress",
              }),
              duration: "PT12H",
            },
            targets: { Instances: "db" },
          },
        },
        {
          db: {
            resourceType: "aws:ec2:instance",
            resourceTags: { Role: "db" },
            selectionMode: "ALL",
          },
        },
      ),
    );
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    await waitFor(exp.id!, (e) => e.state!.status === "running" || done(e));
    const faults = ctl.faults.list().filter((f) => f.description.includes(exp.id!));
    expect(faults).toHaveLength(3);
    const byDoc = (d: string) => faults.find((f) => f.description.includes(d))!;
    expect(byDoc("Latency").effects.delay).toMatchObject({ latencyMs: 150, jitterMs: 5 });
    expect(byDoc("Latency").from).toEqual([dbId]);
    expect(byDoc("Blackhole").to).toEqual([dbId]);
    expect(byDoc("Blackhole").ports).toBe("5432");
    expect(byDoc("Loss").effects.loss).toMatchObject({ percent: 20 });
    expect(byDoc("Loss").to).toEqual(["10.0.1.0/24"]);
    await fis.send(new StopExperimentCommand({ id: exp.id! }));
    expect(ctl.faults.list().filter((f) => f.description.includes(exp.id!))).toEqual([]);

    const bad = await fis
      .send(
        new CreateExperimentTemplateCommand(
          template(
            {
              x: {
                actionId: "aws:ssm:send-command",
                parameters: { documentArn: doc("AWS-RunShellScript"), duration: "PT1M" },
                targets: { Instances: "db" },
              },
            },
            {
              db: {
                resourceType: "aws:ec2:instance",
                resourceTags: { Role: "db" },
                selectionMode: "ALL",
              },
            },
          ),
        ),
      )
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationException);
    expect((bad as Error).message).toContain("AWS-RunShellScript");
  });

  it("a stop-condition alarm going to ALARM stops the experiment and restores (FIS-12)", async () => {
    const original = await aclOf(subnetA);
    const put = (state: string) =>
      fetch(`${ctl.url}/v1/alarms/latency-high`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ state, reason: "p99 over 200 ms" }),
      });
    expect((await put("OK")).status).toBe(200);
    const id = await create({
      ...disruptTemplate("PT12H"),
      stopConditions: [{ source: "aws:cloudwatch:alarm", value: ALARM_ARN("latency-high") }],
    });
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    await waitFor(exp.id!, (e) => e.state!.status === "running");
    expect((await put("ALARM")).status).toBe(200);
    const end = (await fis.send(new GetExperimentCommand({ id: exp.id! }))).experiment!;
    expect(end.state!.status).toBe("stopped");
    expect(end.state!.reason).toContain(ALARM_ARN("latency-high"));
    expect(await aclOf(subnetA)).toBe(original);
    // Already in ALARM at the start: the experiment fails without touching anything.
    const exp2 = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    const end2 = await waitFor(exp2.id!, done);
    expect(end2.state!.status).toBe("failed");
    expect(await fisClones()).toEqual([]);
    const alarms = (await (await fetch(`${ctl.url}/v1/alarms`)).json()) as {
      alarms: Array<{ name: string; state: string }>;
    };
    expect(alarms.alarms.map((a) => [a.name, a.state])).toEqual([["latency-high", "ALARM"]]);
    expect((await put("MAYBE")).status).toBe(400);
    expect((await fetch(`${ctl.url}/v1/alarms/none`)).status).toBe(404);
    expect((await put("OK")).status).toBe(200);
  });

  it("tags templates and experiments (FIS-13)", async () => {
    // The SDK 3.523 model has no `arn` member on templates: FIS's ARN format.
    const tid = await create(disruptTemplate("PT1M"));
    const arn = `arn:aws:fis:us-east-1:${ACCOUNT}:experiment-template/${tid}`;
    await fis.send(new TagResourceCommand({ resourceArn: arn, tags: { a: "1", b: "2" } }));
    await fis.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a"] }));
    expect((await fis.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      b: "2",
    });
    const eid = (
      await fis.send(new StartExperimentCommand({ experimentTemplateId: tid, tags: { run: "1" } }))
    ).experiment!.id!;
    const earn = `arn:aws:fis:us-east-1:${ACCOUNT}:experiment/${eid}`;
    await fis.send(new TagResourceCommand({ resourceArn: earn, tags: { owner: "me" } }));
    expect((await fis.send(new ListTagsForResourceCommand({ resourceArn: earn }))).tags).toEqual({
      run: "1",
      owner: "me",
    });
    await waitFor(eid, done);
    const missing = await fis
      .send(
        new ListTagsForResourceCommand({
          resourceArn: `arn:aws:fis:us-east-1:${ACCOUNT}:experiment-template/EXTnope`,
        }),
      )
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("a restart rolls back a running experiment: original NACL back, instances started, marked failed (FIS-14)", async () => {
    const original = await aclOf(subnetA);
    const id = await create(
      template(
        {
          cut: {
            actionId: "aws:network:disrupt-connectivity",
            parameters: { duration: "PT12H" },
            targets: { Subnets: "subnets" },
          },
          stop: {
            actionId: "aws:ec2:stop-instances",
            parameters: { startInstancesAfterDuration: "PT12H" },
            targets: { Instances: "db" },
          },
        },
        {
          subnets: {
            resourceType: "aws:ec2:subnet",
            resourceArns: [subnetArn(subnetA)],
            selectionMode: "ALL",
          },
          db: {
            resourceType: "aws:ec2:instance",
            resourceTags: { Role: "db" },
            selectionMode: "ALL",
          },
        },
      ),
    );
    const exp = (await fis.send(new StartExperimentCommand({ experimentTemplateId: id })))
      .experiment!;
    await waitFor(exp.id!, (e) => e.state!.status === "running");
    expect(await aclOf(subnetA)).not.toBe(original);
    expect(await instanceState(dbId)).toBe("stopped");
    await stopController();
    await startController();
    expect(await aclOf(subnetA)).toBe(original);
    expect(await fisClones()).toEqual([]);
    expect(await instanceState(dbId)).toBe("running");
    const after = (await fis.send(new GetExperimentCommand({ id: exp.id! }))).experiment!;
    expect(after.state!.status).toBe("failed");
    expect(after.state!.reason).toContain("restarted");
    // Templates survive too.
    expect((await fis.send(new GetExperimentTemplateCommand({ id }))).experimentTemplate!.id).toBe(
      id,
    );
  });
});
