/**
 * AWS-managed prefix lists (VPC user guide, "AWS-managed prefix lists"): in every region
 * `com.amazonaws.<region>.s3` and `com.amazonaws.<region>.dynamodb`, owned by `AWS`, read-only,
 * usable in security group rules like a customer-managed list (REF-7; weight = entry count, Q-2).
 *
 * Ids and entries for us-east-1 and us-east-2 are AWS's (as DescribePrefixLists answered them;
 * AWS changes them over time); other regions get stable ids derived from the list name and no
 * entries, since vpcemu carries no data for them (docs/ec2-api.md "Prefix lists").
 */
import { createHash } from "node:crypto";

export interface AwsPrefixList {
  readonly prefixListId: string;
  readonly name: string;
  readonly region: string;
  readonly cidrs: readonly string[];
}

export const AWS_OWNER_ID = "AWS";

const KNOWN: Readonly<Record<string, { id: string; cidrs: readonly string[] }>> = {
  "com.amazonaws.us-east-1.s3": {
    id: "pl-63a5400a",
    cidrs: [
      "3.5.0.0/19",
      "16.182.0.0/16",
      "18.34.0.0/19",
      "18.34.232.0/21",
      "52.216.0.0/15",
      "54.231.0.0/16",
    ],
  },
  "com.amazonaws.us-east-1.dynamodb": {
    id: "pl-02cd2c6b",
    cidrs: ["3.218.180.0/22", "3.218.184.0/22", "52.94.0.0/22", "52.119.224.0/20"],
  },
  "com.amazonaws.us-east-2.s3": {
    id: "pl-7ba54012",
    cidrs: ["52.219.80.0/20", "3.5.128.0/22", "3.5.132.0/23", "52.219.96.0/20", "52.92.76.0/22"],
  },
  "com.amazonaws.us-east-2.dynamodb": { id: "pl-4ca54025", cidrs: ["52.94.4.0/24"] },
};

function derivedId(name: string): string {
  return `pl-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}

const byRegion = new Map<string, readonly AwsPrefixList[]>();

/** The AWS-managed lists of `region` (computed once per region). */
export function awsPrefixListsOf(region: string): readonly AwsPrefixList[] {
  const cached = byRegion.get(region);
  if (cached !== undefined) return cached;
  const lists = ["s3", "dynamodb"].map((service) => {
    const name = `com.amazonaws.${region}.${service}`;
    const known = KNOWN[name];
    return { prefixListId: known?.id ?? derivedId(name), name, region, cidrs: known?.cidrs ?? [] };
  });
  byRegion.set(region, lists);
  return lists;
}

/** The AWS-managed list `id` of `region`, if it is one. */
export function findAwsPrefixList(region: string, id: string): AwsPrefixList | undefined {
  return awsPrefixListsOf(region).find((p) => p.prefixListId === id);
}
