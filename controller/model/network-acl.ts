import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";
import type { NaclEntryState } from "../policy/policy-state.js";
import { controllerError, invalidValue } from "../errors.js";
import { sanitizeIpv4Cidr, sanitizeIpv6Cidr } from "./cidr.js";

/** A NACL as stored, entries included (the `*` denies as 32767/32768, NACL-4). */
export interface NetworkAcl extends ScopedFields {
  readonly networkAclId: string;
  readonly vpcId: string;
  readonly isDefault: boolean;
  readonly entries: readonly NaclEntryState[];
  readonly tags: Tags;
}

/** Catch-all rule numbers shown by the API for `*` (NACL-4). */
export const NACL_CATCH_ALL_V4 = 32767;
export const NACL_CATCH_ALL_V6 = 32768;

/** CreateNetworkAclEntry / ReplaceNetworkAclEntry as it arrives (API-23). */
export interface NaclEntryInput {
  readonly ruleNumber?: string | undefined;
  readonly protocol?: string | undefined;
  readonly ruleAction?: string | undefined;
  readonly egress?: boolean | undefined;
  readonly cidrBlock?: string | undefined;
  readonly ipv6CidrBlock?: string | undefined;
  readonly icmpType?: string | undefined;
  readonly icmpCode?: string | undefined;
  readonly portFrom?: string | undefined;
  readonly portTo?: string | undefined;
}

/** NACL rule number: 1..32766 (NACL-3, ERR-24). */
export function sanitizeRuleNumber(v: string | undefined): number {
  if (v === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "RuleNumber");
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 32766) throw invalidValue(v, "RuleNumber");
  return Number(v);
}

function intIn(v: string, param: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) throw invalidValue(v, param);
  return Number(v);
}

/** NACL-5/NACL-6: validates one entry; protocol must be a number or -1 (names -> ERR-22). */
export function sanitizeNaclEntry(e: NaclEntryInput): NaclEntryState {
  const ruleNumber = sanitizeRuleNumber(e.ruleNumber);
  if (e.protocol === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Protocol");
  if (e.ruleAction === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "RuleAction");
  if (e.egress === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Egress");
  let protocol: string;
  if (e.protocol === "-1") protocol = "-1";
  else if (/^\d{1,3}$/.test(e.protocol) && Number(e.protocol) <= 255)
    protocol = String(Number(e.protocol));
  else
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value '${e.protocol}' for IP protocol. Unknown protocol.`,
    );
  const action = e.ruleAction.toLowerCase();
  if (action !== "allow" && action !== "deny") throw invalidValue(e.ruleAction, "RuleAction");
  if ((e.cidrBlock === undefined) === (e.ipv6CidrBlock === undefined))
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "Exactly one of CidrBlock and Ipv6CidrBlock must be specified",
    );
  const base = {
    ruleNumber,
    egress: e.egress,
    ruleAction: action as "allow" | "deny",
    protocol,
    ...(e.cidrBlock !== undefined
      ? { cidrBlock: sanitizeIpv4Cidr(e.cidrBlock).cidr }
      : { ipv6CidrBlock: sanitizeIpv6Cidr(e.ipv6CidrBlock ?? "").cidr }),
  };
  if (protocol === "6" || protocol === "17") {
    if (e.portFrom === undefined || e.portTo === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "PortRange");
    const from = intIn(e.portFrom, "PortRange.From", 0, 65535);
    const to = intIn(e.portTo, "PortRange.To", 0, 65535);
    if (from > to) throw invalidValue(`${from}-${to}`, "PortRange");
    return { ...base, portFrom: from, portTo: to };
  }
  // NACL-6: ICMP needs Icmp; icmpv6 needs it only with an IPv6 CIDR.
  if (protocol === "1" || (protocol === "58" && e.ipv6CidrBlock !== undefined)) {
    if (e.icmpType === undefined || e.icmpCode === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Icmp");
    const type = intIn(e.icmpType, "Icmp.Type", -1, 255);
    const code = intIn(e.icmpCode, "Icmp.Code", -1, 255);
    return { ...base, icmpType: type, icmpCode: code };
  }
  return base;
}

/** The entries of a new NACL: DEF-5 (default: allow 100/101 + `*`) or DEF-6 (custom: `*` only). */
export function initialNaclEntries(isDefault: boolean, ipv6: boolean): NaclEntryState[] {
  const out: NaclEntryState[] = [];
  for (const egress of [false, true]) {
    if (isDefault) {
      out.push({
        ruleNumber: 100,
        egress,
        ruleAction: "allow",
        protocol: "-1",
        cidrBlock: "0.0.0.0/0",
      });
      if (ipv6)
        out.push({
          ruleNumber: 101,
          egress,
          ruleAction: "allow",
          protocol: "-1",
          ipv6CidrBlock: "::/0",
        });
    }
    out.push({
      ruleNumber: NACL_CATCH_ALL_V4,
      egress,
      ruleAction: "deny",
      protocol: "-1",
      cidrBlock: "0.0.0.0/0",
    });
    if (ipv6)
      out.push({
        ruleNumber: NACL_CATCH_ALL_V6,
        egress,
        ruleAction: "deny",
        protocol: "-1",
        ipv6CidrBlock: "::/0",
      });
  }
  return sortNaclEntries(out);
}

/** Entries ordered by direction (ingress first, like AWS's describe) and rule number. */
export function sortNaclEntries(entries: readonly NaclEntryState[]): NaclEntryState[] {
  return [...entries].sort((a, b) =>
    a.egress === b.egress ? a.ruleNumber - b.ruleNumber : a.egress ? 1 : -1,
  );
}
