/**
 * Stack operations (AWS-BEHAVIOUR CFN-11..CFN-19): create, update, delete, change sets, with
 * AWS's stack and resource states and events. The API call checks and records the operation
 * and answers at once (CREATE_IN_PROGRESS, REVIEW_IN_PROGRESS ...); the work runs right after
 * through `schedule`, resources in dependency order, each through EC2; a failure rolls back
 * what the operation did, in reverse order. Stack lifecycle:
 *
 *   CreateStack:  CREATE_IN_PROGRESS -> CREATE_COMPLETE
 *                                    \-> ROLLBACK_IN_PROGRESS -> ROLLBACK_COMPLETE (or CREATE_FAILED
 *                                        with DisableRollback / OnFailure=DO_NOTHING; DELETE_COMPLETE
 *                                        with OnFailure=DELETE)
 *   UpdateStack:  UPDATE_IN_PROGRESS -> UPDATE_COMPLETE_CLEANUP_IN_PROGRESS -> UPDATE_COMPLETE
 *                                    \-> UPDATE_ROLLBACK_IN_PROGRESS
 *                                        -> UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS
 *                                        -> UPDATE_ROLLBACK_COMPLETE
 *   DeleteStack:  DELETE_IN_PROGRESS -> DELETE_COMPLETE (or DELETE_FAILED)
 *   CreateChangeSet (CREATE): REVIEW_IN_PROGRESS until executed
 */
import { userText } from "../user-text.js";
import { randomUUID } from "node:crypto";
import { ControllerError } from "../errors.js";
import { newRequestId } from "../ids.js";
import { EC2_RESOURCE_TYPES, ResourceRuleError } from "./ec2-resources.js";
import type { Caller, Ec2Invoke } from "./ec2-invoke.js";
import { CfnError, cfnError, templateError } from "./errors.js";
import { dependenciesOf } from "./graph.js";
import {
  NO_VALUE,
  evaluate,
  evaluateCondition,
  intrinsicName,
  type EvalScope,
} from "./intrinsics.js";
import { schemaViolations, unsupportedProperties, type ResourceType } from "./resource-types.js";
import type {
  ChangeSetRecord,
  ResourceChange,
  StackEvent,
  StackOutput,
  StackParameter,
  StackRecord,
  StackResourceRecord,
  StackStatus,
  StackStore,
  Tag,
} from "./stack-store.js";
import { parseTemplateBody } from "./template-body.js";
import {
  checkTemplate,
  isListParameterType,
  resolveParameterValues,
  type ParameterInput,
  type ResourceCatalog,
  type Template,
} from "./template.js";

/** The resource types this engine answers (CFN-20); any other is refused (CFN-4). */
export const RESOURCE_CATALOG: ResourceCatalog = {
  isSupported: (type) => EC2_RESOURCE_TYPES.has(type),
  attributes: (type) => EC2_RESOURCE_TYPES.get(type)?.attributes ?? [],
};

export interface EngineDeps {
  readonly stacks: StackStore;
  /** EC2 for the caller of an operation (ec2-invoke.ts). */
  readonly ec2For: (caller: Caller) => Ec2Invoke;
  /** Runs stack work after the API call has answered (setImmediate in the controller). */
  readonly schedule: (work: () => void) => void;
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}

/** What CreateStack, UpdateStack and CreateChangeSet carry. */
export interface StackInput {
  readonly stackName: string;
  readonly templateBody?: string;
  readonly usePreviousTemplate?: boolean;
  readonly parameters: readonly ParameterInput[];
  readonly tags?: readonly Tag[];
  readonly capabilities: readonly string[];
  readonly notificationArns: readonly string[];
  readonly disableRollback?: boolean;
  readonly onFailure?: "DO_NOTHING" | "ROLLBACK" | "DELETE";
  readonly timeoutInMinutes?: number;
  readonly terminationProtection?: boolean;
  readonly clientRequestToken?: string;
}

export interface ChangeSetInput extends StackInput {
  readonly changeSetName: string;
  readonly changeSetType: "CREATE" | "UPDATE";
  readonly description?: string;
}

/** Statuses after which a stack only exists as a record. */
const GONE: ReadonlySet<StackStatus> = new Set(["DELETE_COMPLETE"]);
/** Statuses in which UpdateStack / an UPDATE change set is accepted. */
const UPDATABLE: ReadonlySet<StackStatus> = new Set([
  "CREATE_COMPLETE",
  "UPDATE_COMPLETE",
  "UPDATE_ROLLBACK_COMPLETE",
]);
/** Statuses in which an operation is running. */
const BUSY: ReadonlySet<StackStatus> = new Set([
  "CREATE_IN_PROGRESS",
  "ROLLBACK_IN_PROGRESS",
  "DELETE_IN_PROGRESS",
  "UPDATE_IN_PROGRESS",
  "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
  "UPDATE_ROLLBACK_IN_PROGRESS",
  "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
]);

const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A stack failure with the text a resource event shows (CFN-21). */
class ResourceFailure extends Error {}

/** AWS's handler-message wrapping of an EC2 or rule error (CFN-21). */
function failureReason(err: unknown, logicalId: string): string {
  const token = randomUUID();
  if (err instanceof ControllerError) {
    const hec = err.awsCode.endsWith(".NotFound")
      ? "NotFound"
      : err.awsCode.endsWith(".Duplicate")
        ? "AlreadyExists"
        : err.awsCode.includes("Limit")
          ? "ServiceLimitExceeded"
          : err.status >= 500
            ? "GeneralServiceException"
            : "InvalidRequest";
    return `Resource handler returned message: "${err.message} (Service: Ec2, Status Code: ${err.status}, Request ID: ${newRequestId()})" (RequestToken: ${token}, HandlerErrorCode: ${hec})`;
  }
  if (err instanceof ResourceRuleError)
    return `Resource handler returned message: "${err.message}" (RequestToken: ${token}, HandlerErrorCode: ${err.handlerErrorCode})`;
  if (err instanceof ResourceFailure || err instanceof CfnError) return err.message;
  return `Internal Failure (${logicalId})`;
}

/** The CloudFormation service: one per controller. */
export class CloudFormationEngine {
  private readonly now: () => Date;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.settleInterrupted();
  }

  /**
   * A stack whose operation was running when the controller stopped ends in that operation's
   * failed state ([CHOICE] CFN-28: vpcemu does not resume an operation), so it can be deleted.
   */
  private settleInterrupted(): void {
    const failedState: Partial<Record<StackStatus, StackStatus>> = {
      CREATE_IN_PROGRESS: "CREATE_FAILED",
      ROLLBACK_IN_PROGRESS: "ROLLBACK_FAILED",
      DELETE_IN_PROGRESS: "DELETE_FAILED",
      UPDATE_IN_PROGRESS: "UPDATE_FAILED",
      UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: "UPDATE_COMPLETE",
      UPDATE_ROLLBACK_IN_PROGRESS: "UPDATE_ROLLBACK_FAILED",
      UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: "UPDATE_ROLLBACK_COMPLETE",
    };
    for (const s of this.deps.stacks.allStacks()) {
      const next = failedState[s.status];
      if (next !== undefined)
        this.setStatus(s, next, "The controller stopped during the operation");
    }
  }

  private time(): string {
    return this.now().toISOString();
  }

  // ---- lookups

  /** The stacks of `caller` (deleted ones included), oldest first. */
  stacksOf(caller: Caller): StackRecord[] {
    return this.deps.stacks
      .allStacks()
      .filter((s) => s.accountId === caller.accountId && s.region === caller.region);
  }

  /** A stack by name (live only) or by stack id (deleted ones too); undefined when none. */
  findStack(caller: Caller, nameOrId: string): StackRecord | undefined {
    const mine = this.stacksOf(caller);
    if (nameOrId.startsWith("arn:")) return mine.find((s) => s.stackId === nameOrId);
    return mine.filter((s) => s.stackName === nameOrId && !GONE.has(s.status)).at(-1);
  }

  /** As findStack, else ValidationError "Stack with id X does not exist" (CFN-11). */
  requireStack(caller: Caller, nameOrId: string): StackRecord {
    const s = this.findStack(caller, nameOrId);
    if (s === undefined) throw cfnError("EMU_ERR_CFN_STACK_NOT_FOUND", nameOrId);
    return s;
  }

  events(stack: StackRecord): readonly StackEvent[] {
    return this.deps.stacks.stackEvents(stack.stackId);
  }

  /** Live exports of the caller's account and region: name -> [value, exporting stack]. */
  exports(caller: Caller): Map<string, { value: string; stack: StackRecord }> {
    const out = new Map<string, { value: string; stack: StackRecord }>();
    for (const s of this.stacksOf(caller)) {
      if (GONE.has(s.status)) continue;
      for (const o of s.outputs)
        if (o.exportName !== undefined) out.set(o.exportName, { value: o.value, stack: s });
    }
    return out;
  }

  /** Names of the live stacks importing `exportName` (CFN-16). */
  importers(caller: Caller, exportName: string): string[] {
    const out: string[] = [];
    for (const s of this.stacksOf(caller)) {
      if (GONE.has(s.status) || s.status === "REVIEW_IN_PROGRESS") continue;
      if (importsOf(s.templateBody).has(exportName) || this.resolvedImports(s).has(exportName))
        out.push(s.stackName);
    }
    return out;
  }

  private resolvedImports(s: StackRecord): Set<string> {
    // Import names are recorded on the stack's resources' properties only as values; the
    // template's literal names (importsOf) cover the common case, and evaluated names land here.
    const names = new Set<string>();
    const tree = safeParse(s.templateBody);
    if (tree === undefined) return names;
    walkIntrinsics(tree, (fn, arg) => {
      if (fn !== "Fn::ImportValue" || typeof arg === "string") return;
      try {
        const v = evaluate(arg, this.staticScope(s, tree));
        if (typeof v === "string") names.add(v);
      } catch {
        // Why: names built from resources cannot be evaluated statically; they are rare.
      }
    });
    return names;
  }

  private staticScope(s: StackRecord, tree: Record<string, unknown>): EvalScope {
    const template = checkTemplate(tree, RESOURCE_CATALOG);
    return this.scope(s, template, paramMap(s.parameters, template), new Map(), {
      accountId: s.accountId,
      region: s.region,
    });
  }

  // ---- templates

  /** Parses and checks a body (ValidateTemplate, CFN-3..CFN-6). */
  parse(body: string): { tree: Record<string, unknown>; template: Template } {
    const tree = parseTemplateBody(body);
    return { tree, template: checkTemplate(tree, RESOURCE_CATALOG) };
  }

  // ---- CreateStack

  createStack(caller: Caller, input: StackInput): StackRecord {
    const prepared = this.prepareNew(caller, input);
    const stack = this.deps.stacks.putStack({
      ...prepared.stack,
      status: "CREATE_IN_PROGRESS",
      statusReason: "User Initiated",
    });
    this.stackEvent(stack, "CREATE_IN_PROGRESS", "User Initiated", input.clientRequestToken);
    const onFailure =
      input.onFailure ?? (input.disableRollback === true ? "DO_NOTHING" : "ROLLBACK");
    this.deps.schedule(() => this.runCreate(caller, stack.stackId, prepared.template, onFailure));
    return stack;
  }

  private prepareNew(
    caller: Caller,
    input: StackInput,
  ): { stack: StackRecord; template: Template } {
    if (!STACK_NAME.test(input.stackName) || input.stackName.length > 128)
      throw cfnError("EMU_ERR_CFN_STACK_NAME", input.stackName);
    if (input.templateBody === undefined)
      throw cfnError(
        "EMU_ERR_CFN_VALIDATION",
        "Either Template URL or Template Body must be specified.",
      );
    const { template } = this.parse(input.templateBody);
    const existing = this.findStack(caller, input.stackName);
    if (existing !== undefined && existing.status !== "REVIEW_IN_PROGRESS")
      throw cfnError("EMU_ERR_CFN_STACK_EXISTS", input.stackName);
    const values = resolveParameterValues(template.parameters, input.parameters);
    const stackId =
      existing?.stackId ??
      `arn:aws:cloudformation:${caller.region}:${caller.accountId}:stack/${input.stackName}/${randomUUID()}`;
    const stack: StackRecord = {
      stackId,
      stackName: input.stackName,
      accountId: caller.accountId,
      region: caller.region,
      status: "REVIEW_IN_PROGRESS",
      creationTime: existing?.creationTime ?? this.time(),
      ...(template.description === undefined ? {} : { description: template.description }),
      templateBody: input.templateBody,
      parameters: template.parameters.map((p) => ({
        key: p.key,
        value: values.get(p.key) ?? "",
        noEcho: p.noEcho,
      })),
      tags: input.tags ?? [],
      capabilities: input.capabilities,
      notificationArns: input.notificationArns,
      disableRollback: input.disableRollback === true || input.onFailure === "DO_NOTHING",
      terminationProtection: input.terminationProtection === true,
      ...(input.timeoutInMinutes === undefined ? {} : { timeoutInMinutes: input.timeoutInMinutes }),
      outputs: [],
      resources: [],
    };
    this.checkImports(caller, stack, template);
    return { stack, template };
  }

  /** CFN-16: an Fn::ImportValue of a name no stack exports is refused when the call is made. */
  private checkImports(caller: Caller, stack: StackRecord, template: Template): void {
    const exports = this.exports(caller);
    const tree = safeParse(stack.templateBody) ?? {};
    const scope = this.scope(
      stack,
      template,
      paramMap(stack.parameters, template),
      new Map(),
      caller,
    );
    walkIntrinsics(tree, (fn, arg) => {
      if (fn !== "Fn::ImportValue") return;
      let name: unknown;
      try {
        name = evaluate(arg, { ...scope, importValue: () => "" });
      } catch {
        return;
      }
      if (typeof name === "string" && !exports.has(name))
        throw cfnError("EMU_ERR_CFN_EXPORT_NOT_FOUND", name);
    });
  }

  private runCreate(
    caller: Caller,
    stackId: string,
    template: Template,
    onFailure: "DO_NOTHING" | "ROLLBACK" | "DELETE",
  ): void {
    let stack = this.deps.stacks.stack(stackId) as StackRecord;
    const params = paramMap(stack.parameters, template);
    const created = new Map<string, StackResourceRecord>();
    const failed = this.provision(caller, stack, template, params, created, new Map(), "create");
    stack = this.deps.stacks.stack(stackId) as StackRecord;
    if (failed === undefined) {
      try {
        const outputs = this.outputs(caller, stack, template, params, created);
        this.finish(stack, "CREATE_COMPLETE", undefined, { outputs });
        return;
      } catch (err) {
        const reason = failureReason(err, "Outputs");
        this.rollbackCreate(caller, stack, onFailure, reason);
        return;
      }
    }
    this.rollbackCreate(
      caller,
      stack,
      onFailure,
      `The following resource(s) failed to create: [${failed}]. ${onFailure === "DO_NOTHING" ? "" : "Rollback requested by user."}`.trim(),
    );
  }

  private rollbackCreate(
    caller: Caller,
    stack: StackRecord,
    onFailure: "DO_NOTHING" | "ROLLBACK" | "DELETE",
    reason: string,
  ): void {
    if (onFailure === "DO_NOTHING") {
      this.finish(stack, "CREATE_FAILED", reason);
      return;
    }
    let s = this.setStatus(stack, "ROLLBACK_IN_PROGRESS", reason);
    const ok = this.deleteResources(caller, s, false);
    s = this.deps.stacks.stack(stack.stackId) as StackRecord;
    if (!ok) {
      this.finish(
        s,
        "ROLLBACK_FAILED",
        "The following resource(s) failed to delete: [" +
          s.resources.map((r) => r.logicalId).join(", ") +
          "]. ",
      );
      return;
    }
    if (onFailure === "DELETE") {
      s = this.setStatus(s, "DELETE_IN_PROGRESS", "User Initiated");
      this.finish(s, "DELETE_COMPLETE", undefined, { deletionTime: this.time() });
      return;
    }
    this.finish(s, "ROLLBACK_COMPLETE");
  }

  // ---- resources

  private resourceType(type: string): ResourceType {
    const t = EC2_RESOURCE_TYPES.get(type);
    if (t === undefined)
      throw cfnError("EMU_ERR_CFN_TEMPLATE_FORMAT", `Unrecognized resource types: [${type}]`);
    return t;
  }

  /**
   * Creates (or, with `mode` "update", creates or updates) every resource whose condition holds,
   * in dependency order. `current` maps logical id -> the resource as it is before the
   * operation; what was done lands in `done`. Returns the logical id that failed, if any.
   */
  private provision(
    caller: Caller,
    stack: StackRecord,
    template: Template,
    params: Map<string, string | readonly string[]>,
    done: Map<string, StackResourceRecord>,
    current: ReadonlyMap<string, StackResourceRecord>,
    mode: "create" | "update",
    replaced: Array<StackResourceRecord> = [],
    updated: Array<StackResourceRecord> = [],
  ): string | undefined {
    const live = new Map<string, StackResourceRecord>(current);
    const scope = this.scope(stack, template, params, live, caller);
    const ec2 = this.deps.ec2For(caller);
    const byId = new Map(template.resources.map((r) => [r.logicalId, r]));
    for (const logicalId of template.order) {
      const decl = byId.get(logicalId);
      if (decl === undefined) continue;
      if (decl.condition !== undefined && !scope.condition(decl.condition)) continue;
      const type = this.resourceType(decl.type);
      const before = current.get(logicalId);
      const call = {
        ec2,
        logicalId,
        stackName: stack.stackName,
        accountId: caller.accountId,
        region: caller.region,
      };
      let props: Record<string, unknown> = {};
      try {
        const evaluated = evaluate(decl.properties, scope);
        props = (evaluated === NO_VALUE ? {} : evaluated) as Record<string, unknown>;
      } catch (err) {
        this.resourceEvent(
          stack,
          decl.logicalId,
          before?.physicalId ?? "",
          decl.type,
          before === undefined ? "CREATE_FAILED" : "UPDATE_FAILED",
          failureReason(err, logicalId),
        );
        return logicalId;
      }
      const sameType = before !== undefined && before.type === decl.type;
      if (sameType && deepEqual(before.properties, props)) {
        live.set(logicalId, before);
        done.set(logicalId, before);
        continue;
      }
      const changed = sameType ? changedKeys(before.properties, props) : [];
      const inPlace =
        sameType && type.update !== undefined && changed.every((k) => type.inPlace.includes(k));
      const status = before === undefined ? "CREATE" : "UPDATE";
      this.resourceEvent(
        stack,
        logicalId,
        before?.physicalId ?? "",
        decl.type,
        `${status}_IN_PROGRESS`,
        undefined,
        props,
      );
      try {
        const violations = schemaViolations(type, props);
        if (violations.length > 0)
          throw new ResourceFailure(
            `Properties validation failed for resource ${logicalId} with message: [${violations.join(", ")}]`,
          );
        const unsupported = unsupportedProperties(type, props);
        if (unsupported.length > 0)
          throw new ResourceRuleError(
            `vpcemu does not emulate ${decl.type} propert${unsupported.length === 1 ? "y" : "ies"} ${unsupported.join(", ")}`,
          );
        let result;
        if (before !== undefined && inPlace && before.physicalId !== undefined) {
          result = (type.update as NonNullable<ResourceType["update"]>)(
            call,
            stateOf(before),
            props,
          );
          updated.push(before);
        } else {
          if (
            before !== undefined &&
            type.nameProperty !== undefined &&
            props[type.nameProperty] !== undefined &&
            sameType
          )
            throw new ResourceFailure(
              `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${userText(props[type.nameProperty])} and update the stack again.`,
            );
          if (before !== undefined)
            this.resourceEvent(
              stack,
              logicalId,
              before.physicalId ?? "",
              decl.type,
              "UPDATE_IN_PROGRESS",
              "Requested update requires the creation of a new physical resource; hence creating one.",
            );
          result = type.create(call, props);
          if (before !== undefined) replaced.push(before);
        }
        const rec: StackResourceRecord = {
          logicalId,
          type: decl.type,
          physicalId: result.physicalId,
          ref: result.ref ?? result.physicalId,
          attributes: result.attributes,
          properties: props,
          status: `${status}_COMPLETE`,
          timestamp: this.time(),
          deletionPolicy: decl.deletionPolicy,
        };
        live.set(logicalId, rec);
        done.set(logicalId, rec);
        this.saveResources(
          stack.stackId,
          mode === "create" ? [...done.values()] : mergeResources(current, done),
        );
        this.resourceEvent(stack, logicalId, rec.physicalId ?? "", decl.type, `${status}_COMPLETE`);
      } catch (err) {
        this.resourceEvent(
          stack,
          logicalId,
          before?.physicalId ?? "",
          decl.type,
          `${status}_FAILED`,
          failureReason(err, logicalId),
        );
        this.deps.log?.(
          `cloudformation ${stack.stackName}/${logicalId}: ${(err as Error).message}`,
        );
        return logicalId;
      }
    }
    return undefined;
  }

  /** Deletes the stack's resources in reverse order; false when one fails (it stays, DELETE_FAILED). */
  private deleteResources(
    caller: Caller,
    stack: StackRecord,
    honourRetain: boolean,
    only?: ReadonlySet<string>,
  ): boolean {
    const ec2 = this.deps.ec2For(caller);
    let remaining = [...stack.resources];
    let ok = true;
    for (const r of [...stack.resources].reverse()) {
      if (only !== undefined && !only.has(r.logicalId)) continue;
      if (r.physicalId === undefined) {
        remaining = remaining.filter((x) => x !== r);
        continue;
      }
      if (honourRetain && r.deletionPolicy === "Retain") {
        this.resourceEvent(stack, r.logicalId, r.physicalId, r.type, "DELETE_SKIPPED");
        remaining = remaining.filter((x) => x !== r);
        continue;
      }
      this.resourceEvent(stack, r.logicalId, r.physicalId, r.type, "DELETE_IN_PROGRESS");
      try {
        this.resourceType(r.type).delete(
          {
            ec2,
            logicalId: r.logicalId,
            stackName: stack.stackName,
            accountId: caller.accountId,
            region: caller.region,
          },
          stateOf(r),
        );
        remaining = remaining.filter((x) => x !== r);
        this.resourceEvent(stack, r.logicalId, r.physicalId, r.type, "DELETE_COMPLETE");
      } catch (err) {
        ok = false;
        const reason = failureReason(err, r.logicalId);
        remaining = remaining.map((x) =>
          x === r
            ? {
                ...x,
                status: "DELETE_FAILED" as const,
                statusReason: reason,
                timestamp: this.time(),
              }
            : x,
        );
        this.resourceEvent(stack, r.logicalId, r.physicalId, r.type, "DELETE_FAILED", reason);
      }
      this.saveResources(stack.stackId, remaining);
    }
    this.saveResources(stack.stackId, remaining);
    return ok;
  }

  // ---- DeleteStack

  /** DeleteStack (CFN-13): a missing stack is not an error; the work runs after the answer. */
  deleteStack(
    caller: Caller,
    nameOrId: string,
    retain: readonly string[] = [],
    token?: string,
  ): void {
    const stack = this.findStack(caller, nameOrId);
    if (stack === undefined || GONE.has(stack.status)) return;
    if (stack.status === "DELETE_IN_PROGRESS") return;
    if (BUSY.has(stack.status))
      throw cfnError("EMU_ERR_CFN_STACK_BUSY", stack.stackId, stack.status);
    if (stack.terminationProtection)
      throw cfnError(
        "EMU_ERR_CFN_VALIDATION",
        `Stack [${stack.stackName}] cannot be deleted while TerminationProtection is enabled`,
      );
    const s = this.setStatus(stack, "DELETE_IN_PROGRESS", "User Initiated", token);
    this.deps.schedule(() => this.runDelete(caller, s.stackId, new Set(retain)));
  }

  private runDelete(caller: Caller, stackId: string, retain: ReadonlySet<string>): void {
    let stack = this.deps.stacks.stack(stackId) as StackRecord;
    for (const o of stack.outputs) {
      if (o.exportName === undefined) continue;
      const users = this.importers(caller, o.exportName).filter((n) => n !== stack.stackName);
      if (users.length > 0) {
        this.finish(
          stack,
          "DELETE_FAILED",
          `Export ${o.exportName} cannot be deleted as it is in use by ${users.join(", ")}`,
        );
        return;
      }
    }
    if (retain.size > 0)
      stack = this.saveResources(
        stackId,
        stack.resources.map((r) =>
          retain.has(r.logicalId) ? { ...r, deletionPolicy: "Retain" as const } : r,
        ),
      );
    const ok = this.deleteResources(caller, stack, true);
    stack = this.deps.stacks.stack(stackId) as StackRecord;
    if (!ok) {
      const failed = stack.resources
        .filter((r) => r.status === "DELETE_FAILED")
        .map((r) => r.logicalId);
      this.finish(
        stack,
        "DELETE_FAILED",
        `The following resource(s) failed to delete: [${failed.join(", ")}]. `,
      );
      return;
    }
    for (const c of this.deps.stacks.changeSetsOf(stackId))
      this.deps.stacks.deleteChangeSet(c.changeSetId);
    this.finish(stack, "DELETE_COMPLETE", undefined, { deletionTime: this.time(), outputs: [] });
  }

  // ---- UpdateStack

  /** UpdateStack (CFN-14): "No updates are to be performed." when nothing would change. */
  updateStack(caller: Caller, input: StackInput): StackRecord {
    const stack = this.requireStack(caller, input.stackName);
    const prepared = this.prepareUpdate(caller, stack, input);
    if (prepared.changes.length === 0 && !prepared.otherChanges)
      throw cfnError("EMU_ERR_CFN_NO_UPDATES");
    return this.startUpdate(
      caller,
      stack,
      prepared.body,
      prepared.parameters,
      input.tags ?? stack.tags,
      input.clientRequestToken,
      input.disableRollback === true,
    );
  }

  private prepareUpdate(
    caller: Caller,
    stack: StackRecord,
    input: StackInput,
  ): {
    body: string;
    template: Template;
    parameters: StackParameter[];
    changes: ResourceChange[];
    otherChanges: boolean;
  } {
    if (
      stack.status === "REVIEW_IN_PROGRESS" ||
      GONE.has(stack.status) ||
      !UPDATABLE.has(stack.status)
    )
      throw cfnError("EMU_ERR_CFN_STACK_STATE", stack.stackId, stack.status);
    const body = input.usePreviousTemplate === true ? stack.templateBody : input.templateBody;
    if (body === undefined)
      throw cfnError(
        "EMU_ERR_CFN_VALIDATION",
        "Either Template URL or Template Body must be specified.",
      );
    const { tree, template } = this.parse(body);
    const previous = new Map(stack.parameters.map((p) => [p.key, p.value]));
    const values = resolveParameterValues(template.parameters, input.parameters, previous);
    const parameters = template.parameters.map((p) => ({
      key: p.key,
      value: values.get(p.key) ?? "",
      noEcho: p.noEcho,
    }));
    const draft: StackRecord = { ...stack, templateBody: body, parameters };
    this.checkImports(caller, draft, template);
    const changes = this.changesFor(caller, stack, template, parameters);
    const oldTree = safeParse(stack.templateBody) ?? {};
    const otherChanges =
      !deepEqual(withoutResources(oldTree), withoutResources(tree)) ||
      !deepEqual(
        stack.parameters.map((p) => [p.key, p.value]),
        parameters.map((p) => [p.key, p.value]),
      ) ||
      (input.tags !== undefined && !deepEqual(input.tags, stack.tags));
    return { body, template, parameters, changes, otherChanges };
  }

  private startUpdate(
    caller: Caller,
    stack: StackRecord,
    body: string,
    parameters: StackParameter[],
    tags: readonly Tag[],
    token: string | undefined,
    disableRollback: boolean,
  ): StackRecord {
    const { template } = this.parse(body);
    const previous = stack;
    const s = this.deps.stacks.putStack({
      ...stack,
      status: "UPDATE_IN_PROGRESS",
      statusReason: "User Initiated",
      lastUpdatedTime: this.time(),
      templateBody: body,
      parameters,
      tags,
      ...(template.description === undefined
        ? { description: undefined }
        : { description: template.description }),
    });
    this.stackEvent(s, "UPDATE_IN_PROGRESS", "User Initiated", token);
    this.deps.schedule(() =>
      this.runUpdate(caller, s.stackId, template, previous, disableRollback),
    );
    return s;
  }

  private runUpdate(
    caller: Caller,
    stackId: string,
    template: Template,
    previous: StackRecord,
    disableRollback: boolean,
  ): void {
    let stack = this.deps.stacks.stack(stackId) as StackRecord;
    const params = paramMap(stack.parameters, template);
    const current = new Map(previous.resources.map((r) => [r.logicalId, r]));
    const done = new Map<string, StackResourceRecord>();
    const replaced: StackResourceRecord[] = [];
    const updated: StackResourceRecord[] = [];
    const failed = this.provision(
      caller,
      stack,
      template,
      params,
      done,
      current,
      "update",
      replaced,
      updated,
    );
    stack = this.deps.stacks.stack(stackId) as StackRecord;
    let outputs: StackOutput[] | undefined;
    let reason: string | undefined;
    if (failed === undefined) {
      try {
        outputs = this.outputs(caller, stack, template, params, done);
        const gone = stack.outputs.filter(
          (o) =>
            o.exportName !== undefined &&
            !outputs?.some((n) => n.exportName === o.exportName && n.value === o.value),
        );
        for (const o of gone) {
          const users = this.importers(caller, o.exportName as string).filter(
            (n) => n !== stack.stackName,
          );
          if (users.length > 0)
            throw cfnError("EMU_ERR_CFN_EXPORT_IN_USE", o.exportName as string, users.join(", "));
        }
      } catch (err) {
        reason = failureReason(err, "Outputs");
      }
    } else reason = `The following resource(s) failed to update: [${failed}]. `;
    if (reason === undefined) {
      stack = this.setStatus(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
      // Cleanup: resources removed from the template, then the physical resources replaced.
      const removed = previous.resources.filter((r) => !done.has(r.logicalId));
      const cleanup: StackRecord = { ...stack, resources: [...removed, ...replaced] };
      this.deps.stacks.putStack(cleanup);
      this.deleteResources(caller, cleanup, true);
      stack = this.saveResources(stackId, orderedRecords(template, done));
      this.finish(stack, "UPDATE_COMPLETE", undefined, { outputs: outputs ?? [] });
      return;
    }
    if (disableRollback) {
      this.saveResources(stackId, mergeResources(current, done));
      this.finish(this.deps.stacks.stack(stackId) as StackRecord, "UPDATE_FAILED", reason);
      return;
    }
    stack = this.setStatus(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
    // Roll back: in-place updates are re-applied with the previous properties; resources this
    // update created (new or replacements) are deleted; the previous records come back.
    const ec2 = this.deps.ec2For(caller);
    for (const before of [...updated].reverse()) {
      const now = done.get(before.logicalId);
      if (now === undefined || before.physicalId === undefined) continue;
      const type = this.resourceType(before.type);
      this.resourceEvent(
        stack,
        before.logicalId,
        before.physicalId,
        before.type,
        "UPDATE_IN_PROGRESS",
      );
      try {
        type.update?.(
          {
            ec2,
            logicalId: before.logicalId,
            stackName: stack.stackName,
            accountId: caller.accountId,
            region: caller.region,
          },
          stateOf(now),
          before.properties,
        );
        this.resourceEvent(
          stack,
          before.logicalId,
          before.physicalId,
          before.type,
          "UPDATE_COMPLETE",
        );
      } catch (err) {
        this.resourceEvent(
          stack,
          before.logicalId,
          before.physicalId,
          before.type,
          "UPDATE_FAILED",
          failureReason(err, before.logicalId),
        );
      }
    }
    const newOnes = [...done.values()].filter((r) => {
      const b = current.get(r.logicalId);
      return b === undefined || b.physicalId !== r.physicalId;
    });
    stack = this.setStatus(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
    const cleanup: StackRecord = { ...stack, resources: newOnes };
    this.deps.stacks.putStack(cleanup);
    this.deleteResources(caller, cleanup, false);
    stack = this.deps.stacks.putStack({
      ...stack,
      templateBody: previous.templateBody,
      parameters: previous.parameters,
      tags: previous.tags,
      resources: previous.resources,
      outputs: previous.outputs,
    });
    this.finish(stack, "UPDATE_ROLLBACK_COMPLETE");
  }

  // ---- change sets

  /** CreateChangeSet (CFN-17): the set is computed at once (CREATE_COMPLETE or FAILED). */
  createChangeSet(caller: Caller, input: ChangeSetInput): ChangeSetRecord {
    if (!/^[a-zA-Z][-a-zA-Z0-9]*$/.test(input.changeSetName))
      throw cfnError(
        "EMU_ERR_CFN_VALIDATION",
        `1 validation error detected: Value '${input.changeSetName}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    const existing = this.findStack(caller, input.stackName);
    let stack: StackRecord;
    let changes: ResourceChange[];
    let body: string;
    let parameters: readonly StackParameter[];
    let noChanges = false;
    if (input.changeSetType === "CREATE") {
      if (existing !== undefined && existing.status !== "REVIEW_IN_PROGRESS")
        throw cfnError(
          "EMU_ERR_CFN_CHANGE_SET_CREATE_EXISTING",
          input.stackName,
          input.changeSetName,
        );
      const prepared = this.prepareNew(caller, input);
      body = prepared.stack.templateBody;
      parameters = prepared.stack.parameters;
      stack =
        existing ??
        this.deps.stacks.putStack({ ...prepared.stack, statusReason: "User Initiated" });
      if (existing === undefined)
        this.stackEvent(stack, "REVIEW_IN_PROGRESS", "User Initiated", input.clientRequestToken);
      const scope = this.scope(
        prepared.stack,
        prepared.template,
        paramMap(parameters, prepared.template),
        new Map(),
        caller,
      );
      changes = prepared.template.resources
        .filter((r) => r.condition === undefined || scope.condition(r.condition))
        .map((r) => ({
          action: "Add",
          logicalId: r.logicalId,
          resourceType: r.type,
          scope: [],
          details: [],
        }));
    } else {
      if (existing === undefined || existing.status === "REVIEW_IN_PROGRESS")
        throw cfnError("EMU_ERR_CFN_CHANGE_SET_NO_STACK", input.stackName);
      stack = existing;
      const prepared = this.prepareUpdate(caller, stack, input);
      body = prepared.body;
      parameters = prepared.parameters;
      changes = prepared.changes;
      noChanges = prepared.changes.length === 0 && !prepared.otherChanges;
    }
    if (
      this.deps.stacks
        .changeSetsOf(stack.stackId)
        .some((c) => c.changeSetName === input.changeSetName)
    )
      throw cfnError("EMU_ERR_CFN_CHANGE_SET_EXISTS", input.changeSetName);
    return this.deps.stacks.putChangeSet({
      changeSetId: `arn:aws:cloudformation:${caller.region}:${caller.accountId}:changeSet/${input.changeSetName}/${randomUUID()}`,
      changeSetName: input.changeSetName,
      stackId: stack.stackId,
      stackName: stack.stackName,
      changeSetType: input.changeSetType,
      status: noChanges ? "FAILED" : "CREATE_COMPLETE",
      ...(noChanges
        ? {
            statusReason:
              "The submitted information didn't contain changes. Submit different information to create a change set.",
          }
        : {}),
      executionStatus: noChanges ? "UNAVAILABLE" : "AVAILABLE",
      creationTime: this.time(),
      ...(input.description === undefined ? {} : { description: input.description }),
      templateBody: body,
      parameters,
      tags: input.tags ?? stack.tags,
      capabilities: input.capabilities,
      notificationArns: input.notificationArns,
      changes,
    });
  }

  /** A change set by ARN, or by name within `stackName` (CFN-18). */
  requireChangeSet(caller: Caller, nameOrId: string, stackName?: string): ChangeSetRecord {
    if (nameOrId.startsWith("arn:")) {
      const c = this.deps.stacks.changeSet(nameOrId);
      const s = c === undefined ? undefined : this.deps.stacks.stack(c.stackId);
      if (
        c === undefined ||
        s === undefined ||
        s.accountId !== caller.accountId ||
        s.region !== caller.region
      )
        throw cfnError("EMU_ERR_CFN_CHANGE_SET_NOT_FOUND", nameOrId);
      return c;
    }
    if (stackName === undefined || stackName === "")
      throw cfnError(
        "EMU_ERR_CFN_VALIDATION",
        "StackName must be specified if ChangeSetName is not specified as an ARN.",
      );
    const stack = this.findStack(caller, stackName);
    const c =
      stack === undefined
        ? undefined
        : this.deps.stacks.changeSetsOf(stack.stackId).find((x) => x.changeSetName === nameOrId);
    if (c === undefined) throw cfnError("EMU_ERR_CFN_CHANGE_SET_NOT_FOUND", nameOrId);
    return c;
  }

  changeSetsOf(stack: StackRecord): ChangeSetRecord[] {
    return this.deps.stacks.changeSetsOf(stack.stackId);
  }

  /** ExecuteChangeSet (CFN-19). */
  executeChangeSet(
    caller: Caller,
    nameOrId: string,
    stackName?: string,
    disableRollback = false,
    token?: string,
  ): void {
    const cs = this.requireChangeSet(caller, nameOrId, stackName);
    if (cs.executionStatus !== "AVAILABLE")
      throw cfnError(
        "EMU_ERR_CFN_CHANGE_SET_STATUS",
        cs.changeSetId,
        cs.executionStatus === "UNAVAILABLE" ? cs.status : cs.executionStatus,
      );
    const stack = this.deps.stacks.stack(cs.stackId) as StackRecord;
    for (const other of this.deps.stacks.changeSetsOf(stack.stackId))
      if (other.changeSetId !== cs.changeSetId)
        this.deps.stacks.putChangeSet({ ...other, executionStatus: "OBSOLETE" });
    this.deps.stacks.putChangeSet({ ...cs, executionStatus: "EXECUTE_IN_PROGRESS" });
    const markDone = (ok: boolean) => {
      const now = this.deps.stacks.changeSet(cs.changeSetId);
      if (now !== undefined)
        this.deps.stacks.putChangeSet({
          ...now,
          executionStatus: ok ? "EXECUTE_COMPLETE" : "EXECUTE_FAILED",
        });
    };
    if (cs.changeSetType === "CREATE") {
      const { template } = this.parse(cs.templateBody);
      const s = this.deps.stacks.putStack({
        ...stack,
        templateBody: cs.templateBody,
        parameters: cs.parameters,
        tags: cs.tags,
        capabilities: cs.capabilities,
        status: "CREATE_IN_PROGRESS",
        statusReason: "User Initiated",
        changeSetId: cs.changeSetId,
        disableRollback,
      });
      this.stackEvent(s, "CREATE_IN_PROGRESS", "User Initiated", token);
      this.deps.schedule(() => {
        this.runCreate(caller, s.stackId, template, disableRollback ? "DO_NOTHING" : "ROLLBACK");
        markDone((this.deps.stacks.stack(s.stackId) as StackRecord).status === "CREATE_COMPLETE");
      });
      return;
    }
    if (!UPDATABLE.has(stack.status))
      throw cfnError("EMU_ERR_CFN_STACK_STATE", stack.stackId, stack.status);
    const s = this.startUpdate(
      caller,
      stack,
      cs.templateBody,
      [...cs.parameters],
      cs.tags,
      token,
      disableRollback,
    );
    this.deps.stacks.putStack({
      ...(this.deps.stacks.stack(s.stackId) as StackRecord),
      changeSetId: cs.changeSetId,
    });
    this.deps.schedule(() =>
      markDone((this.deps.stacks.stack(s.stackId) as StackRecord).status === "UPDATE_COMPLETE"),
    );
  }

  /** DeleteChangeSet: an executing change set cannot be deleted. */
  deleteChangeSet(caller: Caller, nameOrId: string, stackName?: string): void {
    const cs = this.requireChangeSet(caller, nameOrId, stackName);
    if (cs.executionStatus === "EXECUTE_IN_PROGRESS")
      throw cfnError("EMU_ERR_CFN_CHANGE_SET_STATUS", cs.changeSetId, cs.executionStatus);
    this.deps.stacks.deleteChangeSet(cs.changeSetId);
  }

  // ---- shared pieces

  /** The resource changes of a proposed update (Add / Modify / Remove). */
  private changesFor(
    caller: Caller,
    stack: StackRecord,
    template: Template,
    parameters: readonly StackParameter[],
  ): ResourceChange[] {
    const draft: StackRecord = { ...stack, parameters };
    const scope = this.scope(
      draft,
      template,
      paramMap(parameters, template),
      new Map(stack.resources.map((r) => [r.logicalId, r])),
      caller,
    );
    const oldTree = safeParse(stack.templateBody) ?? {};
    const oldTemplate = checkTemplate(oldTree, RESOURCE_CATALOG);
    const oldDecls = new Map(oldTemplate.resources.map((r) => [r.logicalId, r]));
    const oldParams = new Map(stack.parameters.map((p) => [p.key, p.value]));
    const newParams = new Map(parameters.map((p) => [p.key, p.value]));
    const changedParams = new Set(
      [...newParams.keys()].filter((k) => oldParams.get(k) !== newParams.get(k)),
    );
    const live = new Map(stack.resources.map((r) => [r.logicalId, r]));
    const wanted = template.resources.filter(
      (r) => r.condition === undefined || scope.condition(r.condition),
    );
    const changes: ResourceChange[] = [];
    const modified = new Set<string>();
    const ids = new Set(wanted.map((r) => r.logicalId));
    for (const logicalId of template.order) {
      const decl = wanted.find((r) => r.logicalId === logicalId);
      if (decl === undefined) continue;
      const cur = live.get(logicalId);
      if (cur === undefined) {
        changes.push({ action: "Add", logicalId, resourceType: decl.type, scope: [], details: [] });
        continue;
      }
      const old = oldDecls.get(logicalId);
      const type = this.resourceType(decl.type);
      const keys = new Set([
        ...Object.keys(old?.properties ?? {}),
        ...Object.keys(decl.properties),
      ]);
      const changedProps = [...keys].filter((k) => {
        const a = old?.properties[k];
        const b = decl.properties[k];
        if (!deepEqual(a, b)) return true;
        return referencesParam(b, changedParams) || dependsOnModified(b, modified, ids);
      });
      if (cur.type !== decl.type || changedProps.length > 0) {
        modified.add(logicalId);
        const replace =
          cur.type !== decl.type || changedProps.some((k) => !type.inPlace.includes(k));
        changes.push({
          action: "Modify",
          logicalId,
          physicalId: cur.physicalId,
          resourceType: decl.type,
          replacement: replace ? "True" : "False",
          scope: ["Properties"],
          details: changedProps.map((name) => ({
            name,
            requiresRecreation: type.inPlace.includes(name) ? "Never" : "Always",
          })),
        });
      }
    }
    for (const r of stack.resources)
      if (!ids.has(r.logicalId))
        changes.push({
          action: "Remove",
          logicalId: r.logicalId,
          physicalId: r.physicalId,
          resourceType: r.type,
          scope: [],
          details: [],
        });
    return changes;
  }

  private outputs(
    caller: Caller,
    stack: StackRecord,
    template: Template,
    params: Map<string, string | readonly string[]>,
    resources: ReadonlyMap<string, StackResourceRecord>,
  ): StackOutput[] {
    const scope = this.scope(stack, template, params, resources, caller);
    const exports = this.exports(caller);
    const out: StackOutput[] = [];
    for (const o of template.outputs) {
      if (o.condition !== undefined && !scope.condition(o.condition)) continue;
      const v = evaluate(o.value, scope);
      const value = Array.isArray(v) ? v.map(userText).join(",") : userText(v);
      let exportName: string | undefined;
      if (o.exportName !== undefined) {
        exportName = userText(evaluate(o.exportName, scope));
        const other = exports.get(exportName);
        if (other !== undefined && other.stack.stackId !== stack.stackId)
          throw cfnError("EMU_ERR_CFN_EXPORT_DUPLICATE", exportName, other.stack.stackName);
      }
      out.push({
        key: o.key,
        value,
        ...(o.description === undefined ? {} : { description: o.description }),
        ...(exportName === undefined ? {} : { exportName }),
      });
    }
    return out;
  }

  private scope(
    stack: StackRecord,
    template: Template,
    params: Map<string, string | readonly string[]>,
    resources: ReadonlyMap<string, StackResourceRecord>,
    caller: Caller,
  ): EvalScope {
    const conditions = new Map<string, boolean>();
    const exports = () => this.exports(caller);
    const ec2 = () => this.deps.ec2For(caller);
    const declared = new Set(template.resources.map((r) => r.logicalId));
    const scope: EvalScope = {
      accountId: stack.accountId,
      region: stack.region,
      stackName: stack.stackName,
      stackId: stack.stackId,
      parameters: params,
      mappings: template.mappings,
      condition: (name) => {
        const known = conditions.get(name);
        if (known !== undefined) return known;
        if (!Object.hasOwn(template.conditions, name))
          throw templateError(`Unresolved condition dependency ${name}`);
        conditions.set(name, false);
        const v = evaluateCondition(template.conditions[name], scope);
        conditions.set(name, v);
        return v;
      },
      isResource: (id) => declared.has(id),
      resourceRef: (id) => {
        const r = resources.get(id);
        if (r?.ref === undefined)
          throw templateError(
            `Unresolved resource dependencies [${id}] in the Resources block of the template`,
          );
        return r.ref;
      },
      resourceAttribute: (id, attr) => {
        const r = resources.get(id);
        if (r === undefined)
          throw templateError(
            `Unresolved resource dependencies [${id}] in the Resources block of the template`,
          );
        if (!Object.hasOwn(r.attributes, attr))
          throw templateError(
            `resource ${id} does not support attribute type ${attr} in Fn::GetAtt`,
          );
        return r.attributes[attr];
      },
      importValue: (name) => {
        const e = exports().get(name);
        if (e === undefined) throw cfnError("EMU_ERR_CFN_EXPORT_NOT_FOUND", name);
        return e.value;
      },
      availabilityZones: (region) => availabilityZones(ec2(), region),
    };
    return scope;
  }

  // ---- records and events

  private saveResources(stackId: string, resources: readonly StackResourceRecord[]): StackRecord {
    const s = this.deps.stacks.stack(stackId) as StackRecord;
    return this.deps.stacks.putStack({ ...s, resources });
  }

  private setStatus(
    stack: StackRecord,
    status: StackStatus,
    reason?: string,
    token?: string,
  ): StackRecord {
    const cur = this.deps.stacks.stack(stack.stackId) ?? stack;
    const { statusReason: _old, ...rest } = cur;
    const s = this.deps.stacks.putStack({
      ...rest,
      status,
      ...(reason === undefined ? {} : { statusReason: reason }),
    });
    this.stackEvent(s, status, reason, token);
    return s;
  }

  private finish(
    stack: StackRecord,
    status: StackStatus,
    reason?: string,
    extra: Partial<StackRecord> = {},
  ): StackRecord {
    const s = this.setStatus({ ...stack }, status, reason);
    return this.deps.stacks.putStack({ ...s, ...extra });
  }

  private stackEvent(stack: StackRecord, status: string, reason?: string, token?: string): void {
    this.deps.stacks.addEvent({
      eventId: randomUUID(),
      stackId: stack.stackId,
      stackName: stack.stackName,
      logicalId: stack.stackName,
      physicalId: stack.stackId,
      resourceType: "AWS::CloudFormation::Stack",
      timestamp: this.time(),
      status,
      ...(reason === undefined ? {} : { statusReason: reason }),
      ...(token === undefined ? {} : { clientRequestToken: token }),
    });
  }

  private resourceEvent(
    stack: StackRecord,
    logicalId: string,
    physicalId: string,
    type: string,
    status: string,
    reason?: string,
    properties?: Readonly<Record<string, unknown>>,
  ): void {
    this.deps.stacks.addEvent({
      eventId: `${logicalId}-${status}-${this.time()}`,
      stackId: stack.stackId,
      stackName: stack.stackName,
      logicalId,
      physicalId,
      resourceType: type,
      timestamp: this.time(),
      status,
      ...(reason === undefined ? {} : { statusReason: reason }),
      ...(properties === undefined ? {} : { properties: JSON.stringify(properties) }),
    });
  }
}

// ---- helpers

function stateOf(r: StackResourceRecord) {
  return {
    physicalId: r.physicalId ?? "",
    ref: r.ref ?? r.physicalId ?? "",
    attributes: r.attributes,
    properties: r.properties,
  };
}

function changedKeys(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !deepEqual(a[k], b[k]));
}

/** The records after an update: the template's resources as done, in creation order. */
function orderedRecords(
  template: Template,
  done: ReadonlyMap<string, StackResourceRecord>,
): StackResourceRecord[] {
  return template.order
    .map((id) => done.get(id))
    .filter((r): r is StackResourceRecord => r !== undefined);
}

/** Records during an update: what was there, with what changed replaced or added. */
function mergeResources(
  current: ReadonlyMap<string, StackResourceRecord>,
  done: ReadonlyMap<string, StackResourceRecord>,
): StackResourceRecord[] {
  const out = [...current.values()].map((r) => done.get(r.logicalId) ?? r);
  for (const r of done.values()) if (!current.has(r.logicalId)) out.push(r);
  return out;
}

/** Parameter values as intrinsics see them: list types become lists (CFN-10). */
function paramMap(
  parameters: readonly StackParameter[],
  template: Template,
): Map<string, string | readonly string[]> {
  const types = new Map(template.parameters.map((p) => [p.key, p.type]));
  return new Map(
    parameters.map((p) => [
      p.key,
      isListParameterType(types.get(p.key) ?? "String")
        ? p.value === ""
          ? []
          : p.value.split(",").map((x) => x.trim())
        : p.value,
    ]),
  );
}

function safeParse(body: string): Record<string, unknown> | undefined {
  try {
    return parseTemplateBody(body);
  } catch {
    return undefined;
  }
}

function withoutResources(tree: Record<string, unknown>): Record<string, unknown> {
  const { Resources: _r, ...rest } = tree;
  return rest;
}

function walkIntrinsics(v: unknown, visit: (fn: string, arg: unknown) => void): void {
  if (Array.isArray(v)) {
    for (const x of v) walkIntrinsics(x, visit);
    return;
  }
  if (v === null || typeof v !== "object") return;
  const fn = intrinsicName(v);
  if (fn !== undefined) visit(fn, (v as Record<string, unknown>)[fn]);
  for (const child of Object.values(v)) walkIntrinsics(child, visit);
}

/** Literal Fn::ImportValue names of a template body. */
function importsOf(body: string): Set<string> {
  const names = new Set<string>();
  const tree = safeParse(body);
  if (tree !== undefined)
    walkIntrinsics(tree, (fn, arg) => {
      if (fn === "Fn::ImportValue" && typeof arg === "string") names.add(arg);
    });
  return names;
}

function referencesParam(v: unknown, params: ReadonlySet<string>): boolean {
  if (params.size === 0) return false;
  let hit = false;
  walkIntrinsics(v, (fn, arg) => {
    if (fn === "Ref" && typeof arg === "string" && params.has(arg)) hit = true;
    if (fn === "Fn::Sub") {
      const t = Array.isArray(arg) ? arg[0] : arg;
      if (typeof t === "string") for (const p of params) if (t.includes(`\${${p}}`)) hit = true;
    }
  });
  return hit;
}

function dependsOnModified(
  v: unknown,
  modified: ReadonlySet<string>,
  ids: ReadonlySet<string>,
): boolean {
  if (modified.size === 0) return false;
  return dependenciesOf({ logicalId: "", properties: v, dependsOn: [] }, ids).some((d) =>
    modified.has(d),
  );
}

/** Fn::GetAZs: DescribeAvailabilityZones where vpcemu answers it, else a, b, c of the region. */
function availabilityZones(ec2: Ec2Invoke, region: string): string[] {
  try {
    const out = ec2("DescribeAvailabilityZones", {
      "Filter.1.Name": "region-name",
      "Filter.1.Value.1": region,
    });
    const zones = (out["availabilityZoneInfo"] as Array<Record<string, unknown>> | undefined) ?? [];
    const names = zones.map((z) => String(z["zoneName"]));
    if (names.length > 0) return names;
  } catch {
    // Why: until DescribeAvailabilityZones exists, the zones vpcemu assigns by default.
  }
  return ["a", "b", "c"].map((s) => `${region}${s}`);
}
