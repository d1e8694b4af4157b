/**
 * Template structure and its checks (AWS-BEHAVIOUR CFN-3..CFN-6): the sections, parameters,
 * mappings, conditions, resources and outputs of a parsed body, checked as AWS checks them
 * before anything is created (ValidateTemplate, CreateStack, UpdateStack, CreateChangeSet):
 * unknown sections, no Resources, a resource without Type, unrecognized resource types,
 * unknown parameter types, references to undefined names or attributes, and dependency cycles.
 * Pure.
 */
import { cfnError, templateError, templateFormatError } from "./errors.js";
import { creationOrder, referencesIn } from "./graph.js";
import { PSEUDO_PARAMETERS, intrinsicName } from "./intrinsics.js";
import { userText } from "../user-text.js";

export interface ParameterDecl {
  readonly key: string;
  readonly type: string;
  readonly default?: string;
  readonly allowedValues?: readonly string[];
  readonly allowedPattern?: string;
  readonly noEcho: boolean;
  readonly description?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly constraintDescription?: string;
}

export interface ResourceDecl {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly dependsOn: readonly string[];
  readonly condition?: string;
  /** Delete (default) or Retain; Snapshot acts as Delete for these types. */
  readonly deletionPolicy: "Delete" | "Retain";
}

export interface OutputDecl {
  readonly key: string;
  readonly value: unknown;
  readonly description?: string;
  readonly exportName?: unknown;
  readonly condition?: string;
}

export interface Template {
  readonly description?: string;
  readonly parameters: readonly ParameterDecl[];
  readonly mappings: Readonly<Record<string, unknown>>;
  readonly conditions: Readonly<Record<string, unknown>>;
  /** In template order. */
  readonly resources: readonly ResourceDecl[];
  readonly outputs: readonly OutputDecl[];
  /** A creation order of all resources (before conditions). */
  readonly order: readonly string[];
  readonly metadata?: unknown;
}

/** What the checks need to know about resource types. */
export interface ResourceCatalog {
  isSupported(type: string): boolean;
  /** The Fn::GetAtt attribute names of a supported type. */
  attributes(type: string): readonly string[];
}

const SECTIONS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
]);

const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "Condition",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
]);

const SCALAR_PARAMETER_TYPES = new Set([
  "String",
  "Number",
  "AWS::EC2::AvailabilityZone::Name",
  "AWS::EC2::Image::Id",
  "AWS::EC2::Instance::Id",
  "AWS::EC2::KeyPair::KeyName",
  "AWS::EC2::SecurityGroup::GroupName",
  "AWS::EC2::SecurityGroup::Id",
  "AWS::EC2::Subnet::Id",
  "AWS::EC2::Volume::Id",
  "AWS::EC2::VPC::Id",
]);

/** True for the parameter types whose value is a list. */
export function isListParameterType(type: string): boolean {
  return type === "CommaDelimitedList" || type.startsWith("List<");
}

function isKnownParameterType(type: string): boolean {
  if (SCALAR_PARAMETER_TYPES.has(type) || type === "CommaDelimitedList") return true;
  const m = /^List<(.+)>$/.exec(type);
  return m !== null && SCALAR_PARAMETER_TYPES.has(m[1] as string) && m[1] !== "String";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function optString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : userText(v);
}

function optNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function readParameters(tree: Record<string, unknown>): ParameterDecl[] {
  const section = tree["Parameters"];
  if (section === undefined || section === null) return [];
  if (!isObject(section)) throw templateFormatError("Parameters must be an object");
  return Object.entries(section).map(([key, p]) => {
    if (!isObject(p) || p["Type"] === undefined)
      throw templateFormatError("Every Parameters object must contain a Type member.");
    const type = userText(p["Type"]);
    if (!isKnownParameterType(type))
      throw templateFormatError(`Unrecognized parameter type: ${type}`);
    const allowed = p["AllowedValues"];
    if (allowed !== undefined && !Array.isArray(allowed))
      throw templateFormatError(`Every AllowedValues object in Parameters ${key} must be a list`);
    const def = p["Default"];
    const noEcho = p["NoEcho"];
    return {
      key,
      type,
      ...(def === undefined || def === null
        ? {}
        : { default: Array.isArray(def) ? def.map(userText).join(",") : userText(def) }),
      ...(allowed === undefined ? {} : { allowedValues: (allowed as unknown[]).map(userText) }),
      ...(optString(p["AllowedPattern"]) === undefined
        ? {}
        : { allowedPattern: optString(p["AllowedPattern"]) as string }),
      noEcho: noEcho === true || userText(noEcho).toLowerCase() === "true",
      ...(optString(p["Description"]) === undefined
        ? {}
        : { description: optString(p["Description"]) as string }),
      ...(optNumber(p["MinLength"]) === undefined
        ? {}
        : { minLength: optNumber(p["MinLength"]) as number }),
      ...(optNumber(p["MaxLength"]) === undefined
        ? {}
        : { maxLength: optNumber(p["MaxLength"]) as number }),
      ...(optNumber(p["MinValue"]) === undefined
        ? {}
        : { minValue: optNumber(p["MinValue"]) as number }),
      ...(optNumber(p["MaxValue"]) === undefined
        ? {}
        : { maxValue: optNumber(p["MaxValue"]) as number }),
      ...(optString(p["ConstraintDescription"]) === undefined
        ? {}
        : { constraintDescription: optString(p["ConstraintDescription"]) as string }),
    };
  });
}

function readResources(tree: Record<string, unknown>): ResourceDecl[] {
  const section = tree["Resources"];
  if (!isObject(section) || Object.keys(section).length === 0)
    throw templateFormatError("At least one Resources member must be defined.");
  return Object.entries(section).map(([logicalId, r]) => {
    if (!/^[A-Za-z0-9]+$/.test(logicalId))
      throw templateFormatError(`Resource name ${logicalId} is non alphanumeric.`);
    if (!isObject(r) || typeof r["Type"] !== "string")
      throw templateFormatError(
        `[/Resources/${logicalId}] Every Resources object must contain a Type member.`,
      );
    for (const k of Object.keys(r))
      if (!RESOURCE_KEYS.has(k))
        throw templateFormatError(`Invalid template resource property '${k}'`);
    const props = r["Properties"];
    if (props !== undefined && props !== null && !isObject(props))
      throw templateFormatError(
        `[/Resources/${logicalId}/Properties] 'null' values are not allowed in templates`,
      );
    const dep = r["DependsOn"];
    const dependsOn =
      dep === undefined ? [] : Array.isArray(dep) ? dep.map(userText) : [userText(dep)];
    const cond = r["Condition"];
    const policy = r["DeletionPolicy"];
    if (
      policy !== undefined &&
      !["Delete", "Retain", "Snapshot", "RetainExceptOnCreate"].includes(userText(policy))
    )
      throw templateFormatError(
        `Unrecognized DeletionPolicy ${userText(policy)} for resource ${logicalId}`,
      );
    return {
      logicalId,
      type: r["Type"] as string,
      properties: isObject(props) ? props : {},
      dependsOn,
      ...(cond === undefined ? {} : { condition: userText(cond) }),
      deletionPolicy: policy === "Retain" ? "Retain" : "Delete",
    };
  });
}

function readOutputs(tree: Record<string, unknown>): OutputDecl[] {
  const section = tree["Outputs"];
  if (section === undefined || section === null) return [];
  if (!isObject(section)) throw templateFormatError("Outputs must be an object");
  return Object.entries(section).map(([key, o]) => {
    if (!isObject(o) || o["Value"] === undefined)
      throw templateFormatError(
        `Every Outputs member must contain a Value object, the Outputs member ${key} does not`,
      );
    const exp = o["Export"];
    if (exp !== undefined && (!isObject(exp) || exp["Name"] === undefined))
      throw templateFormatError(
        `Output ${key} is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens.`,
      );
    return {
      key,
      value: o["Value"],
      ...(optString(o["Description"]) === undefined
        ? {}
        : { description: optString(o["Description"]) as string }),
      ...(isObject(exp) ? { exportName: exp["Name"] } : {}),
      ...(o["Condition"] === undefined ? {} : { condition: userText(o["Condition"]) }),
    };
  });
}

/** Names of conditions used by Fn::If and Condition inside `v`. */
function conditionNamesIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) {
    for (const x of v) conditionNamesIn(x, out);
    return out;
  }
  if (!isObject(v)) return out;
  const fn = intrinsicName(v);
  if (fn === "Fn::If") {
    const a = v[fn];
    if (Array.isArray(a) && typeof a[0] === "string") out.push(a[0]);
  } else if (fn === "Condition" && typeof v[fn] === "string") out.push(v[fn] as string);
  for (const child of Object.values(v)) conditionNamesIn(child, out);
  return out;
}

function checkReferences(
  where: string,
  v: unknown,
  resources: ReadonlyMap<string, ResourceDecl>,
  params: ReadonlySet<string>,
  catalog: ResourceCatalog,
): void {
  const unresolved: string[] = [];
  for (const [kind, name, attr] of referencesIn(v)) {
    if (kind === "ref") {
      if (
        !resources.has(name) &&
        !params.has(name) &&
        !(PSEUDO_PARAMETERS as readonly string[]).includes(name)
      )
        unresolved.push(name);
      continue;
    }
    const r = resources.get(name);
    if (r === undefined) {
      throw templateError(`instance of Fn::GetAtt references undefined resource ${name}`);
    }
    if (
      attr !== undefined &&
      catalog.isSupported(r.type) &&
      !catalog.attributes(r.type).includes(attr)
    )
      throw templateError(`resource ${name} does not support attribute type ${attr} in Fn::GetAtt`);
  }
  if (unresolved.length > 0)
    throw templateFormatError(
      `Unresolved resource dependencies [${[...new Set(unresolved)].join(", ")}] in the ${where} block of the template`,
    );
}

/**
 * Checks a parsed body as AWS does before any change and returns its structure. Throws
 * ValidationError with AWS's text for the first problem found.
 */
export function checkTemplate(tree: Record<string, unknown>, catalog: ResourceCatalog): Template {
  const bad = Object.keys(tree).filter((k) => !SECTIONS.has(k));
  if (bad.length > 0)
    throw templateFormatError(`Invalid template property or properties [${bad.join(", ")}]`);
  if (tree["Transform"] !== undefined)
    throw templateFormatError("Transform is not supported by vpcemu");
  const parameters = readParameters(tree);
  const resources = readResources(tree);
  const unrecognized = [
    ...new Set(resources.map((r) => r.type).filter((t) => !catalog.isSupported(t))),
  ];
  if (unrecognized.length > 0)
    throw templateFormatError(`Unrecognized resource types: [${unrecognized.join(", ")}]`);
  const mappings = isObject(tree["Mappings"]) ? tree["Mappings"] : {};
  const conditions = isObject(tree["Conditions"]) ? tree["Conditions"] : {};
  const outputs = readOutputs(tree);
  const byId = new Map(resources.map((r) => [r.logicalId, r]));
  const paramNames = new Set(parameters.map((p) => p.key));
  for (const r of resources) {
    checkReferences("Resources", r.properties, byId, paramNames, catalog);
    const missing = r.dependsOn.filter((d) => !byId.has(d));
    if (missing.length > 0)
      throw templateFormatError(
        `Unresolved resource dependencies [${missing.join(", ")}] in the Resources block of the template`,
      );
    const conds = [
      ...(r.condition === undefined ? [] : [r.condition]),
      ...conditionNamesIn(r.properties),
    ];
    const undefinedConds = conds.filter((c) => !Object.hasOwn(conditions, c));
    if (undefinedConds.length > 0)
      throw templateFormatError(
        `Unresolved condition dependencies [${undefinedConds.join(", ")}] in the Resources block of the template`,
      );
  }
  for (const [name, c] of Object.entries(conditions)) {
    const refsToResources = referencesIn(c)
      .filter(([, n]) => byId.has(n))
      .map(([, n]) => n);
    if (refsToResources.length > 0)
      throw templateFormatError(
        `Unresolved dependencies [${refsToResources.join(", ")}]. Cannot reference resources in the Conditions block of the template`,
      );
    const undefinedConds = conditionNamesIn(c).filter((x) => !Object.hasOwn(conditions, x));
    if (undefinedConds.length > 0)
      throw templateFormatError(
        `Unresolved condition dependencies [${undefinedConds.join(", ")}] in the Conditions block of the template (condition ${name})`,
      );
  }
  for (const o of outputs) {
    checkReferences("Outputs", o.value, byId, paramNames, catalog);
    if (o.exportName !== undefined)
      checkReferences("Outputs", o.exportName, byId, paramNames, catalog);
    if (o.condition !== undefined && !Object.hasOwn(conditions, o.condition))
      throw templateFormatError(
        `Unresolved condition dependencies [${o.condition}] in the Outputs block of the template`,
      );
  }
  const order = creationOrder(resources);
  const desc = tree["Description"];
  if (desc !== undefined && typeof desc !== "string")
    throw templateFormatError("Every Description member must be a string.");
  return {
    ...(typeof desc === "string" ? { description: desc } : {}),
    parameters,
    mappings,
    conditions,
    resources,
    outputs,
    order,
    ...(tree["Metadata"] === undefined ? {} : { metadata: tree["Metadata"] }),
  };
}

/** A parameter value given on a request (ParameterKey/ParameterValue/UsePreviousValue). */
export interface ParameterInput {
  readonly key: string;
  readonly value?: string;
  readonly usePrevious?: boolean;
}

/**
 * The parameter values of a stack operation (CFN-10): given values, else previous values
 * (UsePreviousValue), else defaults; checked against AllowedValues, AllowedPattern, lengths,
 * Number bounds. Returns key -> string (list types stay comma-joined here).
 */
export function resolveParameterValues(
  decls: readonly ParameterDecl[],
  given: readonly ParameterInput[],
  previous: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const byKey = new Map(decls.map((d) => [d.key, d]));
  const unknown = given.filter((g) => !byKey.has(g.key)).map((g) => g.key);
  if (unknown.length > 0) throw cfnError("EMU_ERR_CFN_PARAMETER_UNKNOWN", unknown.join(", "));
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const d of decls) {
    const g = given.find((x) => x.key === d.key);
    const v =
      g?.usePrevious === true ? previous.get(d.key) : g?.value !== undefined ? g.value : d.default;
    if (v === undefined) {
      missing.push(d.key);
      continue;
    }
    if (d.allowedValues !== undefined && !d.allowedValues.includes(v))
      throw cfnError("EMU_ERR_CFN_PARAMETER_NOT_ALLOWED", d.key);
    const why = d.constraintDescription;
    if (d.allowedPattern !== undefined && !new RegExp(`^(?:${d.allowedPattern})$`).test(v))
      throw cfnError(
        "EMU_ERR_CFN_PARAMETER_VALUE",
        d.key,
        why ?? `failed to satisfy constraint: Parameter must match pattern ${d.allowedPattern}`,
      );
    if (d.minLength !== undefined && v.length < d.minLength)
      throw cfnError(
        "EMU_ERR_CFN_PARAMETER_VALUE",
        d.key,
        why ?? `must contain at least ${d.minLength} characters`,
      );
    if (d.maxLength !== undefined && v.length > d.maxLength)
      throw cfnError(
        "EMU_ERR_CFN_PARAMETER_VALUE",
        d.key,
        why ?? `must contain at most ${d.maxLength} characters`,
      );
    if (d.type === "Number" || d.type === "List<Number>") {
      const nums = d.type === "Number" ? [v] : v.split(",");
      for (const n of nums) {
        if (n.trim() === "" || !Number.isFinite(Number(n)))
          throw cfnError("EMU_ERR_CFN_PARAMETER_VALUE", d.key, "must be a number");
        if (d.minValue !== undefined && Number(n) < d.minValue)
          throw cfnError(
            "EMU_ERR_CFN_PARAMETER_VALUE",
            d.key,
            why ?? `must be a number not less than ${d.minValue}`,
          );
        if (d.maxValue !== undefined && Number(n) > d.maxValue)
          throw cfnError(
            "EMU_ERR_CFN_PARAMETER_VALUE",
            d.key,
            why ?? `must be a number not greater than ${d.maxValue}`,
          );
      }
    }
    out.set(d.key, v);
  }
  if (missing.length > 0) throw cfnError("EMU_ERR_CFN_PARAMETER_MISSING", missing.join(", "));
  return out;
}
