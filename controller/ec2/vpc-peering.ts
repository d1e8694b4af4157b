/**
 * VPC peering connections (docs/routing.md PCX-): Create/Accept/Reject/Delete/
 * DescribeVpcPeeringConnections, across accounts and regions; DescribeStaleSecurityGroups
 * (AWS-BEHAVIOUR REF-5). Lifecycle in store/peering-ops.ts. API only: no traffic crosses yet.
 */
import { controllerError } from "../errors.js";
import { protocolName, type SecurityGroup, type SgRule } from "../model/security-group.js";
import type { PeeringSide, VpcPeeringConnection } from "../model/routing.js";
import { vpcIpv4Cidrs } from "../model/vpc.js";
import { ensureDefaultVpc } from "../store/default-vpc.js";
import {
  acceptPeering,
  activePeeringBetween,
  createPeering,
  deletePeering,
  peeringStatus,
  peeringsVisibleTo,
  referencedGroupView,
  rejectPeering,
} from "../store/peering-ops.js";
import {
  mutate,
  scopeOfRequest,
  visible,
  visibleGet,
  type ActionHandler,
  type Ec2Context,
} from "./context.js";
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

function sideXml(c: Ec2Context, s: PeeringSide): XmlTree {
  const v = c.store.get("vpc", s.vpcId);
  return {
    cidrBlock: v?.cidrBlock,
    cidrBlockSet: v === undefined ? [] : vpcIpv4Cidrs(v).map((cidrBlock) => ({ cidrBlock })),
    ipv6CidrBlockSet: v?.ipv6CidrBlock === undefined ? [] : [{ ipv6CidrBlock: v.ipv6CidrBlock }],
    ownerId: s.ownerId,
    peeringOptions: {
      allowDnsResolutionFromRemoteVpc: false,
      allowEgressFromLocalClassicLinkToRemoteVpc: false,
      allowEgressFromLocalVpcToRemoteClassicLink: false,
    },
    vpcId: s.vpcId,
    region: s.region,
  };
}

function peeringXml(
  c: Ec2Context,
  p: VpcPeeringConnection,
  nowMs: number,
  status?: { code: string; message: string },
): XmlTree {
  const code = peeringStatus(p, nowMs);
  return {
    accepterVpcInfo: sideXml(c, p.accepter),
    expirationTime: code === "pending-acceptance" ? p.expirationTime : undefined,
    requesterVpcInfo: sideXml(c, p.requester),
    status: status ?? {
      code,
      message: code === "expired" ? "Expired" : p.message,
    },
    tagSet: tagSet(p.tags),
    vpcPeeringConnectionId: p.vpcPeeringConnectionId,
  };
}

const create: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  const peerVpcId = p.req("PeerVpcId");
  const owner = p.str("PeerOwnerId");
  const region = p.str("PeerRegion");
  const now = Date.now();
  const pcx = mutate(c, (ctx) =>
    createPeering(
      ctx,
      {
        vpcId,
        peerVpcId,
        ...(owner === undefined || owner === "" ? {} : { peerOwnerId: owner }),
        ...(region === undefined || region === "" ? {} : { peerRegion: region }),
        tags: tagSpecifications(p, "vpc-peering-connection"),
      },
      now,
    ),
  );
  // PCX-2: the request answers `initiating-request`; Describe shows where it went.
  return {
    vpcPeeringConnection: peeringXml(c, pcx, now, {
      code: "initiating-request",
      message: `Initiating Request to ${pcx.accepter.ownerId}`,
    }),
  };
};

const accept: ActionHandler = (c) => {
  const id = c.params.req("VpcPeeringConnectionId");
  const now = Date.now();
  const pcx = mutate(c, (ctx) => acceptPeering(ctx, id, now));
  return { vpcPeeringConnection: peeringXml(c, pcx, now) };
};

const reject: ActionHandler = (c) => {
  const id = c.params.req("VpcPeeringConnectionId");
  mutate(c, (ctx) => rejectPeering(ctx, id, Date.now()));
  return { return: true };
};

const remove: ActionHandler = (c) => {
  const id = c.params.req("VpcPeeringConnectionId");
  mutate(c, (ctx) => deletePeering(ctx, id, Date.now()));
  return { return: true };
};

const describe: ActionHandler = (c) => {
  const p = c.params;
  const scope = scopeOfRequest(c);
  ensureDefaultVpc(c.store, scope);
  const now = Date.now();
  const all = selectByIds(
    peeringsVisibleTo(c.store.reader(), scope, now),
    p.list("VpcPeeringConnectionId"),
    (x) => x.vpcPeeringConnectionId,
    notFoundError("EMU_ERR_PCX_NOT_FOUND", "EMU_ERR_PCX_NOT_FOUND_MANY"),
  );
  const cidr = (s: PeeringSide) => c.store.get("vpc", s.vpcId)?.cidrBlock;
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "vpc-peering-connection-id": (x) => [x.vpcPeeringConnectionId],
      "status-code": (x) => [peeringStatus(x, now)],
      "status-message": (x) => [x.message],
      "expiration-time": (x) => [x.expirationTime],
      "accepter-vpc-info.cidr-block": (x) => [cidr(x.accepter)],
      "accepter-vpc-info.owner-id": (x) => [x.accepter.ownerId],
      "accepter-vpc-info.vpc-id": (x) => [x.accepter.vpcId],
      "requester-vpc-info.cidr-block": (x) => [cidr(x.requester)],
      "requester-vpc-info.owner-id": (x) => [x.requester.ownerId],
      "requester-vpc-info.vpc-id": (x) => [x.requester.vpcId],
    },
    (x) => x.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { vpcPeeringConnectionSet: page.map((x) => peeringXml(c, x, now)), nextToken };
};

/** REF-5: a rule referencing a group of another VPC that no active peering joins any more. */
function isStale(c: Ec2Context, g: SecurityGroup, r: SgRule): boolean {
  if (r.referencedGroupId === undefined) return false;
  const ref = c.store.get("securityGroup", r.referencedGroupId);
  if (ref === undefined) return true;
  if (ref.vpcId === g.vpcId) return false;
  return activePeeringBetween(c.store.reader(), g.vpcId, ref.vpcId) === undefined;
}

function stalePermissionsXml(c: Ec2Context, g: SecurityGroup, rules: SgRule[]): XmlTree[] {
  return rules.map((r) => {
    const ports = ["6", "17", "1", "58"].includes(r.protocol);
    return {
      fromPort: ports ? r.fromPort : undefined,
      ipProtocol: protocolName(r.protocol),
      ipRanges: [],
      prefixListIds: [],
      groups: [
        {
          description: r.description,
          ...referencedGroupView(c.store.reader(), g.vpcId, r.referencedGroupId ?? "", c.accountId),
        },
      ],
      toPort: ports ? r.toPort : undefined,
    };
  });
}

/** DescribeStaleSecurityGroups (REF-5): the VPC's groups with stale rules, those rules only. */
const describeStale: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  if (visibleGet(c, "vpc", vpcId) === undefined)
    throw controllerError("EMU_ERR_VPC_NOT_FOUND", vpcId);
  const groups = visible(c, "securityGroup").filter((g) => g.vpcId === vpcId);
  const stale = groups
    .map((g) => ({ g, rules: g.rules.filter((r) => isStale(c, g, r)) }))
    .filter((x) => x.rules.length > 0);
  const { page, nextToken } = paginate(stale, p, { min: 5, max: 255 });
  return {
    staleSecurityGroupSet: page.map(({ g, rules }) => ({
      description: g.description,
      groupId: g.groupId,
      groupName: g.groupName,
      staleIpPermissions: stalePermissionsXml(
        c,
        g,
        rules.filter((r) => !r.isEgress),
      ),
      staleIpPermissionsEgress: stalePermissionsXml(
        c,
        g,
        rules.filter((r) => r.isEgress),
      ),
      vpcId: g.vpcId,
    })),
    nextToken,
  };
};

export const VPC_PEERING_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateVpcPeeringConnection: create,
  AcceptVpcPeeringConnection: accept,
  RejectVpcPeeringConnection: reject,
  DeleteVpcPeeringConnection: remove,
  DescribeVpcPeeringConnections: describe,
  DescribeStaleSecurityGroups: describeStale,
};
