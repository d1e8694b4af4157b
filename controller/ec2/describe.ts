import { controllerError, invalidValue, type ErrorCode } from "../errors.js";
import { MAX_TAGS_PER_RESOURCE, sanitizeTags, type TagInput, type Tags } from "../model/tags.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

/** One `Filter.N` (AWS-BEHAVIOUR API-7): values OR-ed, filters AND-ed, case-sensitive. */
export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

export function parseFilters(params: QueryParams): Filter[] {
  return params.members("Filter").map((f, i) => {
    const name = f.str("Name");
    if (name === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", `Filter.${i + 1}.Name`);
    return { name, values: f.list("Value") };
  });
}

/** Per filter name, the values an item has for it (a filter matches when any value matches). */
export type FilterFields<T> = Readonly<
  Record<string, (item: T) => ReadonlyArray<string | undefined>>
>;

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(value);
}

/**
 * Applies filters; `tag:<k>`, `tag-key` and `tag-value` work for every resource through `tagsOf`.
 * An unknown filter name is an InvalidParameterValue naming it. Values accept `*` and `?`.
 */
export function applyFilters<T>(
  items: readonly T[],
  filters: readonly Filter[],
  fields: FilterFields<T>,
  tagsOf: (item: T) => Tags,
): T[] {
  const getters = filters.map((f) => {
    if (f.name.startsWith("tag:")) {
      const key = f.name.slice(4);
      return (item: T) => {
        const tags = tagsOf(item);
        const v = Object.hasOwn(tags, key) ? tags[key] : undefined;
        return v === undefined ? [] : [v];
      };
    }
    if (f.name === "tag-key") return (item: T) => Object.keys(tagsOf(item));
    if (f.name === "tag-value") return (item: T) => Object.values(tagsOf(item));
    // Why hasOwn: a filter name is user input; `constructor` or `__proto__` must not find
    // Object.prototype's members (ECX-10).
    const g = Object.hasOwn(fields, f.name) ? fields[f.name] : undefined;
    if (g === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `The filter '${f.name}' is invalid`,
      );
    return g;
  });
  return items.filter((item) =>
    filters.every((f, i) => {
      const have = (getters[i] ?? (() => []))(item).filter((v): v is string => v !== undefined);
      return f.values.some((want) => have.some((v) => globMatch(want, v)));
    }),
  );
}

/**
 * MaxResults/NextToken paging (API-6). Without MaxResults everything is returned. The token is
 * the offset, opaque to clients.
 */
export function paginate<T>(
  items: readonly T[],
  params: QueryParams,
  range: { min: number; max: number } = { min: 5, max: 1000 },
): { page: T[]; nextToken: string | undefined } {
  const max = params.int("MaxResults");
  const token = params.str("NextToken");
  let offset = 0;
  if (token !== undefined && token !== "") {
    const m = /^o(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    if (m?.[1] === undefined) throw controllerError("EMU_ERR_REQ_BAD_TOKEN", token);
    offset = Number(m[1]);
  }
  if (max === undefined) return { page: items.slice(offset), nextToken: undefined };
  if (max < range.min || max > range.max)
    throw invalidValue(max, "MaxResults", `Valid range is ${range.min}-${range.max}.`);
  const end = offset + max;
  return {
    page: items.slice(offset, end),
    nextToken:
      end < items.length ? Buffer.from(`o${end}`, "utf8").toString("base64url") : undefined,
  };
}

/**
 * The NotFound error naming every missing id: `single` for one (`The vpc ID 'x' does not
 * exist`), `many` for several (`The vpc IDs 'x, y' do not exist`).
 */
export function notFoundError(single: ErrorCode, many: ErrorCode): (missing: string[]) => Error {
  return (m) =>
    m.length === 1 ? controllerError(single, m[0] ?? "") : controllerError(many, m.join(", "));
}

/** Selects by explicit ids (`VpcId.N` ...): every id must exist, else `notFound(id)` for the first missing. */
export function selectByIds<T>(
  items: readonly T[],
  ids: readonly string[],
  idOf: (item: T) => string,
  notFound: (missing: string[]) => Error,
): T[] {
  if (ids.length === 0) return [...items];
  const byId = new Map(items.map((i) => [idOf(i), i]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) throw notFound(missing);
  return [...new Set(ids)].map((id) => byId.get(id) as T);
}

/** `tagSet/item{key,value}` */
export function tagSet(tags: Tags): XmlTree[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/**
 * Tags from `TagSpecification.N` whose ResourceType is `resourceType` (or unset), checked as
 * CreateTags checks them: key and value lengths, no `aws:` prefix, at most 50 (ECX-9).
 */
export function tagSpecifications(
  params: QueryParams,
  resourceType: string,
): Record<string, string> {
  const input: TagInput[] = [];
  for (const spec of params.members("TagSpecification")) {
    const type = spec.str("ResourceType");
    if (type !== undefined && type !== resourceType) continue;
    for (const t of spec.members("Tag")) {
      const key = t.str("Key");
      if (key === undefined)
        throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "TagSpecification.Tag.Key");
      input.push({ key, value: t.str("Value") });
    }
  }
  // Why null prototype: a tag key is user input (`__proto__` is a valid key) (ECX-10).
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of sanitizeTags(input)) out[k] = v;
  if (Object.keys(out).length > MAX_TAGS_PER_RESOURCE)
    throw controllerError("EMU_ERR_TAG_LIMIT", `new ${resourceType}`);
  return out;
}
