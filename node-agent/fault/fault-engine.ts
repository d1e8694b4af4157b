/**
 * The fault step (chaos, DESIGN.md step 7) as pure code: which faults touch a packet, what they
 * do to it, and the bounded queues holding delayed and rate-limited copies. Time is passed in
 * (`nowMs`); the shell (pipeline/fault-step.ts) owns the one timer that calls release() when
 * nextDueMs() comes, and sends what the engine hands to its sink.
 *
 * Per matching fault, in snapshot order, a packet meets (the contract's effect order):
 *
 *   window [startAtMs, endAtMs) + protocol/ports -> matched
 *   blackhole (drop) | reject (reply to the source, drop) -> loss (drop) -> corrupt (one bit)
 *   -> duplicate (a copy takes the rest of the way on its own) -> delay (+ reorder: picked
 *   packets skip the delay) -> rate (token bucket) -> the next fault, then out
 *
 * A packet that has to wait is copied (with `headroom` bytes in front for the Geneve header)
 * into the fault's queue: delay <= limitPackets, rate <= limitPackets and limitBytes; a full
 * queue drops the packet (fault_queue_overflow). Queued packets resume where they stopped when
 * released, and faults removed meanwhile are skipped. Every drop is reported once through the
 * sink with its own reason.
 */
import { decodePacket } from "../packet/decode.js";
import type { DecodedPacket } from "../packet/decoded-packet.js";
import { DropReason } from "../pipeline/verdict.js";
import type { CompiledFault, FaultCounters } from "./compiled-fault.js";
import { corruptPacket } from "./corrupt.js";
import { FaultIndex, type FaultChain } from "./fault-index.js";
import { DelayDecision, FaultRuntime } from "./fault-runtime.js";
import { buildRejectReply } from "./reject.js";

/** A packet owned by the engine (a copy): queued, or a duplicate on its way. */
export interface FaultUnit<C> {
  /** The copy; the IP packet is at [off, off + len), with `off` bytes of headroom in front. */
  readonly buf: Uint8Array;
  readonly off: number;
  readonly len: number;
  /** Decoded from `buf` (its addresses are views into it). */
  readonly pkt: DecodedPacket;
  /** The caller's context of the packet (where it came from and goes to). */
  readonly ctx: C;
  readonly chain: EngineChain<C>;
  /** Position in `chain` of the fault whose queue holds it. */
  index: number;
  due: number;
  seq: number;
}

type EngineFault<C> = FaultRuntime<FaultUnit<C>>;

/** The faults of one (src, dst) port pair, as lookup() returns them for process(). */
export type EngineChain<C> = FaultChain<EngineFault<C>>;

/** Where the engine's decisions go (implemented by pipeline/fault-step.ts). */
export interface FaultSink<C> {
  /**
   * The packet buf[off, off + len) (decoded as `pkt`) is dropped for `reason` by fault
   * `faultId` (counted on its source port; its verdict event names the fault).
   */
  drop(
    ctx: C,
    reason: DropReason,
    faultId: string,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
  ): void;
  /** A reject reply (TCP RST, ICMP unreachable) for the packet's SOURCE port. */
  reply(ctx: C, packet: Uint8Array): void;
  /** An engine-owned packet made it through every fault: send it on. */
  emit(unit: FaultUnit<C>, nowMs: number): void;
}

/** Chain stages inside one fault. */
const START = 0;
const DELAY = 1;
const RATE = 2;

/** Release passes per release() call (a zero delay chained after a queue could loop). */
const MAX_RELEASE_PASSES = 64;

/** See the module comment. `C` is the caller's per-packet context. */
export class FaultEngine<C> {
  private faults: EngineFault<C>[] = [];
  private readonly byId = new Map<string, EngineFault<C>>();
  private index = new FaultIndex<EngineFault<C>>([]);
  private readonly busy = new Set<EngineFault<C>>();
  private earliest = Infinity;
  private seq = 0;

  /** `headroom`: bytes reserved in front of every copy (ENCAP_HEADROOM in the agent). */
  constructor(
    private readonly sink: FaultSink<C>,
    private readonly headroom: number,
  ) {}

  /** Number of faults installed (the pipeline skips the step when 0). */
  get size(): number {
    return this.faults.length;
  }

  /**
   * Installs one snapshot's faults: a known fault id keeps its counters and queued packets (its
   * random streams restart only when its definition changed), a new one starts at zero, a
   * fault no longer listed is removed with its queued packets. The index is rebuilt (lazily).
   */
  setFaults(defs: readonly CompiledFault[], nowMs: number): void {
    const next: EngineFault<C>[] = [];
    const seen = new Set<string>();
    for (const def of defs) {
      if (seen.has(def.faultId)) continue;
      seen.add(def.faultId);
      let f = this.byId.get(def.faultId);
      if (f === undefined) {
        f = new FaultRuntime<FaultUnit<C>>(def, nowMs);
        this.byId.set(def.faultId, f);
      } else if (JSON.stringify(f.def) !== JSON.stringify(def)) {
        f.configure(def, nowMs);
      } else {
        f.def = def;
      }
      next.push(f);
    }
    for (const [id, f] of this.byId) {
      if (seen.has(id)) continue;
      f.removed = true;
      f.clearQueues();
      this.busy.delete(f);
      this.byId.delete(id);
    }
    this.faults = next;
    this.index = new FaultIndex(next.map((f) => ({ fault: f, pairs: f.def.pairs })));
    this.recomputeEarliest();
  }

  /** The faults that can touch packets from port `src` to port `dst`, or undefined. */
  lookup(src: string, dst: string): EngineChain<C> | undefined {
    return this.index.lookup(src, dst);
  }

  /**
   * Runs the faults of `chain` (from lookup()) on the packet at buf[off, off + len), which the
   * caller owns. Returns true when the caller sends the packet on now from its own buffer;
   * false when it was dropped or every copy of it is the engine's now. May change bytes of the
   * packet in place (corrupt).
   */
  process(
    chain: EngineChain<C>,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
    ctx: C,
    nowMs: number,
  ): boolean {
    return this.run(chain, 0, START, pkt, buf, off, len, ctx, undefined, nowMs);
  }

  /** When the next queued packet is due (Infinity when none). */
  nextDueMs(): number {
    return this.earliest;
  }

  /** Sends on every queued packet due at `nowMs`. */
  release(nowMs: number): void {
    for (let pass = 0; pass < MAX_RELEASE_PASSES && this.earliest <= nowMs; pass++) {
      for (const f of [...this.busy]) {
        if (f.removed) continue;
        for (
          let u = f.delayQueue.peek();
          u !== undefined && u.due <= nowMs;
          u = f.delayQueue.peek()
        ) {
          f.delayQueue.pop();
          this.run(u.chain, u.index, RATE, u.pkt, u.buf, u.off, u.len, u.ctx, u, nowMs);
        }
        f.bucket?.refill(nowMs);
        while (f.rateQueue.size > 0 && (f.bucket === undefined || f.bucket.ready())) {
          const u = f.rateQueue.shift()!;
          f.rateQueueBytes -= u.len;
          f.bucket?.take(u.len);
          this.run(u.chain, u.index + 1, START, u.pkt, u.buf, u.off, u.len, u.ctx, u, nowMs);
        }
      }
      this.recomputeEarliest();
    }
  }

  /** Cumulative counters of every installed fault, in snapshot order. */
  counters(): FaultCounters[] {
    return this.faults.map((f) => f.snapshot());
  }

  /** Packets waiting in every queue (tests, benches). */
  queued(): number {
    let n = 0;
    for (const f of this.busy) n += f.delayQueue.size + f.rateQueue.size;
    return n;
  }

  /**
   * The packet (the caller's when `unit` is undefined, else the engine's copy) from fault
   * `i` of the chain, stage `stage`, on. Returns true only for the caller's packet leaving now.
   */
  private run(
    chain: EngineChain<C>,
    i: number,
    stage: number,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
    ctx: C,
    unit: FaultUnit<C> | undefined,
    nowMs: number,
  ): boolean {
    for (; i < chain.length; i++, stage = START) {
      const e = chain[i]!;
      const f = e.fault;
      if (f.removed) continue;
      const c = f.counters;
      if (stage === START) {
        if (!f.activeAt(nowMs)) continue;
        if (!f.matches(pkt.protocol, pkt.srcPort, pkt.dstPort, e.forward, e.reverse)) continue;
        c.matched++;
        const fx = f.def.effects;
        if (fx.blackhole) {
          c.dropped++;
          this.sink.drop(ctx, DropReason.FaultBlackhole, f.def.faultId, pkt, buf, off, len);
          return false;
        }
        if (fx.reject) {
          c.rejected++;
          const reply = buildRejectReply(pkt, buf);
          if (reply !== undefined) this.sink.reply(ctx, reply);
          this.sink.drop(ctx, DropReason.FaultReject, f.def.faultId, pkt, buf, off, len);
          return false;
        }
        if (f.lose()) {
          c.dropped++;
          this.sink.drop(ctx, DropReason.FaultLoss, f.def.faultId, pkt, buf, off, len);
          return false;
        }
        if (f.corrupts()) {
          corruptPacket(pkt, buf, f.random);
          c.corrupted++;
        }
        if (f.duplicates()) {
          c.duplicated++;
          const dup = this.copy(pkt, buf, off, len, ctx, chain, i);
          if (dup !== undefined)
            this.run(chain, i, DELAY, dup.pkt, dup.buf, dup.off, dup.len, ctx, dup, nowMs);
        }
        stage = DELAY;
      }
      if (stage === DELAY) {
        const d = f.decideDelay();
        if (d === DelayDecision.Reordered) c.reordered++;
        else if (d === DelayDecision.Delayed) {
          if (f.delayQueue.size >= f.limitPackets) {
            c.queueOverflow++;
            this.sink.drop(ctx, DropReason.FaultQueueOverflow, f.def.faultId, pkt, buf, off, len);
            return false;
          }
          const u = unit ?? this.copy(pkt, buf, off, len, ctx, chain, i);
          if (u === undefined) return false;
          u.index = i;
          u.due = nowMs + f.lastDelayMs;
          u.seq = this.seq++;
          f.delayQueue.push(u);
          c.delayed++;
          this.queuedAt(f, u.due);
          return false;
        }
        stage = RATE;
      }
      const bucket = f.bucket;
      if (bucket !== undefined) {
        bucket.refill(nowMs);
        if (f.rateQueue.size === 0 && bucket.ready()) {
          bucket.take(len);
          continue;
        }
        if (!f.rateQueueHasRoom(len)) {
          c.queueOverflow++;
          this.sink.drop(ctx, DropReason.FaultRateOverflow, f.def.faultId, pkt, buf, off, len);
          return false;
        }
        const u = unit ?? this.copy(pkt, buf, off, len, ctx, chain, i);
        if (u === undefined) return false;
        u.index = i;
        u.seq = this.seq++;
        f.rateQueue.push(u);
        f.rateQueueBytes += len;
        c.rateLimited++;
        this.queuedAt(f, f.nextDueMs());
        return false;
      }
    }
    if (unit === undefined) return true;
    this.sink.emit(unit, nowMs);
    return false;
  }

  /** An engine-owned copy of the packet with headroom; undefined (counted) if it will not decode. */
  private copy(
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
    ctx: C,
    chain: EngineChain<C>,
    index: number,
  ): FaultUnit<C> | undefined {
    const n = Math.min(len, pkt.length);
    const copy = new Uint8Array(this.headroom + n);
    copy.set(buf.subarray(off, off + n), this.headroom);
    const decoded = decodePacket(copy, this.headroom, n);
    if (typeof decoded === "string") {
      // Why: it decoded once; only a bug gets here. Counted like one (STYLE.md §7).
      const faultId = chain[index]!.fault.def.faultId;
      this.sink.drop(ctx, DropReason.FaultCopyFailed, faultId, pkt, buf, off, len);
      return undefined;
    }
    return {
      buf: copy,
      off: this.headroom,
      len: n,
      pkt: decoded,
      ctx,
      chain,
      index,
      due: 0,
      seq: 0,
    };
  }

  private queuedAt(f: EngineFault<C>, due: number): void {
    this.busy.add(f);
    if (due < this.earliest) this.earliest = due;
  }

  private recomputeEarliest(): void {
    let e = Infinity;
    for (const f of this.busy) {
      if (!f.busy()) {
        this.busy.delete(f);
        continue;
      }
      const d = f.nextDueMs();
      if (d < e) e = d;
    }
    this.earliest = e;
  }
}
