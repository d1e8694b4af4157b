import { controllerError } from "../errors.js";
import { sanitizeTags } from "../model/tags.js";
import { createTags, deleteTags } from "../store/tag-ops.js";
import { mutate, type ActionHandler } from "./context.js";
import type { QueryParams } from "./query.js";

function tagInputs(p: QueryParams) {
  return p.members("Tag").map((t) => ({ key: t.str("Key"), value: t.str("Value") }));
}

const create: ActionHandler = (c) => {
  const ids = c.params.list("ResourceId");
  if (ids.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "ResourceId");
  const tags = sanitizeTags(tagInputs(c.params));
  if (tags.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Tag");
  mutate(c, (ctx) => createTags(ctx, ids, tags));
  return { return: true };
};

const remove: ActionHandler = (c) => {
  const ids = c.params.list("ResourceId");
  if (ids.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "ResourceId");
  const tags = tagInputs(c.params);
  mutate(c, (ctx) => deleteTags(ctx, ids, tags));
  return { return: true };
};

export const TAG_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateTags: create,
  DeleteTags: remove,
};
