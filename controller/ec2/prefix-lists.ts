import { controllerError } from "../errors.js";
import {
  sanitizeAddressFamily,
  sanitizeMaxEntries,
  sanitizePrefixListName,
  type PrefixList,
} from "../model/prefix-list.js";
import { sanitizeDescription } from "../model/security-group.js";
import {
  createPrefixList,
  deletePrefixList,
  modifyPrefixList,
  prefixListEntriesAt,
} from "../store/prefix-list-ops.js";
import { mutate, visible, visibleGet, type ActionHandler, type Ec2Context } from "./context.js";
import {
  applyFilters,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

function prefixListXml(c: Ec2Context, pl: PrefixList, state: string): XmlTree {
  return {
    prefixListId: pl.prefixListId,
    addressFamily: pl.addressFamily,
    state,
    prefixListArn: `arn:aws:ec2:${c.region}:${c.accountId}:prefix-list/${pl.prefixListId}`,
    prefixListName: pl.name,
    maxEntries: pl.maxEntries,
    version: pl.version,
    tagSet: tagSet(pl.tags),
    ownerId: c.accountId,
  };
}

function entries(p: QueryParams, prefix: string) {
  return p.members(prefix).map((m) => ({
    cidr: m.req("Cidr"),
    description: sanitizeDescription(m.str("Description"), "Description"),
  }));
}

const create: ActionHandler = (c) => {
  const p = c.params;
  const name = sanitizePrefixListName(p.str("PrefixListName"));
  const addressFamily = sanitizeAddressFamily(p.str("AddressFamily"));
  const maxEntries = sanitizeMaxEntries(p.str("MaxEntries"));
  const pl = mutate(c, (ctx) =>
    createPrefixList(ctx, {
      name,
      addressFamily,
      maxEntries,
      entries: entries(p, "Entry"),
      tags: tagSpecifications(p, "prefix-list"),
    }),
  );
  return { prefixList: prefixListXml(c, pl, "create-complete") };
};

const modify: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("PrefixListId");
  const name = p.str("PrefixListName");
  const maxEntries = p.str("MaxEntries");
  const currentVersion = p.int("CurrentVersion", 1);
  const pl = mutate(c, (ctx) =>
    modifyPrefixList(ctx, {
      prefixListId: id,
      ...(currentVersion === undefined ? {} : { currentVersion }),
      ...(name === undefined ? {} : { name: sanitizePrefixListName(name) }),
      ...(maxEntries === undefined ? {} : { maxEntries: sanitizeMaxEntries(maxEntries) }),
      add: entries(p, "AddEntry"),
      remove: p.members("RemoveEntry").map((m) => m.req("Cidr")),
    }),
  );
  return { prefixList: prefixListXml(c, pl, "modify-complete") };
};

const describe: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "prefixList"),
    p.list("PrefixListId"),
    (x) => x.prefixListId,
    (m) => controllerError("EMU_ERR_PREFIX_LIST_NOT_FOUND", m.join(", ")),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "prefix-list-id": (x) => [x.prefixListId],
      "prefix-list-name": (x) => [x.name],
      "owner-id": () => [c.accountId],
    },
    (x) => x.tags,
  );
  const { page, nextToken } = paginate(items, p, { min: 1, max: 100 });
  return { prefixListSet: page.map((x) => prefixListXml(c, x, "create-complete")), nextToken };
};

const getEntries: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("PrefixListId");
  const pl = visibleGet(c, "prefixList", id);
  if (pl === undefined) throw controllerError("EMU_ERR_PREFIX_LIST_NOT_FOUND", id);
  const version = p.int("TargetVersion", 1);
  const list = prefixListEntriesAt(pl, version);
  if (list === undefined)
    throw controllerError("EMU_ERR_PREFIX_LIST_VERSION", id, pl.version, version ?? 0);
  const { page, nextToken } = paginate(list, p, { min: 1, max: 100 });
  return { entrySet: page.map((e) => ({ cidr: e.cidr, description: e.description })), nextToken };
};

const remove: ActionHandler = (c) => {
  const id = c.params.req("PrefixListId");
  const pl = mutate(c, (ctx) => deletePrefixList(ctx, id));
  return { prefixList: prefixListXml(c, pl, "delete-complete") };
};

export const PREFIX_LIST_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DeleteManagedPrefixList: remove,
  CreateManagedPrefixList: create,
  ModifyManagedPrefixList: modify,
  DescribeManagedPrefixLists: describe,
  GetManagedPrefixListEntries: getEntries,
};
