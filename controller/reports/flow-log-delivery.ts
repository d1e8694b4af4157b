/**
 * Turns the agents' flow-log records (default-format lines per ENI, ReportStore) into the lines
 * of each flow log created through the EC2 API (docs/observability.md FLW-1..FLW-5;
 * "Flow logs"): a record belongs to every flow log whose resource is its ENI, the ENI's subnet or
 * the ENI's VPC (same account and region), that existed when the record's window ended, and whose
 * traffic type admits its action (NODATA/SKIPDATA records go to every traffic type). Fields are
 * written in the flow log's format; those the state answers (vpc-id, subnet-id, instance-id,
 * region, az-id, type, flow-direction, traffic-path within the VPC) are computed here, those
 * nothing knows yet are `-` as AWS writes a field that does not apply (FL-2).
 *
 * Lines are kept per flow log in a bounded ring (GET /v1/flow-logs/{id}/records) and, for a
 * `file://` destination, appended to the file, after a header line naming the fields as AWS's
 * S3 plain-text files begin (FLW-5). Nothing here is persisted but the file.
 */
import { appendFile, open, stat } from "node:fs/promises";
import { cidrContains, parseCidr, type Cidr } from "../model/cidr.js";
import { formatVersion, type FlowLog } from "../model/flow-log.js";
import type { NetworkInterface } from "../model/network-interface.js";
import { findZone } from "../model/regions.js";
import type { StoredRoute } from "../model/routing.js";
import type { FlowLogStore } from "../store/flow-log-ops.js";
import { routeTableOfSubnet } from "../store/routing-ops.js";
import { sameScope, scopeOf } from "../store/scope.js";
import type { StateReader } from "../store/transaction.js";
import type { FlowLogRecord } from "./report-types.js";

/** Lines kept per flow log (the newest). */
export const FLOW_LOG_LINES_KEPT = 10_000;

/** One agent record, its default-format fields by name (FL-1) plus what the agent adds. */
type RecordFields = Readonly<Record<string, string>>;

const V2_FIELDS = [
  "version",
  "account-id",
  "interface-id",
  "srcaddr",
  "dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
] as const;

/** The agent's line split into its 14 named fields; undefined if it is not 14 fields. */
export function parseDefaultRecord(line: string): RecordFields | undefined {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== V2_FIELDS.length) return undefined;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  V2_FIELDS.forEach((f, i) => (out[f] = parts[i]!));
  return out;
}

/** Adds what the agent sent beside the line (FL-8) under AWS's field names. */
function withAgentFields(
  r: RecordFields | undefined,
  rec: FlowLogRecord,
): RecordFields | undefined {
  if (r === undefined || rec.flowDirection === undefined) return r;
  return {
    ...r,
    "flow-direction": rec.flowDirection,
    "tcp-flags": String(rec.tcpFlags ?? 0),
    ...(rec.pktSrcaddr ? { "pkt-srcaddr": rec.pktSrcaddr } : {}),
    ...(rec.pktDstaddr ? { "pkt-dstaddr": rec.pktDstaddr } : {}),
  };
}

function addressIn(addr: string, cidrs: readonly Cidr[]): boolean {
  if (addr === "-") return false;
  let a: Cidr;
  try {
    a = parseCidr(`${addr}/${addr.includes(":") ? 128 : 32}`);
  } catch {
    return false;
  }
  return cidrs.some((c) => cidrContains(c, a));
}

/** What a record's fields are computed from: its ENI and the ENI's VPC and subnet. */
interface EniView {
  readonly eni: NetworkInterface;
  readonly vpcCidrs: readonly Cidr[];
  readonly azId: string;
  /** The NACL of the ENI's subnet: the one judging its traffic in both directions. */
  readonly networkAclId: string | undefined;
  /** The subnet's route table's routes with their traffic-path, longest prefix first. */
  readonly paths: ReadonlyArray<{ readonly cidr: Cidr; readonly path: string }>;
}

/**
 * AWS's traffic-path of a route's target (FLW-2; Nitro values): 8 internet gateway, 4/5 peering
 * within/across regions, 1 a NAT gateway, ENI or instance of the VPC; `-` for the rest (an
 * egress-only internet gateway: AWS names no value for it).
 */
function pathOfRoute(reader: StateReader, r: StoredRoute): string {
  if (r.gatewayId?.startsWith("igw-") === true) return "8";
  if (r.natGatewayId !== undefined || r.networkInterfaceId !== undefined) return "1";
  if (r.instanceId !== undefined) return "1";
  if (r.vpcPeeringConnectionId !== undefined) {
    const p = reader.get("vpcPeeringConnection", r.vpcPeeringConnectionId);
    if (p === undefined) return "-";
    return p.requester.region === p.accepter.region ? "4" : "5";
  }
  return "-";
}

function eniView(reader: StateReader, eni: NetworkInterface): EniView {
  const vpc = reader.get("vpc", eni.vpcId);
  const texts = vpc
    ? [
        vpc.cidrBlock,
        ...(vpc.secondaryCidrs ?? []).map((s) => s.cidrBlock),
        ...(vpc.ipv6CidrBlock !== undefined ? [vpc.ipv6CidrBlock] : []),
      ]
    : [];
  const vpcCidrs: Cidr[] = [];
  for (const t of texts) {
    try {
      vpcCidrs.push(parseCidr(t));
    } catch {
      // a stored block always parses; skip rather than fail a report
    }
  }
  const subnet = reader.get("subnet", eni.subnetId);
  const zone = subnet ? findZone(scopeOf(eni).region, subnet.availabilityZone) : undefined;
  const table = vpc ? routeTableOfSubnet(reader, vpc, eni.subnetId) : undefined;
  const paths: Array<{ cidr: Cidr; path: string }> = [];
  for (const r of table?.routes ?? []) {
    const dest = r.destinationCidrBlock ?? r.destinationIpv6CidrBlock;
    if (dest === undefined) continue;
    try {
      paths.push({ cidr: parseCidr(dest), path: pathOfRoute(reader, r) });
    } catch {
      // a stored destination always parses; skip rather than fail a report
    }
  }
  paths.sort((a, b) => b.cidr.prefix - a.cidr.prefix);
  return { eni, vpcCidrs, azId: zone?.zoneId ?? "-", networkAclId: subnet?.networkAclId, paths };
}

/**
 * The value of `field` for one record on `v`'s ENI (FL-2, FL-8, FLW-2). `version` is the
 * format's version, passed in.
 */
export function flowLogFieldValue(
  field: string,
  r: RecordFields,
  v: EniView,
  version: number,
): string {
  const ok = r["log-status"] === "OK";
  const own = new Set([...v.eni.privateIps, ...v.eni.ipv6]);
  const direction = (): string => {
    if (r["flow-direction"] !== undefined) return r["flow-direction"];
    if (!ok) return "-";
    if (own.has(r["srcaddr"] ?? "")) return "egress";
    if (own.has(r["dstaddr"] ?? "")) return "ingress";
    return "-";
  };
  switch (field) {
    case "version":
      return String(version);
    case "account-id":
      return scopeOf(v.eni).accountId;
    case "vpc-id":
      return v.eni.vpcId;
    case "subnet-id":
      return v.eni.subnetId;
    case "instance-id":
      return v.eni.attachment?.instanceId ?? "-";
    case "region":
      return scopeOf(v.eni).region;
    case "az-id":
      return v.azId;
    case "type":
      if (!ok) return "-";
      return (r["srcaddr"] ?? "").includes(":") ? "IPv6" : "IPv4";
    case "pkt-srcaddr":
      return r["pkt-srcaddr"] ?? (ok ? (r["srcaddr"] ?? "-") : "-");
    case "pkt-dstaddr":
      return r["pkt-dstaddr"] ?? (ok ? (r["dstaddr"] ?? "-") : "-");
    case "flow-direction":
      return direction();
    case "traffic-path": {
      // FLW-2: egress only; 1 = within the VPC (its local routes), else the route table's
      // longest matching route's target.
      if (direction() !== "egress") return "-";
      const dst = r["dstaddr"] ?? "-";
      if (addressIn(dst, v.vpcCidrs)) return "1";
      return v.paths.find((p) => addressIn(dst, [p.cidr]))?.path ?? "-";
    }
    default:
      return r[field] ?? "-";
  }
}

/** A flow log's line for one record. */
export function formatFlowLogLine(f: FlowLog, r: RecordFields, v: EniView): string {
  const version = formatVersion(f.fields);
  return f.fields.map((field) => flowLogFieldValue(field, r, v, version)).join(" ");
}

function admits(f: FlowLog, r: RecordFields): boolean {
  const action = r["action"];
  if (action !== "ACCEPT" && action !== "REJECT") return true;
  return f.trafficType === "ALL" || f.trafficType === action;
}

/**
 * vpcemu's own fields beside an AWS line, never inside it (issue 13 item 2): what decided the
 * record's first packet. The SG rule (directly or through its conntrack entry), the NACL of the
 * ENI's subnet and its entry number (32767/32768 = the `*` entries), a REJECT's drop reason
 * (docs/agent.md labels).
 */
export interface FlowLogDecision {
  readonly sgRuleId?: string;
  readonly networkAclId?: string;
  readonly naclRuleNumber?: number;
  readonly dropReason?: string;
}

/** One line of a flow log and, when the agent sent it, its decision. */
export interface FlowLogEntry {
  readonly line: string;
  readonly vpcemu?: FlowLogDecision;
}

function decisionOf(rec: FlowLogRecord, v: EniView): FlowLogDecision | undefined {
  if (rec.sgRuleId === undefined && rec.naclRule === undefined && rec.dropReason === undefined)
    return undefined;
  return {
    ...(rec.sgRuleId !== undefined ? { sgRuleId: rec.sgRuleId } : {}),
    ...(rec.naclRule !== undefined && v.networkAclId !== undefined
      ? { networkAclId: v.networkAclId }
      : {}),
    ...(rec.naclRule !== undefined ? { naclRuleNumber: rec.naclRule } : {}),
    ...(rec.dropReason !== undefined ? { dropReason: rec.dropReason } : {}),
  };
}

export interface FlowLogDeliveryDeps {
  readonly flowLogs: FlowLogStore;
  readonly reader: () => StateReader;
  readonly log: (line: string) => void;
}

/**
 * A NAT gateway's network interface as flow logs see it (docs/routing.md NAT-13): AWS gives
 * each NAT gateway an interface in its subnet whose flows a VPC, subnet or interface flow log
 * records; vpcemu stores no ENI record for it (NAT-7), so the NAT gateway stands in: its
 * subnet, VPC, scope and private address, no instance (`instance-id` `-`). Deleted ones too:
 * their last records arrive after the delete.
 */
function natGatewayInterface(reader: StateReader, eniId: string): NetworkInterface | undefined {
  if (!eniId.startsWith("eni-")) return undefined;
  const n = reader.list("natGateway").find((x) => x.networkInterfaceId === eniId);
  if (n === undefined) return undefined;
  return {
    ownerId: n.ownerId,
    region: n.region,
    eniId,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    description: `Interface for NAT Gateway ${n.natGatewayId}`,
    privateIps: [n.privateIp],
    ipv6: [],
    groupIds: [],
    sourceDestCheck: false,
    macAddress: "",
    tags: {},
  };
}

/** See the module comment; one per controller. */
export class FlowLogDelivery {
  private readonly lines = new Map<string, FlowLogEntry[]>();
  private readonly fileChains = new Map<string, Promise<void>>();
  /** Files whose header this delivery wrote or checked. */
  private readonly verified = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: FlowLogDeliveryDeps) {
    // A deleted flow log's lines go with it.
    this.unsubscribe = deps.flowLogs.onChange(() => {
      for (const id of this.lines.keys()) if (!deps.flowLogs.get(id)) this.lines.delete(id);
    });
  }

  /** Takes one batch of agent records (ReportStore.onFlowLogs). */
  deliver(records: readonly FlowLogRecord[]): void {
    const logs = this.deps.flowLogs.list();
    if (logs.length === 0) return;
    const reader = this.deps.reader();
    const views = new Map<string, EniView | undefined>();
    const files = new Map<string, { log: FlowLog; lines: string[] }>();
    for (const rec of records) {
      const r = withAgentFields(parseDefaultRecord(rec.line), rec);
      if (r === undefined) continue;
      let v = views.get(rec.eniId);
      if (!views.has(rec.eniId)) {
        const eni =
          reader.get("networkInterface", rec.eniId) ?? natGatewayInterface(reader, rec.eniId);
        v = eni ? eniView(reader, eni) : undefined;
        views.set(rec.eniId, v);
      }
      if (v === undefined) continue;
      const eni = v.eni;
      const end = Number(r["end"]);
      for (const f of logs) {
        if (
          f.resourceId !== eni.eniId &&
          f.resourceId !== eni.subnetId &&
          f.resourceId !== eni.vpcId
        )
          continue;
        if (!sameScope(scopeOf(f), scopeOf(eni))) continue;
        if (end < Math.floor(Date.parse(f.creationTime) / 1000)) continue;
        if (!admits(f, r)) continue;
        const line = formatFlowLogLine(f, r, v);
        this.keep(f.flowLogId, line, decisionOf(rec, v));
        if (f.sink.kind === "file") {
          let batch = files.get(f.flowLogId);
          if (batch === undefined) {
            batch = { log: f, lines: [] };
            files.set(f.flowLogId, batch);
          }
          batch.lines.push(line);
        }
      }
    }
    for (const { log, lines } of files.values()) this.append(log, lines);
  }

  /** The lines of flow log `id`, oldest first (at most `limit`, the newest). */
  linesOf(id: string, limit = Infinity): string[] {
    return this.entriesOf(id, limit).map((e) => e.line);
  }

  /** The lines of flow log `id` with vpcemu's decision of each, oldest first. */
  entriesOf(id: string, limit = Infinity): FlowLogEntry[] {
    const ring = this.lines.get(id) ?? [];
    return limit >= ring.length ? [...ring] : ring.slice(ring.length - limit);
  }

  /** Resolves when every file write begun so far has ended. */
  async flushed(): Promise<void> {
    await Promise.all([...this.fileChains.values()]);
  }

  close(): void {
    this.unsubscribe();
  }

  private keep(id: string, line: string, vpcemu: FlowLogDecision | undefined): void {
    let ring = this.lines.get(id);
    if (ring === undefined) {
      ring = [];
      this.lines.set(id, ring);
    }
    ring.push(vpcemu === undefined ? { line } : { line, vpcemu });
    if (ring.length > FLOW_LOG_LINES_KEPT) ring.splice(0, ring.length - FLOW_LOG_LINES_KEPT);
  }

  /** Appends in order per file; a new or empty file first gets the header line (FLW-5). */
  private append(f: FlowLog, lines: readonly string[]): void {
    if (f.sink.kind !== "file") return;
    const path = f.sink.path;
    const prev = this.fileChains.get(path) ?? Promise.resolve();
    const next = prev.then(async () => {
      try {
        const size = await stat(path).then(
          (s) => s.size,
          () => 0,
        );
        const header = `${f.fields.join(" ")}\n`;
        // Why: the file may have changed since CreateFlowLogs checked it; never append to a file
        // that is not a flow log of the same fields (ec2/flow-logs.ts checkFileDestination).
        if (size > 0 && !this.verified.has(path)) {
          const fh = await open(path, "r");
          const buf = Buffer.alloc(header.length);
          await fh.read(buf, 0, buf.length, 0).finally(() => fh.close());
          const head = buf.toString("utf8");
          if (head !== header) {
            this.deps.log(`flow log ${f.flowLogId}: ${path} is not a flow-log file of its fields`);
            return;
          }
        }
        this.verified.add(path);
        await appendFile(path, `${size === 0 ? header : ""}${lines.join("\n")}\n`);
      } catch (err) {
        this.deps.log(`flow log ${f.flowLogId}: cannot write ${path}: ${(err as Error).message}`);
      }
    });
    this.fileChains.set(path, next);
  }
}
