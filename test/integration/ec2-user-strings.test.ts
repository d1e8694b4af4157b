/**
 * User strings that are also JavaScript's Object.prototype names (`constructor`, `__proto__`,
 * `toString`, ...) are ordinary strings to the EC2 API (issue 14 item 4, ECX-10): as filter names
 * they are unknown filters (400 InvalidParameterValue, never 500), as tag keys they are stored and
 * found, as group names they name groups. TagSpecification tags are checked as CreateTags checks
 * them (issue 14 item 5, ECX-9). Raw Query requests, so the SDK's own validation stays out of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEc2Server, type Ec2TestServer } from "../helpers/ec2-server.js";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype"];
const DESCRIBES = [
  "DescribeVpcs",
  "DescribeSubnets",
  "DescribeNetworkInterfaces",
  "DescribeSecurityGroups",
  "DescribeSecurityGroupRules",
  "DescribeInstances",
  "DescribeNetworkAcls",
  "DescribeRouteTables",
  "DescribeTags",
  "DescribePrefixLists",
  "DescribeManagedPrefixLists",
  "DescribeAvailabilityZones",
  "DescribeRegions",
  "DescribeInstanceTypes",
];

let server: Ec2TestServer;
let vpcId: string;

async function call(params: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(server.endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
  });
  return { status: res.status, body: await res.text() };
}

function code(body: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

beforeAll(async () => {
  server = await startEc2Server();
  const vpc = await call({ Action: "CreateVpc", CidrBlock: "10.0.0.0/16" });
  vpcId = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(vpc.body)![1]!;
  await call({ Action: "CreateSubnet", VpcId: vpcId, CidrBlock: "10.0.1.0/24" });
});

afterAll(async () => {
  await server.close();
});

describe("prototype names as user strings (ECX-10)", () => {
  it("as filter names (and tag: filter keys) on every Describe: never 5xx; unknown filters answer InvalidParameterValue", async () => {
    const bad: string[] = [];
    for (const action of DESCRIBES)
      for (const name of NAMES) {
        const plain = await call({
          Action: action,
          "Filter.1.Name": name,
          "Filter.1.Value.1": "x",
        });
        if (plain.status !== 400 || code(plain.body) !== "InvalidParameterValue")
          bad.push(`${action} Filter ${name}: ${plain.status} ${code(plain.body)}`);
        const tag = await call({
          Action: action,
          "Filter.1.Name": `tag:${name}`,
          "Filter.1.Value.1": "x",
        });
        if (tag.status >= 500) bad.push(`${action} Filter tag:${name}: ${tag.status}`);
      }
    expect(bad).toEqual([]);
  });

  it("as tag keys: CreateTags stores them, DescribeTags and tag: filters find them", async () => {
    const tags: Record<string, string> = {};
    NAMES.forEach((n, i) => {
      tags[`Tag.${i + 1}.Key`] = n;
      tags[`Tag.${i + 1}.Value`] = `v-${n}`;
    });
    const r = await call({ Action: "CreateTags", "ResourceId.1": vpcId, ...tags });
    expect(r.status, r.body).toBe(200);
    const d = await call({
      Action: "DescribeTags",
      "Filter.1.Name": "resource-id",
      "Filter.1.Value.1": vpcId,
    });
    for (const n of NAMES) expect(d.body).toContain(`<key>${n}</key>`);
    for (const n of NAMES) {
      const f = await call({
        Action: "DescribeVpcs",
        "Filter.1.Name": `tag:${n}`,
        "Filter.1.Value.1": `v-${n}`,
      });
      expect(f.body, n).toContain(vpcId);
    }
    const del = await call({
      Action: "DeleteTags",
      "ResourceId.1": vpcId,
      "Tag.1.Key": "__proto__",
    });
    expect(del.status).toBe(200);
    const after = await call({
      Action: "DescribeTags",
      "Filter.1.Name": "key",
      "Filter.1.Value.1": "__proto__",
    });
    expect(after.body).not.toContain("<key>__proto__</key>");
  });

  it("as a group name and a TagSpecification key: the group exists with the tag", async () => {
    const r = await call({
      Action: "CreateSecurityGroup",
      GroupName: "__proto__",
      GroupDescription: "d",
      VpcId: vpcId,
      "TagSpecification.1.ResourceType": "security-group",
      "TagSpecification.1.Tag.1.Key": "__proto__",
      "TagSpecification.1.Tag.1.Value": "yes",
    });
    expect(r.status, r.body).toBe(200);
    const d = await call({
      Action: "DescribeSecurityGroups",
      "Filter.1.Name": "group-name",
      "Filter.1.Value.1": "__proto__",
    });
    expect(d.body).toContain("<groupName>__proto__</groupName>");
    expect(d.body).toContain("<key>__proto__</key>");
  });

  it("as an IpProtocol (flat and IpPermissions forms, twice): InvalidParameterValue, no rule stored (found by test/fuzz)", async () => {
    const g = await call({
      Action: "CreateSecurityGroup",
      GroupName: "proto-protocols",
      GroupDescription: "d",
      VpcId: vpcId,
    });
    const groupId = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(g.body)![1]!;
    for (const n of NAMES)
      for (let round = 0; round < 2; round++) {
        const flat = await call({
          Action: "AuthorizeSecurityGroupIngress",
          GroupId: groupId,
          IpProtocol: n,
          FromPort: "1",
          ToPort: "2",
          CidrIp: "10.1.0.0/16",
        });
        const perms = await call({
          Action: "AuthorizeSecurityGroupEgress",
          GroupId: groupId,
          "IpPermissions.1.IpProtocol": n,
          "IpPermissions.1.FromPort": "443",
          "IpPermissions.1.ToPort": "443",
          "IpPermissions.1.IpRanges.1.CidrIp": "10.9.0.0/16",
        });
        for (const r of [flat, perms]) {
          expect(r.status, `${n}: ${r.body}`).toBe(400);
          expect(code(r.body)).toBe("InvalidParameterValue");
        }
      }
    const d = await call({ Action: "DescribeSecurityGroups", "GroupId.1": groupId });
    expect(d.body).not.toContain("<ipPermissions><item>");
  });

  it("as parameter and action names: AWS's errors, never 5xx", async () => {
    for (const n of NAMES) {
      const param = await call({ Action: "DescribeVpcs", [n]: "x" });
      expect(param.status, `${n}: ${param.body}`).toBeLessThan(500);
      const action = await call({ Action: n });
      expect(action.status, `${n}: ${action.body}`).toBe(400);
      expect(code(action.body)).toBe("InvalidAction");
    }
  });
});

describe("TagSpecification tags are checked as CreateTags checks them (ECX-9)", () => {
  const spec = (n: number, key = (i: number) => `k${i}`) => {
    const p: Record<string, string> = { "TagSpecification.1.ResourceType": "security-group" };
    for (let i = 1; i <= n; i++) {
      p[`TagSpecification.1.Tag.${i}.Key`] = key(i);
      p[`TagSpecification.1.Tag.${i}.Value`] = "v";
    }
    return p;
  };
  const create = (name: string, extra: Record<string, string>) =>
    call({
      Action: "CreateSecurityGroup",
      GroupName: name,
      GroupDescription: "d",
      VpcId: vpcId,
      ...extra,
    });
  const exists = async (name: string) =>
    (
      await call({
        Action: "DescribeSecurityGroups",
        "Filter.1.Name": "group-name",
        "Filter.1.Value.1": name,
      })
    ).body.includes(`<groupName>${name}</groupName>`);

  it("50 tags are accepted, 51 answer TagLimitExceeded and create nothing", async () => {
    expect((await create("fifty", spec(50))).status).toBe(200);
    const r = await create("fifty-one", spec(51));
    expect(r.status).toBe(400);
    expect(code(r.body)).toBe("TagLimitExceeded");
    expect(await exists("fifty-one")).toBe(false);
  });

  it("an aws: key, an empty key, a 129-character key and a 257-character value are refused naming the value", async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ["aws-key", spec(1, () => "aws:owner"), "aws:owner"],
      ["long-key", spec(1, () => "k".repeat(129)), "k".repeat(129)],
      [
        "long-value",
        {
          "TagSpecification.1.ResourceType": "security-group",
          "TagSpecification.1.Tag.1.Key": "k",
          "TagSpecification.1.Tag.1.Value": "v".repeat(257),
        },
        "v".repeat(257),
      ],
    ];
    for (const [name, extra, shown] of cases) {
      const r = await create(name, extra);
      expect(r.status, name).toBe(400);
      expect(code(r.body), name).toBe("InvalidParameterValue");
      expect(r.body, name).toContain(shown);
      expect(await exists(name), name).toBe(false);
    }
  });
});
