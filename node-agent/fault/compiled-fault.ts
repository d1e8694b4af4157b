/**
 * Compiled chaos faults (docs/chaos.md): what the controller's compiler sends an agent inside
 * its AgentSnapshot. Selectors (groups, subnets, AZs, instances, tags, CIDRs, prefix lists) are
 * already resolved to port keys: an ENI id, or "ext:<name>" for an external node (Port.key).
 * proto/vpcemu/v1/fault.proto mirrors these shapes; controller/policy/compiled-fault.ts is the
 * controller's deliberate duplicate (STYLE.md §2). Pure type module.
 */

/** One side of a pair: every port when `any`, else the listed port keys. */
export interface FaultEndpointSet {
  readonly any: boolean;
  readonly portKeys: readonly string[];
}

/**
 * Packets leaving a `from` port for a `to` port. A `both` fault compiles to two pairs, the
 * second with `reverse` set: on a reverse pair the port range matches the packet's source port.
 */
export interface FaultPair {
  readonly from: FaultEndpointSet;
  readonly to: FaultEndpointSet;
  readonly reverse: boolean;
}

export type DelayDistribution = "uniform" | "normal" | "pareto" | "paretonormal";

/** tc-netem delay: latency +/- jitter; correlation in percent (0..100). */
export interface DelayEffect {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly correlation: number;
  readonly distribution: DelayDistribution;
}

/**
 * Random loss `percent` with `correlation` (percent), or Gilbert-Elliott when `gilbertElliott`
 * (netem `loss gemodel p r 1-h 1-k`, all in percent).
 */
export interface LossEffect {
  readonly percent: number;
  readonly correlation: number;
  readonly gilbertElliott: boolean;
  readonly geP: number;
  readonly geR: number;
  readonly ge1h: number;
  readonly ge1k: number;
}

export interface ProbabilityEffect {
  readonly percent: number;
  readonly correlation: number;
}

/** netem `reorder P [corr] gap N`. */
export interface ReorderEffect {
  readonly percent: number;
  readonly correlation: number;
  readonly gap: number;
}

/** Token bucket; queueLimitBytes 0 = the agent's default. */
export interface RateEffect {
  readonly bitsPerSecond: number;
  readonly queueLimitBytes: number;
}

export interface FaultEffects {
  readonly delay?: DelayEffect;
  readonly loss?: LossEffect;
  readonly duplicate?: ProbabilityEffect;
  readonly corrupt?: ProbabilityEffect;
  readonly reorder?: ReorderEffect;
  readonly rate?: RateEffect;
  readonly blackhole: boolean;
  readonly reject: boolean;
}

export interface CompiledFault {
  /** `flt-` + 17 hex. */
  readonly faultId: string;
  readonly pairs: readonly FaultPair[];
  /** -1 = every protocol, else the IANA number. */
  readonly protocol: number;
  /** Inclusive destination-port range (source port on reverse pairs); -1/-1 = any port. */
  readonly fromPort: number;
  readonly toPort: number;
  readonly effects: FaultEffects;
  readonly seed: number;
  /** Unix epoch ms; 0 = active from the start. */
  readonly startAtMs: number;
  /** Unix epoch ms; 0 = no end. */
  readonly endAtMs: number;
  /** Per-queue packet cap for delay/reorder/rate (0 = the agent's default). */
  readonly queueLimitPackets: number;
}

/** Agent -> controller, cumulative since the agent learned the fault. */
export interface FaultCounters {
  readonly faultId: string;
  readonly matched: number;
  readonly delayed: number;
  readonly dropped: number;
  readonly duplicated: number;
  readonly corrupted: number;
  readonly reordered: number;
  readonly rejected: number;
  readonly queueOverflow: number;
  readonly rateLimited: number;
}
