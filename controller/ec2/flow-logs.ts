/**
 * VPC flow logs on the EC2 API (docs/observability.md "Flow logs" FLW-1..FLW-5):
 * CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs. Per-resource failures of Create and Delete
 * are `unsuccessful` items of a 200 answer (FLW-4); request-wide ones (an unknown LogFormat
 * field, a MaxAggregationInterval other than 60/600) are errors. The flow logs live in a side
 * table (store/flow-log-ops.ts); the controller turns agents' records into their lines
 * (reports/flow-log-delivery.ts).
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ControllerError, controllerError } from "../errors.js";
import { newId } from "../ids.js";
import {
  sanitizeCreateFlowLogs,
  type FlowLog,
  type FlowLogResourceType,
} from "../model/flow-log.js";
import { flowLogStoreOf } from "../store/flow-log-ops.js";
import { isInScope, scopeFields } from "../store/scope.js";
import { scopeOfRequest, visibleGet, type ActionHandler, type Ec2Context } from "./context.js";
import { applyFilters, paginate, parseFilters, tagSet, tagSpecifications } from "./describe.js";
import type { Tags } from "../model/tags.js";
import type { XmlTree } from "./xml.js";

function unsuccessful(resourceId: string, err: ControllerError): XmlTree {
  return { error: { code: err.awsCode, message: err.message }, resourceId };
}

/** The resource's NotFound error if `id` is no resource of `type` in the request's scope. */
function missingResource(c: Ec2Context, type: FlowLogResourceType, id: string) {
  if (type === "VPC")
    return visibleGet(c, "vpc", id) ? undefined : controllerError("EMU_ERR_VPC_NOT_FOUND", id);
  if (type === "Subnet")
    return visibleGet(c, "subnet", id)
      ? undefined
      : controllerError("EMU_ERR_SUBNET_NOT_FOUND", id);
  return visibleGet(c, "networkInterface", id)
    ? undefined
    : controllerError("EMU_ERR_ENI_NOT_FOUND", id);
}

/** FLW-4: "the same configuration and log destination". */
function sameConfiguration(a: Omit<FlowLog, "flowLogId">, b: FlowLog): boolean {
  return (
    a.resourceId === b.resourceId &&
    a.trafficType === b.trafficType &&
    a.logDestinationType === b.logDestinationType &&
    a.logDestination === b.logDestination &&
    a.logGroupName === b.logGroupName
  );
}

/** DescribeFlowLogs `logDestination`: a log group is shown as its ARN, as AWS does. */
function destinationOf(f: FlowLog): string | undefined {
  if (f.logDestination !== undefined) return f.logDestination;
  if (f.logGroupName === undefined) return undefined;
  return `arn:aws:logs:${f.region}:${f.ownerId}:log-group:${f.logGroupName}`;
}

export function flowLogXml(f: FlowLog): XmlTree {
  return {
    creationTime: f.creationTime,
    deliverLogsPermissionArn: f.deliverLogsPermissionArn,
    deliverCrossAccountRole: f.deliverCrossAccountRole,
    deliverLogsStatus: "SUCCESS",
    flowLogId: f.flowLogId,
    flowLogStatus: "ACTIVE",
    logGroupName: f.logGroupName,
    resourceId: f.resourceId,
    trafficType: f.trafficType,
    logDestinationType: f.logDestinationType,
    logDestination: destinationOf(f),
    logFormat: f.logFormat,
    tagSet: tagSet(f.tags),
    maxAggregationInterval: f.maxAggregationInterval,
    destinationOptions:
      f.logDestinationType === "s3"
        ? { fileFormat: "plain-text", hiveCompatiblePartitions: false, perHourPartition: false }
        : undefined,
  };
}

/**
 * A file destination must be a new or empty file in an existing directory, or a flow-log file
 * that begins with this format's header line (FLW-5): the controller never appends to a file
 * that is not a flow log of the same fields.
 */
export function checkFileDestination(dest: string, path: string, header: string): void {
  const refuse = (why: string) => controllerError("EMU_ERR_FLOW_LOG_FILE_FOREIGN", dest, why);
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw refuse("it is not a regular file.");
    size = st.size;
  } catch (err) {
    if (err instanceof ControllerError) throw err;
    try {
      if (!statSync(dirname(path)).isDirectory()) throw new Error("not a directory");
    } catch {
      throw refuse(`the directory ${dirname(path)} does not exist.`);
    }
    return;
  }
  if (size === 0) return;
  const buf = Buffer.alloc(header.length + 1);
  try {
    const fd = openSync(path, "r");
    try {
      readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw refuse(`the file cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"}).`);
  }
  if (buf.toString("utf8") !== `${header}\n`)
    throw refuse("the file exists and does not begin with this format's header line.");
}

const create: ActionHandler = (c) => {
  const p = c.params;
  const settings = sanitizeCreateFlowLogs({
    resourceIds: p.list("ResourceId"),
    resourceType: p.str("ResourceType"),
    trafficType: p.str("TrafficType"),
    logDestinationType: p.str("LogDestinationType"),
    logDestination: p.str("LogDestination"),
    logGroupName: p.str("LogGroupName"),
    deliverLogsPermissionArn: p.str("DeliverLogsPermissionArn"),
    deliverCrossAccountRole: p.str("DeliverCrossAccountRole"),
    logFormat: p.str("LogFormat"),
    maxAggregationInterval: p.int("MaxAggregationInterval"),
  });
  const tags = tagSpecifications(p, "vpc-flow-log");
  if (settings.sink.kind === "file")
    checkFileDestination(
      settings.logDestination ?? "",
      settings.sink.path,
      settings.fields.join(" "),
    );
  const store = flowLogStoreOf(c.store);
  const scope = scopeOfRequest(c);
  const existing = store.list().filter((f) => isInScope(f, scope));
  const created: FlowLog[] = [];
  const failed: XmlTree[] = [];
  const creationTime = new Date().toISOString();
  for (const resourceId of [...new Set(p.list("ResourceId"))]) {
    const missing = missingResource(c, settings.resourceType, resourceId);
    if (missing !== undefined) {
      failed.push(unsuccessful(resourceId, missing));
      continue;
    }
    const candidate = { ...settings, resourceId, creationTime, tags, ...scopeFields(scope) };
    if ([...existing, ...created].some((f) => sameConfiguration(candidate, f))) {
      failed.push(unsuccessful(resourceId, controllerError("EMU_ERR_FLOW_LOG_EXISTS")));
      continue;
    }
    created.push({ flowLogId: newId("fl"), ...candidate });
  }
  if (c.dryRun) throw controllerError("EMU_ERR_REQ_DRY_RUN");
  if (created.length > 0) store.add(created);
  return {
    clientToken: p.str("ClientToken"),
    flowLogIdSet: created.map((f) => f.flowLogId),
    unsuccessful: failed,
  };
};

const describe: ActionHandler = (c) => {
  const p = c.params;
  const scope = scopeOfRequest(c);
  const ids = new Set(p.list("FlowLogId"));
  const all = flowLogStoreOf(c.store)
    .list()
    .filter((f) => isInScope(f, scope) && (ids.size === 0 || ids.has(f.flowLogId)));
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "deliver-log-status": () => ["SUCCESS"],
      "flow-log-id": (f) => [f.flowLogId],
      "log-destination-type": (f) => [f.logDestinationType],
      "log-group-name": (f) => [f.logGroupName],
      "resource-id": (f) => [f.resourceId],
      "traffic-type": (f) => [f.trafficType],
    },
    (f) => f.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { flowLogSet: page.map(flowLogXml), nextToken };
};

const remove: ActionHandler = (c) => {
  const p = c.params;
  const ids = [...new Set(p.list("FlowLogId"))];
  if (ids.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "FlowLogId");
  const store = flowLogStoreOf(c.store);
  const scope = scopeOfRequest(c);
  const found: string[] = [];
  const failed: XmlTree[] = [];
  for (const id of ids) {
    const f = store.get(id);
    if (f !== undefined && isInScope(f, scope)) found.push(id);
    else failed.push(unsuccessful(id, controllerError("EMU_ERR_FLOW_LOG_NOT_FOUND", id)));
  }
  if (c.dryRun) throw controllerError("EMU_ERR_REQ_DRY_RUN");
  store.remove(found);
  return { unsuccessful: failed };
};

/** The flow logs of the request's scope (DescribeTags lists their tags). */
export function flowLogsInScope(c: Ec2Context): FlowLog[] {
  const scope = scopeOfRequest(c);
  return flowLogStoreOf(c.store)
    .list()
    .filter((f) => isInScope(f, scope));
}

/**
 * CreateTags/DeleteTags on `fl-` ids: checks every id now (InvalidFlowLogId.NotFound) and
 * returns the write, to run once the request's other resources were tagged.
 */
export function flowLogTagEdit(
  c: Ec2Context,
  ids: readonly string[],
  edit: (id: string, tags: Tags) => Tags,
): () => void {
  const byId = new Map(flowLogsInScope(c).map((f) => [f.flowLogId, f]));
  const next = ids.map((id) => {
    const f = byId.get(id);
    if (f === undefined) throw controllerError("EMU_ERR_FLOW_LOG_NOT_FOUND", id);
    return { ...f, tags: edit(id, f.tags) };
  });
  return () => {
    if (next.length > 0) flowLogStoreOf(c.store).replace(next);
  };
}

export const FLOW_LOG_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateFlowLogs: create,
  DescribeFlowLogs: describe,
  DeleteFlowLogs: remove,
};
