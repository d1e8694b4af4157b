/**
 * The resource dependency graph (AWS-BEHAVIOUR CFN-5): a resource depends on every resource it
 * names through Ref, Fn::GetAtt, a Fn::Sub placeholder (`${Res}`, `${Res.Attr}`) or DependsOn,
 * in any branch of Fn::If. Creation follows a topological order (template order among
 * independent resources); deletion is the reverse. A cycle is refused with AWS's text,
 * "Circular dependency between resources: [A, B, ...]", naming every resource that cannot be
 * ordered (the cycle and whatever depends on it), as AWS does. Pure.
 */
import { cfnError } from "./errors.js";
import { intrinsicName, subPlaceholders } from "./intrinsics.js";

/** Every name `v` refers to: [kind, name] with kind "ref" (Ref / ${X}) or "getatt". */
export function referencesIn(
  v: unknown,
  out: Array<[string, string, string?]> = [],
): Array<[string, string, string?]> {
  if (Array.isArray(v)) {
    for (const x of v) referencesIn(x, out);
    return out;
  }
  if (v === null || typeof v !== "object") return out;
  const fn = intrinsicName(v);
  const a = fn === undefined ? undefined : (v as Record<string, unknown>)[fn];
  if (fn === "Ref" && typeof a === "string") {
    out.push(["ref", a]);
    return out;
  }
  if (fn === "Fn::GetAtt") {
    const parts = typeof a === "string" ? a.split(/\.(.*)/s).slice(0, 2) : a;
    if (Array.isArray(parts) && typeof parts[0] === "string") {
      out.push(["getatt", parts[0], typeof parts[1] === "string" ? parts[1] : undefined]);
      if (parts[1] !== undefined && typeof parts[1] !== "string") referencesIn(parts[1], out);
      return out;
    }
  }
  if (fn === "Fn::Sub") {
    const [template, vars] = Array.isArray(a) ? a : [a, undefined];
    const own = vars !== null && typeof vars === "object" ? Object.keys(vars as object) : [];
    if (typeof template === "string") {
      for (const name of subPlaceholders(template)) {
        if (own.includes(name)) continue;
        const dot = name.indexOf(".");
        if (dot > 0) out.push(["getatt", name.slice(0, dot), name.slice(dot + 1)]);
        else out.push(["ref", name]);
      }
    }
    if (vars !== undefined) referencesIn(vars, out);
    return out;
  }
  for (const child of Object.values(v)) referencesIn(child, out);
  return out;
}

/** One node: its logical id, what it names in its properties, and its DependsOn. */
export interface GraphNode {
  readonly logicalId: string;
  readonly properties: unknown;
  readonly dependsOn: readonly string[];
}

/** The resources `node` depends on (only names in `resourceIds`), in first-mention order. */
export function dependenciesOf(node: GraphNode, resourceIds: ReadonlySet<string>): string[] {
  const deps = new Set<string>();
  for (const [, name] of referencesIn(node.properties)) if (resourceIds.has(name)) deps.add(name);
  for (const d of node.dependsOn) if (resourceIds.has(d)) deps.add(d);
  return [...deps];
}

/**
 * A creation order for `nodes` (Kahn's algorithm; among ready resources, template order).
 * Throws ValidationError "Circular dependency between resources: [...]" when some cannot be
 * ordered, listing them in template order.
 */
export function creationOrder(nodes: readonly GraphNode[]): string[] {
  const ids = new Set(nodes.map((n) => n.logicalId));
  const deps = new Map(nodes.map((n) => [n.logicalId, new Set(dependenciesOf(n, ids))]));
  const order: string[] = [];
  const done = new Set<string>();
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const n of nodes) {
      if (done.has(n.logicalId)) continue;
      const d = deps.get(n.logicalId) as Set<string>;
      if ([...d].every((x) => done.has(x))) {
        done.add(n.logicalId);
        order.push(n.logicalId);
        progressed = true;
      }
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((n) => !done.has(n.logicalId)).map((n) => n.logicalId);
    throw cfnError("EMU_ERR_CFN_CIRCULAR", stuck.join(", "));
  }
  return order;
}
