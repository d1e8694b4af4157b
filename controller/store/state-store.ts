import type { Db, ResourceKind } from "../db/database.js";
import { RESOURCE_TABLES, openDatabase } from "../db/database.js";
import type { PolicyState, StagedRulesState, StateChange } from "../policy/policy-state.js";
import type { SgRule, StagedRules } from "../model/security-group.js";
import { controllerError } from "../errors.js";
import { DEFAULT_QUOTAS, type Quotas } from "./quotas.js";
import { awsPrefixListsOf } from "../model/aws-prefix-lists.js";
import { REGIONS } from "../model/regions.js";
import { vpcIpv4Cidrs } from "../model/vpc.js";
import { readRoutingPolicyState } from "./route-policy.js";
import {
  RESOURCE_KINDS,
  Transaction,
  emptyTables,
  tablesReader,
  type Records,
  type StateReader,
  type Tables,
} from "./transaction.js";

export interface StateStoreOptions {
  readonly quotas?: Partial<Quotas>;
}

/** What a mutation function gets: its transaction and the configured quotas. */
export interface OpContext {
  readonly tx: Transaction;
  readonly quotas: Quotas;
  /** ISO-8601 time of this mutation (launch and attach times). */
  readonly now: string;
  /** The revision this mutation commits as, if it writes anything. */
  readonly revision: number;
}

export interface MutateOptions {
  /** AWS-BEHAVIOUR API-5: validate fully, change nothing, raise DryRunOperation (412). */
  readonly dryRun?: boolean;
}

/** The default state path, documented in docs/ec2-api.md: $VPCEMU_STATE or ./.vpcemu/state.db. */
export function defaultStatePath(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  return env["VPCEMU_STATE"] ?? `${cwd}/.vpcemu/state.db`;
}

/**
 * The controller's state: committed records in memory, persisted in SQLite. Every mutation runs
 * against a Transaction overlay, is committed as ONE SQLite transaction that also bumps the
 * persisted revision, and only then becomes visible and is announced to onChange listeners.
 * A mutation that throws (validation, quota, conflict) changes nothing (RULE-12).
 *
 * Lifecycle: open -> mutate/read ... -> close(). Not safe to share one file between processes.
 */
export class StateStore {
  readonly quotas: Quotas;
  private readonly tables: Tables = emptyTables();
  private rev: number;
  private readonly listeners = new Set<(change: StateChange) => void>();
  private policyCache: PolicyState | undefined;
  /** Set while preview() runs: mutations write here instead of committing. */
  private previewTables: Tables | undefined;
  private readonly upserts: Record<
    ResourceKind,
    { run(id: string, parent: string | null, body: string): unknown }
  >;
  private readonly deletes: Record<ResourceKind, { run(id: string): unknown }>;
  private readonly setRevision: { run(rev: string): unknown };

  /** Opens `path` (a file, created with its folder, or ":memory:") and loads its state. */
  static open(path: string, opts: StateStoreOptions = {}): StateStore {
    return new StateStore(openDatabase(path), opts);
  }

  constructor(
    private readonly db: Db,
    opts: StateStoreOptions = {},
  ) {
    this.quotas = { ...DEFAULT_QUOTAS, ...opts.quotas };
    const row = db.prepare("SELECT value FROM meta WHERE key = 'revision'").get() as {
      value: string;
    };
    this.rev = Number(row.value);
    this.setRevision = db.prepare("UPDATE meta SET value = ? WHERE key = 'revision'");
    const upserts: Partial<typeof this.upserts> = {};
    const deletes: Partial<typeof this.deletes> = {};
    for (const kind of RESOURCE_KINDS) {
      const { table, parent } = RESOURCE_TABLES[kind];
      for (const r of db.prepare(`SELECT id, body FROM ${table} ORDER BY rowid`).all() as Array<{
        id: string;
        body: string;
      }>) {
        (this.tables[kind] as Map<string, unknown>).set(r.id, JSON.parse(r.body));
      }
      const upsert =
        parent === undefined
          ? db.prepare(
              `INSERT INTO ${table} (id, body) VALUES (@id, @body) ON CONFLICT(id) DO UPDATE SET body = excluded.body`,
            )
          : db.prepare(
              `INSERT INTO ${table} (id, ${parent}, body) VALUES (@id, @parent, @body)
               ON CONFLICT(id) DO UPDATE SET ${parent} = excluded.${parent}, body = excluded.body`,
            );
      upserts[kind] =
        parent === undefined
          ? { run: (id, _p, body) => upsert.run({ id, body }) }
          : { run: (id, p, body) => upsert.run({ id, parent: p, body }) };
      deletes[kind] = db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    }
    this.upserts = upserts as typeof this.upserts;
    this.deletes = deletes as typeof this.deletes;
  }

  /**
   * A value kept beside the state, not part of it (no revision bump, no change event): the
   * hub's known agents, for instance. JSON-parsed; undefined when never written or unreadable.
   */
  readSideValue(key: string): unknown {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(`side:${key}`) as
      { value: string } | undefined;
    if (row === undefined) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Stores `value` (JSON) under `key` beside the state; see readSideValue. */
  writeSideValue(key: string, value: unknown): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      )
      .run(`side:${key}`, JSON.stringify(value));
  }

  /**
   * The database itself, for another service's side tables (CloudFormation's cfn_* tables,
   * created by migration 2): rows written there are not state (no revision bump, no change
   * event). Callers own their tables and must not touch the resource tables.
   */
  sideDatabase(): Db {
    return this.db;
  }

  /** The persisted revision: 0 for a new database, +1 per committed mutation. */
  revision(): number {
    return this.rev;
  }

  /** Read access to the committed state (records are immutable; do not modify them). */
  reader(): StateReader {
    return tablesReader(this.previewTables ?? this.tables);
  }

  get<K extends ResourceKind>(kind: K, id: string): Records[K] | undefined {
    return (this.previewTables ?? this.tables)[kind].get(id);
  }

  list<K extends ResourceKind>(kind: K): Array<Records[K]> {
    return [...(this.previewTables ?? this.tables)[kind].values()];
  }

  /**
   * Runs `fn` (which may call mutate() any number of times, e.g. an EC2 action handler) against
   * a private copy of the committed state and answers what it returned and the compiler's view
   * of the state it left, as the next revision. Nothing is committed, persisted or announced
   * (`vpcemu whatif`, controller/whatif/). Throws what `fn` throws. Synchronous, so no other
   * request sees the copy. Not reentrant.
   */
  preview<R>(fn: () => R): { readonly result: R; readonly state: PolicyState } {
    if (this.previewTables !== undefined) throw new Error("StateStore.preview is not reentrant");
    const copy = emptyTables();
    for (const kind of RESOURCE_KINDS) {
      const from = this.tables[kind] as Map<string, unknown>;
      const to = copy[kind] as Map<string, unknown>;
      for (const [id, rec] of from) to.set(id, rec);
    }
    this.previewTables = copy;
    try {
      const result = fn();
      return { result, state: this.readPolicyState() };
    } finally {
      this.previewTables = undefined;
    }
  }

  /**
   * Runs `fn` against a new transaction and commits what it wrote as one SQLite transaction
   * (revision + 1). Throws what `fn` throws, with nothing changed. With `dryRun`, `fn` runs in
   * full and then DryRunOperation is thrown; nothing is written.
   */
  mutate<R>(fn: (ctx: OpContext) => R, opts: MutateOptions = {}): R {
    const preview = this.previewTables;
    const tx = new Transaction(preview ?? this.tables);
    const result = fn({
      tx,
      quotas: this.quotas,
      now: new Date().toISOString(),
      revision: this.rev + 1,
    });
    if (opts.dryRun === true) throw controllerError("EMU_ERR_REQ_DRY_RUN");
    if (!tx.hasWrites()) return result;
    if (preview !== undefined) {
      for (const kind of RESOURCE_KINDS) {
        const table = preview[kind] as Map<string, unknown>;
        for (const [id, rec] of tx.writes[kind]) {
          if (rec === null) table.delete(id);
          else table.set(id, rec);
        }
      }
      return result;
    }
    const next = this.rev + 1;
    this.db.transaction(() => {
      for (const kind of RESOURCE_KINDS) {
        for (const [id, rec] of tx.writes[kind]) {
          if (rec === null) this.deletes[kind].run(id);
          else this.upserts[kind].run(id, parentOf(kind, rec), JSON.stringify(rec));
        }
      }
      this.setRevision.run(String(next));
    })();
    for (const kind of RESOURCE_KINDS) {
      const table = this.tables[kind] as Map<string, unknown>;
      for (const [id, rec] of tx.writes[kind]) {
        if (rec === null) table.delete(id);
        else table.set(id, rec);
      }
    }
    this.rev = next;
    this.policyCache = undefined;
    const t = tx.touched;
    const change: StateChange = {
      revision: next,
      vpcIds: [...t.vpcIds],
      subnetIds: [...t.subnetIds],
      groupIds: [...t.groupIds],
      networkAclIds: [...t.networkAclIds],
      prefixListIds: [...t.prefixListIds],
      eniIds: [...t.eniIds],
      instanceIds: [...t.instanceIds],
      ...(t.faultIds.size > 0 ? { faultIds: [...t.faultIds] } : {}),
    };
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // Why: a listener's failure must not turn a committed write into an API error.
      }
    }
    return result;
  }

  /** Calls `listener` after every commit with what it touched; returns the unsubscribe. */
  onChange(listener: (change: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The compiler's view of the committed state at the current revision (cached per revision). */
  readPolicyState(): PolicyState {
    // Why: inside preview() the state is the copy's, as the next revision, and never cached.
    const preview = this.previewTables;
    if (preview === undefined && this.policyCache !== undefined) return this.policyCache;
    const t = preview ?? this.tables;
    const routing = readRoutingPolicyState(tablesReader(t));
    const state: PolicyState = {
      revision: preview === undefined ? this.rev : this.rev + 1,
      vpcs: [...t.vpc.values()].map((v) => ({
        vpcId: v.vpcId,
        cidrBlocks: vpcIpv4Cidrs(v),
        ipv6CidrBlocks: v.ipv6CidrBlock === undefined ? [] : [v.ipv6CidrBlock],
      })),
      subnets: [...t.subnet.values()].map((s) => ({
        subnetId: s.subnetId,
        vpcId: s.vpcId,
        cidrBlock: s.cidrBlock,
        ...(s.ipv6CidrBlock === undefined ? {} : { ipv6CidrBlock: s.ipv6CidrBlock }),
        networkAclId: s.networkAclId,
        availabilityZone: s.availabilityZone,
        ...(routing.subnetTables.has(s.subnetId)
          ? { routeTableId: routing.subnetTables.get(s.subnetId) }
          : {}),
      })),
      securityGroups: [...t.securityGroup.values()].map((g) => ({
        groupId: g.groupId,
        vpcId: g.vpcId,
        groupName: g.groupName,
        rules: g.rules.map(({ tags: _tags, ...r }) => ({ ...r, groupId: g.groupId })),
        ...(g.staged === undefined ? {} : { staged: stagedState(g.staged, g.groupId) }),
      })),
      networkAcls: [...t.networkAcl.values()].map((n) => ({
        networkAclId: n.networkAclId,
        vpcId: n.vpcId,
        isDefault: n.isDefault,
        entries: n.entries,
      })),
      // AWS-managed lists (S3, DynamoDB) of every region, then the customer-managed ones.
      prefixLists: [
        ...[...REGIONS.keys()].flatMap((region) =>
          awsPrefixListsOf(region).map((p) => ({
            prefixListId: p.prefixListId,
            addressFamily: "IPv4" as const,
            maxEntries: Math.max(1, p.cidrs.length),
            cidrs: p.cidrs,
          })),
        ),
        ...[...t.prefixList.values()].map((p) => ({
          prefixListId: p.prefixListId,
          addressFamily: p.addressFamily,
          maxEntries: p.maxEntries,
          cidrs: p.entries.map((e) => e.cidr),
        })),
      ],
      networkInterfaces: [...t.networkInterface.values()].map((e) => ({
        eniId: e.eniId,
        subnetId: e.subnetId,
        vpcId: e.vpcId,
        ...(e.attachment === undefined ? {} : { instanceId: e.attachment.instanceId }),
        privateIpv4: e.privateIps,
        ipv6: e.ipv6,
        groupIds: e.groupIds,
        sourceDestCheck: e.sourceDestCheck,
        ...(e.staged === undefined ? {} : { staged: stagedState(e.staged, e.eniId) }),
        ...(e.tcpEstablishedTimeout === undefined
          ? {}
          : { tcpEstablishedTimeout: e.tcpEstablishedTimeout }),
        ...(e.udpTimeout === undefined ? {} : { udpTimeout: e.udpTimeout }),
        ...(e.udpStreamTimeout === undefined ? {} : { udpStreamTimeout: e.udpStreamTimeout }),
        ...(routing.publicIpv4.has(e.eniId) ? { publicIpv4: routing.publicIpv4.get(e.eniId) } : {}),
      })),
      // Why: terminated instances stay visible to DescribeInstances but own no ENI any more.
      instances: [...t.instance.values()]
        .filter((i) => i.state !== "terminated" && i.eniIds[0] !== undefined)
        .map((i) => ({
          instanceId: i.instanceId,
          subnetId: i.subnetId,
          vpcId: i.vpcId,
          state: i.state,
          primaryEniId: i.eniIds[0] ?? "",
          tags: i.tags,
          ...(i.stateRevision === undefined ? {} : { stateRevision: i.stateRevision }),
        })),
      ...(t.fault.size > 0 ? { faults: [...t.fault.values()] } : {}),
      routeTables: routing.routeTables,
      ...(routing.peerings.length > 0 ? { peerings: routing.peerings } : {}),
      ...(routing.natGateways.length > 0 ? { natGateways: routing.natGateways } : {}),
    };
    if (preview === undefined) this.policyCache = state;
    return state;
  }

  /** Closes the database; the store must not be used afterwards. */
  close(): void {
    this.db.close();
  }
}

/** Audit mode's staged rules as the compiler reads them; `owner` is the group or ENI id. */
function stagedState(s: StagedRules, owner: string): StagedRulesState {
  const of = (rules: readonly SgRule[]) =>
    rules.map(({ tags: _tags, ...r }) => ({ ...r, groupId: owner }));
  return {
    ...(s.ingress === undefined ? {} : { ingress: of(s.ingress) }),
    ...(s.egress === undefined ? {} : { egress: of(s.egress) }),
  };
}

function parentOf(kind: ResourceKind, rec: Records[ResourceKind]): string | null {
  if (
    kind === "subnet" ||
    kind === "securityGroup" ||
    kind === "networkAcl" ||
    kind === "routeTable"
  )
    return (rec as { vpcId: string }).vpcId;
  if (kind === "networkInterface") return (rec as { subnetId: string }).subnetId;
  return null;
}
