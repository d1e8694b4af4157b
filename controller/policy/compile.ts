/**
 * The policy compiler. PURE (no node: modules, no I/O, no clock): PolicyState + agent placement
 * -> one AgentSnapshot per agent (DESIGN.md "Control plane", STYLE.md §4.7/§4.8).
 *
 * For each hosted ENI: its addresses, the union of its SGs' rules per direction (RULE-1) with
 * protocol names turned into numbers (RULE-4), ports normalised (RULE-5/RULE-6), SG references
 * expanded to the members' private IPv4 /32 and IPv6 /128 (REF-1, REF-2, self-reference REF-3),
 * prefix lists expanded to their current entries (REF-7); its subnet's NACL entries per
 * direction sorted by rule number with the `*` entries 32767/32768 last (NACL-3, NACL-4);
 * conntrack timeouts (TO-1 defaults 432000/30/180); allowance (MET-1, default 65536); whether
 * its instance is stopped (INST-2: the ENI stays hosted, mapped and in its groups, the agent
 * drops its packets) and the revision of the instance's last stop or start as conntrack epoch
 * (INST-3); its subnet's effective route table (docs/routing.md RT-12: local routes, targets
 * with their state, `blackhole` when gone, peering routes naming the peer VPC), and SG references
 * to a peer VPC's group expanded only while an active peering joins the VPCs (REF-4/REF-5,
 * PCX-8). Plus the mapping table (mapping-table.ts): the VPCs of the agent's ENIs and the VPCs
 * peered with them.
 *
 * Chaos faults (compile-faults.ts): per agent, the faults whose pairs touch a port it hosts,
 * selectors resolved live at every compile; conntrack faults folded into the ENI policies.
 * Without faults this costs one length check.
 *
 * Incremental: PolicyCompiler keeps the last compiled policy per ENI and, given the StateChange
 * of a write, recompiles only ENIs whose inputs it touched: the ENI itself or its instance, its
 * subnet or that subnet's NACL, its own SGs, SGs its rules reference (whose membership changed),
 * prefix lists its rules reference. Every other ENI keeps the identical object, so agents whose
 * ENIs and mapping are unchanged are not sent anything.
 */
import {
  DEFAULT_CONNTRACK_MAX,
  DEFAULT_CONNTRACK_TIMEOUTS,
  type AgentSnapshot,
  type AuditRules,
  type CompiledEniPolicy,
  type CompiledNatGateway,
  type CompiledRoute,
  type CompiledRule,
  type MappingEntry,
  type NaclEntry,
} from "./compiled-policy.js";
import { FaultCompiler, type FaultResolution } from "./compile-faults.js";
import type { CompiledFault } from "./compiled-fault.js";
import {
  buildExternalMapping,
  buildPublicMapping,
  buildVpcMapping,
  sameMapping,
  type EniHost,
  type ExternalAddress,
} from "./mapping-table.js";
import type {
  InstanceState,
  NatGatewayState,
  NetworkAclState,
  NetworkInterfaceState,
  PolicyState,
  PrefixListState,
  RouteState,
  RouteTableState,
  SecurityGroupState,
  SgRuleState,
  StateChange,
  SubnetState,
} from "./policy-state.js";

/** Which agent hosts what; built by the hub from each agent's Hello/Update. */
export interface AgentPlacement {
  readonly agentId: string;
  /**
   * Underlay endpoint "host:port"; "" when unknown. The hub passes a disconnected agent's last
   * announced endpoint: its data plane usually outlives its control connection.
   */
  readonly endpoint: string;
  /**
   * Whether the agent's control connection is up (default true). Connected agents claim ENIs
   * before disconnected ones, so an ENI whose hosting moved to a connected agent stops being
   * routed to the stale endpoint of the agent that left.
   */
  readonly connected?: boolean;
  /** Hosted instances: every ENI attached to one of them is hosted by this agent. */
  readonly instanceIds: readonly string[];
  /** ENIs hosted directly (with or without an instance). */
  readonly eniIds: readonly string[];
  /** Addresses outside every VPC this agent hosts (no SG is enforced for them). */
  readonly externals: readonly ExternalAddress[];
  /** Node-level conntrack allowance (MET-1); instance tag `vpcemu:conntrack-max` wins over it. */
  readonly conntrackMax?: number;
  /** CT-4 stand-in for every ENI of this node; tag `vpcemu:auto-tracked=true` does it per instance. */
  readonly autoTracked?: boolean;
}

export interface CompileOptions {
  /** Allowance when neither instance tag nor node sets one (default 65536, MET-1). */
  readonly defaultAllowance?: number;
}

/** Instance tag overriding the per-instance conntrack allowance (MET-1). [CHOICE] */
export const TAG_CONNTRACK_MAX = "vpcemu:conntrack-max";
/** Instance tag marking every flow of the instance as tracked (CT-4 stand-in). [CHOICE] */
export const TAG_AUTO_TRACKED = "vpcemu:auto-tracked";

/** The outcome of one compile. */
export interface CompileResult {
  readonly revision: number;
  /** One snapshot per placement; unchanged agents keep the previous object. */
  readonly snapshots: ReadonlyMap<string, AgentSnapshot>;
  /** Agents whose snapshot differs from the previous compile (new agents included). */
  readonly changedAgents: readonly string[];
  /** ENIs compiled in this call. */
  readonly recompiledEnis: readonly string[];
}

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  all: -1,
  "-1": -1,
  icmp: 1,
  tcp: 6,
  udp: 17,
  icmpv6: 58,
};

/** Protocol text ("-1", "tcp", "6", ...) -> -1 or an IANA number (RULE-4, NACL-6). */
export function protocolNumber(text: string): number {
  const named = PROTOCOL_NUMBERS[text.toLowerCase()];
  if (named !== undefined) return named;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : -1;
}

/** Read-only lookups over one PolicyState. */
export class PolicyIndex {
  readonly subnets = new Map<string, SubnetState>();
  readonly groups = new Map<string, SecurityGroupState>();
  readonly nacls = new Map<string, NetworkAclState>();
  readonly prefixLists = new Map<string, PrefixListState>();
  readonly enis = new Map<string, NetworkInterfaceState>();
  readonly instances = new Map<string, InstanceState>();
  /** Active ENIs (not of a terminated instance) per SG, in state order. */
  readonly membersByGroup = new Map<string, NetworkInterfaceState[]>();
  /** Active ENIs per VPC, in state order. */
  readonly enisByVpc = new Map<string, NetworkInterfaceState[]>();
  /** ENIs per attached instance. */
  readonly enisByInstance = new Map<string, NetworkInterfaceState[]>();
  readonly routeTables = new Map<string, RouteTableState>();
  /** Active peering connections by id: [requester VPC, accepter VPC] (PCX-2). */
  readonly peerings = new Map<string, readonly [string, string]>();
  /** VPC -> the VPCs joined to it by an active peering (mapping table, REF-4/REF-5). */
  readonly peersByVpc = new Map<string, string[]>();
  /**
   * Compiled routes per route table id; PolicyCompiler.update() swaps in the previous compile's
   * array when equal, so an unchanged table keeps its object (ENI dirtiness, wire cache).
   */
  readonly routeMemo = new Map<string, readonly CompiledRoute[]>();
  /** NAT gateways carrying traffic by id (docs/routing.md NAT-8). */
  readonly natGateways = new Map<string, NatGatewayState>();
  /**
   * Their interfaces as ENIs of their subnets (no groups, source/dest check off, the Elastic IP
   * as public address while the VPC has a gateway), by ENI id; also in `enis` and `enisByVpc`.
   */
  readonly natEnis = new Map<string, NetworkInterfaceState & { readonly natGatewayId: string }>();

  constructor(readonly state: PolicyState) {
    for (const s of state.subnets) this.subnets.set(s.subnetId, s);
    for (const g of state.securityGroups) this.groups.set(g.groupId, g);
    for (const n of state.networkAcls) this.nacls.set(n.networkAclId, n);
    for (const p of state.prefixLists) this.prefixLists.set(p.prefixListId, p);
    for (const i of state.instances) this.instances.set(i.instanceId, i);
    for (const t of state.routeTables ?? []) this.routeTables.set(t.routeTableId, t);
    for (const p of state.peerings ?? []) {
      this.peerings.set(p.peeringId, [p.requesterVpcId, p.accepterVpcId]);
      push(this.peersByVpc, p.requesterVpcId, p.accepterVpcId);
      push(this.peersByVpc, p.accepterVpcId, p.requesterVpcId);
    }
    for (const n of state.natGateways ?? []) {
      this.natGateways.set(n.natGatewayId, n);
      this.natEnis.set(n.eniId, natEniOf(n));
    }
    for (const e of [...state.networkInterfaces, ...this.natEnis.values()]) {
      this.enis.set(e.eniId, e);
      if (e.instanceId !== undefined) push(this.enisByInstance, e.instanceId, e);
      if (!this.isActive(e)) continue;
      push(this.enisByVpc, e.vpcId, e);
      for (const g of e.groupIds) push(this.membersByGroup, g, e);
    }
  }

  private readonly ruleMemo = new Map<SgRuleState, CompiledRule>();
  private readonly naclMemo = new Map<string, readonly NaclEntry[]>();

  /**
   * A rule compiled once per state: every ENI of the group shares the object (memory, and the
   * hub's wire encoder caches encodings per object).
   */
  compiledRule(rule: SgRuleState): CompiledRule {
    let c = this.ruleMemo.get(rule);
    if (c === undefined) {
      c = compileSgRule(rule, this);
      this.ruleMemo.set(rule, c);
    }
    return c;
  }

  /**
   * The compiled routes of a route table (docs/routing.md RT-12), once per state; undefined
   * when the state carries no routing (the ENI then reaches its own VPC only).
   */
  compiledRoutes(routeTableId: string | undefined): readonly CompiledRoute[] | undefined {
    if (routeTableId === undefined) return undefined;
    let c = this.routeMemo.get(routeTableId);
    if (c === undefined) {
      const t = this.routeTables.get(routeTableId);
      if (t === undefined) return undefined;
      c = t.routes.map((r) => compileRoute(r, t.vpcId, this));
      this.routeMemo.set(routeTableId, c);
    }
    return c;
  }

  /** Whether two VPCs are one, or joined by an active peering (REF-4, REF-5). */
  reachable(vpcA: string, vpcB: string): boolean {
    return vpcA === vpcB || (this.peersByVpc.get(vpcA)?.includes(vpcB) ?? false);
  }

  /** A NACL's sorted entries of one direction, compiled once per state. */
  compiledNacl(networkAclId: string | undefined, egress: boolean): readonly NaclEntry[] {
    if (networkAclId === undefined) return [];
    const key = `${networkAclId}|${egress ? "out" : "in"}`;
    let c = this.naclMemo.get(key);
    if (c === undefined) {
      c = compileNacl(this.nacls.get(networkAclId), egress);
      this.naclMemo.set(key, c);
    }
    return c;
  }

  /**
   * An ENI counts (membership, mapping, hosting) unless its instance is terminated. A stopped
   * instance's ENIs count (INST-2): they keep their addresses and groups while the data path
   * drops their packets.
   */
  isActive(eni: NetworkInterfaceState): boolean {
    if (eni.instanceId === undefined) return true;
    const inst = this.instances.get(eni.instanceId);
    return inst === undefined || inst.state !== "terminated";
  }
}

/** A NAT gateway's interface as the compiler's ENI (docs/routing.md NAT-8). */
function natEniOf(n: NatGatewayState): NetworkInterfaceState & { readonly natGatewayId: string } {
  return {
    eniId: n.eniId,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    privateIpv4: [n.privateIp],
    ipv6: [],
    groupIds: [],
    // It forwards other hosts' packets both ways (NAT-9).
    sourceDestCheck: false,
    ...(n.publicIp !== undefined
      ? { publicIpv4: [{ publicIp: n.publicIp, privateIp: n.privateIp }] }
      : {}),
    natGatewayId: n.natGatewayId,
  };
}

/** NAT-10: a NAT gateway's idle timeout (s); NAT-11: its connections per destination. */
export const NAT_GATEWAY_IDLE_TIMEOUT_S = 350;
export const NAT_GATEWAY_PORTS_PER_DESTINATION = 55_000;

/**
 * A NAT gateway has no security groups (NAT-9): one allow-all rule per direction stands for
 * "no SG", so its subnet's NACL is all that judges; its id names the rule in flow-log decisions.
 */
function natAllowAll(natGatewayId: string): CompiledRule {
  return {
    ruleId: natGatewayId,
    groupId: "",
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    cidrs: ["0.0.0.0/0", "::/0"],
    peer: { kind: "cidr" },
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

/** Compile one SG rule (RULE-4..RULE-7, REF-1, REF-7). */
export function compileSgRule(rule: SgRuleState, index: PolicyIndex): CompiledRule {
  const protocol = protocolNumber(rule.protocol);
  // AWS-BEHAVIOUR RULE-5: -1 and protocols other than tcp/udp/icmp/icmpv6 open every port.
  const hasPorts = protocol === 6 || protocol === 17 || protocol === 1 || protocol === 58;
  const fromPort = hasPorts ? rule.fromPort : -1;
  const toPort = hasPorts ? rule.toPort : -1;
  let cidrs: string[];
  let peer: CompiledRule["peer"];
  if (rule.referencedGroupId !== undefined) {
    // AWS-BEHAVIOUR REF-1/REF-2/REF-3: the private IPv4s and IPv6s of the ENIs now in the group.
    // REF-4/REF-5 (docs/routing.md PCX-8): a peer VPC's group only while an active peering joins
    // the two VPCs; once it is gone the rule is stale and matches nothing.
    cidrs = [];
    const own = index.groups.get(rule.groupId)?.vpcId;
    const referenced = index.groups.get(rule.referencedGroupId)?.vpcId;
    const live = own === undefined || referenced === undefined || index.reachable(own, referenced);
    for (const m of live ? (index.membersByGroup.get(rule.referencedGroupId) ?? []) : []) {
      for (const a of m.privateIpv4) cidrs.push(`${a}/32`);
      for (const a of m.ipv6) cidrs.push(`${a}/128`);
    }
    peer = { kind: "sg", groupId: rule.referencedGroupId };
  } else if (rule.prefixListId !== undefined) {
    // AWS-BEHAVIOUR REF-7: the list's current entries (of its family).
    cidrs = [...(index.prefixLists.get(rule.prefixListId)?.cidrs ?? [])];
    peer = { kind: "prefix-list", prefixListId: rule.prefixListId };
  } else {
    const cidr = rule.cidrIpv4 ?? rule.cidrIpv6;
    cidrs = cidr === undefined ? [] : [cidr];
    peer = { kind: "cidr" };
  }
  const out: CompiledRule = {
    ruleId: rule.ruleId,
    groupId: rule.groupId,
    protocol,
    fromPort,
    toPort,
    cidrs,
    peer,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
  };
  return out;
}

/**
 * Compile one route of a table of `vpcId` (docs/routing.md RT-12..RT-14): a target that is not
 * active is `blackhole` (RT-10); a peering route names the VPC on the connection's other side.
 */
export function compileRoute(r: RouteState, vpcId: string, index: PolicyIndex): CompiledRoute {
  const base = { destination: r.destination, targetId: r.targetId };
  if (r.target === "local") return { ...base, kind: "local" };
  if (!r.active) return { ...base, kind: "blackhole" };
  switch (r.target) {
    case "peering": {
      const sides = index.peerings.get(r.targetId);
      if (sides === undefined || !sides.includes(vpcId)) return { ...base, kind: "blackhole" };
      return { ...base, kind: "peering", peerVpcId: sides[0] === vpcId ? sides[1] : sides[0] };
    }
    case "internet-gateway":
    case "egress-only-internet-gateway":
      return { ...base, kind: r.target };
    case "nat-gateway": {
      // NAT-8: forwarded to the NAT gateway's interface.
      const hop = index.natGateways.get(r.targetId)?.privateIp;
      return { ...base, kind: "nat-gateway", ...(hop !== undefined ? { nextHop: hop } : {}) };
    }
    case "network-interface": {
      // RT-18: forwarded to the interface's primary private IPv4 address.
      const hop = index.enis.get(r.targetId)?.privateIpv4[0];
      return { ...base, kind: r.target, ...(hop !== undefined ? { nextHop: hop } : {}) };
    }
    case "instance": {
      const primary = index.instances.get(r.targetId)?.primaryEniId;
      const hop = primary === undefined ? undefined : index.enis.get(primary)?.privateIpv4[0];
      return { ...base, kind: "network-interface", ...(hop !== undefined ? { nextHop: hop } : {}) };
    }
  }
}

/** Compile one NACL entry (NACL-5, NACL-6). */
export function compileNaclEntry(e: NetworkAclState["entries"][number]): NaclEntry {
  const protocol = protocolNumber(e.protocol);
  const ports = protocol === 6 || protocol === 17;
  const icmp = protocol === 1 || protocol === 58;
  return {
    ruleNumber: e.ruleNumber,
    action: e.ruleAction,
    protocol,
    cidr: e.cidrBlock ?? e.ipv6CidrBlock ?? "",
    fromPort: ports ? (e.portFrom ?? -1) : -1,
    toPort: ports ? (e.portTo ?? -1) : -1,
    icmpType: icmp ? (e.icmpType ?? -1) : -1,
    icmpCode: icmp ? (e.icmpCode ?? -1) : -1,
  };
}

/** A NACL's entries of one direction, ascending by rule number (`*` 32767/32768 last). */
export function compileNacl(nacl: NetworkAclState | undefined, egress: boolean): NaclEntry[] {
  if (nacl === undefined) return [];
  return nacl.entries
    .filter((e) => e.egress === egress)
    .map(compileNaclEntry)
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
}

/** Placement-derived inputs of one ENI's policy. */
export interface EniContext {
  readonly conntrackMax?: number;
  readonly autoTracked?: boolean;
}

/** Compile one ENI's whole policy at `revision`. */
export function compileEniPolicy(
  eni: NetworkInterfaceState,
  index: PolicyIndex,
  revision: number,
  ctx: EniContext = {},
  opts: CompileOptions = {},
): CompiledEniPolicy {
  const ingress: CompiledRule[] = [];
  const egress: CompiledRule[] = [];
  const nat = index.natEnis.get(eni.eniId);
  if (nat !== undefined) {
    const all = natAllowAll(nat.natGatewayId);
    ingress.push(all);
    egress.push(all);
  }
  for (const gid of eni.groupIds) {
    const g = index.groups.get(gid);
    if (g === undefined) continue;
    for (const r of g.rules) (r.isEgress ? egress : ingress).push(index.compiledRule(r));
  }
  const subnet = index.subnets.get(eni.subnetId);
  const naclId = subnet?.networkAclId;
  const routes = index.compiledRoutes(subnet?.routeTableId);
  const inst = eni.instanceId === undefined ? undefined : index.instances.get(eni.instanceId);
  const tagMax = Number(inst?.tags[TAG_CONNTRACK_MAX]);
  const allowance =
    Number.isInteger(tagMax) && tagMax > 0
      ? tagMax
      : (ctx.conntrackMax ?? opts.defaultAllowance ?? DEFAULT_CONNTRACK_MAX);
  return {
    revision,
    eniId: eni.eniId,
    instanceId: eni.instanceId ?? "",
    vpcId: eni.vpcId,
    subnetId: eni.subnetId,
    ipv4: [...eni.privateIpv4],
    ipv6: [...eni.ipv6],
    sourceDestCheck: eni.sourceDestCheck,
    ingress,
    egress,
    naclIn: index.compiledNacl(naclId, false),
    naclOut: index.compiledNacl(naclId, true),
    timeouts: {
      tcpEstablished: eni.tcpEstablishedTimeout ?? DEFAULT_CONNTRACK_TIMEOUTS.tcpEstablished,
      udp: eni.udpTimeout ?? DEFAULT_CONNTRACK_TIMEOUTS.udp,
      udpStream: eni.udpStreamTimeout ?? DEFAULT_CONNTRACK_TIMEOUTS.udpStream,
    },
    allowance,
    // NAT-9: a NAT gateway tracks every flow.
    autoTracked:
      nat !== undefined || ctx.autoTracked === true || inst?.tags[TAG_AUTO_TRACKED] === "true",
    // INST-3: every stop and start empties the ENI's conntrack table (the agent flushes when
    // the epoch grows); the stored revision of the change keeps it growing across restarts.
    ...(inst?.stateRevision !== undefined && inst.stateRevision > 0
      ? { conntrackEpoch: inst.stateRevision }
      : {}),
    ...(inst !== undefined && isStopped(inst) ? { instanceStopped: true } : {}),
    ...(routes !== undefined && subnet?.routeTableId !== undefined
      ? { routeTableId: subnet.routeTableId, routes }
      : {}),
    // docs/routing.md IGW-5: the gateway's 1:1 NAT, applied by the agent hosting the ENI.
    ...(eni.publicIpv4 !== undefined && eni.publicIpv4.length > 0
      ? {
          publicIpv4: eni.publicIpv4.map((a) => ({ publicIp: a.publicIp, privateIp: a.privateIp })),
        }
      : {}),
    ...(nat !== undefined ? { natGateway: compiledNat(nat.natGatewayId) } : {}),
    // Verdict events (docs/observability.md): the groups an sg_no_match names, the NACL id.
    // (Only when there are some: the wire does not tell an empty list from an absent one.)
    ...(eni.groupIds.length > 0 ? { groupIds: [...eni.groupIds] } : {}),
    ...(naclId !== undefined ? { naclId } : {}),
    ...auditOf(eni, index),
  };
}

/**
 * Audit mode (docs/observability.md "Audit mode"): the ENI's staged rules per direction: its
 * own staged set, else per group the group's staged set, else the group's enforced rules;
 * nothing when neither the ENI nor any of its groups has one.
 */
function auditOf(eni: NetworkInterfaceState, index: PolicyIndex): { audit?: AuditRules } {
  const groups = eni.groupIds.map((g) => index.groups.get(g)).filter((g) => g !== undefined);
  if (eni.staged === undefined && !groups.some((g) => g.staged !== undefined)) return {};
  const side = (egress: boolean): CompiledRule[] => {
    const own = egress ? eni.staged?.egress : eni.staged?.ingress;
    const rules =
      own ??
      groups.flatMap(
        (g) =>
          (egress ? g.staged?.egress : g.staged?.ingress) ??
          g.rules.filter((r) => r.isEgress === egress),
      );
    return rules.map((r) => index.compiledRule(r));
  };
  return { audit: { ingress: side(false), egress: side(true) } };
}

function compiledNat(natGatewayId: string): CompiledNatGateway {
  return {
    natGatewayId,
    idleTimeout: NAT_GATEWAY_IDLE_TIMEOUT_S,
    portsPerDestination: NAT_GATEWAY_PORTS_PER_DESTINATION,
  };
}

/** States in which an instance neither sends nor receives (INST-2); terminated ones are gone. */
const STOPPED_STATES: ReadonlySet<string> = new Set(["stopping", "stopped", "shutting-down"]);

/**
 * Whether an instance is down but keeps its ENIs (INST-2): stopping or stopped (or shutting
 * down). Its ENIs stay hosted, mapped and members of their groups; the data path drops their
 * packets (CompiledEniPolicy.instanceStopped).
 */
export function isStopped(inst: InstanceState): boolean {
  return STOPPED_STATES.has(inst.state);
}

/**
 * What an ENI's policy reads: its own SGs (their rules), the SGs those rules reference (their
 * membership), and the prefix lists they reference.
 */
function dependenciesOf(
  eni: NetworkInterfaceState,
  index: PolicyIndex,
): { ownGroups: Set<string>; refGroups: Set<string>; prefixLists: Set<string> } {
  const ownGroups = new Set<string>(eni.groupIds);
  const refGroups = new Set<string>();
  const prefixLists = new Set<string>();
  for (const gid of eni.groupIds) {
    for (const r of index.groups.get(gid)?.rules ?? []) {
      if (r.referencedGroupId !== undefined) refGroups.add(r.referencedGroupId);
      if (r.prefixListId !== undefined) prefixLists.add(r.prefixListId);
    }
  }
  return { ownGroups, refGroups, prefixLists };
}

interface CachedEni {
  readonly policy: CompiledEniPolicy;
  readonly ctxKey: string;
  readonly ownGroups: Set<string>;
  readonly refGroups: Set<string>;
  readonly prefixLists: Set<string>;
  readonly subnetId: string;
}

/** Union of two StateChanges (for coalescing writes between compiles). */
export function mergeStateChanges(a: StateChange, b: StateChange): StateChange {
  const u = (x: readonly string[], y: readonly string[]): string[] => [...new Set([...x, ...y])];
  return {
    revision: Math.max(a.revision, b.revision),
    vpcIds: u(a.vpcIds, b.vpcIds),
    subnetIds: u(a.subnetIds, b.subnetIds),
    groupIds: u(a.groupIds, b.groupIds),
    networkAclIds: u(a.networkAclIds, b.networkAclIds),
    prefixListIds: u(a.prefixListIds, b.prefixListIds),
    eniIds: u(a.eniIds, b.eniIds),
    instanceIds: u(a.instanceIds, b.instanceIds),
    ...(a.faultIds !== undefined || b.faultIds !== undefined
      ? { faultIds: u(a.faultIds ?? [], b.faultIds ?? []) }
      : {}),
  };
}

/**
 * Stateful, incremental compiler (pure: all inputs are arguments). Call update() with the
 * current state, the placement, and the StateChange(s) since the previous call (undefined =
 * recompile everything, e.g. the first call).
 */
export class PolicyCompiler {
  private index: PolicyIndex | undefined;
  private readonly enis = new Map<string, CachedEni>();
  private vpcMappings = new Map<string, readonly MappingEntry[]>();
  private externalMapping: readonly MappingEntry[] = [];
  private publicMapping: readonly MappingEntry[] = [];
  private snapshots = new Map<string, AgentSnapshot>();
  private readonly faults = new FaultCompiler();

  constructor(private readonly opts: CompileOptions = {}) {}

  /** The latest snapshot of an agent, if compiled. */
  snapshot(agentId: string): AgentSnapshot | undefined {
    return this.snapshots.get(agentId);
  }

  /** What a chaos fault resolved to at the latest compile (undefined: not in the state). */
  faultResolution(faultId: string): FaultResolution | undefined {
    return this.faults.resolution(faultId);
  }

  update(
    state: PolicyState,
    placements: readonly AgentPlacement[],
    change?: StateChange,
  ): CompileResult {
    const prev = this.index;
    const index = new PolicyIndex(state);
    this.index = index;
    // Why: peering changes are rare and touch SG references (REF-5) and mapping tables of whole
    // VPCs; they recompile everything.
    const peeringKey = [...index.peerings.keys()].sort().join(",");
    const peeringsChanged = peeringKey !== this.peeringKey;
    this.peeringKey = peeringKey;
    const dirty =
      change === undefined || prev === undefined || peeringsChanged
        ? undefined
        : dirtySets(change, prev, index);
    // Route tables: keep the previous compile's arrays where equal (RT-12).
    if (prev !== undefined) {
      for (const t of index.routeTables.keys()) {
        const old = prev.routeMemo.get(t);
        const fresh = index.compiledRoutes(t);
        if (old !== undefined && fresh !== undefined && sameRoutes(old, fresh))
          index.routeMemo.set(t, old);
      }
    }

    // Placement: first claim wins (placements sorted by agentId for determinism).
    const sorted = [...placements].sort((a, b) =>
      a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0,
    );
    const hostOf = new Map<string, { placement: AgentPlacement }>();
    const hostedBy = new Map<string, NetworkInterfaceState[]>();
    // Connected agents claim first, then disconnected ones (each by agentId).
    const claimOrder = [
      ...sorted.filter((p) => p.connected !== false),
      ...sorted.filter((p) => p.connected === false),
    ];
    for (const p of claimOrder) {
      const list: NetworkInterfaceState[] = [];
      hostedBy.set(p.agentId, list);
      const claim = (e: NetworkInterfaceState | undefined): void => {
        if (e === undefined || hostOf.has(e.eniId) || !index.isActive(e)) return;
        hostOf.set(e.eniId, { placement: p });
        list.push(e);
      };
      for (const iid of p.instanceIds)
        for (const e of index.enisByInstance.get(iid) ?? []) claim(e);
      for (const eid of p.eniIds) claim(index.enis.get(eid));
    }
    this.natHosts = placeNatGateways(index, claimOrder, hostOf, hostedBy, this.natHosts);

    // ENIs.
    const recompiled: string[] = [];
    const live = new Set<string>();
    for (const p of sorted) {
      for (const e of hostedBy.get(p.agentId) ?? []) {
        live.add(e.eniId);
        const ctx: EniContext = {
          ...(p.conntrackMax !== undefined ? { conntrackMax: p.conntrackMax } : {}),
          ...(p.autoTracked !== undefined ? { autoTracked: p.autoTracked } : {}),
        };
        const ctxKey = `${p.conntrackMax ?? ""}|${p.autoTracked ?? ""}`;
        const cached = this.enis.get(e.eniId);
        if (
          cached !== undefined &&
          cached.ctxKey === ctxKey &&
          dirty !== undefined &&
          !isDirty(e, cached, dirty) &&
          cached.policy.routes ===
            index.compiledRoutes(index.subnets.get(e.subnetId)?.routeTableId) &&
          // Why by value: an address (de)association or a gateway attach names no ENI here.
          samePublicIpv4(cached.policy.publicIpv4, e.publicIpv4)
        ) {
          continue;
        }
        const policy = compileEniPolicy(e, index, state.revision, ctx, this.opts);
        const deps = dependenciesOf(e, index);
        this.enis.set(e.eniId, { policy, ctxKey, ...deps, subnetId: e.subnetId });
        recompiled.push(e.eniId);
      }
    }
    for (const id of [...this.enis.keys()]) if (!live.has(id)) this.enis.delete(id);

    // Mapping: rebuilt (O(addresses)), previous arrays reused when equal.
    const host = (eniId: string): EniHost | undefined => {
      const h = hostOf.get(eniId);
      return h === undefined
        ? undefined
        : { agentId: h.placement.agentId, endpoint: h.placement.endpoint };
    };
    const vpcMappings = new Map<string, readonly MappingEntry[]>();
    for (const [vpcId, enis] of index.enisByVpc) {
      const fresh = buildVpcMapping(enis, host, (id) => index.natEnis.has(id));
      const old = this.vpcMappings.get(vpcId);
      vpcMappings.set(vpcId, old !== undefined && sameMapping(old, fresh) ? old : fresh);
    }
    this.vpcMappings = vpcMappings;
    const ext = buildExternalMapping(sorted);
    if (!sameMapping(ext, this.externalMapping)) this.externalMapping = ext;
    // Public IPv4 entries go to every agent, as external nodes do: any agent may host the
    // emulated internet, which reaches instances by these addresses (docs/routing.md IGW-5).
    const pub = buildPublicMapping(
      [...index.state.networkInterfaces, ...index.natEnis.values()],
      (e) => index.isActive(e),
      host,
    );
    if (!sameMapping(pub, this.publicMapping)) this.publicMapping = pub;

    // Chaos faults (none: one length check).
    const faults = state.faults ?? [];
    if (faults.length > 0 || !this.faults.empty()) {
      this.faults.update({ faults, index, revision: state.revision, placements: sorted, hostedBy });
    }

    // Snapshots.
    const snapshots = new Map<string, AgentSnapshot>();
    const changedAgents: string[] = [];
    const vpcIdsSorted = [...vpcMappings.keys()].sort();
    // Why: agents of the same VPCs get the same parts; one flattened table for all of them
    // keeps a join from copying every table once per agent (O(agents^2) per join).
    const flatByVpcs = new Map<string, readonly MappingEntry[]>();
    for (const p of sorted) {
      const enis = (hostedBy.get(p.agentId) ?? []).map((e) =>
        this.faults.eniPolicy(this.enis.get(e.eniId)!.policy),
      );
      const agentFaults = this.faults.agentFaults(p.agentId);
      // An agent receives its ENIs' VPCs and the VPCs peered with them (docs/routing.md RT-13).
      const vpcs =
        enis.length === 0
          ? vpcIdsSorted
          : [
              ...new Set(enis.flatMap((e) => [e.vpcId, ...(index.peersByVpc.get(e.vpcId) ?? [])])),
            ].sort();
      const parts = vpcs.map((v) => vpcMappings.get(v) ?? []);
      parts.push(this.externalMapping);
      if (this.publicMapping.length > 0) parts.push(this.publicMapping);
      const old = this.snapshots.get(p.agentId);
      const oldParts = old === undefined ? undefined : this.parts.get(p.agentId);
      const sameMappingParts =
        old !== undefined && oldParts !== undefined && sameRefs(oldParts, parts);
      if (
        sameMappingParts &&
        sameRefs(old.enis, enis) &&
        sameRefs(old.faults ?? NO_FAULTS, agentFaults)
      ) {
        snapshots.set(p.agentId, old);
        continue;
      }
      const snap: AgentSnapshot = {
        revision: state.revision,
        agentId: p.agentId,
        enis,
        // Why reuse: an unchanged mapping keeps its array object, so the hub can tell the
        // agent to keep its copy instead of resending it (controller/hub/agent-session.ts).
        mapping: sameMappingParts ? old.mapping : flatOnce(flatByVpcs, vpcs.join(","), parts),
        ...(agentFaults.length > 0 ? { faults: agentFaults } : {}),
      };
      snapshots.set(p.agentId, snap);
      this.parts.set(p.agentId, parts);
      changedAgents.push(p.agentId);
    }
    for (const id of [...this.parts.keys()]) if (!snapshots.has(id)) this.parts.delete(id);
    this.snapshots = snapshots;
    return { revision: state.revision, snapshots, changedAgents, recompiledEnis: recompiled };
  }

  private readonly parts = new Map<string, readonly (readonly MappingEntry[])[]>();
  private peeringKey = "";
  /** NAT gateway interface -> the agent it was placed on (NAT-8: placement is sticky). */
  private natHosts: ReadonlyMap<string, string> = new Map();
}

/**
 * Places each NAT gateway's interface on one connected agent (docs/routing.md NAT-8), so its
 * translations live in one place whichever agents its flows come from: the agent it was on
 * while that one stays connected (a move would lose its translations), else an agent hosting
 * an ENI of its subnet, else of its VPC, else any connected agent (each by agent id); none
 * connected: unplaced (its mapping entries name no agent, and its flows find no route).
 * Returns the placement, for the next compile.
 */
function placeNatGateways(
  index: PolicyIndex,
  claimOrder: readonly AgentPlacement[],
  hostOf: Map<string, { placement: AgentPlacement }>,
  hostedBy: Map<string, NetworkInterfaceState[]>,
  previous: ReadonlyMap<string, string>,
): Map<string, string> {
  const placed = new Map<string, string>();
  if (index.natEnis.size === 0) return placed;
  const connected = claimOrder.filter((p) => p.connected !== false);
  if (connected.length === 0) return placed;
  const hosts = (pred: (e: NetworkInterfaceState) => boolean): AgentPlacement | undefined =>
    connected.find((p) =>
      (hostedBy.get(p.agentId) ?? []).some((e) => !index.natEnis.has(e.eniId) && pred(e)),
    );
  for (const nat of index.natEnis.values()) {
    if (hostOf.has(nat.eniId)) continue;
    const before = previous.get(nat.eniId);
    const p =
      connected.find((c) => c.agentId === before) ??
      hosts((e) => e.subnetId === nat.subnetId) ??
      hosts((e) => e.vpcId === nat.vpcId) ??
      connected[0]!;
    hostOf.set(nat.eniId, { placement: p });
    hostedBy.get(p.agentId)!.push(nat);
    placed.set(nat.eniId, p.agentId);
  }
  return placed;
}

function sameRoutes(a: readonly CompiledRoute[], b: readonly CompiledRoute[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.destination !== y.destination ||
      x.kind !== y.kind ||
      x.targetId !== y.targetId ||
      x.peerVpcId !== y.peerVpcId ||
      x.nextHop !== y.nextHop
    )
      return false;
  }
  return true;
}

const NO_FAULTS: readonly CompiledFault[] = [];

function samePublicIpv4(
  a: readonly { readonly publicIp: string; readonly privateIp: string }[] | undefined,
  b: readonly { readonly publicIp: string; readonly privateIp: string }[] | undefined,
): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++)
    if (x[i]!.publicIp !== y[i]!.publicIp || x[i]!.privateIp !== y[i]!.privateIp) return false;
  return true;
}

function sameRefs<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface DirtySets {
  readonly enis: Set<string>;
  readonly instances: Set<string>;
  /** Groups the write changed (rules or membership, as the store reports them). */
  readonly groups: Set<string>;
  /** Groups whose membership may have changed: `groups` plus those of changed ENIs. */
  readonly members: Set<string>;
  readonly prefixLists: Set<string>;
  readonly subnets: Set<string>;
}

/**
 * What a change touches. Groups include every group a changed ENI (or an ENI of a changed
 * instance) belonged to before or after the write: its membership, hence every rule that
 * references those groups, changed (REF-2), even if the store did not list the group.
 */
function dirtySets(change: StateChange, prev: PolicyIndex, next: PolicyIndex): DirtySets {
  const enis = new Set(change.eniIds);
  const instances = new Set(change.instanceIds);
  const groups = new Set(change.groupIds);
  const members = new Set(change.groupIds);
  const subnets = new Set(change.subnetIds);
  for (const idx of [prev, next]) {
    for (const iid of instances)
      for (const e of idx.enisByInstance.get(iid) ?? []) enis.add(e.eniId);
  }
  for (const idx of [prev, next]) {
    for (const eid of enis) for (const g of idx.enis.get(eid)?.groupIds ?? []) members.add(g);
    for (const aclId of change.networkAclIds) {
      for (const s of idx.state.subnets) if (s.networkAclId === aclId) subnets.add(s.subnetId);
    }
  }
  return { enis, instances, groups, members, prefixLists: new Set(change.prefixListIds), subnets };
}

function isDirty(eni: NetworkInterfaceState, cached: CachedEni, d: DirtySets): boolean {
  if (d.enis.has(eni.eniId)) return true;
  if (eni.instanceId !== undefined && d.instances.has(eni.instanceId)) return true;
  if (d.subnets.has(eni.subnetId) || d.subnets.has(cached.subnetId)) return true;
  for (const g of cached.ownGroups) if (d.groups.has(g)) return true;
  for (const g of cached.refGroups) if (d.members.has(g)) return true;
  for (const p of cached.prefixLists) if (d.prefixLists.has(p)) return true;
  return false;
}

/** parts.flat(), once per key and compile (the same VPCs give the same parts). */
function flatOnce(
  memo: Map<string, readonly MappingEntry[]>,
  key: string,
  parts: readonly (readonly MappingEntry[])[],
): readonly MappingEntry[] {
  let flat = memo.get(key);
  if (flat === undefined) {
    flat = parts.flat();
    memo.set(key, flat);
  }
  return flat;
}
