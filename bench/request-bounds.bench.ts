/**
 * Request bounds (issue 14 item 2; docs/ec2-api.md "Request limits", LIM-1..LIM-6): the worst
 * time one EC2 request takes, per request shape, at the largest size the controller accepts
 * (or at `--size N`, e.g. to measure what it did before the limits). Each shape is sent
 * `--runs` times (default 3) to the EC2 handler on loopback; the figure is the slowest round
 * trip, which is how long that request held the controller's event loop (one process, nothing
 * else running). Prints one line per shape and the worst overall.
 *
 *   npm run bench:bounds [-- --size 10000] [-- --runs 5]
 */
import { Agent, request } from "node:http";
import { startEc2Server } from "../test/helpers/ec2-server.js";
import {
  MAX_FILTERS,
  MAX_FILTER_VALUES,
  MAX_LIST_MEMBERS,
  MAX_PARAMETERS,
  MAX_RULES_PER_REQUEST,
} from "../controller/ec2/query.js";

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : Number(args[i + 1]);
};
const SIZE = arg("--size");
const RUNS = arg("--runs") ?? 3;

type Shape = (n: number, ids: { sg: string; vpc: string }) => Array<[string, string]>;

/** Largest accepted size per shape (parameters per request count every key). */
const SHAPES: Array<[string, number, Shape]> = [
  [
    "IpPermissions.N (N permissions, 1 range each)",
    MAX_LIST_MEMBERS,
    (n, { sg }) => [
      ["Action", "AuthorizeSecurityGroupIngress"],
      ["GroupId", sg],
      ...Array.from({ length: n }, (_v, i): Array<[string, string]> => [
        [`IpPermissions.${i + 1}.IpProtocol`, "tcp"],
        [`IpPermissions.${i + 1}.FromPort`, String(i % 65536)],
        [`IpPermissions.${i + 1}.ToPort`, String(i % 65536)],
        [`IpPermissions.${i + 1}.IpRanges.1.CidrIp`, "10.0.0.0/8"],
      ]).flat(),
    ],
  ],
  [
    "IpPermissions.1.IpRanges.M (one permission, M ranges)",
    MAX_LIST_MEMBERS,
    (n, { sg }) => [
      ["Action", "AuthorizeSecurityGroupIngress"],
      ["GroupId", sg],
      ["IpPermissions.1.IpProtocol", "tcp"],
      ["IpPermissions.1.FromPort", "443"],
      ["IpPermissions.1.ToPort", "443"],
      ...Array.from({ length: n }, (_v, i): [string, string] => [
        `IpPermissions.1.IpRanges.${i + 1}.CidrIp`,
        `10.${(i >> 8) & 255}.${i & 255}.0/24`,
      ]),
    ],
  ],
  [
    "IpRanges, Ipv6Ranges, Groups, PrefixListIds: N/4 of each",
    MAX_RULES_PER_REQUEST,
    (n, { sg }) => [
      ["Action", "AuthorizeSecurityGroupIngress"],
      ["GroupId", sg],
      ["IpPermissions.1.IpProtocol", "tcp"],
      ["IpPermissions.1.FromPort", "443"],
      ["IpPermissions.1.ToPort", "443"],
      ...Array.from({ length: n / 4 }, (_v, i): Array<[string, string]> => [
        [`IpPermissions.1.IpRanges.${i + 1}.CidrIp`, `10.${(i >> 8) & 255}.${i & 255}.0/24`],
        [`IpPermissions.1.Ipv6Ranges.${i + 1}.CidrIpv6`, `2001:db8:${i.toString(16)}::/48`],
        [`IpPermissions.1.Groups.${i + 1}.GroupId`, sg],
        [
          `IpPermissions.1.PrefixListIds.${i + 1}.PrefixListId`,
          `pl-${String(i).padStart(17, "0")}`,
        ],
      ]).flat(),
    ],
  ],
  [
    "MAX_PARAMETERS names (DescribeVpcs, unknown parameters)",
    MAX_PARAMETERS - 2,
    (n) => [
      ["Action", "DescribeVpcs"],
      ...Array.from({ length: n }, (_v, i): [string, string] => [`Bogus${i}`, "x"]),
    ],
  ],
  [
    "sparse indexes up to 1e9 (IpPermissions.<k>.IpProtocol)",
    MAX_LIST_MEMBERS,
    (n, { sg }) => [
      ["Action", "AuthorizeSecurityGroupIngress"],
      ["GroupId", sg],
      ...Array.from({ length: n }, (_v, i): [string, string] => [
        `IpPermissions.${1_000_000_000 - i * 99_991}.IpProtocol`,
        "tcp",
      ]),
    ],
  ],
  [
    "Filter.N (N filters, 1 value each)",
    MAX_FILTERS,
    (n) => [
      ["Action", "DescribeVpcs"],
      ...Array.from({ length: n }, (_v, i): Array<[string, string]> => [
        [`Filter.${i + 1}.Name`, "tag:Name"],
        [`Filter.${i + 1}.Value.1`, `v${i}*`],
      ]).flat(),
    ],
  ],
  [
    "Filter.1.Value.M (one filter, M values)",
    MAX_FILTER_VALUES,
    (n) => [
      ["Action", "DescribeVpcs"],
      ["Filter.1.Name", "tag:Name"],
      ...Array.from({ length: n }, (_v, i): [string, string] => [
        `Filter.1.Value.${i + 1}`,
        `v*${i}?`,
      ]),
    ],
  ],
  [
    "VpcId.N (N ids)",
    MAX_LIST_MEMBERS,
    (n, { vpc }) => [
      ["Action", "DescribeVpcs"],
      ...Array.from({ length: n }, (_v, i): [string, string] => [`VpcId.${i + 1}`, vpc]),
    ],
  ],
  [
    "CreateTags Tag.N (N tags)",
    MAX_LIST_MEMBERS,
    (n, { vpc }) => [
      ["Action", "CreateTags"],
      ["ResourceId.1", vpc],
      ...Array.from({ length: n }, (_v, i): Array<[string, string]> => [
        [`Tag.${i + 1}.Key`, `k${i}`],
        [`Tag.${i + 1}.Value`, "v"],
      ]).flat(),
    ],
  ],
  [
    "CreateSecurityGroup TagSpecification.1.Tag.N (N tags)",
    MAX_LIST_MEMBERS,
    (n, { vpc }) => [
      ["Action", "CreateSecurityGroup"],
      ["GroupName", `g${Math.random()}`],
      ["GroupDescription", "d"],
      ["VpcId", vpc],
      ["TagSpecification.1.ResourceType", "security-group"],
      ...Array.from({ length: n }, (_v, i): Array<[string, string]> => [
        [`TagSpecification.1.Tag.${i + 1}.Key`, `k${i}`],
        [`TagSpecification.1.Tag.${i + 1}.Value`, "v"],
      ]).flat(),
    ],
  ],
];

function post(agent: Agent, url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const server = await startEc2Server();
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const form = (p: Array<[string, string]>) =>
  new URLSearchParams([...p, ["Version", "2016-11-15"]]).toString();
const created = await post(
  agent,
  server.endpoint,
  form([
    ["Action", "CreateVpc"],
    ["CidrBlock", "10.0.0.0/16"],
  ]),
);
const vpc = /<vpcId>([^<]+)</.exec(created.text)?.[1] ?? "vpc-0";
const g = await post(
  agent,
  server.endpoint,
  form([
    ["Action", "CreateSecurityGroup"],
    ["GroupName", "bench"],
    ["GroupDescription", "d"],
    ["VpcId", vpc],
  ]),
);
const sg = /<groupId>([^<]+)</.exec(g.text)?.[1] ?? "sg-0";

let worst = 0;
let worstShape = "";
console.log(`request bounds: ${RUNS} runs per shape${SIZE !== undefined ? `, size ${SIZE}` : ""}`);
for (const [name, largest, shape] of SHAPES) {
  const n = SIZE ?? largest;
  const body = form(shape(n, { sg, vpc }));
  // Why a warm-up at a tenth of the size: V8 compiles the path first; the figure is the steady
  // state (the cold first request of a process is printed apart).
  const t0 = performance.now();
  await post(agent, server.endpoint, form(shape(Math.max(1, Math.floor(n / 10)), { sg, vpc })));
  const cold = performance.now() - t0;
  let slowest = 0;
  let last = { status: 0, text: "" };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    last = await post(agent, server.endpoint, body);
    slowest = Math.max(slowest, performance.now() - t0);
  }
  const code = /<Code>([^<]+)</.exec(last.text)?.[1] ?? "OK";
  console.log(
    `  ${name.padEnd(58)} n=${String(n).padStart(6)} body ${String(Math.round(body.length / 1024)).padStart(5)} KiB: ` +
      `worst ${slowest.toFixed(1).padStart(8)} ms  (${last.status} ${code}; cold n/10 ${cold.toFixed(0)} ms)`,
  );
  if (slowest > worst) {
    worst = slowest;
    worstShape = name;
  }
}
console.log(`worst request: ${worst.toFixed(1)} ms (${worstShape})`);
agent.destroy();
await server.close();
