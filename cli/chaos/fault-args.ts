/**
 * `vpcemu chaos add|conntrack|partition` flags -> the JSON API's request bodies (fault-api.ts).
 * Every flag's value is parsed strictly (units.ts) and every combination that could not mean
 * anything (`--jitter` without `--delay`, `--port` without tcp/udp, no effect at all) is refused
 * with a UnitError naming the flag and the value; the controller validates again (selectors
 * included) and its errors come back with their code.
 */
import {
  DELAY_DISTRIBUTIONS,
  FAULT_LIMITS,
  PARTITION_MODES,
  type ConntrackRequest,
  type DelayDistribution,
  type FaultEffectsRequest,
  type FaultRequest,
  type PartitionMode,
  type PartitionRequest,
} from "./fault-api.js";
import {
  parseCount,
  parseDuration,
  parsePercent,
  parseRate,
  parseSeconds,
  parseSize,
  UnitError,
} from "./units.js";

/** Parsed flag values as node:util parseArgs returns them. */
export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

type Spec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** Flags every `chaos` subcommand that talks to the controller takes. */
export const CONNECTION_OPTIONS = {
  endpoint: { type: "string" },
  "runtime-dir": { type: "string" },
} as const satisfies Spec;

/** When and how long: `--after 5s --for 60s`; `--no-wait` returns before agents enforce it. */
const TIMING_OPTIONS = {
  after: { type: "string" },
  for: { type: "string" },
  description: { type: "string" },
  "no-wait": { type: "boolean" },
} as const satisfies Spec;

/** Flags of `vpcemu chaos add`. */
export const ADD_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...TIMING_OPTIONS,
  from: { type: "string", multiple: true },
  to: { type: "string", multiple: true },
  both: { type: "boolean" },
  proto: { type: "string" },
  port: { type: "string" },
  delay: { type: "string" },
  jitter: { type: "string" },
  correlation: { type: "string" },
  distribution: { type: "string" },
  loss: { type: "string" },
  "loss-correlation": { type: "string" },
  "loss-ge": { type: "string" },
  duplicate: { type: "string" },
  "duplicate-correlation": { type: "string" },
  corrupt: { type: "string" },
  reorder: { type: "string" },
  "reorder-correlation": { type: "string" },
  "reorder-gap": { type: "string" },
  rate: { type: "string" },
  "rate-queue": { type: "string" },
  blackhole: { type: "boolean" },
  reject: { type: "boolean" },
  seed: { type: "string" },
  "queue-limit": { type: "string" },
  output: { type: "string", short: "o" },
} as const satisfies Spec;

/** Flags of `vpcemu chaos conntrack`. */
export const CONNTRACK_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...TIMING_OPTIONS,
  on: { type: "string", multiple: true },
  allowance: { type: "string" },
  flush: { type: "boolean" },
  "tcp-timeout": { type: "string" },
  "udp-timeout": { type: "string" },
  "udp-stream-timeout": { type: "string" },
  output: { type: "string", short: "o" },
} as const satisfies Spec;

/** Flags of `vpcemu chaos partition`. */
export const PARTITION_OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...TIMING_OPTIONS,
  "one-way": { type: "boolean" },
  mode: { type: "string" },
  output: { type: "string", short: "o" },
} as const satisfies Spec;

/** The effect flags, in the order the agent applies the effects (docs/chaos.md). */
const EFFECT_FLAGS = [
  "--blackhole",
  "--reject",
  "--loss",
  "--loss-ge",
  "--corrupt",
  "--duplicate",
  "--delay",
  "--reorder",
  "--rate",
];

const PROTOCOLS = ["tcp", "udp", "icmp", "icmpv6", "all"];

/**
 * Selectors of a repeatable flag: each value may itself be a comma-separated list
 * (`--from sg:web,sg:api --from subnet:private`). Empty items are refused.
 */
export function parseSelectors(flag: string, values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const items = value.split(",").map((s) => s.trim());
    if (items.some((s) => s === "")) {
      throw new UnitError(`${flag} '${value}': an empty selector (stray comma?)`);
    }
    out.push(...items);
  }
  return out;
}

/** `--proto`: a name, `all`, or an IANA number 0-255 (sent as given). */
export function parseProtocol(text: string): string | number {
  const lower = text.toLowerCase();
  if (PROTOCOLS.includes(lower)) return lower;
  if (/^\d{1,3}$/.test(text) && Number(text) <= 255) return Number(text);
  throw new UnitError(
    `--proto ${text}: unknown protocol (use tcp, udp, icmp, icmpv6, all or a number 0-255)`,
  );
}

/** `--port 3306` or `--port 8000-8100`, within 0-65535. */
export function parsePortRange(text: string): string {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (!m || from > 65535 || to > 65535 || from > to) {
    throw new UnitError(`--port ${text}: expected a port or a range FROM-TO within 0-65535`);
  }
  return m[2] === undefined ? String(from) : `${from}-${to}`;
}

/** Builds the body of POST /v1/faults from `vpcemu chaos add` flags. */
export function faultRequestFromFlags(v: FlagValues): FaultRequest {
  const from = parseSelectors("--from", strings(v.from));
  const to = parseSelectors("--to", strings(v.to));
  if (from.length === 0) throw new UnitError("--from is required (e.g. --from sg:web-sg)");
  if (to.length === 0) throw new UnitError("--to is required (e.g. --to sg:db-sg, or --to '*')");
  const protocol = str(v.proto) === undefined ? undefined : parseProtocol(str(v.proto)!);
  let ports: string | undefined;
  if (str(v.port) !== undefined) {
    if (protocol !== "tcp" && protocol !== "udp" && protocol !== 6 && protocol !== 17) {
      throw new UnitError(`--port ${str(v.port)}: ports need --proto tcp or --proto udp`);
    }
    ports = parsePortRange(str(v.port)!);
  }
  const effects = effectsFromFlags(v);
  return {
    from,
    to,
    direction: v.both === true ? "both" : "one-way",
    ...(protocol !== undefined ? { protocol } : {}),
    ...(ports !== undefined ? { ports } : {}),
    effects,
    ...timingFromFlags(v),
    ...(str(v.seed) !== undefined
      ? { seed: parseCount("--seed", str(v.seed)!, 0, FAULT_LIMITS.maxSeed) }
      : {}),
    ...(str(v["queue-limit"]) !== undefined
      ? {
          queueLimitPackets: parseCount(
            "--queue-limit",
            str(v["queue-limit"])!,
            1,
            FAULT_LIMITS.maxQueuePackets,
          ),
        }
      : {}),
  };
}

/** The effects of `vpcemu chaos add`; at least one is required. */
export function effectsFromFlags(v: FlagValues): FaultEffectsRequest {
  const requires = (flag: string, needs: string) => {
    if (str(v[flag]) !== undefined) {
      throw new UnitError(`--${flag} ${str(v[flag])}: needs --${needs}`);
    }
  };
  const effects: { -readonly [K in keyof FaultEffectsRequest]: FaultEffectsRequest[K] } = {};

  const delay = str(v.delay);
  if (delay !== undefined) {
    const latencyMs = parseDuration("--delay", delay, { maxMs: FAULT_LIMITS.maxDelayMs });
    const jitter = str(v.jitter);
    const jitterMs =
      jitter === undefined
        ? undefined
        : parseDuration("--jitter", jitter, { maxMs: FAULT_LIMITS.maxDelayMs, allowZero: true });
    const correlation =
      str(v.correlation) === undefined
        ? undefined
        : parsePercent("--correlation", str(v.correlation)!, { allowZero: true });
    const distribution = str(v.distribution);
    if (distribution !== undefined && !DELAY_DISTRIBUTIONS.includes(distribution as never)) {
      throw new UnitError(
        `--distribution ${distribution}: unknown distribution (use ${DELAY_DISTRIBUTIONS.join(", ")})`,
      );
    }
    if (distribution !== undefined && jitterMs === undefined) {
      throw new UnitError(`--distribution ${distribution}: needs --jitter (it shapes the jitter)`);
    }
    effects.delay = {
      latencyMs,
      ...(jitterMs !== undefined ? { jitterMs } : {}),
      ...(correlation !== undefined ? { correlation } : {}),
      ...(distribution !== undefined ? { distribution: distribution as DelayDistribution } : {}),
    };
  } else {
    for (const f of ["jitter", "correlation", "distribution"]) requires(f, "delay");
  }

  const loss = str(v.loss);
  const lossGe = str(v["loss-ge"]);
  if (loss !== undefined && lossGe !== undefined) {
    throw new UnitError(`--loss ${loss} and --loss-ge ${lossGe}: give one loss model`);
  }
  if (loss !== undefined) {
    const percent = parsePercent("--loss", loss);
    const corr = str(v["loss-correlation"]);
    effects.loss = {
      percent,
      ...(corr !== undefined
        ? { correlation: parsePercent("--loss-correlation", corr, { allowZero: true }) }
        : {}),
    };
  } else {
    requires("loss-correlation", "loss");
  }
  if (lossGe !== undefined) effects.loss = { gilbertElliott: parseGilbertElliott(lossGe) };

  const duplicate = str(v.duplicate);
  if (duplicate !== undefined) {
    const corr = str(v["duplicate-correlation"]);
    effects.duplicate = {
      percent: parsePercent("--duplicate", duplicate),
      ...(corr !== undefined
        ? { correlation: parsePercent("--duplicate-correlation", corr, { allowZero: true }) }
        : {}),
    };
  } else {
    requires("duplicate-correlation", "duplicate");
  }

  if (str(v.corrupt) !== undefined) {
    effects.corrupt = { percent: parsePercent("--corrupt", str(v.corrupt)!) };
  }

  const reorder = str(v.reorder);
  if (reorder !== undefined) {
    if (delay === undefined) {
      throw new UnitError(
        `--reorder ${reorder}: needs --delay (as in netem, reordered packets skip the delay the others get)`,
      );
    }
    const corr = str(v["reorder-correlation"]);
    const gap = str(v["reorder-gap"]);
    effects.reorder = {
      percent: parsePercent("--reorder", reorder),
      ...(corr !== undefined
        ? { correlation: parsePercent("--reorder-correlation", corr, { allowZero: true }) }
        : {}),
      ...(gap !== undefined
        ? { gap: parseCount("--reorder-gap", gap, 1, FAULT_LIMITS.maxGap) }
        : {}),
    };
  } else {
    requires("reorder-correlation", "reorder");
    requires("reorder-gap", "reorder");
  }

  const rate = str(v.rate);
  if (rate !== undefined) {
    const queue = str(v["rate-queue"]);
    effects.rate = {
      bitsPerSecond: parseRate("--rate", rate),
      ...(queue !== undefined
        ? {
            queueLimitBytes: parseSize("--rate-queue", queue, { max: FAULT_LIMITS.maxQueueBytes }),
          }
        : {}),
    };
  } else {
    requires("rate-queue", "rate");
  }

  if (v.blackhole === true) effects.blackhole = true;
  if (v.reject === true) effects.reject = true;
  if (effects.blackhole && effects.reject) {
    throw new UnitError(
      "--blackhole and --reject exclude each other (silent drop vs. RST/ICMP unreachable)",
    );
  }
  const dropper = effects.blackhole ? "--blackhole" : effects.reject ? "--reject" : undefined;
  const others = Object.keys(effects).filter((k) => k !== "blackhole" && k !== "reject");
  if (dropper !== undefined && others.length > 0) {
    throw new UnitError(
      `${dropper} drops every matched packet, so --${others[0]} would never apply: give them as two faults`,
    );
  }
  if (Object.keys(effects).length === 0) {
    throw new UnitError(`no effect given: add at least one of ${EFFECT_FLAGS.join(", ")}`);
  }
  return effects;
}

/**
 * `--loss-ge p[,r[,1-h[,1-k]]]` (netem `loss gemodel`, each a percentage) -> the API's
 * {p, r, h, k}, where h and k are the chances of NO loss in the bad and good states (so
 * `1-h` = 100% becomes h = 0). Omitted values are left to the controller's netem defaults.
 */
export function parseGilbertElliott(text: string): {
  p: number;
  r?: number;
  h?: number;
  k?: number;
} {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length > 4 || parts.some((s) => s === "")) {
    throw new UnitError(
      `--loss-ge ${text}: expected p[,r[,1-h[,1-k]]], each a percentage (e.g. 5%,20%,100%,0%)`,
    );
  }
  const names = ["p", "r", "1-h", "1-k"];
  const [p, r, oneMinusH, oneMinusK] = parts.map((s, i) =>
    parsePercent(`--loss-ge ${text}: ${names[i]}`, s, { allowZero: i > 0 }),
  );
  return {
    p: p!,
    ...(r !== undefined ? { r } : {}),
    ...(oneMinusH !== undefined ? { h: 100 - oneMinusH } : {}),
    ...(oneMinusK !== undefined ? { k: 100 - oneMinusK } : {}),
  };
}

/** `--after` and `--for` (and `--description`). */
export function timingFromFlags(v: FlagValues): {
  startAfterMs?: number;
  durationMs?: number;
  description?: string;
} {
  const after = str(v.after);
  const dur = str(v.for);
  const description = str(v.description);
  return {
    ...(after !== undefined
      ? { startAfterMs: parseDuration("--after", after, { allowZero: true }) }
      : {}),
    ...(dur !== undefined ? { durationMs: parseDuration("--for", dur) } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

/** Builds the body of POST /v1/faults for `vpcemu chaos conntrack --on REF ...`. */
export function conntrackRequestFromFlags(v: FlagValues): FaultRequest {
  const on = parseSelectors("--on", strings(v.on));
  if (on.length === 0) throw new UnitError("--on is required (e.g. --on instance:db)");
  const seconds = (flag: string) =>
    str(v[flag]) === undefined
      ? undefined
      : parseSeconds(`--${flag}`, str(v[flag])!, { min: 1, max: FAULT_LIMITS.maxTimeoutSeconds });
  const tcp = seconds("tcp-timeout");
  const udp = seconds("udp-timeout");
  const stream = seconds("udp-stream-timeout");
  const conntrack: ConntrackRequest = {
    ...(str(v.allowance) !== undefined
      ? { allowance: parseCount("--allowance", str(v.allowance)!, 0, FAULT_LIMITS.maxAllowance) }
      : {}),
    ...(v.flush === true ? { flush: true } : {}),
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
    throw new UnitError(
      "no conntrack effect given: add --allowance N, --flush, --tcp-timeout, --udp-timeout or --udp-stream-timeout",
    );
  }
  return { from: on, effects: { conntrack }, ...timingFromFlags(v) };
}

/** Builds the body of POST /v1/faults/partition from `GROUP GROUP [...]` and its flags. */
export function partitionRequestFromArgs(
  positionals: readonly string[],
  v: FlagValues,
): PartitionRequest {
  if (positionals.length < 2) {
    throw new UnitError(
      `a partition needs at least two groups, got ${positionals.length} (e.g. sg:web-sg sg:db-sg)`,
    );
  }
  const groups = positionals.map((g, i) => parseSelectors(`group ${i + 1}`, [g]));
  const mode = str(v.mode);
  if (mode !== undefined && !PARTITION_MODES.includes(mode as PartitionMode)) {
    throw new UnitError(`--mode ${mode}: unknown mode (use ${PARTITION_MODES.join(", ")})`);
  }
  return {
    groups,
    ...(mode !== undefined ? { mode: mode as PartitionMode } : {}),
    ...(v["one-way"] === true ? { oneWay: true } : {}),
    ...timingFromFlags(v),
  };
}

function str(v: string | boolean | string[] | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function strings(v: string | boolean | string[] | undefined): string[] {
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}
