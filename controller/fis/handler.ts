/**
 * AWS FIS on the controller's endpoint: registered in controller/services.ts as FIS_SERVICE, so
 * a request signed for `fis` lands here. REST-JSON as `aws fis` and @aws-sdk/client-fis send
 * it (paths /experimentTemplates, /experiments, /actions, /targetResourceTypes, /tags/{arn});
 * answers JSON with epoch-second timestamps, errors with `x-amzn-ErrorType` and
 * `{"message": ...}`. The engine (engine.ts) is built by app.ts with the controller's fault
 * service and alarms and attached to the store (attachFisEngine), because the service context
 * carries neither.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ControllerError } from "../errors.js";
import { newRequestId } from "../ids.js";
import { resolveRequestScope } from "../request-scope.js";
import type { AwsServiceContext, AwsServiceDefinition, AwsServiceHandler } from "../services.js";
import type { StateStore } from "../store/state-store.js";
import { FIS_ACTIONS, TARGET_TYPES, actionDef } from "./catalog.js";
import type { FisEngine } from "./engine.js";
import { FisError } from "./fis-errors.js";
import type { ExperimentRecord, TemplateRecord } from "./fis-store.js";

const ENGINES = new WeakMap<StateStore, FisEngine>();

/** Makes `engine` the one the FIS service of `store`'s controller uses (app.ts). */
export function attachFisEngine(store: StateStore, engine: FisEngine): void {
  ENGINES.set(store, engine);
}

const sec = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

function templateJson(t: TemplateRecord): unknown {
  return {
    id: t.id,
    arn: t.arn,
    description: t.description,
    targets: t.targets,
    actions: t.actions,
    stopConditions: t.stopConditions,
    creationTime: sec(t.creationTime),
    lastUpdateTime: sec(t.lastUpdateTime),
    roleArn: t.roleArn,
    tags: t.tags,
    ...(t.experimentOptions !== undefined ? { experimentOptions: t.experimentOptions } : {}),
    ...(t.logConfiguration !== undefined ? { logConfiguration: t.logConfiguration } : {}),
  };
}

function experimentJson(e: ExperimentRecord): unknown {
  // Why null prototype: action names are user strings (`__proto__` is a name like any other).
  const actions = Object.create(null) as Record<string, unknown>;
  for (const [name, a] of Object.entries(e.actions))
    actions[name] = {
      actionId: a.actionId,
      ...(a.description !== undefined ? { description: a.description } : {}),
      parameters: a.parameters ?? {},
      targets: a.targets ?? {},
      ...(a.startAfter !== undefined ? { startAfter: a.startAfter } : {}),
      state: a.state,
      ...(a.startTime !== undefined ? { startTime: sec(a.startTime) } : {}),
      ...(a.endTime !== undefined ? { endTime: sec(a.endTime) } : {}),
    };
  return {
    id: e.id,
    arn: e.arn,
    experimentTemplateId: e.experimentTemplateId,
    roleArn: e.roleArn,
    state: e.state,
    targets: e.targets,
    actions,
    stopConditions: e.stopConditions,
    creationTime: sec(e.creationTime),
    ...(e.startTime !== undefined ? { startTime: sec(e.startTime) } : {}),
    ...(e.endTime !== undefined ? { endTime: sec(e.endTime) } : {}),
    tags: e.tags,
    ...(e.experimentOptions !== undefined ? { experimentOptions: e.experimentOptions } : {}),
  };
}

function page<T>(items: T[], q: URLSearchParams): { items: T[]; nextToken?: string } {
  const start = Number(q.get("nextToken") ?? 0);
  const max = Number(q.get("maxResults") ?? 100);
  if (!Number.isInteger(start) || start < 0)
    throw new FisError("ValidationException", `Invalid nextToken '${q.get("nextToken")}'.`);
  if (!Number.isInteger(max) || max < 1 || max > 100)
    throw new FisError("ValidationException", `maxResults must be from 1 to 100.`);
  const slice = items.slice(start, start + max);
  return start + max < items.length
    ? { items: slice, nextToken: String(start + max) }
    : { items: slice };
}

/** Builds the service's handler for one controller. */
export function createFisHandler(ctx: AwsServiceContext): AwsServiceHandler {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const requestId = newRequestId();
    const send = (status: number, value: unknown, errorType?: string): void => {
      const text = JSON.stringify(value);
      res.writeHead(status, {
        "Content-Type": "application/json",
        "x-amzn-RequestId": requestId,
        ...(errorType !== undefined ? { "x-amzn-ErrorType": errorType } : {}),
        "Content-Length": Buffer.byteLength(text),
      });
      res.end(text);
    };
    try {
      const engine = ENGINES.get(ctx.store);
      if (engine === undefined)
        throw new FisError("InternalServerException", "FIS is not running on this controller.");
      const scope = resolveRequestScope(ctx, req, body, "fis");
      const caller = { accountId: scope.accountId, region: scope.region };
      const url = new URL(req.url ?? "/", "http://localhost");
      const segs = url.pathname.split("/").filter((s) => s !== "");
      const dec = (s: string | undefined): string => {
        try {
          return decodeURIComponent(s ?? "");
        } catch {
          throw new FisError("ValidationException", `Malformed path segment '${s}'.`);
        }
      };
      const method = req.method ?? "GET";
      let json: unknown;
      if (body.length > 0) {
        try {
          json = JSON.parse(body.toString("utf8"));
        } catch {
          throw new FisError("ValidationException", "The request body is not valid JSON.");
        }
      }
      const q = url.searchParams;
      const route = `${method} /${segs[0] ?? ""}${segs.length > 1 ? "/*" : ""}`;
      const id = dec(segs[1]);
      if (segs.length > 2 && !(segs[0] === "experiments" && segs[2] === "resolvedTargets"))
        throw new FisError(
          "ValidationException",
          `No FIS operation for ${method} ${url.pathname}.`,
        );
      switch (route) {
        case "POST /experimentTemplates":
          return send(200, {
            experimentTemplate: templateJson(engine.createTemplate(caller, json)),
          });
        case "GET /experimentTemplates": {
          const p = page(engine.templates(caller), q);
          return send(200, {
            experimentTemplates: p.items.map((t) => ({
              id: t.id,
              arn: t.arn,
              description: t.description,
              creationTime: sec(t.creationTime),
              lastUpdateTime: sec(t.lastUpdateTime),
              tags: t.tags,
            })),
            ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}),
          });
        }
        case "GET /experimentTemplates/*":
          return send(200, { experimentTemplate: templateJson(engine.template(caller, id)) });
        case "PATCH /experimentTemplates/*":
          return send(200, {
            experimentTemplate: templateJson(engine.updateTemplate(caller, id, json)),
          });
        case "DELETE /experimentTemplates/*":
          return send(200, { experimentTemplate: templateJson(engine.deleteTemplate(caller, id)) });
        case "POST /experiments":
          return send(200, { experiment: experimentJson(engine.startExperiment(caller, json)) });
        case "GET /experiments": {
          const tid = q.get("experimentTemplateId");
          const all = engine
            .experiments(caller)
            .filter((e) => tid === null || e.experimentTemplateId === tid)
            .reverse();
          const p = page(all, q);
          return send(200, {
            experiments: p.items.map((e) => ({
              id: e.id,
              arn: e.arn,
              experimentTemplateId: e.experimentTemplateId,
              state: e.state,
              creationTime: sec(e.creationTime),
              tags: e.tags,
              ...(e.experimentOptions !== undefined
                ? { experimentOptions: e.experimentOptions }
                : {}),
            })),
            ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}),
          });
        }
        case "GET /experiments/*": {
          const e = engine.experiment(caller, id);
          if (segs[2] === "resolvedTargets") {
            const name = q.get("targetName");
            const out = Object.entries(e.resolvedTargets)
              .filter(([k]) => name === null || k === name)
              .flatMap(([k, ids]) =>
                ids.map((rid) => ({
                  resourceType: e.targets[k]!.resourceType,
                  targetName: k,
                  targetInformation: {
                    [e.targets[k]!.resourceType === "aws:ec2:instance"
                      ? "instance-id"
                      : "subnet-id"]: rid,
                  },
                })),
              );
            return send(200, { resolvedTargets: out });
          }
          return send(200, { experiment: experimentJson(e) });
        }
        case "DELETE /experiments/*":
          return send(200, { experiment: experimentJson(engine.stopExperiment(caller, id)) });
        case "GET /actions":
          return send(200, {
            actions: FIS_ACTIONS.map((a) => ({
              id: a.id,
              arn: `arn:aws:fis:${caller.region}::action/${a.id}`,
              description: a.description,
              targets: Object.fromEntries(
                Object.entries(a.targets).map(([k, v]) => [k, { resourceType: v }]),
              ),
              tags: {},
            })),
          });
        case "GET /actions/*": {
          const a = actionDef(id);
          if (a === undefined)
            throw new FisError("ResourceNotFoundException", `Action ${id} not found.`);
          return send(200, {
            action: {
              id: a.id,
              arn: `arn:aws:fis:${caller.region}::action/${a.id}`,
              description: a.description,
              parameters: a.parameters,
              targets: Object.fromEntries(
                Object.entries(a.targets).map(([k, v]) => [k, { resourceType: v }]),
              ),
              tags: {},
            },
          });
        }
        case "GET /targetResourceTypes":
          return send(200, {
            targetResourceTypes: TARGET_TYPES.map((t) => ({
              resourceType: t.resourceType,
              description: t.description,
            })),
          });
        case "GET /targetResourceTypes/*": {
          const t = TARGET_TYPES.find((x) => x.resourceType === id);
          if (t === undefined)
            throw new FisError(
              "ResourceNotFoundException",
              `Target resource type ${id} not found.`,
            );
          return send(200, { targetResourceType: t });
        }
        case "POST /tags/*": {
          const tags = (json as { tags?: unknown } | undefined)?.tags;
          if (tags === undefined) throw new FisError("ValidationException", "tags is required.");
          engine.tagResource(caller, id, tags);
          return send(200, {});
        }
        case "DELETE /tags/*":
          engine.untagResource(caller, id, q.getAll("tagKeys"));
          return send(200, {});
        case "GET /tags/*":
          return send(200, { tags: engine.tagsOf(caller, id) });
        default:
          throw new FisError(
            "ValidationException",
            `No FIS operation for ${method} ${url.pathname}.`,
          );
      }
    } catch (err) {
      if (err instanceof FisError) return send(err.status, { message: err.message }, err.code);
      if (err instanceof ControllerError)
        return send(err.status, { message: err.message }, err.awsCode);
      ctx.log(`vpcemu fis: request ${requestId}: ${String((err as Error)?.stack ?? err)}`);
      return send(500, { message: "Internal error." }, "InternalServerException");
    }
  };
}

export const FIS_SERVICE: AwsServiceDefinition = {
  name: "fis",
  versions: [],
  create: createFisHandler,
};
