import type { ResourceKind } from "../db/database.js";
import type { Vpc, Subnet } from "../model/vpc.js";
import type { SecurityGroup } from "../model/security-group.js";
import type { NetworkAcl } from "../model/network-acl.js";
import type { PrefixList } from "../model/prefix-list.js";
import type { NetworkInterface } from "../model/network-interface.js";
import type { Instance } from "../model/instance.js";
import type { Fault } from "../model/fault.js";
import type {
  Address,
  EgressOnlyInternetGateway,
  InternetGateway,
  NatGateway,
  RouteTable,
  VpcPeeringConnection,
} from "../model/routing.js";

/** The record type stored for each resource kind. */
export interface Records {
  vpc: Vpc;
  subnet: Subnet;
  securityGroup: SecurityGroup;
  networkAcl: NetworkAcl;
  prefixList: PrefixList;
  networkInterface: NetworkInterface;
  instance: Instance;
  fault: Fault;
  internetGateway: InternetGateway;
  egressOnlyInternetGateway: EgressOnlyInternetGateway;
  routeTable: RouteTable;
  address: Address;
  natGateway: NatGateway;
  vpcPeeringConnection: VpcPeeringConnection;
}

/** The routing kinds (docs/routing.md): API state the policy compiler does not read yet. */
const ROUTING_KINDS = [
  "internetGateway",
  "egressOnlyInternetGateway",
  "routeTable",
  "address",
  "natGateway",
  "vpcPeeringConnection",
] as const;

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  "vpc",
  "subnet",
  "securityGroup",
  "networkAcl",
  "prefixList",
  "networkInterface",
  "instance",
  "fault",
  ...ROUTING_KINDS,
];

/** Committed state: one insertion-ordered map per kind. Records are immutable values. */
export type Tables = { readonly [K in ResourceKind]: Map<string, Records[K]> };

export function emptyTables(): Tables {
  return {
    vpc: new Map(),
    subnet: new Map(),
    securityGroup: new Map(),
    networkAcl: new Map(),
    prefixList: new Map(),
    networkInterface: new Map(),
    instance: new Map(),
    fault: new Map(),
    internetGateway: new Map(),
    egressOnlyInternetGateway: new Map(),
    routeTable: new Map(),
    address: new Map(),
    natGateway: new Map(),
    vpcPeeringConnection: new Map(),
  };
}

/** Read access to state (committed, or committed + a transaction's pending writes). */
export interface StateReader {
  get<K extends ResourceKind>(kind: K, id: string): Records[K] | undefined;
  /** Every record of a kind in creation order. */
  list<K extends ResourceKind>(kind: K): Array<Records[K]>;
}

/** A reader over committed tables. */
export function tablesReader(tables: Tables): StateReader {
  return {
    get: (kind, id) => tables[kind].get(id),
    list: (kind) => [...tables[kind].values()],
  };
}

/** Ids one transaction touched, per StateChange field. */
export interface Touched {
  vpcIds: Set<string>;
  subnetIds: Set<string>;
  groupIds: Set<string>;
  networkAclIds: Set<string>;
  prefixListIds: Set<string>;
  eniIds: Set<string>;
  instanceIds: Set<string>;
  faultIds: Set<string>;
  /** Routing records (not part of StateChange: the compiler does not read them yet). */
  routingIds: Set<string>;
}

const TOUCH_FIELD: Readonly<Record<ResourceKind, keyof Touched>> = {
  vpc: "vpcIds",
  subnet: "subnetIds",
  securityGroup: "groupIds",
  networkAcl: "networkAclIds",
  prefixList: "prefixListIds",
  networkInterface: "eniIds",
  instance: "instanceIds",
  fault: "faultIds",
  internetGateway: "routingIds",
  egressOnlyInternetGateway: "routingIds",
  routeTable: "routingIds",
  address: "routingIds",
  natGateway: "routingIds",
  vpcPeeringConnection: "routingIds",
};

/**
 * One mutation's working set: writes are buffered over the committed tables, so a mutation
 * that throws leaves nothing behind (AWS-BEHAVIOUR RULE-12). StateStore commits `writes` to
 * SQLite in one transaction and only then into the committed tables.
 */
export class Transaction implements StateReader {
  readonly writes: { [K in ResourceKind]: Map<string, Records[K] | null> } = emptyTables() as {
    [K in ResourceKind]: Map<string, Records[K] | null>;
  };
  readonly touched: Touched = {
    vpcIds: new Set(),
    subnetIds: new Set(),
    groupIds: new Set(),
    networkAclIds: new Set(),
    prefixListIds: new Set(),
    eniIds: new Set(),
    instanceIds: new Set(),
    faultIds: new Set(),
    routingIds: new Set(),
  };

  constructor(private readonly base: Tables) {}

  get<K extends ResourceKind>(kind: K, id: string): Records[K] | undefined {
    const w = this.writes[kind];
    if (w.has(id)) return w.get(id) ?? undefined;
    return this.base[kind].get(id);
  }

  list<K extends ResourceKind>(kind: K): Array<Records[K]> {
    const w = this.writes[kind] as Map<string, Records[K] | null>;
    const base = this.base[kind] as Map<string, Records[K]>;
    if (w.size === 0) return [...base.values()];
    const out: Array<Records[K]> = [];
    for (const [id, rec] of base) {
      if (!w.has(id)) out.push(rec);
      else {
        const v = w.get(id);
        if (v) out.push(v);
      }
    }
    for (const [id, rec] of w) if (rec && !base.has(id)) out.push(rec);
    return out;
  }

  put<K extends ResourceKind>(kind: K, id: string, rec: Records[K]): void {
    (this.writes[kind] as Map<string, Records[K] | null>).set(id, rec);
    this.touch(kind, id);
  }

  delete(kind: ResourceKind, id: string): void {
    this.writes[kind].set(id, null);
    this.touch(kind, id);
  }

  /** Records `id` as affected without writing it (e.g. the groups of an ENI whose groups change). */
  touch(kind: ResourceKind, id: string): void {
    this.touched[TOUCH_FIELD[kind]].add(id);
  }

  hasWrites(): boolean {
    return RESOURCE_KINDS.some((k) => this.writes[k].size > 0);
  }
}
