import type { NaclEntryState } from "../policy/policy-state.js";
import { controllerError, invalidValue } from "../errors.js";
import { newId } from "../ids.js";
import {
  NACL_CATCH_ALL_V4,
  initialNaclEntries,
  sortNaclEntries,
  type NetworkAcl,
} from "../model/network-acl.js";
import type { Tags } from "../model/tags.js";
import { scopeFields, scopedGet, scopedList, type ScopedOpContext } from "./scope.js";
import { requireVpc } from "./vpc-ops.js";

export function requireNacl(ctx: ScopedOpContext, id: string): NetworkAcl {
  const n = scopedGet(ctx, "networkAcl", id);
  if (n === undefined) throw controllerError("EMU_ERR_NACL_NOT_FOUND", id);
  return n;
}

/** CreateNetworkAcl (API-22, DEF-6): only the `*` denies; Q-5 NACLs per VPC. */
export function createNetworkAcl(
  ctx: ScopedOpContext,
  input: { vpcId: string; tags?: Tags },
): NetworkAcl {
  const vpc = requireVpc(ctx, input.vpcId);
  if (
    ctx.tx.list("networkAcl").filter((n) => n.vpcId === vpc.vpcId).length >= ctx.quotas.naclsPerVpc
  )
    throw controllerError("EMU_ERR_NACL_LIMIT");
  const acl: NetworkAcl = {
    networkAclId: newId("acl"),
    vpcId: vpc.vpcId,
    isDefault: false,
    ...scopeFields(ctx.scope),
    entries: initialNaclEntries(false, vpc.ipv6CidrBlock !== undefined),
    tags: input.tags ?? {},
  };
  ctx.tx.put("networkAcl", acl.networkAclId, acl);
  return acl;
}

/** DeleteNetworkAcl: ERR-30 while associated or when default (NACL-11). */
export function deleteNetworkAcl(ctx: ScopedOpContext, id: string): void {
  const acl = requireNacl(ctx, id);
  if (acl.isDefault) throw controllerError("EMU_ERR_NACL_DELETE_DEFAULT", id);
  if (ctx.tx.list("subnet").some((s) => s.networkAclId === id))
    throw controllerError("EMU_ERR_NACL_DEPENDENCY", id);
  ctx.tx.delete("networkAcl", id);
}

function userEntries(acl: NetworkAcl, egress: boolean): NaclEntryState[] {
  return acl.entries.filter((e) => e.egress === egress && e.ruleNumber < NACL_CATCH_ALL_V4);
}

/** CreateNetworkAclEntry (API-23): ERR-26 number taken in that direction; ERR-29 quota. */
export function createNaclEntry(ctx: ScopedOpContext, id: string, entry: NaclEntryState): void {
  const acl = requireNacl(ctx, id);
  const same = userEntries(acl, entry.egress);
  if (same.some((e) => e.ruleNumber === entry.ruleNumber))
    throw controllerError("EMU_ERR_NACL_ENTRY_EXISTS", entry.ruleNumber);
  if (same.length >= ctx.quotas.naclEntriesPerDirection)
    throw controllerError("EMU_ERR_NACL_ENTRY_LIMIT");
  ctx.tx.put("networkAcl", id, { ...acl, entries: sortNaclEntries([...acl.entries, entry]) });
}

/** ReplaceNetworkAclEntry (API-23): ERR-27 when absent. */
export function replaceNaclEntry(ctx: ScopedOpContext, id: string, entry: NaclEntryState): void {
  const acl = requireNacl(ctx, id);
  const i = acl.entries.findIndex(
    (e) => e.egress === entry.egress && e.ruleNumber === entry.ruleNumber,
  );
  if (i < 0) throw controllerError("EMU_ERR_NACL_ENTRY_NOT_FOUND", entry.ruleNumber);
  const entries = [...acl.entries];
  entries[i] = entry;
  ctx.tx.put("networkAcl", id, { ...acl, entries });
}

/** DeleteNetworkAclEntry (API-24): the `*` entries cannot be removed (NACL-4); ERR-27 when absent. */
export function deleteNaclEntry(
  ctx: ScopedOpContext,
  id: string,
  ruleNumber: number,
  egress: boolean,
): void {
  const acl = requireNacl(ctx, id);
  if (ruleNumber < 1 || ruleNumber >= NACL_CATCH_ALL_V4)
    throw invalidValue(ruleNumber, "RuleNumber");
  const i = acl.entries.findIndex((e) => e.egress === egress && e.ruleNumber === ruleNumber);
  if (i < 0) throw controllerError("EMU_ERR_NACL_ENTRY_NOT_FOUND", ruleNumber);
  ctx.tx.put("networkAcl", id, { ...acl, entries: acl.entries.filter((_e, j) => j !== i) });
}

/** ReplaceNetworkAclAssociation (API-25, NACL-1): returns the new `aclassoc-` id. */
export function replaceNaclAssociation(
  ctx: ScopedOpContext,
  associationId: string,
  naclId: string,
): string {
  const subnet = scopedList(ctx, "subnet").find((s) => s.networkAclAssociationId === associationId);
  if (subnet === undefined) throw controllerError("EMU_ERR_NACL_ASSOC_NOT_FOUND", associationId);
  const acl = requireNacl(ctx, naclId);
  if (acl.vpcId !== subnet.vpcId)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER",
      `Network ACL ${naclId} and subnet ${subnet.subnetId} belong to different networks.`,
    );
  const newAssoc = newId("aclassoc");
  ctx.tx.put("subnet", subnet.subnetId, {
    ...subnet,
    networkAclId: naclId,
    networkAclAssociationId: newAssoc,
  });
  ctx.tx.touch("networkAcl", subnet.networkAclId);
  ctx.tx.touch("networkAcl", naclId);
  return newAssoc;
}
