import { referenceableGroup } from "./peering-ops.js";
import { controllerError } from "../errors.js";
import { isWellFormedId, newId } from "../ids.js";
import {
  protocolLabel,
  ruleKey,
  rulePeerText,
  sanitizeGroupDescription,
  sanitizeGroupName,
  type RuleSpec,
  type SecurityGroup,
  type SgRule,
} from "../model/security-group.js";
import type { Tags } from "../model/tags.js";
import { scopeFields, scopedGet, scopedList, type ScopedOpContext } from "./scope.js";
import { findAwsPrefixList } from "../model/aws-prefix-lists.js";
import { requireDefaultVpc } from "./default-vpc.js";
import { requireVpc } from "./vpc-ops.js";

export function requireGroup(ctx: ScopedOpContext, groupId: string): SecurityGroup {
  const g = scopedGet(ctx, "securityGroup", groupId);
  if (g !== undefined) return g;
  if (!groupId.startsWith("sg-")) throw controllerError("EMU_ERR_SG_MALFORMED_ID", groupId);
  throw controllerError("EMU_ERR_SG_NOT_FOUND", groupId);
}

/** A group by name (case-insensitive, RULE-13), in `vpcId` or, without one, in any VPC. */
export function findGroupByName(
  ctx: ScopedOpContext,
  name: string,
  vpcId?: string,
): SecurityGroup | undefined {
  const n = name.toLowerCase();
  return scopedList(ctx, "securityGroup").find(
    (g) => g.groupName.toLowerCase() === n && (vpcId === undefined || g.vpcId === vpcId),
  );
}

/** A group of the default VPC by name (VPCIdNotSpecified without one; ERR-5 wording for it). */
export function requireDefaultVpcGroup(ctx: ScopedOpContext, name: string): SecurityGroup {
  const vpc = requireDefaultVpc(ctx);
  const g = findGroupByName(ctx, name, vpc.vpcId);
  if (g === undefined)
    throw controllerError("EMU_ERR_SG_NOT_FOUND_IN_DEFAULT_VPC", name, vpc.vpcId);
  return g;
}

export interface CreateSecurityGroupInput {
  readonly groupName: string;
  readonly description: string;
  readonly vpcId: string;
  readonly tags?: Tags;
}

/** CreateSecurityGroup (API-14): DEF-2 egress, RULE-13 names, Q-4 quota. */
export function createSecurityGroup(
  ctx: ScopedOpContext,
  input: CreateSecurityGroupInput,
): SecurityGroup {
  const { tx, quotas } = ctx;
  const name = sanitizeGroupName(input.groupName);
  const description = sanitizeGroupDescription(input.description);
  const vpc = requireVpc(ctx, input.vpcId);
  if (findGroupByName(ctx, name, vpc.vpcId) !== undefined)
    throw controllerError("EMU_ERR_SG_DUPLICATE_NAME", name, vpc.vpcId);
  const all = scopedList(ctx, "securityGroup");
  if (all.length >= quotas.groupsPerRegion) throw controllerError("EMU_ERR_SG_LIMIT");
  if (
    quotas.groupsPerVpc !== undefined &&
    all.filter((g) => g.vpcId === vpc.vpcId).length >= quotas.groupsPerVpc
  )
    throw controllerError("EMU_ERR_SG_LIMIT");
  const egress = (extra: Partial<SgRule>): SgRule => ({
    ruleId: newId("sgr"),
    isEgress: true,
    protocol: "-1",
    fromPort: -1,
    toPort: -1,
    tags: {},
    ...extra,
  });
  const group: SecurityGroup = {
    groupId: newId("sg"),
    vpcId: vpc.vpcId,
    groupName: name,
    description,
    isDefault: false,
    ...scopeFields(ctx.scope),
    rules: [
      egress({ cidrIpv4: "0.0.0.0/0" }),
      ...(vpc.ipv6CidrBlock === undefined ? [] : [egress({ cidrIpv6: "::/0" })]),
    ],
    tags: input.tags ?? {},
  };
  tx.put("securityGroup", group.groupId, group);
  return group;
}

/** DeleteSecurityGroup (API-15): ERR-10 default, ERR-9 in use by an ENI or referenced. */
export function deleteSecurityGroup(ctx: ScopedOpContext, groupId: string): SecurityGroup {
  const { tx } = ctx;
  const g = requireGroup(ctx, groupId);
  if (g.isDefault) throw controllerError("EMU_ERR_SG_DELETE_DEFAULT", groupId);
  const used = tx.list("networkInterface").some((e) => e.groupIds.includes(groupId));
  // Why: rules of a peer VPC referencing this group do not block it; they turn stale (REF-5).
  const referenced = tx
    .list("securityGroup")
    .some(
      (o) =>
        o.groupId !== groupId &&
        o.vpcId === g.vpcId &&
        o.rules.some((r) => r.referencedGroupId === groupId),
    );
  if (used || referenced) throw controllerError("EMU_ERR_SG_DEPENDENCY", groupId);
  tx.delete("securityGroup", groupId);
  return g;
}

/** A rule body (no id, no tags) from a spec, its group peer resolved in `group`'s VPC. */
function resolveSpec(
  ctx: ScopedOpContext,
  group: SecurityGroup,
  isEgress: boolean,
  spec: RuleSpec,
): Omit<SgRule, "ruleId" | "tags"> {
  const base = {
    isEgress,
    protocol: spec.protocol,
    fromPort: spec.fromPort,
    toPort: spec.toPort,
    ...(spec.description === undefined ? {} : { description: spec.description }),
  };
  const p = spec.peer;
  switch (p.kind) {
    case "cidr4":
      return { ...base, cidrIpv4: p.cidr };
    case "cidr6":
      return { ...base, cidrIpv6: p.cidr };
    case "prefix-list": {
      if (
        scopedGet(ctx, "prefixList", p.prefixListId) === undefined &&
        findAwsPrefixList(ctx.scope.region, p.prefixListId) === undefined
      )
        throw controllerError("EMU_ERR_PREFIX_LIST_NOT_FOUND", p.prefixListId);
      return { ...base, prefixListId: p.prefixListId };
    }
    case "group": {
      // AWS-BEHAVIOUR REF-4 / ERR-8: the same VPC, or a VPC peered with it (docs/routing.md PCX-6).
      const peered = referenceableGroup(ctx, group.vpcId, p.groupId);
      // Why: a stale reference (REF-5) must still match for revokes and duplicates.
      if (peered !== undefined || group.rules.some((r) => r.referencedGroupId === p.groupId))
        return { ...base, referencedGroupId: p.groupId };
      const ref = requireGroup(ctx, p.groupId);
      if (ref.vpcId !== group.vpcId) throw controllerError("EMU_ERR_SG_DIFFERENT_NETWORKS");
      return { ...base, referencedGroupId: ref.groupId };
    }
    case "group-name": {
      const ref = findGroupByName(ctx, p.groupName, group.vpcId);
      if (ref === undefined)
        throw controllerError("EMU_ERR_SG_NOT_FOUND_IN_VPC", p.groupName, group.vpcId);
      return { ...base, referencedGroupId: ref.groupId };
    }
  }
}

/** rule weight per family of one rule. */
function ruleWeight(
  ctx: ScopedOpContext,
  r: Omit<SgRule, "ruleId" | "tags">,
): { v4: number; v6: number } {
  if (r.cidrIpv4 !== undefined) return { v4: 1, v6: 0 };
  if (r.cidrIpv6 !== undefined) return { v4: 0, v6: 1 };
  if (r.prefixListId !== undefined) {
    const pl = ctx.tx.get("prefixList", r.prefixListId);
    // a customer-managed list weighs its MaxEntries, an AWS-managed one its entries.
    const aws = findAwsPrefixList(ctx.scope.region, r.prefixListId);
    const w = pl?.maxEntries ?? Math.max(1, aws?.cidrs.length ?? 1);
    return { v4: w, v6: w };
  }
  return { v4: 1, v6: 1 };
}

/** weighted rule counts per direction and address family. */
export interface RuleUsage {
  readonly ingressV4: number;
  readonly ingressV6: number;
  readonly egressV4: number;
  readonly egressV6: number;
}

const USAGE_LABELS: ReadonlyArray<[keyof RuleUsage, string]> = [
  ["ingressV4", "inbound IPv4"],
  ["ingressV6", "inbound IPv6"],
  ["egressV4", "outbound IPv4"],
  ["egressV6", "outbound IPv6"],
];

/** The weighted usage of `rules`. */
export function ruleUsage(
  ctx: ScopedOpContext,
  rules: ReadonlyArray<Omit<SgRule, "ruleId" | "tags">>,
): RuleUsage {
  const u = { ingressV4: 0, ingressV6: 0, egressV4: 0, egressV6: 0 };
  for (const r of rules) {
    const w = ruleWeight(ctx, r);
    if (r.isEgress) {
      u.egressV4 += w.v4;
      u.egressV6 += w.v6;
    } else {
      u.ingressV4 += w.v4;
      u.ingressV6 += w.v6;
    }
  }
  return u;
}

/** The first direction/family of `u` above `max`, with its count and label. */
function overLimit(u: RuleUsage, max: number): { count: number; label: string } | undefined {
  for (const [k, label] of USAGE_LABELS) if (u[k] > max) return { count: u[k], label };
  return undefined;
}

/** Throws ERR-14 when `rules` exceed the per-direction, per-family quota. */
export function checkRuleQuota(
  ctx: ScopedOpContext,
  rules: ReadonlyArray<Omit<SgRule, "ruleId" | "tags">>,
): void {
  if (overLimit(ruleUsage(ctx, rules), ctx.quotas.rulesPerGroupPerDirection) !== undefined)
    throw controllerError("EMU_ERR_RULE_LIMIT");
}

/**
 * Sum of the usage of `groupIds` on one ENI; `override` stands in for a group's stored rules.
 * `memo` keeps each group's usage across the ENIs of one check.
 */
function eniUsage(
  ctx: ScopedOpContext,
  groupIds: readonly string[],
  override?: SecurityGroup,
  memo: Map<string, RuleUsage> = new Map(),
): RuleUsage {
  const total = { ingressV4: 0, ingressV6: 0, egressV4: 0, egressV6: 0 };
  for (const id of new Set(groupIds)) {
    let u = memo.get(id);
    if (u === undefined) {
      const g = id === override?.groupId ? override : ctx.tx.get("securityGroup", id);
      if (g === undefined) continue;
      u = ruleUsage(ctx, g.rules);
      memo.set(id, u);
    }
    for (const [k] of USAGE_LABELS) total[k] += u[k];
  }
  return total;
}

/**
 * Q-3 when groups go onto an ENI (create, ModifyNetworkInterfaceAttribute, RunInstances,
 * ModifyInstanceAttribute): the rules of `groupIds` together stay within `rulesPerEni` per
 * direction and family, else SecurityGroupsPerInterfaceLimitExceeded (ERR-15).
 */
export function checkGroupSetRuleQuota(ctx: ScopedOpContext, groupIds: readonly string[]): void {
  const max = ctx.quotas.rulesPerEni;
  const over = overLimit(eniUsage(ctx, groupIds), max);
  if (over !== undefined)
    throw controllerError("EMU_ERR_SG_PER_ENI_RULE_LIMIT", over.count, over.label, max);
}

/**
 * Q-3 when a group's rules grow (Authorize*, ModifySecurityGroupRules, a prefix list's
 * MaxEntries): every ENI carrying `group` (as it will be) stays within `rulesPerEni` per
 * direction and family, else RulesPerSecurityGroupLimitExceeded (ERR-14) naming the ENI.
 */
export function checkEnisOfGroupRuleQuota(ctx: ScopedOpContext, group: SecurityGroup): void {
  const max = ctx.quotas.rulesPerEni;
  const memo = new Map<string, RuleUsage>();
  for (const eni of ctx.tx.list("networkInterface")) {
    if (!eni.groupIds.includes(group.groupId)) continue;
    const over = overLimit(eniUsage(ctx, eni.groupIds, group, memo), max);
    if (over !== undefined)
      throw controllerError("EMU_ERR_RULE_PER_ENI_LIMIT", eni.eniId, over.count, over.label, max);
  }
}

function duplicateError(r: Omit<SgRule, "ruleId" | "tags">) {
  return controllerError(
    "EMU_ERR_RULE_DUPLICATE",
    rulePeerText(r),
    protocolLabel(r.protocol),
    r.fromPort,
    r.toPort,
  );
}

export interface AuthorizeInput {
  readonly groupId: string;
  readonly isEgress: boolean;
  readonly specs: readonly RuleSpec[];
  readonly tags?: Tags;
}

/** Authorize* (API-17): one rule per spec; ERR-1, ERR-2, ERR-14; all or nothing (RULE-12). */
export function authorizeRules(ctx: ScopedOpContext, input: AuthorizeInput): SgRule[] {
  const group = requireGroup(ctx, input.groupId);
  const existing = new Set(group.rules.map((r) => ruleKey(r)));
  const seen = new Set<string>();
  const added: SgRule[] = [];
  for (const spec of input.specs) {
    const body = resolveSpec(ctx, group, input.isEgress, spec);
    const key = ruleKey(body);
    if (seen.has(key)) throw controllerError("EMU_ERR_RULE_DUPLICATE_IN_REQUEST");
    if (existing.has(key)) throw duplicateError(body);
    seen.add(key);
    added.push({ ...body, ruleId: newId("sgr"), tags: input.tags ?? {} });
  }
  const rules = [...group.rules, ...added];
  checkRuleQuota(ctx, rules);
  checkEnisOfGroupRuleQuota(ctx, { ...group, rules });
  ctx.tx.put("securityGroup", group.groupId, { ...group, rules });
  return added;
}

export interface RevokeInput {
  readonly groupId: string;
  readonly isEgress: boolean;
  readonly specs?: readonly RuleSpec[];
  readonly ruleIds?: readonly string[];
}

/**
 * Revoke* (API-18) by permission (exact match, description ignored) or by `sgr-` id; ERR-3/ERR-4.
 * A permission matching no rule fails the request in a non-default VPC (ERR-3); in the default
 * VPC it is returned in `unknown` (unknownIpPermissionSet) and the rest is revoked.
 */
export function revokeRules(
  ctx: ScopedOpContext,
  input: RevokeInput,
): { revoked: SgRule[]; unknown: RuleSpec[] } {
  const group = requireGroup(ctx, input.groupId);
  const inDefaultVpc = ctx.tx.get("vpc", group.vpcId)?.isDefault === true;
  const doomed = new Map<string, SgRule>();
  const unknown: RuleSpec[] = [];
  for (const spec of input.specs ?? []) {
    const key = ruleKey(resolveSpec(ctx, group, input.isEgress, spec));
    const hit = group.rules.find((r) => ruleKey(r) === key);
    if (hit === undefined) {
      if (!inDefaultVpc) throw controllerError("EMU_ERR_RULE_NOT_FOUND");
      unknown.push(spec);
      continue;
    }
    doomed.set(hit.ruleId, hit);
  }
  for (const id of input.ruleIds ?? []) {
    if (!isWellFormedId(id, "sgr")) throw controllerError("EMU_ERR_RULE_ID_MALFORMED", id);
    const hit = group.rules.find((r) => r.ruleId === id && r.isEgress === input.isEgress);
    if (hit === undefined) throw controllerError("EMU_ERR_RULE_ID_NOT_FOUND", id);
    doomed.set(hit.ruleId, hit);
  }
  ctx.tx.put("securityGroup", group.groupId, {
    ...group,
    rules: group.rules.filter((r) => !doomed.has(r.ruleId)),
  });
  return { revoked: [...doomed.values()], unknown };
}

/** The group holding rule `ruleId`, or ERR-4. */
export function findRule(
  ctx: ScopedOpContext,
  ruleId: string,
): { group: SecurityGroup; rule: SgRule } {
  if (!isWellFormedId(ruleId, "sgr")) throw controllerError("EMU_ERR_RULE_ID_MALFORMED", ruleId);
  for (const group of scopedList(ctx, "securityGroup")) {
    const rule = group.rules.find((r) => r.ruleId === ruleId);
    if (rule !== undefined) return { group, rule };
  }
  throw controllerError("EMU_ERR_RULE_ID_NOT_FOUND", ruleId);
}

export interface ModifyRuleInput {
  readonly ruleId: string;
  readonly spec: RuleSpec;
}

/** ModifySecurityGroupRules (API-20): id kept; the peer type cannot change (ERR-25). */
export function modifyRules(
  ctx: ScopedOpContext,
  groupId: string,
  mods: readonly ModifyRuleInput[],
): void {
  let group = requireGroup(ctx, groupId);
  for (const m of mods) {
    const idx = group.rules.findIndex((r) => r.ruleId === m.ruleId);
    const old = group.rules[idx];
    if (old === undefined) {
      if (!isWellFormedId(m.ruleId, "sgr"))
        throw controllerError("EMU_ERR_RULE_ID_MALFORMED", m.ruleId);
      throw controllerError("EMU_ERR_RULE_ID_NOT_FOUND", m.ruleId);
    }
    const body = resolveSpec(ctx, group, old.isEgress, m.spec);
    const kind = (r: Omit<SgRule, "ruleId" | "tags">) =>
      r.cidrIpv4 !== undefined
        ? "IPv4 CIDR"
        : r.cidrIpv6 !== undefined
          ? "IPv6 CIDR"
          : r.prefixListId !== undefined
            ? "prefix list"
            : "security group";
    if (kind(body) !== kind(old))
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Invalid rule type for security group rule '${m.ruleId}'. You may not specify ${kind(body)} for an existing ${kind(old)} rule.`,
      );
    const key = ruleKey(body);
    if (group.rules.some((r) => r.ruleId !== m.ruleId && ruleKey(r) === key))
      throw duplicateError(body);
    const rules = [...group.rules];
    rules[idx] = { ...body, ruleId: old.ruleId, tags: old.tags };
    group = { ...group, rules };
  }
  checkRuleQuota(ctx, group.rules);
  checkEnisOfGroupRuleQuota(ctx, group);
  ctx.tx.put("securityGroup", group.groupId, group);
}

/**
 * UpdateSecurityGroupRuleDescriptions* (API-21): by permission (match ignores description; an
 * omitted description clears it) or by rule id.
 */
export function updateRuleDescriptions(
  ctx: ScopedOpContext,
  input: {
    groupId: string;
    isEgress: boolean;
    specs: readonly RuleSpec[];
    byId: ReadonlyArray<{ ruleId: string; description: string | undefined }>;
  },
): void {
  const group = requireGroup(ctx, input.groupId);
  const rules = [...group.rules];
  const setDescription = (i: number, d: string | undefined) => {
    const r = rules[i];
    if (r === undefined) return;
    const { description: _old, ...rest } = r;
    rules[i] = d === undefined ? rest : { ...rest, description: d };
  };
  for (const spec of input.specs) {
    const key = ruleKey(
      resolveSpec(ctx, group, input.isEgress, { ...spec, description: undefined }),
    );
    const i = rules.findIndex((r) => ruleKey(r) === key);
    if (i < 0) throw controllerError("EMU_ERR_RULE_NOT_FOUND");
    setDescription(i, spec.description);
  }
  for (const { ruleId, description } of input.byId) {
    const i = rules.findIndex((r) => r.ruleId === ruleId && r.isEgress === input.isEgress);
    if (i < 0) throw controllerError("EMU_ERR_RULE_ID_NOT_FOUND", ruleId);
    setDescription(i, description);
  }
  ctx.tx.put("securityGroup", group.groupId, { ...group, rules });
}
