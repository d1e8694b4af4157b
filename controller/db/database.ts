import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type Db = Database.Database;

/** One schema step. Append only: never edit or reorder a released migration. */
interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Resources are rows keyed by their AWS id; `body` holds the resource record (model/*.ts) as
 * JSON, and the columns the database must relate (owning VPC, subnet) are real columns with
 * deferred foreign keys, checked when a mutation's transaction commits. Rows keep insertion
 * order through rowid, which Describe* answers follow. SG rules live inside their group's body
 * (they are always read and written with the group).
 */
const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "initial resources",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta (key, value) VALUES ('revision', '0');
      CREATE TABLE vpcs (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE subnets (
        id TEXT PRIMARY KEY,
        vpc_id TEXT NOT NULL REFERENCES vpcs(id) DEFERRABLE INITIALLY DEFERRED,
        body TEXT NOT NULL);
      CREATE TABLE security_groups (
        id TEXT PRIMARY KEY,
        vpc_id TEXT NOT NULL REFERENCES vpcs(id) DEFERRABLE INITIALLY DEFERRED,
        body TEXT NOT NULL);
      CREATE TABLE network_acls (
        id TEXT PRIMARY KEY,
        vpc_id TEXT NOT NULL REFERENCES vpcs(id) DEFERRABLE INITIALLY DEFERRED,
        body TEXT NOT NULL);
      CREATE TABLE prefix_lists (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE network_interfaces (
        id TEXT PRIMARY KEY,
        subnet_id TEXT NOT NULL REFERENCES subnets(id) DEFERRABLE INITIALLY DEFERRED,
        body TEXT NOT NULL);
      CREATE TABLE instances (id TEXT PRIMARY KEY, body TEXT NOT NULL);
    `,
  },
  {
    // CloudFormation (controller/cloudformation/stack-store.ts): side tables, not policy state.
    id: 2,
    name: "cloudformation stacks, events, change sets",
    sql: `
      CREATE TABLE cfn_stacks (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE cfn_stack_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        stack_id TEXT NOT NULL,
        body TEXT NOT NULL);
      CREATE INDEX cfn_stack_events_stack ON cfn_stack_events (stack_id, seq);
      CREATE TABLE cfn_change_sets (id TEXT PRIMARY KEY, stack_id TEXT NOT NULL, body TEXT NOT NULL);
    `,
  },
  {
    // Chaos faults (controller/model/fault.ts): state like the resources (revision, compile).
    id: 3,
    name: "chaos faults",
    sql: `CREATE TABLE faults (id TEXT PRIMARY KEY, body TEXT NOT NULL);`,
  },
  {
    // AWS FIS (controller/fis/fis-store.ts): side tables, not policy state.
    id: 4,
    name: "fis experiment templates and experiments",
    sql: `
      CREATE TABLE fis_templates (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE fis_experiments (id TEXT PRIMARY KEY, body TEXT NOT NULL);
    `,
  },
  {
    // Routing (controller/model/routing.ts, docs/routing.md): state like the resources.
    id: 5,
    name: "internet gateways, route tables, addresses, nat gateways, vpc peering",
    sql: `
      CREATE TABLE internet_gateways (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE egress_only_internet_gateways (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE route_tables (
        id TEXT PRIMARY KEY,
        vpc_id TEXT NOT NULL REFERENCES vpcs(id) DEFERRABLE INITIALLY DEFERRED,
        body TEXT NOT NULL);
      CREATE TABLE addresses (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE nat_gateways (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE vpc_peering_connections (id TEXT PRIMARY KEY, body TEXT NOT NULL);
    `,
  },
  {
    // VPC flow logs (controller/store/flow-log-ops.ts): a side table, not policy state.
    id: 6,
    name: "flow logs",
    sql: `CREATE TABLE flow_logs (id TEXT PRIMARY KEY, body TEXT NOT NULL);`,
  },
  {
    // Reachability analysis on the EC2 API (controller/ec2/network-insights.ts): side tables,
    // not policy state.
    id: 7,
    name: "network insights paths and analyses",
    sql: `
      CREATE TABLE network_insights_paths (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE network_insights_analyses (id TEXT PRIMARY KEY, body TEXT NOT NULL);
    `,
  },
];

/** Table of each resource kind, and the column (if any) naming its parent. */
export const RESOURCE_TABLES = {
  vpc: { table: "vpcs", parent: undefined },
  subnet: { table: "subnets", parent: "vpc_id" },
  securityGroup: { table: "security_groups", parent: "vpc_id" },
  networkAcl: { table: "network_acls", parent: "vpc_id" },
  prefixList: { table: "prefix_lists", parent: undefined },
  networkInterface: { table: "network_interfaces", parent: "subnet_id" },
  instance: { table: "instances", parent: undefined },
  fault: { table: "faults", parent: undefined },
  internetGateway: { table: "internet_gateways", parent: undefined },
  egressOnlyInternetGateway: { table: "egress_only_internet_gateways", parent: undefined },
  routeTable: { table: "route_tables", parent: "vpc_id" },
  address: { table: "addresses", parent: undefined },
  natGateway: { table: "nat_gateways", parent: undefined },
  vpcPeeringConnection: { table: "vpc_peering_connections", parent: undefined },
} as const;
export type ResourceKind = keyof typeof RESOURCE_TABLES;

/**
 * Opens (creating if needed) the state database at `path` or in memory (":memory:"), and
 * applies pending migrations. WAL with synchronous=FULL: a transaction that has returned is on
 * disk, so an acknowledged write survives SIGKILL and power loss of the process. Foreign keys on.
 */
export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    db
      .prepare("SELECT id FROM migrations")
      .all()
      .map((r) => (r as { id: number }).id),
  );
  for (const m of MIGRATIONS) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)").run(
        m.id,
        m.name,
        new Date().toISOString(),
      );
    })();
  }
}

/** The migrations applied to `db`, in order (for tests and diagnostics). */
export function appliedMigrations(db: Db): number[] {
  return db
    .prepare("SELECT id FROM migrations ORDER BY id")
    .all()
    .map((r) => (r as { id: number }).id);
}
