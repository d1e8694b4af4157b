/**
 * EC2 request bounds (issue 14 item 2; docs/ec2-api.md "Request limits", LIM-1..LIM-6) on an
 * in-process controller on loopback: every refusal is AWS's XML error (none is Node's bare 431
 * or a reset connection), lists are bounded as AWS bounds them, sparse indexes cost nothing, and
 * a small request is answered while a large one is still arriving. Times nothing (the figures
 * are bench/request-bounds.bench.ts's).
 */
import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { MAX_EC2_BODY_BYTES } from "../../controller/ec2/handler.js";
import {
  MAX_FILTERS,
  MAX_FILTER_VALUES,
  MAX_LIST_MEMBERS,
  MAX_PARAMETERS,
  MAX_RULES_PER_REQUEST,
} from "../../controller/ec2/query.js";
import { checkEc2Answer, httpRequest } from "../fuzz/ec2-fuzzer.js";

let ctl: StartedController;
let vpc: string;
let sg: string;

const form = (p: Array<[string, string]>) =>
  new URLSearchParams([...p, ["Version", "2016-11-15"]]).toString();
const code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
const message = (body: string) => /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? "";

async function post(p: Array<[string, string]>) {
  const res = await fetch(ctl.ec2Endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form(p),
  });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  const v = await post([
    ["Action", "CreateVpc"],
    ["CidrBlock", "10.0.0.0/16"],
  ]);
  vpc = /<vpcId>([^<]+)</.exec(v.body)?.[1] ?? "";
  const g = await post([
    ["Action", "CreateSecurityGroup"],
    ["GroupName", "bounds"],
    ["GroupDescription", "d"],
    ["VpcId", vpc],
  ]);
  sg = /<groupId>([^<]+)</.exec(g.body)?.[1] ?? "";
});
afterAll(async () => {
  await ctl?.stop();
});

const ids = (n: number, name = "VpcId"): Array<[string, string]> =>
  Array.from({ length: n }, (_v, i): [string, string] => [`${name}.${i + 1}`, vpc]);

describe("EC2 request limits (LIM-2..LIM-6)", () => {
  it.each([
    [
      "1,001 members of one list",
      () => [["Action", "DescribeVpcs"], ...ids(MAX_LIST_MEMBERS + 1)],
      400,
      "InvalidParameterValue",
      "The list VpcId has 1001 members; at most 1000 are accepted in one request.",
    ],
    [
      "51 filters",
      () => [
        ["Action", "DescribeVpcs"],
        ...Array.from({ length: MAX_FILTERS + 1 }, (_v, i): Array<[string, string]> => [
          [`Filter.${i + 1}.Name`, "vpc-id"],
          [`Filter.${i + 1}.Value.1`, vpc],
        ]).flat(),
      ],
      400,
      "FilterLimitExceeded",
      "The request uses too many filters or too many filter values.",
    ],
    [
      "201 values of one filter",
      () => [
        ["Action", "DescribeVpcs"],
        ["Filter.1.Name", "vpc-id"],
        ...ids(MAX_FILTER_VALUES + 1, "Filter.1.Value"),
      ],
      400,
      "FilterLimitExceeded",
      "The request uses too many filters or too many filter values.",
    ],
    [
      "10,001 parameters",
      () => [
        ["Action", "DescribeVpcs"],
        ...Array.from({ length: MAX_PARAMETERS }, (_v, i): [string, string] => [`P${i}`, "x"]),
      ],
      400,
      "InvalidRequest",
      "The request has 10002 parameters; at most 10000 are accepted in one request.",
    ],
    [
      "1,001 rules (501 IPv4 and 500 IPv6 CIDRs) over two permissions",
      () => [
        ["Action", "AuthorizeSecurityGroupIngress"],
        ["GroupId", sg],
        ...Array.from({ length: MAX_RULES_PER_REQUEST + 1 }, (_v, i): [string, string] =>
          i % 2 === 0
            ? [`IpPermissions.${(i % 4) / 2 + 1}.IpRanges.${i / 2 + 1}.CidrIp`, "10.0.0.0/8"]
            : [`IpPermissions.1.Ipv6Ranges.${(i + 1) / 2}.CidrIpv6`, "::/0"],
        ),
      ],
      400,
      "RulesPerSecurityGroupLimitExceeded",
      "The maximum number of rules per security group has been reached. The request carries 1001 rules; at most 1000 are accepted in one request.",
    ],
  ] as Array<[string, () => Array<[string, string]>, number, string, string]>)(
    "answers %s with AWS's XML error",
    async (_name, params, status, awsCode, text) => {
      const r = await post(params());
      expect(checkEc2Answer("DescribeVpcs", r.status, r.type, r.body)).toBeUndefined();
      expect([r.status, code(r.body), message(r.body)]).toEqual([status, awsCode, text]);
    },
  );

  it("accepts the largest lists: 1,000 ids, 50 filters, 200 values", async () => {
    const r = await post([["Action", "DescribeVpcs"], ...ids(MAX_LIST_MEMBERS)]);
    expect(r.status).toBe(200);
    const f = await post([
      ["Action", "DescribeVpcs"],
      ...Array.from({ length: MAX_FILTERS }, (_v, i): Array<[string, string]> => [
        [`Filter.${i + 1}.Name`, "vpc-id"],
        ...ids(i === 0 ? MAX_FILTER_VALUES : 1, `Filter.${i + 1}.Value`),
      ]).flat(),
    ]);
    expect([f.status, f.body]).toEqual([200, expect.stringContaining(vpc)]);
  });

  it("reads sparse indexes up to 1e9 as the members they are (LIM-5)", async () => {
    const r = await post([
      ["Action", "DescribeVpcs"],
      ["VpcId.1000000000", vpc],
      ["VpcId.7", vpc],
    ]);
    expect([r.status, r.body]).toEqual([200, expect.stringContaining(vpc)]);
    const many = await post([
      ["Action", "DescribeVpcs"],
      ...Array.from({ length: MAX_LIST_MEMBERS }, (_v, i): [string, string] => [
        `VpcId.${1_000_000_000 - i * 997}`,
        vpc,
      ]),
    ]);
    expect(many.status).toBe(200);
  });
});

describe("EC2 request size (LIM-1)", () => {
  it("answers a GET URL over 16 KiB with AWS's XML error, not Node's bare 431", async () => {
    const url = `${ctl.ec2Endpoint}/?${form([["Action", "DescribeVpcs"], ...ids(700)])}`;
    expect(url.length).toBeGreaterThan(16 * 1024);
    const res = await fetch(url);
    const body = await res.text();
    expect(checkEc2Answer("DescribeVpcs", res.status, res.headers.get("content-type"), body)).toBe(
      undefined,
    );
    expect([res.status, code(body)]).toEqual([431, "RequestHeaderSectionTooLarge"]);
  });

  it("answers a body over 1 MiB with RequestEntityTooLarge in XML, without resetting the connection", async () => {
    const agent = new Agent({ keepAlive: false });
    try {
      const big = `Action=DescribeVpcs&Version=2016-11-15&Pad=${"x".repeat(MAX_EC2_BODY_BYTES)}`;
      const r = await httpRequest(agent, ctl.ec2Endpoint, "POST", big, {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(
        checkEc2Answer("DescribeVpcs", r.status, r.headers["content-type"] ?? null, r.body),
      ).toBeUndefined();
      expect([r.status, code(r.body)]).toEqual([413, "RequestEntityTooLarge"]);
    } finally {
      agent.destroy();
    }
  });
});

describe("one large request does not hold the controller", () => {
  it("answers a small request while a large one is still arriving, then the large one", async () => {
    const large = form([["Action", "DescribeVpcs"], ...ids(MAX_LIST_MEMBERS)]);
    const half = Math.floor(large.length / 2);
    const order: string[] = [];
    const agent = new Agent({ keepAlive: false });
    const largeDone = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        ctl.ec2Endpoint,
        {
          method: "POST",
          agent,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": String(Buffer.byteLength(large)),
          },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => {
            order.push("large");
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on("error", reject);
      req.write(large.slice(0, half));
      // The small request goes out and is answered while the large body is half sent.
      void post([["Action", "DescribeVpcs"]]).then((small) => {
        order.push(`small ${small.status}`);
        req.end(large.slice(half));
      }, reject);
    });
    const r = await largeDone;
    agent.destroy();
    expect(order).toEqual(["small 200", "large"]);
    expect([r.status, r.body]).toEqual([200, expect.stringContaining(vpc)]);
  });
});
