import { controllerError } from "../errors.js";
import { sanitizeNaclEntry, sanitizeRuleNumber, type NetworkAcl } from "../model/network-acl.js";
import {
  createNaclEntry,
  createNetworkAcl,
  deleteNaclEntry,
  deleteNetworkAcl,
  replaceNaclAssociation,
  replaceNaclEntry,
} from "../store/nacl-ops.js";
import { mutate, visible, type ActionHandler, type Ec2Context } from "./context.js";
import {
  applyFilters,
  notFoundError,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

function networkAclXml(c: Ec2Context, acl: NetworkAcl): XmlTree {
  const subnets = visible(c, "subnet").filter((s) => s.networkAclId === acl.networkAclId);
  return {
    networkAclId: acl.networkAclId,
    vpcId: acl.vpcId,
    default: acl.isDefault,
    entrySet: acl.entries.map((e) => ({
      ruleNumber: e.ruleNumber,
      protocol: e.protocol,
      ruleAction: e.ruleAction,
      egress: e.egress,
      cidrBlock: e.cidrBlock,
      ipv6CidrBlock: e.ipv6CidrBlock,
      icmpTypeCode: e.icmpType === undefined ? undefined : { code: e.icmpCode, type: e.icmpType },
      portRange: e.portFrom === undefined ? undefined : { from: e.portFrom, to: e.portTo },
    })),
    associationSet: subnets.map((s) => ({
      networkAclAssociationId: s.networkAclAssociationId,
      networkAclId: acl.networkAclId,
      subnetId: s.subnetId,
    })),
    tagSet: tagSet(acl.tags),
    ownerId: c.accountId,
  };
}

const createAcl: ActionHandler = (c) => {
  const p = c.params;
  const acl = mutate(c, (ctx) =>
    createNetworkAcl(ctx, { vpcId: p.req("VpcId"), tags: tagSpecifications(p, "network-acl") }),
  );
  return { networkAcl: networkAclXml(c, acl), clientToken: p.str("ClientToken") };
};

const deleteAcl: ActionHandler = (c) => {
  const id = c.params.req("NetworkAclId");
  mutate(c, (ctx) => deleteNetworkAcl(ctx, id));
  return { return: true };
};

function entryInput(p: QueryParams) {
  const egress = p.bool("Egress");
  if (egress === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Egress");
  return sanitizeNaclEntry({
    ruleNumber: p.str("RuleNumber"),
    protocol: p.str("Protocol"),
    ruleAction: p.str("RuleAction"),
    egress,
    cidrBlock: p.str("CidrBlock"),
    ipv6CidrBlock: p.str("Ipv6CidrBlock"),
    icmpType: p.str("Icmp.Type"),
    icmpCode: p.str("Icmp.Code"),
    portFrom: p.str("PortRange.From"),
    portTo: p.str("PortRange.To"),
  });
}

const createEntry: ActionHandler = (c) => {
  const id = c.params.req("NetworkAclId");
  const entry = entryInput(c.params);
  mutate(c, (ctx) => createNaclEntry(ctx, id, entry));
  return { return: true };
};

const replaceEntry: ActionHandler = (c) => {
  const id = c.params.req("NetworkAclId");
  const entry = entryInput(c.params);
  mutate(c, (ctx) => replaceNaclEntry(ctx, id, entry));
  return { return: true };
};

const deleteEntry: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("NetworkAclId");
  const egress = p.bool("Egress");
  if (egress === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Egress");
  const raw = p.req("RuleNumber");
  // NACL-4: 32767/32768 name the `*` entries, which cannot be deleted.
  const ruleNumber =
    /^\d+$/.test(raw) && Number(raw) >= 32767 ? Number(raw) : sanitizeRuleNumber(raw);
  mutate(c, (ctx) => deleteNaclEntry(ctx, id, ruleNumber, egress));
  return { return: true };
};

const replaceAssociation: ActionHandler = (c) => {
  const p = c.params;
  const assoc = p.req("AssociationId");
  const acl = p.req("NetworkAclId");
  const newAssociationId = mutate(c, (ctx) => replaceNaclAssociation(ctx, assoc, acl));
  return { newAssociationId };
};

const describeAcls: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "networkAcl"),
    p.list("NetworkAclId"),
    (a) => a.networkAclId,
    notFoundError("EMU_ERR_NACL_NOT_FOUND", "EMU_ERR_NACL_NOT_FOUND_MANY"),
  );
  const subnetsOf = (a: NetworkAcl) =>
    visible(c, "subnet").filter((s) => s.networkAclId === a.networkAclId);
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "network-acl-id": (a) => [a.networkAclId],
      "vpc-id": (a) => [a.vpcId],
      default: (a) => [String(a.isDefault)],
      "owner-id": () => [c.accountId],
      "association.subnet-id": (a) => subnetsOf(a).map((s) => s.subnetId),
      "association.association-id": (a) => subnetsOf(a).map((s) => s.networkAclAssociationId),
      "association.network-acl-id": (a) => (subnetsOf(a).length > 0 ? [a.networkAclId] : []),
      "entry.cidr": (a) => a.entries.map((e) => e.cidrBlock),
      "entry.ipv6-cidr": (a) => a.entries.map((e) => e.ipv6CidrBlock),
      "entry.rule-number": (a) => a.entries.map((e) => String(e.ruleNumber)),
      "entry.protocol": (a) => a.entries.map((e) => e.protocol),
      "entry.rule-action": (a) => a.entries.map((e) => e.ruleAction),
      "entry.egress": (a) => a.entries.map((e) => String(e.egress)),
      "entry.port-range.from": (a) => a.entries.map((e) => e.portFrom?.toString()),
      "entry.port-range.to": (a) => a.entries.map((e) => e.portTo?.toString()),
    },
    (a) => a.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { networkAclSet: page.map((a) => networkAclXml(c, a)), nextToken };
};

export const NETWORK_ACL_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateNetworkAcl: createAcl,
  DeleteNetworkAcl: deleteAcl,
  DescribeNetworkAcls: describeAcls,
  CreateNetworkAclEntry: createEntry,
  ReplaceNetworkAclEntry: replaceEntry,
  DeleteNetworkAclEntry: deleteEntry,
  ReplaceNetworkAclAssociation: replaceAssociation,
};
