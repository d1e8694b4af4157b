/**
 * AWS FIS through the real `aws fis` CLI (dummy credentials, AWS_EC2_METADATA_DISABLED=true)
 * against an in-process Controller (state in a temp file): every operation the CLI has for
 * templates, experiments, actions, target types and tags, and FIS's errors as the CLI prints
 * them. Behaviour IDs FIS-n: docs/fis.md. FIS durations run at 1/1000 (fisTimeScale).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { AwsCli } from "../helpers/aws-cli.js";

const ACCOUNT = "123456789012";
let dir: string;
let ctl: StartedController;
let aws: AwsCli;
let subnetId: string;

interface Experiment {
  id: string;
  experimentTemplateId: string;
  state: { status: string; reason: string };
  actions: Record<string, { state: { status: string } }>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-fis-cli-"));
  ctl = await new Controller(
    { listen: "127.0.0.1:0", statePath: join(dir, "state.db"), log: () => {} },
    { fisTimeScale: 0.001 },
  ).start();
  aws = new AwsCli({ endpoint: ctl.url });
  const vpc = await aws.json<{ Vpc: { VpcId: string } }>([
    "ec2",
    "create-vpc",
    "--cidr-block",
    "10.1.0.0/16",
  ]);
  const subnet = await aws.json<{ Subnet: { SubnetId: string } }>([
    "ec2",
    "create-subnet",
    "--vpc-id",
    vpc.Vpc.VpcId,
    "--cidr-block",
    "10.1.1.0/24",
    "--tag-specifications",
    "ResourceType=subnet,Tags=[{Key=Tier,Value=app}]",
  ]);
  subnetId = subnet.Subnet.SubnetId;
});

afterAll(async () => {
  aws.dispose();
  await ctl.stop();
  rmSync(dir, { recursive: true, force: true });
});

function templateJson(duration: string): string {
  return JSON.stringify({
    description: "cut the app subnet",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/fis`,
    stopConditions: [{ source: "none" }],
    targets: {
      AppSubnets: {
        resourceType: "aws:ec2:subnet",
        resourceTags: { Tier: "app" },
        selectionMode: "ALL",
      },
    },
    actions: {
      Cut: {
        actionId: "aws:network:disrupt-connectivity",
        parameters: { duration, scope: "all" },
        targets: { Subnets: "AppSubnets" },
      },
    },
    tags: { Name: "cut-app" },
  });
}

async function getExperiment(id: string): Promise<Experiment> {
  return (await aws.json<{ experiment: Experiment }>(["fis", "get-experiment", "--id", id]))
    .experiment;
}

async function waitStatus(id: string, statuses: string[]): Promise<Experiment> {
  const end = Date.now() + 20_000;
  for (;;) {
    const e = await getExperiment(id);
    if (statuses.includes(e.state.status)) return e;
    if (Date.now() > end) throw new Error(`experiment ${id} stays ${e.state.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("FIS through the aws CLI", { timeout: 240_000 }, () => {
  it("lists actions and target resource types; get-action, get-target-resource-type (FIS-1)", async () => {
    const actions = await aws.json<{ actions: Array<{ id: string }> }>(["fis", "list-actions"]);
    expect(actions.actions.map((a) => a.id)).toContain("aws:network:disrupt-connectivity");
    const a = await aws.json<{ action: { parameters: Record<string, unknown> } }>([
      "fis",
      "get-action",
      "--id",
      "aws:ssm:send-command",
    ]);
    expect(Object.keys(a.action.parameters)).toContain("documentParameters");
    const t = await aws.json<{ targetResourceType: { resourceType: string } }>([
      "fis",
      "get-target-resource-type",
      "--resource-type",
      "aws:ec2:subnet",
    ]);
    expect(t.targetResourceType.resourceType).toBe("aws:ec2:subnet");
    const missing = await aws.run(["fis", "get-action", "--id", "aws:nope:nothing"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("ResourceNotFoundException");
  });

  it("create, start, get, list, stop (restores at once), update, tag, delete (FIS-2, FIS-6)", async () => {
    const created = await aws.json<{ experimentTemplate: { id: string; tags: object } }>([
      "fis",
      "create-experiment-template",
      "--cli-input-json",
      templateJson("PT12H"),
    ]);
    const tid = created.experimentTemplate.id;
    expect(created.experimentTemplate.tags).toEqual({ Name: "cut-app" });
    const listed = await aws.json<{ experimentTemplates: Array<{ id: string }> }>([
      "fis",
      "list-experiment-templates",
    ]);
    expect(listed.experimentTemplates.map((t) => t.id)).toContain(tid);

    const originalAcl = async (): Promise<string> => {
      const r = await aws.json<{ Subnets: Array<{ SubnetId: string }> }>([
        "ec2",
        "describe-subnets",
        "--subnet-ids",
        subnetId,
      ]);
      expect(r.Subnets).toHaveLength(1);
      const acls = await aws.json<{ NetworkAcls: Array<{ NetworkAclId: string }> }>([
        "ec2",
        "describe-network-acls",
        "--filters",
        `Name=association.subnet-id,Values=${subnetId}`,
      ]);
      return acls.NetworkAcls[0]!.NetworkAclId;
    };
    const before = await originalAcl();
    const started = await aws.json<{ experiment: Experiment }>([
      "fis",
      "start-experiment",
      "--experiment-template-id",
      tid,
    ]);
    const id = started.experiment.id;
    await waitStatus(id, ["running"]);
    const clone = await originalAcl();
    expect(clone).not.toBe(before);
    const tagged = await aws.json<{
      NetworkAcls: Array<{ Tags: Array<{ Key: string; Value: string }> }>;
    }>(["ec2", "describe-network-acls", "--network-acl-ids", clone]);
    expect(tagged.NetworkAcls[0]!.Tags).toEqual([{ Key: "managedByFIS", Value: "true" }]);
    const byTemplate = await aws.json<{ experiments: Array<{ id: string }> }>([
      "fis",
      "list-experiments",
      "--experiment-template-id",
      tid,
    ]);
    expect(byTemplate.experiments.map((e) => e.id)).toEqual([id]);
    const resolved = await aws.json<{ resolvedTargets: Array<{ targetInformation: object }> }>([
      "fis",
      "list-experiment-resolved-targets",
      "--experiment-id",
      id,
    ]);
    expect(resolved.resolvedTargets.map((r) => r.targetInformation)).toEqual([
      { "subnet-id": subnetId },
    ]);
    const stopped = await aws.json<{ experiment: Experiment }>([
      "fis",
      "stop-experiment",
      "--id",
      id,
    ]);
    expect(stopped.experiment.state.status).toBe("stopping");
    expect(await originalAcl()).toBe(before);
    const after = await getExperiment(id);
    expect(after.state.status).toBe("stopped");
    expect(after.actions["Cut"]!.state.status).toBe("stopped");

    const updated = await aws.json<{ experimentTemplate: { description: string } }>([
      "fis",
      "update-experiment-template",
      "--id",
      tid,
      "--description",
      "renamed",
    ]);
    expect(updated.experimentTemplate.description).toBe("renamed");
    const arn = `arn:aws:fis:us-east-1:${ACCOUNT}:experiment-template/${tid}`;
    await aws.json(["fis", "tag-resource", "--resource-arn", arn, "--tags", "env=ci"]);
    await aws.json(["fis", "untag-resource", "--resource-arn", arn, "--tag-keys", "Name"]);
    const tags = await aws.json<{ tags: object }>([
      "fis",
      "list-tags-for-resource",
      "--resource-arn",
      arn,
    ]);
    expect(tags.tags).toEqual({ env: "ci" });
    await aws.json(["fis", "delete-experiment-template", "--id", tid]);
    const gone = await aws.run(["fis", "get-experiment-template", "--id", tid]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain("ResourceNotFoundException");
    expect(gone.stderr).toContain(tid);
  });

  it("an experiment runs to completed and restores the association (FIS-4)", async () => {
    const tid = (
      await aws.json<{ experimentTemplate: { id: string } }>([
        "fis",
        "create-experiment-template",
        "--cli-input-json",
        templateJson("PT1M"),
      ])
    ).experimentTemplate.id;
    const id = (
      await aws.json<{ experiment: Experiment }>([
        "fis",
        "start-experiment",
        "--experiment-template-id",
        tid,
      ])
    ).experiment.id;
    const end = await waitStatus(id, ["completed", "stopped", "failed"]);
    expect(end.state).toEqual({ status: "completed", reason: "Experiment completed." });
    const clones = await aws.json<{ NetworkAcls: unknown[] }>([
      "ec2",
      "describe-network-acls",
      "--filters",
      "Name=tag:managedByFIS,Values=true",
    ]);
    expect(clones.NetworkAcls).toEqual([]);
  });

  it("answers ValidationException for a bad duration, selection mode, unknown action (FIS-3)", async () => {
    const bad = async (mutate: (t: Record<string, any>) => void, needle: string) => {
      const t = JSON.parse(templateJson("PT5M")) as Record<string, any>;
      mutate(t);
      const r = await aws.run([
        "fis",
        "create-experiment-template",
        "--cli-input-json",
        JSON.stringify(t),
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("ValidationException");
      expect(r.stderr).toContain(needle);
    };
    await bad((t) => (t.actions.Cut.parameters.duration = "PT0S"), "PT0S");
    await bad((t) => (t.targets.AppSubnets.selectionMode = "COUNT(0)"), "COUNT(0)");
    await bad((t) => (t.actions.Cut.actionId = "aws:network:unplug"), "aws:network:unplug");
    await bad((t) => (t.actions.Cut.targets.Subnets = "Nope"), "Nope");
    const r = await aws.run(["fis", "stop-experiment", "--id", "EXPdoesnotexist"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("ResourceNotFoundException");
  });
});
