/**
 * The seed walkthrough run VERBATIM with the real `aws` binary (aws-cli v1 from pyenv here;
 * CI installs Debian's awscli) against the EC2 handler on loopback. A missing `aws` FAILS this
 * test, naming the prerequisite; it never skips (STYLE §6).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

let server: Ec2TestServer;
let home: string;

beforeAll(async () => {
  server = await startEc2Server();
  home = mkdtempSync(join(tmpdir(), "vpcemu-awscli-"));
});
afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

interface AwsResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aws <args> --endpoint-url ...` with static credentials and no user config. */
function aws(...args: string[]): Promise<AwsResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "aws",
      [...args, "--endpoint-url", server.endpoint, "--output", "json"],
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
        timeout: 60_000,
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
  const r = await aws(...args);
  if (r.code !== 0) throw new Error(`aws ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim() === "" ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
}

interface Perm {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges: Array<{ CidrIp: string }>;
  UserIdGroupPairs: Array<{ GroupId: string; UserId?: string }>;
}
interface Group {
  GroupId: string;
  GroupName: string;
  Description: string;
  IpPermissions: Perm[];
  IpPermissionsEgress: Perm[];
}

async function describeGroup(id: string): Promise<Group> {
  const r = await awsJson("ec2", "describe-security-groups", "--group-ids", id);
  return (r["SecurityGroups"] as Group[])[0] as Group;
}

describe("aws CLI walkthrough", () => {
  it("creates a VPC and a web SG, opens port 80, revokes the default egress, references groups", async () => {
    const version = await aws("--version");
    expect(version.code).toBe(0);

    // aws ec2 create-vpc --cidr-block 10.0.0.0/16
    const vpc = (await awsJson("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"))["Vpc"] as {
      VpcId: string;
    };
    expect(vpc.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);

    // aws ec2 create-security-group --group-name my-web-sg --description "Security group for web server" --vpc-id vpc-...
    const created = await awsJson(
      "ec2",
      "create-security-group",
      "--group-name",
      "my-web-sg",
      "--description",
      "Security group for web server",
      "--vpc-id",
      vpc.VpcId,
    );
    const webId = created["GroupId"] as string;
    expect(webId).toMatch(/^sg-[0-9a-f]{17}$/);

    // aws ec2 authorize-security-group-ingress --group-id sg-... --protocol tcp --port 80 --cidr 0.0.0.0/0
    const auth = await awsJson(
      "ec2",
      "authorize-security-group-ingress",
      "--group-id",
      webId,
      "--protocol",
      "tcp",
      "--port",
      "80",
      "--cidr",
      "0.0.0.0/0",
    );
    expect(auth["Return"]).toBe(true);

    // aws ec2 describe-security-groups --group-ids sg-...
    let web = await describeGroup(webId);
    expect(web).toMatchObject({
      GroupName: "my-web-sg",
      Description: "Security group for web server",
    });
    expect(web.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: "tcp",
        FromPort: 80,
        ToPort: 80,
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
      }),
    ]);
    // DEF-2: the default outbound rule.
    expect(web.IpPermissionsEgress).toEqual([
      expect.objectContaining({ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
    ]);

    // aws ec2 revoke-security-group-egress --group-id sg-... --protocol -1 --cidr 0.0.0.0/0
    // (aws-cli 1.45 has the --protocol/--cidr shorthand on revoke-security-group-egress; older
    // v1 releases need --ip-permissions IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}] instead.)
    const revoked = await awsJson(
      "ec2",
      "revoke-security-group-egress",
      "--group-id",
      webId,
      "--protocol",
      "-1",
      "--cidr",
      "0.0.0.0/0",
    );
    expect(revoked["Return"]).toBe(true);
    web = await describeGroup(webId);
    expect(web.IpPermissionsEgress).toEqual([]);

    // A database group that admits the web group: --source-group.
    const dbId = (
      await awsJson(
        "ec2",
        "create-security-group",
        "--group-name",
        "my-db-sg",
        "--description",
        "Security group for database",
        "--vpc-id",
        vpc.VpcId,
      )
    )["GroupId"] as string;
    await awsJson(
      "ec2",
      "authorize-security-group-ingress",
      "--group-id",
      dbId,
      "--protocol",
      "tcp",
      "--port",
      "3306",
      "--source-group",
      webId,
    );
    // --ip-permissions with UserIdGroupPairs (shorthand syntax).
    await awsJson(
      "ec2",
      "authorize-security-group-ingress",
      "--group-id",
      dbId,
      "--ip-permissions",
      `IpProtocol=tcp,FromPort=22,ToPort=22,UserIdGroupPairs=[{GroupId=${webId},Description=ssh-from-web}]`,
    );
    // ... and as JSON.
    await awsJson(
      "ec2",
      "authorize-security-group-egress",
      "--group-id",
      webId,
      "--ip-permissions",
      JSON.stringify([
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: dbId }] },
      ]),
    );
    const db = await describeGroup(dbId);
    expect(
      db.IpPermissions.map((p) => [
        p.IpProtocol,
        p.FromPort,
        p.ToPort,
        p.UserIdGroupPairs.map((g) => g.GroupId),
      ]),
    ).toEqual([
      ["tcp", 3306, 3306, [webId]],
      ["tcp", 22, 22, [webId]],
    ]);
    web = await describeGroup(webId);
    expect(web.IpPermissionsEgress.map((p) => p.UserIdGroupPairs.map((g) => g.GroupId))).toEqual([
      [dbId],
    ]);

    // describe-security-group-rules shows each rule with its sgr- id.
    const rules = (
      await awsJson(
        "ec2",
        "describe-security-group-rules",
        "--filters",
        `Name=group-id,Values=${dbId}`,
      )
    )["SecurityGroupRules"] as Array<{ SecurityGroupRuleId: string; IsEgress: boolean }>;
    expect(rules.filter((r) => !r.IsEgress)).toHaveLength(2);
    for (const r of rules) expect(r.SecurityGroupRuleId).toMatch(/^sgr-[0-9a-f]{17}$/);

    // Errors come back as the CLI prints AWS errors (ERR-1, ERR-9).
    const dup = await aws(
      "ec2",
      "authorize-security-group-ingress",
      "--group-id",
      webId,
      "--protocol",
      "tcp",
      "--port",
      "80",
      "--cidr",
      "0.0.0.0/0",
    );
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain("(InvalidPermission.Duplicate)");
    const inUse = await aws("ec2", "delete-security-group", "--group-id", webId);
    expect(inUse.stderr).toContain("(DependencyViolation)");
    expect(inUse.stderr).toContain(`resource ${webId} has a dependent object`);
  }, 120_000);
});
