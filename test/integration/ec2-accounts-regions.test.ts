/**
 * Accounts and regions (docs/ec2-api.md "Accounts and regions"): the account comes from the
 * access key (12 digits = that account, else the default 123456789012), the region from the
 * signature scope; each account and region sees only its own resources, has its own quotas, and
 * its ARNs and owner ids follow. Driven by the AWS SDK against a real Controller.
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { ec2Failure } from "../helpers/ec2-failure.js";

let ctl: StartedController;
const clients: EC2Client[] = [];

function client(accessKeyId: string, region = "us-east-1"): EC2Client {
  const c = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey: "x" },
    maxAttempts: 1,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await ctl?.stop();
});

describe("state partitioned by account and region", () => {
  it("shows a VPC only to its own account and region, owned and ARN'd by them (ACC-1)", async () => {
    const a = client("111111111111", "us-west-2");
    const vpc = (await a.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!;
    expect(vpc.OwnerId).toBe("111111111111");
    const sg = await a.send(
      new CreateSecurityGroupCommand({ GroupName: "g", Description: "d", VpcId: vpc.VpcId }),
    );
    expect(sg.SecurityGroupArn).toBe(
      `arn:aws:ec2:us-west-2:111111111111:security-group/${sg.GroupId}`,
    );
    const mine = await a.send(new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] }));
    expect(mine.Vpcs?.[0]?.OwnerId).toBe("111111111111");
    for (const other of [
      client("111111111111", "us-east-1"),
      client("222222222222", "us-west-2"),
    ]) {
      expect(
        await ec2Failure(other.send(new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] }))),
      ).toMatchObject({
        code: "InvalidVpcID.NotFound",
        message: `The vpc ID '${vpc.VpcId}' does not exist`,
      });
      const listed = await other.send(new DescribeVpcsCommand({}));
      expect(listed.Vpcs?.map((v) => v.VpcId)).not.toContain(vpc.VpcId);
      expect(
        await ec2Failure(
          other.send(new CreateSubnetCommand({ VpcId: vpc.VpcId!, CidrBlock: "10.1.1.0/24" })),
        ),
      ).toMatchObject({ code: "InvalidVpcID.NotFound" });
      expect(
        await ec2Failure(
          other.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg.GroupId!] })),
        ),
      ).toMatchObject({ code: "InvalidGroup.NotFound" });
    }
  });

  it("counts the VPC quota (Q-6: 5 per Region) per account and region (ACC-1)", async () => {
    const a = client("333333333333", "eu-west-1");
    const existing = (await a.send(new DescribeVpcsCommand({}))).Vpcs?.length ?? 0;
    for (let i = existing; i < 5; i++)
      await a.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));
    expect(
      await ec2Failure(a.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))),
    ).toMatchObject({ code: "VpcLimitExceeded" });
    // Another region of the same account, and another account, are not affected.
    await client("333333333333", "eu-west-2").send(
      new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }),
    );
    await client("444444444444", "eu-west-1").send(
      new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }),
    );
  });

  it("maps any key that is not 12 digits to the default account 123456789012 (ACC-2)", async () => {
    const vpc = (
      await client("AKIDEXAMPLE").send(new CreateVpcCommand({ CidrBlock: "10.5.0.0/16" }))
    ).Vpc!;
    expect(vpc.OwnerId).toBe("123456789012");
    const seen = await client("123456789012").send(
      new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] }),
    );
    expect(seen.Vpcs).toHaveLength(1);
  });
});
