/**
 * CloudFormation through the AWS SDK for JavaScript v3 (@aws-sdk/client-cloudformation) and its
 * waiters, against an in-process Controller on loopback: templates checked as AWS checks them,
 * create / change set / update / delete with the SDK's own waiters, errors as the SDK's typed
 * exceptions. AWS-BEHAVIOUR CFN-1..CFN-19.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AlreadyExistsException,
  ChangeSetNotFoundException,
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  ListStacksCommand,
  ValidateTemplateCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import {
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";

const EXAMPLES = join(import.meta.dirname, "../../examples/cloudformation");
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

let ctl: StartedController;
let cfn: CloudFormationClient;
let ec2: EC2Client;

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  cfn = new CloudFormationClient({
    endpoint: ctl.url,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
  });
  ec2 = new EC2Client({ endpoint: ctl.url, region: "us-east-1", credentials, maxAttempts: 1 });
});
afterAll(async () => {
  cfn.destroy();
  ec2.destroy();
  await ctl.stop();
});

const waiter = { client: () => cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 };

describe("CloudFormation through @aws-sdk/client-cloudformation", { timeout: 120_000 }, () => {
  it("answers ValidationError for the seed as written (CFN-5)", async () => {
    const body = readFileSync(join(EXAMPLES, "seed-security-group-as-written.yaml"), "utf8");
    const err = await cfn
      .send(new ValidateTemplateCommand({ TemplateBody: body }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: "ValidationError",
      message:
        "Circular dependency between resources: [EC2SecurityGroup, EC2SecurityGroupIngressHttp, EC2SecurityGroupIngressHttps]",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("creates, updates through a change set, and deletes the seed's valid form with the SDK's waiters", async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.51.0.0/16" }))).Vpc
      ?.VpcId as string;
    const body = readFileSync(join(EXAMPLES, "seed-security-group.yaml"), "utf8");
    const valid = await cfn.send(new ValidateTemplateCommand({ TemplateBody: body }));
    expect(valid.Parameters).toEqual([
      {
        ParameterKey: "VpcId",
        DefaultValue: "",
        NoEcho: false,
        Description: "VPC for the group; empty means the default VPC",
      },
    ]);
    const created = await cfn.send(
      new CreateStackCommand({
        StackName: "sdk",
        TemplateBody: body,
        Parameters: [{ ParameterKey: "VpcId", ParameterValue: vpcId }],
      }),
    );
    expect(created.StackId).toMatch(
      /^arn:aws:cloudformation:us-east-1:\d{12}:stack\/sdk\/[0-9a-f-]{36}$/,
    );
    const done = await waitUntilStackCreateComplete(
      { ...waiter, client: cfn },
      { StackName: "sdk" },
    );
    expect(done.state).toBe("SUCCESS");
    const dup = await cfn
      .send(new CreateStackCommand({ StackName: "sdk", TemplateBody: body }))
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(AlreadyExistsException);
    expect((dup as Error).message).toBe("Stack [sdk] already exists");

    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "sdk" }))).Stacks?.[0];
    expect(stack).toMatchObject({
      StackName: "sdk",
      StackStatus: "CREATE_COMPLETE",
      Parameters: [{ ParameterKey: "VpcId", ParameterValue: vpcId }],
    });
    const groupId = stack?.Outputs?.find((o) => o.OutputKey === "GroupId")?.OutputValue as string;
    const group = await cfn.send(
      new DescribeStackResourceCommand({ StackName: "sdk", LogicalResourceId: "EC2SecurityGroup" }),
    );
    expect(group.StackResourceDetail).toMatchObject({
      PhysicalResourceId: groupId,
      ResourceType: "AWS::EC2::SecurityGroup",
      ResourceStatus: "CREATE_COMPLETE",
    });
    expect((await cfn.send(new GetTemplateCommand({ StackName: "sdk" }))).TemplateBody).toBe(body);
    const summary = await cfn.send(new GetTemplateSummaryCommand({ StackName: "sdk" }));
    expect(summary.ResourceTypes).toEqual([
      "AWS::EC2::SecurityGroup",
      "AWS::EC2::SecurityGroupIngress",
    ]);

    // A change set that narrows HTTP to one range: Modify, in place.
    const narrowed = body.replace(
      "CidrIp: 0.0.0.0/0\n      Description: Allow HTTP access",
      "CidrIp: 192.0.2.0/24\n      Description: Allow HTTP access",
    );
    expect(narrowed).not.toBe(body);
    const cs = await cfn.send(
      new CreateChangeSetCommand({
        StackName: "sdk",
        ChangeSetName: "narrow-http",
        ChangeSetType: "UPDATE",
        TemplateBody: narrowed,
        Parameters: [{ ParameterKey: "VpcId", UsePreviousValue: true }],
      }),
    );
    await waitUntilChangeSetCreateComplete(
      { ...waiter, client: cfn },
      { StackName: "sdk", ChangeSetName: "narrow-http" },
    );
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: cs.Id }));
    expect(described).toMatchObject({
      Status: "CREATE_COMPLETE",
      ExecutionStatus: "AVAILABLE",
      StackName: "sdk",
    });
    expect(
      described.Changes?.map((c) => [
        c.ResourceChange?.Action,
        c.ResourceChange?.LogicalResourceId,
        c.ResourceChange?.Replacement,
      ]),
    ).toEqual([["Modify", "EC2SecurityGroupIngressHttp", "True"]]);
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: "narrow-http", StackName: "sdk" }));
    expect(
      (await waitUntilStackUpdateComplete({ ...waiter, client: cfn }, { StackName: "sdk" })).state,
    ).toBe("SUCCESS");
    const perms =
      (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
        .SecurityGroups?.[0]?.IpPermissions ?? [];
    expect(
      perms.flatMap((p) => (p.IpRanges ?? []).map((r) => `${p.FromPort} ${r.CidrIp}`)).sort(),
    ).toEqual(["443 0.0.0.0/0", "80 192.0.2.0/24"]);

    const missing = await cfn
      .send(new DescribeChangeSetCommand({ ChangeSetName: "nope", StackName: "sdk" }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ChangeSetNotFoundException);
    expect((missing as Error).message).toBe("ChangeSet [nope] does not exist");

    await cfn.send(new DeleteStackCommand({ StackName: "sdk" }));
    expect(
      (await waitUntilStackDeleteComplete({ ...waiter, client: cfn }, { StackName: "sdk" })).state,
    ).toBe("SUCCESS");
    const listed = await cfn.send(
      new ListStacksCommand({ StackStatusFilter: ["DELETE_COMPLETE"] }),
    );
    expect(listed.StackSummaries?.map((s) => s.StackName)).toContain("sdk");
    const gone = await ec2
      .send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))
      .catch((e: unknown) => e);
    expect(gone).toMatchObject({ name: "InvalidGroup.NotFound" });
  });

  it("creates the seed's group in the default VPC when no VpcId is given (CFN-20, DEF default VPC)", async () => {
    const body = readFileSync(join(EXAMPLES, "seed-security-group.yaml"), "utf8");
    await cfn.send(new CreateStackCommand({ StackName: "seed-default", TemplateBody: body }));
    expect(
      (
        await waitUntilStackCreateComplete(
          { ...waiter, client: cfn },
          { StackName: "seed-default" },
        )
      ).state,
    ).toBe("SUCCESS");
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "seed-default" })))
      .Stacks?.[0];
    const groupId = stack?.Outputs?.find((o) => o.OutputKey === "GroupId")?.OutputValue as string;
    const defaultVpc = (
      await ec2.send(
        new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }),
      )
    ).Vpcs?.[0]?.VpcId;
    expect(defaultVpc).toMatch(/^vpc-/);
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
      .SecurityGroups?.[0];
    expect(group).toMatchObject({ GroupName: "seed-default-sg", VpcId: defaultVpc });
    await cfn.send(new DeleteStackCommand({ StackName: "seed-default" }));
    expect(
      (
        await waitUntilStackDeleteComplete(
          { ...waiter, client: cfn },
          { StackName: "seed-default" },
        )
      ).state,
    ).toBe("SUCCESS");
  });

  it("answers Stack with id X does not exist for an unknown stack (CFN-11)", async () => {
    const err = await cfn
      .send(new DescribeStacksCommand({ StackName: "never" }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: "ValidationError",
      message: "Stack with id never does not exist",
    });
  });
});
