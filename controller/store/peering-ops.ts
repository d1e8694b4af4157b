/**
 * VPC peering connections (docs/routing.md PCX-), also across accounts and regions, and the
 * security-group references they allow (AWS-BEHAVIOUR REF-4, REF-5). API state only.
 *
 *   CreateVpcPeeringConnection -> initiating-request (the response) -> pending-acceptance
 *        | accepter VPC missing or CIDRs overlapping -> failed
 *   pending-acceptance --Accept (accepter)--> active --Delete (either side)--> deleted
 *   pending-acceptance --Reject (accepter)--> rejected
 *   pending-acceptance --Delete (requester)--> deleted
 *   pending-acceptance --7 days--> expired
 *
 * The record lives in the requester's scope; the accepter's scope sees it too.
 */
import { controllerError } from "../errors.js";
import { newId } from "../ids.js";
import { cidrsOverlap, parseCidr } from "../model/cidr.js";
import type { PeeringSide, PeeringStatus, VpcPeeringConnection } from "../model/routing.js";
import type { SecurityGroup } from "../model/security-group.js";
import type { Tags } from "../model/tags.js";
import { vpcIpv4Cidrs, type Vpc } from "../model/vpc.js";
import {
  isInScope,
  sameScope,
  scopeFields,
  scopeOf,
  type Scope,
  type ScopedOpContext,
} from "./scope.js";
import type { StateReader } from "./transaction.js";
import { requireVpc } from "./vpc-ops.js";

/** A pending request expires after 7 days (PCX-2). */
export const PEERING_EXPIRY_MS = 7 * 24 * 3600 * 1000;
/** Deleted, rejected, failed and expired connections stay listed for 2 hours (PCX-2). */
export const PEERING_TERMINAL_VISIBLE_MS = 2 * 3600 * 1000;

/** AWS's message of a failed request (gh:hashicorp/terraform#8933). */
export const PEERING_FAILED_MESSAGE =
  "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range.";

const TERMINAL: readonly PeeringStatus[] = ["deleted", "rejected", "failed", "expired"];

/** The status of `p` at `nowMs` (a pending request past its expiry is `expired`). */
export function peeringStatus(p: VpcPeeringConnection, nowMs: number): PeeringStatus {
  if (p.status === "pending-acceptance" && nowMs > Date.parse(p.expirationTime)) return "expired";
  return p.status;
}

function sideScope(s: PeeringSide): Scope {
  return { accountId: s.ownerId, region: s.region };
}

/** Whether the request's scope is one of the connection's sides. */
export function peeringVisibleTo(p: VpcPeeringConnection, scope: Scope): boolean {
  return sameScope(sideScope(p.requester), scope) || sameScope(sideScope(p.accepter), scope);
}

/** The connection `id` if the scope is one of its sides. */
export function visiblePeering(
  reader: StateReader,
  scope: Scope,
  id: string,
): VpcPeeringConnection | undefined {
  const p = reader.get("vpcPeeringConnection", id);
  return p !== undefined && peeringVisibleTo(p, scope) ? p : undefined;
}

/** Every connection the scope sees (terminal ones for 2 hours). */
export function peeringsVisibleTo(
  reader: StateReader,
  scope: Scope,
  nowMs: number,
): VpcPeeringConnection[] {
  return reader
    .list("vpcPeeringConnection")
    .filter(
      (p) =>
        peeringVisibleTo(p, scope) &&
        !(
          TERMINAL.includes(peeringStatus(p, nowMs)) &&
          nowMs - Date.parse(p.changedTime) > PEERING_TERMINAL_VISIBLE_MS &&
          p.status !== "pending-acceptance"
        ),
    );
}

/** Whether `p` has `vpcId` on one of its sides. */
export function peeringJoins(p: VpcPeeringConnection, vpcId: string): boolean {
  return p.requester.vpcId === vpcId || p.accepter.vpcId === vpcId;
}

/** The active connection between two VPCs, if any (REF-4). */
export function activePeeringBetween(
  reader: StateReader,
  a: string,
  b: string,
): VpcPeeringConnection | undefined {
  return reader
    .list("vpcPeeringConnection")
    .find((p) => p.status === "active" && peeringJoins(p, a) && peeringJoins(p, b));
}

/** The latest connection between two VPCs, whatever its state (for REF-5 `peeringStatus`). */
export function latestPeeringBetween(
  reader: StateReader,
  a: string,
  b: string,
): VpcPeeringConnection | undefined {
  const all = reader
    .list("vpcPeeringConnection")
    .filter((p) => peeringJoins(p, a) && peeringJoins(p, b));
  return all.find((p) => p.status === "active") ?? all[all.length - 1];
}

/**
 * REF-4: the group `groupId` as a rule of a group in `vpcId` may reference it: in the same VPC
 * and scope, or in a VPC of the same Region joined to `vpcId` by an active peering (any
 * account; AWS does not allow group references across an inter-Region peering).
 * Returns undefined when the group exists in no reachable VPC (the caller raises the error).
 */
export function referenceableGroup(
  ctx: ScopedOpContext,
  vpcId: string,
  groupId: string,
): SecurityGroup | undefined {
  const g = ctx.tx.get("securityGroup", groupId);
  if (g === undefined) return undefined;
  if (g.vpcId === vpcId) return isInScope(g, ctx.scope) ? g : undefined;
  if (scopeOf(g).region !== ctx.scope.region) return undefined;
  return activePeeringBetween(ctx.tx, vpcId, g.vpcId) === undefined ? undefined : g;
}

/** What a rule's referenced group shows: owner, VPC, and the peering when across one (REF-4/5). */
export function referencedGroupView(
  reader: StateReader,
  fromVpcId: string | undefined,
  groupId: string,
  fallbackOwner: string,
): {
  userId: string;
  groupId: string;
  vpcId?: string;
  vpcPeeringConnectionId?: string;
  peeringStatus?: string;
} {
  const g = reader.get("securityGroup", groupId);
  const owner = g === undefined ? fallbackOwner : scopeOf(g).accountId;
  if (g === undefined || fromVpcId === undefined || g.vpcId === fromVpcId)
    return { groupId, userId: owner, ...(g === undefined ? {} : { vpcId: g.vpcId }) };
  const p = latestPeeringBetween(reader, fromVpcId, g.vpcId);
  return {
    groupId,
    userId: owner,
    vpcId: g.vpcId,
    ...(p === undefined
      ? {}
      : { vpcPeeringConnectionId: p.vpcPeeringConnectionId, peeringStatus: p.status }),
  };
}

function overlaps(a: Vpc, b: Vpc): boolean {
  const blocks = (v: Vpc) => [
    ...vpcIpv4Cidrs(v),
    ...(v.ipv6CidrBlock === undefined ? [] : [v.ipv6CidrBlock]),
  ];
  return blocks(a).some((x) =>
    blocks(b).some((y) => {
      const cx = parseCidr(x);
      const cy = parseCidr(y);
      return cx.family === cy.family && cidrsOverlap(cx, cy);
    }),
  );
}

export interface CreatePeeringInput {
  readonly vpcId: string;
  readonly peerVpcId: string;
  readonly peerOwnerId?: string;
  readonly peerRegion?: string;
  readonly tags: Tags;
}

/**
 * CreateVpcPeeringConnection (PCX-1, PCX-3, PCX-5): the accepter VPC is looked up in the peer
 * account and region; a missing one or overlapping CIDR blocks make the request `failed`
 * (created, not an error, as AWS does). Two connections between the same VPCs that are not
 * terminal are refused.
 */
export function createPeering(
  ctx: ScopedOpContext,
  input: CreatePeeringInput,
  nowMs: number,
): VpcPeeringConnection {
  const requester = requireVpc(ctx, input.vpcId);
  if (input.peerVpcId === input.vpcId)
    throw controllerError("EMU_ERR_PCX_SAME_VPC", input.peerVpcId);
  const accepterScope: Scope = {
    accountId: input.peerOwnerId ?? ctx.scope.accountId,
    region: input.peerRegion ?? ctx.scope.region,
  };
  const existing = ctx.tx
    .list("vpcPeeringConnection")
    .find(
      (p) =>
        !TERMINAL.includes(peeringStatus(p, nowMs)) &&
        peeringJoins(p, input.vpcId) &&
        peeringJoins(p, input.peerVpcId),
    );
  if (existing !== undefined)
    throw controllerError(
      "EMU_ERR_PCX_ALREADY_EXISTS",
      input.vpcId,
      input.peerVpcId,
      existing.vpcPeeringConnectionId,
    );
  const peer = ctx.tx.get("vpc", input.peerVpcId);
  const ok = peer !== undefined && isInScope(peer, accepterScope) && !overlaps(requester, peer);
  const p: VpcPeeringConnection = {
    vpcPeeringConnectionId: newId("pcx"),
    requester: { vpcId: requester.vpcId, ownerId: ctx.scope.accountId, region: ctx.scope.region },
    accepter: {
      vpcId: input.peerVpcId,
      ownerId: accepterScope.accountId,
      region: accepterScope.region,
    },
    status: ok ? "pending-acceptance" : "failed",
    message: ok ? `Pending Acceptance by ${accepterScope.accountId}` : PEERING_FAILED_MESSAGE,
    createTime: ctx.now,
    expirationTime: new Date(nowMs + PEERING_EXPIRY_MS).toISOString(),
    changedTime: ctx.now,
    ...scopeFields(ctx.scope),
    tags: input.tags,
  };
  ctx.tx.put("vpcPeeringConnection", p.vpcPeeringConnectionId, p);
  return p;
}

function requirePeering(ctx: ScopedOpContext, id: string): VpcPeeringConnection {
  const p = visiblePeering(ctx.tx, ctx.scope, id);
  if (p === undefined) throw controllerError("EMU_ERR_PCX_NOT_FOUND", id);
  return p;
}

function transition(
  ctx: ScopedOpContext,
  p: VpcPeeringConnection,
  status: PeeringStatus,
  message: string,
): VpcPeeringConnection {
  const next: VpcPeeringConnection = { ...p, status, message, changedTime: ctx.now };
  ctx.tx.put("vpcPeeringConnection", p.vpcPeeringConnectionId, next);
  return next;
}

/** AcceptVpcPeeringConnection (PCX-2): by the accepter's account and region, while pending. */
export function acceptPeering(
  ctx: ScopedOpContext,
  id: string,
  nowMs: number,
): VpcPeeringConnection {
  const p = requirePeering(ctx, id);
  if (!sameScope(sideScope(p.accepter), ctx.scope))
    throw controllerError("EMU_ERR_PCX_NOT_PERMITTED", ctx.scope.accountId, "accept", id);
  const status = peeringStatus(p, nowMs);
  if (status !== "pending-acceptance")
    throw controllerError("EMU_ERR_PCX_STATE", id, status, "active");
  return transition(ctx, p, "active", "Active");
}

/** RejectVpcPeeringConnection (PCX-2): by the accepter, while pending. */
export function rejectPeering(ctx: ScopedOpContext, id: string, nowMs: number): void {
  const p = requirePeering(ctx, id);
  if (!sameScope(sideScope(p.accepter), ctx.scope))
    throw controllerError("EMU_ERR_PCX_NOT_PERMITTED", ctx.scope.accountId, "reject", id);
  const status = peeringStatus(p, nowMs);
  if (status !== "pending-acceptance")
    throw controllerError("EMU_ERR_PCX_STATE", id, status, "rejected");
  transition(ctx, p, "rejected", `Rejected by ${ctx.scope.accountId}`);
}

/**
 * DeleteVpcPeeringConnection (PCX-2): either side while active; the requester while pending.
 * Rules referencing the peer's groups stay and turn stale (REF-5).
 */
export function deletePeering(ctx: ScopedOpContext, id: string, nowMs: number): void {
  const p = requirePeering(ctx, id);
  const status = peeringStatus(p, nowMs);
  const requester = sameScope(sideScope(p.requester), ctx.scope);
  if (status === "pending-acceptance" && !requester)
    throw controllerError("EMU_ERR_PCX_NOT_PERMITTED", ctx.scope.accountId, "delete", id);
  if (status !== "active" && status !== "pending-acceptance")
    throw controllerError("EMU_ERR_PCX_STATE", id, status, "deleted");
  transition(ctx, p, "deleted", `Deleted by ${ctx.scope.accountId}`);
}

/** Whether `vpcId` is on a side of a connection that is pending or active (DeleteVpc, RT-9). */
export function vpcHasLivePeering(reader: StateReader, vpcId: string, nowMs: number): boolean {
  return reader
    .list("vpcPeeringConnection")
    .some(
      (p) =>
        peeringJoins(p, vpcId) &&
        ["pending-acceptance", "active"].includes(peeringStatus(p, nowMs)),
    );
}
