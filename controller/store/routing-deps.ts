/**
 * What routing state DeleteVpc and DeleteSubnet must respect (docs/routing.md RT-9, NAT-6).
 * Self-contained on purpose: vpc-ops.ts calls it, and the routing ops import vpc-ops.ts.
 */
import { controllerError } from "../errors.js";
import type { ScopedOpContext } from "./scope.js";

/**
 * RT-9: DeleteVpc answers DependencyViolation while an internet gateway or egress-only gateway
 * is attached, a NAT gateway is not deleted, a peering connection is pending or active, or a
 * route table other than the main one exists; the main route table goes with the VPC (DEF-8).
 */
export function deleteVpcRoutingState(ctx: ScopedOpContext, vpcId: string): void {
  const { tx } = ctx;
  const busy =
    tx.list("internetGateway").some((g) => g.vpcId === vpcId) ||
    tx.list("egressOnlyInternetGateway").some((g) => g.vpcId === vpcId) ||
    tx.list("natGateway").some((n) => n.vpcId === vpcId && n.deleteTime === undefined) ||
    tx
      .list("vpcPeeringConnection")
      .some(
        (p) =>
          (p.requester.vpcId === vpcId || p.accepter.vpcId === vpcId) &&
          (p.status === "active" || p.status === "pending-acceptance"),
      ) ||
    tx.list("routeTable").some((t) => t.vpcId === vpcId && t.mainAssociationId === undefined);
  if (busy) throw controllerError("EMU_ERR_VPC_DEPENDENCY", vpcId);
  for (const t of tx.list("routeTable"))
    if (t.vpcId === vpcId) tx.delete("routeTable", t.routeTableId);
}

/**
 * NAT-6: DeleteSubnet answers DependencyViolation while a NAT gateway that is not deleted is in
 * it; its explicit route table associations go with it.
 */
export function deleteSubnetRoutingState(ctx: ScopedOpContext, subnetId: string): void {
  const { tx } = ctx;
  if (tx.list("natGateway").some((n) => n.subnetId === subnetId && n.deleteTime === undefined))
    throw controllerError("EMU_ERR_SUBNET_DEPENDENCY", subnetId);
  for (const t of tx.list("routeTable")) {
    if (!t.associations.some((a) => a.subnetId === subnetId)) continue;
    tx.put("routeTable", t.routeTableId, {
      ...t,
      associations: t.associations.filter((a) => a.subnetId !== subnetId),
    });
  }
}
