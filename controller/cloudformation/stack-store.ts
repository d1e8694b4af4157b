/**
 * CloudFormation's records (stacks with their resources and outputs, stack events, change sets)
 * kept in memory and written through to the controller's SQLite database (side tables of
 * migration 2: cfn_stacks, cfn_stack_events, cfn_change_sets), so a restarted controller keeps
 * every stack, its events and its change sets (AWS-BEHAVIOUR CFN-28). Not policy state: no
 * revision bump.
 */
import type { Db } from "../db/database.js";

export type StackStatus =
  | "CREATE_IN_PROGRESS"
  | "CREATE_FAILED"
  | "CREATE_COMPLETE"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_FAILED"
  | "ROLLBACK_COMPLETE"
  | "DELETE_IN_PROGRESS"
  | "DELETE_FAILED"
  | "DELETE_COMPLETE"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
  | "UPDATE_COMPLETE"
  | "UPDATE_FAILED"
  | "UPDATE_ROLLBACK_IN_PROGRESS"
  | "UPDATE_ROLLBACK_FAILED"
  | "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
  | "UPDATE_ROLLBACK_COMPLETE"
  | "REVIEW_IN_PROGRESS";

export type ResourceStatus =
  | "CREATE_IN_PROGRESS"
  | "CREATE_FAILED"
  | "CREATE_COMPLETE"
  | "DELETE_IN_PROGRESS"
  | "DELETE_FAILED"
  | "DELETE_COMPLETE"
  | "DELETE_SKIPPED"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_FAILED"
  | "UPDATE_COMPLETE";

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface StackResourceRecord {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly ref?: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The resolved properties it was created or last updated with. */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly status: ResourceStatus;
  readonly statusReason?: string;
  readonly timestamp: string;
  readonly deletionPolicy: "Delete" | "Retain";
}

export interface StackParameter {
  readonly key: string;
  readonly value: string;
  readonly noEcho: boolean;
}

export interface StackOutput {
  readonly key: string;
  readonly value: string;
  readonly description?: string;
  readonly exportName?: string;
}

export interface StackRecord {
  readonly stackId: string;
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
  readonly status: StackStatus;
  readonly statusReason?: string;
  readonly creationTime: string;
  readonly lastUpdatedTime?: string;
  readonly deletionTime?: string;
  readonly description?: string;
  readonly templateBody: string;
  readonly parameters: readonly StackParameter[];
  readonly tags: readonly Tag[];
  readonly capabilities: readonly string[];
  readonly notificationArns: readonly string[];
  readonly disableRollback: boolean;
  readonly terminationProtection: boolean;
  readonly timeoutInMinutes?: number;
  readonly outputs: readonly StackOutput[];
  /** In creation order; deleted resources are removed. */
  readonly resources: readonly StackResourceRecord[];
  readonly changeSetId?: string;
}

export interface StackEvent {
  readonly eventId: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly physicalId: string;
  readonly resourceType: string;
  readonly timestamp: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly properties?: string;
  readonly clientRequestToken?: string;
}

export interface ResourceChange {
  readonly action: "Add" | "Modify" | "Remove";
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly resourceType: string;
  readonly replacement?: "True" | "False" | "Conditional";
  readonly scope: readonly string[];
  readonly details: ReadonlyArray<{ readonly name: string; readonly requiresRecreation: string }>;
}

export interface ChangeSetRecord {
  readonly changeSetId: string;
  readonly changeSetName: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly changeSetType: "CREATE" | "UPDATE";
  readonly status:
    "CREATE_PENDING" | "CREATE_IN_PROGRESS" | "CREATE_COMPLETE" | "FAILED" | "DELETE_COMPLETE";
  readonly statusReason?: string;
  readonly executionStatus:
    | "UNAVAILABLE"
    | "AVAILABLE"
    | "EXECUTE_IN_PROGRESS"
    | "EXECUTE_COMPLETE"
    | "EXECUTE_FAILED"
    | "OBSOLETE";
  readonly creationTime: string;
  readonly description?: string;
  readonly templateBody: string;
  readonly parameters: readonly StackParameter[];
  readonly tags: readonly Tag[];
  readonly capabilities: readonly string[];
  readonly notificationArns: readonly string[];
  readonly changes: readonly ResourceChange[];
}

/** Stacks, events and change sets: memory plus write-through SQLite. */
export class StackStore {
  private readonly stacks = new Map<string, StackRecord>();
  private readonly events = new Map<string, StackEvent[]>();
  private readonly changeSets = new Map<string, ChangeSetRecord>();
  private readonly putStackStmt;
  private readonly putEventStmt;
  private readonly putChangeSetStmt;
  private readonly deleteChangeSetStmt;

  constructor(private readonly db: Db) {
    for (const r of db.prepare("SELECT body FROM cfn_stacks ORDER BY rowid").all() as Array<{
      body: string;
    }>) {
      const s = JSON.parse(r.body) as StackRecord;
      this.stacks.set(s.stackId, s);
    }
    for (const r of db
      .prepare("SELECT stack_id, body FROM cfn_stack_events ORDER BY seq")
      .all() as Array<{ stack_id: string; body: string }>) {
      const list = this.events.get(r.stack_id) ?? [];
      list.push(JSON.parse(r.body) as StackEvent);
      this.events.set(r.stack_id, list);
    }
    for (const r of db.prepare("SELECT body FROM cfn_change_sets ORDER BY rowid").all() as Array<{
      body: string;
    }>) {
      const c = JSON.parse(r.body) as ChangeSetRecord;
      this.changeSets.set(c.changeSetId, c);
    }
    this.putStackStmt = db.prepare(
      "INSERT INTO cfn_stacks (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
    );
    this.putEventStmt = db.prepare("INSERT INTO cfn_stack_events (stack_id, body) VALUES (?, ?)");
    this.putChangeSetStmt = db.prepare(
      "INSERT INTO cfn_change_sets (id, stack_id, body) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
    );
    this.deleteChangeSetStmt = db.prepare("DELETE FROM cfn_change_sets WHERE id = ?");
  }

  /** Every stack, deleted ones included, in creation order. */
  allStacks(): StackRecord[] {
    return [...this.stacks.values()];
  }

  stack(stackId: string): StackRecord | undefined {
    return this.stacks.get(stackId);
  }

  putStack(s: StackRecord): StackRecord {
    this.putStackStmt.run(s.stackId, JSON.stringify(s));
    this.stacks.set(s.stackId, s);
    return s;
  }

  /** Events of a stack, oldest first. */
  stackEvents(stackId: string): readonly StackEvent[] {
    return this.events.get(stackId) ?? [];
  }

  addEvent(e: StackEvent): void {
    this.putEventStmt.run(e.stackId, JSON.stringify(e));
    const list = this.events.get(e.stackId) ?? [];
    list.push(e);
    this.events.set(e.stackId, list);
  }

  changeSet(id: string): ChangeSetRecord | undefined {
    return this.changeSets.get(id);
  }

  changeSetsOf(stackId: string): ChangeSetRecord[] {
    return [...this.changeSets.values()].filter((c) => c.stackId === stackId);
  }

  putChangeSet(c: ChangeSetRecord): ChangeSetRecord {
    this.putChangeSetStmt.run(c.changeSetId, c.stackId, JSON.stringify(c));
    this.changeSets.set(c.changeSetId, c);
    return c;
  }

  deleteChangeSet(id: string): void {
    this.deleteChangeSetStmt.run(id);
    this.changeSets.delete(id);
  }
}
