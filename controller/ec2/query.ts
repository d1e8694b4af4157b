import { controllerError, invalidValue } from "../errors.js";

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

  /** The 1-based indexes N present as `prefix.N` or `prefix.N.*`, ascending. */
  private indexes(prefix: string): number[] {
    const re = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)(\\.|$)`);
    const set = new Set<number>();
    for (const k of this.flat.keys()) {
      const m = re.exec(k);
      if (m?.[1] !== undefined) set.add(Number(m[1]));
    }
    return [...set].sort((a, b) => a - b);
  }

  /** Scalar list `prefix.1`, `prefix.2`, ... */
  list(prefix: string): string[] {
    return this.indexes(prefix)
      .map((i) => this.flat.get(`${prefix}.${i}`))
      .filter((v): v is string => v !== undefined);
  }

  /** Structure list `prefix.N.*`, one QueryParams per N. */
  members(prefix: string): QueryParams[] {
    return this.indexes(prefix).map((i) => this.sub(`${prefix}.${i}`));
  }
}
