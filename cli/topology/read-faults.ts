/**
 * The `faults:` section of a topology file: chaos faults applied once the resources exist
 * (docs/topology.md, docs/chaos.md). Items take the JSON API's fields (POST /v1/faults, or
 * POST /v1/faults/partition when they have `groups`), checked here with their line so a typo
 * reads `topology.yaml:40: faults[0].effects.delay.latencyMs: expected a number above 0 and at
 * most 60000, got '70000'`. Selectors may name the file's own groups, subnets and instances
 * (`sg:web-sg`, `subnet:private`, `instance:db`, or a bare name only one of them has);
 * checkFaultSelectors() checks those names once the whole file is read.
 */
import { isScalar, isSeq, type Node as YamlNode } from "yaml";
import {
  DELAY_DISTRIBUTIONS,
  FAULT_LIMITS,
  PARTITION_MODES,
  type ConntrackRequest,
  type DelayDistribution,
  type FaultEffectsRequest,
  type FaultRequest,
  type LossRequest,
  type PartitionMode,
  type PartitionRequest,
} from "../chaos/fault-api.js";
import { parseCidr } from "./cidr.js";
import type { Topology, TopologyFault, TopologySelector } from "./topology.js";
import { field, type MapView, type Reader, type SourceLocation } from "./yaml-reader.js";

const FAULT_KEYS = [
  "name",
  "description",
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
];
const PARTITION_KEYS = [
  "name",
  "description",
  "groups",
  "mode",
  "oneWay",
  "startAfterMs",
  "durationMs",
];
const EFFECT_KEYS = [
  "delay",
  "loss",
  "duplicate",
  "corrupt",
  "reorder",
  "rate",
  "blackhole",
  "reject",
  "conntrack",
];
const PROTOCOLS = ["tcp", "udp", "icmp", "icmpv6", "all"];
const MAX_MS = 365 * 24 * 3_600_000;

/** `faults:` items: faults (`from`, `to`, `effects`, ...) and partitions (`groups`, ...). */
export function readFaults(r: Reader, top: MapView): TopologyFault[] {
  return top.list("faults", (item, path, at): TopologyFault | undefined => {
    const isPartition =
      item !== null && typeof item === "object" && "has" in item && hasKey(item, "groups");
    return isPartition ? readPartition(r, item, path, at) : readFault(r, item, path, at);
  });
}

function hasKey(node: object, key: string): boolean {
  return (node as { has(k: string): boolean }).has(key);
}

function readFault(
  r: Reader,
  item: unknown,
  path: string,
  at: SourceLocation,
): TopologyFault | undefined {
  const m = r.map(item, path, FAULT_KEYS, at);
  if (!m) return undefined;
  const name = m.string("name");
  const description = m.string("description");
  const from = selectorList(r, m, "from", true);
  const effects = m.has("effects") ? readEffects(r, m) : undefined;
  if (!m.has("effects"))
    r.issue({ ...m.at, path: m.fieldPath("effects") }, "required field missing");
  const packetEffects = effects ? Object.keys(effects).filter((k) => k !== "conntrack") : [];
  // Conntrack effects act on the ENIs of `from`; packet effects need both ends.
  const to = selectorList(r, m, "to", packetEffects.length > 0 || !effects?.conntrack);
  const direction = m.string("direction");
  if (direction !== undefined && direction !== "one-way" && direction !== "both") {
    r.issue(m.fieldAt("direction"), `expected 'one-way' or 'both', got '${direction}'`);
  }
  const protocolText = m.string("protocol");
  let protocol: string | number | undefined;
  if (protocolText !== undefined) {
    const lower = protocolText.toLowerCase();
    if (PROTOCOLS.includes(lower)) protocol = lower;
    else if (/^\d{1,3}$/.test(protocolText) && Number(protocolText) <= 255)
      protocol = Number(protocolText);
    else
      r.issue(
        m.fieldAt("protocol"),
        `unknown protocol '${protocolText}' (use tcp, udp, icmp, icmpv6, all or a number 0-255)`,
      );
  }
  const portsText = m.string("ports");
  let ports: string | undefined;
  if (portsText !== undefined) {
    const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(portsText);
    const lo = Number(match?.[1]);
    const hi = match?.[2] === undefined ? lo : Number(match[2]);
    if (!match || lo > 65535 || hi > 65535 || lo > hi) {
      r.issue(
        m.fieldAt("ports"),
        `expected a port or a range 'from-to' within 0-65535, got '${portsText}'`,
      );
    } else if (protocol !== "tcp" && protocol !== "udp" && protocol !== 6 && protocol !== 17) {
      r.issue(m.fieldAt("ports"), "ports need protocol tcp or udp");
    } else {
      ports = match[2] === undefined ? String(lo) : `${lo}-${hi}`;
    }
  }
  const timing = readTiming(m);
  const seed = m.int("seed", 0, FAULT_LIMITS.maxSeed);
  const queue = m.int("queueLimitPackets", 1, FAULT_LIMITS.maxQueuePackets);
  if (from === undefined || to === undefined) return undefined;
  // Why `effects ?? {}`: bad effects were reported; keeping the item lets its selectors be
  // checked too (parseTopology throws when any issue was found, so it is never applied).
  const request: FaultRequest = {
    from: from.map((s) => s.text),
    ...(to.length > 0 ? { to: to.map((s) => s.text) } : {}),
    ...(direction === "both" ? { direction: "both" as const } : { direction: "one-way" as const }),
    ...(protocol !== undefined ? { protocol } : {}),
    ...(ports !== undefined ? { ports } : {}),
    effects: effects ?? {},
    ...timing,
    ...(seed !== undefined ? { seed } : {}),
    ...(queue !== undefined ? { queueLimitPackets: queue } : {}),
    ...descriptionOf(name, description),
  };
  return {
    kind: "fault",
    ...(name !== undefined ? { name } : {}),
    request,
    selectors: [...from, ...to],
    at: m.at,
  };
}

function readPartition(
  r: Reader,
  item: unknown,
  path: string,
  at: SourceLocation,
): TopologyFault | undefined {
  const m = r.map(item, path, PARTITION_KEYS, at);
  if (!m) return undefined;
  const name = m.string("name");
  const description = m.string("description");
  const selectors: TopologySelector[] = [];
  const groups = m.list("groups", (g, gpath, gat) => {
    // A group: a list of selectors, or one string of comma-separated selectors (as on the CLI).
    if (isSeq(g)) {
      const list: string[] = [];
      g.items.forEach((s, i) => {
        const spath = `${gpath}[${i}]`;
        const sat = r.at(s as YamlNode, spath, gat);
        if (isScalar(s) && typeof s.value === "string" && s.value.trim() !== "") {
          selectors.push({ text: s.value.trim(), at: sat });
          list.push(s.value.trim());
        } else {
          r.issue(sat, "expected a selector (e.g. sg:web-sg)");
        }
      });
      if (list.length === 0) r.issue({ ...gat, path: gpath }, "an empty group");
      return list.length > 0 ? list : undefined;
    }
    if (isScalar(g) && typeof g.value === "string") {
      const parts = g.value.split(",").map((s) => s.trim());
      if (parts.some((s) => s === "")) {
        r.issue({ ...gat, path: gpath }, `'${g.value}': an empty selector (stray comma?)`);
        return undefined;
      }
      for (const p of parts) selectors.push({ text: p, at: { ...gat, path: gpath } });
      return parts;
    }
    r.issue({ ...gat, path: gpath }, "expected a list of selectors or a comma-separated string");
    return undefined;
  });
  if (groups.length < 2) {
    r.issue(m.fieldAt("groups"), `a partition needs at least two groups, got ${groups.length}`);
  }
  const mode = m.string("mode");
  if (mode !== undefined && !PARTITION_MODES.includes(mode as PartitionMode)) {
    r.issue(m.fieldAt("mode"), `expected one of ${PARTITION_MODES.join(", ")}, got '${mode}'`);
  }
  const oneWay = m.bool("oneWay");
  const timing = readTiming(m);
  if (groups.length < 2) return undefined;
  const request: PartitionRequest = {
    groups,
    ...(mode !== undefined && PARTITION_MODES.includes(mode as PartitionMode)
      ? { mode: mode as PartitionMode }
      : {}),
    ...(oneWay === true ? { oneWay: true } : {}),
    ...timing,
    ...descriptionOf(name, description),
  };
  return {
    kind: "partition",
    ...(name !== undefined ? { name } : {}),
    request,
    selectors,
    at: m.at,
  };
}

function descriptionOf(name: string | undefined, description: string | undefined) {
  const text = description ?? name;
  return text !== undefined ? { description: text } : {};
}

function readTiming(m: MapView): { startAfterMs?: number; durationMs?: number } {
  const after = m.int("startAfterMs", 0, MAX_MS);
  const duration = m.int("durationMs", 1, MAX_MS);
  return {
    ...(after !== undefined ? { startAfterMs: after } : {}),
    ...(duration !== undefined ? { durationMs: duration } : {}),
  };
}

/** `from:`/`to:`: one selector or a list of them, each with its location. */
function selectorList(
  r: Reader,
  m: MapView,
  key: string,
  required: boolean,
): TopologySelector[] | undefined {
  if (!m.has(key)) {
    if (required) {
      r.issue({ ...m.at, path: m.fieldPath(key) }, "required field missing");
      return undefined;
    }
    return [];
  }
  const node = m.node_(key);
  if (isScalar(node) && typeof node.value === "string") {
    return [{ text: node.value.trim(), at: m.fieldAt(key) }];
  }
  const out = m.list(key, (item, path, at): TopologySelector | undefined => {
    if (isScalar(item) && typeof item.value === "string" && item.value.trim() !== "") {
      return { text: item.value.trim(), at: { ...at, path } };
    }
    r.issue({ ...at, path }, "expected a selector (e.g. sg:web-sg)");
    return undefined;
  });
  if (out.length === 0) {
    r.issue(m.fieldAt(key), "an empty list: give at least one selector");
    return undefined;
  }
  return out;
}

function readEffects(r: Reader, parent: MapView): FaultEffectsRequest | undefined {
  const m = r.map(parent.node_("effects"), parent.fieldPath("effects"), EFFECT_KEYS, parent.at);
  if (!m) return undefined;
  const sub = (key: string, keys: string[]) =>
    m.has(key) ? r.map(m.node_(key), m.fieldPath(key), keys, m.at) : undefined;
  const percent = (v: MapView, key: string, required = true) =>
    v.number(key, 0, 100, { required, above: required });
  const effects: { -readonly [K in keyof FaultEffectsRequest]: FaultEffectsRequest[K] } = {};

  const d = sub("delay", ["latencyMs", "jitterMs", "correlation", "distribution"]);
  if (d) {
    const latencyMs = d.number("latencyMs", 0, FAULT_LIMITS.maxDelayMs, {
      required: true,
      above: true,
    });
    const jitterMs = d.number("jitterMs", 0, FAULT_LIMITS.maxDelayMs);
    const correlation = percent(d, "correlation", false);
    const distribution = d.string("distribution");
    if (distribution !== undefined && !DELAY_DISTRIBUTIONS.includes(distribution as never)) {
      r.issue(
        d.fieldAt("distribution"),
        `expected one of ${DELAY_DISTRIBUTIONS.join(", ")}, got '${distribution}'`,
      );
    }
    if (latencyMs !== undefined) {
      effects.delay = {
        latencyMs,
        ...(jitterMs !== undefined ? { jitterMs } : {}),
        ...(correlation !== undefined ? { correlation } : {}),
        ...(distribution !== undefined && DELAY_DISTRIBUTIONS.includes(distribution as never)
          ? { distribution: distribution as DelayDistribution }
          : {}),
      };
    }
  }

  const l = sub("loss", ["percent", "correlation", "gilbertElliott"]);
  if (l) {
    let loss: LossRequest | undefined;
    if (l.has("gilbertElliott")) {
      if (l.has("percent") || l.has("correlation")) {
        r.issue(l.at, "give either percent (random loss) or gilbertElliott, not both");
      }
      const g = r.map(
        l.node_("gilbertElliott"),
        l.fieldPath("gilbertElliott"),
        ["p", "r", "h", "k"],
        l.at,
      );
      const p = g && percent(g, "p");
      const rr = g && percent(g, "r", false);
      const h = g && percent(g, "h", false);
      const k = g && percent(g, "k", false);
      if (p !== undefined && p !== null) {
        loss = {
          gilbertElliott: {
            p,
            ...(rr != null ? { r: rr } : {}),
            ...(h != null ? { h } : {}),
            ...(k != null ? { k } : {}),
          },
        };
      }
    } else {
      const p = percent(l, "percent");
      const c = percent(l, "correlation", false);
      if (p !== undefined) loss = { percent: p, ...(c !== undefined ? { correlation: c } : {}) };
    }
    if (loss) effects.loss = loss;
  }

  for (const key of ["duplicate", "corrupt"] as const) {
    const v = sub(key, ["percent", "correlation"]);
    if (!v) continue;
    const p = percent(v, "percent");
    const c = percent(v, "correlation", false);
    if (p !== undefined)
      effects[key] = { percent: p, ...(c !== undefined ? { correlation: c } : {}) };
  }

  const ro = sub("reorder", ["percent", "correlation", "gap"]);
  if (ro) {
    const p = percent(ro, "percent");
    const c = percent(ro, "correlation", false);
    const gap = ro.int("gap", 1, FAULT_LIMITS.maxGap);
    if (!m.has("delay")) {
      r.issue(
        field(m.at, "reorder"),
        "reorder needs a delay (as in netem, reordered packets skip it)",
      );
    }
    if (p !== undefined) {
      effects.reorder = {
        percent: p,
        ...(c !== undefined ? { correlation: c } : {}),
        ...(gap !== undefined ? { gap } : {}),
      };
    }
  }

  const rate = sub("rate", ["bitsPerSecond", "queueLimitBytes"]);
  if (rate) {
    const bits = rate.int("bitsPerSecond", 8, Number.MAX_SAFE_INTEGER, true);
    const queue = rate.int("queueLimitBytes", 1, FAULT_LIMITS.maxQueueBytes);
    if (bits !== undefined) {
      effects.rate = {
        bitsPerSecond: bits,
        ...(queue !== undefined ? { queueLimitBytes: queue } : {}),
      };
    }
  }

  for (const key of ["blackhole", "reject"] as const) {
    if (m.bool(key) === true) effects[key] = true;
  }
  if (effects.blackhole && effects.reject) {
    r.issue(m.at, "blackhole and reject exclude each other (silent drop vs. RST/ICMP unreachable)");
  }

  const ct = sub("conntrack", ["allowance", "flush", "timeouts"]);
  if (ct) {
    const allowance = ct.int("allowance", 0, FAULT_LIMITS.maxAllowance);
    const flush = ct.bool("flush");
    const t = ct.has("timeouts")
      ? r.map(
          ct.node_("timeouts"),
          ct.fieldPath("timeouts"),
          ["tcpEstablished", "udp", "udpStream"],
          ct.at,
        )
      : undefined;
    const tcp = t?.int("tcpEstablished", 1, FAULT_LIMITS.maxTimeoutSeconds);
    const udp = t?.int("udp", 1, FAULT_LIMITS.maxTimeoutSeconds);
    const stream = t?.int("udpStream", 1, FAULT_LIMITS.maxTimeoutSeconds);
    const conntrack: ConntrackRequest = {
      ...(allowance !== undefined ? { allowance } : {}),
      ...(flush === true ? { flush: true } : {}),
      ...(tcp !== undefined || udp !== undefined || stream !== undefined
        ? {
            timeouts: {
              ...(tcp !== undefined ? { tcpEstablished: tcp } : {}),
              ...(udp !== undefined ? { udp } : {}),
              ...(stream !== undefined ? { udpStream: stream } : {}),
            },
          }
        : {}),
    };
    if (Object.keys(conntrack).length === 0) {
      r.issue(field(m.at, "conntrack"), "give allowance, flush or timeouts");
    } else {
      effects.conntrack = conntrack;
    }
  }

  const dropper = effects.blackhole ? "blackhole" : effects.reject ? "reject" : undefined;
  const others = Object.keys(effects).filter(
    (k) => k !== "blackhole" && k !== "reject" && k !== "conntrack",
  );
  if (dropper !== undefined && others.length > 0) {
    r.issue(
      m.at,
      `${dropper} drops every matched packet, so ${others[0]} would never apply: write two faults`,
    );
  }
  if (EFFECT_KEYS.every((k) => !m.has(k))) {
    r.issue(m.at, `no effect: give at least one of ${EFFECT_KEYS.join(", ")}`);
    return undefined;
  }
  return Object.keys(effects).length > 0 ? effects : undefined;
}

/** Kinds a selector may name, and what they mean in this file. */
const ID_PREFIXES = ["sg-", "subnet-", "i-", "eni-", "pl-"];
const AZ = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/;

/**
 * Checks every fault's selectors against the file: names of groups, subnets and instances
 * must exist (and a bare name must be unique among them), CIDRs must parse. Ids (`sg-...`) are
 * left to the controller; fault names must be unique.
 */
export function checkFaultSelectors(r: Reader, t: Topology): void {
  const groups = [...new Set(t.securityGroups.map((g) => g.name))];
  const subnets = t.subnets.map((s) => s.name);
  const instances = t.instances.map((i) => i.name);
  const list = (names: readonly string[]) => (names.length > 0 ? names.join(", ") : "none");
  const names = new Map<string, SourceLocation>();
  for (const f of t.faults) {
    if (f.name !== undefined) {
      const first = names.get(f.name);
      if (first) {
        r.issue(
          field(f.at, "name"),
          `duplicate fault name '${f.name}' (first at line ${first.line})`,
        );
      } else {
        names.set(f.name, f.at);
      }
    }
    for (const { text, at } of f.selectors) {
      const colon = text.indexOf(":");
      const kind = colon > 0 && !text.includes("/") ? text.slice(0, colon) : undefined;
      const value = kind !== undefined ? text.slice(colon + 1) : text;
      if (
        text === "*" ||
        ID_PREFIXES.some((p) => text.startsWith(p) && /^[a-z]+-[0-9a-f]+$/.test(text))
      ) {
        continue;
      }
      if (text.includes("/")) {
        if (!parseCidr(text)) r.issue(at, `malformed CIDR '${text}'`);
        continue;
      }
      switch (kind) {
        case "sg":
          if (!groups.includes(value) && value !== "default") {
            r.issue(at, `unknown security group '${value}' (groups of this file: ${list(groups)})`);
          }
          continue;
        case "subnet":
          if (!subnets.includes(value))
            r.issue(at, `unknown subnet '${value}' (subnets of this file: ${list(subnets)})`);
          continue;
        case "instance":
          if (!instances.includes(value)) {
            r.issue(at, `unknown instance '${value}' (instances of this file: ${list(instances)})`);
          }
          continue;
        case "az":
          if (!AZ.test(value))
            r.issue(at, `'${value}' is not an availability zone name (e.g. us-east-1a)`);
          continue;
        case "node":
          if (value === "") r.issue(at, "node: needs a name (e.g. node:internet)");
          continue;
        case "tag":
          if (!/^[^=]+=/.test(value)) r.issue(at, `expected tag:Key=Value, got '${text}'`);
          continue;
        case undefined:
          break;
        default:
          r.issue(
            at,
            `unknown selector kind '${kind}:' (use sg:, subnet:, instance:, az:, node: or tag:)`,
          );
          continue;
      }
      const matches = [
        ...(groups.includes(text) ? [`sg:${text}`] : []),
        ...(subnets.includes(text) ? [`subnet:${text}`] : []),
        ...(instances.includes(text) ? [`instance:${text}`] : []),
      ];
      if (matches.length > 1) {
        r.issue(at, `'${text}' is ambiguous: write one of ${matches.join(", ")}`);
      } else if (matches.length === 0 && !AZ.test(text)) {
        r.issue(
          at,
          `unknown name '${text}': no group, subnet or instance of this file has it (an external node: node:${text})`,
        );
      }
    }
  }
}
