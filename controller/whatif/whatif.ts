/**
 * `vpcemu whatif` / `POST /v1/whatif` (docs/observability.md "What-if"): a proposed change,
 * written as the EC2 API call a user would make, judged against the live conntrack tables and
 * the recent flows, with nothing applied.
 *
 *   request {action, parameters}
 *     -> the EC2 action handler, run in StateStore.preview() (a private copy; an invalid call
 *        answers the AWS error the real call would, and nothing changes)
 *     -> the hosted ENIs' policies compiled from the previewed state (compileEniPolicy, not pushed)
 *     -> every live flow (conntrack entries, refreshed; ACCEPT flow-log records of the last
 *        `recentSeconds`) judged per ENI under the enforced and the proposed policy (flow-judge.ts)
 *     -> survive / cut, and for new connections of the same kind newly allowed / newly denied.
 */
import { ControllerError } from "../errors.js";
import { EC2_ACTIONS } from "../ec2/actions.js";
import { checkParameters } from "../ec2/parameters.js";
import { QueryParams, checkRequestBounds } from "../ec2/query.js";
import { compileEniPolicy, PolicyIndex } from "../policy/compile.js";
import type { CompiledEniPolicy } from "../policy/compiled-policy.js";
import type { PolicyState } from "../policy/policy-state.js";
import type { ConntrackEntryReport } from "../reports/report-types.js";
import type { StateStore } from "../store/state-store.js";
import {
  judgeSide,
  packetsOf,
  type FlowKind,
  type FlowPackets,
  type FlowTuple,
  type SideVerdict,
} from "./flow-judge.js";
import type { RecentFlow } from "./recent-flows.js";

/** The EC2 calls whatif takes: the ones that change what the data path enforces. */
export const WHATIF_ACTIONS: ReadonlySet<string> = new Set([
  "AuthorizeSecurityGroupIngress",
  "AuthorizeSecurityGroupEgress",
  "RevokeSecurityGroupIngress",
  "RevokeSecurityGroupEgress",
  "ModifySecurityGroupRules",
  "DeleteSecurityGroup",
  "CreateNetworkAclEntry",
  "ReplaceNetworkAclEntry",
  "DeleteNetworkAclEntry",
  "ReplaceNetworkAclAssociation",
  "ModifyNetworkInterfaceAttribute",
  "ModifyManagedPrefixList",
]);

/** Default look-back for flow-log records: flow logs arrive per 60 s window (FL-3). */
export const DEFAULT_RECENT_SECONDS = 180;

/** What whatif reads besides the store. */
export interface WhatIfSource {
  /** The policies the agents enforce (or are being sent) now, one per hosted ENI. */
  hostedPolicies(): CompiledEniPolicy[];
  /** Fresh conntrack entries of these ENIs (refreshed from their agents where possible). */
  conntrack(
    eniIds: readonly string[],
  ): Promise<ReadonlyMap<string, readonly ConntrackEntryReport[]>>;
  /** Flow-log flows whose last record ended at or after sinceMs. */
  recentFlows(sinceMs: number): RecentFlow[];
}

export interface WhatIfDeps {
  readonly store: StateStore;
  readonly source: WhatIfSource;
  readonly region: string;
  readonly accountId: string;
  readonly now?: () => number;
}

/** A parsed request. */
export interface WhatIfRequest {
  readonly action: string;
  readonly params: QueryParams;
  readonly recentSeconds: number;
  /** Flows listed per answer list at most. */
  readonly limit: number;
}

/** Default and largest `limit`. */
export const DEFAULT_WHATIF_LIMIT = 1000;
export const MAX_WHATIF_LIMIT = 100_000;

/** A request whatif refuses before running anything (answered as EMU_ERR_API_WHATIF_BAD_REQUEST). */
export class WhatIfRequestError extends Error {}

/** An EC2 call that would fail: the AWS error it would answer. */
export interface WhatIfRejected {
  readonly rejected: true;
  readonly status: number;
  readonly awsCode: string;
  readonly message: string;
}

/** One flow of the answer. */
export interface WhatIfFlow {
  readonly protocol: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly srcEni?: string;
  readonly dstEni?: string;
  /** ENIs holding a conntrack entry for it (tracked there, CT-14). */
  readonly trackedOn: readonly string[];
  /** Where the flow was seen: a conntrack table, a flow-log record. */
  readonly source: "conntrack" | "flow-log";
  /** The conntrack state where tracked (first ENI), e.g. "ESTABLISHED". */
  readonly state?: string;
  /** Each ENI's side under the enforced policy and under the proposed one. */
  readonly before: readonly SideVerdict[];
  readonly after: readonly SideVerdict[];
  /** The side that decides the outcome after the change: the first that drops, else one whose policy changes, else the first. */
  readonly decidedBy?: SideVerdict;
}

export interface WhatIfAnswer {
  readonly action: string;
  /** The revision the answer was judged against; the change would commit as revision + 1. */
  readonly revision: number;
  /** ENIs whose compiled policy the change alters (rules, NACL entries). */
  readonly changedEnis: readonly string[];
  readonly recentSeconds: number;
  /** Established flows that go on (tracked ones through their entries, CT-5). */
  readonly survive: readonly WhatIfFlow[];
  /** Established flows the change stops (untracked flows now denied, CT-6; NACLs, NACL-8). */
  readonly cut: readonly WhatIfFlow[];
  /** New connections like a seen flow (same addresses, protocol, destination port). */
  readonly newlyAllowed: readonly WhatIfFlow[];
  readonly newlyDenied: readonly WhatIfFlow[];
  /** Seen flows that the enforced policy already stops (not in the lists above). */
  readonly notFlowing: number;
  /** Live flows between ENIs the change does not alter (not judged, not listed). */
  readonly unaffected: number;
  /** Each list's full length; the lists hold at most `limit` flows each. */
  readonly totals: {
    readonly survive: number;
    readonly cut: number;
    readonly newlyAllowed: number;
    readonly newlyDenied: number;
  };
  readonly limit: number;
}

/** Top-level SDK member names whose EC2 Query name differs (the query protocol's locationName). */
const QUERY_NAMES: Readonly<Record<string, string>> = {
  Groups: "SecurityGroupId",
  SecurityGroupRuleIds: "SecurityGroupRuleId",
  SecurityGroupRules: "SecurityGroupRule",
  IcmpTypeCode: "Icmp",
  AddEntries: "AddEntry",
  RemoveEntries: "RemoveEntry",
};

/**
 * EC2 Query parameters from JSON: flat (`"IpPermissions.1.FromPort": "22"`) or nested as the
 * SDK and the aws CLI's JSON take them (`"IpPermissions": [{"FromPort": 22, ...}]`; lists
 * become `Name.N`, 1-based, structures `Name.Member`).
 */
export function queryParamsFromJson(action: string, parameters: unknown): QueryParams {
  const flat = new Map<string, string>();
  const put = (key: string, v: unknown): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach((x, i) => put(`${key}.${i + 1}`, x));
    else if (typeof v === "object") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) put(`${key}.${k}`, x);
    } else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
      flat.set(key, String(v));
    } else throw new WhatIfRequestError(`parameter ${key}: not a JSON scalar, list or object`);
  };
  if (parameters !== undefined && parameters !== null) {
    if (typeof parameters !== "object" || Array.isArray(parameters))
      throw new WhatIfRequestError("'parameters' must be an object");
    for (const [k, v] of Object.entries(parameters as Record<string, unknown>)) {
      put(Object.hasOwn(QUERY_NAMES, k) ? QUERY_NAMES[k]! : k, v);
    }
  }
  flat.set("Action", action);
  return new QueryParams(flat);
}

/**
 * The JSON body `{ "action": "RevokeSecurityGroupIngress", "parameters": {...},
 * "recentSeconds": 180 }`, or `{ "query": "Action=...&GroupId=..." }` (the Query form).
 */
export function parseWhatIfRequest(body: unknown): WhatIfRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new WhatIfRequestError(
      'give a JSON object: {"action": "RevokeSecurityGroupIngress", "parameters": {...}}',
    );
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!["action", "parameters", "query", "recentSeconds", "limit"].includes(k))
      throw new WhatIfRequestError(`unknown field '${k}'`);
  }
  let params: QueryParams;
  if (b.query !== undefined) {
    if (typeof b.query !== "string") throw new WhatIfRequestError("'query' must be a string");
    if (b.action !== undefined || b.parameters !== undefined)
      throw new WhatIfRequestError("give either 'query' or 'action' with 'parameters'");
    params = QueryParams.parse(b.query);
  } else {
    if (typeof b.action !== "string" || b.action === "")
      throw new WhatIfRequestError("'action' (an EC2 action name) is required");
    params = queryParamsFromJson(b.action, b.parameters);
  }
  const action = params.str("Action") ?? "";
  if (action === "") throw new WhatIfRequestError("the query names no Action");
  let recentSeconds = DEFAULT_RECENT_SECONDS;
  if (b.recentSeconds !== undefined) {
    const r = b.recentSeconds;
    if (typeof r !== "number" || !Number.isInteger(r) || r < 0 || r > 3600)
      throw new WhatIfRequestError("'recentSeconds' must be an integer from 0 to 3600");
    recentSeconds = r;
  }
  let limit = DEFAULT_WHATIF_LIMIT;
  if (b.limit !== undefined) {
    const l = b.limit;
    if (typeof l !== "number" || !Number.isInteger(l) || l < 0 || l > MAX_WHATIF_LIMIT)
      throw new WhatIfRequestError(`'limit' must be an integer from 0 to ${MAX_WHATIF_LIMIT}`);
    limit = l;
  }
  return { action, params, recentSeconds, limit };
}

/** Address -> the ENI that owns it and that ENI's subnet, for one state. */
interface AddressOwner {
  readonly eniId: string;
  readonly subnetId: string;
}

function addressOwners(state: PolicyState): Map<string, AddressOwner> {
  const m = new Map<string, AddressOwner>();
  const terminated = new Set(
    state.instances.filter((i) => i.state === "terminated").map((i) => i.instanceId),
  );
  for (const e of state.networkInterfaces) {
    if (e.instanceId !== undefined && terminated.has(e.instanceId)) continue;
    for (const a of [...e.privateIpv4, ...e.ipv6])
      m.set(a, { eniId: e.eniId, subnetId: e.subnetId });
  }
  return m;
}

/** Everything one judgement needs of one state. */
interface JudgeContext {
  readonly policies: ReadonlyMap<string, CompiledEniPolicy>;
  readonly owners: ReadonlyMap<string, AddressOwner>;
  readonly naclOfSubnet: ReadonlyMap<string, string>;
}

function contextOf(
  state: PolicyState,
  policies: ReadonlyMap<string, CompiledEniPolicy>,
): JudgeContext {
  return {
    policies,
    owners: addressOwners(state),
    naclOfSubnet: new Map(state.subnets.map((s) => [s.subnetId, s.networkAclId])),
  };
}

/** Each hosted ENI's side of `t` (source end first) under one state. */
function judgeFlow(
  ctx: JudgeContext,
  t: FlowTuple,
  kindOn: (eniId: string) => FlowKind,
  pkts: FlowPackets | undefined,
): SideVerdict[] {
  const src = ctx.owners.get(t.src);
  const dst = ctx.owners.get(t.dst);
  const out: SideVerdict[] = [];
  for (const [me, other, originalIngress] of [
    [src, dst, false],
    [dst, src, true],
  ] as const) {
    if (me === undefined) continue;
    const policy = ctx.policies.get(me.eniId);
    if (policy === undefined) continue; // not hosted: no agent judges it
    const crossesSubnet = other === undefined || other.subnetId !== policy.subnetId;
    const nacl = ctx.naclOfSubnet.get(policy.subnetId);
    out.push(
      judgeSide(
        t,
        {
          policy,
          originalIngress,
          crossesSubnet,
          ...(nacl !== undefined ? { networkAclId: nacl } : {}),
        },
        kindOn(me.eniId),
        pkts,
      ),
    );
  }
  return out;
}

const passes = (sides: readonly SideVerdict[]): boolean =>
  sides.length > 0 && sides.every((s) => s.pass);

/** The side that decides: the first that drops, else one whose policy the change alters. */
const decisive = (
  sides: readonly SideVerdict[],
  changed: ReadonlySet<string>,
): SideVerdict | undefined =>
  sides.find((s) => !s.pass) ?? sides.find((s) => changed.has(s.eniId)) ?? sides[0];

/** Same flow either way round: protocol and the two ends. */
function flowKey(t: FlowTuple): string {
  const a = `${t.src} ${t.srcPort}`;
  const b = `${t.dst} ${t.dstPort}`;
  return a < b ? `${t.protocol}|${a}|${b}` : `${t.protocol}|${b}|${a}`;
}

const reversed = (t: FlowTuple): FlowTuple => ({
  protocol: t.protocol,
  src: t.dst,
  srcPort: t.dstPort,
  dst: t.src,
  dstPort: t.srcPort,
});

const isIcmp = (p: number): boolean => p === 1 || p === 58;

/** Judges proposals against live flows. */
export class WhatIf {
  private readonly now: () => number;

  constructor(private readonly deps: WhatIfDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Judges one request; an EC2 call that would fail answers its AWS error (WhatIfRejected). */
  async evaluate(req: WhatIfRequest): Promise<WhatIfAnswer | WhatIfRejected> {
    const { store } = this.deps;
    const action = req.action;
    const handler = Object.hasOwn(EC2_ACTIONS, action) ? EC2_ACTIONS[action] : undefined;
    if (handler === undefined || !WHATIF_ACTIONS.has(action)) {
      throw new WhatIfRequestError(
        `whatif takes one of ${[...WHATIF_ACTIONS].join(", ")}; not '${action}'`,
      );
    }
    const oldState = store.readPolicyState();
    let newState: PolicyState;
    try {
      checkRequestBounds(req.params);
      checkParameters(action, req.params);
      const dryRun = req.params.bool("DryRun") === true;
      newState = store.preview(() =>
        handler({
          store,
          params: req.params,
          region: this.deps.region,
          accountId: this.deps.accountId,
          dryRun,
        }),
      ).state;
    } catch (err) {
      if (err instanceof ControllerError) {
        return { rejected: true, status: err.status, awsCode: err.awsCode, message: err.message };
      }
      throw err;
    }
    const hosted = this.deps.source.hostedPolicies();
    const oldPolicies = new Map(hosted.map((p) => [p.eniId, p]));
    const newIndex = new PolicyIndex(newState);
    const newPolicies = new Map<string, CompiledEniPolicy>();
    const changedEnis: string[] = [];
    for (const p of hosted) {
      const eni = newIndex.enis.get(p.eniId);
      const next =
        eni === undefined
          ? p
          : compileEniPolicy(eni, newIndex, newState.revision, {
              autoTracked: p.autoTracked,
              conntrackMax: p.allowance,
            });
      newPolicies.set(p.eniId, next);
      if (policyChanged(p, next)) changedEnis.push(p.eniId);
    }
    const changed = new Set(changedEnis);
    const before = contextOf(oldState, oldPolicies);
    const after = contextOf(newState, newPolicies);

    // Live flows: conntrack entries (tracked on that ENI), then recent ACCEPT records.
    const conntrack = await this.deps.source.conntrack([...oldPolicies.keys()]);
    const nowMs = this.now();
    const trackedOn = new Map<string, Map<string, ConntrackEntryReport>>();
    const live = new Map<string, { tuple: FlowTuple; source: "conntrack" | "flow-log" }>();
    for (const [eniId, entries] of conntrack) {
      for (const e of entries) {
        if (e.expiresAtMs <= nowMs) continue;
        const tuple: FlowTuple = { protocol: e.protocol, ...e.original };
        const key = flowKey(tuple);
        let on = trackedOn.get(key);
        if (on === undefined) trackedOn.set(key, (on = new Map()));
        on.set(eniId, e);
        if (!live.has(key)) live.set(key, { tuple, source: "conntrack" });
      }
    }
    const recent = this.deps.source.recentFlows(nowMs - req.recentSeconds * 1000);
    const attempts = new Map<string, FlowTuple>();
    for (const f of recent) {
      const seen: FlowTuple = {
        protocol: f.protocol,
        src: f.src,
        srcPort: f.srcPort,
        dst: f.dst,
        dstPort: f.dstPort,
      };
      // New connections of the kind: the refused packet's own orientation, else the server
      // end is the lower port (an ephemeral port is the client's).
      const orig = f.action === "REJECT" || seen.dstPort <= seen.srcPort ? seen : reversed(seen);
      const attemptKey = `${orig.protocol}|${orig.src}|${orig.dst}|${orig.dstPort}`;
      if (!attempts.has(attemptKey)) attempts.set(attemptKey, orig);
      if (f.action !== "ACCEPT") continue;
      // ICMP records carry no echo id (FL-2): a live ping is in the tables (CT-8).
      if (isIcmp(f.protocol)) continue;
      const key = flowKey(orig);
      if (!live.has(key)) live.set(key, { tuple: orig, source: "flow-log" });
    }
    for (const { tuple } of live.values()) {
      const k = `${tuple.protocol}|${tuple.src}|${tuple.dst}|${tuple.dstPort}`;
      if (!attempts.has(k)) attempts.set(k, tuple);
    }

    const survive: WhatIfFlow[] = [];
    const cut: WhatIfFlow[] = [];
    const totals = { survive: 0, cut: 0, newlyAllowed: 0, newlyDenied: 0 };
    let notFlowing = 0;
    let unaffected = 0;
    // Why skip them: a flow whose ENIs' policies do not change is judged the same before and
    // after (only its ENIs judge it), so only flows touching a changed ENI can be cut or change.
    const touches = (t: FlowTuple): boolean => {
      const s = after.owners.get(t.src)?.eniId ?? before.owners.get(t.src)?.eniId;
      const d = after.owners.get(t.dst)?.eniId ?? before.owners.get(t.dst)?.eniId;
      return (s !== undefined && changed.has(s)) || (d !== undefined && changed.has(d));
    };
    const limit = req.limit;
    for (const [key, { tuple, source }] of live) {
      if (!touches(tuple)) {
        unaffected++;
        continue;
      }
      const on = trackedOn.get(key) ?? new Map<string, ConntrackEntryReport>();
      const kindOn = (eniId: string): FlowKind => (on.has(eniId) ? "tracked" : "untracked");
      // Why one packet pair for both kinds: tracked and untracked live packets are the same
      // (ACK for TCP); only new connections differ (SYN).
      const pkts = packetsOf(tuple, "tracked");
      const b = judgeFlow(before, tuple, kindOn, pkts);
      const a = judgeFlow(after, tuple, kindOn, pkts);
      if (b.length === 0) continue;
      if (!passes(b)) {
        notFlowing++;
        continue;
      }
      const list = passes(a) ? survive : cut;
      const n = passes(a) ? totals.survive++ : totals.cut++;
      if (n < limit) list.push(this.flowOf(tuple, source, on, b, a, after, changed));
    }
    const newlyAllowed: WhatIfFlow[] = [];
    const newlyDenied: WhatIfFlow[] = [];
    for (const tuple of attempts.values()) {
      if (!touches(tuple)) continue;
      const pkts = packetsOf(tuple, "new");
      const b = judgeFlow(before, tuple, () => "new", pkts);
      const a = judgeFlow(after, tuple, () => "new", pkts);
      if (b.length === 0 || passes(a) === passes(b)) continue;
      const list = passes(a) ? newlyAllowed : newlyDenied;
      const n = passes(a) ? totals.newlyAllowed++ : totals.newlyDenied++;
      if (n < limit) list.push(this.flowOf(tuple, "flow-log", new Map(), b, a, after, changed));
    }
    return {
      action,
      revision: oldState.revision,
      changedEnis,
      recentSeconds: req.recentSeconds,
      survive,
      cut,
      newlyAllowed,
      newlyDenied,
      notFlowing,
      unaffected,
      totals,
      limit,
    };
  }

  private flowOf(
    t: FlowTuple,
    source: "conntrack" | "flow-log",
    on: ReadonlyMap<string, ConntrackEntryReport>,
    before: readonly SideVerdict[],
    after: readonly SideVerdict[],
    ctx: JudgeContext,
    changed: ReadonlySet<string>,
  ): WhatIfFlow {
    const srcEni = ctx.owners.get(t.src)?.eniId;
    const dstEni = ctx.owners.get(t.dst)?.eniId;
    const state = [...on.values()][0]?.state;
    const decidedBy = decisive(after, changed);
    return {
      ...t,
      ...(srcEni !== undefined ? { srcEni } : {}),
      ...(dstEni !== undefined ? { dstEni } : {}),
      trackedOn: [...on.keys()],
      source,
      ...(state !== undefined ? { state } : {}),
      before,
      after,
      ...(decidedBy !== undefined ? { decidedBy } : {}),
    };
  }
}

/** Whether the parts of a policy whatif judges differ. */
function policyChanged(a: CompiledEniPolicy, b: CompiledEniPolicy): boolean {
  const view = (p: CompiledEniPolicy) =>
    JSON.stringify([p.ingress, p.egress, p.naclIn, p.naclOut, p.autoTracked]);
  return view(a) !== view(b);
}
