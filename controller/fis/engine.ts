/**
 * The FIS engine (docs/fis.md): experiment templates (validated as FIS validates them),
 * experiments and their lifecycle, and the actions, which act on real state:
 *
 *   StartExperiment -> pending -> initiating (targets resolved, stop conditions checked)
 *     -> running (actions start when every startAfter action completed)
 *     -> completed | stopped (StopExperiment, a stop-condition alarm) | failed
 *
 * Every effect is done through EC2 in process (inProcessEc2: the same validation and records
 * as an `aws ec2` call, so agents enforce it like any change) or the chaos fault service, and
 * recorded in the experiment's `undo` list before the next step, so a stop, a failure or a
 * controller restart (start() -> recover) undoes it: no cloned NACL and no stopped instance
 * is left behind.
 */
import { randomInt, randomBytes } from "node:crypto";
import type { Caller } from "../cloudformation/ec2-invoke.js";
import { inProcessEc2, type Ec2Invoke } from "../cloudformation/ec2-invoke.js";
import type { FaultService } from "../hub/fault-service.js";
import type { StateStore } from "../store/state-store.js";
import type { AlarmRegistry } from "./alarms.js";
import {
  actionDef,
  checkDuration,
  parseIsoDuration,
  parseSelectionMode,
  ssmDocumentOf,
  type SsmDocument,
} from "./catalog.js";
import { FisError } from "./fis-errors.js";
import { userText } from "../user-text.js";
import type {
  ActionRun,
  ActionSpec,
  ExperimentRecord,
  FisStore,
  StopConditionSpec,
  TargetSpec,
  TemplateRecord,
  Undo,
} from "./fis-store.js";

export interface FisEngineDeps {
  readonly store: StateStore;
  readonly fis: FisStore;
  readonly faults: FaultService;
  readonly alarms: AlarmRegistry;
  /** Real ms per FIS ms (tests run PT1M actions in a fraction of a minute); default 1. */
  readonly timeScale?: number;
  readonly log: (line: string) => void;
}

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function fisId(prefix: string): string {
  const b = randomBytes(14);
  let s = prefix;
  for (const x of b) s += ID_CHARS[x % ID_CHARS.length];
  return s;
}

const TERMINAL = new Set(["completed", "stopped", "failed"]);
const ALARM_ARN_RE = /^arn:aws:cloudwatch:[a-z0-9-]+:\d{12}:alarm:(.+)$/;

function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
/**
 * An empty map for keys that are user strings (target keys, action names): no prototype, so
 * `__proto__` is stored as a key and `constructor` finds nothing.
 */
function userMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
function invalid(message: string): FisError {
  return new FisError("ValidationException", message);
}
function strMap(what: string, v: unknown): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!obj(v)) throw invalid(`${what} must be a map of strings.`);
  for (const [k, x] of Object.entries(v))
    if (typeof x !== "string") throw invalid(`${what}.${k} must be a string.`);
  return v as Record<string, string>;
}

/** mulberry32: the seeded choice of COUNT/PERCENT targets. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FisEngine {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private unsubscribe: (() => void) | undefined;
  private readonly scale: number;

  constructor(private readonly deps: FisEngineDeps) {
    this.scale = deps.timeScale ?? 1;
  }

  /** Rolls back what an interrupted run left (controller restart), then watches alarms. */
  start(): void {
    for (const e of this.deps.fis.experimentList()) {
      if (TERMINAL.has(e.state.status)) continue;
      this.rollback(e, "failed", "Experiment failed: the controller restarted while it ran.");
    }
    this.unsubscribe = this.deps.alarms.onChange((a) => {
      if (a.state !== "ALARM") return;
      for (const e of this.deps.fis.experimentList()) {
        if (TERMINAL.has(e.state.status) || e.state.status === "stopping") continue;
        if (this.alarmNames(e.stopConditions).includes(a.name))
          this.rollback(
            e,
            "stopped",
            `Experiment stopped: stop condition ${this.alarmArn(e, a.name)} is in ALARM state.`,
          );
      }
    });
  }

  close(): void {
    this.unsubscribe?.();
    for (const ts of this.timers.values()) for (const t of ts) clearTimeout(t);
    this.timers.clear();
  }

  // ---------------------------------------------------------------- templates

  createTemplate(caller: Caller, body: unknown): TemplateRecord {
    if (!obj(body)) throw invalid("The request body must be a JSON object.");
    const spec = this.checkTemplate(body, true);
    const now = Date.now();
    const id = fisId("EXT");
    const t: TemplateRecord = {
      ...spec,
      id,
      arn: `arn:aws:fis:${caller.region}:${caller.accountId}:experiment-template/${id}`,
      accountId: caller.accountId,
      region: caller.region,
      tags: strMap("tags", body["tags"]) ?? {},
      creationTime: now,
      lastUpdateTime: now,
    };
    this.deps.fis.putTemplate(t);
    return t;
  }

  template(caller: Caller, id: string): TemplateRecord {
    const t = this.deps.fis.template(id);
    if (t === undefined || t.accountId !== caller.accountId || t.region !== caller.region)
      throw new FisError("ResourceNotFoundException", `Experiment template ${id} not found.`);
    return t;
  }

  templates(caller: Caller): TemplateRecord[] {
    return this.deps.fis
      .templateList()
      .filter((t) => t.accountId === caller.accountId && t.region === caller.region);
  }

  updateTemplate(caller: Caller, id: string, body: unknown): TemplateRecord {
    const old = this.template(caller, id);
    if (!obj(body)) throw invalid("The request body must be a JSON object.");
    const merged: Record<string, unknown> = {
      description: body["description"] ?? old.description,
      roleArn: body["roleArn"] ?? old.roleArn,
      stopConditions: body["stopConditions"] ?? old.stopConditions,
      experimentOptions: body["experimentOptions"] ?? old.experimentOptions,
      logConfiguration: body["logConfiguration"] ?? old.logConfiguration,
      targets: obj(body["targets"]) ? { ...old.targets, ...body["targets"] } : old.targets,
      actions: obj(body["actions"]) ? { ...old.actions, ...body["actions"] } : old.actions,
    };
    // Entries are replaced by key; `"name": null` removes an action or target (vpcemu's way).
    for (const k of ["targets", "actions"] as const) {
      const m = merged[k] as Record<string, unknown>;
      for (const [name, v] of Object.entries(m)) if (v === null) delete m[name];
    }
    const spec = this.checkTemplate(merged, false);
    const t: TemplateRecord = { ...old, ...spec, lastUpdateTime: Date.now() };
    this.deps.fis.putTemplate(t);
    return t;
  }

  deleteTemplate(caller: Caller, id: string): TemplateRecord {
    const t = this.template(caller, id);
    this.deps.fis.deleteTemplate(id);
    return t;
  }

  private checkTemplate(
    body: Record<string, unknown>,
    create: boolean,
  ): Pick<
    TemplateRecord,
    | "description"
    | "roleArn"
    | "targets"
    | "actions"
    | "stopConditions"
    | "experimentOptions"
    | "logConfiguration"
  > {
    const description = body["description"];
    if (typeof description !== "string" || description === "")
      throw invalid("description is required.");
    const roleArn = body["roleArn"];
    if (typeof roleArn !== "string" || roleArn === "") throw invalid("roleArn is required.");
    const targetsIn = body["targets"] ?? {};
    if (!obj(targetsIn)) throw invalid("targets must be a map.");
    const targets = userMap<TargetSpec>();
    for (const [key, t] of Object.entries(targetsIn)) targets[key] = this.checkTarget(key, t);
    const actionsIn = body["actions"];
    if (!obj(actionsIn) || Object.keys(actionsIn).length === 0)
      throw invalid("actions is required: at least one action.");
    const actions = userMap<ActionSpec>();
    for (const [name, a] of Object.entries(actionsIn))
      actions[name] = this.checkAction(name, a, targets);
    for (const [name, a] of Object.entries(actions))
      for (const after of a.startAfter ?? [])
        if (!Object.hasOwn(actions, after))
          throw invalid(
            `Action ${name} has startAfter ${after}, which is not an action of the template.`,
          );
    this.checkNoCycle(actions);
    const scIn = body["stopConditions"];
    if (create && scIn === undefined) throw invalid("stopConditions is required.");
    if (!Array.isArray(scIn)) throw invalid("stopConditions must be a list.");
    const stopConditions: StopConditionSpec[] = scIn.map((s: unknown) => {
      if (!obj(s)) throw invalid("A stop condition must be an object {source, value}.");
      const source = s["source"];
      const value = s["value"];
      if (source === "none") return { source };
      if (source === "aws:cloudwatch:alarm") {
        if (typeof value !== "string" || !ALARM_ARN_RE.test(value))
          throw invalid(
            `Invalid stop condition value '${userText(value)}': expected a CloudWatch alarm ARN arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME.`,
          );
        return { source, value };
      }
      throw invalid(
        `Invalid stop condition source '${userText(source)}': expected none or aws:cloudwatch:alarm.`,
      );
    });
    return {
      description,
      roleArn,
      targets,
      actions,
      stopConditions,
      ...(body["experimentOptions"] !== undefined
        ? { experimentOptions: body["experimentOptions"] }
        : {}),
      ...(body["logConfiguration"] !== undefined
        ? { logConfiguration: body["logConfiguration"] }
        : {}),
    };
  }

  private checkTarget(key: string, t: unknown): TargetSpec {
    if (!obj(t)) throw invalid(`Target ${key} must be an object.`);
    const resourceType = t["resourceType"];
    if (resourceType !== "aws:ec2:instance" && resourceType !== "aws:ec2:subnet")
      throw invalid(
        `Target ${key}: resource type '${userText(resourceType)}' is not supported (aws:ec2:instance, aws:ec2:subnet).`,
      );
    const selectionMode = t["selectionMode"];
    if (typeof selectionMode !== "string")
      throw invalid(`Target ${key}: selectionMode is required.`);
    parseSelectionMode(selectionMode);
    const arns = t["resourceArns"];
    const tags = strMap(`Target ${key} resourceTags`, t["resourceTags"]);
    if (arns !== undefined && (!Array.isArray(arns) || arns.some((a) => typeof a !== "string")))
      throw invalid(`Target ${key}: resourceArns must be a list of ARNs.`);
    if (arns !== undefined && tags !== undefined)
      throw invalid(`Target ${key}: specify resourceArns or resourceTags, not both.`);
    if (arns === undefined && tags === undefined)
      throw invalid(`Target ${key}: specify resourceArns or resourceTags.`);
    const kind = resourceType === "aws:ec2:instance" ? "instance" : "subnet";
    for (const a of (arns as string[] | undefined) ?? [])
      if (
        !new RegExp(
          `^arn:aws:ec2:[a-z0-9-]+:\\d{12}:${kind}/${kind === "instance" ? "i" : "subnet"}-[0-9a-f]+$`,
        ).test(a)
      )
        throw invalid(`Target ${key}: '${a}' is not an ARN of resource type ${resourceType}.`);
    const filtersIn = t["filters"];
    let filters: TargetSpec["filters"];
    if (filtersIn !== undefined) {
      if (!Array.isArray(filtersIn)) throw invalid(`Target ${key}: filters must be a list.`);
      filters = filtersIn.map((f: unknown) => {
        if (!obj(f) || typeof f["path"] !== "string" || !Array.isArray(f["values"]))
          throw invalid(`Target ${key}: a filter is {path, values}.`);
        return { path: f["path"], values: (f["values"] as unknown[]).map(userText) };
      });
    }
    const parameters = strMap(`Target ${key} parameters`, t["parameters"]);
    return {
      resourceType,
      selectionMode,
      ...(arns !== undefined ? { resourceArns: arns as string[] } : {}),
      ...(tags !== undefined ? { resourceTags: tags } : {}),
      ...(filters !== undefined ? { filters } : {}),
      ...(parameters !== undefined ? { parameters } : {}),
    };
  }

  private checkAction(name: string, a: unknown, targets: Record<string, TargetSpec>): ActionSpec {
    if (!obj(a)) throw invalid(`Action ${name} must be an object.`);
    const actionId = a["actionId"];
    const def = typeof actionId === "string" ? actionDef(actionId) : undefined;
    if (def === undefined)
      throw invalid(`Action ${name}: unknown action id '${userText(actionId)}'.`);
    const parameters = strMap(`Action ${name} parameters`, a["parameters"]) ?? {};
    for (const p of Object.keys(parameters))
      if (!Object.hasOwn(def.parameters, p))
        throw invalid(`Action ${name}: unknown parameter '${p}' for action ${def.id}.`);
    for (const [p, d] of Object.entries(def.parameters))
      if (d.required && parameters[p] === undefined)
        throw invalid(`Action ${name}: missing required parameter '${p}' for action ${def.id}.`);
    for (const p of ["duration", "startInstancesAfterDuration"])
      if (parameters[p] !== undefined) checkDuration(def.id, p, parameters[p]);
    if (def.id === "aws:network:disrupt-connectivity") {
      const scope = parameters["scope"] ?? "all";
      if (!["all", "availability-zone", "prefix-list", "vpc"].includes(scope))
        throw invalid(
          `Action ${name}: scope '${scope}' is not supported (all, availability-zone, prefix-list, vpc).`,
        );
      if (scope === "prefix-list" && parameters["prefixListIdentifier"] === undefined)
        throw invalid(`Action ${name}: scope prefix-list needs prefixListIdentifier.`);
    }
    if (def.id === "aws:ssm:send-command") {
      const doc = ssmDocumentOf(parameters["documentArn"] ?? "");
      if (doc === undefined)
        throw invalid(
          `Action ${name}: documentArn '${parameters["documentArn"]}' is not one of the AWSFIS-Run-Network-* documents vpcemu runs.`,
        );
      ssmFaultBodies(doc, parameters["documentParameters"] ?? "{}", "i-00000000", 1);
    }
    const targetsIn = strMap(`Action ${name} targets`, a["targets"]) ?? {};
    for (const [tk, tv] of Object.entries(targetsIn)) {
      if (!Object.hasOwn(def.targets, tk))
        throw invalid(`Action ${name}: target '${tk}' is not a target of action ${def.id}.`);
      const t = Object.hasOwn(targets, tv) ? targets[tv] : undefined;
      if (t === undefined)
        throw invalid(
          `Action ${name}: target ${tk} names '${tv}', which is not a target key of the template.`,
        );
      if (t.resourceType !== def.targets[tk])
        throw invalid(
          `Action ${name}: target ${tv} has resource type ${t.resourceType}; ${def.id} needs ${def.targets[tk]}.`,
        );
    }
    for (const tk of Object.keys(def.targets))
      if (targetsIn[tk] === undefined)
        throw invalid(`Action ${name}: missing target '${tk}' for action ${def.id}.`);
    const startAfter = a["startAfter"];
    if (
      startAfter !== undefined &&
      (!Array.isArray(startAfter) || startAfter.some((s) => typeof s !== "string"))
    )
      throw invalid(`Action ${name}: startAfter must be a list of action names.`);
    return {
      actionId: def.id,
      ...(typeof a["description"] === "string" ? { description: a["description"] } : {}),
      parameters,
      targets: targetsIn,
      ...(startAfter !== undefined ? { startAfter: startAfter as string[] } : {}),
    };
  }

  private checkNoCycle(actions: Record<string, ActionSpec>): void {
    const seen = new Map<string, number>();
    const visit = (n: string): void => {
      const s = seen.get(n);
      if (s === 2) return;
      if (s === 1) throw invalid(`The startAfter of action ${n} forms a cycle.`);
      seen.set(n, 1);
      for (const a of actions[n]?.startAfter ?? []) visit(a);
      seen.set(n, 2);
    };
    for (const n of Object.keys(actions)) visit(n);
  }

  // ---------------------------------------------------------------- experiments

  experiment(caller: Caller, id: string): ExperimentRecord {
    const e = this.deps.fis.experiment(id);
    if (e === undefined || e.accountId !== caller.accountId || e.region !== caller.region)
      throw new FisError("ResourceNotFoundException", `Experiment ${id} not found.`);
    return e;
  }

  experiments(caller: Caller): ExperimentRecord[] {
    return this.deps.fis
      .experimentList()
      .filter((e) => e.accountId === caller.accountId && e.region === caller.region);
  }

  startExperiment(caller: Caller, body: unknown): ExperimentRecord {
    if (!obj(body)) throw invalid("The request body must be a JSON object.");
    const templateId = body["experimentTemplateId"];
    if (typeof templateId !== "string") throw invalid("experimentTemplateId is required.");
    const t = this.template(caller, templateId);
    const id = fisId("EXP");
    const actions = userMap<ActionRun>();
    for (const [name, a] of Object.entries(t.actions))
      actions[name] = { ...a, state: { status: "pending", reason: "Initial state" } };
    const e: ExperimentRecord = {
      id,
      arn: `arn:aws:fis:${caller.region}:${caller.accountId}:experiment/${id}`,
      accountId: caller.accountId,
      region: caller.region,
      experimentTemplateId: t.id,
      roleArn: t.roleArn,
      state: { status: "pending", reason: "Experiment is pending." },
      targets: t.targets,
      actions,
      stopConditions: t.stopConditions,
      tags: { ...(strMap("tags", body["tags"]) ?? {}) },
      ...(t.experimentOptions !== undefined ? { experimentOptions: t.experimentOptions } : {}),
      creationTime: Date.now(),
      seed: randomInt(0, 2 ** 32 - 1),
      resolvedTargets: userMap<string[]>(),
      undo: [],
    };
    this.deps.fis.saveExperiment(e);
    const snapshot = structuredClone(e);
    setImmediate(() => this.guard(e, () => this.initiate(e)));
    return snapshot;
  }

  /** Undoes every effect at once; answers the experiment as `stopping` (it is stopped now). */
  stopExperiment(caller: Caller, id: string): ExperimentRecord {
    const e = this.experiment(caller, id);
    if (TERMINAL.has(e.state.status))
      throw new FisError(
        "ValidationException",
        `Experiment ${id} is ${e.state.status}; only a running experiment can be stopped.`,
      );
    const answer = structuredClone(e);
    // AWS FIS's wording (the aws CLI reference, stop-experiment example).
    answer.state = { status: "stopping", reason: "Stopping Experiment." };
    this.rollback(e, "stopped", "Experiment stopped.");
    return answer;
  }

  tagResource(caller: Caller, arn: string, tags: unknown): void {
    const target = this.byArn(caller, arn);
    const add = strMap("tags", tags) ?? {};
    if (target.kind === "template") {
      const t = target.record;
      this.deps.fis.putTemplate({ ...t, tags: { ...t.tags, ...add } });
    } else {
      target.record.tags = { ...target.record.tags, ...add };
      this.deps.fis.saveExperiment(target.record);
    }
  }

  untagResource(caller: Caller, arn: string, keys: readonly string[]): void {
    const target = this.byArn(caller, arn);
    const strip = (tags: Record<string, string>): Record<string, string> => {
      const out = { ...tags };
      for (const k of keys) delete out[k];
      return out;
    };
    if (target.kind === "template")
      this.deps.fis.putTemplate({ ...target.record, tags: strip(target.record.tags) });
    else {
      target.record.tags = strip(target.record.tags);
      this.deps.fis.saveExperiment(target.record);
    }
  }

  tagsOf(caller: Caller, arn: string): Record<string, string> {
    return { ...this.byArn(caller, arn).record.tags };
  }

  private byArn(
    caller: Caller,
    arn: string,
  ):
    | { kind: "template"; record: TemplateRecord }
    | { kind: "experiment"; record: ExperimentRecord } {
    const m = /^arn:aws:fis:([a-z0-9-]+):(\d{12}):(experiment-template|experiment)\/(.+)$/.exec(
      arn,
    );
    if (m === null) throw invalid(`Invalid resource ARN '${arn}'.`);
    if (m[1] !== caller.region || m[2] !== caller.accountId)
      throw new FisError("ResourceNotFoundException", `Resource ${arn} not found.`);
    return m[3] === "experiment"
      ? { kind: "experiment", record: this.experiment(caller, m[4]!) }
      : { kind: "template", record: this.template(caller, m[4]!) };
  }

  // ---------------------------------------------------------------- running

  private ec2(e: ExperimentRecord): Ec2Invoke {
    return inProcessEc2(this.deps.store, { accountId: e.accountId, region: e.region });
  }

  private save(e: ExperimentRecord): void {
    this.deps.fis.saveExperiment(e);
  }

  /** Runs `fn`; a throw fails the experiment (with rollback) and is logged. */
  private guard(e: ExperimentRecord, fn: () => void): void {
    if (TERMINAL.has(e.state.status)) return;
    try {
      fn();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.deps.log(`fis: experiment ${e.id} failed: ${msg}`);
      this.rollback(e, "failed", msg);
    }
  }

  private alarmNames(conds: readonly StopConditionSpec[]): string[] {
    const out: string[] = [];
    for (const c of conds) {
      const m = c.source === "aws:cloudwatch:alarm" ? ALARM_ARN_RE.exec(c.value ?? "") : null;
      if (m !== null) out.push(m[1]!);
    }
    return out;
  }

  private alarmArn(e: ExperimentRecord, name: string): string {
    return `arn:aws:cloudwatch:${e.region}:${e.accountId}:alarm:${name}`;
  }

  private initiate(e: ExperimentRecord): void {
    e.state = { status: "initiating", reason: "Experiment is initiating." };
    this.save(e);
    for (const name of this.alarmNames(e.stopConditions))
      if (this.deps.alarms.stateOf(name) === "ALARM") {
        this.rollback(
          e,
          "failed",
          `Stop condition ${this.alarmArn(e, name)} is in ALARM state at the start of the experiment.`,
        );
        return;
      }
    const random = rng(e.seed);
    const used = new Set<string>();
    for (const a of Object.values(e.actions))
      for (const k of Object.values(a.targets ?? {})) used.add(k);
    for (const [key, t] of Object.entries(e.targets)) {
      if (!used.has(key)) continue;
      const ids = this.resolveTarget(e, t);
      if (ids.length === 0) {
        this.rollback(
          e,
          "failed",
          `Target resolution failed: target ${key} resolved to no resources.`,
        );
        return;
      }
      const mode = parseSelectionMode(t.selectionMode);
      const n =
        mode.kind === "ALL"
          ? ids.length
          : mode.kind === "COUNT"
            ? Math.min(mode.n, ids.length)
            : Math.max(1, Math.round((ids.length * mode.n) / 100));
      const pool = [...ids].sort();
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      e.resolvedTargets[key] = mode.kind === "ALL" ? ids : pool.slice(0, n).sort();
    }
    e.state = { status: "running", reason: "Experiment is running." };
    e.startTime = Date.now();
    this.save(e);
    this.advance(e);
  }

  /** Resource ids in the experiment's scope matching the target (before selection). */
  private resolveTarget(e: ExperimentRecord, t: TargetSpec): string[] {
    const store = this.deps.store;
    const inScope = (r: { ownerId?: string; region?: string }): boolean =>
      (r.ownerId ?? "123456789012") === e.accountId && (r.region ?? "us-east-1") === e.region;
    const subnetAz = (id: string): string | undefined => store.get("subnet", id)?.availabilityZone;
    let items: Array<{ id: string; arn: string; tags: Record<string, string>; doc: unknown }>;
    if (t.resourceType === "aws:ec2:instance") {
      items = store
        .list("instance")
        .filter((i) => inScope(i) && i.state !== "terminated" && i.state !== "shutting-down")
        .map((i) => ({
          id: i.instanceId,
          arn: `arn:aws:ec2:${e.region}:${e.accountId}:instance/${i.instanceId}`,
          tags: { ...i.tags },
          doc: {
            InstanceId: i.instanceId,
            InstanceType: i.instanceType,
            ImageId: i.imageId,
            State: { Name: i.state },
            Placement: { AvailabilityZone: subnetAz(i.subnetId) },
            SubnetId: i.subnetId,
            VpcId: i.vpcId,
            PrivateIpAddress: i.privateIpAddress,
          },
        }));
    } else {
      items = store
        .list("subnet")
        .filter((s) => inScope(s))
        .map((s) => ({
          id: s.subnetId,
          arn: `arn:aws:ec2:${e.region}:${e.accountId}:subnet/${s.subnetId}`,
          tags: { ...s.tags },
          doc: {
            SubnetId: s.subnetId,
            VpcId: s.vpcId,
            AvailabilityZone: s.availabilityZone,
            CidrBlock: s.cidrBlock,
            DefaultForAz: s.defaultForAz === true,
          },
        }));
    }
    const out = items.filter((it) => {
      if (t.resourceArns !== undefined && !t.resourceArns.includes(it.arn)) return false;
      if (t.resourceTags !== undefined)
        for (const [k, v] of Object.entries(t.resourceTags))
          if (!Object.hasOwn(it.tags, k) || it.tags[k] !== v) return false;
      for (const f of t.filters ?? []) {
        let v: unknown = it.doc;
        // Why hasOwn: a path through `__proto__` or `constructor` names no field of the resource.
        for (const part of f.path.split("."))
          v = obj(v) && Object.hasOwn(v, part) ? v[part] : undefined;
        if (v === undefined || !f.values.includes(String(v))) return false;
      }
      return true;
    });
    return out.map((it) => it.id);
  }

  /** Starts every pending action whose startAfter actions completed; completes the experiment. */
  private advance(e: ExperimentRecord): void {
    if (e.state.status !== "running") return;
    const runs = Object.entries(e.actions);
    for (const [name, a] of runs) {
      if (a.state.status !== "pending") continue;
      const ready = (a.startAfter ?? []).every((p) => e.actions[p]?.state.status === "completed");
      if (ready) this.startAction(e, name, a);
      if (TERMINAL.has(e.state.status)) return;
    }
    if (runs.every(([, a]) => a.state.status === "completed")) {
      e.state = { status: "completed", reason: "Experiment completed." };
      e.endTime = Date.now();
      this.clearTimers(e.id);
      this.save(e);
    }
  }

  private later(e: ExperimentRecord, ms: number, fn: () => void): void {
    const t = setTimeout(() => this.guard(e, fn), Math.max(0, Math.round(ms * this.scale)));
    const list = this.timers.get(e.id) ?? [];
    list.push(t);
    this.timers.set(e.id, list);
  }

  private clearTimers(id: string): void {
    for (const t of this.timers.get(id) ?? []) clearTimeout(t);
    this.timers.delete(id);
  }

  private targetsOf(e: ExperimentRecord, a: ActionRun, key: string): string[] {
    const tk = a.targets?.[key];
    return tk === undefined || !Object.hasOwn(e.resolvedTargets, tk) ? [] : e.resolvedTargets[tk]!;
  }

  private startAction(e: ExperimentRecord, name: string, a: ActionRun): void {
    a.state = { status: "running", reason: "Action is running." };
    a.startTime = Date.now();
    this.save(e);
    const p = a.parameters ?? {};
    const finish = (): void => {
      this.undoAction(e, name);
      // AWS FIS's wording (get-experiment example; the action-end log record).
      a.state = { status: "completed", reason: "Action was completed." };
      a.endTime = Date.now();
      this.save(e);
      this.advance(e);
    };
    switch (a.actionId) {
      case "aws:fis:wait":
        this.later(e, parseIsoDuration(p["duration"]!)!, finish);
        return;
      case "aws:ec2:reboot-instances":
        this.instanceCall(e, "RebootInstances", this.targetsOf(e, a, "Instances"));
        finish();
        return;
      case "aws:ec2:terminate-instances":
        this.instanceCall(e, "TerminateInstances", this.targetsOf(e, a, "Instances"));
        finish();
        return;
      case "aws:ec2:stop-instances": {
        const ids = this.targetsOf(e, a, "Instances");
        const after = p["startInstancesAfterDuration"];
        if (after !== undefined) {
          e.undo.push({ kind: "start-instances", action: name, instanceIds: ids });
          this.save(e);
        }
        // A stopped instance neither sends nor receives (INST-2) until the undo starts it again
        // (the action's end, StopExperiment, a failure or a restart), tracked flows gone (INST-3).
        this.instanceCall(e, "StopInstances", ids);
        if (after === undefined) finish();
        else this.later(e, parseIsoDuration(after)!, finish);
        return;
      }
      case "aws:network:disrupt-connectivity":
        for (const subnetId of this.targetsOf(e, a, "Subnets"))
          this.disruptSubnet(e, name, subnetId, p);
        this.later(e, parseIsoDuration(p["duration"]!)!, finish);
        return;
      case "aws:ssm:send-command": {
        const doc = ssmDocumentOf(p["documentArn"]!)!;
        const actionMs = parseIsoDuration(p["duration"]!)!;
        const undo: Undo = { kind: "faults", action: name, faultIds: [] };
        e.undo.push(undo);
        let lastMs = 0;
        for (const id of this.targetsOf(e, a, "Instances")) {
          const bodies = ssmFaultBodies(doc, p["documentParameters"] ?? "{}", id, this.scale);
          for (const b of bodies.faults) {
            const view = this.deps.faults.add({
              ...b,
              durationMs: Math.max(
                1,
                Math.round(Math.min(bodies.durationMs, actionMs) * this.scale),
              ),
              description: `FIS ${e.id} action ${name} (${doc})`,
            });
            undo.faultIds.push(view.faultId);
            this.save(e);
          }
          lastMs = Math.max(lastMs, bodies.durationMs);
        }
        this.later(e, Math.min(lastMs, actionMs), finish);
        return;
      }
      default:
        throw new Error(`action ${a.actionId} has no runner`);
    }
  }

  private instanceCall(e: ExperimentRecord, action: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    const params: Record<string, string> = {};
    ids.forEach((id, i) => (params[`InstanceId.${i + 1}`] = id));
    this.ec2(e)(action, params);
  }

  /** Clones the subnet's NACL with deny entries for the scope and swaps the association. */
  private disruptSubnet(
    e: ExperimentRecord,
    action: string,
    subnetId: string,
    p: Readonly<Record<string, string>>,
  ): void {
    const store = this.deps.store;
    const subnet = store.get("subnet", subnetId);
    if (subnet === undefined) throw new Error(`subnet ${subnetId} no longer exists`);
    const original = store.get("networkAcl", subnet.networkAclId);
    if (original === undefined) throw new Error(`network ACL ${subnet.networkAclId} not found`);
    const ec2 = this.ec2(e);
    const scope = p["scope"] ?? "all";
    // Deny (and, for vpc, allow) entries first in both directions, before the copied rules.
    const lead: Array<{ action: "allow" | "deny"; cidr: string; v6: boolean }> = [];
    if (scope === "all") {
      lead.push({ action: "deny", cidr: "0.0.0.0/0", v6: false });
      if (subnet.ipv6CidrBlock !== undefined) lead.push({ action: "deny", cidr: "::/0", v6: true });
    } else if (scope === "vpc") {
      const vpc = store.get("vpc", subnet.vpcId);
      lead.push({ action: "allow", cidr: vpc!.cidrBlock, v6: false });
      lead.push({ action: "deny", cidr: "0.0.0.0/0", v6: false });
    } else if (scope === "availability-zone") {
      for (const s of store.list("subnet"))
        if (s.vpcId === subnet.vpcId && s.availabilityZone !== subnet.availabilityZone)
          lead.push({ action: "deny", cidr: s.cidrBlock, v6: false });
    } else if (scope === "prefix-list") {
      const pl = store.get("prefixList", p["prefixListIdentifier"]!);
      if (pl === undefined) throw new Error(`prefix list ${p["prefixListIdentifier"]} not found`);
      for (const en of pl.entries)
        lead.push({ action: "deny", cidr: en.cidr, v6: pl.addressFamily === "IPv6" });
    }
    const created = ec2("CreateNetworkAcl", {
      VpcId: subnet.vpcId,
      "TagSpecification.1.ResourceType": "network-acl",
      "TagSpecification.1.Tag.1.Key": "managedByFIS",
      "TagSpecification.1.Tag.1.Value": "true",
    }) as { networkAcl: { networkAclId: string } };
    const cloneId = created.networkAcl.networkAclId;
    // Recorded at once: a failure below still deletes the clone.
    const undo: {
      -readonly [K in keyof Extract<Undo, { kind: "nacl" }>]: Extract<Undo, { kind: "nacl" }>[K];
    } = {
      kind: "nacl",
      action,
      subnetId,
      originalAclId: original.networkAclId,
      cloneAclId: cloneId,
      associationId: "",
    };
    e.undo.push(undo);
    this.save(e);
    for (const egress of [false, true]) {
      lead.forEach((l, i) => {
        ec2("CreateNetworkAclEntry", {
          NetworkAclId: cloneId,
          RuleNumber: String(i + 1),
          Protocol: "-1",
          RuleAction: l.action,
          Egress: String(egress),
          [l.v6 ? "Ipv6CidrBlock" : "CidrBlock"]: l.cidr,
        });
      });
      const taken = new Set(
        original.entries.filter((x) => x.egress === egress).map((x) => x.ruleNumber),
      );
      for (const en of original.entries) {
        if (en.egress !== egress || en.ruleNumber >= 32767) continue;
        let num = en.ruleNumber;
        if (num <= lead.length) {
          num += lead.length;
          while (taken.has(num)) num++;
        }
        const params: Record<string, string> = {
          NetworkAclId: cloneId,
          RuleNumber: String(num),
          Protocol: en.protocol,
          RuleAction: en.ruleAction,
          Egress: String(egress),
        };
        if (en.cidrBlock !== undefined) params["CidrBlock"] = en.cidrBlock;
        if (en.ipv6CidrBlock !== undefined) params["Ipv6CidrBlock"] = en.ipv6CidrBlock;
        if (en.portFrom !== undefined) params["PortRange.From"] = String(en.portFrom);
        if (en.portTo !== undefined) params["PortRange.To"] = String(en.portTo);
        if (en.icmpType !== undefined) params["IcmpTypeCode.Type"] = String(en.icmpType);
        if (en.icmpCode !== undefined) params["IcmpTypeCode.Code"] = String(en.icmpCode);
        ec2("CreateNetworkAclEntry", params);
      }
    }
    const swapped = ec2("ReplaceNetworkAclAssociation", {
      AssociationId: subnet.networkAclAssociationId,
      NetworkAclId: cloneId,
    }) as { newAssociationId: string };
    undo.associationId = swapped.newAssociationId;
    this.save(e);
  }

  /** Undoes the effects one action recorded (all when `action` is undefined), newest first. */
  private undoAction(e: ExperimentRecord, action: string | undefined): void {
    const keep: Undo[] = [];
    const todo: Undo[] = [];
    for (const u of e.undo) (action === undefined || u.action === action ? todo : keep).push(u);
    let firstError: unknown;
    for (const u of todo.reverse()) {
      try {
        this.undoOne(e, u);
      } catch (err) {
        firstError ??= err;
        this.deps.log(`fis: experiment ${e.id}: undo ${u.kind} of ${u.action}: ${String(err)}`);
      }
    }
    e.undo = keep;
    this.save(e);
    if (firstError !== undefined && action !== undefined) throw firstError;
  }

  private undoOne(e: ExperimentRecord, u: Undo): void {
    const ec2 = this.ec2(e);
    const store = this.deps.store;
    switch (u.kind) {
      case "nacl": {
        const subnet = store.get("subnet", u.subnetId);
        if (subnet !== undefined && subnet.networkAclId === u.cloneAclId)
          ec2("ReplaceNetworkAclAssociation", {
            AssociationId: subnet.networkAclAssociationId,
            NetworkAclId: u.originalAclId,
          });
        if (store.get("networkAcl", u.cloneAclId) !== undefined)
          ec2("DeleteNetworkAcl", { NetworkAclId: u.cloneAclId });
        return;
      }
      case "start-instances": {
        const stopped = u.instanceIds.filter(
          (id) => store.get("instance", id)?.state === "stopped",
        );
        this.instanceCall(e, "StartInstances", stopped);
        return;
      }
      case "faults":
        for (const id of u.faultIds) {
          if (store.get("fault", id) === undefined) continue;
          this.deps.faults.remove(id);
        }
        return;
    }
  }

  /** Undoes everything and ends the experiment with `status`; actions end as FIS shows them. */
  private rollback(e: ExperimentRecord, status: "stopped" | "failed", reason: string): void {
    this.clearTimers(e.id);
    this.undoAction(e, undefined);
    for (const a of Object.values(e.actions)) {
      if (a.state.status === "running" || a.state.status === "initiating") {
        a.state =
          status === "stopped"
            ? { status: "stopped", reason: "Action stopped." }
            : { status: "failed", reason };
        a.endTime = Date.now();
      } else if (a.state.status === "pending")
        a.state = { status: "cancelled", reason: "Experiment ended before the action started." };
    }
    e.state = { status, reason };
    e.endTime = Date.now();
    this.save(e);
  }
}

/** Parameters of the AWSFIS-Run-Network-* documents -> chaos fault bodies (POST /v1/faults). */
export function ssmFaultBodies(
  doc: SsmDocument,
  json: string,
  instanceId: string,
  scale: number,
): { durationMs: number; faults: Array<Record<string, unknown>> } {
  void scale;
  let params: unknown;
  try {
    params = JSON.parse(json);
  } catch {
    throw invalid(`documentParameters is not valid JSON: ${json}`);
  }
  if (!obj(params)) throw invalid("documentParameters must be a JSON object.");
  const known: Record<SsmDocument, string[]> = {
    "AWSFIS-Run-Network-Latency": ["DelayMilliseconds", "JitterMilliseconds"],
    "AWSFIS-Run-Network-Latency-Sources": [
      "DelayMilliseconds",
      "JitterMilliseconds",
      "Sources",
      "TrafficType",
    ],
    "AWSFIS-Run-Network-Packet-Loss": ["LossPercent"],
    "AWSFIS-Run-Network-Packet-Loss-Sources": ["LossPercent", "Sources", "TrafficType"],
    "AWSFIS-Run-Network-Blackhole-Port": ["Port", "Protocol", "TrafficType"],
  };
  const allowed = new Set([...known[doc], "DurationSeconds", "Interface", "InstallDependencies"]);
  for (const k of Object.keys(params))
    if (!allowed.has(k)) throw invalid(`documentParameters: unknown parameter '${k}' for ${doc}.`);
  const num = (k: string, dflt: number | undefined, min: number, max: number): number => {
    const v = params[k] ?? dflt;
    const n = typeof v === "string" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max)
      throw invalid(
        `documentParameters: ${k} '${userText(v)}' must be a number in ${min}..${max}.`,
      );
    return n;
  };
  const durationS = num("DurationSeconds", undefined, 0, 43200);
  const trafficType = userText(params["TrafficType"] ?? "ingress");
  if (trafficType !== "ingress" && trafficType !== "egress")
    throw invalid(`documentParameters: TrafficType '${trafficType}' must be ingress or egress.`);
  const sources = (): string[] => {
    const s = params["Sources"];
    if (typeof s !== "string" || s.trim() === "")
      throw invalid(`documentParameters: Sources is required by ${doc} (IPv4 addresses or CIDRs).`);
    return s.split(",").map((x) => x.trim());
  };
  const pair = (others: string[]): { from: string[]; to: string[] } =>
    trafficType === "ingress"
      ? { from: others, to: [instanceId] }
      : { from: [instanceId], to: others };
  let faults: Array<Record<string, unknown>>;
  const delay = (): Record<string, unknown> => ({
    delay: {
      latencyMs: num("DelayMilliseconds", 200, 0, 60000),
      jitterMs: num("JitterMilliseconds", 10, 0, 60000),
    },
  });
  const loss = (): Record<string, unknown> => ({
    loss: { percent: num("LossPercent", 7, 0, 100) },
  });
  switch (doc) {
    case "AWSFIS-Run-Network-Latency":
      faults = [{ from: [instanceId], to: ["*"], effects: delay() }];
      break;
    case "AWSFIS-Run-Network-Latency-Sources":
      faults = [{ ...pair(sources()), effects: delay() }];
      break;
    case "AWSFIS-Run-Network-Packet-Loss":
      faults = [{ from: [instanceId], to: ["*"], effects: loss() }];
      break;
    case "AWSFIS-Run-Network-Packet-Loss-Sources":
      faults = [{ ...pair(sources()), effects: loss() }];
      break;
    case "AWSFIS-Run-Network-Blackhole-Port": {
      const protocol = userText(params["Protocol"] ?? "");
      if (protocol !== "tcp" && protocol !== "udp")
        throw invalid(`documentParameters: Protocol '${protocol}' must be tcp or udp.`);
      const port = num("Port", undefined, 0, 65535);
      faults = [{ ...pair(["*"]), protocol, ports: String(port), effects: { blackhole: true } }];
      break;
    }
  }
  return { durationMs: durationS * 1000, faults };
}
