import { controllerError } from "../errors.js";

/**
 * The regions and Availability Zones vpcemu answers for (DescribeRegions,
 * DescribeAvailabilityZones) and validates against (a request's signing region; CreateSubnet's
 * AvailabilityZone / AvailabilityZoneId; RunInstances' Placement). AWS's commercial regions
 * with their zone names and zone ids. AWS maps zone names to zone ids per account; vpcemu uses
 * one fixed mapping for every account (docs/ec2-api.md "Accounts and regions").
 */

export interface ZoneInfo {
  /** e.g. us-east-1a */
  readonly zoneName: string;
  /** e.g. use1-az1 */
  readonly zoneId: string;
}

export interface RegionInfo {
  readonly regionName: string;
  /** `opt-in-not-required` or `opted-in` (vpcemu treats every opt-in region as opted in). */
  readonly optInStatus: "opt-in-not-required" | "opted-in";
  readonly zones: readonly ZoneInfo[];
}

/** region -> [zone id prefix, zone letters, zone id numbers (default 1..n), opt-in region]. */
type Row = readonly [string, string, string, (readonly number[] | undefined)?, boolean?];
const TABLE: readonly Row[] = [
  ["us-east-1", "use1", "abcdef"],
  ["us-east-2", "use2", "abc"],
  ["us-west-1", "usw1", "bc", [1, 3]],
  ["us-west-2", "usw2", "abcd"],
  ["af-south-1", "afs1", "abc", undefined, true],
  ["ap-east-1", "ape1", "abc", undefined, true],
  ["ap-south-1", "aps1", "abc", [1, 3, 2]],
  ["ap-south-2", "aps2", "abc", undefined, true],
  ["ap-southeast-1", "apse1", "abc"],
  ["ap-southeast-2", "apse2", "abc"],
  ["ap-southeast-3", "apse3", "abc", undefined, true],
  ["ap-southeast-4", "apse4", "abc", undefined, true],
  ["ap-northeast-1", "apne1", "acd", [4, 1, 2]],
  ["ap-northeast-2", "apne2", "abcd"],
  ["ap-northeast-3", "apne3", "abc"],
  ["ca-central-1", "cac1", "abd", [1, 2, 4]],
  ["ca-west-1", "caw1", "abc", undefined, true],
  ["eu-central-1", "euc1", "abc"],
  ["eu-central-2", "euc2", "abc", undefined, true],
  ["eu-west-1", "euw1", "abc"],
  ["eu-west-2", "euw2", "abc"],
  ["eu-west-3", "euw3", "abc"],
  ["eu-south-1", "eus1", "abc", undefined, true],
  ["eu-south-2", "eus2", "abc", undefined, true],
  ["eu-north-1", "eun1", "abc"],
  ["il-central-1", "ilc1", "abc", undefined, true],
  ["me-south-1", "mes1", "abc", undefined, true],
  ["me-central-1", "mec1", "abc", undefined, true],
  ["sa-east-1", "sae1", "abc"],
];

export const REGIONS: ReadonlyMap<string, RegionInfo> = new Map(
  TABLE.map(([regionName, prefix, letters, ids, optIn]) => [
    regionName,
    {
      regionName,
      optInStatus: optIn === true ? "opted-in" : "opt-in-not-required",
      zones: [...letters].map((l, i) => ({
        zoneName: `${regionName}${l}`,
        zoneId: `${prefix}-az${ids?.[i] ?? i + 1}`,
      })),
    },
  ]),
);

/** The region's entry, undefined for a name vpcemu does not know. */
export function regionInfo(regionName: string): RegionInfo | undefined {
  return REGIONS.get(regionName);
}

/** The zone of `region` named `nameOrId` (a zone name or a zone id). */
export function findZone(regionName: string, nameOrId: string): ZoneInfo | undefined {
  return regionInfo(regionName)?.zones.find(
    (z) => z.zoneName === nameOrId || z.zoneId === nameOrId,
  );
}

/** The zones of `region` (none for an unknown region). */
export function zonesOf(regionName: string): readonly ZoneInfo[] {
  return regionInfo(regionName)?.zones ?? [];
}

/**
 * The zone a new subnet goes into: `AvailabilityZone` or `AvailabilityZoneId` of `region`, else
 * the region's first zone. An unknown zone answers AWS's InvalidParameterValue, listing the
 * zones subnets can be created in.
 */
export function sanitizeSubnetZone(
  regionName: string,
  zoneName: string | undefined,
  zoneId: string | undefined,
): ZoneInfo {
  const zones = zonesOf(regionName);
  const list = zones.map((z) => z.zoneName).join(", ");
  if (zoneName !== undefined) {
    const z = zones.find((x) => x.zoneName === zoneName);
    if (z === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Value (${zoneName}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${list}.`,
      );
    if (zoneId !== undefined && zoneId !== z.zoneId)
      throw controllerError(
        "EMU_ERR_REQ_PARAMETER_COMBINATION",
        `The Availability Zone ${zoneName} and the Availability Zone ID ${zoneId} do not name the same zone.`,
      );
    return z;
  }
  if (zoneId !== undefined) {
    const z = zones.find((x) => x.zoneId === zoneId);
    if (z === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Value (${zoneId}) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((x) => x.zoneId).join(", ")}.`,
      );
    return z;
  }
  const first = zones[0];
  if (first === undefined) throw controllerError("EMU_ERR_AUTH_REGION", regionName);
  return first;
}
