/**
 * CloudFormation through the real `aws` CLI (aws-cli v1 from pyenv here; CI installs Debian's
 * awscli) against an in-process Controller on loopback: `deploy` (change sets and their
 * waiter), `create-stack` with `wait stack-create-complete`, rollback, `update`, `delete-stack`
 * with `wait stack-delete-complete`, the seed template (refused as written, accepted in its
 * valid form), exports in use, and stacks surviving a controller restart. AWS-BEHAVIOUR
 * CFN-1..CFN-28. A missing `aws` FAILS this test, naming the prerequisite; it never skips.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { waitUntil } from "../helpers/wait-until.js";

const EXAMPLES = join(import.meta.dirname, "../../examples/cloudformation");

let home: string;
let ctl: StartedController;

async function startController(statePath = ":memory:"): Promise<StartedController> {
  return new Controller({ listen: "127.0.0.1:0", statePath, log: () => {} }).start();
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "vpcemu-cfn-cli-"));
  ctl = await startController();
});
afterAll(async () => {
  await ctl.stop();
  rmSync(home, { recursive: true, force: true });
});

interface AwsResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aws <args> --endpoint-url <url>` with static credentials and no user config. */
function aws(url: string, ...args: string[]): Promise<AwsResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "aws",
      [...args, "--endpoint-url", url, "--output", "json"],
      {
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: home,
          AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
          AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_CONFIG_FILE: join(home, "config"),
          AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_PAGER: "",
        },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        if (err !== null && (err as NodeJS.ErrnoException).code === "ENOENT") {
          reject(
            new Error(
              "prerequisite missing: the `aws` CLI is not on PATH. Install it (Debian: `apt-get install awscli`, " +
                "or `pip install awscli`); this test fails rather than skips.",
            ),
          );
          return;
        }
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function awsJson(...args: string[]): Promise<Record<string, unknown>> {
  const r = await aws(ctl.url, ...args);
  if (r.code !== 0) throw new Error(`aws ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim() === "" ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
}

interface Stack {
  StackId: string;
  StackStatus: string;
  StackStatusReason?: string;
  Outputs?: Array<{ OutputKey: string; OutputValue: string; ExportName?: string }>;
}

async function stack(name: string): Promise<Stack> {
  const out = await awsJson("cloudformation", "describe-stacks", "--stack-name", name);
  return (out["Stacks"] as Stack[])[0] as Stack;
}

interface Event {
  LogicalResourceId: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
}

async function events(name: string): Promise<Event[]> {
  const out = await awsJson("cloudformation", "describe-stack-events", "--stack-name", name);
  return (out["StackEvents"] as Event[]).reverse();
}

function output(s: Stack, key: string): string {
  return s.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ?? "";
}

function file(name: string, text: string): string {
  const path = join(home, name);
  writeFileSync(path, text);
  return path;
}

interface Perm {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges: Array<{ CidrIp: string }>;
  Ipv6Ranges: Array<{ CidrIpv6: string }>;
  UserIdGroupPairs: Array<{ GroupId: string }>;
  PrefixListIds: Array<{ PrefixListId: string }>;
}

async function groupPermissions(groupId: string): Promise<Perm[]> {
  const out = await awsJson("ec2", "describe-security-groups", "--group-ids", groupId);
  return (out["SecurityGroups"] as Array<{ IpPermissions: Perm[] }>)[0]?.IpPermissions ?? [];
}

async function createVpc(cidr: string): Promise<string> {
  const out = await awsJson("ec2", "create-vpc", "--cidr-block", cidr);
  return (out["Vpc"] as { VpcId: string }).VpcId;
}

// Why: each aws CLI call starts a Python interpreter (about a second on a loaded machine).
describe("CloudFormation through the aws CLI", { timeout: 240_000 }, () => {
  it("refuses the seed template as written: a circular dependency (CFN-5)", async () => {
    const body = `file://${join(EXAMPLES, "seed-security-group-as-written.yaml")}`;
    const expected =
      "Circular dependency between resources: [EC2SecurityGroup, EC2SecurityGroupIngressHttp, EC2SecurityGroupIngressHttps]";
    const validate = await aws(
      ctl.url,
      "cloudformation",
      "validate-template",
      "--template-body",
      body,
    );
    expect(validate.code).toBe(255);
    expect(validate.stderr).toContain(
      `(ValidationError) when calling the ValidateTemplate operation: ${expected}`,
    );
    const create = await aws(
      ctl.url,
      "cloudformation",
      "create-stack",
      "--stack-name",
      "seed",
      "--template-body",
      body,
    );
    expect(create.code).toBe(255);
    expect(create.stderr).toContain(
      `(ValidationError) when calling the CreateStack operation: ${expected}`,
    );
    const describe = await aws(
      ctl.url,
      "cloudformation",
      "describe-stacks",
      "--stack-name",
      "seed",
    );
    expect(describe.stderr).toContain("Stack with id seed does not exist");
  });

  it("fails an ingress rule that names two sources, and rolls the group back (CFN-23)", async () => {
    const vpcId = await createVpc("10.41.0.0/16");
    // The seed with its cycle broken but its two-source rules kept.
    const body = file(
      "two-sources.yaml",
      `Resources:
  EC2SecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: !Sub '\${AWS::StackName}-sg'
      GroupDescription: seed
      VpcId: ${vpcId}
  EC2SecurityGroupIngressHttp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: 0.0.0.0/0
      CidrIpv6: ::/0
      FromPort: 80
      GroupId: !GetAtt EC2SecurityGroup.GroupId
      IpProtocol: 6
      ToPort: 80
`,
    );
    await awsJson(
      "cloudformation",
      "create-stack",
      "--stack-name",
      "twosources",
      "--template-body",
      `file://${body}`,
    );
    const wait = await aws(
      ctl.url,
      "cloudformation",
      "wait",
      "stack-create-complete",
      "--stack-name",
      "twosources",
    );
    expect(wait.code).toBe(255);
    expect(wait.stderr).toContain('"ROLLBACK_COMPLETE"');
    const ev = await events("twosources");
    const failed = ev.find((e) => e.ResourceStatus === "CREATE_FAILED");
    expect(failed?.LogicalResourceId).toBe("EC2SecurityGroupIngressHttp");
    expect(failed?.ResourceStatusReason).toMatch(
      /^Resource handler returned message: "Exactly one of CidrIp, CidrIpv6, SourceSecurityGroupId, SourceSecurityGroupName, and SourcePrefixListId must be specified and not empty" \(RequestToken: [0-9a-f-]+, HandlerErrorCode: InvalidRequest\)$/,
    );
    expect(ev.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      "twosources CREATE_IN_PROGRESS",
      "EC2SecurityGroup CREATE_IN_PROGRESS",
      "EC2SecurityGroup CREATE_COMPLETE",
      "EC2SecurityGroupIngressHttp CREATE_IN_PROGRESS",
      "EC2SecurityGroupIngressHttp CREATE_FAILED",
      "twosources ROLLBACK_IN_PROGRESS",
      "EC2SecurityGroup DELETE_IN_PROGRESS",
      "EC2SecurityGroup DELETE_COMPLETE",
      "twosources ROLLBACK_COMPLETE",
    ]);
    const groups = await awsJson(
      "ec2",
      "describe-security-groups",
      "--filters",
      `Name=vpc-id,Values=${vpcId}`,
    );
    expect(
      (groups["SecurityGroups"] as Array<{ GroupName: string }>).map((g) => g.GroupName),
    ).toEqual(["default"]);
  });

  it("deploys the seed's valid form into a VPC; its rules are the group's rules", async () => {
    const vpcId = await createVpc("10.42.0.0/16");
    const template = join(EXAMPLES, "seed-security-group.yaml");
    const r = await aws(
      ctl.url,
      "cloudformation",
      "deploy",
      "--stack-name",
      "seedvalid",
      "--template-file",
      template,
      "--parameter-overrides",
      `VpcId=${vpcId}`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Successfully created/updated stack - seedvalid");
    const s = await stack("seedvalid");
    expect(s.StackStatus).toBe("CREATE_COMPLETE");
    const groupId = output(s, "GroupId");
    const described = await awsJson("ec2", "describe-security-groups", "--group-ids", groupId);
    const g = (described["SecurityGroups"] as Array<{ GroupName: string; VpcId: string }>)[0];
    expect(g).toMatchObject({ GroupName: "seedvalid-sg", VpcId: vpcId });
    const perms = await groupPermissions(groupId);
    expect(
      perms
        .map(
          (p) =>
            `${p.IpProtocol} ${p.FromPort} ${[...p.IpRanges.map((x) => x.CidrIp), ...p.Ipv6Ranges.map((x) => x.CidrIpv6)].join(",")}`,
        )
        .sort(),
    ).toEqual(["tcp 443 0.0.0.0/0,::/0", "tcp 80 0.0.0.0/0,::/0"]);
    const resources = await awsJson(
      "cloudformation",
      "list-stack-resources",
      "--stack-name",
      "seedvalid",
    );
    const rows = resources["StackResourceSummaries"] as Array<{
      LogicalResourceId: string;
      PhysicalResourceId: string;
      ResourceStatus: string;
    }>;
    expect(rows.map((x) => x.LogicalResourceId)).toEqual([
      "EC2SecurityGroup",
      "EC2SecurityGroupIngressHttp",
      "EC2SecurityGroupIngressHttpIpv6",
      "EC2SecurityGroupIngressHttps",
      "EC2SecurityGroupIngressHttpsIpv6",
    ]);
    expect(rows.every((x) => x.ResourceStatus === "CREATE_COMPLETE")).toBe(true);
    expect(rows[0]?.PhysicalResourceId).toBe(groupId);
    expect(rows[1]?.PhysicalResourceId).toMatch(/^sgr-[0-9a-f]{17}$/);

    // Deploying the same template again: the change set has no changes (CFN-17).
    const again = await aws(
      ctl.url,
      "cloudformation",
      "deploy",
      "--stack-name",
      "seedvalid",
      "--template-file",
      template,
      "--parameter-overrides",
      `VpcId=${vpcId}`,
    );
    expect(again.code, again.stderr).toBe(255);
    expect(again.stderr).toContain("No changes to deploy. Stack seedvalid is up to date");
    // Why: `aws cloudformation deploy` names its change set
    // awscli-cloudformation-package-deploy-<unix seconds>, and a stack's change-set names are
    // unique (AlreadyExistsException, as on AWS): a second deploy in the same second as the first
    // fails for that alone. Start it once the clock is past the second the first one ended in.
    const againSecond = Math.floor(Date.now() / 1000);
    await waitUntil("the next second", () => Math.floor(Date.now() / 1000) > againSecond, 2000, 20);
    const noFail = await aws(
      ctl.url,
      "cloudformation",
      "deploy",
      "--stack-name",
      "seedvalid",
      "--template-file",
      template,
      "--parameter-overrides",
      `VpcId=${vpcId}`,
      "--no-fail-on-empty-changeset",
    );
    expect(noFail.code, noFail.stderr).toBe(0);
    const update = await aws(
      ctl.url,
      "cloudformation",
      "update-stack",
      "--stack-name",
      "seedvalid",
      "--use-previous-template",
      "--parameters",
      "ParameterKey=VpcId,UsePreviousValue=true",
    );
    expect(update.code).toBe(255);
    expect(update.stderr).toContain(
      "(ValidationError) when calling the UpdateStack operation: No updates are to be performed.",
    );
    const sets = await awsJson("cloudformation", "list-change-sets", "--stack-name", "seedvalid");
    const statuses = (
      sets["Summaries"] as Array<{ Status: string; ExecutionStatus: string; StatusReason?: string }>
    ).map((x) => `${x.Status}/${x.ExecutionStatus}`);
    expect(statuses).toContain("CREATE_COMPLETE/EXECUTE_COMPLETE");
    expect(statuses).toContain("FAILED/UNAVAILABLE");

    const del = await aws(ctl.url, "cloudformation", "delete-stack", "--stack-name", "seedvalid");
    expect(del.code).toBe(0);
    expect(
      (
        await aws(
          ctl.url,
          "cloudformation",
          "wait",
          "stack-delete-complete",
          "--stack-name",
          "seedvalid",
        )
      ).code,
    ).toBe(0);
    const after = await aws(ctl.url, "ec2", "describe-security-groups", "--group-ids", groupId);
    expect(after.stderr).toContain("InvalidGroup.NotFound");
    const listed = await awsJson(
      "cloudformation",
      "list-stacks",
      "--stack-status-filter",
      "DELETE_COMPLETE",
    );
    const gone = (listed["StackSummaries"] as Array<{ StackName: string; StackId: string }>).find(
      (x) => x.StackName === "seedvalid",
    );
    expect(gone).toBeDefined();
    // By stack id a deleted stack is still described (CFN-11).
    expect((await stack(gone?.StackId as string)).StackStatus).toBe("DELETE_COMPLETE");
  });

  it("deploys the two-tier example (every resource type), updates it in place, and deletes it", async () => {
    const template = join(EXAMPLES, "two-tier.yaml");
    const r = await aws(
      ctl.url,
      "cloudformation",
      "deploy",
      "--stack-name",
      "tier",
      "--template-file",
      template,
    );
    expect(r.code, r.stderr).toBe(0);
    const s = await stack("tier");
    const vpcId = output(s, "VpcId");
    const resources = (
      await awsJson("cloudformation", "describe-stack-resources", "--stack-name", "tier")
    )["StackResources"] as Array<{
      LogicalResourceId: string;
      PhysicalResourceId: string;
      ResourceType: string;
    }>;
    const phys = (id: string) =>
      resources.find((x) => x.LogicalResourceId === id)?.PhysicalResourceId ?? "";
    expect(resources.map((x) => x.ResourceType).sort()).toEqual([
      "AWS::EC2::Instance",
      "AWS::EC2::Instance",
      "AWS::EC2::NetworkAcl",
      "AWS::EC2::NetworkAclEntry",
      "AWS::EC2::NetworkAclEntry",
      "AWS::EC2::NetworkInterface",
      "AWS::EC2::PrefixList",
      "AWS::EC2::SecurityGroup",
      "AWS::EC2::SecurityGroup",
      "AWS::EC2::SecurityGroupIngress",
      "AWS::EC2::Subnet",
      "AWS::EC2::Subnet",
      "AWS::EC2::SubnetNetworkAclAssociation",
      "AWS::EC2::VPC",
    ]);
    // The resources are ordinary EC2 resources.
    const subnets = (
      await awsJson("ec2", "describe-subnets", "--filters", `Name=vpc-id,Values=${vpcId}`)
    )["Subnets"] as Array<{ SubnetId: string; CidrBlock: string }>;
    expect(subnets.map((x) => x.CidrBlock).sort()).toEqual(["10.30.0.0/24", "10.30.1.0/24"]);
    const acls = (
      await awsJson("ec2", "describe-network-acls", "--network-acl-ids", phys("DbAcl"))
    )["NetworkAcls"] as Array<{
      Entries: Array<{ RuleNumber: number; Egress: boolean; CidrBlock: string }>;
      Associations: Array<{ SubnetId: string }>;
    }>;
    expect(acls[0]?.Associations.map((a) => a.SubnetId)).toEqual([phys("DbSubnet")]);
    expect(
      acls[0]?.Entries.filter((e) => e.RuleNumber === 100)
        .map((e) => `${e.Egress} ${e.CidrBlock}`)
        .sort(),
    ).toEqual(["false 10.30.0.0/24", "true 10.30.0.0/24"]);
    const dbPerms = await groupPermissions(phys("DbSg"));
    expect(dbPerms).toMatchObject([
      {
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        UserIdGroupPairs: [{ GroupId: phys("WebSg") }],
      },
    ]);
    const webPerms = await groupPermissions(phys("WebSg"));
    expect(webPerms.find((p) => p.FromPort === 22)?.PrefixListIds).toEqual([
      { PrefixListId: phys("AdminRanges") },
    ]);
    const instances = (
      await awsJson("ec2", "describe-instances", "--instance-ids", phys("Web"), phys("Db"))
    )["Reservations"] as Array<{
      Instances: Array<{
        InstanceId: string;
        InstanceType: string;
        PrivateIpAddress: string;
        SecurityGroups: Array<{ GroupId: string }>;
      }>;
    }>;
    const all = instances.flatMap((x) => x.Instances);
    expect(all.find((i) => i.InstanceId === phys("Web"))).toMatchObject({
      InstanceType: "t3.micro",
      SecurityGroups: [{ GroupId: phys("WebSg") }],
    });
    expect(all.find((i) => i.InstanceId === phys("Db"))?.PrivateIpAddress).toBe(
      output(s, "DbPrivateIp"),
    );
    expect(output(s, "DbEniAddress")).toBe(output(s, "DbPrivateIp"));

    // A parameter change updates the rule and the NACL entries in place (CFN-14).
    const up = await aws(
      ctl.url,
      "cloudformation",
      "deploy",
      "--stack-name",
      "tier",
      "--template-file",
      template,
      "--parameter-overrides",
      "DbPort=6432",
    );
    expect(up.code, up.stderr).toBe(0);
    expect((await stack("tier")).StackStatus).toBe("UPDATE_COMPLETE");
    const dbAfter = await groupPermissions(phys("DbSg"));
    expect(dbAfter.map((p) => p.FromPort)).toEqual([6432]);
    const resourcesAfter = (
      await awsJson("cloudformation", "describe-stack-resources", "--stack-name", "tier")
    )["StackResources"] as Array<{ LogicalResourceId: string; PhysicalResourceId: string }>;
    // The VPC, groups and instances are the same physical resources; the rule was replaced.
    for (const id of ["Vpc", "WebSg", "DbSg", "Web", "Db", "DbAclInFromWeb"])
      expect(resourcesAfter.find((x) => x.LogicalResourceId === id)?.PhysicalResourceId).toBe(
        phys(id),
      );
    expect(
      resourcesAfter.find((x) => x.LogicalResourceId === "DbFromWeb")?.PhysicalResourceId,
    ).not.toBe(phys("DbFromWeb"));

    expect(
      (await aws(ctl.url, "cloudformation", "delete-stack", "--stack-name", "tier")).code,
    ).toBe(0);
    const wait = await aws(
      ctl.url,
      "cloudformation",
      "wait",
      "stack-delete-complete",
      "--stack-name",
      "tier",
    );
    expect(wait.code, wait.stderr).toBe(0);
    expect(
      (await awsJson("ec2", "describe-vpcs", "--filters", `Name=vpc-id,Values=${vpcId}`))["Vpcs"],
    ).toEqual([]);
    const terminated = (
      await awsJson("ec2", "describe-instances", "--instance-ids", phys("Web"), phys("Db"))
    )["Reservations"] as Array<{ Instances: Array<{ State: { Name: string } }> }>;
    expect(terminated.flatMap((x) => x.Instances).map((i) => i.State.Name)).toEqual([
      "terminated",
      "terminated",
    ]);
  });

  it("rolls back what it created when a resource fails, in reverse order (CFN-12)", async () => {
    const body = file(
      "bad-subnet.yaml",
      `Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.43.0.0/16 }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: x, VpcId: !Ref Vpc }
  Subnet:
    Type: AWS::EC2::Subnet
    DependsOn: Sg
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.99.0.0/24 }
`,
    );
    await awsJson(
      "cloudformation",
      "create-stack",
      "--stack-name",
      "rollback",
      "--template-body",
      `file://${body}`,
    );
    const wait = await aws(
      ctl.url,
      "cloudformation",
      "wait",
      "stack-create-complete",
      "--stack-name",
      "rollback",
    );
    expect(wait.code).toBe(255);
    const s = await stack("rollback");
    expect(s.StackStatus).toBe("ROLLBACK_COMPLETE");
    const ev = await events("rollback");
    expect(ev.find((e) => e.ResourceStatus === "ROLLBACK_IN_PROGRESS")?.ResourceStatusReason).toBe(
      "The following resource(s) failed to create: [Subnet]. Rollback requested by user.",
    );
    expect(ev.find((e) => e.ResourceStatus === "CREATE_FAILED")?.ResourceStatusReason).toMatch(
      /^Resource handler returned message: "The CIDR '10\.99\.0\.0\/24' is invalid[^"]*\(Service: Ec2, Status Code: 400, Request ID: [0-9a-f-]+\)" \(RequestToken: [0-9a-f-]+, HandlerErrorCode: InvalidRequest\)$/,
    );
    expect(
      ev.filter((e) => e.ResourceStatus === "DELETE_COMPLETE").map((e) => e.LogicalResourceId),
    ).toEqual(["Sg", "Vpc"]);
    expect(
      (await awsJson("ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.43.0.0/16"))["Vpcs"],
    ).toEqual([]);
    // A stack in ROLLBACK_COMPLETE can only be deleted (CFN-13, CFN-14).
    const update = await aws(
      ctl.url,
      "cloudformation",
      "update-stack",
      "--stack-name",
      "rollback",
      "--template-body",
      `file://${body}`,
    );
    expect(update.stderr).toContain(
      `Stack:${s.StackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
    );
    const again = await aws(
      ctl.url,
      "cloudformation",
      "create-stack",
      "--stack-name",
      "rollback",
      "--template-body",
      `file://${body}`,
    );
    expect(again.stderr).toContain(
      "(AlreadyExistsException) when calling the CreateStack operation: Stack [rollback] already exists",
    );
    await awsJson("cloudformation", "delete-stack", "--stack-name", "rollback");
    expect(
      (
        await aws(
          ctl.url,
          "cloudformation",
          "wait",
          "stack-delete-complete",
          "--stack-name",
          "rollback",
        )
      ).code,
    ).toBe(0);
  });

  it("refuses unsupported types at once and fails unknown properties with AWS's text (CFN-4, CFN-21)", async () => {
    const types = await aws(
      ctl.url,
      "cloudformation",
      "create-stack",
      "--stack-name",
      "s3",
      "--template-body",
      "Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
    );
    expect(types.stderr).toContain(
      "(ValidationError) when calling the CreateStack operation: Template format error: Unrecognized resource types: [AWS::S3::Bucket]",
    );
    const body = file(
      "bad-prop.yaml",
      "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.44.0.0/16, Colour: blue }\n",
    );
    await awsJson(
      "cloudformation",
      "create-stack",
      "--stack-name",
      "badprop",
      "--template-body",
      `file://${body}`,
    );
    expect(
      (
        await aws(
          ctl.url,
          "cloudformation",
          "wait",
          "stack-create-complete",
          "--stack-name",
          "badprop",
        )
      ).code,
    ).toBe(255);
    const failed = (await events("badprop")).find((e) => e.ResourceStatus === "CREATE_FAILED");
    expect(failed?.ResourceStatusReason).toBe(
      "Properties validation failed for resource Vpc with message: [#: extraneous key [Colour] is not permitted]",
    );
    expect((await stack("badprop")).StackStatus).toBe("ROLLBACK_COMPLETE");
    const yaml = await aws(
      ctl.url,
      "cloudformation",
      "validate-template",
      "--template-body",
      "Resources:\n  A: [unclosed\n",
    );
    expect(yaml.stderr).toMatch(
      /\(ValidationError\) when calling the ValidateTemplate operation: Template format error: YAML not well-formed\. \(line \d+, column \d+\)/,
    );
  });

  it("keeps an export in use from being deleted (CFN-16)", async () => {
    const producer = file(
      "producer.yaml",
      "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.45.0.0/16 }\nOutputs:\n  VpcId:\n    Value: !Ref Vpc\n    Export: { Name: shared-vpc }\n",
    );
    const consumer = file(
      "consumer.yaml",
      "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: uses shared-vpc, VpcId: !ImportValue shared-vpc }\n",
    );
    const missing = await aws(
      ctl.url,
      "cloudformation",
      "create-stack",
      "--stack-name",
      "consumer",
      "--template-body",
      `file://${consumer}`,
    );
    expect(missing.stderr).toContain("No export named shared-vpc found.");
    expect(
      (
        await aws(
          ctl.url,
          "cloudformation",
          "deploy",
          "--stack-name",
          "producer",
          "--template-file",
          producer,
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await aws(
          ctl.url,
          "cloudformation",
          "deploy",
          "--stack-name",
          "consumer",
          "--template-file",
          consumer,
        )
      ).code,
    ).toBe(0);
    const exports = (await awsJson("cloudformation", "list-exports"))["Exports"] as Array<{
      Name: string;
    }>;
    const producerStack = await stack("producer");
    expect(exports.filter((e) => e.Name === "shared-vpc")).toEqual([
      {
        ExportingStackId: producerStack.StackId,
        Name: "shared-vpc",
        Value: output(producerStack, "VpcId"),
      },
    ]);
    expect(await awsJson("cloudformation", "list-imports", "--export-name", "shared-vpc")).toEqual({
      Imports: ["consumer"],
    });
    await awsJson("cloudformation", "delete-stack", "--stack-name", "producer");
    const wait = await aws(
      ctl.url,
      "cloudformation",
      "wait",
      "stack-delete-complete",
      "--stack-name",
      "producer",
    );
    expect(wait.code).toBe(255);
    const p = await stack("producer");
    expect(p.StackStatus).toBe("DELETE_FAILED");
    expect(p.StackStatusReason).toBe(
      "Export shared-vpc cannot be deleted as it is in use by consumer",
    );
    for (const name of ["consumer", "producer"]) {
      await awsJson("cloudformation", "delete-stack", "--stack-name", name);
      expect(
        (
          await aws(
            ctl.url,
            "cloudformation",
            "wait",
            "stack-delete-complete",
            "--stack-name",
            name,
          )
        ).code,
      ).toBe(0);
    }
  });

  it("keeps stacks, events and change sets across a controller restart (CFN-28)", async () => {
    const state = join(home, "state.db");
    let c = await startController(state);
    try {
      const body = file(
        "keep.yaml",
        "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.46.0.0/16 }\n",
      );
      const r = await aws(
        c.url,
        "cloudformation",
        "deploy",
        "--stack-name",
        "keep",
        "--template-file",
        body,
      );
      expect(r.code, r.stderr).toBe(0);
      await c.stop();
      c = await startController(state);
      const out = await aws(c.url, "cloudformation", "describe-stacks", "--stack-name", "keep");
      expect((JSON.parse(out.stdout) as { Stacks: Stack[] }).Stacks[0]?.StackStatus).toBe(
        "CREATE_COMPLETE",
      );
      const ev = await aws(
        c.url,
        "cloudformation",
        "describe-stack-events",
        "--stack-name",
        "keep",
      );
      expect((JSON.parse(ev.stdout) as { StackEvents: Event[] }).StackEvents.length).toBe(5);
      const sets = await aws(c.url, "cloudformation", "list-change-sets", "--stack-name", "keep");
      expect((JSON.parse(sets.stdout) as { Summaries: unknown[] }).Summaries.length).toBe(1);
      const del = await aws(c.url, "cloudformation", "delete-stack", "--stack-name", "keep");
      expect(del.code).toBe(0);
      expect(
        (
          await aws(
            c.url,
            "cloudformation",
            "wait",
            "stack-delete-complete",
            "--stack-name",
            "keep",
          )
        ).code,
      ).toBe(0);
    } finally {
      await c.stop();
    }
  });
});
