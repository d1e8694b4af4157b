import { controllerError } from "../errors.js";
import {
  AWS_OWNER_ID,
  awsPrefixListsOf,
  findAwsPrefixList,
  type AwsPrefixList,
} from "../model/aws-prefix-lists.js";
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
  notFoundError,
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
  refuseAwsManaged(c, id);
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

/** An AWS-managed list as a ManagedPrefixList (owner `AWS`, read-only, version 1). */
function awsManagedXml(x: AwsPrefixList): XmlTree {
  return {
    prefixListId: x.prefixListId,
    addressFamily: "IPv4",
    state: "create-complete",
    prefixListArn: `arn:aws:ec2:${x.region}:aws:prefix-list/${x.prefixListId}`,
    prefixListName: x.name,
    maxEntries: Math.max(1, x.cidrs.length),
    version: 1,
    tagSet: [],
    ownerId: AWS_OWNER_ID,
  };
}

type Listed = { readonly aws: AwsPrefixList } | { readonly own: PrefixList };

/** DescribeManagedPrefixLists: the scope's own lists and the region's AWS-managed ones. */
const describe: ActionHandler = (c) => {
  const p = c.params;
  const listed: Listed[] = [
    ...awsPrefixListsOf(c.region).map((aws) => ({ aws })),
    ...visible(c, "prefixList").map((own) => ({ own })),
  ];
  const idOf = (x: Listed) => ("aws" in x ? x.aws.prefixListId : x.own.prefixListId);
  const all = selectByIds(
    listed,
    p.list("PrefixListId"),
    idOf,
    notFoundError("EMU_ERR_PREFIX_LIST_NOT_FOUND", "EMU_ERR_PREFIX_LIST_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "prefix-list-id": (x) => [idOf(x)],
      "prefix-list-name": (x) => ["aws" in x ? x.aws.name : x.own.name],
      "owner-id": (x) => ["aws" in x ? AWS_OWNER_ID : c.accountId],
    },
    (x) => ("aws" in x ? {} : x.own.tags),
  );
  const { page, nextToken } = paginate(items, p, { min: 1, max: 100 });
  return {
    prefixListSet: page.map((x) =>
      "aws" in x ? awsManagedXml(x.aws) : prefixListXml(c, x.own, "create-complete"),
    ),
    nextToken,
  };
};

/** DescribePrefixLists: the region's AWS-managed lists with their CIDRs (the older API). */
const describeAwsLists: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    awsPrefixListsOf(c.region),
    p.list("PrefixListId"),
    (x) => x.prefixListId,
    notFoundError("EMU_ERR_PREFIX_LIST_NOT_FOUND", "EMU_ERR_PREFIX_LIST_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    { "prefix-list-id": (x) => [x.prefixListId], "prefix-list-name": (x) => [x.name] },
    () => ({}),
  );
  const { page, nextToken } = paginate(items, p);
  return {
    prefixListSet: page.map((x) => ({
      cidrSet: [...x.cidrs],
      prefixListId: x.prefixListId,
      prefixListName: x.name,
    })),
    nextToken,
  };
};

/** Modify/Delete of an AWS-managed list: refused, they are read-only. */
function refuseAwsManaged(c: Ec2Context, id: string): void {
  if (findAwsPrefixList(c.region, id) !== undefined)
    throw controllerError("EMU_ERR_PREFIX_LIST_AWS_MANAGED", id);
}

const getEntries: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("PrefixListId");
  const aws = findAwsPrefixList(c.region, id);
  if (aws !== undefined) {
    const { page, nextToken } = paginate(aws.cidrs, p, { min: 1, max: 100 });
    return { entrySet: page.map((cidr) => ({ cidr })), nextToken };
  }
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
  refuseAwsManaged(c, id);
  const pl = mutate(c, (ctx) => deletePrefixList(ctx, id));
  return { prefixList: prefixListXml(c, pl, "delete-complete") };
};

export const PREFIX_LIST_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribePrefixLists: describeAwsLists,
  DeleteManagedPrefixList: remove,
  CreateManagedPrefixList: create,
  ModifyManagedPrefixList: modify,
  DescribeManagedPrefixLists: describe,
  GetManagedPrefixListEntries: getEntries,
};
