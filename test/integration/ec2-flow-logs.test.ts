/**
 * CreateFlowLogs, DescribeFlowLogs and DeleteFlowLogs through @aws-sdk/client-ec2 against the
 * in-process controller (docs/observability.md FLW-1..FLW-5): shapes, filters, `Unsuccessful`
 * items, request errors, and persistence across a restart on the same state file.
 *
 *   EC2Client --HTTP--> Controller #1 (state.db) --stop--> Controller #2 (same state.db)
 */
import {
  CreateFlowLogsCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DeleteTagsCommand,
  DescribeFlowLogsCommand,
  DescribeTagsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { DEFAULT_LOG_FORMAT } from "../../controller/model/flow-log.js";
import { ec2Failure } from "../helpers/ec2-failure.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-flow-logs-"));
const statePath = join(dir, "state.db");
let ctl: StartedController;
let ec2: EC2Client;
let vpcId = "";
let subnetId = "";

async function start(): Promise<void> {
  ctl = await new Controller({ listen: "127.0.0.1:0", statePath, log: () => {} }).start();
  ec2 = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  await start();
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
  subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.9.1.0/24" })))
    .Subnet!.SubnetId!;
});

afterAll(async () => {
  ec2?.destroy();
  await ctl?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const s3 = (resourceIds: string[], extra: Record<string, unknown> = {}) =>
  new CreateFlowLogsCommand({
    ResourceIds: resourceIds,
    ResourceType: "VPC",
    TrafficType: "ALL",
    LogDestinationType: "s3",
    LogDestination: "arn:aws:s3:::flow-bucket/prefix/",
    ...extra,
  });

describe("CreateFlowLogs / DescribeFlowLogs / DeleteFlowLogs", () => {
  let vpcLog = "";
  let subnetLog = "";

  it("creates an S3 flow log on a VPC with the default format and shows it (FLW-1)", async () => {
    const out = await ec2.send(
      s3([vpcId], {
        TagSpecifications: [
          { ResourceType: "vpc-flow-log", Tags: [{ Key: "team", Value: "net" }] },
        ],
      }),
    );
    expect(out.Unsuccessful).toEqual([]);
    expect(out.FlowLogIds).toHaveLength(1);
    vpcLog = out.FlowLogIds![0]!;
    expect(vpcLog).toMatch(/^fl-[0-9a-f]{17}$/);
    const d = await ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [vpcLog] }));
    const f = d.FlowLogs![0]!;
    expect(f).toMatchObject({
      FlowLogId: vpcLog,
      FlowLogStatus: "ACTIVE",
      DeliverLogsStatus: "SUCCESS",
      ResourceId: vpcId,
      TrafficType: "ALL",
      LogDestinationType: "s3",
      LogDestination: "arn:aws:s3:::flow-bucket/prefix/",
      LogFormat: DEFAULT_LOG_FORMAT,
      MaxAggregationInterval: 600,
      Tags: [{ Key: "team", Value: "net" }],
      DestinationOptions: {
        FileFormat: "plain-text",
        HiveCompatiblePartitions: false,
        PerHourPartition: false,
      },
    });
    expect(f.CreationTime).toBeInstanceOf(Date);
  });

  it("creates a CloudWatch Logs flow log on a subnet with a custom v5 format and 60 s", async () => {
    const format = "${version} ${vpc-id} ${flow-direction} ${traffic-path} ${tcp-flags}";
    const out = await ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: [subnetId],
        ResourceType: "Subnet",
        TrafficType: "REJECT",
        LogGroupName: "my-flows",
        DeliverLogsPermissionArn: "arn:aws:iam::123456789012:role/flows",
        LogFormat: format,
        MaxAggregationInterval: 60,
      }),
    );
    subnetLog = out.FlowLogIds![0]!;
    const f = (await ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [subnetLog] })))
      .FlowLogs![0]!;
    expect(f).toMatchObject({
      LogDestinationType: "cloud-watch-logs",
      LogGroupName: "my-flows",
      LogDestination: "arn:aws:logs:us-east-1:123456789012:log-group:my-flows",
      DeliverLogsPermissionArn: "arn:aws:iam::123456789012:role/flows",
      LogFormat: format,
      MaxAggregationInterval: 60,
      TrafficType: "REJECT",
    });
  });

  it("filters by resource-id, traffic-type, log-destination-type and tag", async () => {
    const ids = async (Name: string, Values: string[]) =>
      (await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name, Values }] }))).FlowLogs!.map(
        (f) => f.FlowLogId,
      );
    expect(await ids("resource-id", [subnetId])).toEqual([subnetLog]);
    expect(await ids("traffic-type", ["ALL"])).toEqual([vpcLog]);
    expect(await ids("log-destination-type", ["cloud-watch-logs"])).toEqual([subnetLog]);
    expect(await ids("tag:team", ["net"])).toEqual([vpcLog]);
    expect(await ids("flow-log-id", [vpcLog, subnetLog])).toEqual([vpcLog, subnetLog]);
  });

  it("tags flow logs with CreateTags/DeleteTags and lists them in DescribeTags", async () => {
    await ec2.send(
      new CreateTagsCommand({ Resources: [subnetLog], Tags: [{ Key: "env", Value: "dev" }] }),
    );
    const tags = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["vpc-flow-log"] }] }),
    );
    expect(tags.Tags).toEqual([
      { ResourceId: vpcLog, ResourceType: "vpc-flow-log", Key: "team", Value: "net" },
      { ResourceId: subnetLog, ResourceType: "vpc-flow-log", Key: "env", Value: "dev" },
    ]);
    await ec2.send(new DeleteTagsCommand({ Resources: [subnetLog], Tags: [{ Key: "env" }] }));
    const f = await ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: [subnetLog] }));
    expect(f.FlowLogs![0]!.Tags).toEqual([]);
    const e = await ec2Failure(
      ec2.send(
        new CreateTagsCommand({
          Resources: [vpcId, "fl-0123456789abcdef0"],
          Tags: [{ Key: "a", Value: "b" }],
        }),
      ),
    );
    expect(e.code).toBe("InvalidFlowLogId.NotFound");
  });

  it("answers an unknown resource and a duplicate as Unsuccessful items (FLW-4)", async () => {
    const out = await ec2.send(s3([vpcId, "vpc-0123456789abcdef0"]));
    expect(out.FlowLogIds).toEqual([]);
    expect(out.Unsuccessful).toEqual([
      {
        ResourceId: vpcId,
        Error: {
          Code: "FlowLogAlreadyExists",
          Message:
            "Error. There is an existing Flow Log with the same configuration and log destination.",
        },
      },
      {
        ResourceId: "vpc-0123456789abcdef0",
        Error: {
          Code: "InvalidVpcID.NotFound",
          Message: "The vpc ID 'vpc-0123456789abcdef0' does not exist",
        },
      },
    ]);
  });

  it.each([
    [
      "an unknown LogFormat field, naming it (FLW-2)",
      { LogFormat: "${version} ${foo} ${srcaddr}" },
      "InvalidParameter",
      "Unknown fields provided: ${foo}",
    ],
    [
      "a LogFormat that is not ${field} tokens",
      { LogFormat: "version srcaddr" },
      "InvalidParameter",
      "has an invalid format",
    ],
    [
      "a MaxAggregationInterval other than 60 or 600 (FLW-1)",
      { MaxAggregationInterval: 300 },
      "InvalidParameter",
      "Invalid MaxAggregationInterval 300",
    ],
    ["an unknown TrafficType", { TrafficType: "SOME" }, "InvalidParameterValue", "TrafficType"],
    [
      "cloud-watch-logs without DeliverLogsPermissionArn",
      { LogDestinationType: "cloud-watch-logs", LogDestination: undefined, LogGroupName: "g" },
      "InvalidParameter",
      "DeliverLogsPermissionArn must be provided",
    ],
    [
      "a relative file destination",
      { LogDestination: "file://flows.log" },
      "InvalidParameterValue",
      "followed by an absolute path",
    ],
  ])("refuses %s", async (_name, extra, code, message) => {
    const e = await ec2Failure(ec2.send(s3([vpcId], { TrafficType: "REJECT", ...extra })));
    expect(e.code).toBe(code);
    expect(e.status).toBe(400);
    expect(e.message).toContain(message);
  });

  it("takes arn:vpcemu:file::: (the aws CLI form) and refuses a file that is no flow log (FLW-5)", async () => {
    const foreign = join(dir, "notes.txt");
    writeFileSync(foreign, "my notes\n");
    const e = await ec2Failure(
      ec2.send(s3([subnetId], { ResourceType: "Subnet", LogDestination: `file://${foreign}` })),
    );
    expect(e.code).toBe("InvalidParameterValue");
    expect(e.message).toContain("does not begin with this format's header line");
    const missingDir = await ec2Failure(
      ec2.send(
        s3([subnetId], { ResourceType: "Subnet", LogDestination: `file://${dir}/no/x.log` }),
      ),
    );
    expect(missingDir.message).toContain("does not exist");
    const out = await ec2.send(
      s3([subnetId], {
        ResourceType: "Subnet",
        LogDestination: `arn:vpcemu:file:::${join(dir, "subnet.log")}`,
      }),
    );
    expect(out.Unsuccessful).toEqual([]);
    await ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: out.FlowLogIds }));
  });

  it("keeps flow logs across a restart, then deletes them; an unknown id is Unsuccessful", async () => {
    ec2.destroy();
    await ctl.stop();
    await start();
    const d = await ec2.send(new DescribeFlowLogsCommand({}));
    expect(d.FlowLogs!.map((f) => f.FlowLogId)).toEqual([vpcLog, subnetLog]);
    expect(d.FlowLogs![1]!.LogFormat).toBe(
      "${version} ${vpc-id} ${flow-direction} ${traffic-path} ${tcp-flags}",
    );
    const del = await ec2.send(
      new DeleteFlowLogsCommand({ FlowLogIds: [vpcLog, "fl-0123456789abcdef0"] }),
    );
    expect(del.Unsuccessful).toEqual([
      {
        ResourceId: "fl-0123456789abcdef0",
        Error: {
          Code: "InvalidFlowLogId.NotFound",
          Message:
            "These flow log ids in the input list are not found: [TotalCount: 1] fl-0123456789abcdef0",
        },
      },
    ]);
    const after = await ec2.send(new DescribeFlowLogsCommand({}));
    expect(after.FlowLogs!.map((f) => f.FlowLogId)).toEqual([subnetLog]);
  });
});
