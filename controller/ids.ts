import { randomBytes } from "node:crypto";

/** Resource id prefixes (AWS-BEHAVIOUR API-8). */
export const ID_PREFIX = {
  vpc: "vpc",
  vpcCidrAssoc: "vpc-cidr-assoc",
  subnet: "subnet",
  subnetCidrAssoc: "subnet-cidr-assoc",
  securityGroup: "sg",
  securityGroupRule: "sgr",
  networkAcl: "acl",
  networkAclAssoc: "aclassoc",
  networkInterface: "eni",
  eniAttachment: "eni-attach",
  instance: "i",
  reservation: "r",
  prefixList: "pl",
  routeTable: "rtb",
  routeTableAssoc: "rtbassoc",
  internetGateway: "igw",
  egressOnlyInternetGateway: "eigw",
  elasticIpAllocation: "eipalloc",
  elasticIpAssociation: "eipassoc",
  natGateway: "nat",
  vpcPeeringConnection: "pcx",
  flowLog: "fl",
  networkInsightsPath: "nip",
  networkInsightsAnalysis: "nia",
  request: "req",
  /** Chaos faults (docs/json-api.md /v1/faults); not an AWS resource. */
  fault: "flt",
} as const;
export type IdPrefix = (typeof ID_PREFIX)[keyof typeof ID_PREFIX];

// Why a pool: one randomBytes() call per id costs ~4 us; an Authorize of 1,000 rules makes
// 1,000 rule ids (LIM-6). Bytes are drawn from the CSPRNG 4 KiB at a time and used once.
let pool = Buffer.alloc(0);
let poolAt = 0;

/** A new AWS-shaped id: `<prefix>-` + 17 lowercase hex digits (API-8). */
export function newId(prefix: IdPrefix): string {
  if (poolAt + 9 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  const hex = pool.toString("hex", poolAt, poolAt + 9).slice(0, 17);
  poolAt += 9;
  return `${prefix}-${hex}`;
}

/** True when `id` is `<prefix>-` followed by 8 or 17 lowercase hex digits (API-8). */
export function isWellFormedId(id: string, prefix: IdPrefix): boolean {
  return new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}

/** A request id in AWS's UUID shape. */
export function newRequestId(): string {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A locally administered unicast MAC, `02:xx:xx:xx:xx:xx`, for a new ENI. */
export function newMacAddress(): string {
  const b = randomBytes(5);
  return ["02", ...Array.from(b, (x) => x.toString(16).padStart(2, "0"))].join(":");
}
