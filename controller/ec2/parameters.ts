import { controllerError } from "../errors.js";
import type { QueryParams } from "./query.js";
import { REQUEST_SHAPES } from "./request-shapes.js";

/**
 * The shape of one EC2 Query parameter in wire names (AWS-BEHAVIOUR API-2): `0` a scalar,
 * `[s]` a 1-based flattened list of `s` (`Name.1`, `Name.2.Member`), an object a structure
 * whose keys are its members (`Name.Member`).
 */
export type ParamShape = 0 | readonly [ParamShape] | { readonly [member: string]: ParamShape };

/** An action's request: top-level parameter name -> shape. */
export type RequestShape = { readonly [name: string]: ParamShape };

/** Accepted on every action: the protocol's own parameters (API-1, API-5). */
const ALWAYS = new Set(["Action", "Version", "DryRun"]);

/** SigV4 query authentication (`X-Amz-Algorithm`, `X-Amz-Credential`, ...), any case. */
function isQueryAuth(name: string): boolean {
  return name.toLowerCase().startsWith("x-amz-");
}

/**
 * vpcemu's documented aliases on top of AWS's names: `IpPermissions.N.UserIdGroupPairs.M`
 * for `Groups.M` (API-2 [CHOICE]; the member name older clients send).
 */
function withAliases(shape: RequestShape): RequestShape {
  const perms = shape["IpPermissions"];
  if (!Array.isArray(perms)) return shape;
  const member = perms[0] as ParamShape;
  if (typeof member !== "object" || Array.isArray(member)) return shape;
  const groups = (member as RequestShape)["Groups"];
  if (groups === undefined) return shape;
  return { ...shape, IpPermissions: [{ ...(member as RequestShape), UserIdGroupPairs: groups }] };
}

const SHAPES: ReadonlyMap<string, RequestShape> = new Map(
  Object.entries(REQUEST_SHAPES).map(([action, shape]) => [action, withAliases(shape)]),
);

/** The parameters `action` accepts (undefined for an action vpcemu does not answer). */
export function requestShape(action: string): RequestShape | undefined {
  return SHAPES.get(action);
}

const INDEX = /^[1-9]\d*$/;

/** Whether flat `name` (with `value`) is a parameter `shape` defines. */
export function isKnownParameter(shape: RequestShape, name: string, value: string): boolean {
  if (ALWAYS.has(name) || isQueryAuth(name)) return true;
  let node: ParamShape | undefined = shape;
  for (const seg of name.split(".")) {
    if (node === 0) return false;
    if (Array.isArray(node)) {
      if (!INDEX.test(seg)) return false;
      node = (node as readonly [ParamShape])[0];
    } else {
      const struct: RequestShape = node as RequestShape;
      node = Object.hasOwn(struct, seg) ? struct[seg] : undefined;
      if (node === undefined) return false;
    }
  }
  // A bare list name with an empty value is how query serializers send an empty list.
  return node === 0 || (Array.isArray(node) && value === "");
}

/**
 * ERR-36: every parameter of the request must be one the action defines (AWS's request shape,
 * plus Action, Version, DryRun, X-Amz-* and vpcemu's aliases); the first that is not answers
 * `UnknownParameter` naming it as sent (`IpPermissions.1.Bogus`).
 */
export function checkParameters(action: string, params: QueryParams): void {
  const shape = requestShape(action);
  if (shape === undefined) return;
  for (const name of params.keys())
    if (!isKnownParameter(shape, name, params.str(name) ?? ""))
      throw controllerError("EMU_ERR_REQ_UNKNOWN_PARAMETER", name);
}
