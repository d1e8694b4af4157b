/**
 * Explain's front half (docs/observability.md "Explain"): turns what a user typed (`web`,
 * `i-...`, `eni-...`, `10.0.2.20`, `internet`; `app:8080/tcp`, `db/icmp`) into the two ends of
 * a path with the compiled policy each end's agent enforces, and runs path-analysis.ts on them.
 * Shared by `GET /v1/explain` (controller/api/routes.ts) and the EC2 API's network-insights
 * calls (controller/ec2/network-insights.ts). Bad input raises ExplainError, each kind once,
 * before anything is analysed (EXP-6). Pure apart from the callbacks it is given.
 */
import { PolicyIndex, compileEniPolicy, isStopped } from "../policy/compile.js";
import type { CompiledEniPolicy } from "../policy/compiled-policy.js";
import type { ExternalAddress } from "../policy/mapping-table.js";
import type { NetworkInterfaceState, PolicyState } from "../policy/policy-state.js";
import { EniJudge, isIpAddress } from "./agent-judges.js";
import {
  analysePath,
  protocolName,
  type FlowSpec,
  type PathAnalysis,
  type PathEnd,
} from "./path-analysis.js";

/** What went wrong with an explain request; mapped to the JSON API's or EC2's codes by callers. */
export type ExplainErrorKind = "unknown-node" | "bad-address" | "bad-flow" | "ambiguous-node";

export class ExplainError extends Error {
  override readonly name = "ExplainError";
  constructor(
    readonly kind: ExplainErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Linux's default ephemeral ports (net.ipv4.ip_local_port_range): what node programs use. */
export const DEFAULT_SOURCE_PORTS = { from: 32768, to: 60999 } as const;

/** The state explain reads. */
export interface ExplainSources {
  readonly state: PolicyState;
  /** External nodes (`internet`) the agents host. */
  readonly externals: readonly ExternalAddress[];
  /**
   * The policy an ENI's agent enforces (its latest snapshot) and that agent's id; undefined when
   * no agent hosts it: explain then compiles it from the state, as the hub would.
   */
  readonly enforcedPolicy?: (
    eniId: string,
  ) => { policy: CompiledEniPolicy; agentId: string } | undefined;
}

/** One end as reported. */
export interface ExplainEndReport {
  readonly label: string;
  readonly kind: "eni" | "external";
  readonly address: string;
  readonly addressedAs?: string;
  readonly eniId?: string;
  readonly instanceId?: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly networkAclId?: string;
  readonly groupIds: readonly string[];
  /** The revision of the compiled policy judged (ENIs). */
  readonly policyRevision?: number;
  /** The agent enforcing it; "" when none hosts the ENI (then compiled here from the state). */
  readonly agentId?: string;
}

export interface ExplainResult extends PathAnalysis {
  /** The store's revision when the analysis ran. */
  readonly revision: number;
  readonly source: ExplainEndReport;
  readonly destination: ExplainEndReport;
  readonly protocol: string;
  readonly port: number;
  readonly sourcePorts: { readonly from: number; readonly to: number };
  /** What each ENI a hop names is called: the ends' labels, a NAT gateway's id. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A request as the JSON API and the CLI give it. */
export interface ExplainRequest {
  readonly src: string;
  /** NODE[:PORT][/PROTO]; PROTO tcp (default), udp, icmp; e.g. `app:8080/tcp`, `db/icmp`. */
  readonly dst: string;
  /** `N` or `N-M` (default: DEFAULT_SOURCE_PORTS). */
  readonly sourcePorts?: string;
}

const PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

/** `NODE[:PORT][/PROTO]` -> node text, protocol number and port. */
export function parseDestination(text: string): { node: string; protocol: number; port: number } {
  const slash = text.lastIndexOf("/");
  const protoText = slash < 0 ? "tcp" : text.slice(slash + 1).toLowerCase();
  let rest = slash < 0 ? text : text.slice(0, slash);
  const protocol = PROTOCOLS[protoText];
  if (protocol === undefined) {
    throw new ExplainError(
      "bad-flow",
      `unknown protocol '${protoText}' in '${text}' (tcp, udp, icmp or icmpv6)`,
    );
  }
  let portText: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw new ExplainError("bad-address", `unterminated '[' in '${text}'`);
    portText = rest.slice(close + 1).startsWith(":") ? rest.slice(close + 2) : undefined;
    if (rest.slice(close + 1) !== "" && portText === undefined)
      throw new ExplainError("bad-flow", `expected ':PORT' after ']' in '${text}'`);
    rest = rest.slice(1, close);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const colon = rest.indexOf(":");
    portText = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest === "") throw new ExplainError("bad-flow", `no destination in '${text}'`);
  const icmp = protocol === 1 || protocol === 58;
  if (icmp) {
    if (portText !== undefined)
      throw new ExplainError("bad-flow", `${protoText} has no port: write '${rest}/${protoText}'`);
    return { node: rest, protocol, port: 0 };
  }
  if (portText === undefined)
    throw new ExplainError("bad-flow", `${protoText} needs a port: '${rest}:PORT/${protoText}'`);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535)
    throw new ExplainError("bad-flow", `port '${portText}' is not a number 0-65535`);
  return { node: rest, protocol, port };
}

/** `N` or `N-M` within 1-65535. */
export function parsePortRange(text: string): { from: number; to: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (m === null || from < 1 || to > 65535 || from > to)
    throw new ExplainError("bad-flow", `source ports '${text}' are not N or N-M within 1-65535`);
  return { from, to };
}

/** Runs explain for a request: resolve, judge, report. */
export function explain(req: ExplainRequest, sources: ExplainSources): ExplainResult {
  const flowText = parseDestination(req.dst);
  const sourcePorts =
    req.sourcePorts === undefined ? DEFAULT_SOURCE_PORTS : parsePortRange(req.sourcePorts);
  const src = resolveEnd(req.src, sources, "source");
  const dst = resolveEnd(flowText.node, sources, "destination");
  return explainEnds(
    src,
    dst,
    { protocol: flowText.protocol, port: flowText.port, sourcePorts },
    sources,
  );
}

/** Runs explain between two resolved ends. */
export function explainEnds(
  src: ResolvedEnd,
  dst: ResolvedEnd,
  flow: FlowSpec,
  sources: ExplainSources,
): ExplainResult {
  if (src.end.kind === "eni" && src.end.eniId === dst.end.eniId) {
    throw new ExplainError(
      "bad-flow",
      `source and destination are the same ENI (${src.end.eniId}): such traffic never leaves the node`,
    );
  }
  const v6 = (a: string) => a.includes(":");
  if (v6(src.end.address) !== v6(dst.end.addressedAs ?? dst.end.address)) {
    throw new ExplainError(
      "bad-flow",
      `${src.end.address} and ${dst.end.addressedAs ?? dst.end.address} are of different address families`,
    );
  }
  if (src.end.kind === "external" && dst.end.kind === "external") {
    throw new ExplainError("bad-flow", "source and destination are both outside every VPC");
  }
  const index = indexOf(sources.state);
  // A NAT gateway's interface on the way (docs/routing.md NAT-8), by its private address.
  const labels: Record<string, string> = {};
  for (const e of [src.end, dst.end]) if (e.eniId !== undefined) labels[e.eniId] = e.label;
  const viaOf = (address: string): PathEnd | undefined => {
    for (const nat of index.natEnis.values()) {
      if (!nat.privateIpv4.includes(address)) continue;
      labels[nat.eniId] = nat.natGatewayId;
      return eniEnd(nat, index, sources, nat.natGatewayId).end;
    }
    return undefined;
  };
  const analysis = analysePath(src.end, dst.end, flow, viaOf);
  return {
    revision: sources.state.revision,
    source: src.report,
    destination: dst.report,
    protocol: protocolName(flow.protocol),
    port: flow.port,
    sourcePorts: flow.sourcePorts,
    labels,
    ...analysis,
  };
}

const INDEXES = new WeakMap<PolicyState, PolicyIndex>();

/** One PolicyIndex per state object (both ends and the analysis share it). */
function indexOf(state: PolicyState): PolicyIndex {
  let index = INDEXES.get(state);
  if (index === undefined) {
    index = new PolicyIndex(state);
    INDEXES.set(state, index);
  }
  return index;
}

/** An end and what is reported of it. */
export interface ResolvedEnd {
  readonly end: PathEnd;
  readonly report: ExplainEndReport;
}

const ADDRESS_LIKE = /^[0-9.]+$|^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;

/**
 * Resolves a node reference: `internet` (or another external node's name), an instance id, an
 * ENI id, an address (an ENI's private or public IP, an external node's; as destination also any
 * other address, outside every VPC), or an instance's Name tag.
 */
export function resolveEnd(
  text: string,
  sources: ExplainSources,
  role: "source" | "destination",
): ResolvedEnd {
  const { state } = sources;
  const index = indexOf(state);
  const externalsNamed = sources.externals.filter((x) => x.name === text);
  if (externalsNamed.length > 0) return externalEnd(text, externalsNamed[0]!.address);
  if (text === "internet")
    throw new ExplainError("unknown-node", "no agent hosts the 'internet' node");
  if (text.startsWith("i-")) {
    const inst = index.instances.get(text);
    const eni = inst === undefined ? undefined : index.enis.get(inst.primaryEniId);
    if (inst === undefined || inst.state === "terminated" || eni === undefined)
      throw new ExplainError("unknown-node", `unknown instance '${text}'`);
    return eniEnd(eni, index, sources, labelOf(index, eni));
  }
  if (text.startsWith("eni-")) {
    const eni = index.enis.get(text);
    if (eni === undefined || !index.isActive(eni))
      throw new ExplainError("unknown-node", `unknown network interface '${text}'`);
    return eniEnd(eni, index, sources, labelOf(index, eni));
  }
  if (ADDRESS_LIKE.test(text)) {
    if (!isIpAddress(text)) throw new ExplainError("bad-address", `'${text}' is not an IP address`);
    for (const eni of state.networkInterfaces) {
      if (!index.isActive(eni)) continue;
      if (eni.privateIpv4.includes(text) || eni.ipv6.includes(text))
        return eniEnd(eni, index, sources, labelOf(index, eni), text);
      const pub = eni.publicIpv4?.find((a) => a.publicIp === text);
      if (pub !== undefined) {
        return role === "destination"
          ? eniEnd(eni, index, sources, labelOf(index, eni), pub.privateIp, text)
          : eniEnd(eni, index, sources, labelOf(index, eni), pub.privateIp);
      }
    }
    const ext = sources.externals.find((x) => x.address === text);
    if (ext !== undefined) return externalEnd(ext.name, ext.address);
    if (role === "destination") return externalEnd(text, text);
    throw new ExplainError(
      "unknown-node",
      `no node has the address ${text} (a source must be a node of the emulator)`,
    );
  }
  const named = state.instances.filter((i) => i.tags.Name === text && i.state !== "terminated");
  if (named.length > 1) {
    throw new ExplainError(
      "ambiguous-node",
      `${named.length} instances are named '${text}' (${named.map((i) => i.instanceId).join(", ")}): give an instance id`,
    );
  }
  const eni = named.length === 1 ? index.enis.get(named[0]!.primaryEniId) : undefined;
  if (eni !== undefined) return eniEnd(eni, index, sources, text);
  const names = [
    ...state.instances
      .filter((i) => i.state !== "terminated")
      .map((i) => i.tags.Name ?? i.instanceId),
    ...new Set(sources.externals.map((x) => x.name)),
  ];
  throw new ExplainError(
    "unknown-node",
    `unknown node '${text}' (nodes: ${names.length > 0 ? names.join(", ") : "none"})`,
  );
}

function labelOf(index: PolicyIndex, eni: NetworkInterfaceState): string {
  const inst = eni.instanceId === undefined ? undefined : index.instances.get(eni.instanceId);
  return inst?.tags.Name ?? inst?.instanceId ?? eni.eniId;
}

function externalEnd(name: string, address: string): ResolvedEnd {
  const end: PathEnd = {
    label: name,
    kind: "external",
    address,
    vpcId: "",
    subnetId: name,
    groupIds: [],
  };
  return { end, report: { ...end, groupIds: [] } };
}

function eniEnd(
  eni: NetworkInterfaceState,
  index: PolicyIndex,
  sources: ExplainSources,
  label: string,
  address?: string,
  addressedAs?: string,
): ResolvedEnd {
  const enforced = sources.enforcedPolicy?.(eni.eniId);
  const policy = enforced?.policy ?? compileEniPolicy(eni, index, index.state.revision);
  const inst = eni.instanceId === undefined ? undefined : index.instances.get(eni.instanceId);
  const subnet = index.subnets.get(eni.subnetId);
  const end: PathEnd = {
    label,
    kind: "eni",
    address: address ?? eni.privateIpv4[0] ?? eni.ipv6[0] ?? "",
    ...(addressedAs !== undefined ? { addressedAs } : {}),
    eniId: eni.eniId,
    ...(eni.instanceId !== undefined ? { instanceId: eni.instanceId } : {}),
    vpcId: eni.vpcId,
    subnetId: eni.subnetId,
    ...(subnet !== undefined ? { networkAclId: subnet.networkAclId } : {}),
    groupIds: eni.groupIds,
    judge: new EniJudge(policy),
    stopped: inst !== undefined && isStopped(inst),
  };
  const { judge: _judge, stopped: _stopped, ...rest } = end;
  return {
    end,
    report: { ...rest, policyRevision: policy.revision, agentId: enforced?.agentId ?? "" },
  };
}
