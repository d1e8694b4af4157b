import { controllerError } from "../errors.js";
import { newId } from "../ids.js";
import { sanitizeIpv4Cidr, sanitizeIpv6Cidr } from "../model/cidr.js";
import type { PrefixList, PrefixListEntry } from "../model/prefix-list.js";
import type { Tags } from "../model/tags.js";
import { checkEnisOfGroupRuleQuota, checkRuleQuota } from "./sg-ops.js";
import { scopeFields, scopedGet, scopedList, type ScopedOpContext } from "./scope.js";

export function requirePrefixList(ctx: ScopedOpContext, id: string): PrefixList {
  const p = scopedGet(ctx, "prefixList", id);
  if (p === undefined) throw controllerError("EMU_ERR_PREFIX_LIST_NOT_FOUND", id);
  return p;
}

function canonicalEntries(
  family: "IPv4" | "IPv6",
  entries: ReadonlyArray<{ cidr: string; description?: string | undefined }>,
): PrefixListEntry[] {
  return entries.map((e) => {
    const cidr = family === "IPv4" ? sanitizeIpv4Cidr(e.cidr).cidr : sanitizeIpv6Cidr(e.cidr).cidr;
    return e.description === undefined ? { cidr } : { cidr, description: e.description };
  });
}

function dedupe(id: string, entries: PrefixListEntry[]): PrefixListEntry[] {
  const byCidr = new Map<string, PrefixListEntry>();
  for (const e of entries) {
    if (byCidr.has(e.cidr))
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `The CIDR ${e.cidr} appears more than once in prefix list ${id}.`,
      );
    byCidr.set(e.cidr, e);
  }
  return [...byCidr.values()];
}

export interface CreatePrefixListInput {
  readonly name: string;
  readonly addressFamily: "IPv4" | "IPv6";
  readonly maxEntries: number;
  readonly entries: ReadonlyArray<{ cidr: string; description?: string | undefined }>;
  readonly tags?: Tags;
}

/** CreateManagedPrefixList (API-34): version 1; Q-6 lists per Region, entries ≤ MaxEntries. */
export function createPrefixList(ctx: ScopedOpContext, input: CreatePrefixListInput): PrefixList {
  if (scopedList(ctx, "prefixList").length >= ctx.quotas.prefixListsPerRegion)
    throw controllerError("EMU_ERR_PREFIX_LIST_LIMIT");
  const prefixListId = newId("pl");
  const entries = dedupe(prefixListId, canonicalEntries(input.addressFamily, input.entries));
  if (entries.length > input.maxEntries)
    throw controllerError(
      "EMU_ERR_PREFIX_LIST_ENTRIES",
      prefixListId,
      entries.length,
      input.maxEntries,
    );
  const pl: PrefixList = {
    prefixListId,
    name: input.name,
    addressFamily: input.addressFamily,
    maxEntries: input.maxEntries,
    version: 1,
    entries,
    history: [],
    ...scopeFields(ctx.scope),
    tags: input.tags ?? {},
  };
  ctx.tx.put("prefixList", prefixListId, pl);
  return pl;
}

export interface ModifyPrefixListInput {
  readonly prefixListId: string;
  readonly currentVersion?: number;
  readonly name?: string;
  readonly maxEntries?: number;
  readonly add: ReadonlyArray<{ cidr: string; description?: string | undefined }>;
  readonly remove: readonly string[];
}

/**
 * ModifyManagedPrefixList: entry changes make a new version (CurrentVersion must match when
 * given); a MaxEntries change re-checks the rule quota of every group referencing the list.
 */
export function modifyPrefixList(ctx: ScopedOpContext, input: ModifyPrefixListInput): PrefixList {
  const pl = requirePrefixList(ctx, input.prefixListId);
  if (input.currentVersion !== undefined && input.currentVersion !== pl.version)
    throw controllerError(
      "EMU_ERR_PREFIX_LIST_VERSION",
      pl.prefixListId,
      pl.version,
      input.currentVersion,
    );
  const removeSet = new Set(
    input.remove.map((c) =>
      pl.addressFamily === "IPv4" ? sanitizeIpv4Cidr(c).cidr : sanitizeIpv6Cidr(c).cidr,
    ),
  );
  for (const c of removeSet)
    if (!pl.entries.some((e) => e.cidr === c))
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `The CIDR ${c} is not an entry of prefix list ${pl.prefixListId}.`,
      );
  const added = canonicalEntries(pl.addressFamily, input.add);
  const kept = pl.entries.filter(
    (e) => !removeSet.has(e.cidr) && !added.some((a) => a.cidr === e.cidr),
  );
  const entries = dedupe(pl.prefixListId, [...kept, ...added]);
  const maxEntries = input.maxEntries ?? pl.maxEntries;
  if (entries.length > maxEntries)
    throw controllerError(
      "EMU_ERR_PREFIX_LIST_ENTRIES",
      pl.prefixListId,
      entries.length,
      maxEntries,
    );
  const entriesChanged = added.length > 0 || removeSet.size > 0;
  const next: PrefixList = {
    ...pl,
    ...(input.name === undefined ? {} : { name: input.name }),
    maxEntries,
    ...(entriesChanged
      ? {
          version: pl.version + 1,
          entries,
          history: [...pl.history, { version: pl.version, entries: pl.entries }],
        }
      : {}),
  };
  ctx.tx.put("prefixList", pl.prefixListId, next);
  if (maxEntries !== pl.maxEntries) {
    for (const g of ctx.tx.list("securityGroup"))
      if (g.rules.some((r) => r.prefixListId === pl.prefixListId)) {
        checkRuleQuota(ctx, g.rules);
        checkEnisOfGroupRuleQuota(ctx, g);
      }
  }
  return next;
}

/** Entries of `pl` at `version` (current when undefined). */
export function prefixListEntriesAt(
  pl: PrefixList,
  version: number | undefined,
): readonly PrefixListEntry[] | undefined {
  if (version === undefined || version === pl.version) return pl.entries;
  return pl.history.find((h) => h.version === version)?.entries;
}

/**
 * DeleteManagedPrefixList: refused while a security group rule references the list (AWS lets
 * the deletion fail later with state `delete-failed`; vpcemu refuses at once, docs/ec2-api.md).
 */
export function deletePrefixList(ctx: ScopedOpContext, id: string): PrefixList {
  const pl = requirePrefixList(ctx, id);
  const users = ctx.tx
    .list("securityGroup")
    .flatMap((g) => g.rules.filter((r) => r.prefixListId === id).map((r) => r.ruleId));
  if (users.length > 0) throw controllerError("EMU_ERR_PREFIX_LIST_IN_USE", id, users.join(", "));
  ctx.tx.delete("prefixList", id);
  return pl;
}
