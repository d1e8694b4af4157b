/**
 * One fault as an agent runs it: its definition, its seeded random streams and per-packet
 * decisions with tc-netem's meanings, its bounded queues and its counters. The engine
 * (fault-engine.ts) drives it; this file decides, it moves no packet. Pure.
 *
 * Random draws per packet, in this order and only for the effects configured (so the same seed
 * and the same packet sequence give the same decisions): loss, corrupt (+ the bit), duplicate,
 * reorder (only for a gap candidate), delay (only with jitter).
 */
import type { CompiledFault, FaultCounters } from "./compiled-fault.js";
import { distributionTable, tableDist } from "./distributions.js";
import { DelayHeap, Fifo, TokenBucket, type Timed } from "./fault-queues.js";
import { CorrelatedRandom, FaultRng } from "./prng.js";

/** Packets one queue of a fault may hold when the fault does not say (queue_limit_packets 0). */
export const DEFAULT_QUEUE_LIMIT_PACKETS = 1000;
/** Bytes the rate queue may hold when the fault does not say (queue_limit_bytes 0). */
export const DEFAULT_QUEUE_LIMIT_BYTES = 256 * 1024;

/** What the delay stage decided for one packet. */
export const DelayDecision = {
  /** No delay configured, or a delay of 0 (or less: netem sends those at once). */
  None: 0,
  /** Picked by `reorder`: sent at once while the others wait. */
  Reordered: 1,
  /** Delayed by `lastDelayMs`. */
  Delayed: 2,
} as const;
export type DelayDecision = (typeof DelayDecision)[keyof typeof DelayDecision];

type MutableCounters = { -readonly [K in keyof FaultCounters]: FaultCounters[K] };

/** One queued packet (the engine's unit) as far as the runtime cares. */
export interface QueuedBytes extends Timed {
  readonly len: number;
}

/** See the module comment. `T` is the engine's queued unit. */
export class FaultRuntime<T extends QueuedBytes> {
  def: CompiledFault;
  /** Set once a snapshot no longer carries the fault; its queues are then empty for good. */
  removed = false;
  readonly counters: MutableCounters;
  readonly delayQueue = new DelayHeap<T>();
  readonly rateQueue = new Fifo<T>();
  rateQueueBytes = 0;
  bucket: TokenBucket | undefined;
  limitPackets = DEFAULT_QUEUE_LIMIT_PACKETS;
  limitBytes = DEFAULT_QUEUE_LIMIT_BYTES;
  /** The delay chosen by the last decideDelay() that returned Delayed. */
  lastDelayMs = 0;

  private rng!: FaultRng;
  private loss!: CorrelatedRandom;
  private duplicate!: CorrelatedRandom;
  private corrupt!: CorrelatedRandom;
  private reorder!: CorrelatedRandom;
  private delay!: CorrelatedRandom;
  private table: Float64Array | undefined;
  private geBad = false;
  private reorderCounter = 0;

  constructor(def: CompiledFault, nowMs: number) {
    this.def = def;
    this.counters = {
      faultId: def.faultId,
      matched: 0,
      delayed: 0,
      dropped: 0,
      duplicated: 0,
      corrupted: 0,
      reordered: 0,
      rejected: 0,
      queueOverflow: 0,
      rateLimited: 0,
    };
    this.configure(def, nowMs);
  }

  /**
   * Takes a (possibly changed) definition of the same fault id: random streams restart from
   * the seed, counters and queued packets stay.
   */
  configure(def: CompiledFault, nowMs: number): void {
    this.def = def;
    const e = def.effects;
    this.rng = new FaultRng(def.seed);
    this.loss = new CorrelatedRandom(this.rng, e.loss?.correlation ?? 0);
    this.duplicate = new CorrelatedRandom(this.rng, e.duplicate?.correlation ?? 0);
    this.corrupt = new CorrelatedRandom(this.rng, e.corrupt?.correlation ?? 0);
    this.reorder = new CorrelatedRandom(this.rng, e.reorder?.correlation ?? 0);
    this.delay = new CorrelatedRandom(this.rng, e.delay?.correlation ?? 0);
    this.table = e.delay ? distributionTable(e.delay.distribution) : undefined;
    this.geBad = false;
    this.reorderCounter = 0;
    this.bucket =
      e.rate && e.rate.bitsPerSecond > 0 ? new TokenBucket(e.rate.bitsPerSecond, nowMs) : undefined;
    this.limitPackets =
      def.queueLimitPackets > 0 ? def.queueLimitPackets : DEFAULT_QUEUE_LIMIT_PACKETS;
    this.limitBytes =
      e.rate && e.rate.queueLimitBytes > 0 ? e.rate.queueLimitBytes : DEFAULT_QUEUE_LIMIT_BYTES;
  }

  /** The fault's random generator (the corrupt effect draws its bit from it). */
  get random(): FaultRng {
    return this.rng;
  }

  /** True inside [startAtMs, endAtMs) by the agent's clock (0 = unbounded). */
  activeAt(nowMs: number): boolean {
    const d = this.def;
    return (d.startAtMs === 0 || nowMs >= d.startAtMs) && (d.endAtMs === 0 || nowMs < d.endAtMs);
  }

  /** Protocol and port filter; `forward`/`reverse` say which of the fault's pairs matched. */
  matches(
    protocol: number,
    srcPort: number,
    dstPort: number,
    forward: boolean,
    reverse: boolean,
  ): boolean {
    const d = this.def;
    if (d.protocol !== -1 && protocol !== d.protocol) return false;
    // Ports only mean something for TCP and UDP (ICMP: ignored).
    if (d.fromPort < 0 || (protocol !== 6 && protocol !== 17)) return true;
    return (
      (forward && dstPort >= d.fromPort && dstPort <= d.toPort) ||
      (reverse && srcPort >= d.fromPort && srcPort <= d.toPort)
    );
  }

  /**
   * netem loss: random (`loss P [corr]`: lost when the correlated draw < P), or Gilbert-Elliott
   * (`loss gemodel p r 1-h 1-k`): in the good state the packet is lost with 1-k and the chain
   * moves to bad with p; in the bad state lost with 1-h and back to good with r (netem decides
   * the loss with the state the packet found).
   */
  lose(): boolean {
    const l = this.def.effects.loss;
    if (l === undefined) return false;
    if (l.gilbertElliott) {
      if (!this.geBad) {
        if (this.rng.next() < l.geP / 100) this.geBad = true;
        return this.rng.next() < l.ge1k / 100;
      }
      if (this.rng.next() < l.geR / 100) this.geBad = false;
      return this.rng.next() < l.ge1h / 100;
    }
    if (!(l.percent > 0)) return false;
    return this.loss.next() < l.percent / 100;
  }

  /** netem `corrupt P [corr]`. */
  corrupts(): boolean {
    const c = this.def.effects.corrupt;
    return c !== undefined && c.percent > 0 && this.corrupt.next() < c.percent / 100;
  }

  /** netem `duplicate P [corr]`: one extra copy. */
  duplicates(): boolean {
    const c = this.def.effects.duplicate;
    return c !== undefined && c.percent > 0 && this.duplicate.next() < c.percent / 100;
  }

  /**
   * netem's delay and reorder (netem_enqueue): with `reorder P gap N` (N 0 taken as 1, as tc
   * does), packets inside the gap are delayed; from the N-th on, each is sent at once with
   * probability P (and the gap restarts), else delayed. The delay is tabledist(latency, jitter,
   * correlation, distribution), at least 0. Reorder without delay does nothing (tc refuses it).
   */
  decideDelay(): DelayDecision {
    const d = this.def.effects.delay;
    if (d === undefined) return DelayDecision.None;
    const r = this.def.effects.reorder;
    if (r !== undefined && r.percent > 0) {
      const gap = Math.max(1, r.gap);
      if (this.reorderCounter >= gap - 1 && this.reorder.next() < r.percent / 100) {
        this.reorderCounter = 0;
        return DelayDecision.Reordered;
      }
      this.reorderCounter++;
    }
    const u = d.jitterMs > 0 ? this.delay.next() : 0;
    const ms = tableDist(d.latencyMs, d.jitterMs, u, this.table);
    if (!(ms > 0)) return DelayDecision.None;
    this.lastDelayMs = ms;
    return DelayDecision.Delayed;
  }

  /** True when the rate queue has room for `len` more bytes. */
  rateQueueHasRoom(len: number): boolean {
    return this.rateQueue.size < this.limitPackets && this.rateQueueBytes + len <= this.limitBytes;
  }

  /** True while a packet of this fault waits in a queue. */
  busy(): boolean {
    return this.delayQueue.size > 0 || this.rateQueue.size > 0;
  }

  /** When the next queued packet is due (Infinity when none). */
  nextDueMs(): number {
    let due = this.delayQueue.peek()?.due ?? Infinity;
    // Why 0 without a bucket: a changed definition dropped `rate`; its backlog leaves at once.
    if (this.rateQueue.size > 0) due = Math.min(due, this.bucket ? this.bucket.readyAtMs() : 0);
    return due;
  }

  /** Drops every queued packet (the fault was removed). */
  clearQueues(): void {
    this.delayQueue.clear();
    this.rateQueue.clear();
    this.rateQueueBytes = 0;
  }

  /** A copy of the counters. */
  snapshot(): FaultCounters {
    return { ...this.counters };
  }
}
