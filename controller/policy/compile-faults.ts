/**
 * Chaos faults -> what agents enforce. PURE (no node: modules, no I/O, no clock): called by
 * PolicyCompiler.update (compile.ts) with the state, its index and the placement.
 *
 * Selectors are resolved LIVE at every compile (REF-2 style): an instance that joins web-sg is
 * in the next compile's port keys with no change to the fault. Port keys are ENI ids and
 * `ext:<name>` for external nodes (node-agent Port.key); `*` compiles to `any`.
 *
 *   sg-/subnet-/i-/eni-   active ENIs that are members / in it / of it / it
 *   pl-, CIDR             ENIs and external nodes with an address inside (a prefix list: any entry)
 *   tag:K=V               ENIs of instances with that tag
 *   az:<zone>             ENIs in subnets of that zone
 *   node:<name>           ext:<name>
 *
 * Pairs: a one-way fault is one pair (from -> to); `both` adds the reverse pair (reverse: true).
 * A partition cuts ordered group pairs as Jepsen's nemesis grudges do (complete, majorities-ring,
 * bridge; see partitionCuts). An agent receives a fault when a pair side holds a port it hosts
 * (ENI or external node), or is `any` and it hosts a port: the fault step runs on the sender.
 *
 * Conntrack effects act on the ENIs of `from` and are folded into CompiledEniPolicy: allowance
 * = min(node's, fault's), timeouts replaced per field (newest fault wins), conntrackEpoch = the
 * revision of the newest flush fault on the ENI (the agent flushes when it grows).
 *
 * A fault that names an id that no longer exists (deleted group, subnet, ENI, prefix list,
 * terminated instance) is stale and compiles to nothing; an expired one too.
 */
import { parseAddress, parseCidr } from "../model/cidr.js";
import type { AgentPlacement } from "./compile.js";
import type { CompiledFault, FaultEffects, FaultEndpointSet, FaultPair } from "./compiled-fault.js";
import type { CompiledEniPolicy, ConntrackTimeouts } from "./compiled-policy.js";
import type { PolicyIndex } from "./compile.js";
import type { FaultState, NetworkInterfaceState, PartitionMode } from "./policy-state.js";

/** What a fault resolved to at the latest compile (the JSON API's view reads it). */
export interface FaultResolution {
  readonly faultId: string;
  /** Port keys of the pairs' from sides (sorted; ["*"] when any), and of their to sides. */
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Ids the fault names that no longer exist (non-empty = stale). */
  readonly stale: readonly string[];
  /** Agents enforcing it (receiving it, or hosting an ENI its conntrack effects change). */
  readonly agents: readonly string[];
  /**
   * Per agent, the revision from which that agent's snapshot carries the fault as it is now:
   * the fault is in force there once the agent enforces max(fault revision, this).
   */
  readonly since: ReadonlyMap<string, number>;
}

type Keys = "any" | ReadonlySet<string>;

/** The conntrack changes faults make to one ENI. */
interface ConntrackOverride {
  readonly allowance?: number;
  readonly timeouts: Partial<ConntrackTimeouts>;
  readonly epoch: number;
  /** JSON of the above (memo key). */
  readonly key: string;
}

const EMPTY: readonly CompiledFault[] = Object.freeze([]);
const ID_RE = /^(sg|subnet|i|eni|pl)-[0-9a-f]{8,17}$/;

/** Ordered group pairs [from, to] a partition cuts (Jepsen nemesis grudges over groups). */
export function partitionCuts(n: number, mode: PartitionMode, oneWay: boolean): [number, number][] {
  const cuts: [number, number][] = [];
  if (mode === "complete") {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (i !== j && (!oneWay || i < j)) cuts.push([i, j]);
    return cuts;
  }
  if (mode === "majorities-ring") {
    // Jepsen majorities-ring: every group sees a majority (a window of m consecutive groups on
    // the ring, itself in the middle) and drops what comes from the others; no two groups see
    // the same majority.
    const m = Math.floor(n / 2) + 1;
    for (let s = 0; s < n; s++) {
      const window = Array.from({ length: m }, (_, k) => (s + k) % n);
      const middle = window[Math.floor(m / 2)]!;
      for (let o = 0; o < n; o++) if (!window.includes(o)) cuts.push([o, middle]);
    }
    return cuts;
  }
  // Jepsen bridge: two halves cut from each other, except the first group of the second half,
  // which keeps both ways to everyone.
  const half = Math.floor(n / 2);
  const bridge = half;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === bridge || j === bridge) continue;
      if (i < half !== j < half) cuts.push([i, j]);
    }
  }
  return cuts;
}

/** Stored effects -> the agent's shape (percentages as given; GE's h/k become 1-h/1-k). */
export function compileFaultEffects(f: FaultState): FaultEffects | undefined {
  const e = f.effects;
  const loss = e.loss;
  const out: FaultEffects = {
    ...(e.delay !== undefined ? { delay: { ...e.delay } } : {}),
    ...(loss === undefined
      ? {}
      : "gilbertElliott" in loss
        ? {
            loss: {
              percent: 0,
              correlation: 0,
              gilbertElliott: true,
              geP: loss.gilbertElliott.p,
              geR: loss.gilbertElliott.r,
              ge1h: 100 - loss.gilbertElliott.h,
              ge1k: 100 - loss.gilbertElliott.k,
            },
          }
        : {
            loss: {
              percent: loss.percent,
              correlation: loss.correlation,
              gilbertElliott: false,
              geP: 0,
              geR: 0,
              ge1h: 0,
              ge1k: 0,
            },
          }),
    ...(e.duplicate !== undefined ? { duplicate: { ...e.duplicate } } : {}),
    ...(e.corrupt !== undefined ? { corrupt: { ...e.corrupt } } : {}),
    ...(e.reorder !== undefined ? { reorder: { ...e.reorder } } : {}),
    ...(e.rate !== undefined ? { rate: { ...e.rate } } : {}),
    blackhole: e.blackhole === true,
    reject: e.reject === true,
  };
  const packet =
    out.delay !== undefined ||
    out.loss !== undefined ||
    out.duplicate !== undefined ||
    out.corrupt !== undefined ||
    out.reorder !== undefined ||
    out.rate !== undefined ||
    out.blackhole ||
    out.reject;
  return packet ? out : undefined;
}

/** Ids a fault names that the state no longer has. */
export function staleIds(f: FaultState, index: PolicyIndex): string[] {
  const out: string[] = [];
  const all = [...f.from, ...f.to, ...(f.partition?.groups.flat() ?? [])];
  for (const s of new Set(all)) {
    if (!ID_RE.test(s)) continue;
    const exists = s.startsWith("sg-")
      ? index.groups.has(s)
      : s.startsWith("subnet-")
        ? index.subnets.has(s)
        : s.startsWith("i-")
          ? index.instances.has(s)
          : s.startsWith("eni-")
            ? index.enis.has(s) && index.isActive(index.enis.get(s)!)
            : index.prefixLists.has(s);
    if (!exists) out.push(s);
  }
  return out;
}

interface Range {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

/** One compile's selector resolution, memoized per selector text. */
class Resolver {
  private readonly memo = new Map<string, Keys>();
  private addrs: { key: string; family: 4 | 6; value: bigint }[] | undefined;

  constructor(
    private readonly index: PolicyIndex,
    private readonly externals: readonly { name: string; address: string }[],
  ) {}

  keys(selectors: readonly string[]): Keys {
    const out = new Set<string>();
    for (const s of selectors) {
      const k = this.one(s);
      if (k === "any") return "any";
      for (const x of k) out.add(x);
    }
    return out;
  }

  private one(s: string): Keys {
    let k = this.memo.get(s);
    if (k === undefined) {
      k = this.resolve(s);
      this.memo.set(s, k);
    }
    return k;
  }

  private enis(list: Iterable<NetworkInterfaceState>): Set<string> {
    const out = new Set<string>();
    for (const e of list) if (this.index.isActive(e)) out.add(e.eniId);
    return out;
  }

  private resolve(s: string): Keys {
    const ix = this.index;
    if (s === "*") return "any";
    if (s.startsWith("sg-")) return this.enis(ix.membersByGroup.get(s) ?? []);
    if (s.startsWith("subnet-"))
      return this.enis(ix.state.networkInterfaces.filter((e) => e.subnetId === s));
    if (s.startsWith("i-")) {
      return ix.instances.has(s) ? this.enis(ix.enisByInstance.get(s) ?? []) : new Set();
    }
    if (s.startsWith("eni-")) {
      const e = ix.enis.get(s);
      return this.enis(e === undefined ? [] : [e]);
    }
    if (s.startsWith("pl-")) {
      const ranges = (ix.prefixLists.get(s)?.cidrs ?? []).flatMap((c) => range(c) ?? []);
      return this.inside(ranges);
    }
    if (s.startsWith("tag:")) {
      const body = s.slice(4);
      const eq = body.indexOf("=");
      const key = body.slice(0, eq);
      const value = body.slice(eq + 1);
      const out = new Set<string>();
      for (const inst of ix.state.instances) {
        if (inst.tags[key] !== value) continue;
        for (const e of this.enis(ix.enisByInstance.get(inst.instanceId) ?? [])) out.add(e);
      }
      return out;
    }
    if (s.startsWith("az:")) {
      const zone = s.slice(3);
      const subnets = new Set(
        ix.state.subnets.filter((x) => x.availabilityZone === zone).map((x) => x.subnetId),
      );
      return this.enis(ix.state.networkInterfaces.filter((e) => subnets.has(e.subnetId)));
    }
    if (s.startsWith("node:")) return new Set([`ext:${s.slice(5)}`]);
    const r = range(s);
    return r === undefined ? new Set() : this.inside([r]);
  }

  /** ENIs (active) and external nodes with an address inside one of `ranges`. */
  private inside(ranges: readonly Range[]): Set<string> {
    if (this.addrs === undefined) {
      this.addrs = [];
      for (const e of this.index.state.networkInterfaces) {
        if (!this.index.isActive(e)) continue;
        for (const a of [...e.privateIpv4, ...e.ipv6]) {
          const p = parseAddress(a);
          if (p !== undefined) this.addrs.push({ key: e.eniId, family: p.family, value: p.value });
        }
      }
      for (const x of this.externals) {
        const p = parseAddress(x.address);
        if (p !== undefined)
          this.addrs.push({ key: `ext:${x.name}`, family: p.family, value: p.value });
      }
    }
    const out = new Set<string>();
    for (const a of this.addrs) {
      if (ranges.some((r) => r.family === a.family && r.first <= a.value && a.value <= r.last))
        out.add(a.key);
    }
    return out;
  }
}

function range(cidr: string): Range | undefined {
  try {
    const c = parseCidr(cidr);
    return { family: c.family, first: c.first, last: c.last };
  } catch {
    return undefined;
  }
}

function endpointSet(k: Keys): FaultEndpointSet {
  return k === "any" ? { any: true, portKeys: [] } : { any: false, portKeys: [...k].sort() };
}

function isEmpty(k: Keys): boolean {
  return k !== "any" && k.size === 0;
}

/** Input of one FaultCompiler.update (PolicyCompiler passes what it computed). */
export interface FaultCompileInput {
  readonly faults: readonly FaultState[];
  readonly index: PolicyIndex;
  readonly revision: number;
  /** Sorted by agentId. */
  readonly placements: readonly AgentPlacement[];
  /** ENIs each agent hosts per this compile's placement. */
  readonly hostedBy: ReadonlyMap<string, readonly NetworkInterfaceState[]>;
}

/**
 * Stateful between compiles so unchanged faults keep their CompiledFault object (the hub's
 * push compares snapshots by reference and the wire encoder caches per object).
 */
export class FaultCompiler {
  private compiled = new Map<string, { key: string; fault: CompiledFault }>();
  private byAgent = new Map<string, readonly CompiledFault[]>();
  private overrides = new Map<string, ConntrackOverride>();
  private overrideSince = new Map<string, number>();
  private policyMemo = new Map<
    string,
    { base: CompiledEniPolicy; key: string; policy: CompiledEniPolicy }
  >();
  private resolutions = new Map<string, FaultResolution>();
  private revision = 0;

  /** True when the last update had no fault at all (the compiler's fast path). */
  empty(): boolean {
    return this.resolutions.size === 0;
  }

  update(input: FaultCompileInput): void {
    const { faults, index, revision, placements, hostedBy } = input;
    this.revision = revision;
    if (faults.length === 0 && this.empty()) return;
    const portHost = new Map<string, string>();
    const externals: { name: string; address: string }[] = [];
    for (const p of placements) {
      for (const e of hostedBy.get(p.agentId) ?? []) portHost.set(e.eniId, p.agentId);
      for (const x of p.externals) {
        if (!portHost.has(`ext:${x.name}`)) portHost.set(`ext:${x.name}`, p.agentId);
        externals.push(x);
      }
    }
    // Why only agents hosting a port: one hosting nothing sends nothing (and a departed agent
    // whose instances are gone must not hold a `*` fault pending).
    const allAgents = placements
      .filter((p) => (hostedBy.get(p.agentId)?.length ?? 0) > 0 || p.externals.length > 0)
      .map((p) => p.agentId);
    const resolver = new Resolver(index, externals);

    const compiled = new Map<string, { key: string; fault: CompiledFault }>();
    const agentLists = new Map<string, CompiledFault[]>();
    const resolved: {
      f: FaultState;
      from: Keys;
      to: Keys;
      stale: string[];
      agents: Set<string>;
    }[] = [];
    const overrideParts = new Map<string, FaultState[]>();
    for (const f of faults) {
      const stale = staleIds(f, index);
      const pairs: { from: Keys; to: Keys; reverse: boolean }[] = [];
      if (f.partition !== undefined) {
        const groups = f.partition.groups.map((g) => resolver.keys(g));
        for (const [i, j] of partitionCuts(groups.length, f.partition.mode, f.partition.oneWay))
          pairs.push({ from: groups[i]!, to: groups[j]!, reverse: false });
      } else {
        const from = resolver.keys(f.from);
        const to = f.to.length === 0 ? new Set<string>() : resolver.keys(f.to);
        pairs.push({ from, to, reverse: false });
        if (f.direction === "both") pairs.push({ from: to, to: from, reverse: true });
      }
      const live = pairs.filter((p) => !isEmpty(p.from) && !isEmpty(p.to));
      const agents = new Set<string>();
      const enforce = !f.expired && stale.length === 0;
      const effects = compileFaultEffects(f);
      if (enforce && effects !== undefined && live.length > 0) {
        const cf = this.compiledFault(f, live, effects);
        compiled.set(f.faultId, cf);
        for (const p of live) {
          for (const side of [p.from, p.to]) {
            if (side === "any") for (const a of allAgents) agents.add(a);
            else
              for (const k of side) {
                const a = portHost.get(k);
                if (a !== undefined) agents.add(a);
              }
          }
        }
        for (const a of agents) {
          let list = agentLists.get(a);
          if (list === undefined) agentLists.set(a, (list = []));
          list.push(cf.fault);
        }
      }
      if (enforce && f.started && f.effects.conntrack !== undefined) {
        const from = f.partition === undefined ? resolver.keys(f.from) : new Set<string>();
        const enis =
          from === "any"
            ? [...index.enis.values()].filter((e) => index.isActive(e)).map((e) => e.eniId)
            : [...from].filter((k) => !k.startsWith("ext:"));
        for (const eniId of enis) {
          let list = overrideParts.get(eniId);
          if (list === undefined) overrideParts.set(eniId, (list = []));
          list.push(f);
          const a = portHost.get(eniId);
          if (a !== undefined) agents.add(a);
        }
      }
      resolved.push({
        f,
        from: unionKeys(pairs.map((p) => p.from)),
        to: unionKeys(pairs.map((p) => p.to)),
        stale,
        agents,
      });
    }

    // Conntrack overrides per ENI; `since` moves only when an ENI's override changes.
    const overrides = new Map<string, ConntrackOverride>();
    const overrideSince = new Map<string, number>();
    for (const [eniId, fs] of overrideParts) {
      const o = conntrackOverride(fs);
      overrides.set(eniId, o);
      const prev = this.overrides.get(eniId);
      overrideSince.set(
        eniId,
        prev !== undefined && prev.key === o.key
          ? (this.overrideSince.get(eniId) ?? revision)
          : revision,
      );
    }

    // Per agent fault lists: the previous array object when its content is the same.
    const byAgent = new Map<string, readonly CompiledFault[]>();
    for (const [a, list] of agentLists) {
      const old = this.byAgent.get(a);
      byAgent.set(a, old !== undefined && sameRefs(old, list) ? old : list);
    }

    const resolutions = new Map<string, FaultResolution>();
    for (const r of resolved) {
      const prev = this.resolutions.get(r.f.faultId);
      const cf = compiled.get(r.f.faultId)?.fault;
      const since = new Map<string, number>();
      for (const a of r.agents) {
        let s = 0;
        if (cf !== undefined && (byAgent.get(a) ?? EMPTY).includes(cf)) {
          const before = this.byAgent.get(a) ?? EMPTY;
          s = before.includes(cf) ? (prev?.since.get(a) ?? revision) : revision;
        }
        for (const e of hostedBy.get(a) ?? []) {
          if (overrideParts.get(e.eniId)?.includes(r.f))
            s = Math.max(s, overrideSince.get(e.eniId) ?? revision);
        }
        since.set(a, s);
      }
      resolutions.set(r.f.faultId, {
        faultId: r.f.faultId,
        from: keysList(r.from),
        to: keysList(r.to),
        stale: r.stale,
        agents: [...r.agents].sort(),
        since,
      });
    }

    this.compiled = compiled;
    this.byAgent = byAgent;
    this.overrides = overrides;
    this.overrideSince = overrideSince;
    for (const id of [...this.policyMemo.keys()])
      if (!overrides.has(id)) this.policyMemo.delete(id);
    this.resolutions = resolutions;
  }

  /** The faults an agent receives (fault order; a shared empty array when none). */
  agentFaults(agentId: string): readonly CompiledFault[] {
    return this.byAgent.get(agentId) ?? EMPTY;
  }

  /** `base` with the conntrack faults on its ENI applied (the same object while unchanged). */
  eniPolicy(base: CompiledEniPolicy): CompiledEniPolicy {
    if (this.overrides.size === 0) return base;
    const o = this.overrides.get(base.eniId);
    if (o === undefined) return base;
    const memo = this.policyMemo.get(base.eniId);
    if (memo !== undefined && memo.base === base && memo.key === o.key) return memo.policy;
    const policy: CompiledEniPolicy = {
      ...base,
      revision: Math.max(base.revision, this.revision),
      allowance: o.allowance === undefined ? base.allowance : Math.min(base.allowance, o.allowance),
      timeouts: { ...base.timeouts, ...o.timeouts },
      // Why max: an instance's stop/start (INST-3) and flush faults both grow the epoch.
      ...(o.epoch > 0 ? { conntrackEpoch: Math.max(o.epoch, base.conntrackEpoch ?? 0) } : {}),
    };
    this.policyMemo.set(base.eniId, { base, key: o.key, policy });
    return policy;
  }

  resolution(faultId: string): FaultResolution | undefined {
    return this.resolutions.get(faultId);
  }

  private compiledFault(
    f: FaultState,
    pairs: readonly { from: Keys; to: Keys; reverse: boolean }[],
    effects: FaultEffects,
  ): { key: string; fault: CompiledFault } {
    const fault: CompiledFault = {
      faultId: f.faultId,
      pairs: pairs.map((p): FaultPair => ({
        from: endpointSet(p.from),
        to: endpointSet(p.to),
        reverse: p.reverse,
      })),
      protocol: f.protocol,
      fromPort: f.fromPort,
      toPort: f.toPort,
      effects,
      seed: f.seed,
      startAtMs: f.startsAtMs > f.createdAtMs ? f.startsAtMs : 0,
      endAtMs: f.expiresAtMs ?? 0,
      queueLimitPackets: f.queueLimitPackets,
    };
    const key = JSON.stringify(fault);
    const old = this.compiled.get(f.faultId);
    return old !== undefined && old.key === key ? old : { key, fault };
  }
}

/** Conntrack faults on one ENI, oldest first -> the override (newest timeouts win per field). */
function conntrackOverride(faults: readonly FaultState[]): ConntrackOverride {
  let allowance: number | undefined;
  const timeouts: { -readonly [K in keyof ConntrackTimeouts]?: number } = {};
  let epoch = 0;
  for (const f of [...faults].sort((a, b) => a.revision - b.revision)) {
    const c = f.effects.conntrack!;
    if (c.allowance !== undefined)
      allowance = allowance === undefined ? c.allowance : Math.min(allowance, c.allowance);
    if (c.timeouts !== undefined) Object.assign(timeouts, c.timeouts);
    if (c.flush === true) epoch = Math.max(epoch, f.revision);
  }
  const body = { ...(allowance !== undefined ? { allowance } : {}), timeouts, epoch };
  return { ...body, key: JSON.stringify(body) };
}

function unionKeys(list: readonly Keys[]): Keys {
  const out = new Set<string>();
  for (const k of list) {
    if (k === "any") return "any";
    for (const x of k) out.add(x);
  }
  return out;
}

function keysList(k: Keys): string[] {
  return k === "any" ? ["*"] : [...k].sort();
}

function sameRefs<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
