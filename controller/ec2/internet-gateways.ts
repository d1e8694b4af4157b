/**
 * Internet gateways and egress-only internet gateways (docs/routing.md IGW-): Create/Delete/
 * Describe/Attach/DetachInternetGateway, Create/Delete/DescribeEgressOnlyInternetGateways.
 * API only: no traffic crosses them yet.
 */
import {
  attachInternetGateway,
  createEgressOnlyGateway,
  createInternetGateway,
  deleteEgressOnlyGateway,
  deleteInternetGateway,
  detachInternetGateway,
} from "../store/routing-ops.js";
import type { EgressOnlyInternetGateway, InternetGateway } from "../model/routing.js";
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

/** IGW-1: `attachmentSet/item{state,vpcId}`; an attached gateway's state is `available`. */
export function internetGatewayXml(g: InternetGateway): XmlTree {
  return {
    internetGatewayId: g.internetGatewayId,
    ownerId: g.ownerId,
    attachmentSet: g.vpcId === undefined ? [] : [{ state: "available", vpcId: g.vpcId }],
    tagSet: tagSet(g.tags),
  };
}

function egressOnlyXml(g: EgressOnlyInternetGateway): XmlTree {
  return {
    egressOnlyInternetGatewayId: g.egressOnlyInternetGatewayId,
    attachmentSet: [{ state: "attached", vpcId: g.vpcId }],
    tagSet: tagSet(g.tags),
  };
}

const create: ActionHandler = (c) => {
  const tags = tagSpecifications(c.params, "internet-gateway");
  const g = mutate(c, (ctx) => createInternetGateway(ctx, tags));
  return { internetGateway: internetGatewayXml(g) };
};

const attach: ActionHandler = (c) => {
  const p = c.params;
  const igw = p.req("InternetGatewayId");
  const vpc = p.req("VpcId");
  mutate(c, (ctx) => attachInternetGateway(ctx, igw, vpc));
  return { return: true };
};

const detach: ActionHandler = (c) => {
  const p = c.params;
  const igw = p.req("InternetGatewayId");
  const vpc = p.req("VpcId");
  mutate(c, (ctx) => detachInternetGateway(ctx, igw, vpc));
  return { return: true };
};

const remove: ActionHandler = (c) => {
  const id = c.params.req("InternetGatewayId");
  mutate(c, (ctx) => deleteInternetGateway(ctx, id));
  return { return: true };
};

const describe: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "internetGateway"),
    p.list("InternetGatewayId"),
    (g) => g.internetGatewayId,
    notFoundError("EMU_ERR_IGW_NOT_FOUND", "EMU_ERR_IGW_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "internet-gateway-id": (g) => [g.internetGatewayId],
      "attachment.vpc-id": (g) => [g.vpcId],
      "attachment.state": (g) => (g.vpcId === undefined ? [] : ["available"]),
      "owner-id": (g) => [g.ownerId],
    },
    (g) => g.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { internetGatewaySet: page.map(internetGatewayXml), nextToken };
};

const createEgressOnly: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  const token = p.str("ClientToken");
  const g = mutate(c, (ctx) =>
    createEgressOnlyGateway(ctx, vpcId, tagSpecifications(p, "egress-only-internet-gateway")),
  );
  return { clientToken: token, egressOnlyInternetGateway: egressOnlyXml(g) };
};

const deleteEgressOnly: ActionHandler = (c) => {
  const id = c.params.req("EgressOnlyInternetGatewayId");
  mutate(c, (ctx) => deleteEgressOnlyGateway(ctx, id));
  return { returnCode: true };
};

const describeEgressOnly: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "egressOnlyInternetGateway"),
    p.list("EgressOnlyInternetGatewayId"),
    (g) => g.egressOnlyInternetGatewayId,
    notFoundError("EMU_ERR_EIGW_NOT_FOUND", "EMU_ERR_EIGW_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "egress-only-internet-gateway-id": (g) => [g.egressOnlyInternetGatewayId],
      "attachment.vpc-id": (g) => [g.vpcId],
      "attachment.state": () => ["attached"],
    },
    (g) => g.tags,
  );
  const { page, nextToken } = paginate(items, p, { min: 5, max: 255 });
  return { egressOnlyInternetGatewaySet: page.map(egressOnlyXml), nextToken };
};

export const INTERNET_GATEWAY_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateInternetGateway: create,
  AttachInternetGateway: attach,
  DetachInternetGateway: detach,
  DeleteInternetGateway: remove,
  DescribeInternetGateways: describe,
  CreateEgressOnlyInternetGateway: createEgressOnly,
  DeleteEgressOnlyInternetGateway: deleteEgressOnly,
  DescribeEgressOnlyInternetGateways: describeEgressOnly,
};
