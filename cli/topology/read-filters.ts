/**
 * The filtering resources of a topology file: security groups with their rules and network ACLs
 * with their numbered entries, down to protocols, ports and ICMP type/code (AWS-BEHAVIOUR RULE-*,
 * NACL-*).
 */
import { parseCidr } from "./cidr.js";
import type {
  TopologyNaclEntry,
  TopologyNetworkAcl,
  TopologyPeer,
  TopologySecurityGroup,
  TopologySgRule,
} from "./topology.js";
import { field, type MapView, type Reader, type SourceLocation } from "./yaml-reader.js";

const PROTOCOL_NUMBERS: Record<string, string> = { tcp: "6", udp: "17", icmp: "1", icmpv6: "58" };

/** "tcp" -> "6"; "-1" and numbers 0..255 stay; anything else (including `all`, RULE-4) undefined. */
export function normaliseProtocol(value: string): string | undefined {
  const lower = value.toLowerCase();
  // Why hasOwn: `constructor` is an unknown protocol, not Object.prototype's member.
  if (Object.hasOwn(PROTOCOL_NUMBERS, lower)) return PROTOCOL_NUMBERS[lower];
  if (lower === "-1") return "-1";
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) return String(Number(lower));
  return undefined;
}

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

/** `securityGroups:` items with their ingress and (optional) egress rules. */
export function readSecurityGroups(r: Reader, top: MapView): TopologySecurityGroup[] {
  return top.list("securityGroups", (item, path, at): TopologySecurityGroup | undefined => {
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
}

/** `networkAcls:` items: subnets, numbered ingress and egress entries. */
export function readNetworkAcls(r: Reader, top: MapView): TopologyNetworkAcl[] {
  return top.list("networkAcls", (item, path, at): TopologyNetworkAcl | undefined => {
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
}
