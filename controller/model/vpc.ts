import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";
import { controllerError } from "../errors.js";
import { sanitizeIpv4Cidr, type Cidr } from "./cidr.js";

/** An IPv4 CIDR, or undefined when `text` is not one. */
function tryParseIpv4Cidr(text: string): Cidr | undefined {
  try {
    return sanitizeIpv4Cidr(text);
  } catch {
    return undefined;
  }
}

/** A VPC as stored (AWS-BEHAVIOUR API-9). */
export interface Vpc extends ScopedFields {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly cidrAssociationId: string;
  readonly ipv6CidrBlock?: string;
  readonly ipv6AssociationId?: string;
  /** Secondary IPv4 CIDR blocks (AssociateVpcCidrBlock `CidrBlock`), in association order. */
  readonly secondaryCidrs?: ReadonlyArray<{
    readonly cidrBlock: string;
    readonly associationId: string;
  }>;
  readonly instanceTenancy: string;
  readonly isDefault: boolean;
  /** DEF-1 / DEF-5: created with the VPC, deleted with it (DEF-8). */
  readonly defaultGroupId: string;
  readonly defaultNetworkAclId: string;
  /** The main route table (DescribeRouteTables); absent in records older than it: derived. */
  readonly mainRouteTableId?: string;
  readonly mainRouteTableAssociationId?: string;
  /** VPC attributes (Describe/ModifyVpcAttribute); absent = AWS's default (VPC_ATTRIBUTE_DEFAULTS). */
  readonly enableDnsSupport?: boolean;
  readonly enableDnsHostnames?: boolean;
  readonly enableNetworkAddressUsageMetrics?: boolean;
  readonly tags: Tags;
}

/** Every IPv4 CIDR block of a VPC: the primary first, then the secondaries. */
export function vpcIpv4Cidrs(v: Vpc): string[] {
  return [v.cidrBlock, ...(v.secondaryCidrs ?? []).map((c) => c.cidrBlock)];
}

/**
 * DNS support is on by default; DNS hostnames only in a default VPC; NAU metrics off (AWS VPC
 * user guide, "DNS attributes for your VPC").
 */
export function vpcAttribute(
  v: Vpc,
  name: "enableDnsSupport" | "enableDnsHostnames" | "enableNetworkAddressUsageMetrics",
): boolean {
  const set = v[name];
  if (set !== undefined) return set;
  if (name === "enableDnsSupport") return true;
  if (name === "enableDnsHostnames") return v.isDefault;
  return false;
}

/** A subnet as stored (API-12, DEF-7). */
export interface Subnet extends ScopedFields {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly ipv6CidrBlock?: string;
  readonly ipv6AssociationId?: string;
  readonly availabilityZone: string;
  readonly networkAclId: string;
  readonly networkAclAssociationId: string;
  /** The default subnet of its AZ in a default VPC. */
  readonly defaultForAz?: boolean;
  /** ModifySubnetAttribute attributes (absent = false / "ip-name"); see SubnetAttributes. */
  readonly attributes?: SubnetAttributes;
  readonly tags: Tags;
}

/** Subnet attributes ModifySubnetAttribute changes and DescribeSubnets shows. */
export interface SubnetAttributes {
  readonly mapPublicIpOnLaunch?: boolean;
  readonly assignIpv6AddressOnCreation?: boolean;
  readonly enableDns64?: boolean;
  readonly hostnameType?: "ip-name" | "resource-name";
  readonly enableResourceNameDnsARecordOnLaunch?: boolean;
  readonly enableResourceNameDnsAAAARecordOnLaunch?: boolean;
  readonly mapCustomerOwnedIpOnLaunch?: boolean;
  readonly customerOwnedIpv4Pool?: string;
  readonly enableLniAtDeviceIndex?: number;
}

/**
 * A VPC or subnet `CidrBlock` that does not parse: AWS's `Value (<v>) for parameter cidrBlock is
 * invalid. This is not a valid CIDR block.` (InvalidParameterValue).
 */
function parseBlock(text: string): Cidr {
  const c = tryParseIpv4Cidr(text);
  if (c === undefined) throw controllerError("EMU_ERR_CIDR_BLOCK_INVALID", text);
  return c;
}

/** VPC CIDR: IPv4, /16../28 (ERR-33 `InvalidVpc.Range`). */
export function sanitizeVpcCidr(text: string): Cidr {
  const c = parseBlock(text);
  if (c.prefix < 16 || c.prefix > 28) throw controllerError("EMU_ERR_VPC_RANGE", text);
  return c;
}

/** Subnet CIDR: IPv4, /16../28 (ERR-33 `InvalidSubnet.Range`); containment is checked by the store. */
export function sanitizeSubnetCidr(text: string): Cidr {
  const c = parseBlock(text);
  if (c.prefix < 16 || c.prefix > 28) throw controllerError("EMU_ERR_SUBNET_RANGE", text);
  return c;
}

/** AWS reserves the first four and the last IPv4 address of every subnet (API-12). */
export const SUBNET_RESERVED_LOW = 4;
export const SUBNET_RESERVED_HIGH = 1;
