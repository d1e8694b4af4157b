/**
 * Reading a topology file's YAML with locations: every item and field remembers the file, line
 * and field path it was written at, and every problem becomes a TopologyIssue there
 * (`topology.yaml:12: instances[1].subnet: unknown subnet 'db'`). Validation goes on past the
 * first problem; parseTopology (topology.ts) throws one TopologyError listing them all.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node as YamlNode, type YAMLMap } from "yaml";

/** Where an item or field was written. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  /** Field path, e.g. `securityGroups[0].ingress[2]`. */
  readonly path: string;
  /** For a mapping: the line of each of its fields, so later checks can point at the field. */
  readonly fields?: Readonly<Record<string, number>>;
}

/** One problem in a topology file. */
export interface TopologyIssue {
  readonly at: SourceLocation;
  readonly message: string;
}

/** Formats an issue as `file:line: path: message`. */
export function formatIssue(issue: TopologyIssue): string {
  const path = issue.at.path === "" ? "" : `${issue.at.path}: `;
  return `${issue.at.file}:${issue.at.line}: ${path}${issue.message}`;
}

/** Every problem found in a file (validation continues past the first). */
export class TopologyError extends Error {
  override readonly name = "TopologyError";
  constructor(readonly issues: readonly TopologyIssue[]) {
    super(issues.map(formatIssue).join("\n"));
  }
}

export type Issues = TopologyIssue[];

/** Reads YAML nodes, recording issues with their line. */
export class Reader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    readonly issues: Issues,
  ) {}

  at(node: YamlNode | null | undefined, path: string, fallback?: SourceLocation): SourceLocation {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback ?? { file: this.file, line: 1, path };
    return { file: this.file, line: this.lines.linePos(offset).line, path };
  }

  issue(at: SourceLocation, message: string): void {
    this.issues.push({ at, message });
  }

  /** The map at `node`, reporting unknown keys; undefined (with an issue) when not a map. */
  map(
    node: unknown,
    path: string,
    allowed: readonly string[],
    parentAt: SourceLocation,
  ): MapView | undefined {
    if (!isMap(node)) {
      this.issue(this.at(node as YamlNode, path, parentAt), "expected a mapping");
      return undefined;
    }
    const view = new MapView(this, node, path);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!allowed.includes(key)) {
        const keyPath = path === "" ? key : `${path}.${key}`;
        this.issue(
          this.at(pair.key as YamlNode, keyPath),
          `unknown field (expected one of: ${allowed.join(", ")})`,
        );
      }
    }
    return view;
  }
}

/** Field access on one YAML mapping. */
export class MapView {
  readonly at: SourceLocation;
  constructor(
    private readonly r: Reader,
    private readonly node: YAMLMap,
    readonly path: string,
  ) {
    // Why null prototype: keys are user strings (`__proto__` must stay a field name).
    const fields: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      fields[key] = r.at(pair.key as YamlNode, key).line;
    }
    this.at = { ...r.at(node as YamlNode, path), fields };
  }

  fieldPath(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.node.has(key);
  }

  /** The raw node of `key` (for nested maps and lists). */
  node_(key: string): unknown {
    return this.node.get(key, true);
  }

  fieldAt(key: string): SourceLocation {
    const n = this.node.get(key, true) as YamlNode | undefined;
    return this.r.at(n, this.fieldPath(key), { ...this.at, path: this.fieldPath(key) });
  }

  /** A scalar as text (numbers accepted and stringified). */
  string(key: string, required: true): string | undefined;
  string(key: string, required?: false): string | undefined;
  string(key: string, required = false): string | undefined {
    const n = this.node.get(key, true);
    if (n === undefined || (isScalar(n) && n.value === null)) {
      if (required)
        this.r.issue({ ...this.at, path: this.fieldPath(key) }, "required field missing");
      return undefined;
    }
    if (!isScalar(n) || (typeof n.value !== "string" && typeof n.value !== "number")) {
      this.r.issue(this.fieldAt(key), "expected a string");
      return undefined;
    }
    return String(n.value);
  }

  int(key: string, min: number, max: number, required = false): number | undefined {
    const n = this.node.get(key, true);
    if (n === undefined) {
      if (required)
        this.r.issue({ ...this.at, path: this.fieldPath(key) }, "required field missing");
      return undefined;
    }
    const v = isScalar(n) ? n.value : undefined;
    const num =
      typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(num) || num < min || num > max) {
      this.r.issue(this.fieldAt(key), `expected an integer in ${min}..${max}, got '${String(v)}'`);
      return undefined;
    }
    return num;
  }

  /**
   * A number (fractions allowed) within [min, max]; `above` makes min exclusive
   * (`expected a number above 0 and at most 60000, got '0'`).
   */
  number(
    key: string,
    min: number,
    max: number,
    opts: { required?: boolean; above?: boolean } = {},
  ): number | undefined {
    const n = this.node.get(key, true);
    if (n === undefined) {
      if (opts.required)
        this.r.issue({ ...this.at, path: this.fieldPath(key) }, "required field missing");
      return undefined;
    }
    const v = isScalar(n) ? n.value : undefined;
    const num =
      typeof v === "number"
        ? v
        : typeof v === "string" && /^-?(\d+(\.\d+)?|\.\d+)$/.test(v)
          ? Number(v)
          : NaN;
    const low = opts.above ? num <= min : num < min;
    if (!Number.isFinite(num) || low || num > max) {
      const range = opts.above ? `above ${min} and at most ${max}` : `in ${min}..${max}`;
      this.r.issue(this.fieldAt(key), `expected a number ${range}, got '${String(v)}'`);
      return undefined;
    }
    return num;
  }

  /** true or false. */
  bool(key: string): boolean | undefined {
    const n = this.node.get(key, true);
    if (n === undefined) return undefined;
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v !== "boolean") {
      this.r.issue(this.fieldAt(key), `expected true or false, got '${String(v)}'`);
      return undefined;
    }
    return v;
  }

  /** A list of items (each handed to `each` with its index path); absent -> []. */
  list<T>(
    key: string,
    each: (item: unknown, path: string, at: SourceLocation) => T | undefined,
  ): T[] {
    const n = this.node.get(key, true);
    if (n === undefined || (isScalar(n) && n.value === null)) return [];
    if (!isSeq(n)) {
      this.r.issue(this.fieldAt(key), "expected a list");
      return [];
    }
    const out: T[] = [];
    n.items.forEach((item, i) => {
      const path = `${this.fieldPath(key)}[${i}]`;
      const v = each(item, path, this.r.at(item as YamlNode, path, this.fieldAt(key)));
      if (v !== undefined) out.push(v);
    });
    return out;
  }

  /** A list of strings (a single string is accepted as a one-item list). */
  strings(key: string): string[] {
    const n = this.node.get(key, true);
    if (isScalar(n) && typeof n.value === "string") return [n.value];
    return this.list(key, (item, path, at) => {
      if (isScalar(item) && (typeof item.value === "string" || typeof item.value === "number")) {
        return String(item.value);
      }
      this.r.issue({ ...at, path }, "expected a string");
      return undefined;
    });
  }
}

/** Location of field `f` of the item at `at`. */
export function field(at: SourceLocation, f: string): SourceLocation {
  const line = at.fields !== undefined && Object.hasOwn(at.fields, f) ? at.fields[f] : undefined;
  return { file: at.file, line: line ?? at.line, path: `${at.path}.${f}` };
}
