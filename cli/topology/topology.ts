/**
 * Topology files (YAML): VPCs, subnets, prefix lists, security groups with rules, network ACLs
 * and instances, validated once into a `Topology` whose every item remembers where it was
 * written (file, line, field path), so a mistake reads
 * `topology.yaml:12: instances[1].subnet: unknown subnet 'db'`. apply-topology.ts turns a
 * Topology into EC2 API calls; the format is described in docs/topology.md.
 *
 * Checked here: shapes, required fields, unknown fields, CIDR syntax, ports, references between
 * items (by name), addresses inside their subnet. AWS-level rules the API enforces anyway
 * (quotas, duplicates) are reported by apply-topology.ts with the same location.
 */
import { isIPv4, isIPv6 } from "node:net";
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type YAMLMap,
} from "yaml";

/** Where an item or field was written. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  /** Field path, e.g. `securityGroups[0].ingress[2]`. */
  readonly path: string;
  /** For a mapping: the line of each of its fields, so later checks can point at the field. */
  readonly fields?: Readonly<Record<string, number>>;
}

export interface TopologyVpc {
  readonly name: string;
  readonly cidr: string;
  readonly at: SourceLocation;
}

export interface TopologySubnet {
  readonly name: string;
  readonly vpc: string;
  readonly cidr: string;
  readonly availabilityZone?: string;
  readonly at: SourceLocation;
}

export interface TopologyPrefixList {
  readonly name: string;
  readonly addressFamily: "IPv4" | "IPv6";
  readonly maxEntries: number;
  readonly entries: readonly { readonly cidr: string; readonly description?: string }[];
  readonly at: SourceLocation;
}

/** Exactly one peer per rule (AWS-BEHAVIOUR RULE-7). Names refer to items of the file. */
export type TopologyPeer =
  | { readonly kind: "cidr"; readonly cidr: string }
  | { readonly kind: "sg"; readonly group: string }
  | { readonly kind: "prefix-list"; readonly prefixList: string };

export interface TopologySgRule {
  /** "-1", or an IANA number as text; names (tcp, udp, icmp, icmpv6) are normalised to numbers. */
  readonly protocol: string;
  /** tcp/udp: port range; icmp/icmpv6: type/code (-1 = any); otherwise -1/-1 (RULE-5, RULE-6). */
  readonly fromPort: number;
  readonly toPort: number;
  readonly peer: TopologyPeer;
  readonly description?: string;
  readonly at: SourceLocation;
}

export interface TopologySecurityGroup {
  readonly name: string;
  readonly vpc: string;
  readonly description: string;
  readonly ingress: readonly TopologySgRule[];
  /** Absent: AWS's default egress (all to 0.0.0.0/0, DEF-2) is kept; present: exactly these. */
  readonly egress?: readonly TopologySgRule[];
  readonly at: SourceLocation;
}

export interface TopologyNaclEntry {
  readonly ruleNumber: number;
  readonly action: "allow" | "deny";
  readonly protocol: string;
  readonly cidr: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly at: SourceLocation;
}

export interface TopologyNetworkAcl {
  readonly name: string;
  readonly vpc: string;
  readonly subnets: readonly string[];
  readonly ingress: readonly TopologyNaclEntry[];
  readonly egress: readonly TopologyNaclEntry[];
  readonly at: SourceLocation;
}

export interface TopologyInstance {
  readonly name: string;
  readonly subnet: string;
  /** Group names of the file, or `default` (the VPC default SG, DEF-4) when empty. */
  readonly securityGroups: readonly string[];
  readonly privateIp?: string;
  /** ConnectionTrackingSpecification of the primary ENI, seconds (TO-1, TO-2). */
  readonly conntrack?: {
    readonly tcpEstablishedTimeout?: number;
    readonly udpTimeout?: number;
    readonly udpStreamTimeout?: number;
  };
  /** Extra tags (e.g. `vpcemu:conntrack-max`, the per-instance allowance, MET-1); Name is set from `name`. */
  readonly tags?: Readonly<Record<string, string>>;
  readonly at: SourceLocation;
}

export interface Topology {
  readonly file: string;
  readonly vpcs: readonly TopologyVpc[];
  readonly subnets: readonly TopologySubnet[];
  readonly prefixLists: readonly TopologyPrefixList[];
  readonly securityGroups: readonly TopologySecurityGroup[];
  readonly networkAcls: readonly TopologyNetworkAcl[];
  readonly instances: readonly TopologyInstance[];
}

/** One problem in a topology file. */
export interface TopologyIssue {
  readonly at: SourceLocation;
  readonly message: string;
}

/** Formats an issue as `file:line: path: message`. */
export function formatIssue(issue: TopologyIssue): string {
  const path = issue.at.path === "" ? "" : `${issue.at.path}: `;
  return `${issue.at.file}:${issue.at.line}: ${path}${issue.message}`;
}

/** Every problem found in a file (validation continues past the first). */
export class TopologyError extends Error {
  override readonly name = "TopologyError";
  constructor(readonly issues: readonly TopologyIssue[]) {
    super(issues.map(formatIssue).join("\n"));
  }
}

const PROTOCOL_NUMBERS: Record<string, string> = { tcp: "6", udp: "17", icmp: "1", icmpv6: "58" };

/** "tcp" -> "6"; "-1" and numbers 0..255 stay; anything else (including `all`, RULE-4) undefined. */
export function normaliseProtocol(value: string): string | undefined {
  const lower = value.toLowerCase();
  if (PROTOCOL_NUMBERS[lower]) return PROTOCOL_NUMBERS[lower];
  if (lower === "-1") return "-1";
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) return String(Number(lower));
  return undefined;
}

/** Parsed CIDR; `network` is the canonical text (host bits cleared, RULE-8). */
export interface Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly network: string;
  /** IPv4 only: first and last address as unsigned 32-bit numbers. */
  readonly first?: number;
  readonly last?: number;
}

export function ipv4ToNumber(addr: string): number {
  return addr.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Parses `a.b.c.d/n` or `v6/n`; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const addr = m[1] ?? "";
  const prefix = Number(m[2]);
  if (isIPv4(addr) && prefix <= 32) {
    const size = 2 ** (32 - prefix);
    const first = Math.floor(ipv4ToNumber(addr) / size) * size;
    return {
      family: 4,
      prefix,
      network: `${numberToIpv4(first)}/${prefix}`,
      first,
      last: first + size - 1,
    };
  }
  if (isIPv6(addr) && prefix <= 128) return { family: 6, prefix, network: `${addr}/${prefix}` };
  return undefined;
}

/** True when IPv4 `addr` lies inside IPv4 `cidr`. */
export function cidrContains(cidr: Cidr, addr: string): boolean {
  if (cidr.family !== 4 || !isIPv4(addr) || cidr.first === undefined || cidr.last === undefined) {
    return false;
  }
  const n = ipv4ToNumber(addr);
  return n >= cidr.first && n <= cidr.last;
}

type Issues = TopologyIssue[];

/** Reads YAML nodes, recording issues with their line. */
class Reader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    readonly issues: Issues,
  ) {}

  at(node: YamlNode | null | undefined, path: string, fallback?: SourceLocation): SourceLocation {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback ?? { file: this.file, line: 1, path };
    return { file: this.file, line: this.lines.linePos(offset).line, path };
  }

  issue(at: SourceLocation, message: string): void {
    this.issues.push({ at, message });
  }

  /** The map at `node`, reporting unknown keys; undefined (with an issue) when not a map. */
  map(
    node: unknown,
    path: string,
    allowed: readonly string[],
    parentAt: SourceLocation,
  ): MapView | undefined {
    if (!isMap(node)) {
      this.issue(this.at(node as YamlNode, path, parentAt), "expected a mapping");
      return undefined;
    }
    const view = new MapView(this, node, path);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!allowed.includes(key)) {
        const keyPath = path === "" ? key : `${path}.${key}`;
        this.issue(
          this.at(pair.key as YamlNode, keyPath),
          `unknown field (expected one of: ${allowed.join(", ")})`,
        );
      }
    }
    return view;
  }
}

/** Field access on one YAML mapping. */
class MapView {
  readonly at: SourceLocation;
  constructor(
    private readonly r: Reader,
    private readonly node: YAMLMap,
    readonly path: string,
  ) {
    const fields: Record<string, number> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      fields[key] = r.at(pair.key as YamlNode, key).line;
    }
    this.at = { ...r.at(node as YamlNode, path), fields };
  }

  fieldPath(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.node.has(key);
  }

  /** The raw node of `key` (for nested maps and lists). */
  node_(key: string): unknown {
    return this.node.get(key, true);
  }

  fieldAt(key: string): SourceLocation {
    const n = this.node.get(key, true) as YamlNode | undefined;
    return this.r.at(n, this.fieldPath(key), { ...this.at, path: this.fieldPath(key) });
  }

  /** A scalar as text (numbers accepted and stringified). */
  string(key: string, required: true): string | undefined;
  string(key: string, required?: false): string | undefined;
  string(key: string, required = false): string | undefined {
    const n = this.node.get(key, true);
    if (n === undefined || (isScalar(n) && n.value === null)) {
      if (required)
        this.r.issue({ ...this.at, path: this.fieldPath(key) }, "required field missing");
      return undefined;
    }
    if (!isScalar(n) || (typeof n.value !== "string" && typeof n.value !== "number")) {
      this.r.issue(this.fieldAt(key), "expected a string");
      return undefined;
    }
    return String(n.value);
  }

  int(key: string, min: number, max: number, required = false): number | undefined {
    const n = this.node.get(key, true);
    if (n === undefined) {
      if (required)
        this.r.issue({ ...this.at, path: this.fieldPath(key) }, "required field missing");
      return undefined;
    }
    const v = isScalar(n) ? n.value : undefined;
    const num =
      typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(num) || num < min || num > max) {
      this.r.issue(this.fieldAt(key), `expected an integer in ${min}..${max}, got '${String(v)}'`);
      return undefined;
    }
    return num;
  }

  /** A list of items (each handed to `each` with its index path); absent -> []. */
  list<T>(
    key: string,
    each: (item: unknown, path: string, at: SourceLocation) => T | undefined,
  ): T[] {
    const n = this.node.get(key, true);
    if (n === undefined || (isScalar(n) && n.value === null)) return [];
    if (!isSeq(n)) {
      this.r.issue(this.fieldAt(key), "expected a list");
      return [];
    }
    const out: T[] = [];
    n.items.forEach((item, i) => {
      const path = `${this.fieldPath(key)}[${i}]`;
      const v = each(item, path, this.r.at(item as YamlNode, path, this.fieldAt(key)));
      if (v !== undefined) out.push(v);
    });
    return out;
  }

  /** A list of strings (a single string is accepted as a one-item list). */
  strings(key: string): string[] {
    const n = this.node.get(key, true);
    if (isScalar(n) && typeof n.value === "string") return [n.value];
    return this.list(key, (item, path, at) => {
      if (isScalar(item) && (typeof item.value === "string" || typeof item.value === "number")) {
        return String(item.value);
      }
      this.r.issue({ ...at, path }, "expected a string");
      return undefined;
    });
  }
}

const TOP_KEYS = [
  "description",
  "vpcs",
  "subnets",
  "prefixLists",
  "securityGroups",
  "networkAcls",
  "instances",
];
const RULE_KEYS = [
  "protocol",
  "ports",
  "icmpType",
  "icmpCode",
  "cidr",
  "sg",
  "prefixList",
  "description",
];
const NACL_KEYS = ["rule", "action", "protocol", "cidr", "ports", "icmpType", "icmpCode"];

/** Parses `80`, `"80"`, `"1024-65535"`; undefined with an issue when malformed. */
function readPorts(r: Reader, m: MapView): { from: number; to: number } | undefined {
  const text = m.string("ports");
  if (text === undefined) return undefined;
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(text);
  const from = Number(match?.[1]);
  const to = match?.[2] === undefined ? from : Number(match[2]);
  if (!match || from > 65535 || to > 65535 || from > to) {
    r.issue(
      m.fieldAt("ports"),
      `expected a port or a range 'from-to' within 0-65535, got '${text}'`,
    );
    return undefined;
  }
  return { from, to };
}

function readProtocol(r: Reader, m: MapView): string | undefined {
  const text = m.string("protocol", true);
  if (text === undefined) return undefined;
  const protocol = normaliseProtocol(text);
  if (protocol === undefined) {
    r.issue(
      m.fieldAt("protocol"),
      `unknown protocol '${text}' (use tcp, udp, icmp, icmpv6, -1 for all, or a number 0-255)`,
    );
  }
  return protocol;
}

/** Ports for a rule's protocol: tcp/udp need `ports`, icmp takes icmpType/icmpCode (RULE-6). */
function readRulePorts(
  r: Reader,
  m: MapView,
  protocol: string,
): { from: number; to: number } | undefined {
  if (protocol === "6" || protocol === "17") {
    if (!m.has("ports")) {
      r.issue({ ...m.at, path: m.fieldPath("ports") }, "required for tcp and udp");
      return undefined;
    }
    return readPorts(r, m);
  }
  if (m.has("ports")) r.issue(m.fieldAt("ports"), "only tcp and udp rules take ports");
  if (protocol === "1" || protocol === "58") {
    const type = m.int("icmpType", -1, 255) ?? -1;
    const code = m.int("icmpCode", -1, 255) ?? -1;
    if (type === -1 && code !== -1) {
      r.issue(
        m.fieldAt("icmpCode"),
        "icmpCode needs an icmpType (type -1 means every type and code)",
      );
    }
    return { from: type, to: code };
  }
  for (const k of ["icmpType", "icmpCode"]) {
    if (m.has(k)) r.issue(m.fieldAt(k), "only icmp and icmpv6 rules take icmpType/icmpCode");
  }
  return { from: -1, to: -1 };
}

function readSgRule(
  r: Reader,
  item: unknown,
  path: string,
  at: SourceLocation,
): TopologySgRule | undefined {
  const m = r.map(item, path, RULE_KEYS, at);
  if (!m) return undefined;
  const protocol = readProtocol(r, m);
  const ports = protocol === undefined ? undefined : readRulePorts(r, m, protocol);
  const peers = (["cidr", "sg", "prefixList"] as const).filter((k) => m.has(k));
  let peer: TopologyPeer | undefined;
  if (peers.length !== 1) {
    r.issue(m.at, "exactly one peer is needed: cidr, sg or prefixList");
  } else if (peers[0] === "cidr") {
    const text = m.string("cidr", true);
    const cidr = text === undefined ? undefined : parseCidr(text);
    if (text !== undefined && !cidr) r.issue(m.fieldAt("cidr"), `malformed CIDR '${text}'`);
    if (cidr) peer = { kind: "cidr", cidr: cidr.network };
  } else if (peers[0] === "sg") {
    const group = m.string("sg", true);
    if (group !== undefined) peer = { kind: "sg", group };
  } else {
    const prefixList = m.string("prefixList", true);
    if (prefixList !== undefined) peer = { kind: "prefix-list", prefixList };
  }
  const description = m.string("description");
  if (protocol === undefined || ports === undefined || peer === undefined) return undefined;
  return {
    protocol,
    fromPort: ports.from,
    toPort: ports.to,
    peer,
    ...(description !== undefined ? { description } : {}),
    at: m.at,
  };
}

function readNaclEntry(
  r: Reader,
  item: unknown,
  path: string,
  at: SourceLocation,
): TopologyNaclEntry | undefined {
  const m = r.map(item, path, NACL_KEYS, at);
  if (!m) return undefined;
  const ruleNumber = m.int("rule", 1, 32766, true);
  const action = m.string("action", true);
  if (action !== undefined && action !== "allow" && action !== "deny") {
    r.issue(m.fieldAt("action"), `expected 'allow' or 'deny', got '${action}'`);
  }
  const protocol = readProtocol(r, m);
  const cidrText = m.string("cidr", true);
  const cidr = cidrText === undefined ? undefined : parseCidr(cidrText);
  if (cidrText !== undefined && !cidr) r.issue(m.fieldAt("cidr"), `malformed CIDR '${cidrText}'`);
  let ports: { from: number; to: number } | undefined;
  let icmp: { type: number; code: number } | undefined;
  if (protocol === "6" || protocol === "17") {
    if (!m.has("ports"))
      r.issue({ ...m.at, path: m.fieldPath("ports") }, "required for tcp and udp (NACL-6)");
    else ports = readPorts(r, m);
  } else if (protocol === "1" || protocol === "58") {
    icmp = { type: m.int("icmpType", -1, 255) ?? -1, code: m.int("icmpCode", -1, 255) ?? -1 };
  } else if (m.has("ports")) {
    r.issue(m.fieldAt("ports"), "only tcp and udp entries take ports");
  }
  if (ruleNumber === undefined || (action !== "allow" && action !== "deny") || !protocol || !cidr) {
    return undefined;
  }
  return {
    ruleNumber,
    action,
    protocol,
    cidr: cidr.network,
    ...(ports ? { fromPort: ports.from, toPort: ports.to } : {}),
    ...(icmp ? { icmpType: icmp.type, icmpCode: icmp.code } : {}),
    at: m.at,
  };
}

/**
 * Parses and validates a topology file's text. `file` is used in locations only. Throws
 * TopologyError listing every problem.
 */
export function parseTopology(text: string, file: string): Topology {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: Issues = [];
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line;
    issues.push({
      at: { file, line, path: "" },
      message: err.message.split("\n")[0] ?? err.message,
    });
  }
  if (issues.length > 0) throw new TopologyError(issues);

  const r = new Reader(file, lines, issues);
  const rootAt: SourceLocation = { file, line: 1, path: "" };
  const top = r.map(doc.contents, "", TOP_KEYS, rootAt);
  if (!top) throw new TopologyError(issues);

  const vpcs = top.list("vpcs", (item, path, at) => {
    const m = r.map(item, path, ["name", "cidr"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const cidrText = m.string("cidr", true);
    const cidr = cidrText === undefined ? undefined : parseCidr(cidrText);
    if (
      cidrText !== undefined &&
      (!cidr || cidr.family !== 4 || cidr.prefix < 16 || cidr.prefix > 28)
    ) {
      r.issue(m.fieldAt("cidr"), `expected an IPv4 CIDR from /16 to /28, got '${cidrText}'`);
      return undefined;
    }
    return name && cidr ? { name, cidr: cidr.network, at: m.at } : undefined;
  });

  const subnets = top.list("subnets", (item, path, at) => {
    const m = r.map(item, path, ["name", "vpc", "cidr", "availabilityZone"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const vpc = m.string("vpc", true);
    const cidrText = m.string("cidr", true);
    const az = m.string("availabilityZone");
    const cidr = cidrText === undefined ? undefined : parseCidr(cidrText);
    if (
      cidrText !== undefined &&
      (!cidr || cidr.family !== 4 || cidr.prefix < 16 || cidr.prefix > 28)
    ) {
      r.issue(m.fieldAt("cidr"), `expected an IPv4 CIDR from /16 to /28, got '${cidrText}'`);
      return undefined;
    }
    if (!name || !vpc || !cidr) return undefined;
    return {
      name,
      vpc,
      cidr: cidr.network,
      ...(az !== undefined ? { availabilityZone: az } : {}),
      at: m.at,
    };
  });

  const prefixLists = top.list("prefixLists", (item, path, at) => {
    const m = r.map(item, path, ["name", "addressFamily", "maxEntries", "entries"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const entries = m.list("entries", (e, epath, eat) => {
      let text: string | undefined;
      let description: string | undefined;
      if (isScalar(e) && typeof e.value === "string") {
        text = e.value;
      } else {
        const em = r.map(e, epath, ["cidr", "description"], eat);
        text = em?.string("cidr", true);
        description = em?.string("description");
      }
      const cidr = text === undefined ? undefined : parseCidr(text);
      if (text !== undefined && !cidr) r.issue({ ...eat, path: epath }, `malformed CIDR '${text}'`);
      return cidr ? { cidr, description } : undefined;
    });
    const familyText = m.string("addressFamily");
    if (familyText !== undefined && familyText !== "IPv4" && familyText !== "IPv6") {
      r.issue(m.fieldAt("addressFamily"), `expected 'IPv4' or 'IPv6', got '${familyText}'`);
    }
    const family: 4 | 6 =
      familyText === "IPv6" ? 6 : familyText === "IPv4" ? 4 : (entries[0]?.cidr.family ?? 4);
    entries.forEach((e, i) => {
      if (e.cidr.family !== family) {
        r.issue(
          { ...m.fieldAt("entries"), path: `${m.fieldPath("entries")}[${i}]` },
          `IPv${e.cidr.family} entry in an IPv${family} prefix list`,
        );
      }
    });
    const maxEntries = m.int("maxEntries", 1, 1000) ?? Math.max(entries.length, 1);
    if (maxEntries < entries.length) {
      r.issue(m.fieldAt("maxEntries"), `smaller than the ${entries.length} entries given`);
    }
    if (!name) return undefined;
    return {
      name,
      addressFamily: family === 6 ? ("IPv6" as const) : ("IPv4" as const),
      maxEntries,
      entries: entries.map((e) => ({
        cidr: e.cidr.network,
        ...(e.description ? { description: e.description } : {}),
      })),
      at: m.at,
    };
  });

  const securityGroups = top.list("securityGroups", (item, path, at) => {
    const m = r.map(item, path, ["name", "vpc", "description", "ingress", "egress"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const vpc = m.string("vpc", true);
    const description = m.string("description") ?? name ?? "";
    const ingress = m.list("ingress", (e, p, a) => readSgRule(r, e, p, a));
    const egress = m.has("egress")
      ? m.list("egress", (e, p, a) => readSgRule(r, e, p, a))
      : undefined;
    if (name !== undefined && (name.toLowerCase() === "default" || name.startsWith("sg-"))) {
      r.issue(m.fieldAt("name"), `'${name}' is reserved (RULE-13): pick another name`);
      return undefined;
    }
    if (!name || !vpc) return undefined;
    return { name, vpc, description, ingress, ...(egress ? { egress } : {}), at: m.at };
  });

  const networkAcls = top.list("networkAcls", (item, path, at) => {
    const m = r.map(item, path, ["name", "vpc", "subnets", "ingress", "egress"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const vpc = m.string("vpc", true);
    const subnetNames = m.strings("subnets");
    const ingress = m.list("ingress", (e, p, a) => readNaclEntry(r, e, p, a));
    const egress = m.list("egress", (e, p, a) => readNaclEntry(r, e, p, a));
    for (const [dir, entries] of [
      ["ingress", ingress],
      ["egress", egress],
    ] as const) {
      const seen = new Set<number>();
      for (const e of entries) {
        if (seen.has(e.ruleNumber))
          r.issue(field(e.at, "rule"), `rule number ${e.ruleNumber} used twice in ${dir} (NACL-9)`);
        seen.add(e.ruleNumber);
      }
    }
    if (!name || !vpc) return undefined;
    return { name, vpc, subnets: subnetNames, ingress, egress, at: m.at };
  });

  const instances = top.list("instances", (item, path, at) => {
    const m = r.map(
      item,
      path,
      ["name", "subnet", "securityGroups", "privateIp", "conntrack", "tags"],
      at,
    );
    if (!m) return undefined;
    const name = m.string("name", true);
    const subnet = m.string("subnet", true);
    const groups = m.strings("securityGroups");
    const privateIp = m.string("privateIp");
    if (privateIp !== undefined && !isIPv4(privateIp)) {
      r.issue(m.fieldAt("privateIp"), `expected an IPv4 address, got '${privateIp}'`);
    }
    let conntrack: TopologyInstance["conntrack"];
    if (m.has("conntrack")) {
      const c = r.map(
        m.node_("conntrack"),
        m.fieldPath("conntrack"),
        ["tcpEstablishedTimeout", "udpTimeout", "udpStreamTimeout"],
        m.at,
      );
      if (c) {
        // AWS-BEHAVIOUR TO-1 ranges.
        const tcp = c.int("tcpEstablishedTimeout", 60, 432_000);
        const udp = c.int("udpTimeout", 30, 60);
        const stream = c.int("udpStreamTimeout", 60, 180);
        conntrack = {
          ...(tcp !== undefined ? { tcpEstablishedTimeout: tcp } : {}),
          ...(udp !== undefined ? { udpTimeout: udp } : {}),
          ...(stream !== undefined ? { udpStreamTimeout: stream } : {}),
        };
      }
    }
    let tags: Record<string, string> | undefined;
    if (m.has("tags")) {
      const node = m.node_("tags");
      if (!isMap(node)) {
        r.issue(m.fieldAt("tags"), "expected a mapping of tag keys to values");
      } else {
        tags = {};
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : "";
          const value = isScalar(pair.value) ? pair.value.value : undefined;
          if (key === "Name") {
            r.issue(
              r.at(pair.key as YamlNode, `${m.fieldPath("tags")}.Name`),
              "the Name tag comes from `name`",
            );
          } else if (
            typeof value === "string" ||
            typeof value === "number" ||
            typeof value === "boolean"
          ) {
            tags[key] = String(value);
          } else {
            r.issue(
              r.at(pair.key as YamlNode, `${m.fieldPath("tags")}.${key}`),
              "expected a string value",
            );
          }
        }
      }
    }
    if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/.test(name)) {
      r.issue(
        m.fieldAt("name"),
        `'${name}' is not a usable node name (letters, digits, '.', '_', '-'; at most 41)`,
      );
      return undefined;
    }
    if (name === "internet") {
      r.issue(
        m.fieldAt("name"),
        "'internet' is the name of the runtime's internet node: pick another name",
      );
      return undefined;
    }
    if (!name || !subnet) return undefined;
    return {
      name,
      subnet,
      securityGroups: groups,
      ...(privateIp !== undefined && isIPv4(privateIp) ? { privateIp } : {}),
      ...(conntrack ? { conntrack } : {}),
      ...(tags ? { tags } : {}),
      at: m.at,
    };
  });

  const topology: Topology = {
    file,
    vpcs,
    subnets,
    prefixLists,
    securityGroups,
    networkAcls,
    instances,
  };
  checkReferences(r, topology);
  if (issues.length > 0) throw new TopologyError([...issues].sort((a, b) => a.at.line - b.at.line));
  return topology;
}

/** Location of field `f` of the item at `at`. */
function field(at: SourceLocation, f: string): SourceLocation {
  return { file: at.file, line: at.fields?.[f] ?? at.line, path: `${at.path}.${f}` };
}

function duplicates<T extends { name: string; at: SourceLocation }>(
  r: Reader,
  items: readonly T[],
  kind: string,
  key: (t: T) => string = (t) => t.name,
): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const first = byName.get(k);
    if (first) {
      r.issue(
        {
          file: item.at.file,
          line: item.at.fields?.name ?? item.at.line,
          path: `${item.at.path}.name`,
        },
        `duplicate ${kind} name '${item.name}' (first at line ${first.at.line})`,
      );
    } else {
      byName.set(k, item);
    }
  }
  return byName;
}

/** Cross-item checks: names resolve, addresses fit, groups belong to the right VPC. */
function checkReferences(r: Reader, t: Topology): void {
  const vpcs = duplicates(r, t.vpcs, "VPC");
  const subnets = duplicates(r, t.subnets, "subnet");
  const prefixLists = duplicates(r, t.prefixLists, "prefix list");
  // RULE-13: SG names are unique per VPC, case-insensitively.
  const groupsByKey = duplicates(
    r,
    t.securityGroups,
    "security group",
    (g) => `${g.vpc}\u0000${g.name.toLowerCase()}`,
  );
  duplicates(r, t.networkAcls, "network ACL");
  duplicates(r, t.instances, "instance");
  const groupIn = (vpc: string, name: string) =>
    groupsByKey.get(`${vpc}\u0000${name.toLowerCase()}`);

  const subnetCidrs: { subnet: TopologySubnet; cidr: Cidr }[] = [];
  for (const s of t.subnets) {
    const vpc = vpcs.get(s.vpc);
    if (!vpc) {
      r.issue(field(s.at, "vpc"), `unknown VPC '${s.vpc}'`);
      continue;
    }
    const cidr = parseCidr(s.cidr);
    const vpcCidr = parseCidr(vpc.cidr);
    if (cidr && vpcCidr && (cidr.first! < vpcCidr.first! || cidr.last! > vpcCidr.last!)) {
      r.issue(field(s.at, "cidr"), `${s.cidr} is not inside VPC '${vpc.name}' (${vpc.cidr})`);
    }
    for (const other of subnetCidrs) {
      if (
        cidr &&
        other.subnet.vpc === s.vpc &&
        cidr.first! <= other.cidr.last! &&
        other.cidr.first! <= cidr.last!
      ) {
        r.issue(
          field(s.at, "cidr"),
          `${s.cidr} overlaps subnet '${other.subnet.name}' (${other.subnet.cidr})`,
        );
      }
    }
    if (cidr) subnetCidrs.push({ subnet: s, cidr });
  }

  const checkRules = (g: TopologySecurityGroup, rules: readonly TopologySgRule[]) => {
    for (const rule of rules) {
      if (
        rule.peer.kind === "sg" &&
        rule.peer.group !== "default" &&
        !groupIn(g.vpc, rule.peer.group)
      ) {
        r.issue(
          field(rule.at, "sg"),
          `unknown security group '${rule.peer.group}' in VPC '${g.vpc}'`,
        );
      }
      if (rule.peer.kind === "prefix-list" && !prefixLists.has(rule.peer.prefixList)) {
        r.issue(field(rule.at, "prefixList"), `unknown prefix list '${rule.peer.prefixList}'`);
      }
    }
  };
  for (const g of t.securityGroups) {
    if (!vpcs.has(g.vpc)) r.issue(field(g.at, "vpc"), `unknown VPC '${g.vpc}'`);
    checkRules(g, g.ingress);
    checkRules(g, g.egress ?? []);
  }

  const naclOf = new Map<string, TopologyNetworkAcl>();
  for (const acl of t.networkAcls) {
    if (!vpcs.has(acl.vpc)) r.issue(field(acl.at, "vpc"), `unknown VPC '${acl.vpc}'`);
    acl.subnets.forEach((name, i) => {
      const at = { ...field(acl.at, "subnets"), path: `${acl.at.path}.subnets[${i}]` };
      const s = subnets.get(name);
      if (!s) r.issue(at, `unknown subnet '${name}'`);
      else if (s.vpc !== acl.vpc)
        r.issue(at, `subnet '${name}' is in VPC '${s.vpc}', not '${acl.vpc}'`);
      else if (naclOf.has(name))
        r.issue(
          at,
          `subnet '${name}' is already associated with network ACL '${naclOf.get(name)!.name}' (NACL-1: one per subnet)`,
        );
      else naclOf.set(name, acl);
    });
  }

  const usedIps = new Map<string, TopologyInstance>();
  for (const inst of t.instances) {
    const s = subnets.get(inst.subnet);
    if (!s) {
      r.issue(field(inst.at, "subnet"), `unknown subnet '${inst.subnet}'`);
      continue;
    }
    inst.securityGroups.forEach((name, i) => {
      if (name !== "default" && !groupIn(s.vpc, name)) {
        const other = t.securityGroups.find((g) => g.name.toLowerCase() === name.toLowerCase());
        r.issue(
          { ...field(inst.at, "securityGroups"), path: `${inst.at.path}.securityGroups[${i}]` },
          other
            ? `security group '${name}' is in VPC '${other.vpc}', subnet '${s.name}' in VPC '${s.vpc}'`
            : `unknown security group '${name}'`,
        );
      }
    });
    if (inst.securityGroups.length > 5) {
      r.issue(
        field(inst.at, "securityGroups"),
        `${inst.securityGroups.length} groups; at most 5 per network interface (Q-3)`,
      );
    }
    if (inst.privateIp !== undefined) {
      const cidr = parseCidr(s.cidr);
      if (cidr && !cidrContains(cidr, inst.privateIp)) {
        r.issue(
          field(inst.at, "privateIp"),
          `${inst.privateIp} is not inside subnet '${s.name}' (${s.cidr})`,
        );
      } else if (cidr) {
        const n = ipv4ToNumber(inst.privateIp);
        // AWS reserves the first four and the last address of every subnet (API-12).
        if (n - cidr.first! < 4 || n === cidr.last) {
          r.issue(
            field(inst.at, "privateIp"),
            `${inst.privateIp} is reserved in subnet '${s.name}' (first four and last addresses)`,
          );
        }
      }
      const other = usedIps.get(inst.privateIp);
      if (other)
        r.issue(
          field(inst.at, "privateIp"),
          `${inst.privateIp} is already used by instance '${other.name}'`,
        );
      usedIps.set(inst.privateIp, inst);
    }
  }
}
