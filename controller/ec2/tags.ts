import { controllerError } from "../errors.js";
import { sanitizeTags, withTags, withoutTags } from "../model/tags.js";
import { createTags, deleteTags } from "../store/tag-ops.js";
import type { Tags } from "../model/tags.js";
import { mutate, visible, type ActionHandler, type Ec2Context } from "./context.js";
import { flowLogTagEdit, flowLogsInScope } from "./flow-logs.js";
import { applyFilters, paginate, parseFilters } from "./describe.js";
import type { QueryParams } from "./query.js";

function tagInputs(p: QueryParams) {
  return p.members("Tag").map((t) => ({ key: t.str("Key"), value: t.str("Value") }));
}

const create: ActionHandler = (c) => {
  const ids = c.params.list("ResourceId");
  if (ids.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "ResourceId");
  const tags = sanitizeTags(tagInputs(c.params));
  if (tags.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Tag");
  const [flowLogIds, rest] = splitFlowLogIds(ids);
  const commit = flowLogTagEdit(c, flowLogIds, (id, cur) => withTags(id, cur, tags));
  mutateRest(c, rest, (ctx) => createTags(ctx, rest, tags));
  commit();
  return { return: true };
};

const remove: ActionHandler = (c) => {
  const ids = c.params.list("ResourceId");
  if (ids.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "ResourceId");
  const tags = tagInputs(c.params);
  const [flowLogIds, rest] = splitFlowLogIds(ids);
  const commit = flowLogTagEdit(c, flowLogIds, (_id, cur) => withoutTags(cur, tags));
  mutateRest(c, rest, (ctx) => deleteTags(ctx, rest, tags));
  commit();
  return { return: true };
};

/** Flow logs (`fl-`) live beside the store (controller/ec2/flow-logs.ts): [fl- ids, the rest]. */
function splitFlowLogIds(ids: readonly string[]): [string[], string[]] {
  return [ids.filter((id) => id.startsWith("fl-")), ids.filter((id) => !id.startsWith("fl-"))];
}

/** The store's part of a tag request; DryRun still answers when only flow logs were named. */
function mutateRest(c: Ec2Context, rest: readonly string[], fn: Parameters<typeof mutate>[1]) {
  if (rest.length > 0) mutate(c, fn);
  else if (c.dryRun) throw controllerError("EMU_ERR_REQ_DRY_RUN");
}

/** One tag of one resource, as DescribeTags lists it. */
interface TagItem {
  readonly resourceId: string;
  readonly resourceType: string;
  readonly key: string;
  readonly value: string;
}

function tagItems(id: string, type: string, tags: Tags): TagItem[] {
  return Object.entries(tags).map(([key, value]) => ({
    resourceId: id,
    resourceType: type,
    key,
    value,
  }));
}

/**
 * DescribeTags: every tag of every resource in the request's scope, filtered by `key`, `value`,
 * `resource-id`, `resource-type` and `tag:<key>` (that key with one of the values); paged.
 */
const describe: ActionHandler = (c) => {
  const p = c.params;
  const all: TagItem[] = [
    ...visible(c, "vpc").flatMap((v) => tagItems(v.vpcId, "vpc", v.tags)),
    ...visible(c, "subnet").flatMap((s) => tagItems(s.subnetId, "subnet", s.tags)),
    ...visible(c, "securityGroup").flatMap((g) => [
      ...tagItems(g.groupId, "security-group", g.tags),
      ...g.rules.flatMap((r) => tagItems(r.ruleId, "security-group-rule", r.tags)),
    ]),
    ...visible(c, "networkAcl").flatMap((a) => tagItems(a.networkAclId, "network-acl", a.tags)),
    ...visible(c, "prefixList").flatMap((x) => tagItems(x.prefixListId, "prefix-list", x.tags)),
    ...visible(c, "networkInterface").flatMap((e) =>
      tagItems(e.eniId, "network-interface", e.tags),
    ),
    ...visible(c, "instance")
      .filter((i) => i.state !== "terminated")
      .flatMap((i) => tagItems(i.instanceId, "instance", i.tags)),
    ...visible(c, "internetGateway").flatMap((g) =>
      tagItems(g.internetGatewayId, "internet-gateway", g.tags),
    ),
    ...visible(c, "egressOnlyInternetGateway").flatMap((g) =>
      tagItems(g.egressOnlyInternetGatewayId, "egress-only-internet-gateway", g.tags),
    ),
    ...visible(c, "routeTable").flatMap((t) => tagItems(t.routeTableId, "route-table", t.tags)),
    ...visible(c, "address")
      .filter((a) => a.allocationId !== undefined)
      .flatMap((a) => tagItems(a.allocationId ?? "", "elastic-ip", a.tags)),
    ...visible(c, "natGateway").flatMap((n) => tagItems(n.natGatewayId, "natgateway", n.tags)),
    ...visible(c, "vpcPeeringConnection").flatMap((x) =>
      tagItems(x.vpcPeeringConnectionId, "vpc-peering-connection", x.tags),
    ),
    ...flowLogsInScope(c).flatMap((f) => tagItems(f.flowLogId, "vpc-flow-log", f.tags)),
  ];
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      key: (t) => [t.key],
      value: (t) => [t.value],
      "resource-id": (t) => [t.resourceId],
      "resource-type": (t) => [t.resourceType],
    },
    (t) => ({ [t.key]: t.value }),
  );
  const { page, nextToken } = paginate(items, p);
  return {
    tagSet: page.map((t) => ({
      resourceId: t.resourceId,
      resourceType: t.resourceType,
      key: t.key,
      value: t.value,
    })),
    nextToken,
  };
};

export const TAG_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeTags: describe,
  CreateTags: create,
  DeleteTags: remove,
};
