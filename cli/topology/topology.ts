/**
 * Topology files (YAML): VPCs, subnets, prefix lists, security groups with rules, network ACLs,
 * instances, internet gateways, route tables, Elastic IPs, NAT gateways and peerings, validated once into a `Topology` whose every item remembers where it was
 * written (file, line, field path), so a mistake reads
 * `topology.yaml:12: instances[1].subnet: unknown subnet 'db'`. apply-topology.ts turns a
 * Topology into EC2 API calls; the format is described in docs/topology.md.
 *
 * Checked here: shapes, required fields, unknown fields, CIDR syntax, ports, references between
 * items (by name), addresses inside their subnet. AWS-level rules the API enforces anyway
 * (quotas, duplicates) are reported by apply-topology.ts with the same location.
 *
 * The work is split by responsibility: yaml-reader.ts (locations and issues), read-network.ts
 * (VPCs, subnets, prefix lists, instances), read-filters.ts (security groups, network ACLs and
 * their rules), read-routing.ts + check-routing.ts (gateways, route tables, Elastic IPs,
 * peerings), read-faults.ts (the `faults:` section), check-references.ts (cross-item
 * checks), cidr.ts. This file holds the schema and
 * parseTopology, and re-exports what callers used from it before the split.
 */
import { LineCounter, parseDocument } from "yaml";
import { checkReferences } from "./check-references.js";
import { readInstances, readPrefixLists, readSubnets, readVpcs } from "./read-network.js";
import { readNetworkAcls, readSecurityGroups } from "./read-filters.js";
import { checkFaultSelectors, readFaults } from "./read-faults.js";
import type { FaultRequest, PartitionRequest } from "../chaos/fault-api.js";
import { checkRouting } from "./check-routing.js";
import {
  readElasticIps,
  readInternetGateways,
  readNatGateways,
  readPeerings,
  readRouteTables,
} from "./read-routing.js";
import {
  Reader,
  TopologyError,
  type Issues,
  type SourceLocation,
  type TopologyIssue,
} from "./yaml-reader.js";

export {
  formatIssue,
  TopologyError,
  type SourceLocation,
  type TopologyIssue,
} from "./yaml-reader.js";
export { normaliseProtocol } from "./read-filters.js";
export { cidrContains, ipv4ToNumber, numberToIpv4, parseCidr, type Cidr } from "./cidr.js";

export interface TopologyVpc {
  readonly name: string;
  readonly cidr: string;
  readonly at: SourceLocation;
}

export interface TopologySubnet {
  readonly name: string;
  readonly vpc: string;
  readonly cidr: string;
  readonly availabilityZone?: string;
  readonly at: SourceLocation;
}

export interface TopologyPrefixList {
  readonly name: string;
  readonly addressFamily: "IPv4" | "IPv6";
  readonly maxEntries: number;
  readonly entries: readonly { readonly cidr: string; readonly description?: string }[];
  readonly at: SourceLocation;
}

/** Exactly one peer per rule (AWS-BEHAVIOUR RULE-7). Names refer to items of the file. */
export type TopologyPeer =
  | { readonly kind: "cidr"; readonly cidr: string }
  | { readonly kind: "sg"; readonly group: string }
  | { readonly kind: "prefix-list"; readonly prefixList: string };

export interface TopologySgRule {
  /** "-1", or an IANA number as text; names (tcp, udp, icmp, icmpv6) are normalised to numbers. */
  readonly protocol: string;
  /** tcp/udp: port range; icmp/icmpv6: type/code (-1 = any); otherwise -1/-1 (RULE-5, RULE-6). */
  readonly fromPort: number;
  readonly toPort: number;
  readonly peer: TopologyPeer;
  readonly description?: string;
  readonly at: SourceLocation;
}

export interface TopologySecurityGroup {
  readonly name: string;
  readonly vpc: string;
  readonly description: string;
  readonly ingress: readonly TopologySgRule[];
  /** Absent: AWS's default egress (all to 0.0.0.0/0, DEF-2) is kept; present: exactly these. */
  readonly egress?: readonly TopologySgRule[];
  readonly at: SourceLocation;
}

export interface TopologyNaclEntry {
  readonly ruleNumber: number;
  readonly action: "allow" | "deny";
  readonly protocol: string;
  readonly cidr: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly at: SourceLocation;
}

export interface TopologyNetworkAcl {
  readonly name: string;
  readonly vpc: string;
  readonly subnets: readonly string[];
  readonly ingress: readonly TopologyNaclEntry[];
  readonly egress: readonly TopologyNaclEntry[];
  readonly at: SourceLocation;
}

export interface TopologyInstance {
  readonly name: string;
  readonly subnet: string;
  /** Group names of the file, or `default` (the VPC default SG, DEF-4) when empty. */
  readonly securityGroups: readonly string[];
  readonly privateIp?: string;
  /** ConnectionTrackingSpecification of the primary ENI, seconds (TO-1, TO-2). */
  readonly conntrack?: {
    readonly tcpEstablishedTimeout?: number;
    readonly udpTimeout?: number;
    readonly udpStreamTimeout?: number;
  };
  /** Extra tags (e.g. `vpcemu:conntrack-max`, the per-instance allowance, MET-1); Name is set from `name`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** A launch-time public IPv4 address (RunInstances AssociatePublicIpAddress, EIP-7). */
  readonly publicIp?: boolean;
  readonly at: SourceLocation;
}

/** An internet gateway, attached to `vpc` when given (IGW-1). */
export interface TopologyInternetGateway {
  readonly name: string;
  readonly vpc?: string;
  readonly at: SourceLocation;
}

/** What a route sends to: exactly one target, named by an item of the file. */
export type TopologyRouteTarget =
  | { readonly kind: "internetGateway"; readonly name: string }
  | { readonly kind: "natGateway"; readonly name: string }
  | { readonly kind: "peering"; readonly name: string }
  | { readonly kind: "instance"; readonly name: string };

export interface TopologyRoute {
  /** IPv4 CIDR, host bits cleared. */
  readonly destination: string;
  readonly target: TopologyRouteTarget;
  readonly at: SourceLocation;
}

/** A route table of `vpc`, associated with `subnets` (each subnet with at most one, RT-1). */
export interface TopologyRouteTable {
  readonly name: string;
  readonly vpc: string;
  readonly subnets: readonly string[];
  readonly routes: readonly TopologyRoute[];
  readonly at: SourceLocation;
}

/** An Elastic IP, associated with `instance` when given (EIP-1, EIP-3). */
export interface TopologyElasticIp {
  readonly name: string;
  readonly instance?: string;
  readonly at: SourceLocation;
}

/** A public NAT gateway in `subnet` with the Elastic IP `elasticIp` (NAT-1). */
export interface TopologyNatGateway {
  readonly name: string;
  readonly subnet: string;
  readonly elasticIp: string;
  readonly at: SourceLocation;
}

/** A same-account peering between two VPCs of the file, accepted when applied (PCX-1, PCX-2). */
export interface TopologyPeering {
  readonly name: string;
  readonly vpc: string;
  readonly peerVpc: string;
  readonly at: SourceLocation;
}

/** A selector of a fault as written (`sg:web-sg`, `subnet-...`, `*`), where it was written. */
export interface TopologySelector {
  readonly text: string;
  readonly at: SourceLocation;
}

/**
 * An item of `faults:`: the JSON API request it becomes (POST /v1/faults, or
 * /v1/faults/partition for a partition), applied after every resource of the file.
 */
export type TopologyFault =
  | {
      readonly kind: "fault";
      readonly name?: string;
      readonly request: FaultRequest;
      readonly selectors: readonly TopologySelector[];
      readonly at: SourceLocation;
    }
  | {
      readonly kind: "partition";
      readonly name?: string;
      readonly request: PartitionRequest;
      readonly selectors: readonly TopologySelector[];
      readonly at: SourceLocation;
    };

export interface Topology {
  readonly file: string;
  readonly vpcs: readonly TopologyVpc[];
  readonly subnets: readonly TopologySubnet[];
  readonly prefixLists: readonly TopologyPrefixList[];
  readonly securityGroups: readonly TopologySecurityGroup[];
  readonly networkAcls: readonly TopologyNetworkAcl[];
  readonly instances: readonly TopologyInstance[];
  readonly internetGateways: readonly TopologyInternetGateway[];
  readonly routeTables: readonly TopologyRouteTable[];
  readonly elasticIps: readonly TopologyElasticIp[];
  readonly natGateways: readonly TopologyNatGateway[];
  readonly peerings: readonly TopologyPeering[];
  /** Chaos faults to add once the resources exist (docs/chaos.md); [] when none. */
  readonly faults: readonly TopologyFault[];
  /**
   * Allowed but probably not meant (an instance with `publicIp: true` in a subnet whose route
   * table has no route to an internet gateway): the caller shows them; nothing is refused.
   */
  readonly warnings: readonly TopologyIssue[];
}

const TOP_KEYS = [
  "description",
  "vpcs",
  "subnets",
  "prefixLists",
  "securityGroups",
  "networkAcls",
  "instances",
  "internetGateways",
  "routeTables",
  "elasticIps",
  "natGateways",
  "peerings",
  "faults",
];

/**
 * Parses and validates a topology file's text. `file` is used in locations only. Throws
 * TopologyError listing every problem.
 */
export function parseTopology(text: string, file: string): Topology {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: Issues = [];
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line;
    issues.push({
      at: { file, line, path: "" },
      message: err.message.split("\n")[0] ?? err.message,
    });
  }
  if (issues.length > 0) throw new TopologyError(issues);

  const r = new Reader(file, lines, issues);
  const warnings: TopologyIssue[] = [];
  const rootAt: SourceLocation = { file, line: 1, path: "" };
  const top = r.map(doc.contents, "", TOP_KEYS, rootAt);
  if (!top) throw new TopologyError(issues);

  const topology: Topology = {
    file,
    vpcs: readVpcs(r, top),
    subnets: readSubnets(r, top),
    prefixLists: readPrefixLists(r, top),
    securityGroups: readSecurityGroups(r, top),
    networkAcls: readNetworkAcls(r, top),
    instances: readInstances(r, top),
    internetGateways: readInternetGateways(r, top),
    routeTables: readRouteTables(r, top),
    elasticIps: readElasticIps(r, top),
    natGateways: readNatGateways(r, top),
    peerings: readPeerings(r, top),
    faults: readFaults(r, top),
    warnings,
  };
  checkReferences(r, topology);
  checkRouting(r, topology, warnings);
  checkFaultSelectors(r, topology);
  if (issues.length > 0) throw new TopologyError([...issues].sort((a, b) => a.at.line - b.at.line));
  return topology;
}
