/**
 * Reachability Analyzer on the EC2 API (docs/observability.md "Explain" EXP-8..EXP-10), for
 * users' existing scripts: CreateNetworkInsightsPath, DescribeNetworkInsightsPaths,
 * DeleteNetworkInsightsPath, StartNetworkInsightsAnalysis, DescribeNetworkInsightsAnalyses,
 * DeleteNetworkInsightsAnalysis. The analysis is explain's (controller/explain/), run on the
 * state's compiled policy when the analysis starts: `NetworkPathFound`, the forward and return
 * path components (security group rules, NACL entries, routes) and one `Explanation` per denying
 * hop with Reachability Analyzer's code. It completes at once: StartNetworkInsightsAnalysis
 * answers `running` as AWS does, DescribeNetworkInsightsAnalyses `succeeded` (or `failed` when an
 * end no longer exists). Paths and analyses live in side tables (migration 7), not policy state.
 */
import { controllerError, ControllerError, invalidValue } from "../errors.js";
import { newId } from "../ids.js";
import type { Tags } from "../model/tags.js";
import { isInScope, scopeFields } from "../store/scope.js";
import type { Db } from "../db/database.js";
import type { StateStore } from "../store/state-store.js";
import {
  ExplainError,
  explainEnds,
  resolveEnd,
  DEFAULT_SOURCE_PORTS,
  type ExplainResult,
  type ExplainSources,
  type ResolvedEnd,
} from "../explain/explain-service.js";
import type { ExplainHop } from "../explain/path-analysis.js";
import { scopeOfRequest, visibleGet, type ActionHandler, type Ec2Context } from "./context.js";
import { applyFilters, paginate, parseFilters, tagSet, tagSpecifications } from "./describe.js";
import type { XmlTree } from "./xml.js";

/** The address the internet has when an internet gateway is an end and no IP is given. */
export const INTERNET_ADDRESS = "198.51.100.10";

/** A stored path (CreateNetworkInsightsPath). */
export interface InsightsPath {
  readonly id: string;
  readonly ownerId: string;
  readonly region: string;
  readonly createdDate: string;
  readonly source: string;
  readonly destination?: string;
  readonly sourceIp?: string;
  readonly destinationIp?: string;
  readonly protocol: "tcp" | "udp";
  readonly destinationPort: number;
  readonly tags: Tags;
}

/** A stored analysis: its answer already rendered as the API's tree. */
export interface InsightsAnalysis {
  readonly id: string;
  readonly ownerId: string;
  readonly region: string;
  readonly pathId: string;
  readonly startDate: string;
  readonly status: "succeeded" | "failed";
  readonly statusMessage?: string;
  readonly networkPathFound?: boolean;
  readonly forward: readonly XmlTree[];
  readonly return: readonly XmlTree[];
  readonly explanations: readonly XmlTree[];
  readonly tags: Tags;
}

/** Both side tables, in memory and written through (as store/flow-log-ops.ts). */
class InsightsStore {
  readonly paths = new Map<string, InsightsPath>();
  readonly analyses = new Map<string, InsightsAnalysis>();

  constructor(private readonly db: Db) {
    for (const r of db.prepare("SELECT body FROM network_insights_paths ORDER BY rowid").all() as {
      body: string;
    }[]) {
      const p = JSON.parse(r.body) as InsightsPath;
      this.paths.set(p.id, p);
    }
    for (const r of db
      .prepare("SELECT body FROM network_insights_analyses ORDER BY rowid")
      .all() as { body: string }[]) {
      const a = JSON.parse(r.body) as InsightsAnalysis;
      this.analyses.set(a.id, a);
    }
  }

  addPath(p: InsightsPath): void {
    this.db
      .prepare("INSERT INTO network_insights_paths (id, body) VALUES (?, ?)")
      .run(p.id, JSON.stringify(p));
    this.paths.set(p.id, p);
  }

  addAnalysis(a: InsightsAnalysis): void {
    this.db
      .prepare("INSERT INTO network_insights_analyses (id, body) VALUES (?, ?)")
      .run(a.id, JSON.stringify(a));
    this.analyses.set(a.id, a);
  }

  /** Deletes a path and its analyses (EXP-9 [CHOICE]). */
  removePath(id: string): void {
    const mine = [...this.analyses.values()].filter((a) => a.pathId === id).map((a) => a.id);
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM network_insights_paths WHERE id = ?").run(id);
      for (const a of mine)
        this.db.prepare("DELETE FROM network_insights_analyses WHERE id = ?").run(a);
    })();
    this.paths.delete(id);
    for (const a of mine) this.analyses.delete(a);
  }

  removeAnalysis(id: string): void {
    this.db.prepare("DELETE FROM network_insights_analyses WHERE id = ?").run(id);
    this.analyses.delete(id);
  }
}

const STORES = new WeakMap<StateStore, InsightsStore>();

function storeOf(store: StateStore): InsightsStore {
  let s = STORES.get(store);
  if (s === undefined) {
    s = new InsightsStore(store.sideDatabase());
    STORES.set(store, s);
  }
  return s;
}

/** `i-...`, `eni-...`, `igw-...`, or the resource's ARN (its id after the last `/`). */
function idOf(text: string): string {
  return text.startsWith("arn:") ? text.slice(text.lastIndexOf("/") + 1) : text;
}

/** Checks an end exists in the request's scope (its AWS NotFound code otherwise). */
function checkEnd(c: Ec2Context, text: string, param: string): void {
  const id = idOf(text);
  if (id.startsWith("i-")) {
    const inst = visibleGet(c, "instance", id);
    if (inst === undefined || inst.state === "terminated")
      throw controllerError("EMU_ERR_INSTANCE_NOT_FOUND", id);
  } else if (id.startsWith("eni-")) {
    if (visibleGet(c, "networkInterface", id) === undefined)
      throw controllerError("EMU_ERR_ENI_NOT_FOUND", id);
  } else if (id.startsWith("igw-")) {
    if (visibleGet(c, "internetGateway", id) === undefined)
      throw controllerError("EMU_ERR_IGW_NOT_FOUND", id);
  } else {
    throw controllerError("EMU_ERR_NIP_UNSUPPORTED_END", text, param);
  }
}

function checkIp(value: string | undefined, param: string): void {
  if (value === undefined) return;
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(value) || value.split(".").some((o) => Number(o) > 255))
    throw invalidValue(value, param);
}

const createPath: ActionHandler = (c) => {
  const p = c.params;
  const source = p.req("Source");
  const destination = p.str("Destination");
  const sourceIp = p.str("SourceIp");
  const destinationIp = p.str("DestinationIp");
  const protocol = p.req("Protocol").toLowerCase();
  if (protocol !== "tcp" && protocol !== "udp") throw invalidValue(p.str("Protocol"), "Protocol");
  checkEnd(c, source, "Source");
  if (destination !== undefined) checkEnd(c, destination, "Destination");
  else if (destinationIp === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Destination");
  checkIp(sourceIp, "SourceIp");
  checkIp(destinationIp, "DestinationIp");
  const fromFilter = p.int("FilterAtSource.DestinationPortRange.FromPort", 0, 65535);
  const toFilter = p.int("FilterAtSource.DestinationPortRange.ToPort", 0, 65535);
  const port = p.int("DestinationPort", 0, 65535) ?? fromFilter;
  if (port === undefined || (toFilter !== undefined && toFilter !== port))
    throw controllerError("EMU_ERR_NIP_PORT_REQUIRED");
  const tags = tagSpecifications(p, "network-insights-path");
  if (c.dryRun) throw controllerError("EMU_ERR_REQ_DRY_RUN");
  const path: InsightsPath = {
    id: newId("nip"),
    ...scopeFields(scopeOfRequest(c)),
    createdDate: new Date().toISOString(),
    source,
    ...(destination !== undefined ? { destination } : {}),
    ...(sourceIp !== undefined ? { sourceIp } : {}),
    ...(destinationIp !== undefined ? { destinationIp } : {}),
    protocol,
    destinationPort: port,
    tags,
  };
  storeOf(c.store).addPath(path);
  return { networkInsightsPath: pathXml(path) };
};

function arn(kind: string, rec: { ownerId: string; region: string; id: string }): string {
  return `arn:aws:ec2:${rec.region}:${rec.ownerId}:${kind}/${rec.id}`;
}

function endArn(c: { ownerId: string; region: string }, text: string): string {
  if (text.startsWith("arn:")) return text;
  const id = idOf(text);
  const kind = id.startsWith("i-")
    ? "instance"
    : id.startsWith("eni-")
      ? "network-interface"
      : "internet-gateway";
  return `arn:aws:ec2:${c.region}:${c.ownerId}:${kind}/${id}`;
}

function pathXml(p: InsightsPath): XmlTree {
  return {
    networkInsightsPathId: p.id,
    networkInsightsPathArn: arn("network-insights-path", p),
    createdDate: p.createdDate,
    source: idOf(p.source),
    destination: p.destination === undefined ? undefined : idOf(p.destination),
    sourceArn: endArn(p, p.source),
    destinationArn: p.destination === undefined ? undefined : endArn(p, p.destination),
    sourceIp: p.sourceIp,
    destinationIp: p.destinationIp,
    protocol: p.protocol,
    destinationPort: p.destinationPort,
    tagSet: tagSet(p.tags),
  };
}

const describePaths: ActionHandler = (c) => {
  const p = c.params;
  const scope = scopeOfRequest(c);
  const ids = new Set(p.list("NetworkInsightsPathId"));
  const store = storeOf(c.store);
  for (const id of ids) {
    const found = store.paths.get(id);
    if (found === undefined || !isInScope(found, scope))
      throw controllerError("EMU_ERR_NIP_NOT_FOUND", id);
  }
  const all = [...store.paths.values()].filter(
    (x) => isInScope(x, scope) && (ids.size === 0 || ids.has(x.id)),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      destination: (x) => (x.destination === undefined ? [] : [idOf(x.destination)]),
      "destination-ip": (x) => (x.destinationIp === undefined ? [] : [x.destinationIp]),
      "destination-port": (x) => [String(x.destinationPort)],
      protocol: (x) => [x.protocol],
      source: (x) => [idOf(x.source)],
      "source-ip": (x) => (x.sourceIp === undefined ? [] : [x.sourceIp]),
    },
    (x) => x.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { networkInsightsPathSet: page.map(pathXml), nextToken };
};

function pathInScope(c: Ec2Context, id: string): InsightsPath {
  const found = storeOf(c.store).paths.get(id);
  if (found === undefined || !isInScope(found, scopeOfRequest(c)))
    throw controllerError("EMU_ERR_NIP_NOT_FOUND", id);
  return found;
}

const deletePath: ActionHandler = (c) => {
  const id = c.params.req("NetworkInsightsPathId");
  pathInScope(c, id);
  if (c.dryRun) throw controllerError("EMU_ERR_REQ_DRY_RUN");
  storeOf(c.store).removePath(id);
  return { networkInsightsPathId: id };
};

/** One end of a stored path, resolved on the current state. */
function resolvePathEnd(
  c: Ec2Context,
  text: string | undefined,
  ip: string | undefined,
  sources: ExplainSources,
  role: "source" | "destination",
): ResolvedEnd {
  if (text === undefined) return resolveEnd(ip!, sources, role);
  const id = idOf(text);
  if (id.startsWith("igw-")) {
    const address = ip ?? INTERNET_ADDRESS;
    const end = {
      label: id,
      kind: "external" as const,
      address,
      vpcId: "",
      subnetId: id,
      groupIds: [],
    };
    return { end, report: end };
  }
  checkEnd(c, text, role === "source" ? "Source" : "Destination");
  return resolveEnd(id, sources, role);
}

const startAnalysis: ActionHandler = (c) => {
  const p = c.params;
  const path = pathInScope(c, p.req("NetworkInsightsPathId"));
  const tags = tagSpecifications(p, "network-insights-analysis");
  if (c.dryRun) throw controllerError("EMU_ERR_REQ_DRY_RUN");
  const scope = scopeOfRequest(c);
  const base = {
    id: newId("nia"),
    ...scopeFields(scope),
    pathId: path.id,
    startDate: new Date().toISOString(),
    tags,
  };
  let analysis: InsightsAnalysis;
  try {
    const result = analyse(c, path);
    if (result.unknown) {
      const h = result.hops.find((x) => x.verdict === "unknown")!;
      throw new ExplainError(
        "bad-flow",
        `the path is not analysed beyond ${h.componentId}: ${h.detail}`,
      );
    }
    analysis = {
      ...base,
      status: "succeeded",
      networkPathFound: result.reachable,
      forward: components(result, "forward"),
      return: components(result, "return"),
      explanations: explanations(result),
    };
  } catch (err) {
    if (!(err instanceof ExplainError) && !(err instanceof ControllerError)) throw err;
    analysis = {
      ...base,
      status: "failed",
      statusMessage: err.message,
      forward: [],
      return: [],
      explanations: [],
    };
  }
  storeOf(c.store).addAnalysis(analysis);
  // AWS answers the start while the analysis runs; Describe shows its end.
  return {
    networkInsightsAnalysis: {
      ...analysisXml(analysis),
      status: "running",
      networkPathFound: undefined,
    },
  };
};

function analyse(c: Ec2Context, path: InsightsPath): ExplainResult {
  const sources: ExplainSources = { state: c.store.readPolicyState(), externals: [] };
  const src = resolvePathEnd(c, path.source, path.sourceIp, sources, "source");
  let dst = resolvePathEnd(c, path.destination, path.destinationIp, sources, "destination");
  // From an internet gateway, an instance is reached at its public IP (IGW-5).
  if (src.end.kind === "external" && dst.end.kind === "eni" && dst.end.addressedAs === undefined) {
    const eni = sources.state.networkInterfaces.find((e) => e.eniId === dst.end.eniId);
    const pub = eni?.publicIpv4?.find((a) => a.privateIp === dst.end.address);
    if (pub !== undefined) {
      dst = {
        end: { ...dst.end, addressedAs: pub.publicIp },
        report: { ...dst.report, addressedAs: pub.publicIp },
      };
    }
  }
  return explainEnds(
    src,
    dst,
    {
      protocol: path.protocol === "tcp" ? 6 : 17,
      port: path.destinationPort,
      sourcePorts: DEFAULT_SOURCE_PORTS,
    },
    sources,
  );
}

const PROTOCOL_NUMBER_TEXT: Readonly<Record<string, string>> = { tcp: "6", udp: "17" };

/** The AWS shape of a hop's rule: securityGroupRule, aclRule or routeTableRoute. */
function hopDetail(h: ExplainHop, r: ExplainResult): XmlTree {
  const proto = PROTOCOL_NUMBER_TEXT[r.protocol] ?? r.protocol;
  if (h.hop === "sg-egress" || h.hop === "sg-ingress") {
    return h.ruleId === undefined
      ? {}
      : {
          securityGroupRule: {
            direction: h.hop === "sg-egress" ? "egress" : "ingress",
            securityGroupId: h.groupId,
            protocol: proto,
          },
          securityGroup: { id: h.groupId },
        };
  }
  if (h.hop === "nacl-outbound" || h.hop === "nacl-inbound") {
    if (h.verdict === "skip") return { acl: { id: h.componentId } };
    return {
      acl: { id: h.componentId },
      aclRule:
        h.ruleNumber === undefined
          ? undefined
          : {
              egress: h.hop === "nacl-outbound",
              ruleAction: h.verdict === "allow" ? "allow" : "deny",
              ruleNumber: h.ruleNumber,
              protocol: proto,
            },
    };
  }
  if (h.hop === "route" || h.hop === "internet-gateway") {
    return {
      routeTable: h.componentId.startsWith("rtb-") ? { id: h.componentId } : undefined,
      routeTableRoute:
        h.route === undefined
          ? undefined
          : {
              destinationCidr: h.route.destination,
              gatewayId:
                h.route.kind === "internet-gateway" || h.route.kind === "local"
                  ? h.route.targetId
                  : undefined,
              vpcPeeringConnectionId: h.route.kind === "peering" ? h.route.targetId : undefined,
              state: h.route.kind === "blackhole" ? "blackhole" : "active",
            },
    };
  }
  return {};
}

function networkInterfaceOf(h: ExplainHop): XmlTree | undefined {
  return h.at.startsWith("eni-") ? { id: h.at } : undefined;
}

/** The path's components in order (AWS lists the ones traversed: allowed or skipped hops). */
function components(r: ExplainResult, path: "forward" | "return"): XmlTree[] {
  const header = {
    protocol: PROTOCOL_NUMBER_TEXT[r.protocol] ?? r.protocol,
    sourceAddressSet: [path === "forward" ? r.source.address : r.destination.address],
    destinationAddressSet: [path === "forward" ? r.destination.address : r.source.address],
    destinationPortRangeSet: [
      path === "forward"
        ? { from: r.port, to: r.port }
        : { from: r.sourcePorts.from, to: r.sourcePorts.to },
    ],
  };
  return r.hops
    .filter((h) => h.path === path && h.verdict !== "deny")
    .map((h, i) => ({
      sequenceNumber: i + 1,
      component: { id: h.componentId.split(",")[0] },
      ...hopDetail(h, r),
      subnet: undefined,
      outboundHeader: header,
    }));
}

function explanations(r: ExplainResult): XmlTree[] {
  return r.hops
    .filter((h) => h.verdict === "deny" || h.verdict === "partial")
    .map((h) => ({
      explanationCode: h.explanationCode ?? `VPCEMU_${(h.reason ?? "denied").toUpperCase()}`,
      direction: h.hop.endsWith("egress") || h.hop === "nacl-outbound" ? "egress" : "ingress",
      component: { id: h.componentId.split(",")[0] },
      networkInterface: networkInterfaceOf(h),
      securityGroupSet:
        h.hop === "sg-egress" || h.hop === "sg-ingress"
          ? h.componentId.split(",").map((id) => ({ id }))
          : undefined,
      ...hopDetail(h, r),
      ...(h.hop === "sg-egress" || h.hop === "sg-ingress" ? { securityGroup: undefined } : {}),
    }));
}

function analysisXml(a: InsightsAnalysis): XmlTree {
  return {
    networkInsightsAnalysisId: a.id,
    networkInsightsAnalysisArn: arn("network-insights-analysis", a),
    networkInsightsPathId: a.pathId,
    startDate: a.startDate,
    status: a.status,
    statusMessage: a.statusMessage,
    networkPathFound: a.networkPathFound,
    forwardPathComponentSet: a.status === "succeeded" ? a.forward : undefined,
    returnPathComponentSet: a.status === "succeeded" ? a.return : undefined,
    explanationSet: a.status === "succeeded" ? a.explanations : undefined,
    tagSet: tagSet(a.tags),
  };
}

const describeAnalyses: ActionHandler = (c) => {
  const p = c.params;
  const scope = scopeOfRequest(c);
  const store = storeOf(c.store);
  const ids = new Set(p.list("NetworkInsightsAnalysisId"));
  for (const id of ids) {
    const found = store.analyses.get(id);
    if (found === undefined || !isInScope(found, scope))
      throw controllerError("EMU_ERR_NIA_NOT_FOUND", id);
  }
  const pathId = p.str("NetworkInsightsPathId");
  if (pathId !== undefined) pathInScope(c, pathId);
  const all = [...store.analyses.values()].filter(
    (a) =>
      isInScope(a, scope) &&
      (ids.size === 0 || ids.has(a.id)) &&
      (pathId === undefined || a.pathId === pathId),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "path-found": (a) => (a.networkPathFound === undefined ? [] : [String(a.networkPathFound)]),
      status: (a) => [a.status],
    },
    (a) => a.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { networkInsightsAnalysisSet: page.map(analysisXml), nextToken };
};

const deleteAnalysis: ActionHandler = (c) => {
  const id = c.params.req("NetworkInsightsAnalysisId");
  const found = storeOf(c.store).analyses.get(id);
  if (found === undefined || !isInScope(found, scopeOfRequest(c)))
    throw controllerError("EMU_ERR_NIA_NOT_FOUND", id);
  if (c.dryRun) throw controllerError("EMU_ERR_REQ_DRY_RUN");
  storeOf(c.store).removeAnalysis(id);
  return { networkInsightsAnalysisId: id };
};

export const NETWORK_INSIGHTS_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateNetworkInsightsPath: createPath,
  DescribeNetworkInsightsPaths: describePaths,
  DeleteNetworkInsightsPath: deletePath,
  StartNetworkInsightsAnalysis: startAnalysis,
  DescribeNetworkInsightsAnalyses: describeAnalyses,
  DeleteNetworkInsightsAnalysis: deleteAnalysis,
};
