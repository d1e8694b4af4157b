/**
 * NAT gateways (docs/routing.md NAT-): Create/Delete/DescribeNatGateways. Public NAT gateways
 * only, each with one Elastic IP; states follow store/address-ops.ts (pending -> available,
 * deleting -> deleted). API only: no flow is translated yet.
 */
import { controllerError } from "../errors.js";
import type { NatGateway } from "../model/routing.js";
import {
  NAT_DELETED_VISIBLE_MS,
  createNatGateway,
  deleteNatGateway,
  natGatewayState,
} from "../store/address-ops.js";
import { mutate, visible, type ActionHandler } from "./context.js";
import {
  applyFilters,
  notFoundError,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { XmlTree } from "./xml.js";

function natXml(n: NatGateway, nowMs: number): XmlTree {
  const state = natGatewayState(n, nowMs);
  return {
    createTime: n.createTime,
    deleteTime: n.deleteTime,
    natGatewayAddressSet: [
      {
        allocationId: n.allocationId,
        networkInterfaceId: n.networkInterfaceId,
        privateIp: n.privateIp,
        publicIp: n.publicIp,
        isPrimary: true,
        status: state === "deleted" || state === "deleting" ? "disassociating" : "succeeded",
      },
    ],
    natGatewayId: n.natGatewayId,
    state,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    connectivityType: "public",
    tagSet: tagSet(n.tags),
  };
}

const create: ActionHandler = (c) => {
  const p = c.params;
  const subnetId = p.req("SubnetId");
  const type = p.str("ConnectivityType") ?? "public";
  if (type !== "public")
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value '${type}' for ConnectivityType. vpcemu emulates public NAT gateways only (docs/routing.md).`,
    );
  const allocationId = p.str("AllocationId");
  const privateIp = p.str("PrivateIpAddress");
  const token = p.str("ClientToken");
  const n = mutate(c, (ctx) =>
    createNatGateway(ctx, {
      subnetId,
      ...(allocationId === undefined ? {} : { allocationId }),
      ...(privateIp === undefined ? {} : { privateIpAddress: privateIp }),
      ...(token === undefined ? {} : { clientToken: token }),
      tags: tagSpecifications(p, "natgateway"),
    }),
  );
  return { clientToken: token, natGateway: natXml(n, Date.now()) };
};

const remove: ActionHandler = (c) => {
  const id = c.params.req("NatGatewayId");
  const n = mutate(c, (ctx) => deleteNatGateway(ctx, id));
  return { natGatewayId: n.natGatewayId };
};

const describe: ActionHandler = (c) => {
  const p = c.params;
  const now = Date.now();
  const live = visible(c, "natGateway").filter(
    (n) => n.deleteTime === undefined || now - Date.parse(n.deleteTime) < NAT_DELETED_VISIBLE_MS,
  );
  const all = selectByIds(
    live,
    p.list("NatGatewayId"),
    (n) => n.natGatewayId,
    notFoundError("EMU_ERR_NAT_NOT_FOUND", "EMU_ERR_NAT_NOT_FOUND_MANY"),
  );
  // Why: the SDK names the filter list `Filter` here like everywhere (wire: Filter.N).
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "nat-gateway-id": (n) => [n.natGatewayId],
      state: (n) => [natGatewayState(n, now)],
      "subnet-id": (n) => [n.subnetId],
      "vpc-id": (n) => [n.vpcId],
    },
    (n) => n.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { natGatewaySet: page.map((n) => natXml(n, now)), nextToken };
};

export const NAT_GATEWAY_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateNatGateway: create,
  DeleteNatGateway: remove,
  DescribeNatGateways: describe,
};
