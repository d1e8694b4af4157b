/**
 * How CloudFormation resources reach EC2: in process, through the EC2 Query API's own action
 * table and parameter check (controller/ec2/actions.ts, parameters.ts), so validation, errors
 * and the resulting records are exactly those of an `aws ec2 ...` call (AWS-BEHAVIOUR CFN-20).
 * The created resources are ordinary EC2 resources: compiled and enforced by the agents.
 */
import { controllerError } from "../errors.js";
import { EC2_ACTIONS } from "../ec2/actions.js";
import { checkParameters } from "../ec2/parameters.js";
import { QueryParams } from "../ec2/query.js";
import type { XmlTree } from "../ec2/xml.js";
import type { StateStore } from "../store/state-store.js";

/** Who a stack operation acts for: the account and region of the request that started it. */
export interface Caller {
  readonly accountId: string;
  readonly region: string;
}

/** One EC2 action with flat Query parameters (`IpPermissions.1.IpProtocol`); throws ControllerError. */
export type Ec2Invoke = (action: string, params: Readonly<Record<string, string>>) => XmlTree;

/** True when vpcemu's EC2 API answers `action`. */
export function ec2Supports(action: string): boolean {
  return Object.hasOwn(EC2_ACTIONS, action);
}

/** An Ec2Invoke that runs actions against `store` for `caller`. */
export function inProcessEc2(store: StateStore, caller: Caller): Ec2Invoke {
  return (action, flat) => {
    const handler = Object.hasOwn(EC2_ACTIONS, action) ? EC2_ACTIONS[action] : undefined;
    if (handler === undefined) throw controllerError("EMU_ERR_REQ_INVALID_ACTION", action);
    const params = new QueryParams(new Map(Object.entries(flat)));
    checkParameters(action, params);
    return handler({
      store,
      params,
      region: caller.region,
      accountId: caller.accountId,
      dryRun: false,
    });
  };
}

/**
 * Flattens a structure into EC2 Query parameters under `prefix`: arrays become `.1`, `.2`...,
 * objects `.Member`; undefined values are skipped; scalars become strings.
 */
export function flattenQuery(
  prefix: string,
  value: unknown,
  out: Record<string, string> = {},
): Record<string, string> {
  if (value === undefined || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => flattenQuery(`${prefix}.${i + 1}`, v, out));
    return out;
  }
  if (typeof value === "object") {
    for (const [k, v] of Object.entries(value))
      flattenQuery(prefix === "" ? k : `${prefix}.${k}`, v, out);
    return out;
  }
  out[prefix] = String(value);
  return out;
}
