/**
 * DescribeRegions and DescribeAvailabilityZones (docs/ec2-api.md "Accounts and regions"): AWS's
 * commercial regions and, for the request's region, its zones with names and ids
 * (model/regions.ts).
 */
import { controllerError } from "../errors.js";
import { REGIONS, zonesOf, type RegionInfo, type ZoneInfo } from "../model/regions.js";
import type { ActionHandler } from "./context.js";
import { applyFilters, parseFilters } from "./describe.js";

const describeRegions: ActionHandler = (c) => {
  const p = c.params;
  const names = p.list("RegionName");
  const unknown = names.filter((n) => !REGIONS.has(n));
  if (unknown.length > 0)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid region: ${unknown.join(", ")}`,
    );
  const all =
    names.length > 0 ? names.map((n) => REGIONS.get(n) as RegionInfo) : [...REGIONS.values()];
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "region-name": (r) => [r.regionName],
      endpoint: (r) => [`ec2.${r.regionName}.amazonaws.com`],
      "opt-in-status": (r) => [r.optInStatus],
    },
    () => ({}),
  );
  return {
    regionInfo: items.map((r) => ({
      regionName: r.regionName,
      regionEndpoint: `ec2.${r.regionName}.amazonaws.com`,
      optInStatus: r.optInStatus,
    })),
  };
};

const describeAvailabilityZones: ActionHandler = (c) => {
  const p = c.params;
  const zones = zonesOf(c.region);
  const names = p.list("ZoneName");
  const ids = p.list("ZoneId");
  const wanted = [...names, ...ids];
  const missing = wanted.filter((w) => !zones.some((z) => z.zoneName === w || z.zoneId === w));
  if (missing.length > 0)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid availability zone: [${missing.join(", ")}]`,
    );
  const all =
    wanted.length === 0
      ? [...zones]
      : zones.filter((z) => names.includes(z.zoneName) || ids.includes(z.zoneId));
  const region = REGIONS.get(c.region);
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "zone-name": (z: ZoneInfo) => [z.zoneName],
      "zone-id": (z: ZoneInfo) => [z.zoneId],
      "region-name": () => [c.region],
      state: () => ["available"],
      "zone-type": () => ["availability-zone"],
      "group-name": () => [c.region],
      "network-border-group": () => [c.region],
      "opt-in-status": () => [region?.optInStatus ?? "opt-in-not-required"],
      message: () => [],
      "parent-zone-id": () => [],
      "parent-zone-name": () => [],
    },
    () => ({}),
  );
  return {
    availabilityZoneInfo: items.map((z) => ({
      zoneName: z.zoneName,
      zoneState: "available",
      regionName: c.region,
      messageSet: [],
      zoneId: z.zoneId,
      optInStatus: region?.optInStatus ?? "opt-in-not-required",
      groupName: c.region,
      networkBorderGroup: c.region,
      zoneType: "availability-zone",
    })),
  };
};

export const REGION_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
};
