/**
 * Audit mode's control side (docs/observability.md "Audit mode", docs/json-api.md): stage a
 * rule set on a security group or an ENI, clear it, list what is staged, read the agents'
 * "would block" / "would allow" events.
 *
 * A staged set is kept in the group's or ENI's record (`staged`), so staging is a state write:
 * it commits as a new revision, survives a restart, and the hub recompiles and pushes the
 * affected ENIs' policies (CompiledEniPolicy.audit) like any rule change; callers wait for
 * enforcement of the answer's `revision` (GET /v1/revision). The enforced rules are untouched.
 */
import { ControllerError } from "../errors.js";
import { HubError } from "../hub/hub-errors.js";
import {
  sanitizePermission,
  type PermissionInput,
  type SgRule,
  type StagedRules,
} from "../model/security-group.js";
import type { StateStore } from "../store/state-store.js";
import type { AuditEvent } from "./audit-types.js";

export type AuditTargetKind = "group" | "eni";

/** The body of PUT /v1/audit/{groups|enis}/{id}: IpPermissions as the SDK writes them. */
export interface StageRequest {
  readonly ingress?: unknown;
  readonly egress?: unknown;
}

/** A staged rule as the API shows it. */
export interface StagedRuleView {
  readonly ruleId: string;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly description?: string;
}

export interface StagedView {
  readonly kind: AuditTargetKind;
  readonly id: string;
  /** Absent: the direction keeps the enforced rules. */
  readonly ingress?: readonly StagedRuleView[];
  readonly egress?: readonly StagedRuleView[];
}

export interface AuditEventsQuery {
  readonly eni?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly limit?: number;
}

/** Where events come from (the hub's report store). */
export interface AuditEventSource {
  auditEvents(): { readonly events: readonly AuditEvent[]; readonly lost: number };
}

const KINDS: Readonly<Record<AuditTargetKind, "securityGroup" | "networkInterface">> = {
  group: "securityGroup",
  eni: "networkInterface",
};

function invalid(msg: string): HubError {
  return new HubError("EMU_ERR_API_AUDIT_INVALID", msg);
}

/** One IpPermission of the SDK's JSON shape -> the EC2 API's own input shape. */
function permissionInput(p: unknown, where: string): PermissionInput {
  if (typeof p !== "object" || p === null || Array.isArray(p))
    throw invalid(`${where}: an IpPermission object expected`);
  const o = p as Record<string, unknown>;
  const known = [
    "IpProtocol",
    "FromPort",
    "ToPort",
    "IpRanges",
    "Ipv6Ranges",
    "PrefixListIds",
    "UserIdGroupPairs",
  ];
  for (const k of Object.keys(o))
    if (!known.includes(k)) throw invalid(`${where}: unknown field '${k}'`);
  const text = (v: unknown): string | undefined =>
    v === undefined || v === null
      ? undefined
      : typeof v === "string" || typeof v === "number"
        ? String(v)
        : "?";
  const items = (k: string): Record<string, unknown>[] => {
    const v = o[k];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "object" || x === null))
      throw invalid(`${where}.${k}: a list of objects expected`);
    return v as Record<string, unknown>[];
  };
  return {
    ipProtocol: text(o.IpProtocol),
    fromPort: text(o.FromPort),
    toPort: text(o.ToPort),
    ipRanges: items("IpRanges").map((r) => ({
      cidrIp: text(r.CidrIp),
      description: text(r.Description),
    })),
    ipv6Ranges: items("Ipv6Ranges").map((r) => ({
      cidrIpv6: text(r.CidrIpv6),
      description: text(r.Description),
    })),
    prefixListIds: items("PrefixListIds").map((r) => ({
      prefixListId: text(r.PrefixListId),
      description: text(r.Description),
    })),
    groups: items("UserIdGroupPairs").map((g) => ({
      groupId: text(g.GroupId),
      groupName: text(g.GroupName),
      userId: text(g.UserId),
      description: text(g.Description),
    })),
  };
}

/** A direction's IpPermissions -> staged rules (validated as Authorize* validates them). */
export function stagedRulesOf(
  owner: string,
  direction: "ingress" | "egress",
  perms: unknown,
): SgRule[] {
  if (!Array.isArray(perms)) throw invalid(`'${direction}' must be a list of IpPermissions`);
  const rules: SgRule[] = [];
  perms.forEach((p, i) => {
    let specs;
    try {
      specs = sanitizePermission(permissionInput(p, `${direction}[${i}]`));
    } catch (err) {
      if (err instanceof ControllerError)
        throw invalid(`${direction}[${i}]: ${err.awsCode}: ${err.message}`);
      throw err;
    }
    for (const s of specs) {
      const peer = s.peer;
      if (peer.kind === "group-name")
        throw invalid(
          `${direction}[${i}]: name groups by GroupId (a staged set resolves no names)`,
        );
      rules.push({
        ruleId: `${owner}:staged:${direction}:${rules.length + 1}`,
        isEgress: direction === "egress",
        protocol: s.protocol,
        fromPort: s.fromPort,
        toPort: s.toPort,
        ...(peer.kind === "cidr4" ? { cidrIpv4: peer.cidr } : {}),
        ...(peer.kind === "cidr6" ? { cidrIpv6: peer.cidr } : {}),
        ...(peer.kind === "prefix-list" ? { prefixListId: peer.prefixListId } : {}),
        ...(peer.kind === "group" ? { referencedGroupId: peer.groupId } : {}),
        ...(s.description !== undefined ? { description: s.description } : {}),
        tags: {},
      });
    }
  });
  return rules;
}

function viewOf(kind: AuditTargetKind, id: string, s: StagedRules): StagedView {
  const rules = (rs: readonly SgRule[]) => rs.map(({ tags: _t, isEgress: _e, ...r }) => r);
  return {
    kind,
    id,
    ...(s.ingress !== undefined ? { ingress: rules(s.ingress) } : {}),
    ...(s.egress !== undefined ? { egress: rules(s.egress) } : {}),
  };
}

export class AuditService {
  constructor(
    private readonly store: StateStore,
    private readonly source: AuditEventSource,
  ) {}

  /** Stages `body` on the target; answers what is staged and the revision it commits as. */
  stage(
    kind: AuditTargetKind,
    id: string,
    body: unknown,
  ): StagedView & { readonly revision: number } {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw invalid('give {"ingress": [IpPermission...], "egress": [...]} (either or both)');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b))
      if (k !== "ingress" && k !== "egress") throw invalid(`unknown field '${k}'`);
    if (b.ingress === undefined && b.egress === undefined)
      throw invalid("give 'ingress', 'egress' or both (an empty list stages 'allow nothing')");
    const staged: StagedRules = {
      ...(b.ingress !== undefined ? { ingress: stagedRulesOf(id, "ingress", b.ingress) } : {}),
      ...(b.egress !== undefined ? { egress: stagedRulesOf(id, "egress", b.egress) } : {}),
    };
    const table = KINDS[kind];
    this.store.mutate(({ tx }) => {
      const rec = tx.get(table, id);
      if (rec === undefined) throw new HubError("EMU_ERR_API_AUDIT_UNKNOWN_TARGET", kind, id);
      tx.put(table, id, { ...rec, staged });
    });
    return { ...viewOf(kind, id, staged), revision: this.store.revision() };
  }

  /** Removes the target's staged set; answers the revision it commits as. */
  clear(
    kind: AuditTargetKind,
    id: string,
  ): { readonly kind: AuditTargetKind; readonly id: string; readonly revision: number } {
    const table = KINDS[kind];
    this.store.mutate(({ tx }) => {
      const rec = tx.get(table, id);
      if (rec === undefined) throw new HubError("EMU_ERR_API_AUDIT_UNKNOWN_TARGET", kind, id);
      if (rec.staged === undefined) throw new HubError("EMU_ERR_API_AUDIT_NOT_FOUND", kind, id);
      const { staged: _s, ...rest } = rec;
      tx.put(table, id, rest as typeof rec);
    });
    return { kind, id, revision: this.store.revision() };
  }

  /** Every staged set. */
  list(): StagedView[] {
    const out: StagedView[] = [];
    for (const g of this.store.list("securityGroup"))
      if (g.staged !== undefined) out.push(viewOf("group", g.groupId, g.staged));
    for (const e of this.store.list("networkInterface"))
      if (e.staged !== undefined) out.push(viewOf("eni", e.eniId, e.staged));
    return out;
  }

  /** The agents' events, oldest first, filtered. */
  events(q: AuditEventsQuery): { readonly events: readonly AuditEvent[]; readonly lost: number } {
    if (q.kind !== undefined && q.kind !== "would_block" && q.kind !== "would_allow")
      throw new HubError("EMU_ERR_API_BAD_QUERY", "kind must be would_block or would_allow");
    let enis: Set<string> | undefined;
    if (q.group !== undefined) {
      enis = new Set(
        this.store
          .list("networkInterface")
          .filter((e) => e.groupIds.includes(q.group!))
          .map((e) => e.eniId),
      );
    }
    const { events, lost } = this.source.auditEvents();
    let out = events.filter(
      (e) =>
        (q.eni === undefined || e.eniId === q.eni) &&
        (enis === undefined || enis.has(e.eniId)) &&
        (q.kind === undefined || e.kind === q.kind),
    );
    if (q.limit !== undefined && out.length > q.limit) out = out.slice(out.length - q.limit);
    return { events: out, lost };
  }
}
