import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";
import { controllerError, invalidValue } from "../errors.js";
import { sanitizeIpv4Cidr, sanitizeIpv6Cidr } from "./cidr.js";

/** One SG rule as stored: one peer per rule with its own `sgr-` id (AWS-BEHAVIOUR RULE-11). */
export interface SgRule {
  readonly ruleId: string;
  readonly isEgress: boolean;
  /** "-1" or an IANA number as text; tcp/udp/icmp/icmpv6 are "6"/"17"/"1"/"58" (RULE-4). */
  readonly protocol: string;
  /** tcp/udp ports, icmp type/code (-1 any); -1/-1 for every other protocol (RULE-5). */
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly description?: string;
  readonly tags: Tags;
}

export interface SecurityGroup extends ScopedFields {
  readonly groupId: string;
  readonly vpcId: string;
  readonly groupName: string;
  readonly description: string;
  readonly isDefault: boolean;
  readonly rules: readonly SgRule[];
  readonly tags: Tags;
  /** Audit mode (controller/audit/): a staged rule set judged beside `rules`, never enforced. */
  readonly staged?: StagedRules;
}

/**
 * A staged rule set (docs/observability.md "Audit mode"): per direction, the rules that would
 * replace the enforced ones; a direction left out keeps the enforced rules.
 */
export interface StagedRules {
  readonly ingress?: readonly SgRule[];
  readonly egress?: readonly SgRule[];
}

/** The peer of a rule to be created or matched, before group names are resolved. */
export type RulePeerSpec =
  | { readonly kind: "cidr4"; readonly cidr: string }
  | { readonly kind: "cidr6"; readonly cidr: string }
  | { readonly kind: "prefix-list"; readonly prefixListId: string }
  | { readonly kind: "group"; readonly groupId: string }
  | { readonly kind: "group-name"; readonly groupName: string };

/** A validated (protocol, ports, one peer) request item, as RULE-9 identifies rules. */
export interface RuleSpec {
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly peer: RulePeerSpec;
  readonly description?: string;
}

/** IpPermission as it arrives (API-17), strings untouched. */
export interface PermissionInput {
  readonly ipProtocol?: string | undefined;
  readonly fromPort?: string | undefined;
  readonly toPort?: string | undefined;
  readonly ipRanges: ReadonlyArray<{
    cidrIp?: string | undefined;
    description?: string | undefined;
  }>;
  readonly ipv6Ranges: ReadonlyArray<{
    cidrIpv6?: string | undefined;
    description?: string | undefined;
  }>;
  readonly prefixListIds: ReadonlyArray<{
    prefixListId?: string | undefined;
    description?: string | undefined;
  }>;
  readonly groups: ReadonlyArray<{
    groupId?: string | undefined;
    groupName?: string | undefined;
    userId?: string | undefined;
    description?: string | undefined;
  }>;
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  tcp: "6",
  udp: "17",
  icmp: "1",
  icmpv6: "58",
};
const PROTOCOL_BY_NUMBER: Readonly<Record<string, string>> = {
  "6": "tcp",
  "17": "udp",
  "1": "icmp",
  "58": "icmpv6",
};

/** Stored protocol -> the name Describe shows (RULE-4): tcp/udp/icmp/icmpv6, else the number. */
export function protocolName(protocol: string): string {
  return Object.hasOwn(PROTOCOL_BY_NUMBER, protocol) ? PROTOCOL_BY_NUMBER[protocol]! : protocol;
}

/** Human label used in ERR-1 messages: TCP, UDP, ICMP, ICMPV6, ALL or the number. */
export function protocolLabel(protocol: string): string {
  if (protocol === "-1") return "ALL";
  return protocolName(protocol).toUpperCase();
}

/** RULE-4: tcp/udp/icmp/icmpv6 (any case), -1, or 0..255; `all` and others raise ERR-22; none ERR-21. */
export function sanitizeSgProtocol(p: string | undefined): string {
  if (p === undefined || p === "")
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      "Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly.",
    );
  // Why hasOwn: `constructor` or `__proto__` is an unknown protocol, not Object.prototype's member
  // (it was stored as the rule's protocol and a later duplicate check answered 500).
  const lower = p.toLowerCase();
  if (Object.hasOwn(PROTOCOL_NAMES, lower)) return PROTOCOL_NAMES[lower]!;
  if (p === "-1") return "-1";
  if (/^\d{1,3}$/.test(p) && Number(p) <= 255) return String(Number(p));
  throw controllerError(
    "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
    `Invalid value '${p}' for IP protocol. Unknown protocol.`,
  );
}

function intParam(v: string, param: string): number {
  if (!/^-?\d+$/.test(v.trim())) throw invalidValue(v, param);
  return Number(v);
}

/** RULE-5/RULE-6 port semantics: returns the stored (fromPort, toPort). */
export function sanitizeSgPorts(
  protocol: string,
  fromPort: string | undefined,
  toPort: string | undefined,
): { fromPort: number; toPort: number } {
  if (protocol === "6" || protocol === "17") {
    if (fromPort === undefined || toPort === undefined)
      throw invalidValue("Must specify both from and to ports with TCP/UDP.", "portRange");
    const f = intParam(fromPort, "fromPort");
    const t = intParam(toPort, "toPort");
    for (const n of [f, t])
      if (n < 0 || n > 65535)
        throw controllerError("EMU_ERR_RULE_MALFORMED", `TCP/UDP port (${n}) out of range`);
    if (f > t)
      throw invalidValue(`${f}-${t}`, "portRange", "The from port must not exceed the to port.");
    return { fromPort: f, toPort: t };
  }
  if (protocol === "1" || protocol === "58") {
    if (fromPort === undefined && toPort === undefined && protocol === "58")
      return { fromPort: -1, toPort: -1 };
    if (fromPort === undefined || toPort === undefined)
      throw invalidValue("Must specify both from and to ports with ICMP.", "portRange");
    const type = intParam(fromPort, "fromPort");
    const code = intParam(toPort, "toPort");
    if (type < -1 || type > 255) throw invalidValue(type, "icmp type");
    if (code < -1 || code > 255) throw invalidValue(code, "icmp code");
    if (type === -1 && code !== -1)
      throw invalidValue(code, "icmp code", "ICMP code must be -1 when type is -1.");
    return { fromPort: type, toPort: code };
  }
  return { fromPort: -1, toPort: -1 };
}

/** RULE-10: ≤255 chars of a-zA-Z0-9, space, ._-:/()#,@[]+=&;{}!$* */
export function sanitizeDescription(
  d: string | undefined,
  param = "description",
): string | undefined {
  if (d === undefined) return undefined;
  if (d.length > 255 || !/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/.test(d))
    throw invalidValue(d, param, "Character sets beyond ASCII are not supported.");
  return d;
}

/** RULE-13: name ≤255, RULE-10 charset, not `default` (ERR-12), not `sg-*` (ERR-13). */
export function sanitizeGroupName(name: string): string {
  if (name.toLowerCase() === "default") throw controllerError("EMU_ERR_SG_RESERVED_NAME");
  if (name.startsWith("sg-"))
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Value (${name}) for parameter GroupName is invalid. Group names may not be in the format sg-*.`,
    );
  if (
    name.length === 0 ||
    name.length > 255 ||
    !/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/.test(name)
  )
    throw invalidValue(name, "GroupName");
  return name;
}

/** RULE-13 group description: required, ≤255, RULE-10 charset. */
export function sanitizeGroupDescription(d: string): string {
  return sanitizeDescription(d, "GroupDescription") ?? "";
}

/**
 * One IpPermission -> one RuleSpec per peer (RULE-11). Validates protocol, ports, CIDRs
 * (canonicalised, RULE-8), descriptions; group peers are resolved later by the store.
 * A permission without any peer raises ERR-23.
 */
export function sanitizePermission(p: PermissionInput): RuleSpec[] {
  const protocol = sanitizeSgProtocol(p.ipProtocol);
  const { fromPort, toPort } = sanitizeSgPorts(protocol, p.fromPort, p.toPort);
  const specs: RuleSpec[] = [];
  const add = (peer: RulePeerSpec, description: string | undefined) => {
    const d = sanitizeDescription(description);
    specs.push(
      d === undefined
        ? { protocol, fromPort, toPort, peer }
        : { protocol, fromPort, toPort, peer, description: d },
    );
  };
  for (const r of p.ipRanges) {
    if (r.cidrIp === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "CidrIp");
    add({ kind: "cidr4", cidr: sanitizeIpv4Cidr(r.cidrIp).cidr }, r.description);
  }
  for (const r of p.ipv6Ranges) {
    if (r.cidrIpv6 === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "CidrIpv6");
    add({ kind: "cidr6", cidr: sanitizeIpv6Cidr(r.cidrIpv6).cidr }, r.description);
  }
  for (const r of p.prefixListIds) {
    if (r.prefixListId === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "PrefixListId");
    add({ kind: "prefix-list", prefixListId: r.prefixListId }, r.description);
  }
  for (const g of p.groups) {
    if (g.groupId !== undefined) add({ kind: "group", groupId: g.groupId }, g.description);
    else if (g.groupName !== undefined)
      add({ kind: "group-name", groupName: g.groupName }, g.description);
    else throw controllerError("EMU_ERR_RULE_MISSING_PEER");
  }
  if (specs.length === 0) throw controllerError("EMU_ERR_RULE_MISSING_PEER");
  return specs;
}

/** Peer part of a rule's identity (RULE-9); `ruleKey` adds direction, protocol and ports. */
export function rulePeerKey(r: {
  cidrIpv4?: string | undefined;
  cidrIpv6?: string | undefined;
  prefixListId?: string | undefined;
  referencedGroupId?: string | undefined;
}): string {
  if (r.cidrIpv4 !== undefined) return `4:${r.cidrIpv4}`;
  if (r.cidrIpv6 !== undefined) return `6:${r.cidrIpv6}`;
  if (r.prefixListId !== undefined) return `pl:${r.prefixListId}`;
  return `sg:${r.referencedGroupId ?? ""}`;
}

export function ruleKey(r: Omit<SgRule, "ruleId" | "tags">): string {
  return `${r.isEgress ? "e" : "i"}|${r.protocol}|${r.fromPort}|${r.toPort}|${rulePeerKey(r)}`;
}

/** The peer text used in ERR-1 messages. */
export function rulePeerText(r: Omit<SgRule, "ruleId" | "tags">): string {
  return r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.referencedGroupId ?? "";
}
