import { controllerError } from "../errors.js";
import { referencedGroupView } from "../store/peering-ops.js";
import { sanitizeIpv4Cidr, sanitizeIpv6Cidr } from "../model/cidr.js";
import {
  protocolName,
  sanitizeDescription,
  sanitizePermission,
  sanitizeSgPorts,
  sanitizeSgProtocol,
  type PermissionInput,
  type RulePeerSpec,
  type RuleSpec,
  type SecurityGroup,
  type SgRule,
} from "../model/security-group.js";
import {
  authorizeRules,
  createSecurityGroup,
  deleteSecurityGroup,
  modifyRules,
  requireDefaultVpcGroup,
  requireGroup,
  revokeRules,
  updateRuleDescriptions,
  type ModifyRuleInput,
} from "../store/sg-ops.js";
import type { ScopedOpContext } from "../store/scope.js";
import { mutate, scopeOfRequest, visible, type ActionHandler, type Ec2Context } from "./context.js";
import { findDefaultVpc, requireDefaultVpc } from "../store/default-vpc.js";
import {
  applyFilters,
  notFoundError,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

// ---- request parsing

function parsePermission(m: QueryParams): PermissionInput {
  return {
    ipProtocol: m.str("IpProtocol"),
    fromPort: m.str("FromPort"),
    toPort: m.str("ToPort"),
    ipRanges: m
      .members("IpRanges")
      .map((r) => ({ cidrIp: r.str("CidrIp"), description: r.str("Description") })),
    ipv6Ranges: m
      .members("Ipv6Ranges")
      .map((r) => ({ cidrIpv6: r.str("CidrIpv6"), description: r.str("Description") })),
    prefixListIds: m
      .members("PrefixListIds")
      .map((r) => ({ prefixListId: r.str("PrefixListId"), description: r.str("Description") })),
    // AWS-BEHAVIOUR API-2: `Groups` on the wire; `UserIdGroupPairs` accepted as an alias.
    groups: [...m.members("Groups"), ...m.members("UserIdGroupPairs")].map((g) => ({
      groupId: g.str("GroupId"),
      groupName: g.str("GroupName"),
      userId: g.str("UserId"),
      description: g.str("Description"),
    })),
  };
}

const LEGACY_KEYS = [
  "IpProtocol",
  "FromPort",
  "ToPort",
  "CidrIp",
  "SourceSecurityGroupName",
  "SourceSecurityGroupOwnerId",
];

/**
 * The permissions of an Authorize/Revoke request as RuleSpecs: `IpPermissions.N` or the legacy
 * top-level form (API-17). Legacy with a source group and no protocol means tcp, udp and icmp
 * on every port (the old EC2 semantics); legacy without any peer is ERR-23.
 */
function parseRuleSpecs(p: QueryParams, isEgress: boolean): RuleSpec[] {
  const legacy = LEGACY_KEYS.some((k) => p.str(k) !== undefined);
  const perms = p.members("IpPermissions");
  if (legacy && perms.length > 0)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "The parameter IpPermissions cannot be used with the parameters IpProtocol, FromPort, ToPort, CidrIp or SourceSecurityGroupName",
    );
  if (!legacy) {
    if (perms.length === 0) throw controllerError("EMU_ERR_RULE_MISSING_PEER");
    return perms.flatMap((m) => sanitizePermission(parsePermission(m)));
  }
  const cidr = p.str("CidrIp");
  const source = isEgress ? undefined : p.str("SourceSecurityGroupName");
  if (cidr === undefined && source === undefined)
    throw controllerError("EMU_ERR_RULE_MISSING_PEER");
  const base = {
    ipRanges: cidr === undefined ? [] : [{ cidrIp: cidr }],
    ipv6Ranges: [],
    prefixListIds: [],
    groups: source === undefined ? [] : [{ groupName: source }],
  };
  if (p.str("IpProtocol") === undefined && source !== undefined && cidr === undefined) {
    return [
      { ipProtocol: "tcp", fromPort: "0", toPort: "65535" },
      { ipProtocol: "udp", fromPort: "0", toPort: "65535" },
      { ipProtocol: "icmp", fromPort: "-1", toPort: "-1" },
    ].flatMap((proto) => sanitizePermission({ ...base, ...proto }));
  }
  return sanitizePermission({
    ...base,
    ipProtocol: p.str("IpProtocol"),
    fromPort: p.str("FromPort"),
    toPort: p.str("ToPort"),
  });
}

/** `GroupId`, or `GroupName`, a name in the default VPC (API-15, API-17). */
function targetGroupId(ctx: ScopedOpContext, p: QueryParams): string {
  const id = p.str("GroupId");
  if (id !== undefined) return requireGroup(ctx, id).groupId;
  const name = p.str("GroupName");
  if (name === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "GroupId");
  return requireDefaultVpcGroup(ctx, name).groupId;
}

// ---- response shapes

function hasPorts(protocol: string): boolean {
  return protocol === "6" || protocol === "17" || protocol === "1" || protocol === "58";
}

/** RULE-11 / Appendix: rules sharing (protocol, from, to) merge into one ipPermissions item. */
export function ipPermissionsXml(c: Ec2Context, group: SecurityGroup, egress: boolean): XmlTree[] {
  const byKey = new Map<string, { head: SgRule; rules: SgRule[] }>();
  for (const r of group.rules) {
    if (r.isEgress !== egress) continue;
    const key = `${r.protocol}|${r.fromPort}|${r.toPort}`;
    const e = byKey.get(key);
    if (e === undefined) byKey.set(key, { head: r, rules: [r] });
    else e.rules.push(r);
  }
  return [...byKey.values()].map(({ head, rules }) => {
    const groups: XmlTree[] = [];
    const ipRanges: XmlTree[] = [];
    const ipv6Ranges: XmlTree[] = [];
    const prefixListIds: XmlTree[] = [];
    for (const r of rules) {
      if (r.cidrIpv4 !== undefined)
        ipRanges.push({ cidrIp: r.cidrIpv4, description: r.description });
      else if (r.cidrIpv6 !== undefined)
        ipv6Ranges.push({ cidrIpv6: r.cidrIpv6, description: r.description });
      else if (r.prefixListId !== undefined)
        prefixListIds.push({ prefixListId: r.prefixListId, description: r.description });
      else if (r.referencedGroupId !== undefined)
        groups.push({
          description: r.description,
          ...referencedGroupView(c.store.reader(), group.vpcId, r.referencedGroupId, c.accountId),
        });
    }
    const ports = hasPorts(head.protocol);
    return {
      ipProtocol: protocolName(head.protocol),
      fromPort: ports ? head.fromPort : undefined,
      toPort: ports ? head.toPort : undefined,
      groups,
      ipRanges,
      ipv6Ranges,
      prefixListIds,
    };
  });
}

export function securityGroupXml(c: Ec2Context, g: SecurityGroup): XmlTree {
  return {
    ownerId: c.accountId,
    groupId: g.groupId,
    groupName: g.groupName,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: `arn:aws:ec2:${c.region}:${c.accountId}:security-group/${g.groupId}`,
    ipPermissions: ipPermissionsXml(c, g, false),
    ipPermissionsEgress: ipPermissionsXml(c, g, true),
    tagSet: tagSet(g.tags),
  };
}

/** `securityGroupRuleSet/item` (API-17, API-19): -1 rules show fromPort/toPort -1. */
export function ruleXml(c: Ec2Context, groupId: string, r: SgRule): XmlTree {
  return {
    securityGroupRuleId: r.ruleId,
    groupId,
    groupOwnerId: c.accountId,
    isEgress: r.isEgress,
    ipProtocol: protocolName(r.protocol),
    fromPort: r.fromPort,
    toPort: r.toPort,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    prefixListId: r.prefixListId,
    referencedGroupInfo:
      r.referencedGroupId === undefined
        ? undefined
        : referencedGroupView(
            c.store.reader(),
            c.store.get("securityGroup", groupId)?.vpcId,
            r.referencedGroupId,
            c.accountId,
          ),
    description: r.description,
    tagSet: tagSet(r.tags),
    securityGroupRuleArn: `arn:aws:ec2:${c.region}:${c.accountId}:security-group-rule/${r.ruleId}`,
  };
}

// ---- actions

const createGroup: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.str("VpcId");
  const group = mutate(c, (ctx) => {
    return createSecurityGroup(ctx, {
      groupName: p.req("GroupName"),
      description: p.req("GroupDescription"),
      // Without VpcId: the default VPC (VPCIdNotSpecified when there is none).
      vpcId: vpcId ?? requireDefaultVpc(ctx).vpcId,
      tags: tagSpecifications(p, "security-group"),
    });
  });
  return {
    return: true,
    groupId: group.groupId,
    tagSet: tagSet(group.tags),
    securityGroupArn: `arn:aws:ec2:${c.region}:${c.accountId}:security-group/${group.groupId}`,
  };
};

const deleteGroup: ActionHandler = (c) => {
  const g = mutate(c, (ctx) => deleteSecurityGroup(ctx, targetGroupId(ctx, c.params)));
  return { return: true, groupId: g.groupId };
};

function permissionFilter(egress: boolean, pick: (r: SgRule) => string | undefined) {
  return (g: SecurityGroup) => g.rules.filter((r) => r.isEgress === egress).map(pick);
}

function ipPermissionFilters(c: Ec2Context, prefix: string, egress: boolean) {
  const groupName = (id: string) => c.store.get("securityGroup", id)?.groupName;
  return {
    [`${prefix}cidr`]: permissionFilter(egress, (r) => r.cidrIpv4),
    [`${prefix}ipv6-cidr`]: permissionFilter(egress, (r) => r.cidrIpv6),
    [`${prefix}prefix-list-id`]: permissionFilter(egress, (r) => r.prefixListId),
    [`${prefix}group-id`]: permissionFilter(egress, (r) => r.referencedGroupId),
    [`${prefix}group-name`]: permissionFilter(egress, (r) =>
      r.referencedGroupId === undefined ? undefined : groupName(r.referencedGroupId),
    ),
    [`${prefix}user-id`]: permissionFilter(egress, (r) =>
      r.referencedGroupId === undefined ? undefined : c.accountId,
    ),
    [`${prefix}protocol`]: permissionFilter(egress, (r) => protocolName(r.protocol)),
    [`${prefix}from-port`]: permissionFilter(egress, (r) => String(r.fromPort)),
    [`${prefix}to-port`]: permissionFilter(egress, (r) => String(r.toPort)),
  };
}

/** A group id as AWS checks ids: `sg-` + hex, else InvalidGroupId.Malformed (ERR-6). */
function checkGroupIdShape(id: string): void {
  if (!/^sg-[0-9a-f]+$/.test(id)) throw controllerError("EMU_ERR_SG_MALFORMED_ID", id);
}

const describeGroups: ActionHandler = (c) => {
  const p = c.params;
  // ERR-6: a malformed id, in GroupId.N or in a group-id filter, is Malformed, not NotFound.
  for (const id of p.list("GroupId")) checkGroupIdShape(id);
  for (const f of parseFilters(p))
    if (f.name === "group-id")
      for (const v of f.values) if (!v.includes("*") && !v.includes("?")) checkGroupIdShape(v);
  let all = selectByIds(
    visible(c, "securityGroup"),
    p.list("GroupId"),
    (g) => g.groupId,
    (m) =>
      m.length === 1
        ? controllerError("EMU_ERR_SG_NOT_FOUND", m[0] ?? "")
        : controllerError("EMU_ERR_SG_NOT_FOUND_MANY", m.map((x) => `'${x}'`).join(", ")),
  );
  const names = p.list("GroupName");
  if (names.length > 0) {
    // GroupName.N names groups of the default VPC (API-16); other VPCs: the group-name filter.
    const vpc = findDefaultVpc(c.store.reader(), scopeOfRequest(c));
    if (vpc === undefined) throw controllerError("EMU_ERR_VPC_NO_DEFAULT");
    const lower = new Set(names.map((n) => n.toLowerCase()));
    all = all.filter((g) => g.vpcId === vpc.vpcId && lower.has(g.groupName.toLowerCase()));
    for (const n of names)
      if (!all.some((g) => g.groupName.toLowerCase() === n.toLowerCase()))
        throw controllerError("EMU_ERR_SG_NOT_FOUND_IN_DEFAULT_VPC", n, vpc.vpcId);
  }
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "group-id": (g) => [g.groupId],
      "group-name": (g) => [g.groupName],
      "vpc-id": (g) => [g.vpcId],
      description: (g) => [g.description],
      "owner-id": () => [c.accountId],
      ...ipPermissionFilters(c, "ip-permission.", false),
      ...ipPermissionFilters(c, "egress.ip-permission.", true),
    },
    (g) => g.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { securityGroupInfo: page.map((g) => securityGroupXml(c, g)), nextToken };
};

function authorize(isEgress: boolean): ActionHandler {
  return (c) => {
    const specs = parseRuleSpecs(c.params, isEgress);
    const tags = tagSpecifications(c.params, "security-group-rule");
    const { groupId, added } = mutate(c, (ctx) => {
      const groupId = isEgress
        ? requireGroup(ctx, c.params.req("GroupId")).groupId
        : targetGroupId(ctx, c.params);
      return { groupId, added: authorizeRules(ctx, { groupId, isEgress, specs, tags }) };
    });
    return { return: true, securityGroupRuleSet: added.map((r) => ruleXml(c, groupId, r)) };
  };
}

function revokedXml(c: Ec2Context, groupId: string, r: SgRule): XmlTree {
  return {
    securityGroupRuleId: r.ruleId,
    groupId,
    isEgress: r.isEgress,
    ipProtocol: protocolName(r.protocol),
    fromPort: r.fromPort,
    toPort: r.toPort,
    cidrIpv4: r.cidrIpv4,
    cidrIpv6: r.cidrIpv6,
    prefixListId: r.prefixListId,
    referencedGroupId: r.referencedGroupId,
    description: r.description,
  };
}

/** A permission Revoke* found no rule for, as an IpPermission (API-18, default VPC). */
function unknownPermissionXml(s: RuleSpec): XmlTree {
  const ports = hasPorts(s.protocol);
  const p = s.peer;
  return {
    ipProtocol: protocolName(s.protocol),
    fromPort: ports ? s.fromPort : undefined,
    toPort: ports ? s.toPort : undefined,
    groups:
      p.kind === "group"
        ? [{ groupId: p.groupId }]
        : p.kind === "group-name"
          ? [{ groupName: p.groupName }]
          : [],
    ipRanges: p.kind === "cidr4" ? [{ cidrIp: p.cidr }] : [],
    ipv6Ranges: p.kind === "cidr6" ? [{ cidrIpv6: p.cidr }] : [],
    prefixListIds: p.kind === "prefix-list" ? [{ prefixListId: p.prefixListId }] : [],
  };
}

function ruleIdList(p: QueryParams): string[] {
  return p.list("SecurityGroupRuleId");
}

function revoke(isEgress: boolean): ActionHandler {
  return (c) => {
    const p = c.params;
    const ruleIds = ruleIdList(p);
    const specs = ruleIds.length > 0 && !p.has("IpPermissions") ? [] : parseRuleSpecs(p, isEgress);
    const { groupId, revoked, unknown } = mutate(c, (ctx) => {
      const groupId = isEgress
        ? requireGroup(ctx, p.req("GroupId")).groupId
        : targetGroupId(ctx, p);
      return { groupId, ...revokeRules(ctx, { groupId, isEgress, specs, ruleIds }) };
    });
    return {
      return: true,
      unknownIpPermissionSet: unknown.map(unknownPermissionXml),
      revokedSecurityGroupRuleSet: revoked.map((r) => revokedXml(c, groupId, r)),
    };
  };
}

const describeRules: ActionHandler = (c) => {
  const p = c.params;
  const all = c.store
    .list("securityGroup")
    .flatMap((g) => g.rules.map((rule) => ({ groupId: g.groupId, rule })));
  const ids = ruleIdList(p);
  const chosen = selectByIds(
    all,
    ids,
    (x) => x.rule.ruleId,
    notFoundError("EMU_ERR_RULE_ID_NOT_FOUND", "EMU_ERR_RULE_ID_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    chosen,
    parseFilters(p),
    {
      "group-id": (x) => [x.groupId],
      "security-group-rule-id": (x) => [x.rule.ruleId],
    },
    (x) => x.rule.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { securityGroupRuleSet: page.map((x) => ruleXml(c, x.groupId, x.rule)), nextToken };
};

/** SecurityGroupRuleRequest (API-20) -> RuleSpec. */
function parseRuleRequest(m: QueryParams): RuleSpec {
  const protocol = sanitizeSgProtocol(m.str("IpProtocol"));
  const { fromPort, toPort } = sanitizeSgPorts(protocol, m.str("FromPort"), m.str("ToPort"));
  const description = sanitizeDescription(m.str("Description"));
  const peers: RulePeerSpec[] = [];
  const v4 = m.str("CidrIpv4");
  const v6 = m.str("CidrIpv6");
  const pl = m.str("PrefixListId");
  const sg = m.str("ReferencedGroupId");
  if (v4 !== undefined) peers.push({ kind: "cidr4", cidr: sanitizeIpv4Cidr(v4).cidr });
  if (v6 !== undefined) peers.push({ kind: "cidr6", cidr: sanitizeIpv6Cidr(v6).cidr });
  if (pl !== undefined) peers.push({ kind: "prefix-list", prefixListId: pl });
  if (sg !== undefined) peers.push({ kind: "group", groupId: sg });
  const peer = peers[0];
  if (peer === undefined || peers.length > 1) throw controllerError("EMU_ERR_RULE_MISSING_PEER");
  return {
    protocol,
    fromPort,
    toPort,
    peer,
    ...(description === undefined ? {} : { description }),
  };
}

const modifyRulesAction: ActionHandler = (c) => {
  const p = c.params;
  const groupId = p.req("GroupId");
  const mods: ModifyRuleInput[] = p.members("SecurityGroupRule").map((m, i) => {
    const ruleId = m.str("SecurityGroupRuleId");
    if (ruleId === undefined)
      throw controllerError(
        "EMU_ERR_REQ_MISSING_PARAMETER",
        `SecurityGroupRule.${i + 1}.SecurityGroupRuleId`,
      );
    return { ruleId, spec: parseRuleRequest(m.sub("SecurityGroupRule")) };
  });
  if (mods.length === 0)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "SecurityGroupRule");
  mutate(c, (ctx) => modifyRules(ctx, groupId, mods));
  return { return: true };
};

function updateDescriptions(isEgress: boolean): ActionHandler {
  return (c) => {
    const p = c.params;
    const byId = p.members("SecurityGroupRuleDescription").map((m, i) => {
      const ruleId = m.str("SecurityGroupRuleId");
      if (ruleId === undefined)
        throw controllerError(
          "EMU_ERR_REQ_MISSING_PARAMETER",
          `SecurityGroupRuleDescription.${i + 1}.SecurityGroupRuleId`,
        );
      return { ruleId, description: sanitizeDescription(m.str("Description")) };
    });
    const specs = p.members("IpPermissions").flatMap((m) => sanitizePermission(parsePermission(m)));
    mutate(c, (ctx) => {
      const groupId = isEgress
        ? requireGroup(ctx, p.req("GroupId")).groupId
        : targetGroupId(ctx, p);
      updateRuleDescriptions(ctx, { groupId, isEgress, specs, byId });
    });
    return { return: true };
  };
}

export const SECURITY_GROUP_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateSecurityGroup: createGroup,
  DeleteSecurityGroup: deleteGroup,
  DescribeSecurityGroups: describeGroups,
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
  DescribeSecurityGroupRules: describeRules,
  ModifySecurityGroupRules: modifyRulesAction,
  UpdateSecurityGroupRuleDescriptionsIngress: updateDescriptions(false),
  UpdateSecurityGroupRuleDescriptionsEgress: updateDescriptions(true),
};
