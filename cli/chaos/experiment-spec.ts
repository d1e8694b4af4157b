/**
 * The experiment file of `vpcemu chaos run` (docs/experiments.md): a title, servers the probes
 * talk to, a steady-state hypothesis (probes with their expected answer, latency and counter
 * limits), a method (a timeline of steps: faults, partitions, waits, EC2 rule changes, process
 * faults) and stop conditions. Read with the topology reader (cli/topology/yaml-reader.ts), so
 * every mistake is reported with its line (`exp.yaml:14: hypothesis.probes[1].expect: expected
 * 'reachable' or 'unreachable', got 'up'`); parsing goes on past the first problem and
 * ExperimentError lists them all. Pure: no I/O.
 */
import { parseArgs } from "node:util";
import { isMap, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { readFaults } from "../topology/read-faults.js";
import {
  formatIssue,
  Reader,
  type Issues,
  type MapView,
  type SourceLocation,
  type TopologyIssue,
} from "../topology/yaml-reader.js";
import {
  ADD_OPTIONS,
  CONNTRACK_OPTIONS,
  conntrackRequestFromFlags,
  faultRequestFromFlags,
  PARTITION_OPTIONS,
  partitionRequestFromArgs,
} from "./fault-args.js";
import type { FaultRequest, PartitionRequest } from "./fault-api.js";
import { parseDuration, UnitError } from "./units.js";

export type ReachProtocol = "tcp" | "http" | "udp" | "icmp";
export const REACH_PROTOCOLS: readonly ReachProtocol[] = ["tcp", "http", "udp", "icmp"];

/** A reachability probe: one request from a node to a node (or address) per sample. */
export interface ReachProbe {
  readonly kind: "reach";
  readonly name: string;
  /** The controller alarm this probe sets (ALARM when it breaks its limits, else OK). */
  readonly alarm: string;
  readonly protocol: ReachProtocol;
  readonly from: string;
  /** A node name or an address. */
  readonly to: string;
  /** Absent for icmp. */
  readonly port?: number;
  readonly expect: "reachable" | "unreachable";
  readonly timeoutMs: number;
  /** Samples per check before and after the method (during: one per interval). */
  readonly samples: number;
  /** Limits on the latency of the phase's answered samples; maxMs applies to each sample. */
  readonly latency?: { readonly p50Ms?: number; readonly p99Ms?: number; readonly maxMs?: number };
  readonly at: SourceLocation;
}

/** ENI counters (summed over a node's ENIs) by their snake_case name, or a fault's counters. */
export const ENI_COUNTERS: Readonly<Record<string, string>> = {
  conntrack_allowance_exceeded: "conntrackAllowanceExceeded",
  conntrack_allowance_available: "conntrackAllowanceAvailable",
  bw_in_allowance_exceeded: "bwInAllowanceExceeded",
  bw_out_allowance_exceeded: "bwOutAllowanceExceeded",
  pps_allowance_exceeded: "ppsAllowanceExceeded",
  linklocal_allowance_exceeded: "linklocalAllowanceExceeded",
  packets_accepted: "packetsAccepted",
};
/** Gauges are read as they are; every other counter counts from the run's start. */
export const GAUGE_COUNTERS: readonly string[] = ["conntrack_allowance_available"];
export const FAULT_COUNTERS: readonly string[] = [
  "matched",
  "delayed",
  "dropped",
  "duplicated",
  "corrupted",
  "reordered",
  "rejected",
  "queueOverflow",
  "rateLimited",
];

/** A counter limit: the counter's growth since the run started (gauges: its value). */
export interface CounterProbe {
  readonly kind: "counter";
  readonly name: string;
  readonly alarm: string;
  /** A node's ENI counter (`drops.<reason>` too), or a counter of the fault a step added. */
  readonly source: { readonly node: string } | { readonly fault: string };
  readonly counter: string;
  readonly min?: number;
  readonly max?: number;
  readonly at: SourceLocation;
}

export type Probe = ReachProbe | CounterProbe;

/** A probe server the run starts in a node before the first check and stops at the end. */
export interface ServerSpec {
  readonly node: string;
  readonly protocol: "http" | "tcp" | "udp";
  readonly port: number;
  readonly at: SourceLocation;
}

export type Ec2Action =
  "authorize-ingress" | "revoke-ingress" | "authorize-egress" | "revoke-egress";
export const EC2_ACTIONS: readonly Ec2Action[] = [
  "authorize-ingress",
  "revoke-ingress",
  "authorize-egress",
  "revoke-egress",
];

/** One security group rule as the EC2 API takes it (IpPermissions with one peer). */
export interface Ec2RuleSpec {
  /** sg-... or a group name (looked up in DescribeSecurityGroups). */
  readonly group: string;
  /** tcp, udp, icmp or -1. */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidr?: string;
  /** sg-... or a group name. */
  readonly sourceGroup?: string;
  /** The rule's description (sent when authorizing, so a rollback restores it). */
  readonly description?: string;
}

export type ProcessOp = "kill-agent" | "pause-agent" | "restart-agent";

interface StepBase {
  /** Names a step so `remove:` and counter probes can refer to it. */
  readonly name?: string;
  readonly at: SourceLocation;
}

export type Step =
  | (StepBase & { readonly kind: "fault"; readonly request: FaultRequest })
  | (StepBase & { readonly kind: "partition"; readonly request: PartitionRequest })
  | (StepBase & { readonly kind: "wait"; readonly ms: number })
  | (StepBase & { readonly kind: "remove"; readonly target: string })
  | (StepBase & { readonly kind: "ec2"; readonly action: Ec2Action; readonly rule: Ec2RuleSpec })
  | (StepBase & {
      readonly kind: "fis";
      /** An existing template: `EXT...` or `tag:KEY=VALUE` (exactly one template has it). */
      readonly template?: string;
      /** A template body (CreateExperimentTemplate) created for the run and deleted after it. */
      readonly create?: Readonly<Record<string, unknown>>;
      /** Wait until the experiment ends (default); else it runs on beside the method. */
      readonly wait: boolean;
    })
  | (StepBase & {
      readonly kind: "process";
      readonly op: ProcessOp;
      readonly node: string;
      readonly ms?: number;
    });

export interface StopCondition {
  readonly probe: string;
  /** The run stops once the probe broke this many times during the method. */
  readonly failures: number;
  readonly at: SourceLocation;
}

export interface Experiment {
  readonly file: string;
  readonly title: string;
  readonly description?: string;
  readonly servers: readonly ServerSpec[];
  readonly probes: readonly Probe[];
  /** How often the probes run while the method runs. */
  readonly intervalMs: number;
  /** Pause after the rollback before the `after` checks. */
  readonly settleMs: number;
  readonly steps: readonly Step[];
  readonly stopConditions: readonly StopCondition[];
}

/** Every problem of an experiment file, `file:line: path: message` one per line. */
export class ExperimentError extends Error {
  override readonly name = "ExperimentError";
  constructor(readonly issues: readonly TopologyIssue[]) {
    super(issues.map(formatIssue).join("\n"));
  }
}

const TOP_KEYS = ["title", "description", "servers", "hypothesis", "method", "stopConditions"];
const HYPOTHESIS_KEYS = ["interval", "settle", "probes"];
const PROBE_KEYS = [
  "name",
  "alarm",
  ...REACH_PROTOCOLS,
  "counter",
  "expect",
  "timeout",
  "samples",
  "latency",
];
const STEP_KINDS = [
  "add",
  "conntrack",
  "partition",
  "faults",
  "wait",
  "remove",
  "ec2",
  "fis",
  "kill-agent",
  "pause-agent",
  "restart-agent",
];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses and validates an experiment file's text (`file` is used in messages only). */
export function parseExperiment(text: string, file: string): Experiment {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: Issues = [];
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line;
    issues.push({ at: { file, line, path: "" }, message: err.message.split("\n")[0]! });
  }
  if (issues.length > 0) throw new ExperimentError(issues);
  const r = new Reader(file, lines, issues);
  const top = r.map(doc.contents, "", TOP_KEYS, { file, line: 1, path: "" });
  if (!top) throw new ExperimentError(issues);

  const title = top.string("title", true) ?? "";
  const description = top.string("description");
  const servers = top.list("servers", (item, path, at) => readServer(r, item, path, at));
  let intervalMs = 1000;
  let settleMs = 1000;
  let probes: Probe[] = [];
  if (!top.has("hypothesis")) {
    r.issue({ ...top.at, path: "hypothesis" }, "required field missing");
  } else {
    const h = r.map(top.node_("hypothesis"), "hypothesis", HYPOTHESIS_KEYS, top.at);
    if (h) {
      intervalMs = duration(r, h, "interval", { minMs: 10, maxMs: 600_000 }) ?? intervalMs;
      settleMs =
        duration(r, h, "settle", { minMs: 0, maxMs: 600_000, allowZero: true }) ?? settleMs;
      probes = h.list("probes", (item, path, at) => readProbe(r, item, path, at));
      if (probes.length === 0) r.issue(h.fieldAt("probes"), "needs at least one probe");
    }
  }
  const steps = top.list("method", (item, path, at) => readStep(r, item, path, at));
  const stopConditions = top.list("stopConditions", (item, path, at) => {
    const m = r.map(item, path, ["probe", "failures"], at);
    if (!m) return undefined;
    const probe = m.string("probe", true);
    const failures = m.int("failures", 1, 1_000_000, true);
    if (probe === undefined || failures === undefined) return undefined;
    return { probe, failures, at: m.at };
  });

  checkNames(r, probes, steps, stopConditions);
  if (issues.length > 0) {
    throw new ExperimentError([...issues].sort((a, b) => a.at.line - b.at.line));
  }
  return {
    file,
    title,
    ...(description !== undefined ? { description } : {}),
    servers,
    probes,
    intervalMs,
    settleMs,
    steps,
    stopConditions,
  };
}

function duration(
  r: Reader,
  m: MapView,
  key: string,
  limits: { minMs?: number; maxMs?: number; allowZero?: boolean },
): number | undefined {
  const text = m.string(key);
  if (text === undefined) return undefined;
  try {
    return parseDuration(key, text, limits);
  } catch (err) {
    if (!(err instanceof UnitError)) throw err;
    r.issue(m.fieldAt(key), err.message);
    return undefined;
  }
}

function port(r: Reader, m: MapView, key: string, text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    r.issue(m.fieldAt(key), `expected a port 1-65535, got '${text}'`);
    return undefined;
  }
  return Number(text);
}

function readServer(
  r: Reader,
  item: unknown,
  path: string,
  at: SourceLocation,
): ServerSpec | undefined {
  const m = r.map(item, path, ["node", "http", "tcp", "udp"], at);
  if (!m) return undefined;
  const node = m.string("node", true);
  const kinds = (["http", "tcp", "udp"] as const).filter((k) => m.has(k));
  if (kinds.length !== 1) {
    r.issue(m.at, "expected exactly one of http: PORT, tcp: PORT, udp: PORT");
    return undefined;
  }
  const protocol = kinds[0]!;
  const p = m.string(protocol);
  const n = p === undefined ? undefined : port(r, m, protocol, p);
  if (node === undefined || n === undefined) return undefined;
  return { node, protocol, port: n, at: m.at };
}

function readProbe(r: Reader, item: unknown, path: string, at: SourceLocation): Probe | undefined {
  const m = r.map(item, path, PROBE_KEYS, at);
  if (!m) return undefined;
  const name = m.string("name", true);
  if (name !== undefined && !NAME.test(name)) {
    r.issue(m.fieldAt("name"), `'${name}': use letters, digits, '.', '_' and '-' (up to 64)`);
  }
  const alarm = m.string("alarm") ?? name;
  const kinds = [...REACH_PROTOCOLS, "counter"].filter((k) => m.has(k));
  if (kinds.length !== 1) {
    r.issue(
      m.at,
      `expected exactly one of ${[...REACH_PROTOCOLS, "counter"].join(", ")}${kinds.length > 1 ? ` (got ${kinds.join(", ")})` : ""}`,
    );
    return undefined;
  }
  const kind = kinds[0]!;
  if (kind === "counter") {
    for (const k of ["expect", "timeout", "samples", "latency"]) {
      if (m.has(k)) r.issue(m.fieldAt(k), "not a field of a counter probe");
    }
    const c = r.map(
      m.node_("counter"),
      m.fieldPath("counter"),
      ["node", "fault", "name", "min", "max"],
      m.at,
    );
    if (!c || name === undefined) return undefined;
    const node = c.string("node");
    const fault = c.string("fault");
    const counter = c.string("name", true);
    const min = c.number("min", 0, Number.MAX_SAFE_INTEGER);
    const max = c.number("max", 0, Number.MAX_SAFE_INTEGER);
    if ((node === undefined) === (fault === undefined)) {
      r.issue(c.at, "expected exactly one of node: NODE (its ENI counters) or fault: STEP-NAME");
      return undefined;
    }
    if (counter === undefined) return undefined;
    if (
      node !== undefined &&
      !Object.hasOwn(ENI_COUNTERS, counter) &&
      !/^drops\.[\w-]+$/.test(counter)
    ) {
      r.issue(
        c.fieldAt("name"),
        `unknown counter '${counter}' (use ${Object.keys(ENI_COUNTERS).join(", ")} or drops.REASON)`,
      );
    }
    if (fault !== undefined && !FAULT_COUNTERS.includes(counter)) {
      r.issue(
        c.fieldAt("name"),
        `unknown fault counter '${counter}' (use ${FAULT_COUNTERS.join(", ")})`,
      );
    }
    if (min === undefined && max === undefined) {
      r.issue(c.at, "needs a limit: min, max or both");
    }
    return {
      kind: "counter",
      name,
      alarm: alarm!,
      source: node !== undefined ? { node } : { fault: fault! },
      counter,
      ...(min !== undefined ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
      at: m.at,
    };
  }
  const protocol = kind as ReachProtocol;
  const t = r.map(m.node_(protocol), m.fieldPath(protocol), ["from", "to", "port"], m.at);
  const expectText = m.string("expect") ?? "reachable";
  if (expectText !== "reachable" && expectText !== "unreachable") {
    r.issue(m.fieldAt("expect"), `expected 'reachable' or 'unreachable', got '${expectText}'`);
  }
  const timeoutMs = duration(r, m, "timeout", { minMs: 10, maxMs: 60_000 }) ?? 2000;
  if (protocol === "icmp" && timeoutMs % 1000 !== 0) {
    r.issue(m.fieldAt("timeout"), "icmp waits whole seconds (ping -W): use 1s, 2s, ...");
  }
  const samples = m.int("samples", 1, 1000) ?? 3;
  let latency: ReachProbe["latency"];
  if (m.has("latency")) {
    const l = r.map(m.node_("latency"), m.fieldPath("latency"), ["p50", "p99", "max"], m.at);
    if (l) {
      const p50 = duration(r, l, "p50", { maxMs: 600_000 });
      const p99 = duration(r, l, "p99", { maxMs: 600_000 });
      const max = duration(r, l, "max", { maxMs: 600_000 });
      if (p50 === undefined && p99 === undefined && max === undefined) {
        r.issue(l.at, "needs a limit: p50, p99, max");
      }
      latency = {
        ...(p50 !== undefined ? { p50Ms: p50 } : {}),
        ...(p99 !== undefined ? { p99Ms: p99 } : {}),
        ...(max !== undefined ? { maxMs: max } : {}),
      };
      if (expectText === "unreachable") {
        r.issue(m.fieldAt("latency"), "an unreachable probe has no latency to limit");
      }
    }
  }
  if (!t || name === undefined) return undefined;
  const from = t.string("from", true);
  const to = t.string("to", true);
  const portText = t.string("port");
  let p: number | undefined;
  if (protocol === "icmp") {
    if (portText !== undefined) r.issue(t.fieldAt("port"), "icmp has no port");
  } else if (portText === undefined) {
    r.issue({ ...t.at, path: t.fieldPath("port") }, "required field missing");
  } else {
    p = port(r, t, "port", portText);
  }
  if (from === undefined || to === undefined) return undefined;
  return {
    kind: "reach",
    name,
    alarm: alarm!,
    protocol,
    from,
    to,
    ...(p !== undefined ? { port: p } : {}),
    expect: expectText === "unreachable" ? "unreachable" : "reachable",
    timeoutMs,
    samples,
    ...(latency !== undefined ? { latency } : {}),
    at: m.at,
  };
}

/** Splits a flags string as a shell would (whitespace; '...' and "..." quote). */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  let current: string | undefined;
  let lastEnd = -1;
  while ((m = re.exec(text)) !== null) {
    const piece = m[1] ?? m[2] ?? m[3] ?? "";
    if (current !== undefined && m.index === lastEnd) current += piece;
    else {
      if (current !== undefined) out.push(current);
      current = piece;
    }
    lastEnd = m.index + m[0].length;
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** `vpcemu chaos add|conntrack|partition` flags without the connection and output ones. */
function stepOptions(kind: "add" | "conntrack" | "partition") {
  const base =
    kind === "add" ? ADD_OPTIONS : kind === "conntrack" ? CONNTRACK_OPTIONS : PARTITION_OPTIONS;
  const opts: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {};
  for (const [k, v] of Object.entries(base)) {
    if (["endpoint", "runtime-dir", "output", "no-wait"].includes(k)) continue;
    opts[k] = { type: v.type, ...("multiple" in v && v.multiple ? { multiple: true } : {}) };
  }
  return opts;
}

function readStep(r: Reader, item: unknown, path: string, at: SourceLocation): Step | undefined {
  if (!isMap(item)) {
    r.issue(r.at(item as YamlNode, path, at), "expected a mapping");
    return undefined;
  }
  const m = r.map(item, path, ["name", ...STEP_KINDS], at);
  if (!m) return undefined;
  const name = m.string("name");
  if (name !== undefined && !NAME.test(name)) {
    r.issue(m.fieldAt("name"), `'${name}': use letters, digits, '.', '_' and '-' (up to 64)`);
  }
  const kinds = STEP_KINDS.filter((k) => m.has(k));
  if (kinds.length !== 1) {
    r.issue(
      m.at,
      `expected exactly one of ${STEP_KINDS.join(", ")}${kinds.length > 1 ? ` (got ${kinds.join(", ")})` : ""}`,
    );
    return undefined;
  }
  const kind = kinds[0]!;
  const base = { ...(name !== undefined ? { name } : {}), at: m.at };
  switch (kind) {
    case "add":
    case "conntrack":
    case "partition": {
      const text = m.string(kind, true);
      if (text === undefined) return undefined;
      try {
        const parsed = parseArgs({
          args: splitWords(text),
          options: stepOptions(kind),
          strict: true,
          allowPositionals: kind === "partition",
        });
        const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
        if (kind === "partition") {
          return {
            ...base,
            kind: "partition",
            request: partitionRequestFromArgs(parsed.positionals, v),
          };
        }
        const request = kind === "add" ? faultRequestFromFlags(v) : conntrackRequestFromFlags(v);
        return { ...base, kind: "fault", request };
      } catch (err) {
        r.issue(m.fieldAt(kind), (err as Error).message);
        return undefined;
      }
    }
    case "faults": {
      const before = r.issues.length;
      const faults = readFaults(r, m);
      if (r.issues.length > before) return undefined;
      if (faults.length !== 1) {
        r.issue(m.fieldAt("faults"), "expected a list of one fault (one step adds one fault)");
        return undefined;
      }
      const f = faults[0]!;
      return f.kind === "fault"
        ? { ...base, kind: "fault", request: f.request }
        : { ...base, kind: "partition", request: f.request };
    }
    case "wait": {
      const ms = duration(r, m, "wait", { maxMs: 3_600_000 });
      return ms === undefined ? undefined : { ...base, kind: "wait", ms };
    }
    case "remove": {
      const target = m.string("remove", true);
      return target === undefined ? undefined : { ...base, kind: "remove", target };
    }
    case "ec2":
      return readEc2(r, m, base);
    case "fis":
      return readFis(r, m, base);
    default: {
      const op = kind as ProcessOp;
      const p = r.map(
        m.node_(kind),
        m.fieldPath(kind),
        op === "restart-agent" ? ["node"] : ["node", "for"],
        m.at,
      );
      if (!p) return undefined;
      const node = p.string("node", true);
      const ms =
        op === "restart-agent"
          ? undefined
          : duration(r, p, "for", { maxMs: 3_600_000, allowZero: op === "kill-agent" });
      if (op === "pause-agent" && ms === undefined && !p.has("for")) {
        r.issue({ ...p.at, path: p.fieldPath("for") }, "required field missing");
      }
      if (node === undefined) return undefined;
      return { ...base, kind: "process", op, node, ...(ms !== undefined ? { ms } : {}) };
    }
  }
}

function readEc2(
  r: Reader,
  m: MapView,
  base: { name?: string; at: SourceLocation },
): Step | undefined {
  const e = r.map(
    m.node_("ec2"),
    m.fieldPath("ec2"),
    ["action", "group", "protocol", "ports", "cidr", "sourceGroup", "description"],
    m.at,
  );
  if (!e) return undefined;
  const action = e.string("action", true);
  if (action !== undefined && !EC2_ACTIONS.includes(action as Ec2Action)) {
    r.issue(e.fieldAt("action"), `unknown action '${action}' (use ${EC2_ACTIONS.join(", ")})`);
  }
  const group = e.string("group", true);
  const protocolText = (e.string("protocol", true) ?? "").toLowerCase();
  const protocol = protocolText === "all" ? "-1" : protocolText;
  if (protocolText !== "" && !["tcp", "udp", "icmp", "-1"].includes(protocol)) {
    r.issue(e.fieldAt("protocol"), `unknown protocol '${protocolText}' (use tcp, udp, icmp, -1)`);
  }
  const portsText = e.string("ports");
  let fromPort: number | undefined;
  let toPort: number | undefined;
  if (portsText !== undefined) {
    const mm = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(portsText.trim());
    fromPort = Number(mm?.[1]);
    toPort = mm?.[2] === undefined ? fromPort : Number(mm[2]);
    if (!mm || fromPort > 65535 || toPort > 65535 || fromPort > toPort) {
      r.issue(e.fieldAt("ports"), `expected a port or a range 'from-to', got '${portsText}'`);
    } else if (protocol !== "tcp" && protocol !== "udp") {
      r.issue(e.fieldAt("ports"), "ports need protocol tcp or udp");
    }
  } else if (protocol === "tcp" || protocol === "udp") {
    r.issue({ ...e.at, path: e.fieldPath("ports") }, "required field missing (tcp and udp)");
  }
  const cidr = e.string("cidr");
  const sourceGroup = e.string("sourceGroup");
  const description = e.string("description");
  if ((cidr === undefined) === (sourceGroup === undefined)) {
    r.issue(e.at, "expected exactly one peer: cidr or sourceGroup");
  }
  if (cidr !== undefined && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) {
    r.issue(e.fieldAt("cidr"), `expected an IPv4 CIDR such as 10.0.1.0/24, got '${cidr}'`);
  }
  if (action === undefined || group === undefined || protocol === "") return undefined;
  return {
    ...base,
    kind: "ec2",
    action: action as Ec2Action,
    rule: {
      group,
      protocol,
      ...(fromPort !== undefined ? { fromPort, toPort: toPort! } : {}),
      ...(cidr !== undefined ? { cidr } : {}),
      ...(sourceGroup !== undefined ? { sourceGroup } : {}),
      ...(description !== undefined ? { description } : {}),
    },
  };
}

function readFis(
  r: Reader,
  m: MapView,
  base: { name?: string; at: SourceLocation },
): Step | undefined {
  const f = r.map(m.node_("fis"), m.fieldPath("fis"), ["template", "create", "wait"], m.at);
  if (!f) return undefined;
  const template = f.string("template");
  const wait = f.bool("wait") ?? true;
  let create: Record<string, unknown> | undefined;
  if (f.has("create")) {
    const node = f.node_("create");
    if (!isMap(node)) {
      r.issue(f.fieldAt("create"), "expected a mapping (a CreateExperimentTemplate body)");
    } else {
      create = node.toJSON() as Record<string, unknown>;
      for (const k of ["targets", "actions"]) {
        if (create[k] === null || typeof create[k] !== "object") {
          r.issue(
            f.fieldAt("create"),
            `${k}: required (a mapping), as in CreateExperimentTemplate`,
          );
        }
      }
    }
  }
  if ((template === undefined) === !f.has("create")) {
    r.issue(
      f.at,
      "expected exactly one of template: EXT... | tag:KEY=VALUE, or create: {template}",
    );
    return undefined;
  }
  if (template !== undefined && !/^(EXT[A-Za-z0-9]+|tag:[^=]+=.*)$/.test(template)) {
    r.issue(
      f.fieldAt("template"),
      `expected an experiment template id (EXT...) or tag:KEY=VALUE, got '${template}'`,
    );
    return undefined;
  }
  if (template === undefined && create === undefined) return undefined;
  return {
    ...base,
    kind: "fis",
    ...(template !== undefined ? { template } : {}),
    ...(create !== undefined ? { create } : {}),
    wait,
  };
}

function checkNames(
  r: Reader,
  probes: readonly Probe[],
  steps: readonly Step[],
  stops: readonly StopCondition[],
): void {
  const seen = new Map<string, SourceLocation>();
  for (const p of probes) {
    const first = seen.get(p.name);
    if (first) r.issue(p.at, `duplicate probe name '${p.name}' (first at line ${first.line})`);
    else seen.set(p.name, p.at);
  }
  const stepNames = new Map<string, Step>();
  for (const s of steps) {
    if (s.name === undefined) continue;
    const first = stepNames.get(s.name);
    if (first) r.issue(s.at, `duplicate step name '${s.name}' (first at line ${first.at.line})`);
    else stepNames.set(s.name, s);
  }
  const faultLike = (s: Step | undefined) => s?.kind === "fault" || s?.kind === "partition";
  steps.forEach((s, i) => {
    if (s.kind !== "remove") return;
    const target = stepNames.get(s.target);
    if (!faultLike(target) || steps.indexOf(target!) > i) {
      r.issue(s.at, `remove: '${s.target}' names no earlier fault or partition step`);
    }
  });
  for (const p of probes) {
    if (p.kind === "counter" && "fault" in p.source && !faultLike(stepNames.get(p.source.fault))) {
      r.issue(p.at, `counter.fault: '${p.source.fault}' names no fault or partition step`);
    }
  }
  for (const c of stops) {
    if (!seen.has(c.probe)) r.issue(c.at, `probe: unknown probe '${c.probe}'`);
  }
}
