/**
 * VPC flow logs (controller/model/flow-log.ts), kept in memory and written through to the
 * `flow_logs` side table (migration 6), so a restarted controller keeps them. Not policy state:
 * no revision bump, the compiler never reads them. One FlowLogStore per StateStore
 * (flowLogStoreOf), shared by the EC2 actions and the controller's flow-log delivery.
 */
import type { Db } from "../db/database.js";
import type { FlowLog } from "../model/flow-log.js";
import type { StateStore } from "./state-store.js";

/** See the module comment. */
export class FlowLogStore {
  private readonly logs = new Map<string, FlowLog>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Db) {
    for (const r of db.prepare("SELECT body FROM flow_logs ORDER BY rowid").all() as Array<{
      body: string;
    }>) {
      const f = JSON.parse(r.body) as FlowLog;
      this.logs.set(f.flowLogId, f);
    }
  }

  /** Every flow log, in creation order. */
  list(): FlowLog[] {
    return [...this.logs.values()];
  }

  get(id: string): FlowLog | undefined {
    return this.logs.get(id);
  }

  /** Stores new flow logs in one transaction. */
  add(logs: readonly FlowLog[]): void {
    const ins = this.db.prepare("INSERT INTO flow_logs (id, body) VALUES (?, ?)");
    this.db.transaction(() => {
      for (const f of logs) ins.run(f.flowLogId, JSON.stringify(f));
    })();
    for (const f of logs) this.logs.set(f.flowLogId, f);
    this.changed();
  }

  /** Replaces stored flow logs (same ids) in one transaction, e.g. with new tags. */
  replace(logs: readonly FlowLog[]): void {
    const upd = this.db.prepare("UPDATE flow_logs SET body = ? WHERE id = ?");
    this.db.transaction(() => {
      for (const f of logs) upd.run(JSON.stringify(f), f.flowLogId);
    })();
    for (const f of logs) if (this.logs.has(f.flowLogId)) this.logs.set(f.flowLogId, f);
    this.changed();
  }

  /** Deletes flow logs by id (ids not stored are ignored). */
  remove(ids: readonly string[]): void {
    const del = this.db.prepare("DELETE FROM flow_logs WHERE id = ?");
    this.db.transaction(() => {
      for (const id of ids) del.run(id);
    })();
    for (const id of ids) this.logs.delete(id);
    this.changed();
  }

  /** Calls `cb` after every add or remove; returns the unsubscribe. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void {
    for (const cb of this.listeners) cb();
  }
}

const STORES = new WeakMap<StateStore, FlowLogStore>();

/** The FlowLogStore over `store`'s database, made on first use. */
export function flowLogStoreOf(store: StateStore): FlowLogStore {
  let s = STORES.get(store);
  if (s === undefined) {
    s = new FlowLogStore(store.sideDatabase());
    STORES.set(store, s);
  }
  return s;
}
