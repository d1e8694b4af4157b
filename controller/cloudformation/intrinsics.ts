/**
 * Intrinsic functions and condition functions (AWS-BEHAVIOUR CFN-7, CFN-8): Ref, Fn::GetAtt,
 * Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::GetAZs, Fn::FindInMap, Fn::If, Fn::Equals,
 * Fn::Not, Fn::And, Fn::Or, Fn::ImportValue, Fn::Base64, Fn::Cidr, Condition; pseudo parameters.
 * Pure: what the template refers to (parameters, resources, exports, zones) comes through
 * EvalScope; nothing here does I/O.
 */
import { templateError } from "./errors.js";

/** What `Ref AWS::NoValue` evaluates to: the enclosing property or list item is removed. */
export const NO_VALUE: unique symbol = Symbol("AWS::NoValue");

/** The pseudo parameters (CFN-8). */
export const PSEUDO_PARAMETERS = [
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
] as const;

/** Everything an evaluation may look up. */
export interface EvalScope {
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  readonly stackId: string;
  /** Resolved parameter values: strings, or string lists for List<...> and CommaDelimitedList. */
  readonly parameters: ReadonlyMap<string, string | readonly string[]>;
  readonly mappings: Readonly<Record<string, unknown>>;
  /** The value of named condition (evaluated once per stack operation). */
  condition(name: string): boolean;
  /** Ref of a resource: its physical id (or what the type's Ref answers). */
  resourceRef(logicalId: string): string;
  /** Fn::GetAtt of a resource. */
  resourceAttribute(logicalId: string, attribute: string): unknown;
  isResource(logicalId: string): boolean;
  /** Fn::ImportValue: the value of another stack's export. */
  importValue(name: string): string;
  /** Fn::GetAZs: the zone names of `region`. */
  availabilityZones(region: string): readonly string[];
}

/** True when `v` is `{ <one key> }` whose key names an intrinsic function or `Ref`. */
export function intrinsicName(v: unknown): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const k = keys[0] as string;
  return k === "Ref" || k === "Condition" || k.startsWith("Fn::") ? k : undefined;
}

function str(v: unknown, fn: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw templateError(`every ${fn} object requires string parameters`);
}

function list(v: unknown, fn: string): unknown[] {
  if (!Array.isArray(v)) throw templateError(`every ${fn} object requires a list parameter`);
  return v;
}

function args(v: unknown, n: number, fn: string): unknown[] {
  const a = list(v, fn);
  if (a.length !== n) throw templateError(`Fn::${fn.replace(/^Fn::/, "")} requires ${n} arguments`);
  return a;
}

function pseudo(name: string, s: EvalScope): unknown {
  switch (name) {
    case "AWS::AccountId":
      return s.accountId;
    case "AWS::Region":
      return s.region;
    case "AWS::StackName":
      return s.stackName;
    case "AWS::StackId":
      return s.stackId;
    case "AWS::Partition":
      return "aws";
    case "AWS::URLSuffix":
      return "amazonaws.com";
    case "AWS::NotificationARNs":
      return [];
    case "AWS::NoValue":
      return NO_VALUE;
    default:
      return undefined;
  }
}

/** Ref: parameter, pseudo parameter or resource (template validation checked the name). */
function ref(name: string, s: EvalScope): unknown {
  const p = pseudo(name, s);
  if (p !== undefined) return p;
  const param = s.parameters.get(name);
  if (param !== undefined) return param;
  if (s.isResource(name)) return s.resourceRef(name);
  throw templateError(
    `Unresolved resource dependencies [${name}] in the Resources block of the template`,
  );
}

/** The `${...}` placeholders of a Fn::Sub string, `${!x}` being the literal `${x}`. */
export function subPlaceholders(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(/\$\{([^}]*)\}/g)) {
    const name = (m[1] ?? "").trim();
    if (!name.startsWith("!")) out.push(name);
  }
  return out;
}

function stringOf(v: unknown, fn: string): string {
  if (Array.isArray(v)) throw templateError(`${fn} requires a string, got a list`);
  return str(v, fn);
}

function sub(arg: unknown, s: EvalScope): string {
  let template: string;
  let vars: Record<string, unknown> = {};
  if (Array.isArray(arg)) {
    const [t, v] = args(arg, 2, "Fn::Sub");
    template = str(t, "Fn::Sub");
    if (v === null || typeof v !== "object" || Array.isArray(v))
      throw templateError("Fn::Sub variable map must be an object");
    vars = v as Record<string, unknown>;
  } else template = str(arg, "Fn::Sub");
  return template.replace(/\$\{([^}]*)\}/g, (_m, raw: string) => {
    const name = raw.trim();
    if (name.startsWith("!")) return `\${${name.slice(1)}}`;
    if (Object.hasOwn(vars, name)) return stringOf(evaluate(vars[name], s), "Fn::Sub");
    const dot = name.indexOf(".");
    if (dot > 0 && s.isResource(name.slice(0, dot)))
      return stringOf(s.resourceAttribute(name.slice(0, dot), name.slice(dot + 1)), "Fn::Sub");
    return stringOf(ref(name, s), "Fn::Sub");
  });
}

function findInMap(arg: unknown, s: EvalScope): unknown {
  const [m, k1, k2] = args(arg, 3, "Fn::FindInMap").map((x) =>
    str(evaluate(x, s), "Fn::FindInMap"),
  );
  // Why hasOwn: names are user strings; `constructor` must not find Object.prototype's members.
  const map = Object.hasOwn(s.mappings, m as string)
    ? (s.mappings[m as string] as Record<string, Record<string, unknown>>)
    : undefined;
  if (map === undefined || map === null || typeof map !== "object")
    throw templateError(
      `Mapping named '${m}' is not present in the 'Mappings' section of template.`,
    );
  const top = Object.hasOwn(map, k1 as string) ? map[k1 as string] : undefined;
  if (top === undefined || top === null || typeof top !== "object")
    throw templateError(`Unable to get mapping for ${m}::${k1}::${k2}`);
  if (!Object.hasOwn(top, k2 as string))
    throw templateError(`Unable to get mapping for ${m}::${k1}::${k2}`);
  return top[k2 as string];
}

function ipv4ToInt(a: string): number {
  const parts = a.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw templateError(`Fn::Cidr: invalid IP block ${a}`);
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  );
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Fn::Cidr for IPv4: `count` blocks of /(32 - cidrBits) inside ipBlock, in order. */
function cidr(arg: unknown, s: EvalScope): string[] {
  const [block, countV, bitsV] = args(arg, 3, "Fn::Cidr").map((x) =>
    str(evaluate(x, s), "Fn::Cidr"),
  );
  const [addr = "", lenS = ""] = (block as string).split("/");
  const len = Number(lenS);
  const count = Number(countV);
  const bits = Number(bitsV);
  const newLen = 32 - bits;
  if (
    !Number.isInteger(len) ||
    !Number.isInteger(count) ||
    !Number.isInteger(bits) ||
    newLen < len ||
    count < 1 ||
    count > 256 ||
    2 ** (newLen - len) < count
  )
    throw templateError(
      `Fn::Cidr: cannot divide ${block} into ${count} blocks of ${bits} host bits`,
    );
  const base = ipv4ToInt(addr) & (len === 0 ? 0 : (~0 << (32 - len)) >>> 0);
  return Array.from(
    { length: count },
    (_v, i) => `${intToIpv4((base + i * 2 ** bits) >>> 0)}/${newLen}`,
  );
}

/** Evaluates a condition expression (Fn::Equals/Not/And/Or, Condition) to a boolean. */
export function evaluateCondition(v: unknown, s: EvalScope): boolean {
  const fn = intrinsicName(v);
  if (fn === undefined) {
    if (typeof v === "boolean") return v;
    if (v === "true") return true;
    if (v === "false") return false;
    throw templateError(
      "Conditions can only be boolean operations on parameters and other conditions",
    );
  }
  const a = (v as Record<string, unknown>)[fn];
  switch (fn) {
    case "Condition":
      return s.condition(str(a, "Condition"));
    case "Fn::Equals": {
      const [x, y] = args(a, 2, "Fn::Equals").map((e) => evaluate(e, s));
      return JSON.stringify(normalize(x)) === JSON.stringify(normalize(y));
    }
    case "Fn::Not":
      return !evaluateCondition(args(a, 1, "Fn::Not")[0], s);
    case "Fn::And": {
      const l = list(a, "Fn::And");
      if (l.length < 2 || l.length > 10) throw templateError("Fn::And requires 2 to 10 conditions");
      return l.every((c) => evaluateCondition(c, s));
    }
    case "Fn::Or": {
      const l = list(a, "Fn::Or");
      if (l.length < 2 || l.length > 10) throw templateError("Fn::Or requires 2 to 10 conditions");
      return l.some((c) => evaluateCondition(c, s));
    }
    default:
      throw templateError(`${fn} is not a condition function`);
  }
}

/** Scalars compare as strings (`80` equals `"80"`), as AWS does after parameter substitution. */
function normalize(v: unknown): unknown {
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.map(normalize);
  return v;
}

/**
 * Evaluates `v`: intrinsic objects are replaced by their values, recursively; a property or
 * list item whose value is AWS::NoValue is removed (the top level may return NO_VALUE).
 */
export function evaluate(v: unknown, s: EvalScope): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const item of v) {
      const r = evaluate(item, s);
      if (r !== NO_VALUE) out.push(r);
    }
    return out;
  }
  if (v === null || typeof v !== "object") return v;
  const fn = intrinsicName(v);
  if (fn === undefined) {
    // Why null prototype: keys are user strings; `out["__proto__"] = r` on a plain object would
    // set its prototype and drop the property instead of keeping it for the schema check.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, child] of Object.entries(v)) {
      const r = evaluate(child, s);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  const a = (v as Record<string, unknown>)[fn];
  switch (fn) {
    case "Ref":
      return ref(str(a, "Ref"), s);
    case "Condition":
      return evaluateCondition(v, s);
    case "Fn::GetAtt": {
      const parts = typeof a === "string" ? a.split(/\.(.*)/s).slice(0, 2) : list(a, "Fn::GetAtt");
      if (parts.length !== 2)
        throw templateError("every Fn::GetAtt object requires two non-empty parameters.");
      const [res, attr] = parts.map((p) => str(evaluate(p, s), "Fn::GetAtt"));
      return s.resourceAttribute(res as string, attr as string);
    }
    case "Fn::Sub":
      return sub(a, s);
    case "Fn::Join": {
      const [d, l] = args(a, 2, "Fn::Join");
      const items = evaluate(l, s);
      if (!Array.isArray(items))
        throw templateError(
          "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.",
        );
      return items.map((x) => stringOf(x, "Fn::Join")).join(str(d, "Fn::Join"));
    }
    case "Fn::Select": {
      const [i, l] = args(a, 2, "Fn::Select");
      const idx = Number(str(evaluate(i, s), "Fn::Select"));
      const items = evaluate(l, s);
      if (!Array.isArray(items)) throw templateError("Fn::Select requires a list");
      if (!Number.isInteger(idx) || idx < 0 || idx >= items.length)
        throw templateError("Fn::Select cannot select nonexistent value at index " + String(idx));
      return items[idx];
    }
    case "Fn::Split": {
      const [d, x] = args(a, 2, "Fn::Split");
      return stringOf(evaluate(x, s), "Fn::Split").split(str(d, "Fn::Split"));
    }
    case "Fn::GetAZs": {
      const r = stringOf(evaluate(a, s), "Fn::GetAZs");
      return [...s.availabilityZones(r === "" ? s.region : r)];
    }
    case "Fn::FindInMap":
      return findInMap(a, s);
    case "Fn::If": {
      const [c, yes, no] = args(a, 3, "Fn::If");
      return evaluate(s.condition(str(c, "Fn::If")) ? yes : no, s);
    }
    case "Fn::Equals":
    case "Fn::Not":
    case "Fn::And":
    case "Fn::Or":
      return evaluateCondition(v, s);
    case "Fn::ImportValue":
      return s.importValue(stringOf(evaluate(a, s), "Fn::ImportValue"));
    case "Fn::Base64":
      return Buffer.from(stringOf(evaluate(a, s), "Fn::Base64"), "utf8").toString("base64");
    case "Fn::Cidr":
      return cidr(a, s);
    default:
      throw templateError(`Unrecognized function ${fn}`);
  }
}
