/**
 * VPC flow logs as the EC2 API defines them (CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs;
 * AWS-BEHAVIOUR FL-1..FL-8, docs/observability.md "Flow logs" FLW-1..FLW-5): the stored record,
 * the log format's fields of versions 2 to 8, and the validation of a CreateFlowLogs request.
 * Pure.
 */
import { controllerError } from "../errors.js";
import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";

export const FLOW_LOG_RESOURCE_TYPES = ["VPC", "Subnet", "NetworkInterface"] as const;
export type FlowLogResourceType = (typeof FLOW_LOG_RESOURCE_TYPES)[number];

export const FLOW_LOG_TRAFFIC_TYPES = ["ACCEPT", "REJECT", "ALL"] as const;
export type FlowLogTrafficType = (typeof FLOW_LOG_TRAFFIC_TYPES)[number];

export const FLOW_LOG_DESTINATION_TYPES = [
  "cloud-watch-logs",
  "s3",
  "kinesis-data-firehose",
] as const;
export type FlowLogDestinationType = (typeof FLOW_LOG_DESTINATION_TYPES)[number];

/** FLW-1: MaxAggregationInterval takes 60 or 600 (default 600). */
export const FLOW_LOG_AGGREGATION_INTERVALS = [60, 600] as const;

/**
 * Every field AWS's LogFormat accepts, with the flow-log version that introduced it (FL-8,
 * FLW-2). The default (v2) format is the 14 version-2 fields in this order (FL-1).
 */
export const FLOW_LOG_FIELDS: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, number>, {
    version: 2,
    "account-id": 2,
    "interface-id": 2,
    srcaddr: 2,
    dstaddr: 2,
    srcport: 2,
    dstport: 2,
    protocol: 2,
    packets: 2,
    bytes: 2,
    start: 2,
    end: 2,
    action: 2,
    "log-status": 2,
    "vpc-id": 3,
    "subnet-id": 3,
    "instance-id": 3,
    "tcp-flags": 3,
    type: 3,
    "pkt-srcaddr": 3,
    "pkt-dstaddr": 3,
    region: 4,
    "az-id": 4,
    "sublocation-type": 4,
    "sublocation-id": 4,
    "pkt-src-aws-service": 5,
    "pkt-dst-aws-service": 5,
    "flow-direction": 5,
    "traffic-path": 5,
    "ecs-cluster-arn": 7,
    "ecs-cluster-name": 7,
    "ecs-container-instance-arn": 7,
    "ecs-container-instance-id": 7,
    "ecs-container-id": 7,
    "ecs-second-container-id": 7,
    "ecs-service-name": 7,
    "ecs-task-definition-arn": 7,
    "ecs-task-arn": 7,
    "ecs-task-id": 7,
    "reject-reason": 8,
  }),
);

/** The default format's fields (FL-1). */
export const DEFAULT_FLOW_LOG_FIELDS: readonly string[] = Object.keys(FLOW_LOG_FIELDS).slice(0, 14);

/** The default format as DescribeFlowLogs shows it. */
export const DEFAULT_LOG_FORMAT = DEFAULT_FLOW_LOG_FIELDS.map((f) => `\${${f}}`).join(" ");

/**
 * vpcemu's file destinations (FLW-5): `file:///ABSOLUTE/PATH` for SDKs, Terraform and
 * CloudFormation; `arn:vpcemu:file:::/ABSOLUTE/PATH` for the aws CLI, which reads any `file://`
 * parameter value as a file to load.
 */
export const FILE_DESTINATION_PREFIXES = ["file://", "arn:vpcemu:file:::"] as const;

/** Where the controller delivers a flow log's lines besides the JSON API (docs/observability.md). */
export type FlowLogSink =
  { readonly kind: "api" } | { readonly kind: "file"; readonly path: string };

/** A flow log as stored (the `flow_logs` side table). */
export interface FlowLog extends ScopedFields {
  readonly flowLogId: string;
  readonly resourceId: string;
  readonly resourceType: FlowLogResourceType;
  readonly trafficType: FlowLogTrafficType;
  readonly logDestinationType: FlowLogDestinationType;
  /** As given (an ARN, or one of vpcemu's file destinations); absent for a LogGroupName destination. */
  readonly logDestination?: string;
  readonly logGroupName?: string;
  readonly deliverLogsPermissionArn?: string;
  readonly deliverCrossAccountRole?: string;
  readonly logFormat: string;
  /** The format's fields, in order. */
  readonly fields: readonly string[];
  readonly maxAggregationInterval: number;
  /** ISO 8601. */
  readonly creationTime: string;
  readonly sink: FlowLogSink;
  readonly tags: Tags;
}

/** The request of CreateFlowLogs, as strings from the query. */
export interface CreateFlowLogsInput {
  readonly resourceIds: readonly string[];
  readonly resourceType: string | undefined;
  readonly trafficType: string | undefined;
  readonly logDestinationType: string | undefined;
  readonly logDestination: string | undefined;
  readonly logGroupName: string | undefined;
  readonly deliverLogsPermissionArn: string | undefined;
  readonly deliverCrossAccountRole: string | undefined;
  readonly logFormat: string | undefined;
  readonly maxAggregationInterval: number | undefined;
}

/** What a valid CreateFlowLogs request configures for each resource. */
export type FlowLogSettings = Omit<
  FlowLog,
  "flowLogId" | "resourceId" | "creationTime" | "tags" | "ownerId" | "region"
>;

/**
 * The fields of a LogFormat (FLW-2): `${field}` tokens separated by single spaces, at least one.
 * A token that is not `${...}` answers InvalidParameter "invalid format"; an unknown field
 * InvalidParameter naming every unknown one, e.g. `Unknown fields provided: ${foo}`.
 */
export function parseLogFormat(format: string): string[] {
  const tokens = format.split(" ");
  const fields: string[] = [];
  const unknown: string[] = [];
  for (const t of tokens) {
    const m = /^\$\{([^{}\s]+)\}$/.exec(t);
    if (m?.[1] === undefined)
      throw controllerError(
        "EMU_ERR_FLOW_LOG_FORMAT_INVALID",
        format.length > 200 ? `${format.slice(0, 200)}...` : format,
      );
    if (FLOW_LOG_FIELDS[m[1]] === undefined) unknown.push(t);
    else fields.push(m[1]);
  }
  if (unknown.length > 0)
    throw controllerError("EMU_ERR_FLOW_LOG_FORMAT_UNKNOWN_FIELD", unknown.join(", "));
  return fields;
}

/** FL-2: a custom format's `version` is the highest version among its fields. */
export function formatVersion(fields: readonly string[]): number {
  let v = 2;
  for (const f of fields) v = Math.max(v, FLOW_LOG_FIELDS[f] ?? 2);
  return v;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  param: string,
): T {
  if (value === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", param);
  if (!(allowed as readonly string[]).includes(value))
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Value (${value}) for parameter ${param} is invalid. Valid values: ${allowed.join(", ")}.`,
    );
  return value as T;
}

/**
 * Validates a CreateFlowLogs request (FLW-1, FLW-3) and returns its settings; the resources are
 * checked one by one by the caller (each failure is an `Unsuccessful` item, FLW-4).
 */
export function sanitizeCreateFlowLogs(input: CreateFlowLogsInput): FlowLogSettings {
  if (input.resourceIds.length === 0)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "ResourceId");
  const resourceType = oneOf(input.resourceType, FLOW_LOG_RESOURCE_TYPES, "ResourceType");
  const trafficType = oneOf(input.trafficType, FLOW_LOG_TRAFFIC_TYPES, "TrafficType");
  const logDestinationType = oneOf(
    input.logDestinationType ?? "cloud-watch-logs",
    FLOW_LOG_DESTINATION_TYPES,
    "LogDestinationType",
  );
  const interval = input.maxAggregationInterval ?? 600;
  if (!(FLOW_LOG_AGGREGATION_INTERVALS as readonly number[]).includes(interval))
    throw controllerError("EMU_ERR_FLOW_LOG_AGGREGATION_INTERVAL", interval);
  let sink: FlowLogSink = { kind: "api" };
  const dest = input.logDestination;
  if (logDestinationType === "cloud-watch-logs") {
    if (dest === undefined && input.logGroupName === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER",
        "LogDestination or LogGroupName must be provided when LogDestinationType is cloud-watch-logs.",
      );
    if (dest !== undefined && input.logGroupName !== undefined)
      throw controllerError(
        "EMU_ERR_REQ_PARAMETER_COMBINATION",
        "LogDestination and LogGroupName cannot both be provided.",
      );
    // API_CreateFlowLogs: "required if the destination type is cloud-watch-logs".
    if (input.deliverLogsPermissionArn === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER",
        "DeliverLogsPermissionArn must be provided when LogDestinationType is cloud-watch-logs.",
      );
  } else {
    if (dest === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER",
        `LogDestination must be provided when LogDestinationType is ${logDestinationType}.`,
      );
    if (input.logGroupName !== undefined)
      throw controllerError(
        "EMU_ERR_REQ_PARAMETER_COMBINATION",
        `LogGroupName cannot be provided when LogDestinationType is ${logDestinationType}.`,
      );
  }
  if (dest !== undefined) {
    const prefix = FILE_DESTINATION_PREFIXES.find((x) => dest.startsWith(x));
    if (prefix !== undefined) {
      // vpcemu extension: the controller appends the lines to this file (FLW-5).
      const path = dest.slice(prefix.length);
      if (!path.startsWith("/") || path.includes("\0"))
        throw controllerError("EMU_ERR_FLOW_LOG_FILE_DESTINATION", dest);
      sink = { kind: "file", path };
    } else if (!dest.startsWith("arn:"))
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Value (${dest}) for parameter LogDestination is invalid. Give an ARN, or vpcemu's file:///ABSOLUTE/PATH (arn:vpcemu:file:::/ABSOLUTE/PATH).`,
      );
  }
  const logFormat = input.logFormat ?? DEFAULT_LOG_FORMAT;
  const fields = parseLogFormat(logFormat);
  return {
    resourceType,
    trafficType,
    logDestinationType,
    ...(dest !== undefined ? { logDestination: dest } : {}),
    ...(input.logGroupName !== undefined ? { logGroupName: input.logGroupName } : {}),
    ...(input.deliverLogsPermissionArn !== undefined
      ? { deliverLogsPermissionArn: input.deliverLogsPermissionArn }
      : {}),
    ...(input.deliverCrossAccountRole !== undefined
      ? { deliverCrossAccountRole: input.deliverCrossAccountRole }
      : {}),
    logFormat,
    fields,
    maxAggregationInterval: interval,
    sink,
  };
}
