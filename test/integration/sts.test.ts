/**
 * STS on the controller's one endpoint (docs/ec2-api.md "STS"), driven by the real `aws` CLI and
 * raw Query requests: GetCallerIdentity per access key, AssumeRole into another account and the
 * issued credentials acting there, GetSessionToken, AWS's ValidationError shapes, and auth mode
 * accepting issued session credentials.
 *
 *   aws CLI / fetch --HTTP--> Controller 127.0.0.1:<port> (":memory:")  sts | ec2 by signature scope
 */
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { AwsCli } from "../helpers/aws-cli.js";

let ctl: StartedController;
let authed: StartedController;
let cli: AwsCli;

interface Identity {
  Account: string;
  Arn: string;
  UserId: string;
}
interface Assumed {
  Credentials: {
    AccessKeyId: string;
    SecretAccessKey: string;
    SessionToken: string;
    Expiration: string;
  };
  AssumedRoleUser: { Arn: string; AssumedRoleId: string };
}

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  authed = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    authKeys: { AKIDAUTH: "secret-auth", "333333333333": "secret-333" },
    log: () => {},
  }).start();
  cli = new AwsCli({ endpoint: ctl.url });
});

afterAll(async () => {
  cli?.dispose();
  await ctl?.stop();
  await authed?.stop();
});

describe("STS GetCallerIdentity", () => {
  it("answers the default account's root for a key that is not an account id (STS-2, ACC-2)", async () => {
    const id = await cli.json<Identity>(["sts", "get-caller-identity"]);
    expect(id).toEqual({
      Account: "123456789012",
      Arn: "arn:aws:iam::123456789012:root",
      UserId: "123456789012",
    });
  });

  it("takes a 12-digit access key id as the account (ACC-2)", async () => {
    const id = await cli.json<Identity>(["sts", "get-caller-identity"], {
      accessKeyId: "111111111111",
    });
    expect(id.Account).toBe("111111111111");
    expect(id.Arn).toBe("arn:aws:iam::111111111111:root");
  });

  it("answers an unsigned Query request picked by Version=2011-06-15 in awsQuery XML", async () => {
    const res = await fetch(ctl.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<GetCallerIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:root<\/Arn><UserId>123456789012<\/UserId><Account>123456789012<\/Account><\/GetCallerIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetCallerIdentityResponse>$/,
    );
  });

  it("answers an unknown STS action with InvalidAction in the awsQuery error body", async () => {
    const res = await fetch(ctl.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=DecodeAuthorizationMessage&Version=2011-06-15",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(
      "<Error><Type>Sender</Type><Code>InvalidAction</Code><Message>The action DecodeAuthorizationMessage is not valid for this web service.</Message></Error>",
    );
  });
});

describe("STS AssumeRole", () => {
  it("issues credentials that act as the assumed role in the role's account (STS-3)", async () => {
    const a = await cli.json<Assumed>(
      [
        "sts",
        "assume-role",
        "--role-arn",
        "arn:aws:iam::222222222222:role/deploy/terraform",
        "--role-session-name",
        "ci-run",
        "--duration-seconds",
        "900",
      ],
      { accessKeyId: "111111111111" },
    );
    expect(a.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(a.Credentials.SecretAccessKey).toHaveLength(40);
    expect(Date.parse(a.Credentials.Expiration) - Date.now()).toBeGreaterThan(800_000);
    expect(Date.parse(a.Credentials.Expiration) - Date.now()).toBeLessThanOrEqual(900_000);
    expect(a.AssumedRoleUser.Arn).toBe("arn:aws:sts::222222222222:assumed-role/terraform/ci-run");
    expect(a.AssumedRoleUser.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:ci-run$/);
    const as = {
      accessKeyId: a.Credentials.AccessKeyId,
      secretAccessKey: a.Credentials.SecretAccessKey,
      sessionToken: a.Credentials.SessionToken,
    };
    const id = await cli.json<Identity>(["sts", "get-caller-identity"], as);
    expect(id).toEqual({
      Account: "222222222222",
      Arn: a.AssumedRoleUser.Arn,
      UserId: a.AssumedRoleUser.AssumedRoleId,
    });
    // The same role answers the same role id in every session.
    const b = await cli.json<Assumed>([
      "sts",
      "assume-role",
      "--role-arn",
      "arn:aws:iam::222222222222:role/deploy/terraform",
      "--role-session-name",
      "other",
    ]);
    expect(b.AssumedRoleUser.AssumedRoleId.split(":")[0]).toBe(
      a.AssumedRoleUser.AssumedRoleId.split(":")[0],
    );
  });

  it.each([
    [
      "RoleArn=arn:aws:iam::222222222222:role/x&RoleSessionName=a",
      "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64",
    ],
    [
      "RoleArn=arn:aws:iam::222222222222:role/x&RoleSessionName=bad%20name",
      "1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    ],
    [
      "RoleArn=arn:aws:iam::222222222222:role/x&RoleSessionName=ok&DurationSeconds=60",
      "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    ],
    [
      "RoleArn=arn:aws:iam::222222222222:role/x",
      "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    ],
    [
      "RoleArn=arn:aws:iam::2222:user/not-a-role&RoleSessionName=ok",
      "arn:aws:iam::2222:user/not-a-role is invalid",
    ],
  ])("refuses %s with ValidationError (400)", async (form, message) => {
    const res = await fetch(ctl.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `Action=AssumeRole&Version=2011-06-15&${form}`,
    });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toContain("<Code>ValidationError</Code>");
    expect(xml).toContain(`<Message>${message}</Message>`);
  });

  it("refuses through the aws CLI too (the CLI's own checks pass, vpcemu's do not)", async () => {
    const r = await cli.run([
      "sts",
      "assume-role",
      "--role-arn",
      "arn:aws:iam::222222222222:role/x",
      "--role-session-name",
      "bad name",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("(ValidationError)");
  });
});

describe("STS GetSessionToken", () => {
  it("issues session credentials of the caller's own account, refused for session credentials", async () => {
    const s = await cli.json<{ Credentials: Assumed["Credentials"] }>(
      ["sts", "get-session-token"],
      { accessKeyId: "444444444444" },
    );
    const as = {
      accessKeyId: s.Credentials.AccessKeyId,
      secretAccessKey: s.Credentials.SecretAccessKey,
      sessionToken: s.Credentials.SessionToken,
    };
    expect((await cli.json<Identity>(["sts", "get-caller-identity"], as)).Account).toBe(
      "444444444444",
    );
    const again = await cli.run(["sts", "get-session-token"], as);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("(AccessDenied)");
    expect(again.stderr).toContain("Cannot call GetSessionToken with session credentials");
  });
});

describe("STS in auth mode (--auth-keys)", () => {
  it("verifies signatures for service sts and accepts the session credentials it issued", async () => {
    const auth = new AwsCli({ endpoint: authed.url });
    try {
      const bad = await auth.run(["sts", "get-caller-identity"], {
        accessKeyId: "AKIDAUTH",
        secretAccessKey: "wrong",
      });
      expect(bad.stderr).toContain("(SignatureDoesNotMatch)");
      const a = await auth.json<Assumed>(
        [
          "sts",
          "assume-role",
          "--role-arn",
          "arn:aws:iam::555555555555:role/r",
          "--role-session-name",
          "ss",
        ],
        { accessKeyId: "333333333333", secretAccessKey: "secret-333" },
      );
      const as = {
        accessKeyId: a.Credentials.AccessKeyId,
        secretAccessKey: a.Credentials.SecretAccessKey,
        sessionToken: a.Credentials.SessionToken,
      };
      expect((await auth.json<Identity>(["sts", "get-caller-identity"], as)).Account).toBe(
        "555555555555",
      );
      const vpcs = await auth.json<{ Vpcs: unknown[] }>(["ec2", "describe-vpcs"], as);
      expect(Array.isArray(vpcs.Vpcs)).toBe(true);
      const forged = await auth.run(["sts", "get-caller-identity"], {
        ...as,
        sessionToken: "forged",
      });
      expect(forged.stderr).toContain("(InvalidClientTokenId)");
    } finally {
      auth.dispose();
    }
  });
});

describe("STS through @aws-sdk/client-sts", () => {
  it("answers GetCallerIdentity and AssumeRole, and the assumed credentials act in the role's account for EC2 (STS-2, STS-3, ACC-2)", async () => {
    const sts = new STSClient({
      endpoint: ctl.url,
      region: "us-east-1",
      credentials: { accessKeyId: "111111111111", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    try {
      expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
        Account: "111111111111",
        Arn: "arn:aws:iam::111111111111:root",
        UserId: "111111111111",
      });
      const a = await sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::666666666666:role/ci",
          RoleSessionName: "sdk",
          DurationSeconds: 900,
        }),
      );
      expect(a.AssumedRoleUser?.Arn).toBe("arn:aws:sts::666666666666:assumed-role/ci/sdk");
      expect(a.Credentials?.Expiration).toBeInstanceOf(Date);
      const creds = {
        accessKeyId: a.Credentials!.AccessKeyId!,
        secretAccessKey: a.Credentials!.SecretAccessKey!,
        sessionToken: a.Credentials!.SessionToken!,
      };
      const as = new STSClient({
        endpoint: ctl.url,
        region: "eu-west-1",
        credentials: creds,
        maxAttempts: 1,
      });
      const ec2 = new EC2Client({
        endpoint: ctl.url,
        region: "eu-west-1",
        credentials: creds,
        maxAttempts: 1,
      });
      try {
        expect((await as.send(new GetCallerIdentityCommand({}))).Account).toBe("666666666666");
        const vpcs = await ec2.send(new DescribeVpcsCommand({}));
        expect(vpcs.Vpcs?.map((v) => [v.OwnerId, v.IsDefault])).toEqual([["666666666666", true]]);
      } finally {
        as.destroy();
        ec2.destroy();
      }
      const bad = await sts
        .send(
          new AssumeRoleCommand({
            RoleArn: "arn:aws:iam::666666666666:role/ci",
            RoleSessionName: "a b",
          }),
        )
        .catch((e: { name: string; message: string }) => e);
      expect(bad).toMatchObject({ name: "ValidationError" });
    } finally {
      sts.destroy();
    }
  });
});
