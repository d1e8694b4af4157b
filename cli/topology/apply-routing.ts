/**
 * The routing part of applyTopology (apply-topology.ts): internet gateways (created and
 * attached), peerings (requested and accepted: both VPCs are the caller's), Elastic IPs
 * (allocated, associated with their instance), NAT gateways and route tables (created with their
 * routes, associated with their subnets), all through the EC2 API. Every resource gets a `Name`
 * tag (TagSpecifications); an API error is reported at the item that caused it.
 */
import {
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateVpcPeeringConnectionCommand,
  type CreateRouteCommandInput,
  type EC2Client,
  type ResourceType,
  type TagSpecification,
} from "@aws-sdk/client-ec2";
import type { Topology, TopologyRoute } from "./topology.js";
import { TopologyError, type SourceLocation } from "./yaml-reader.js";

/** Runs `call`, turning an API error into a TopologyError located at `loc`. */
export async function atItem<T>(loc: SourceLocation, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TopologyError) throw err;
    const e = err as { name?: string; message?: string };
    const code = e.name && e.name !== "Error" ? `${e.name}: ` : "";
    throw new TopologyError([{ at: loc, message: `${code}${e.message ?? String(err)}` }]);
  }
}

export function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`EC2 API answered without ${what}`);
  return value;
}

function nameTag(type: ResourceType, name: string): TagSpecification[] {
  return [{ ResourceType: type, Tags: [{ Key: "Name", Value: name }] }];
}

/** Internet gateways: created, attached to their VPC when the file names one. */
export async function applyInternetGateways(
  ec2: EC2Client,
  t: Topology,
  vpcs: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const g of t.internetGateways) {
    const created = await atItem(g.at, () =>
      ec2.send(
        new CreateInternetGatewayCommand({
          TagSpecifications: nameTag("internet-gateway", g.name),
        }),
      ),
    );
    const id = need(created.InternetGateway?.InternetGatewayId, "an internet gateway id");
    out.set(g.name, id);
    if (g.vpc !== undefined) {
      await atItem(g.at, () =>
        ec2.send(
          new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcs.get(g.vpc!) }),
        ),
      );
    }
  }
  return out;
}

/** Peerings between two VPCs of the file: requested, then accepted (same account, PCX-2). */
export async function applyPeerings(
  ec2: EC2Client,
  t: Topology,
  vpcs: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of t.peerings) {
    const created = await atItem(p.at, () =>
      ec2.send(
        new CreateVpcPeeringConnectionCommand({
          VpcId: vpcs.get(p.vpc),
          PeerVpcId: vpcs.get(p.peerVpc),
          TagSpecifications: nameTag("vpc-peering-connection", p.name),
        }),
      ),
    );
    const id = need(created.VpcPeeringConnection?.VpcPeeringConnectionId, "a peering id");
    const status = created.VpcPeeringConnection?.Status?.Code;
    if (status === "failed") {
      throw new TopologyError([
        {
          at: p.at,
          message: `peering ${id} failed: ${created.VpcPeeringConnection?.Status?.Message ?? ""}`,
        },
      ]);
    }
    await atItem(p.at, () =>
      ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })),
    );
    out.set(p.name, id);
  }
  return out;
}

/** An Elastic IP of the file: its allocation and address. */
export interface AppliedElasticIp {
  readonly allocationId: string;
  readonly publicIp: string;
}

/** Elastic IPs: allocated, associated with their instance when the file names one. */
export async function applyElasticIps(
  ec2: EC2Client,
  t: Topology,
  instances: ReadonlyMap<string, { readonly instanceId: string }>,
): Promise<Map<string, AppliedElasticIp>> {
  const out = new Map<string, AppliedElasticIp>();
  for (const e of t.elasticIps) {
    const allocated = await atItem(e.at, () =>
      ec2.send(
        new AllocateAddressCommand({
          Domain: "vpc",
          TagSpecifications: nameTag("elastic-ip", e.name),
        }),
      ),
    );
    const eip = {
      allocationId: need(allocated.AllocationId, "an allocation id"),
      publicIp: need(allocated.PublicIp, "a public IP"),
    };
    out.set(e.name, eip);
    if (e.instance !== undefined) {
      await atItem(e.at, () =>
        ec2.send(
          new AssociateAddressCommand({
            AllocationId: eip.allocationId,
            InstanceId: instances.get(e.instance!)?.instanceId,
          }),
        ),
      );
    }
  }
  return out;
}

/** NAT gateways (public, NAT-1) in their subnet with their Elastic IP. */
export async function applyNatGateways(
  ec2: EC2Client,
  t: Topology,
  subnets: ReadonlyMap<string, string>,
  eips: ReadonlyMap<string, AppliedElasticIp>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of t.natGateways) {
    const created = await atItem(n.at, () =>
      ec2.send(
        new CreateNatGatewayCommand({
          SubnetId: subnets.get(n.subnet),
          AllocationId: eips.get(n.elasticIp)?.allocationId,
          TagSpecifications: nameTag("natgateway", n.name),
        }),
      ),
    );
    out.set(n.name, need(created.NatGateway?.NatGatewayId, "a NAT gateway id"));
  }
  return out;
}

/** The ids a route's target may name. */
export interface RouteTargetIds {
  readonly internetGateways: ReadonlyMap<string, string>;
  readonly natGateways: ReadonlyMap<string, string>;
  readonly peerings: ReadonlyMap<string, string>;
  readonly instances: ReadonlyMap<string, { readonly instanceId: string }>;
}

function targetOf(route: TopologyRoute, ids: RouteTargetIds): Partial<CreateRouteCommandInput> {
  const { kind, name } = route.target;
  switch (kind) {
    case "internetGateway":
      return { GatewayId: ids.internetGateways.get(name) };
    case "natGateway":
      return { NatGatewayId: ids.natGateways.get(name) };
    case "peering":
      return { VpcPeeringConnectionId: ids.peerings.get(name) };
    case "instance":
      return { InstanceId: ids.instances.get(name)?.instanceId };
  }
}

/** Route tables: created in their VPC, their routes added, associated with their subnets. */
export async function applyRouteTables(
  ec2: EC2Client,
  t: Topology,
  vpcs: ReadonlyMap<string, string>,
  subnets: ReadonlyMap<string, string>,
  ids: RouteTargetIds,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const table of t.routeTables) {
    const created = await atItem(table.at, () =>
      ec2.send(
        new CreateRouteTableCommand({
          VpcId: vpcs.get(table.vpc),
          TagSpecifications: nameTag("route-table", table.name),
        }),
      ),
    );
    const id = need(created.RouteTable?.RouteTableId, "a route table id");
    out.set(table.name, id);
    for (const route of table.routes) {
      await atItem(route.at, () =>
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: id,
            DestinationCidrBlock: route.destination,
            ...targetOf(route, ids),
          }),
        ),
      );
    }
    for (const subnet of table.subnets) {
      await atItem(table.at, () =>
        ec2.send(
          new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnets.get(subnet) }),
        ),
      );
    }
  }
  return out;
}
