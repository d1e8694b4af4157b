import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";
import { controllerError } from "../errors.js";
import { sanitizeIpv4Cidr, type Cidr } from "./cidr.js";

/** A VPC as stored (AWS-BEHAVIOUR API-9). */
export interface Vpc extends ScopedFields {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly cidrAssociationId: string;
  readonly ipv6CidrBlock?: string;
  readonly ipv6AssociationId?: string;
  readonly instanceTenancy: string;
  readonly isDefault: boolean;
  /** DEF-1 / DEF-5: created with the VPC, deleted with it (DEF-8). */
  readonly defaultGroupId: string;
  readonly defaultNetworkAclId: string;
  readonly tags: Tags;
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
  readonly tags: Tags;
}

/** VPC CIDR: IPv4, /16../28 (ERR-33 `InvalidVpc.Range`). */
export function sanitizeVpcCidr(text: string): Cidr {
  const c = sanitizeIpv4Cidr(text);
  if (c.prefix < 16 || c.prefix > 28) throw controllerError("EMU_ERR_VPC_RANGE", text);
  return c;
}

/** Subnet CIDR: IPv4, /16../28 (ERR-33 `InvalidSubnet.Range`); containment is checked by the store. */
export function sanitizeSubnetCidr(text: string): Cidr {
  const c = sanitizeIpv4Cidr(text);
  if (c.prefix < 16 || c.prefix > 28) throw controllerError("EMU_ERR_SUBNET_RANGE", text);
  return c;
}

/** AWS reserves the first four and the last IPv4 address of every subnet (API-12). */
export const SUBNET_RESERVED_LOW = 4;
export const SUBNET_RESERVED_HIGH = 1;
