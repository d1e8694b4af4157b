/**
 * FIS experiment templates and experiments, kept in memory and written through to the
 * controller's SQLite database (side tables of migration 4: fis_templates, fis_experiments), so
 * a restarted controller keeps them and can roll back what a running experiment changed.
 * Not policy state: no revision bump.
 */
import type { Db } from "../db/database.js";

export interface FisTag {
  readonly [key: string]: string;
}

export interface TargetSpec {
  readonly resourceType: string;
  readonly resourceArns?: readonly string[];
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly filters?: ReadonlyArray<{ readonly path: string; readonly values: readonly string[] }>;
  readonly selectionMode: string;
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface ActionSpec {
  readonly actionId: string;
  readonly description?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly targets?: Readonly<Record<string, string>>;
  readonly startAfter?: readonly string[];
}

export interface StopConditionSpec {
  readonly source: string;
  readonly value?: string;
}

export interface TemplateRecord {
  readonly id: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly description: string;
  readonly roleArn: string;
  readonly targets: Readonly<Record<string, TargetSpec>>;
  readonly actions: Readonly<Record<string, ActionSpec>>;
  readonly stopConditions: readonly StopConditionSpec[];
  readonly tags: FisTag;
  readonly experimentOptions?: unknown;
  readonly logConfiguration?: unknown;
  /** Epoch ms. */
  readonly creationTime: number;
  readonly lastUpdateTime: number;
}

export type ExperimentStatus =
  "pending" | "initiating" | "running" | "completed" | "stopping" | "stopped" | "failed";

export type ActionStatus =
  | "pending"
  | "initiating"
  | "running"
  | "completed"
  | "cancelled"
  | "stopping"
  | "stopped"
  | "failed"
  | "skipped";

export interface ActionRun extends ActionSpec {
  state: { status: ActionStatus; reason: string };
  startTime?: number;
  endTime?: number;
}

/** What an action changed, so it can be undone (also after a restart). */
export type Undo =
  | {
      readonly kind: "nacl";
      readonly action: string;
      readonly subnetId: string;
      readonly originalAclId: string;
      readonly cloneAclId: string;
      /** The association id after the swap (the subnet's, to swap back). */
      readonly associationId: string;
    }
  | { readonly kind: "start-instances"; readonly action: string; readonly instanceIds: string[] }
  | { readonly kind: "faults"; readonly action: string; readonly faultIds: string[] };

export interface ExperimentRecord {
  readonly id: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly experimentTemplateId: string;
  readonly roleArn: string;
  state: { status: ExperimentStatus; reason: string };
  readonly targets: Readonly<Record<string, TargetSpec>>;
  readonly actions: Record<string, ActionRun>;
  readonly stopConditions: readonly StopConditionSpec[];
  tags: FisTag;
  readonly experimentOptions?: unknown;
  readonly creationTime: number;
  startTime?: number;
  endTime?: number;
  /** The seed of COUNT/PERCENT choices. */
  readonly seed: number;
  /** Target key -> resource ids chosen. */
  resolvedTargets: Record<string, string[]>;
  /** Effects still in place, undone in reverse order. */
  undo: Undo[];
}

export class FisStore {
  private readonly templates = new Map<string, TemplateRecord>();
  private readonly experiments = new Map<string, ExperimentRecord>();

  constructor(private readonly db: Db) {
    for (const r of db.prepare("SELECT body FROM fis_templates ORDER BY rowid").all() as Array<{
      body: string;
    }>) {
      const t = JSON.parse(r.body) as TemplateRecord;
      this.templates.set(t.id, t);
    }
    for (const r of db.prepare("SELECT body FROM fis_experiments ORDER BY rowid").all() as Array<{
      body: string;
    }>) {
      const e = JSON.parse(r.body) as ExperimentRecord;
      this.experiments.set(e.id, e);
    }
  }

  template(id: string): TemplateRecord | undefined {
    return this.templates.get(id);
  }
  templateList(): TemplateRecord[] {
    return [...this.templates.values()];
  }
  putTemplate(t: TemplateRecord): void {
    this.templates.set(t.id, t);
    this.db
      .prepare(
        "INSERT INTO fis_templates (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
      )
      .run(t.id, JSON.stringify(t));
  }
  deleteTemplate(id: string): void {
    this.templates.delete(id);
    this.db.prepare("DELETE FROM fis_templates WHERE id = ?").run(id);
  }

  experiment(id: string): ExperimentRecord | undefined {
    return this.experiments.get(id);
  }
  experimentList(): ExperimentRecord[] {
    return [...this.experiments.values()];
  }
  /** Writes the (mutable) record through; call after every change. */
  saveExperiment(e: ExperimentRecord): void {
    this.experiments.set(e.id, e);
    this.db
      .prepare(
        "INSERT INTO fis_experiments (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
      )
      .run(e.id, JSON.stringify(e));
  }
}
