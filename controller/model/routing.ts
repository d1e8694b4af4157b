/**
 * Routing resources as stored (docs/routing.md): internet gateways, egress-only internet
 * gateways, route tables with their routes and associations, addresses (Elastic IPs and the
 * public IPv4 addresses given at launch), NAT gateways and VPC peering connections. API only:
 * no packet is routed by them yet (docs/routing.md "What is not there yet").
 */
import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";

/**
 * The emulated public IPv4 range Elastic IPs and launch-time public IPs come from: RFC 2544
 * benchmarking space (198.18.0.0/15), documented as never routed on the internet. It exists
 * only inside vpcemu (DESIGN.md "Network safety"); nothing on the host sends to it. RT-/EIP-
 * IDs in docs/routing.md cite this choice.
 */
export const EMULATED_PUBLIC_IPV4_RANGE = "198.18.0.0/15";

/** An internet gateway (IGW-1): attached to at most one VPC. */
export interface InternetGateway extends ScopedFields {
  readonly internetGatewayId: string;
  /** The attached VPC; absent while detached. */
  readonly vpcId?: string;
  readonly tags: Tags;
}

/** An egress-only internet gateway (IGW-8): created attached to one VPC, for IPv6. */
export interface EgressOnlyInternetGateway extends ScopedFields {
  readonly egressOnlyInternetGatewayId: string;
  readonly vpcId: string;
  readonly tags: Tags;
}

/** The target of a stored route: exactly one field is set. */
export interface RouteTarget {
  readonly gatewayId?: string;
  readonly egressOnlyInternetGatewayId?: string;
  readonly natGatewayId?: string;
  readonly vpcPeeringConnectionId?: string;
  readonly networkInterfaceId?: string;
  readonly instanceId?: string;
}

/** A route added by CreateRoute (local routes are derived from the VPC's blocks, RT-2). */
export interface StoredRoute extends RouteTarget {
  readonly destinationCidrBlock?: string;
  readonly destinationIpv6CidrBlock?: string;
}

/** An explicit association of a route table with a subnet or a gateway (edge association). */
export interface RouteTableAssociation {
  readonly associationId: string;
  readonly subnetId?: string;
  readonly gatewayId?: string;
}

/**
 * A stored route table. A VPC's first main table stays derived (never written) until something
 * changes it: its id comes from the VPC record (route-tables.ts `mainRouteTableIds`).
 */
export interface RouteTable extends ScopedFields {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly routes: readonly StoredRoute[];
  readonly associations: readonly RouteTableAssociation[];
  /** Set on the VPC's main route table: the id of its main association. */
  readonly mainAssociationId?: string;
  readonly tags: Tags;
}

/**
 * A public IPv4 address: an Elastic IP (`allocationId` set, DescribeAddresses lists it) or a
 * public IP given at launch (`launch`, freed with the instance, EIP-7).
 */
export interface Address extends ScopedFields {
  readonly publicIp: string;
  readonly allocationId?: string;
  readonly launch?: { readonly instanceId: string };
  /** The association: an ENI and one of its private IPv4 addresses. */
  readonly association?: {
    readonly associationId: string;
    readonly networkInterfaceId: string;
    readonly privateIpAddress: string;
  };
  /** A NAT gateway that holds this Elastic IP (NAT-2). */
  readonly natGatewayId?: string;
  readonly tags: Tags;
}

/** NAT gateway states (NAT-3). */
export type NatGatewayState = "pending" | "failed" | "available" | "deleting" | "deleted";

/** A public NAT gateway in a subnet, with one Elastic IP (NAT-1, NAT-2). */
export interface NatGateway extends ScopedFields {
  readonly natGatewayId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly allocationId: string;
  readonly publicIp: string;
  /** Its private address in the subnet (vpcemu creates no ENI record for it; docs/routing.md). */
  readonly privateIp: string;
  readonly networkInterfaceId: string;
  readonly createTime: string;
  /** ISO time it was deleted (DeleteNatGateway). */
  readonly deleteTime?: string;
  readonly clientToken?: string;
  readonly tags: Tags;
}

/** VPC peering connection status codes (PCX-2). */
export type PeeringStatus =
  | "initiating-request"
  | "pending-acceptance"
  | "active"
  | "rejected"
  | "failed"
  | "expired"
  | "deleting"
  | "deleted";

/** One side of a peering connection. */
export interface PeeringSide {
  readonly vpcId: string;
  readonly ownerId: string;
  readonly region: string;
}

/**
 * A VPC peering connection: stored in the requester's scope (`ownerId`, `region`), visible in
 * the accepter's too (PCX-4).
 */
export interface VpcPeeringConnection extends ScopedFields {
  readonly vpcPeeringConnectionId: string;
  readonly requester: PeeringSide;
  readonly accepter: PeeringSide;
  readonly status: PeeringStatus;
  readonly message: string;
  readonly createTime: string;
  /** The time a pending request expires (7 days, PCX-2). */
  readonly expirationTime: string;
  /** When it last changed state (failed/rejected/deleted ones stay visible a while, PCX-2). */
  readonly changedTime: string;
  readonly tags: Tags;
}
