import { controllerError, invalidValue } from "../errors.js";

/**
 * Parameters one request may carry, every flattened name counted (LIM-2). [CHOICE] AWS
 * publishes no figure; 10,000 holds any request the other limits accept and keeps the worst
 * request under 100 ms (bench/request-bounds.bench.ts).
 */
export const MAX_PARAMETERS = 10_000;
/** Members of one list (`VpcId.N`, `IpPermissions.N`, `IpRanges.M`, ...): AWS's 1,000 IDs per call (LIM-3). */
export const MAX_LIST_MEMBERS = 1_000;
/** `Filter.N` per request and `Filter.N.Value.M` per filter (LIM-4). */
export const MAX_FILTERS = 50;
export const MAX_FILTER_VALUES = 200;
/**
 * Rules (CIDRs, prefix lists, groups summed over `IpPermissions.N`) in one request (LIM-6):
 * [CHOICE] Q-3's 1,000, the most rules any interface can carry.
 */
export const MAX_RULES_PER_REQUEST = 1_000;
const RULE_LISTS = new Set([
  "IpPermissions.N.IpRanges",
  "IpPermissions.N.Ipv6Ranges",
  "IpPermissions.N.PrefixListIds",
  "IpPermissions.N.Groups",
  "IpPermissions.N.UserIdGroupPairs",
]);

/**
 * EC2 Query parameters (AWS-BEHAVIOUR API-1, API-2): the flat `Name.1.Sub.2.Leaf=value` form
 * a request carries, read through typed accessors that unflatten on demand. Lists are 1-based
 * and read in index order; a gap is allowed (indexes are sorted numerically).
 */
export class QueryParams {
  constructor(private readonly flat: ReadonlyMap<string, string>) {}

  /** Parses a form-encoded body or query string. Repeated keys: the last wins. */
  static parse(text: string): QueryParams {
    const flat = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(text)) flat.set(k, v);
    return new QueryParams(flat);
  }

  /** Merges another set (e.g. query string + body); `other` wins. */
  merge(other: QueryParams): QueryParams {
    return new QueryParams(new Map([...this.flat, ...other.flat]));
  }

  keys(): string[] {
    return [...this.flat.keys()];
  }

  str(name: string): string | undefined {
    return this.flat.get(name);
  }

  /** A required parameter, or MissingParameter naming it (ERR-36). */
  req(name: string): string {
    const v = this.flat.get(name);
    if (v === undefined || v === "") throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", name);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.flat.get(name);
    if (v === undefined) return undefined;
    const l = v.toLowerCase();
    if (l === "true") return true;
    if (l === "false") return false;
    throw invalidValue(v, name);
  }

  int(
    name: string,
    min = Number.MIN_SAFE_INTEGER,
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined {
    const v = this.flat.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max)
      throw invalidValue(v, name);
    return Number(v);
  }

  /** Whether any parameter is `prefix` or starts with `prefix.`. */
  has(prefix: string): boolean {
    for (const k of this.flat.keys()) if (k === prefix || k.startsWith(`${prefix}.`)) return true;
    return false;
  }

  /** Parameters under `prefix.` with the prefix removed. */
  sub(prefix: string): QueryParams {
    const p = `${prefix}.`;
    const out = new Map<string, string>();
    for (const [k, v] of this.flat) if (k.startsWith(p)) out.set(k.slice(p.length), v);
    return new QueryParams(out);
  }

  /**
   * `prefix.N` and `prefix.N.*` grouped by N in one pass over the parameters, indexes
   * ascending: each group maps the rest of the name ("" for `prefix.N` itself) to its value.
   * Why one pass: a list of n members costs O(parameters), never O(n x parameters), and a sparse
   * index (`prefix.1000000000`) costs what `prefix.2` does (LIM-5).
   */
  private groups(prefix: string): Array<Map<string, string>> {
    const p = `${prefix}.`;
    const byIndex = new Map<number, Map<string, string>>();
    for (const [k, v] of this.flat) {
      if (!k.startsWith(p)) continue;
      const dot = k.indexOf(".", p.length);
      const seg = dot < 0 ? k.slice(p.length) : k.slice(p.length, dot);
      if (!/^\d+$/.test(seg)) continue;
      const i = Number(seg);
      let g = byIndex.get(i);
      if (g === undefined) byIndex.set(i, (g = new Map()));
      g.set(dot < 0 ? "" : k.slice(dot + 1), v);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
  }

  /** Scalar list `prefix.1`, `prefix.2`, ... */
  list(prefix: string): string[] {
    return this.groups(prefix)
      .map((g) => g.get(""))
      .filter((v): v is string => v !== undefined);
  }

  /** Structure list `prefix.N.*`, one QueryParams per N. */
  members(prefix: string): QueryParams[] {
    return this.groups(prefix).map((g) => {
      g.delete("");
      return new QueryParams(g);
    });
  }
}

/**
 * LIM-2..LIM-4, checked on the flat names before anything else reads them (one pass, O(names x
 * depth)): at most MAX_PARAMETERS names; at most MAX_LIST_MEMBERS members of any one list name
 * in the request, nested lists summed over their parents (`IpPermissions.N.IpRanges.M` counts
 * every N, M pair, so one request never carries more than 1,000 CIDRs of a kind); at most
 * MAX_FILTERS `Filter.N` and MAX_FILTER_VALUES values per filter (FilterLimitExceeded, as EC2
 * answers).
 */
export function checkRequestBounds(params: QueryParams): void {
  const names = params.keys();
  if (names.length > MAX_PARAMETERS)
    throw controllerError("EMU_ERR_REQ_TOO_MANY_PARAMETERS", names.length, MAX_PARAMETERS);
  // list name with parents' indexes as N -> the members seen (their full prefix)
  const lists = new Map<string, Set<string>>();
  const perFilter = new Map<string, Set<string>>();
  for (const name of names) {
    const segs = name.split(".");
    let pattern = segs[0] ?? "";
    for (let d = 1; d < segs.length; d++) {
      const seg = segs[d] ?? "";
      if (!/^\d+$/.test(seg)) {
        pattern += `.${seg}`;
        continue;
      }
      let set = lists.get(pattern);
      if (set === undefined) lists.set(pattern, (set = new Set()));
      const member = segs.slice(0, d + 1).join(".");
      set.add(member);
      if (pattern === "Filter.N.Value") {
        const filter = segs.slice(0, 2).join(".");
        let values = perFilter.get(filter);
        if (values === undefined) perFilter.set(filter, (values = new Set()));
        values.add(seg);
        if (values.size > MAX_FILTER_VALUES) throw controllerError("EMU_ERR_REQ_FILTER_LIMIT");
      }
      pattern += ".N";
    }
  }
  let rules = 0;
  for (const [pattern, set] of lists) {
    if (RULE_LISTS.has(pattern)) rules += set.size;
    if (pattern === "Filter" && set.size > MAX_FILTERS)
      throw controllerError("EMU_ERR_REQ_FILTER_LIMIT");
    if (set.size > MAX_LIST_MEMBERS) {
      if (pattern.startsWith("Filter.")) throw controllerError("EMU_ERR_REQ_FILTER_LIMIT");
      throw controllerError("EMU_ERR_REQ_TOO_MANY_MEMBERS", pattern, set.size, MAX_LIST_MEMBERS);
    }
  }
  if (rules > MAX_RULES_PER_REQUEST)
    throw controllerError("EMU_ERR_REQ_TOO_MANY_RULES", rules, MAX_RULES_PER_REQUEST);
}
