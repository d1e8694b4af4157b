/**
 * The CloudFormation Query API's actions (AWS-BEHAVIOUR CFN-1, CFN-2): request parameters in
 * (`Parameters.member.1.ParameterKey`), response trees out, in the shapes of AWS's
 * cloudformation-2010-05-15 model. No XML here (xml.ts writes it).
 */
import type { QueryParams } from "../ec2/query.js";
import type { Caller } from "./ec2-invoke.js";
import type { ChangeSetInput, CloudFormationEngine, StackInput } from "./engine.js";
import { cfnError } from "./errors.js";
import type {
  ChangeSetRecord,
  StackParameter,
  StackRecord,
  StackResourceRecord,
} from "./stack-store.js";
import type { CfnXmlTree } from "./xml.js";
import type { Template } from "./template.js";

export interface CfnContext {
  readonly engine: CloudFormationEngine;
  readonly params: QueryParams;
  readonly caller: Caller;
}

/** One action; `undefined` answers without a `<XResult>` element. */
export type CfnAction = (c: CfnContext) => CfnXmlTree | undefined;

function req(p: QueryParams, name: string, wire: string): string {
  const v = p.str(name);
  if (v === undefined || v === "") throw cfnError("EMU_ERR_CFN_MISSING_PARAMETER", wire);
  return v;
}

function memberList(p: QueryParams, name: string): string[] {
  return p.list(`${name}.member`);
}

function stackInput(p: QueryParams): StackInput {
  const onFailure = p.str("OnFailure");
  if (onFailure !== undefined && !["DO_NOTHING", "ROLLBACK", "DELETE"].includes(onFailure))
    throw cfnError(
      "EMU_ERR_CFN_VALIDATION",
      `1 validation error detected: Value '${onFailure}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`,
    );
  if (p.str("OnFailure") !== undefined && p.bool("DisableRollback") !== undefined)
    throw cfnError(
      "EMU_ERR_CFN_VALIDATION",
      "You can specify either DisableRollback or OnFailure, but not both.",
    );
  if (p.str("TemplateURL") !== undefined)
    throw cfnError(
      "EMU_ERR_CFN_VALIDATION",
      "TemplateURL is not supported by vpcemu (no S3): pass TemplateBody",
    );
  const timeout = p.str("TimeoutInMinutes");
  const tags = p.has("Tags")
    ? p
        .members("Tags.member")
        .map((m) => ({ Key: m.str("Key") ?? "", Value: m.str("Value") ?? "" }))
    : undefined;
  return {
    stackName: req(p, "StackName", "stackName"),
    ...(p.str("TemplateBody") === undefined
      ? {}
      : { templateBody: p.str("TemplateBody") as string }),
    ...(p.bool("UsePreviousTemplate") === true ? { usePreviousTemplate: true } : {}),
    parameters: p.members("Parameters.member").map((m) => ({
      key: m.str("ParameterKey") ?? "",
      ...(m.str("ParameterValue") === undefined
        ? {}
        : { value: m.str("ParameterValue") as string }),
      ...(m.bool("UsePreviousValue") === true ? { usePrevious: true } : {}),
    })),
    ...(tags === undefined ? {} : { tags }),
    capabilities: memberList(p, "Capabilities"),
    notificationArns: memberList(p, "NotificationARNs"),
    ...(p.bool("DisableRollback") === undefined
      ? {}
      : { disableRollback: p.bool("DisableRollback") as boolean }),
    ...(onFailure === undefined
      ? {}
      : { onFailure: onFailure as "DO_NOTHING" | "ROLLBACK" | "DELETE" }),
    ...(timeout === undefined ? {} : { timeoutInMinutes: Number(timeout) }),
    ...(p.bool("EnableTerminationProtection") === true ? { terminationProtection: true } : {}),
    ...(p.str("ClientRequestToken") === undefined
      ? {}
      : { clientRequestToken: p.str("ClientRequestToken") as string }),
  };
}

function parametersXml(params: readonly StackParameter[]): CfnXmlTree[] {
  return params.map((x) => ({ ParameterKey: x.key, ParameterValue: x.noEcho ? "****" : x.value }));
}

function tagsXml(tags: StackRecord["tags"]): CfnXmlTree[] {
  return tags.map((t) => ({ Key: t.Key, Value: t.Value }));
}

function stackXml(s: StackRecord): CfnXmlTree {
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    ChangeSetId: s.changeSetId,
    Description: s.description,
    Parameters: parametersXml(s.parameters),
    CreationTime: s.creationTime,
    DeletionTime: s.deletionTime,
    LastUpdatedTime: s.lastUpdatedTime,
    RollbackConfiguration: {},
    StackStatus: s.status,
    StackStatusReason: s.statusReason,
    DisableRollback: s.disableRollback,
    NotificationARNs: [...s.notificationArns],
    TimeoutInMinutes: s.timeoutInMinutes,
    Capabilities: [...s.capabilities],
    Outputs: s.outputs.map((o) => ({
      OutputKey: o.key,
      OutputValue: o.value,
      Description: o.description,
      ExportName: o.exportName,
    })),
    Tags: tagsXml(s.tags),
    EnableTerminationProtection: s.terminationProtection,
    DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
  };
}

function resourceXml(s: StackRecord, r: StackResourceRecord): CfnXmlTree {
  return {
    StackName: s.stackName,
    StackId: s.stackId,
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.type,
    Timestamp: r.timestamp,
    ResourceStatus: r.status,
    ResourceStatusReason: r.statusReason,
    DriftInformation: { StackResourceDriftStatus: "NOT_CHECKED" },
  };
}

function changeSetSummary(c: ChangeSetRecord): CfnXmlTree {
  return {
    StackId: c.stackId,
    StackName: c.stackName,
    ChangeSetId: c.changeSetId,
    ChangeSetName: c.changeSetName,
    ExecutionStatus: c.executionStatus,
    Status: c.status,
    StatusReason: c.statusReason,
    CreationTime: c.creationTime,
    Description: c.description,
    IncludeNestedStacks: false,
  };
}

function parameterDeclarations(t: Template): CfnXmlTree[] {
  return t.parameters.map((p) => ({
    ParameterKey: p.key,
    DefaultValue: p.default,
    ParameterType: p.type,
    NoEcho: p.noEcho,
    Description: p.description,
    ParameterConstraints: {
      AllowedValues: p.allowedValues === undefined ? undefined : [...p.allowedValues],
    },
  }));
}

const validateTemplate: CfnAction = (c) => {
  const body = c.params.str("TemplateBody");
  if (body === undefined)
    throw cfnError(
      "EMU_ERR_CFN_VALIDATION",
      "Either Template URL or Template Body must be specified.",
    );
  const { template } = c.engine.parse(body);
  return {
    Parameters: template.parameters.map((p) => ({
      ParameterKey: p.key,
      DefaultValue: p.default,
      NoEcho: p.noEcho,
      Description: p.description,
    })),
    Description: template.description,
    Capabilities: [],
    DeclaredTransforms: [],
  };
};

const createStack: CfnAction = (c) => ({
  StackId: c.engine.createStack(c.caller, stackInput(c.params)).stackId,
});

const updateStack: CfnAction = (c) => ({
  StackId: c.engine.updateStack(c.caller, stackInput(c.params)).stackId,
});

const deleteStack: CfnAction = (c) => {
  c.engine.deleteStack(
    c.caller,
    req(c.params, "StackName", "stackName"),
    memberList(c.params, "RetainResources"),
    c.params.str("ClientRequestToken"),
  );
  return undefined;
};

const describeStacks: CfnAction = (c) => {
  const name = c.params.str("StackName");
  const stacks =
    name === undefined || name === ""
      ? c.engine
          .stacksOf(c.caller)
          .filter((s) => s.status !== "DELETE_COMPLETE")
          .reverse()
      : [c.engine.requireStack(c.caller, name)];
  return { Stacks: stacks.map(stackXml) };
};

const describeStackEvents: CfnAction = (c) => {
  const s = c.engine.requireStack(c.caller, req(c.params, "StackName", "stackName"));
  return {
    StackEvents: [...c.engine.events(s)].reverse().map((e) => ({
      StackId: e.stackId,
      EventId: e.eventId,
      StackName: e.stackName,
      LogicalResourceId: e.logicalId,
      PhysicalResourceId: e.physicalId,
      ResourceType: e.resourceType,
      Timestamp: e.timestamp,
      ResourceStatus: e.status,
      ResourceStatusReason: e.statusReason,
      ResourceProperties: e.properties,
      ClientRequestToken: e.clientRequestToken,
    })),
  };
};

const describeStackResources: CfnAction = (c) => {
  const name = c.params.str("StackName");
  const physical = c.params.str("PhysicalResourceId");
  const logical = c.params.str("LogicalResourceId");
  if (name === undefined && physical === undefined)
    throw cfnError(
      "EMU_ERR_CFN_VALIDATION",
      "Either StackName or PhysicalResourceId must be specified.",
    );
  let stack: StackRecord | undefined;
  if (name !== undefined) stack = c.engine.requireStack(c.caller, name);
  else {
    stack = c.engine
      .stacksOf(c.caller)
      .find(
        (s) => s.status !== "DELETE_COMPLETE" && s.resources.some((r) => r.physicalId === physical),
      );
    if (stack === undefined) throw cfnError("EMU_ERR_CFN_STACK_NOT_FOUND", physical as string);
  }
  const s = stack;
  const resources = s.resources.filter(
    (r) =>
      (logical === undefined || r.logicalId === logical) &&
      (physical === undefined || r.physicalId === physical),
  );
  return { StackResources: resources.map((r) => resourceXml(s, r)) };
};

const describeStackResource: CfnAction = (c) => {
  const s = c.engine.requireStack(c.caller, req(c.params, "StackName", "stackName"));
  const logical = req(c.params, "LogicalResourceId", "logicalResourceId");
  const r = s.resources.find((x) => x.logicalId === logical);
  if (r === undefined) throw cfnError("EMU_ERR_CFN_RESOURCE_NOT_FOUND", logical, s.stackName);
  const { Timestamp, ...rest } = resourceXml(s, r);
  return { StackResourceDetail: { ...rest, LastUpdatedTimestamp: Timestamp, Metadata: "{}" } };
};

const listStackResources: CfnAction = (c) => {
  const s = c.engine.requireStack(c.caller, req(c.params, "StackName", "stackName"));
  return {
    StackResourceSummaries: s.resources.map((r) => ({
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: r.physicalId,
      ResourceType: r.type,
      LastUpdatedTimestamp: r.timestamp,
      ResourceStatus: r.status,
      ResourceStatusReason: r.statusReason,
      DriftInformation: { StackResourceDriftStatus: "NOT_CHECKED" },
    })),
  };
};

const listStacks: CfnAction = (c) => {
  const filter = memberList(c.params, "StackStatusFilter");
  return {
    StackSummaries: c.engine
      .stacksOf(c.caller)
      .filter((s) => filter.length === 0 || filter.includes(s.status))
      .reverse()
      .map((s) => ({
        StackId: s.stackId,
        StackName: s.stackName,
        TemplateDescription: s.description,
        CreationTime: s.creationTime,
        LastUpdatedTime: s.lastUpdatedTime,
        DeletionTime: s.deletionTime,
        StackStatus: s.status,
        StackStatusReason: s.statusReason,
        DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
      })),
  };
};

const getTemplate: CfnAction = (c) => {
  const csName = c.params.str("ChangeSetName");
  const stackName = c.params.str("StackName");
  let body: string;
  if (csName !== undefined)
    body = c.engine.requireChangeSet(c.caller, csName, stackName).templateBody;
  else body = c.engine.requireStack(c.caller, req(c.params, "StackName", "stackName")).templateBody;
  return { TemplateBody: body, StagesAvailable: ["Original", "Processed"] };
};

const getTemplateSummary: CfnAction = (c) => {
  const body = c.params.str("TemplateBody");
  const stackName = c.params.str("StackName");
  if (body === undefined && stackName === undefined)
    throw cfnError(
      "EMU_ERR_CFN_VALIDATION",
      "Either Template URL or Template Body or StackName must be specified.",
    );
  const text = body ?? c.engine.requireStack(c.caller, stackName as string).templateBody;
  const { template } = c.engine.parse(text);
  return {
    Parameters: parameterDeclarations(template),
    Description: template.description,
    Capabilities: [],
    ResourceTypes: [...new Set(template.resources.map((r) => r.type))],
    Version: "2010-09-09",
    Metadata: template.metadata === undefined ? undefined : JSON.stringify(template.metadata),
    DeclaredTransforms: [],
  };
};

function changeSetInput(p: QueryParams): ChangeSetInput {
  const type = p.str("ChangeSetType") ?? "UPDATE";
  if (type !== "CREATE" && type !== "UPDATE")
    throw cfnError(
      "EMU_ERR_CFN_VALIDATION",
      `ChangeSetType ${type} is not supported by vpcemu (CREATE or UPDATE)`,
    );
  return {
    ...stackInput(p),
    changeSetName: req(p, "ChangeSetName", "changeSetName"),
    changeSetType: type,
    ...(p.str("Description") === undefined ? {} : { description: p.str("Description") as string }),
  };
}

const createChangeSet: CfnAction = (c) => {
  const cs = c.engine.createChangeSet(c.caller, changeSetInput(c.params));
  return { Id: cs.changeSetId, StackId: cs.stackId };
};

const describeChangeSet: CfnAction = (c) => {
  const cs = c.engine.requireChangeSet(
    c.caller,
    req(c.params, "ChangeSetName", "changeSetName"),
    c.params.str("StackName"),
  );
  return {
    ChangeSetName: cs.changeSetName,
    ChangeSetId: cs.changeSetId,
    StackId: cs.stackId,
    StackName: cs.stackName,
    Description: cs.description,
    Parameters: parametersXml(cs.parameters),
    CreationTime: cs.creationTime,
    ExecutionStatus: cs.executionStatus,
    Status: cs.status,
    StatusReason: cs.statusReason,
    NotificationARNs: [...cs.notificationArns],
    RollbackConfiguration: {},
    Capabilities: [...cs.capabilities],
    Tags: tagsXml(cs.tags),
    Changes: cs.changes.map((ch) => ({
      Type: "Resource",
      ResourceChange: {
        Action: ch.action,
        LogicalResourceId: ch.logicalId,
        PhysicalResourceId: ch.physicalId,
        ResourceType: ch.resourceType,
        Replacement: ch.replacement,
        Scope: [...ch.scope],
        Details: ch.details.map((d) => ({
          Target: {
            Attribute: "Properties",
            Name: d.name,
            RequiresRecreation: d.requiresRecreation,
          },
          Evaluation: "Static",
          ChangeSource: "DirectModification",
        })),
      },
    })),
    IncludeNestedStacks: false,
  };
};

const executeChangeSet: CfnAction = (c) => {
  c.engine.executeChangeSet(
    c.caller,
    req(c.params, "ChangeSetName", "changeSetName"),
    c.params.str("StackName"),
    c.params.bool("DisableRollback") === true,
    c.params.str("ClientRequestToken"),
  );
  return {};
};

const deleteChangeSet: CfnAction = (c) => {
  c.engine.deleteChangeSet(
    c.caller,
    req(c.params, "ChangeSetName", "changeSetName"),
    c.params.str("StackName"),
  );
  return {};
};

const listChangeSets: CfnAction = (c) => {
  const s = c.engine.requireStack(c.caller, req(c.params, "StackName", "stackName"));
  return { Summaries: c.engine.changeSetsOf(s).map(changeSetSummary) };
};

const listExports: CfnAction = (c) => ({
  Exports: [...c.engine.exports(c.caller)].map(([name, e]) => ({
    ExportingStackId: e.stack.stackId,
    Name: name,
    Value: e.value,
  })),
});

const listImports: CfnAction = (c) => {
  const name = req(c.params, "ExportName", "exportName");
  const users = c.engine.importers(c.caller, name);
  if (users.length === 0)
    throw cfnError("EMU_ERR_CFN_VALIDATION", `Export '${name}' is not imported by any stack.`);
  return { Imports: users };
};

/** Action -> handler: every CloudFormation action vpcemu answers (docs/cloudformation.md). */
export const CFN_ACTIONS: Readonly<Record<string, CfnAction>> = {
  ValidateTemplate: validateTemplate,
  CreateStack: createStack,
  UpdateStack: updateStack,
  DeleteStack: deleteStack,
  DescribeStacks: describeStacks,
  DescribeStackEvents: describeStackEvents,
  DescribeStackResources: describeStackResources,
  DescribeStackResource: describeStackResource,
  ListStackResources: listStackResources,
  ListStacks: listStacks,
  GetTemplate: getTemplate,
  GetTemplateSummary: getTemplateSummary,
  CreateChangeSet: createChangeSet,
  DescribeChangeSet: describeChangeSet,
  ExecuteChangeSet: executeChangeSet,
  DeleteChangeSet: deleteChangeSet,
  ListChangeSets: listChangeSets,
  ListExports: listExports,
  ListImports: listImports,
};
