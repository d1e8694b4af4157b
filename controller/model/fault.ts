/**
 * Chaos faults (docs/json-api.md /v1/faults; contract in ../../chaos-contract.md): the JSON
 * bodies of POST /v1/faults and POST /v1/faults/partition -> a validated FaultSpec, or an
 * EMU_ERR_FAULT_INVALID naming the offending value. Nothing is stored here
 * (controller/store/fault-ops.ts stores; controller/policy/compile-faults.ts compiles).
 *
 * Limits: delay (latency, jitter) <= 60 s; every percent 0..100; rate > 0 bit/s; at least one
 * effect; unknown fields and effects refused; blackhole and reject exclude each other; reorder
 * needs a delay (netem); ports only with tcp/udp; packet effects need `to`, conntrack effects
 * act on the ENIs of `from` alone.
 */
import { HubError } from "../hub/hub-errors.js";
import type {
  FaultDirection,
  FaultEffectsState,
  FaultState,
  PartitionMode,
} from "../policy/policy-state.js";
import { resolveSelectors, type SelectorCatalog } from "./fault-selector.js";
import type { Tags } from "./tags.js";

/**
 * A fault as stored: the compiler's FaultState (one shape, no copy), plus `tags` (always {}
 * today) because every stored record carries tags (controller/store/tag-ops.ts).
 */
export type Fault = FaultState & { readonly tags: Tags };

/** Upper bound of delay latency and jitter, ms (60 s). */
export const MAX_DELAY_MS = 60_000;
/** Upper bound of startAfterMs and durationMs (366 days). */
export const MAX_WINDOW_MS = 366 * 24 * 3600 * 1000;
export const MAX_QUEUE_LIMIT_PACKETS = 1_000_000;
export const MAX_DESCRIPTION = 255;

/** A validated fault before it gets an id, a revision and its times. */
export interface FaultSpec {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly partition?: FaultState["partition"];
  readonly direction: FaultDirection;
  readonly protocol: number;
  readonly fromPort: number;
  readonly toPort: number;
  readonly effects: FaultEffectsState;
  /** Undefined: the caller picks one (a fault always runs with a seed). */
  readonly seed?: number;
  readonly queueLimitPackets: number;
  readonly description: string;
  readonly startAfterMs: number;
  /** null = until removed. */
  readonly durationMs: number | null;
}

const EFFECTS = [
  "delay",
  "loss",
  "duplicate",
  "corrupt",
  "reorder",
  "rate",
  "blackhole",
  "reject",
  "conntrack",
] as const;

const FAULT_FIELDS = [
  "from",
  "to",
  "direction",
  "protocol",
  "ports",
  "effects",
  "startAfterMs",
  "durationMs",
  "seed",
  "queueLimitPackets",
  "description",
] as const;

const PARTITION_FIELDS = [
  "groups",
  "mode",
  "oneWay",
  "startAfterMs",
  "durationMs",
  "seed",
  "description",
] as const;

const PROTOCOLS: Readonly<Record<string, number>> = {
  all: -1,
  "-1": -1,
  icmp: 1,
  tcp: 6,
  udp: 17,
  icmpv6: 58,
};

/** Protocol number -> the name the view shows ("tcp"), or the number as text. */
export function protocolName(n: number): string {
  for (const [name, v] of Object.entries(PROTOCOLS)) if (v === n && name !== "-1") return name;
  return String(n);
}

function invalid(message: string): HubError {
  return new HubError("EMU_ERR_FAULT_INVALID", message);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function only(field: string, o: Obj, known: readonly string[], what = "field"): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k))
      throw invalid(`unknown ${what} '${field}${k}' (known: ${known.join(", ")})`);
  }
}

interface NumRule {
  readonly min?: number;
  /** Exclusive lower bound ("above 0"). */
  readonly above?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** Appended to the max message, e.g. "(60 s)". */
  readonly unit?: string;
}

function num(field: string, v: unknown, rule: NumRule): number {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw invalid(`${field} must be a number, got ${JSON.stringify(v)}`);
  if (rule.integer === true && !Number.isInteger(v))
    throw invalid(`${field} must be an integer, got ${v}`);
  if (rule.above !== undefined && !(v > rule.above))
    throw invalid(`${field} must be above ${rule.above}, got ${v}`);
  if (rule.min !== undefined && v < rule.min) throw invalid(`${field} ${v} is below ${rule.min}`);
  if (rule.max !== undefined && v > rule.max)
    throw invalid(`${field} ${v} is above ${rule.max}${rule.unit ? ` ${rule.unit}` : ""}`);
  return v;
}

function optNum(field: string, v: unknown, dflt: number, rule: NumRule): number {
  return v === undefined ? dflt : num(field, v, rule);
}

const PERCENT: NumRule = { min: 0, max: 100, unit: "%" };

function percentEffect(
  name: string,
  v: unknown,
): { readonly percent: number; readonly correlation: number } {
  const f = `effects.${name}`;
  if (!isObj(v)) throw invalid(`${f} must be an object like {"percent": 1}`);
  only(`${f}.`, v, ["percent", "correlation"]);
  if (v["percent"] === undefined) throw invalid(`${f}.percent is required`);
  return {
    percent: num(`${f}.percent`, v["percent"], PERCENT),
    correlation: optNum(`${f}.correlation`, v["correlation"], 0, PERCENT),
  };
}

function sanitizeEffects(v: unknown): FaultEffectsState {
  if (!isObj(v)) throw invalid(`effects must be an object, e.g. {"delay": {"latencyMs": 50}}`);
  only("effects.", v, EFFECTS, "effect");
  const out: { -readonly [K in keyof FaultEffectsState]: FaultEffectsState[K] } = {};
  if (v["delay"] !== undefined) {
    const d = v["delay"];
    if (!isObj(d)) throw invalid(`effects.delay must be an object like {"latencyMs": 50}`);
    only("effects.delay.", d, ["latencyMs", "jitterMs", "correlation", "distribution"]);
    if (d["latencyMs"] === undefined) throw invalid("effects.delay.latencyMs is required");
    const dist = d["distribution"] ?? "uniform";
    if (dist !== "uniform" && dist !== "normal" && dist !== "pareto" && dist !== "paretonormal")
      throw invalid(
        `effects.delay.distribution ${JSON.stringify(dist)} is not one of uniform, normal, pareto, paretonormal`,
      );
    const ms: NumRule = { min: 0, max: MAX_DELAY_MS, unit: "ms (60 s)" };
    out.delay = {
      latencyMs: num("effects.delay.latencyMs", d["latencyMs"], ms),
      jitterMs: optNum("effects.delay.jitterMs", d["jitterMs"], 0, ms),
      correlation: optNum("effects.delay.correlation", d["correlation"], 0, PERCENT),
      distribution: dist,
    };
  }
  if (v["loss"] !== undefined) {
    const l = v["loss"];
    if (isObj(l) && l["gilbertElliott"] !== undefined) {
      only("effects.loss.", l, ["gilbertElliott"]);
      const g = l["gilbertElliott"];
      if (!isObj(g)) throw invalid(`effects.loss.gilbertElliott must be {"p": .., "r": ..}`);
      only("effects.loss.gilbertElliott.", g, ["p", "r", "h", "k"]);
      if (g["p"] === undefined) throw invalid("effects.loss.gilbertElliott.p is required");
      const p = num("effects.loss.gilbertElliott.p", g["p"], PERCENT);
      // netem gemodel defaults: r = 100 - p, 1-h = 100 (h = 0), 1-k = 0 (k = 100).
      out.loss = {
        gilbertElliott: {
          p,
          r: optNum("effects.loss.gilbertElliott.r", g["r"], 100 - p, PERCENT),
          h: optNum("effects.loss.gilbertElliott.h", g["h"], 0, PERCENT),
          k: optNum("effects.loss.gilbertElliott.k", g["k"], 100, PERCENT),
        },
      };
    } else {
      out.loss = percentEffect("loss", l);
    }
  }
  if (v["duplicate"] !== undefined) out.duplicate = percentEffect("duplicate", v["duplicate"]);
  if (v["corrupt"] !== undefined) out.corrupt = percentEffect("corrupt", v["corrupt"]);
  if (v["reorder"] !== undefined) {
    const r = v["reorder"];
    if (!isObj(r)) throw invalid(`effects.reorder must be an object like {"percent": 25}`);
    only("effects.reorder.", r, ["percent", "correlation", "gap"]);
    if (r["percent"] === undefined) throw invalid("effects.reorder.percent is required");
    out.reorder = {
      percent: num("effects.reorder.percent", r["percent"], PERCENT),
      correlation: optNum("effects.reorder.correlation", r["correlation"], 0, PERCENT),
      gap: optNum("effects.reorder.gap", r["gap"], 0, { min: 0, max: 1_000_000, integer: true }),
    };
    if (out.delay === undefined)
      throw invalid("effects.reorder needs a delay effect (reordered packets skip the delay)");
  }
  if (v["rate"] !== undefined) {
    const r = v["rate"];
    if (!isObj(r)) throw invalid(`effects.rate must be an object like {"bitsPerSecond": 1e7}`);
    only("effects.rate.", r, ["bitsPerSecond", "queueLimitBytes"]);
    if (r["bitsPerSecond"] === undefined) throw invalid("effects.rate.bitsPerSecond is required");
    out.rate = {
      bitsPerSecond: num("effects.rate.bitsPerSecond", r["bitsPerSecond"], {
        above: 0,
        max: Number.MAX_SAFE_INTEGER,
        integer: true,
      }),
      queueLimitBytes: optNum("effects.rate.queueLimitBytes", r["queueLimitBytes"], 0, {
        min: 0,
        max: 2 ** 31,
        integer: true,
      }),
    };
  }
  for (const flag of ["blackhole", "reject"] as const) {
    const b = v[flag];
    if (b === undefined || b === false) continue;
    if (b !== true) throw invalid(`effects.${flag} must be true, got ${JSON.stringify(b)}`);
    out[flag] = true;
  }
  if (out.blackhole === true && out.reject === true)
    throw invalid("effects.blackhole and effects.reject exclude each other");
  if (v["conntrack"] !== undefined) out.conntrack = sanitizeConntrack(v["conntrack"]);
  if (Object.keys(out).length === 0)
    throw invalid(`a fault needs at least one effect (${EFFECTS.join(", ")})`);
  return out;
}

function sanitizeConntrack(c: unknown): NonNullable<FaultEffectsState["conntrack"]> {
  if (!isObj(c)) throw invalid(`effects.conntrack must be an object like {"allowance": 10}`);
  only("effects.conntrack.", c, ["allowance", "flush", "timeouts"]);
  const out: { allowance?: number; flush?: boolean; timeouts?: Record<string, number> } = {};
  if (c["allowance"] !== undefined)
    out.allowance = num("effects.conntrack.allowance", c["allowance"], {
      min: 0,
      max: 2 ** 31,
      integer: true,
    });
  if (c["flush"] !== undefined && c["flush"] !== false) {
    if (c["flush"] !== true)
      throw invalid(`effects.conntrack.flush must be true, got ${JSON.stringify(c["flush"])}`);
    out.flush = true;
  }
  if (c["timeouts"] !== undefined) {
    const t = c["timeouts"];
    const keys = ["tcpEstablished", "udp", "udpStream"];
    if (!isObj(t)) throw invalid(`effects.conntrack.timeouts must be an object like {"udp": 5}`);
    only("effects.conntrack.timeouts.", t, keys);
    const timeouts: Record<string, number> = {};
    for (const k of keys) {
      if (t[k] !== undefined)
        timeouts[k] = num(`effects.conntrack.timeouts.${k}`, t[k], {
          min: 1,
          max: 432_000,
          integer: true,
          unit: "s",
        });
    }
    if (Object.keys(timeouts).length === 0)
      throw invalid("effects.conntrack.timeouts names no timeout (tcpEstablished, udp, udpStream)");
    out.timeouts = timeouts;
  }
  if (Object.keys(out).length === 0)
    throw invalid("effects.conntrack needs allowance, flush or timeouts");
  return out;
}

function sanitizeProtocol(v: unknown): number {
  if (v === undefined) return -1;
  if (typeof v === "number") {
    if (v === -1) return -1;
    return num("protocol", v, { min: 0, max: 255, integer: true });
  }
  if (typeof v === "string") {
    // Why hasOwn: `constructor` must be an unknown protocol, not Object.prototype's member.
    const name = v.toLowerCase();
    if (Object.hasOwn(PROTOCOLS, name)) return PROTOCOLS[name] as number;
    if (/^\d+$/.test(v) && Number(v) <= 255) return Number(v);
  }
  throw invalid(
    `protocol ${JSON.stringify(v)} is not one of tcp, udp, icmp, icmpv6, all or 0..255`,
  );
}

function sanitizePorts(v: unknown, protocol: number): { fromPort: number; toPort: number } {
  if (v === undefined || v === null) return { fromPort: -1, toPort: -1 };
  if (protocol !== 6 && protocol !== 17)
    throw invalid(`ports ${JSON.stringify(v)} need protocol tcp or udp`);
  const text = typeof v === "number" ? String(v) : v;
  const m = typeof text === "string" ? /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim()) : null;
  if (m === null)
    throw invalid(`ports ${JSON.stringify(v)} is not a port or a range like 8000-8100`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > 65535 || to > 65535 || from > to)
    throw invalid(`ports ${JSON.stringify(v)}: ports are 0..65535, the range low-high`);
  return { fromPort: from, toPort: to };
}

function sanitizeWindow(o: Obj): { startAfterMs: number; durationMs: number | null } {
  const startAfterMs = optNum("startAfterMs", o["startAfterMs"], 0, {
    min: 0,
    max: MAX_WINDOW_MS,
    integer: true,
  });
  const d = o["durationMs"];
  const durationMs =
    d === undefined || d === null
      ? null
      : num("durationMs", d, { above: 0, max: MAX_WINDOW_MS, integer: true });
  return { startAfterMs, durationMs };
}

function sanitizeCommon(o: Obj): {
  seed?: number;
  description: string;
  startAfterMs: number;
  durationMs: number | null;
} {
  const desc = o["description"] ?? "";
  if (typeof desc !== "string" || desc.length > MAX_DESCRIPTION)
    throw invalid(`description must be a string of at most ${MAX_DESCRIPTION} characters`);
  return {
    ...(o["seed"] !== undefined
      ? { seed: num("seed", o["seed"], { min: 0, max: 0xffff_ffff, integer: true }) }
      : {}),
    description: desc,
    ...sanitizeWindow(o),
  };
}

/** POST /v1/faults body -> FaultSpec (selectors resolved against `cat`). */
export function sanitizeFaultBody(body: unknown, cat: SelectorCatalog): FaultSpec {
  if (!isObj(body)) throw invalid("the body must be a JSON object");
  only("", body, FAULT_FIELDS);
  const effects = sanitizeEffects(body["effects"]);
  const packetEffects = Object.keys(effects).some((k) => k !== "conntrack");
  if (body["from"] === undefined) throw invalid("from is required (one or more selectors)");
  const from = resolveSelectors("from", body["from"], cat);
  if (packetEffects && body["to"] === undefined)
    throw invalid("to is required for packet effects (only conntrack effects act on from alone)");
  const to = body["to"] === undefined ? [] : resolveSelectors("to", body["to"], cat);
  const direction = body["direction"] ?? "one-way";
  if (direction !== "one-way" && direction !== "both")
    throw invalid(`direction ${JSON.stringify(direction)} is not one-way or both`);
  const protocol = sanitizeProtocol(body["protocol"]);
  const ports = sanitizePorts(body["ports"], protocol);
  return {
    from,
    to,
    direction,
    protocol,
    ...ports,
    effects,
    queueLimitPackets: optNum("queueLimitPackets", body["queueLimitPackets"], 0, {
      min: 1,
      max: MAX_QUEUE_LIMIT_PACKETS,
      integer: true,
    }),
    ...sanitizeCommon(body),
  };
}

/** POST /v1/faults/partition body -> FaultSpec of one blackhole fault over the groups. */
export function sanitizePartitionBody(body: unknown, cat: SelectorCatalog): FaultSpec {
  if (!isObj(body)) throw invalid("the body must be a JSON object");
  only("", body, PARTITION_FIELDS);
  const g = body["groups"];
  if (!Array.isArray(g) || g.length < 2)
    throw invalid(`groups must be an array of at least two groups of selectors`);
  if (g.length > 64) throw invalid(`groups has ${g.length} groups (at most 64)`);
  const groups = g.map((x, i) => resolveSelectors(`groups[${i}]`, x, cat));
  const mode = (body["mode"] ?? "complete") as PartitionMode;
  if (mode !== "complete" && mode !== "majorities-ring" && mode !== "bridge")
    throw invalid(
      `mode ${JSON.stringify(body["mode"])} is not one of complete, majorities-ring, bridge`,
    );
  if (mode !== "complete" && groups.length < 3)
    throw invalid(`mode ${mode} needs at least three groups, got ${groups.length}`);
  const oneWay = body["oneWay"] ?? false;
  if (typeof oneWay !== "boolean") throw invalid(`oneWay must be true or false`);
  if (oneWay && mode !== "complete") throw invalid(`oneWay applies to mode complete only`);
  return {
    from: [],
    to: [],
    partition: { groups, mode, oneWay },
    direction: oneWay ? "one-way" : "both",
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    effects: { blackhole: true },
    queueLimitPackets: 0,
    ...sanitizeCommon(body),
  };
}
