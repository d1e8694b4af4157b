/**
 * What a CloudFormation resource type is to the engine (AWS-BEHAVIOUR CFN-20..CFN-22): its
 * properties (checked as AWS's resource schemas check them, with AWS's "Properties validation
 * failed" text), its Ref and Fn::GetAtt values, which property changes apply in place (others
 * replace the resource), and create / update / delete through EC2.
 */
import { randomBytes } from "node:crypto";
import type { Ec2Invoke } from "./ec2-invoke.js";

/** Property value kinds, named as AWS's schema validator names them in its messages. */
export type PropKind = "String" | "Integer" | "Boolean" | "List" | "Object" | "Any";

export interface PropSpec {
  readonly kind: PropKind;
  readonly required?: boolean;
  /** For List: the item spec; for Object: the member specs (undefined: anything). */
  readonly items?: PropSpec;
  readonly members?: Readonly<Record<string, PropSpec>>;
  /** A property AWS defines that vpcemu accepts but does not emulate beyond recording it. */
  readonly recordedOnly?: boolean;
  /** A property AWS defines that vpcemu cannot honour: the resource fails (CFN-22). */
  readonly unsupported?: boolean;
}

/** What a provider call gets. */
export interface ProviderCall {
  readonly ec2: Ec2Invoke;
  readonly logicalId: string;
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
}

/** A resource as the stack records it. */
export interface ResourceState {
  readonly physicalId: string;
  /** What Ref answers (usually the physical id). */
  readonly ref: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface Created {
  readonly physicalId: string;
  readonly ref?: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface ResourceType {
  readonly type: string;
  readonly properties: Readonly<Record<string, PropSpec>>;
  readonly attributes: readonly string[];
  /** Properties whose change is applied in place; a change to any other replaces the resource. */
  readonly inPlace: readonly string[];
  /** The property naming the resource: replacing a resource with it set fails (CFN-14). */
  readonly nameProperty?: string;
  create(c: ProviderCall, props: Readonly<Record<string, unknown>>): Created;
  /** Applies in-place changes (only `inPlace` properties differ); returns the new state. */
  update?(
    c: ProviderCall,
    current: ResourceState,
    props: Readonly<Record<string, unknown>>,
  ): Created;
  delete(c: ProviderCall, current: ResourceState): void;
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return "JSONArray";
  if (v === null) return "Null";
  if (typeof v === "object") return "JSONObject";
  if (typeof v === "boolean") return "Boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "Integer" : "Number";
  return "String";
}

function matches(kind: PropKind, v: unknown): boolean {
  switch (kind) {
    case "Any":
      return true;
    case "String":
      return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
    case "Integer":
      return (
        (typeof v === "number" && Number.isInteger(v)) ||
        (typeof v === "string" && /^-?\d+$/.test(v.trim()))
      );
    case "Boolean":
      return typeof v === "boolean" || v === "true" || v === "false";
    case "List":
      return Array.isArray(v);
    case "Object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
  }
}

const EXPECTED: Record<PropKind, string> = {
  Any: "Any",
  String: "String",
  Integer: "Integer",
  Boolean: "Boolean",
  List: "JSONArray",
  Object: "JSONObject",
};

function checkObject(
  path: string,
  v: Readonly<Record<string, unknown>>,
  specs: Readonly<Record<string, PropSpec>>,
  out: string[],
): void {
  for (const k of Object.keys(v))
    if (!Object.hasOwn(specs, k)) out.push(`${path}: extraneous key [${k}] is not permitted`);
  for (const [k, spec] of Object.entries(specs)) {
    if (!Object.hasOwn(v, k) || v[k] === undefined) {
      if (spec.required === true) out.push(`${path}: required key [${k}] not found`);
      continue;
    }
    checkValue(`${path}/${k}`, v[k], spec, out);
  }
}

function checkValue(path: string, v: unknown, spec: PropSpec, out: string[]): void {
  if (!matches(spec.kind, v)) {
    out.push(`${path}: expected type: ${EXPECTED[spec.kind]}, found: ${kindOf(v)}`);
    return;
  }
  if (spec.kind === "List" && spec.items !== undefined)
    (v as unknown[]).forEach((item, i) =>
      checkValue(`${path}/${i}`, item, spec.items as PropSpec, out),
    );
  if (spec.kind === "Object" && spec.members !== undefined)
    checkObject(path, v as Record<string, unknown>, spec.members, out);
}

/**
 * AWS's schema check of resolved properties (CFN-21): every message as AWS's validator words it
 * (`#: extraneous key [X] is not permitted`, `#: required key [X] not found`,
 * `#/FromPort: expected type: Integer, found: String`). Empty when valid.
 */
export function schemaViolations(
  t: ResourceType,
  props: Readonly<Record<string, unknown>>,
): string[] {
  const out: string[] = [];
  checkObject("#", props, t.properties, out);
  return out;
}

/** The properties set in `props` that vpcemu cannot honour (CFN-22). */
export function unsupportedProperties(
  t: ResourceType,
  props: Readonly<Record<string, unknown>>,
): string[] {
  return Object.keys(props).filter((k) => t.properties[k]?.unsupported === true);
}

/** AWS's generated physical name: `<stack>-<logical>-<12 upper-case alphanumerics>`. */
export function generatedName(stackName: string, logicalId: string, max = 255): string {
  const suffix = Array.from(
    randomBytes(12),
    (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36],
  ).join("");
  const head = `${stackName}-${logicalId}`.slice(0, Math.max(1, max - 13));
  return `${head}-${suffix}`;
}

/** Common property specs. */
export const TAGS: PropSpec = {
  kind: "List",
  items: {
    kind: "Object",
    members: { Key: { kind: "String", required: true }, Value: { kind: "String", required: true } },
  },
};
export const STR: PropSpec = { kind: "String" };
export const REQ_STR: PropSpec = { kind: "String", required: true };
export const INT: PropSpec = { kind: "Integer" };
export const BOOL: PropSpec = { kind: "Boolean" };
export const STR_LIST: PropSpec = { kind: "List", items: { kind: "String" } };
export const RECORDED: PropSpec = { kind: "Any", recordedOnly: true };
export const UNSUPPORTED: PropSpec = { kind: "Any", unsupported: true };
