/**
 * The EC2 Query API fuzzer (issue 14 item 6): random requests to a live endpoint, built from the
 * handler's action table (controller/ec2/actions.ts) and the parameter shapes AWS defines
 * (controller/ec2/request-shapes.ts), with values drawn from valid ids, edge values, invalid
 * values and Object.prototype names, lists with huge and sparse indexes, unknown parameters,
 * odd methods. Every answer must be a well-formed AWS XML success (200) or error (4xx): never a
 * 5xx, never a reset connection. Used by test/fuzz/ec2-api.test.ts and bench/fuzz.bench.ts.
 *
 * Request bounds (docs/ec2-api.md LIM-1..LIM-6): a small share of the requests is oversized on
 * purpose (boundsRequest): GET URLs over 16 KiB, bodies over 1 MiB, lists of 1,000-3,000 members
 * (ids, filters, filter values, rules), sparse indexes up to 1e9 and more than 10,000
 * parameters; each must get AWS's XML error (or a success at an accepted size), never Node's
 * bare 431 or a reset connection.
 */
import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { XMLValidator } from "fast-xml-parser";
import { EC2_ACTIONS } from "../../controller/ec2/actions.js";
import type { ParamShape } from "../../controller/ec2/parameters.js";
import { REQUEST_SHAPES } from "../../controller/ec2/request-shapes.js";
import { PROTOTYPE_NAMES, type Rng } from "./fuzz-random.js";

/** Ids of resources that exist, by prefix (`vpc`, `subnet`, `sg`, ...), so some calls go deep. */
export type KnownIds = Readonly<Record<string, readonly string[]>>;

export interface Ec2FuzzOptions {
  readonly endpoint: string;
  readonly count: number;
  readonly concurrency: number;
  readonly rng: Rng;
  readonly ids: KnownIds;
  /** The controller runs in auth mode with this access key: send random Authorization headers. */
  readonly authKeyId?: string;
}

export interface Ec2FuzzResult {
  readonly requests: number;
  readonly byStatus: Readonly<Record<number, number>>;
  readonly errorCodes: ReadonlyMap<string, number>;
  readonly worstMs: number;
  readonly worstRequest: string;
  readonly elapsedMs: number;
  /** Answers that broke the contract (first 20), each with the request to replay it. */
  readonly failures: readonly string[];
  readonly failureCount: number;
}

/** One request the fuzzer sends. */
export interface FuzzRequest {
  readonly method: string;
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** Parameters in the query string (GET) instead of the body. */
  readonly inQuery: boolean;
  /** Extra headers (a random SigV4 Authorization for an auth-mode controller). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A random SigV4 `Authorization` (and `x-amz-date`) for an auth-mode controller: known and
 * unknown access keys, prototype names as keys and signed header names, odd scopes and dates,
 * wrong signatures. The scope's service stays `ec2` or a name no service has, so EC2 answers.
 */
export function randomAuthHeaders(rng: Rng, keyId: string): Record<string, string> {
  const name = () => (rng.chance(0.3) ? rng.pick(PROTOTYPE_NAMES) : rng.pick(STRINGS));
  const akid = rng.chance(0.6) ? keyId : name();
  const date = rng.pick(["20260101", "19700101", "99999999", "", "2026-01-01"]);
  const region = rng.pick(["us-east-1", "eu-west-1", "", "constructor", "xx-nowhere-1"]);
  const service = rng.pick(["ec2", "ec2", "", "nosuch", "__proto__"]);
  const signed = rng.pick([
    "host;x-amz-date",
    "host",
    "",
    `host;${name().toLowerCase()}`,
    "content-type;host;x-amz-date",
    ";;;",
  ]);
  const sig = rng.chance(0.8) ? "0".repeat(64) : rng.pick(["", "zz", "f".repeat(63)]);
  const form = rng.int(0, 9);
  const auth =
    form === 0
      ? rng.pick(["", "AWS4-HMAC-SHA256", "Bearer x", "AWS4-HMAC-SHA256 Credential="])
      : `AWS4-HMAC-SHA256 Credential=${akid}/${date}/${region}/${service}/${rng.chance(0.9) ? "aws4_request" : name()}, SignedHeaders=${signed}, Signature=${sig}`;
  // Why: node:http refuses to send header bytes outside visible ASCII (so would any client).
  return {
    authorization: auth.replace(/[^\x20-\x7e]/g, "?"),
    ...(rng.chance(0.8) ? { "x-amz-date": `${date}T000000Z` } : {}),
    ...(rng.chance(0.1) ? { "x-amz-content-sha256": rng.pick(["", "UNSIGNED-PAYLOAD", "0"]) } : {}),
    ...(rng.chance(0.1) ? { "x-amz-security-token": name().replace(/[^\x20-\x7e]/g, "?") } : {}),
  };
}

const ACTIONS = Object.keys(EC2_ACTIONS);
const BAD_ACTIONS = [...PROTOTYPE_NAMES, "", "describevpcs", "DescribeVpcs ", "Describe%00Vpcs"];
const STRINGS = [
  "",
  " ",
  "a",
  "default",
  "-1",
  "0",
  "null",
  "undefined",
  "NaN",
  "true",
  "<&>\"'",
  "]]><x/>",
  "\u0000",
  "\u0001\u001f",
  "\ud800",
  "\uffff",
  "ü→😀",
  "%",
  "%zz",
  "a.b.c",
  "tag:Name",
  "aws:cloudformation:stack-name",
  "*",
  "?",
  "sg-*",
  "x".repeat(256),
];
const CIDRS = [
  "10.0.0.0/16",
  "10.0.1.0/24",
  "10.1.0.0/16",
  "0.0.0.0/0",
  "::/0",
  "2001:db8::/64",
  "10.0.0.0/33",
  "10.0.0.1/16",
  "256.0.0.0/8",
  "10.0.0.0",
  "10.0.0.0/-1",
  "1.2.3.4/32",
  "172.16.0.0/12",
  "192.168.0.0/28",
  "fe80::/10",
];
const NUMBERS = [
  "-1",
  "0",
  "1",
  "5",
  "22",
  "80",
  "443",
  "65535",
  "65536",
  "100",
  "32766",
  "32767",
  "32768",
  "4294967295",
  "4294967296",
  "9007199254740993",
  "1e3",
  "0x50",
  "-0",
  "01",
  " 80",
  "1.5",
  "Infinity",
];
const PROTOCOLS = [
  ...["tcp", "udp", "icmp", "icmpv6", "-1", "6", "17", "1", "58", "all", "999", "TCP"],
  ...["constructor", "__proto__", "toString"],
];
const BOOLEANS = ["true", "false", "TRUE", "False", "yes", "1", ""];
const ID_PREFIXES: Readonly<Record<string, string>> = {
  VpcId: "vpc",
  SubnetId: "subnet",
  GroupId: "sg",
  SourceSecurityGroupId: "sg",
  NetworkAclId: "acl",
  NetworkInterfaceId: "eni",
  InstanceId: "i",
  PrefixListId: "pl",
  RouteTableId: "rtb",
  ResourceId: "any",
  SecurityGroupRuleId: "sgr",
};

function idsFor(name: string, ids: KnownIds): readonly string[] {
  const leaf = name.replace(/\.\d+$/, "");
  const prefix = Object.hasOwn(ID_PREFIXES, leaf) ? ID_PREFIXES[leaf] : undefined;
  if (prefix === "any") return Object.values(ids).flat();
  if (prefix !== undefined && Object.hasOwn(ids, prefix)) return ids[prefix]!;
  if (/Id$/.test(leaf)) return Object.values(ids).flat();
  return [];
}

/** A value for the parameter whose last name segment is `leaf`. */
function scalar(rng: Rng, leaf: string, ids: KnownIds, clean: boolean): string {
  // Clean values are plausible ones; prototype names stay in (they are plausible names).
  const r = clean ? (rng.chance(0.03) ? 0 : 0.14 + rng.next() * 0.86) : rng.next();
  if (r < 0.05) return rng.pick(PROTOTYPE_NAMES);
  if (r < 0.12) return rng.pick(STRINGS);
  if (r < 0.13) return rng.pick(["x", "é", "0"]).repeat(rng.int(1000, 20_000));
  const known = idsFor(leaf, ids);
  if (known.length > 0 && r < 0.75) {
    const id = rng.pick(known);
    if (rng.chance(0.1)) return id.replace(/-.*/, "-") + rng.pick(["", "0", "zz", "f".repeat(40)]);
    return id;
  }
  if (/Cidr|Cidr[Ii]p|CidrBlock/.test(leaf)) return rng.pick(CIDRS);
  if (/Port|Count|Max|Number|Min|Size|Length|Entries|Version/.test(leaf)) return rng.pick(NUMBERS);
  if (/Protocol/.test(leaf)) return rng.pick(PROTOCOLS);
  if (/^(DryRun|Egress|Enable|Is|Allow|Disable|Default|AssociatePublic)/.test(leaf))
    return rng.pick(BOOLEANS);
  if (/Action|RuleAction/.test(leaf)) return rng.pick(["allow", "deny", "ALLOW", "drop"]);
  if (/Address|Ip$/.test(leaf))
    return rng.pick(["10.0.1.10", "10.0.1.300", "::1", "2001:db8::5", "0.0.0.0", "abc"]);
  if (leaf === "Name") return rng.pick(["vpc-id", "group-name", "tag:Name", "tag-key", "state"]);
  if (/Type$/.test(leaf))
    return rng.pick(["t3.micro", "security-group", "vpc", "instance", "bogus", "ipv4"]);
  if (/Key$/.test(leaf)) return rng.pick(["Name", "env", "aws:x", "", ...PROTOTYPE_NAMES]);
  return rng.pick(["fuzz", "web", "db", `n${rng.int(0, 50)}`, rng.pick(STRINGS)]);
}

/** List indexes: mostly 1..n, sometimes sparse, huge, zero or not canonical. */
function indexes(rng: Rng, clean: boolean): string[] {
  const r = rng.next();
  const n =
    r < 0.002 ? rng.int(100, 300) : r < 0.05 ? rng.int(10, 40) : r < 0.15 ? 0 : rng.int(1, 3);
  const out: string[] = [];
  for (let i = 1; i <= n; i++) out.push(String(i));
  if (!clean && rng.chance(0.08))
    out.push(
      rng.pick([
        "0",
        "01",
        "-1",
        "1000000000",
        "99999999999999999999",
        "2147483648",
        "1e3",
        " 2",
        String(rng.int(50, 100_000)),
      ]),
    );
  return out;
}

function fill(
  rng: Rng,
  name: string,
  shape: ParamShape,
  ids: KnownIds,
  out: Array<[string, string]>,
  depth: number,
  clean: boolean,
): void {
  if (out.length > 2000) return;
  if (shape === 0) {
    out.push([name, scalar(rng, name.slice(name.lastIndexOf(".") + 1), ids, clean)]);
    return;
  }
  if (Array.isArray(shape)) {
    const item = shape[0] as ParamShape;
    for (const i of indexes(rng, clean))
      fill(rng, `${name}.${i}`, item, ids, out, depth + 1, clean);
    return;
  }
  const members = Object.entries(shape as Readonly<Record<string, ParamShape>>);
  const p = depth > 2 ? 0.3 : 0.6;
  for (const [m, s] of members)
    if (rng.chance(p)) fill(rng, `${name}.${m}`, s, ids, out, depth, clean);
}

/**
 * Valid requests of the actions that change policy, built on the world's ids: a share of the
 * requests is one of these with a parameter or two replaced, added or dropped (parameter-level
 * mutation), which reaches the checks behind the first MissingParameter.
 */
function recipes(ids: KnownIds): Array<[string, Record<string, string>]> {
  const id = (k: string) => (Object.hasOwn(ids, k) ? ids[k]![0]! : `${k}-0`);
  const perm = (p: string) => ({
    [`${p}.IpProtocol`]: "tcp",
    [`${p}.FromPort`]: "443",
    [`${p}.ToPort`]: "443",
    [`${p}.IpRanges.1.CidrIp`]: "10.9.0.0/16",
    [`${p}.IpRanges.1.Description`]: "d",
  });
  return [
    ["AuthorizeSecurityGroupIngress", { GroupId: id("sg"), ...perm("IpPermissions.1") }],
    [
      "AuthorizeSecurityGroupIngress",
      { GroupId: id("sg"), IpProtocol: "udp", FromPort: "53", ToPort: "53", CidrIp: "10.0.0.0/8" },
    ],
    ["AuthorizeSecurityGroupEgress", { GroupId: id("sg"), ...perm("IpPermissions.1") }],
    ["RevokeSecurityGroupIngress", { GroupId: id("sg"), ...perm("IpPermissions.1") }],
    [
      "AuthorizeSecurityGroupIngress",
      {
        GroupId: id("sg"),
        "IpPermissions.1.IpProtocol": "-1",
        "IpPermissions.1.Groups.1.GroupId": id("sg"),
        "IpPermissions.1.PrefixListIds.1.PrefixListId": id("pl"),
      },
    ],
    [
      "CreateNetworkAclEntry",
      {
        NetworkAclId: id("acl"),
        RuleNumber: "100",
        Protocol: "6",
        RuleAction: "allow",
        Egress: "false",
        CidrBlock: "0.0.0.0/0",
        "PortRange.From": "80",
        "PortRange.To": "80",
      },
    ],
    [
      "ReplaceNetworkAclEntry",
      {
        NetworkAclId: id("acl"),
        RuleNumber: "100",
        Protocol: "1",
        RuleAction: "deny",
        Egress: "true",
        CidrBlock: "10.0.0.0/8",
        "Icmp.Type": "8",
        "Icmp.Code": "-1",
      },
    ],
    ["CreateSecurityGroup", { GroupName: "g", GroupDescription: "d", VpcId: id("vpc") }],
    ["CreateTags", { "ResourceId.1": id("sg"), "Tag.1.Key": "k", "Tag.1.Value": "v" }],
    [
      "RunInstances",
      {
        ImageId: "ami-12345678",
        InstanceType: "t3.micro",
        MinCount: "1",
        MaxCount: "1",
        SubnetId: id("subnet"),
        "SecurityGroupId.1": id("sg"),
      },
    ],
    [
      "CreateNetworkInterface",
      { SubnetId: id("subnet"), "SecurityGroupId.1": id("sg"), PrivateIpAddress: "10.0.1.50" },
    ],
    [
      "ModifyManagedPrefixList",
      { PrefixListId: id("pl"), CurrentVersion: "1", "AddEntry.1.Cidr": "198.51.100.0/24" },
    ],
    [
      "ModifySecurityGroupRules",
      {
        GroupId: id("sg"),
        "SecurityGroupRule.1.SecurityGroupRuleId": "sgr-0",
        "SecurityGroupRule.1.SecurityGroupRule.IpProtocol": "tcp",
        "SecurityGroupRule.1.SecurityGroupRule.FromPort": "22",
        "SecurityGroupRule.1.SecurityGroupRule.ToPort": "22",
        "SecurityGroupRule.1.SecurityGroupRule.CidrIpv4": "10.0.0.0/8",
      },
    ],
    [
      "DescribeSecurityGroups",
      { "Filter.1.Name": "ip-permission.protocol", "Filter.1.Value.1": "tcp" },
    ],
    [
      "ModifyNetworkInterfaceAttribute",
      { NetworkInterfaceId: id("eni"), "SecurityGroupId.1": id("sg") },
    ],
    ["ReplaceNetworkAclAssociation", { AssociationId: "aclassoc-0", NetworkAclId: id("acl") }],
  ];
}

/** A recipe with one or two parameters replaced by random values, dropped or added. */
function mutatedRecipe(rng: Rng, ids: KnownIds): FuzzRequest {
  const [action, base] = rng.pick(recipes(ids));
  const params = new Map(Object.entries(base));
  for (let n = rng.int(1, 2); n > 0; n--) {
    const keys = [...params.keys()];
    const k = rng.pick(keys);
    const op = rng.next();
    if (op < 0.7) params.set(k, scalar(rng, k.slice(k.lastIndexOf(".") + 1), ids, rng.chance(0.5)));
    else if (op < 0.85) params.delete(k);
    else params.set(k.replace(/\.1\./, ".2."), params.get(k) ?? "x");
  }
  return {
    method: "POST",
    params: [["Action", action], ["Version", "2016-11-15"], ...params],
    inQuery: false,
  };
}

/**
 * Top-level parameters an action answered MissingParameter for, learned per worker, so later
 * requests of that action carry them and get further than the first check.
 */
export type LearnedRequired = Map<string, Set<string>>;

/** An oversized or sparse request at or past the limits (LIM-1..LIM-6). */
function boundsRequest(rng: Rng, ids: KnownIds): FuzzRequest {
  const vpc = Object.hasOwn(ids, "vpc") ? (ids["vpc"]![0] ?? "vpc-0") : "vpc-0";
  const sg = Object.hasOwn(ids, "sg") ? (ids["sg"]![0] ?? "sg-0") : "sg-0";
  const n = rng.pick([999, 1000, 1001, rng.int(1000, 3000)]);
  const list = (name: string, value: (i: number) => string): Array<[string, string]> =>
    Array.from({ length: n }, (_v, i): [string, string] => [`${name}.${i + 1}`, value(i)]);
  const kind = rng.int(0, 6);
  const params: Array<[string, string]> =
    kind === 0
      ? [["Action", "DescribeVpcs"], ...list("VpcId", () => vpc)]
      : kind === 1
        ? [
            ["Action", "DescribeSecurityGroups"],
            ...Array.from({ length: rng.pick([50, 51, 200]) }, (_v, i): Array<[string, string]> => [
              [`Filter.${i + 1}.Name`, "group-id"],
              [`Filter.${i + 1}.Value.1`, sg],
            ]).flat(),
          ]
        : kind === 2
          ? [
              ["Action", "DescribeVpcs"],
              ["Filter.1.Name", "tag:Name"],
              ...list("Filter.1.Value", (i) => `v${i}*`).slice(0, rng.pick([200, 201, n])),
            ]
          : kind === 3
            ? [
                ["Action", "AuthorizeSecurityGroupIngress"],
                ["GroupId", sg],
                ["IpPermissions.1.IpProtocol", "tcp"],
                ["IpPermissions.1.FromPort", "1"],
                ["IpPermissions.1.ToPort", "2"],
                ...list(
                  "IpPermissions.1.IpRanges",
                  (i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`,
                ).map(([k, v]): [string, string] => [`${k}.CidrIp`, v]),
              ]
            : kind === 4
              ? [
                  ["Action", "DescribeVpcs"],
                  ...list("VpcId", () => vpc).map(([, v], i): [string, string] => [
                    `VpcId.${1_000_000_000 - i * rng.int(1, 999_983)}`,
                    v,
                  ]),
                ]
              : kind === 5
                ? [
                    ["Action", "CreateTags"],
                    ["ResourceId.1", sg],
                    ...Array.from({ length: 5001 }, (_v, i): Array<[string, string]> => [
                      [`Tag.${i + 1}.Key`, `k${i}`],
                      [`Tag.${i + 1}.Value`, "v"],
                    ]).flat(),
                  ]
                : [
                    ["Action", "DescribeVpcs"],
                    ["Pad", "x".repeat(rng.pick([(1 << 20) + 1, 2 << 20]))],
                  ];
  params.push(["Version", "2016-11-15"]);
  // A GET of a list this long is a URL over 16 KiB; the padded body is over 1 MiB.
  const inQuery = kind !== 6 && rng.chance(0.3);
  return { method: inQuery ? "GET" : "POST", params, inQuery };
}

/** One random request. */
export function randomEc2Request(
  rng: Rng,
  ids: KnownIds,
  required: LearnedRequired = new Map(),
): FuzzRequest {
  if (rng.chance(0.004)) return boundsRequest(rng, ids);
  if (rng.chance(0.25)) return mutatedRecipe(rng, ids);
  // A third of the rest use only plausible values, so more of them get past validation.
  const clean = rng.chance(0.33);
  const action = !clean && rng.chance(0.03) ? rng.pick(BAD_ACTIONS) : rng.pick(ACTIONS);
  const params: Array<[string, string]> = [];
  if (!rng.chance(0.02)) params.push(["Action", action]);
  if (!rng.chance(0.02)) params.push(["Version", rng.chance(0.98) ? "2016-11-15" : "2099-01-01"]);
  const shape = Object.hasOwn(REQUEST_SHAPES, action) ? REQUEST_SHAPES[action] : undefined;
  if (shape !== undefined) {
    const p = rng.pick([0.2, 0.5, 0.9]);
    const needed = required.get(action);
    for (const [name, s] of Object.entries(shape)) {
      if (name === "DryRun" && !rng.chance(0.05)) continue;
      const force = needed?.has(name) === true && rng.chance(0.9);
      if (force || rng.chance(p)) fill(rng, name, s, ids, params, 0, clean);
    }
  }
  if (clean) return { method: "POST", params, inQuery: false };
  if (rng.chance(0.05)) params.push([rng.pick(PROTOTYPE_NAMES), "x"]);
  if (rng.chance(0.03)) params.push([`${rng.pick(PROTOTYPE_NAMES)}.1.Name`, "x"]);
  if (rng.chance(0.03)) params.push([`Filter.1.Name`, rng.pick(PROTOTYPE_NAMES)]);
  if (rng.chance(0.02)) params.push([rng.pick(STRINGS), rng.pick(STRINGS)]);
  if (rng.chance(0.02)) params.push(["Action", rng.pick(ACTIONS)]);
  const odd = rng.chance(0.02) ? rng.pick(["PUT", "DELETE", "PATCH"]) : undefined;
  // GET carries the parameters in the query string (URLs stay well under Node's 16 KB limit).
  const size = params.reduce((n, [k, v]) => n + k.length + v.length * 3, 0);
  const inQuery = odd === undefined && size < 6000 && rng.chance(0.08);
  const method = odd ?? (inQuery && rng.chance(0.7) ? "GET" : "POST");
  return { method, params, inQuery };
}

function describe(req: FuzzRequest): string {
  const text = new URLSearchParams(req.params as Array<[string, string]>).toString();
  return `${req.method} ${text.length > 600 ? `${text.slice(0, 600)}... (${text.length} chars)` : text}`;
}

// XML 1.0 Char: no C0 controls but tab/LF/CR, no lone surrogates, no U+FFFE/U+FFFF.
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `answer` breaks the contract, or undefined when it is a proper AWS answer. */
export function checkEc2Answer(
  action: string,
  status: number,
  contentType: string | null,
  body: string,
): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (status !== 200 && (status < 400 || status > 499)) return `status ${status}`;
  if (!(contentType ?? "").startsWith("text/xml")) return `content-type ${contentType}`;
  if (NOT_XML_CHAR.test(body)) return "a character XML 1.0 does not allow";
  const valid = XMLValidator.validate(body);
  if (valid !== true) return `not well-formed XML: ${valid.err.msg}`;
  if (status === 200) {
    if (
      !new RegExp(
        `^<\\?xml[^>]*\\?>\\s*<${action}Response xmlns="http://ec2\\.amazonaws\\.com/doc/2016-11-15/">`,
      ).test(body)
    )
      return `200 without <${action}Response>`;
    if (!/<requestId>[^<]+<\/requestId>/.test(body)) return "200 without requestId";
    return undefined;
  }
  if (
    !/^<\?xml[^>]*\?>\s*<Response><Errors><Error><Code>[A-Za-z.]+<\/Code><Message>[^<]*<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/.test(
      body,
    )
  )
    return "an error that is not AWS's <Response><Errors><Error><Code>";
  return undefined;
}

/** A keep-alive HTTP/1.1 POST or GET (node:http: fetch costs ~2 ms a request in-process). */
export function httpRequest(
  agent: Agent,
  url: string,
  method: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends one request; the failure text, or undefined. */
async function sendOne(
  agent: Agent,
  endpoint: string,
  req: FuzzRequest,
): Promise<{ status: number; code?: string; missing?: string; failure?: string }> {
  const form = new URLSearchParams(req.params as Array<[string, string]>).toString();
  const lastAction = [...req.params].reverse().find(([k]) => k === "Action")?.[1] ?? "";
  let res: { status: number; headers: IncomingHttpHeaders; body: string };
  try {
    res = await httpRequest(
      agent,
      req.inQuery ? `${endpoint}/?${form}` : endpoint,
      req.method,
      req.inQuery ? undefined : form,
      { "content-type": "application/x-www-form-urlencoded", ...req.headers },
    );
  } catch (err) {
    return { status: 0, failure: `no answer: ${(err as Error).message}` };
  }
  const failure = checkEc2Answer(
    lastAction,
    res.status,
    (res.headers["content-type"] as string | undefined) ?? null,
    res.body,
  );
  const code = /<Code>([^<]+)<\/Code>/.exec(res.body)?.[1];
  const missing =
    code === "MissingParameter"
      ? /must contain the parameter ([A-Za-z]+)/.exec(res.body)?.[1]
      : undefined;
  return {
    status: res.status,
    ...(code !== undefined ? { code } : {}),
    ...(missing !== undefined ? { missing } : {}),
    ...(failure !== undefined ? { failure: `${failure}: ${res.body.slice(0, 300)}` } : {}),
  };
}

/** Runs `count` random requests from `concurrency` workers; figures and failures. */
export async function runEc2Fuzz(opts: Ec2FuzzOptions): Promise<Ec2FuzzResult> {
  const byStatus: Record<number, number> = {};
  const errorCodes = new Map<string, number>();
  const failures: string[] = [];
  let failureCount = 0;
  let worstMs = 0;
  let worstRequest = "";
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const started = performance.now();
  // Why a fixed share per worker: each worker's request stream depends on the seed alone.
  const worker = async (w: number) => {
    const rng = opts.rng.fork(w);
    const required: LearnedRequired = new Map();
    for (let i = w; i < opts.count; i += opts.concurrency) {
      const plain = randomEc2Request(rng, opts.ids, required);
      const req =
        opts.authKeyId === undefined
          ? plain
          : { ...plain, headers: randomAuthHeaders(rng, opts.authKeyId) };
      const t0 = performance.now();
      const r = await sendOne(agent, opts.endpoint, req);
      const ms = performance.now() - t0;
      if (ms > worstMs) {
        worstMs = ms;
        worstRequest = describe(req);
      }
      byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      const action = req.params.find(([k]) => k === "Action")?.[1];
      if (r.missing !== undefined && action !== undefined) {
        const set = required.get(action) ?? new Set<string>();
        set.add(r.missing);
        required.set(action, set);
      }
      if (r.code !== undefined) errorCodes.set(r.code, (errorCodes.get(r.code) ?? 0) + 1);
      if (r.failure !== undefined) {
        failureCount++;
        if (failures.length < 20) failures.push(`${r.failure}\n    request: ${describe(req)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_v, i) => worker(i)));
  agent.destroy();
  return {
    requests: opts.count,
    byStatus,
    errorCodes,
    worstMs: Math.round(worstMs),
    worstRequest,
    elapsedMs: Math.round(performance.now() - started),
    failures,
    failureCount,
  };
}
