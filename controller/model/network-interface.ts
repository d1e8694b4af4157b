import type { StagedRules } from "./security-group.js";
import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";
import { controllerError, invalidValue } from "../errors.js";

export interface EniAttachment {
  readonly attachmentId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly deleteOnTermination: boolean;
  readonly attachTime: string;
}

/** An ENI as stored (AWS-BEHAVIOUR API-27, TO-2). */
export interface NetworkInterface extends ScopedFields {
  readonly eniId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly description: string;
  /** Private IPv4 addresses, primary first. */
  readonly privateIps: readonly string[];
  readonly ipv6: readonly string[];
  readonly groupIds: readonly string[];
  readonly sourceDestCheck: boolean;
  readonly macAddress: string;
  readonly tcpEstablishedTimeout?: number;
  readonly udpTimeout?: number;
  readonly udpStreamTimeout?: number;
  readonly attachment?: EniAttachment;
  readonly tags: Tags;
  /** Audit mode: a staged rule set for this ENI alone (wins over its groups' staged sets). */
  readonly staged?: StagedRules;
}

/** TO-1 ranges of the ConnectionTrackingSpecification fields. */
export const CONNTRACK_TIMEOUT_RANGES = {
  TcpEstablishedTimeout: [60, 432_000],
  UdpStreamTimeout: [60, 180],
  UdpTimeout: [30, 60],
} as const;

/** TO-1 defaults (a duplicate of node-agent's on purpose: STYLE §2, no cross imports). */
export const CONNTRACK_TIMEOUT_DEFAULTS = {
  TcpEstablishedTimeout: 432_000,
  UdpStreamTimeout: 180,
  UdpTimeout: 30,
} as const;

export interface ConntrackSpecInput {
  readonly TcpEstablishedTimeout?: string | undefined;
  readonly UdpStreamTimeout?: string | undefined;
  readonly UdpTimeout?: string | undefined;
}

export interface ConntrackSpec {
  readonly tcpEstablishedTimeout?: number;
  readonly udpStreamTimeout?: number;
  readonly udpTimeout?: number;
}

/** TO-8 / ERR-38: `Invalid value '<n>' for <Field>. Valid range is <min>-<max>.` */
export function sanitizeConntrackSpec(input: ConntrackSpecInput): ConntrackSpec {
  const out: { -readonly [K in keyof ConntrackSpec]: number } = {};
  const fields = [
    ["TcpEstablishedTimeout", "tcpEstablishedTimeout"],
    ["UdpStreamTimeout", "udpStreamTimeout"],
    ["UdpTimeout", "udpTimeout"],
  ] as const;
  for (const [wire, key] of fields) {
    const v = input[wire];
    if (v === undefined) continue;
    const [min, max] = CONNTRACK_TIMEOUT_RANGES[wire];
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Invalid value '${v}' for ${wire}. Valid range is ${min}-${max}.`,
      );
    out[key] = Number(v);
  }
  return out;
}

export function sanitizeEniDescription(d: string | undefined): string {
  if (d === undefined) return "";
  if (d.length > 255) throw invalidValue(d, "Description");
  return d;
}
