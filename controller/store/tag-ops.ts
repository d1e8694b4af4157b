import type { ResourceKind } from "../db/database.js";
import { controllerError, type ErrorCode } from "../errors.js";
import { withTags, withoutTags, type TagInput, type Tags } from "../model/tags.js";
import { routeTableForTags } from "./routing-ops.js";
import { scopedGet, scopedList, type ScopedOpContext } from "./scope.js";

const KIND_BY_PREFIX: ReadonlyArray<[string, ResourceKind, ErrorCode]> = [
  ["igw-", "internetGateway", "EMU_ERR_IGW_NOT_FOUND"],
  ["eigw-", "egressOnlyInternetGateway", "EMU_ERR_EIGW_NOT_FOUND"],
  ["rtb-", "routeTable", "EMU_ERR_ROUTE_TABLE_NOT_FOUND"],
  ["eipalloc-", "address", "EMU_ERR_ADDRESS_ALLOCATION_NOT_FOUND"],
  ["nat-", "natGateway", "EMU_ERR_NAT_NOT_FOUND"],
  ["pcx-", "vpcPeeringConnection", "EMU_ERR_PCX_NOT_FOUND"],
  ["vpc-", "vpc", "EMU_ERR_VPC_NOT_FOUND"],
  ["subnet-", "subnet", "EMU_ERR_SUBNET_NOT_FOUND"],
  ["sg-", "securityGroup", "EMU_ERR_SG_NOT_FOUND"],
  ["acl-", "networkAcl", "EMU_ERR_NACL_NOT_FOUND"],
  ["pl-", "prefixList", "EMU_ERR_PREFIX_LIST_NOT_FOUND"],
  ["eni-", "networkInterface", "EMU_ERR_ENI_NOT_FOUND"],
  ["i-", "instance", "EMU_ERR_INSTANCE_NOT_FOUND"],
];

/** Applies `edit` to the tags of each resource (any kind, SG rules included); unknown ids fail first. */
function editTags(
  ctx: ScopedOpContext,
  ids: readonly string[],
  edit: (id: string, tags: Tags) => Tags,
): void {
  const { tx } = ctx;
  // Validate all first so a bad id changes nothing (RULE-12).
  const plan: Array<() => void> = [];
  for (const id of ids) {
    if (id.startsWith("sgr-")) {
      const group = scopedList(ctx, "securityGroup").find((g) =>
        g.rules.some((r) => r.ruleId === id),
      );
      if (group === undefined) throw controllerError("EMU_ERR_RULE_ID_NOT_FOUND", id);
      plan.push(() => {
        const g = tx.get("securityGroup", group.groupId) ?? group;
        tx.put("securityGroup", g.groupId, {
          ...g,
          rules: g.rules.map((r) => (r.ruleId === id ? { ...r, tags: edit(id, r.tags) } : r)),
        });
      });
      continue;
    }
    const hit = KIND_BY_PREFIX.find(([p]) => id.startsWith(p));
    if (hit === undefined) throw controllerError("EMU_ERR_RESOURCE_NOT_FOUND", id);
    const [, kind, notFound] = hit;
    // A VPC's main route table is derived until written (store/routing-ops.ts).
    if (kind === "routeTable") routeTableForTags(ctx, id);
    const rec = scopedGet(ctx, kind, id);
    if (rec === undefined) throw controllerError(notFound, id);
    plan.push(() => {
      const cur = tx.get(kind, id) ?? rec;
      tx.put(kind, id, { ...cur, tags: edit(id, cur.tags) } as typeof cur);
    });
  }
  for (const step of plan) step();
}

/** CreateTags (API-35): existing keys overwritten; ≤50 per resource. */
export function createTags(
  ctx: ScopedOpContext,
  ids: readonly string[],
  tags: ReadonlyArray<readonly [string, string]>,
): void {
  editTags(ctx, ids, (id, cur) => withTags(id, cur, tags));
}

/** DeleteTags: no Tag.N removes every tag; a Tag with Value removes the key only if it matches. */
export function deleteTags(
  ctx: ScopedOpContext,
  ids: readonly string[],
  tags: readonly TagInput[],
): void {
  editTags(ctx, ids, (_id, cur) => withoutTags(cur, tags));
}
