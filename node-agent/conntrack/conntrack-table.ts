/**
 * One ENI's connection-tracking table (AWS-BEHAVIOUR CT-*, TO-*, MET-*).
 *
 * Storage is struct-of-arrays in typed arrays (no per-entry JS objects): entry `e` owns slot
 * `e` of every column. Each entry is findable under two keys (STYLE.md §4.4), its original key
 * and its reply key, through one open-addressing hash index (linear probing, load <= 1/2,
 * backward-shift deletion) whose slots hold `ref = e << 1 | dir`. A lookup hashes the packet's
 * key once and compares typed-array words; nothing is allocated per packet.
 *
 * Time is a parameter (`nowMs`). An entry expires at `lastSeenMs + timeout`, the timeout read
 * from the ENI's *current* timeouts (TO-3), so setTimeouts() applies to existing entries. An
 * expired entry never matches: lookup() removes it on sight, reap() sweeps the rest.
 *
 * Usage by the filter (filter.ts), per packet:
 *   h = table.lookup(pkt, nowMs)            // fills table.key; -1 miss, NO_KEY for ICMP errors
 *   hit:  next = table.nextState(h, pkt)     // INVALID -> drop
 *         table.commit(h, bytes, nowMs, next)
 *   miss: table.insert(table.key, ...)       // after the rules said "tracked"
 * Pure: no node: modules, no clock.
 */

import type { DecodedPacket } from "../packet/decoded-packet.js";
import type { ConntrackTimeouts } from "../filter/policy.js";
import { Allowance } from "./allowance.js";
import { formatAddressWords } from "./address-words.js";
import { FlowKeyScratch, NO_ID, FAMILY6_BIT, hashKey, writeFlowKey } from "./flow-key.js";
import { Dir, INVALID, TCP_STATE_NAMES, TCP_TRANSITIONS, tcpFlagClass } from "./tcp-state.js";
import { TimeoutClass, TimeoutTable } from "./timeouts.js";

/** lookup() result for a packet that has no flow key (ICMP errors, CT-9). */
export const NO_KEY = -2;

/** Who opened an entry: the packet that created it went out of (egress) or into (ingress) the ENI. */
export type OpenedBy = "egress" | "ingress";

/** One end-to-end direction of a flow, as text. */
export interface TupleView {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/** One tracked entry, for conntrack reports (AWS-BEHAVIOUR CT-14: tracked entries only). */
export interface ConntrackEntryView {
  readonly eniId: string;
  readonly family: 4 | 6;
  /** IANA protocol number. */
  readonly protocol: number;
  /** Direction of the first packet. TCP/UDP ports; 0 for ICMP and other protocols. */
  readonly original: TupleView;
  /** The reverse direction. */
  readonly reply: TupleView;
  /** TCP: TCP_STATE_NAMES; UDP: "SINGLE" or "STREAM" (TO-7); ICMP and others: "ACTIVE". */
  readonly state: string;
  /** ICMP/ICMPv6 only: the (request) type of the exchange and its identifier (CT-8). */
  readonly icmpType?: number;
  readonly icmpId?: number;
  readonly openedBy: OpenedBy;
  readonly lastSeenMs: number;
  readonly expiresAtMs: number;
  readonly packets: { readonly original: number; readonly reply: number };
  readonly bytes: { readonly original: number; readonly reply: number };
  /** The SG rule that admitted the first packet. */
  readonly ruleId: string;
}

// flags column bits
const F_LIVE = 1;
const F_INGRESS = 2;
const F_UDP_REPLIED = 4;
const F_UDP_STREAM = 8;

const EMPTY = -1;

export interface ConntrackTableOptions {
  readonly timeouts: ConntrackTimeouts;
  /** Shared per instance (MET-1); a private unlimited-ish one when omitted. */
  readonly allowance?: Allowance;
  /** Initial entry capacity (rounded up to a power of two); the table doubles as needed. */
  readonly initialCapacity?: number;
}

export class ConntrackTable {
  /** The key of the packet last given to lookup(); insert() takes it. */
  readonly key = new FlowKeyScratch();
  readonly allowance: Allowance;
  private timeouts: TimeoutTable;

  private cap = 0;
  private count = 0;
  /** Entries [0, highWater) have been handed out at least once. */
  private highWater = 0;
  private freeHead = -1;

  // entry columns
  private addr = new Uint32Array(0); // 8 words per entry: src[4], dst[4] of the original key
  private pa = new Int32Array(0); // original key a (source port / id / NO_ID)
  private pb = new Int32Array(0); // original key b
  private protoW = new Uint32Array(0);
  private cls = new Uint8Array(0);
  private state = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private lastSeen = new Float64Array(0);
  private pkts = new Float64Array(0); // [e*2 + dir]
  private bytesCol = new Float64Array(0); // [e*2 + dir]
  private rule = new Int32Array(0);
  private hashes = new Uint32Array(0); // [e*2 + dir]
  private nextFree = new Int32Array(0);

  // hash index
  private slotMask = 0;
  private slotRef = new Int32Array(0);
  private slotHash = new Uint32Array(0);

  // rule ids interned
  private readonly ruleIds: string[] = [];
  private readonly ruleIndex = new Map<string, number>();

  constructor(opts: ConntrackTableOptions) {
    this.timeouts = new TimeoutTable(opts.timeouts);
    this.allowance = opts.allowance ?? new Allowance(Number.MAX_SAFE_INTEGER);
    let c = 256;
    while (c < (opts.initialCapacity ?? 256)) c *= 2;
    this.resize(c);
  }

  /** Live entries, expired-but-not-yet-reaped included. */
  get size(): number {
    return this.count;
  }

  /** New timeouts; they apply to existing entries at once (AWS-BEHAVIOUR TO-3). */
  setTimeouts(t: ConntrackTimeouts): void {
    this.timeouts = new TimeoutTable(t);
  }

  /**
   * Finds the live entry of `pkt` and leaves the packet's key in `this.key`. Returns
   * `ref = entry << 1 | dir` (dir 0: the packet goes the entry's original way, 1: reply),
   * -1 when there is none (an expired entry is removed and counts as none), or NO_KEY for
   * packets that never match an entry (ICMP errors, CT-9).
   */
  lookup(pkt: DecodedPacket, nowMs: number): number {
    const k = this.key;
    if (!writeFlowKey(pkt, k)) return NO_KEY;
    const ref = this.find(k);
    if (ref >= 0 && this.isExpired(ref >> 1, nowMs)) {
      this.remove(ref >> 1);
      return -1;
    }
    return ref;
  }

  private find(k: FlowKeyScratch): number {
    const h = k.hash;
    const w = k.words;
    const v6 = k.family === 6;
    const mask = this.slotMask;
    const slotRef = this.slotRef;
    const slotHash = this.slotHash;
    const addr = this.addr;
    let i = h & mask;
    for (;;) {
      const ref = slotRef[i]!;
      if (ref === EMPTY) return -1;
      if (slotHash[i] === h) {
        const e = ref >> 1;
        if (this.protoW[e] === k.protoWord) {
          const o = e * 8;
          if ((ref & 1) === 0) {
            if (
              this.pa[e] === k.a &&
              this.pb[e] === k.b &&
              addr[o] === w[0] &&
              addr[o + 4] === w[4] &&
              (!v6 ||
                (addr[o + 1] === w[1] &&
                  addr[o + 2] === w[2] &&
                  addr[o + 3] === w[3] &&
                  addr[o + 5] === w[5] &&
                  addr[o + 6] === w[6] &&
                  addr[o + 7] === w[7]))
            )
              return ref;
          } else if (
            this.pa[e] === k.b &&
            this.pb[e] === k.a &&
            addr[o] === w[4] &&
            addr[o + 4] === w[0] &&
            (!v6 ||
              (addr[o + 1] === w[5] &&
                addr[o + 2] === w[6] &&
                addr[o + 3] === w[7] &&
                addr[o + 5] === w[1] &&
                addr[o + 6] === w[2] &&
                addr[o + 7] === w[3]))
          )
            return ref;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** True when entry `e` has idled out under the current timeouts. */
  isExpired(e: number, nowMs: number): boolean {
    return nowMs >= this.lastSeen[e]! + this.timeouts.get(this.cls[e]!, this.timeoutState(e));
  }

  private timeoutState(e: number): number {
    const c = this.cls[e]!;
    if (c === TimeoutClass.TCP) return this.state[e]!;
    if (c === TimeoutClass.UDP) return this.flags[e]! & F_UDP_STREAM ? 1 : 0;
    return 0;
  }

  /** Who opened the entry of `ref`. */
  openedBy(ref: number): OpenedBy {
    return this.flags[ref >> 1]! & F_INGRESS ? "ingress" : "egress";
  }

  /** True when the entry was opened by an egress packet. */
  openedByEgress(ref: number): boolean {
    return (this.flags[ref >> 1]! & F_INGRESS) === 0;
  }

  /** The TCP state (TcpState) of the entry of `ref`; 0 for other protocols. */
  tcpState(ref: number): number {
    return this.cls[ref >> 1] === TimeoutClass.TCP ? this.state[ref >> 1]! : 0;
  }

  /** The rule id that admitted the entry of `ref`. */
  ruleIdOf(ref: number): string {
    return this.ruleIds[this.rule[ref >> 1]!] ?? "";
  }

  /**
   * The state the entry of `ref` moves to when `pkt` passes: for TCP the TCP_TRANSITIONS cell
   * (INVALID: drop the packet, leave the entry); 0 for other protocols. Does not change anything.
   */
  nextState(ref: number, pkt: DecodedPacket): number {
    const e = ref >> 1;
    if (this.cls[e] !== TimeoutClass.TCP) return 0;
    return TCP_TRANSITIONS[ref & 1]?.[tcpFlagClass(pkt.tcpFlags)]?.[this.state[e]!] ?? INVALID;
  }

  /**
   * Records a packet that passed on the entry of `ref`: refreshes lastSeen (both directions
   * refresh, CT-10 included), counts packets and bytes per direction, sets the TCP state to
   * `next` (from nextState), and for UDP notes a reply and the promotion to stream (TO-7: the
   * initiator sends again after a reply was seen).
   */
  commit(ref: number, bytes: number, nowMs: number, next: number): void {
    const e = ref >> 1;
    const d = ref & 1;
    this.lastSeen[e] = nowMs;
    this.pkts[e * 2 + d]!++;
    this.bytesCol[e * 2 + d]! += bytes;
    const c = this.cls[e];
    if (c === TimeoutClass.TCP) {
      this.state[e] = next;
    } else if (c === TimeoutClass.UDP) {
      if (d === Dir.REPLY) this.flags[e]! |= F_UDP_REPLIED;
      else if (this.flags[e]! & F_UDP_REPLIED) this.flags[e]! |= F_UDP_STREAM;
    }
  }

  /**
   * Creates an entry for the key in `k` (normally `this.key` after a lookup miss) with the
   * packet as its first, ORIGINAL-direction packet. `tcpState` is the NONE-column cell for
   * TCP (ignored otherwise). Takes one unit of allowance; returns the new ref, or -1 when the
   * allowance is exhausted (nothing changed; the caller counts the drop, MET-1/MET-3).
   */
  insert(
    k: FlowKeyScratch,
    bytes: number,
    nowMs: number,
    tcpState: number,
    ruleId: string,
    openedBy: OpenedBy,
  ): number {
    if (!this.allowance.tryAcquire()) return -1;
    if (this.count >= this.cap) this.resize(this.cap * 2);
    let e: number;
    if (this.freeHead >= 0) {
      e = this.freeHead;
      this.freeHead = this.nextFree[e]!;
    } else {
      e = this.highWater++;
    }
    this.count++;
    const o = e * 8;
    this.addr.set(k.words, o);
    this.pa[e] = k.a;
    this.pb[e] = k.b;
    this.protoW[e] = k.protoWord;
    this.cls[e] = k.cls;
    this.state[e] = k.cls === TimeoutClass.TCP ? tcpState : 0;
    this.flags[e] = F_LIVE | (openedBy === "ingress" ? F_INGRESS : 0);
    this.lastSeen[e] = nowMs;
    this.pkts[e * 2] = 1;
    this.pkts[e * 2 + 1] = 0;
    this.bytesCol[e * 2] = bytes;
    this.bytesCol[e * 2 + 1] = 0;
    let ri = this.ruleIndex.get(ruleId);
    if (ri === undefined) {
      ri = this.ruleIds.length;
      this.ruleIds.push(ruleId);
      this.ruleIndex.set(ruleId, ri);
    }
    this.rule[e] = ri;
    const hO = k.hash;
    const hR = this.hashOfEntry(e, Dir.REPLY);
    this.hashes[e * 2] = hO;
    this.hashes[e * 2 + 1] = hR;
    this.place(e << 1, hO);
    this.place((e << 1) | 1, hR);
    return e << 1;
  }

  private hashOfEntry(e: number, dir: number): number {
    // Why: computed like writeFlowKey's hash, but from stored words (src at +0, dst at +4).
    const o = e * 8;
    const v6 = (this.protoW[e]! & FAMILY6_BIT) !== 0;
    return dir === 0
      ? hashKey(this.protoW[e]!, this.addr, o, o + 4, this.pa[e]!, this.pb[e]!, v6)
      : hashKey(this.protoW[e]!, this.addr, o + 4, o, this.pb[e]!, this.pa[e]!, v6);
  }

  private place(ref: number, h: number): void {
    const mask = this.slotMask;
    let i = h & mask;
    while (this.slotRef[i] !== EMPTY) i = (i + 1) & mask;
    this.slotRef[i] = ref;
    this.slotHash[i] = h;
  }

  private unplace(ref: number, h: number): void {
    const mask = this.slotMask;
    const slotRef = this.slotRef;
    const slotHash = this.slotHash;
    let i = h & mask;
    while (slotRef[i] !== ref) {
      if (slotRef[i] === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const r = slotRef[j]!;
      if (r === EMPTY) break;
      const home = slotHash[j]! & mask;
      // Move j into the hole at i unless j's home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        slotRef[i] = r;
        slotHash[i] = slotHash[j]!;
        i = j;
      }
    }
    slotRef[i] = EMPTY;
  }

  /** Removes the entry of `ref` (or entry index `ref >> 1`) and gives its allowance back. */
  remove(e: number): void {
    if (!(this.flags[e]! & F_LIVE)) return;
    this.unplace(e << 1, this.hashes[e * 2]!);
    this.unplace((e << 1) | 1, this.hashes[e * 2 + 1]!);
    this.flags[e] = 0;
    this.nextFree[e] = this.freeHead;
    this.freeHead = e;
    this.count--;
    this.allowance.release(1);
  }

  /** Removes every expired entry; returns how many. O(capacity); the agent calls it periodically. */
  reap(nowMs: number): number {
    let n = 0;
    for (let e = 0; e < this.highWater; e++) {
      if (this.flags[e]! & F_LIVE && this.isExpired(e, nowMs)) {
        this.remove(e);
        n++;
      }
    }
    return n;
  }

  /** Removes every entry (allowance given back). */
  clear(): void {
    for (let e = 0; e < this.highWater; e++) if (this.flags[e]! & F_LIVE) this.remove(e);
  }

  /** Live, unexpired entries as report views (CT-14). Allocates; not for the hot path. */
  entries(nowMs: number, eniId: string): ConntrackEntryView[] {
    const out: ConntrackEntryView[] = [];
    for (let e = 0; e < this.highWater; e++) {
      if (!(this.flags[e]! & F_LIVE) || this.isExpired(e, nowMs)) continue;
      out.push(this.view(e, eniId));
    }
    return out;
  }

  private view(e: number, eniId: string): ConntrackEntryView {
    const pw = this.protoW[e]!;
    const family: 4 | 6 = pw & FAMILY6_BIT ? 6 : 4;
    const protocol = pw & 0xff;
    const c = this.cls[e]!;
    const o = e * 8;
    const src = formatAddressWords(family, this.addr, o);
    const dst = formatAddressWords(family, this.addr, o + 4);
    const ported = c === TimeoutClass.TCP || c === TimeoutClass.UDP;
    const a = ported ? this.pa[e]! : 0;
    const b = ported ? this.pb[e]! : 0;
    let state = "ACTIVE";
    if (c === TimeoutClass.TCP) state = TCP_STATE_NAMES[this.state[e]!] ?? "NONE";
    else if (c === TimeoutClass.UDP) state = this.flags[e]! & F_UDP_STREAM ? "STREAM" : "SINGLE";
    const last = this.lastSeen[e]!;
    const view: ConntrackEntryView = {
      eniId,
      family,
      protocol,
      original: { src, srcPort: a, dst, dstPort: b },
      reply: { src: dst, srcPort: b, dst: src, dstPort: a },
      state,
      openedBy: this.flags[e]! & F_INGRESS ? "ingress" : "egress",
      lastSeenMs: last,
      expiresAtMs: last + this.timeouts.get(c, this.timeoutState(e)),
      packets: { original: this.pkts[e * 2]!, reply: this.pkts[e * 2 + 1]! },
      bytes: { original: this.bytesCol[e * 2]!, reply: this.bytesCol[e * 2 + 1]! },
      ruleId: this.ruleIds[this.rule[e]!] ?? "",
    };
    if (c === TimeoutClass.ICMP) {
      const id = this.pa[e] !== NO_ID ? this.pa[e]! : this.pb[e]!;
      return { ...view, icmpType: (pw >>> 8) & 0xff, icmpId: id === NO_ID ? 0 : id };
    }
    return view;
  }

  /** Grows the entry columns to `newCap` and rebuilds the index. */
  private resize(newCap: number): void {
    const grow = <T extends Uint32Array | Int32Array | Uint8Array | Float64Array>(
      old: T,
      make: (n: number) => T,
      per: number,
    ): T => {
      const a = make(newCap * per);
      a.set(old);
      return a;
    };
    this.addr = grow(this.addr, (n) => new Uint32Array(n), 8);
    this.pa = grow(this.pa, (n) => new Int32Array(n), 1);
    this.pb = grow(this.pb, (n) => new Int32Array(n), 1);
    this.protoW = grow(this.protoW, (n) => new Uint32Array(n), 1);
    this.cls = grow(this.cls, (n) => new Uint8Array(n), 1);
    this.state = grow(this.state, (n) => new Uint8Array(n), 1);
    this.flags = grow(this.flags, (n) => new Uint8Array(n), 1);
    this.lastSeen = grow(this.lastSeen, (n) => new Float64Array(n), 1);
    this.pkts = grow(this.pkts, (n) => new Float64Array(n), 2);
    this.bytesCol = grow(this.bytesCol, (n) => new Float64Array(n), 2);
    this.rule = grow(this.rule, (n) => new Int32Array(n), 1);
    this.hashes = grow(this.hashes, (n) => new Uint32Array(n), 2);
    this.nextFree = grow(this.nextFree, (n) => new Int32Array(n), 1);
    this.cap = newCap;
    // Index: 2 keys per entry at load <= 1/2.
    const slots = newCap * 4;
    this.slotMask = slots - 1;
    this.slotRef = new Int32Array(slots).fill(EMPTY);
    this.slotHash = new Uint32Array(slots);
    for (let e = 0; e < this.highWater; e++) {
      if (!(this.flags[e]! & F_LIVE)) continue;
      this.place(e << 1, this.hashes[e * 2]!);
      this.place((e << 1) | 1, this.hashes[e * 2 + 1]!);
    }
  }

  /** Approximate bytes held by the table's arrays (for benchmarks). */
  memoryBytes(): number {
    return (
      this.addr.byteLength +
      this.pa.byteLength +
      this.pb.byteLength +
      this.protoW.byteLength +
      this.cls.byteLength +
      this.state.byteLength +
      this.flags.byteLength +
      this.lastSeen.byteLength +
      this.pkts.byteLength +
      this.bytesCol.byteLength +
      this.rule.byteLength +
      this.hashes.byteLength +
      this.nextFree.byteLength +
      this.slotRef.byteLength +
      this.slotHash.byteLength
    );
  }
}
