/**
 * One ENI's connection-tracking table (AWS-BEHAVIOUR CT-*, TO-*, MET-*).
 *
 * Storage: no per-entry JS objects. Entry `e` is a 64-byte record in one ArrayBuffer, read
 * through a Uint32Array and a Float64Array view (layout below), so a lookup and its commit
 * touch one record (IPv6 also reads three more words per address from a side array). Each entry is findable under two keys (STYLE.md §4.4),
 * its original key and its reply key, through one open-addressing hash index (linear probing,
 * load <= 1/2, backward-shift deletion) whose slots interleave `ref = e << 1 | dir` and the
 * key's hash. A lookup hashes the packet's key once and compares words; nothing is allocated
 * per packet.
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

// Record layout, in 32-bit words (REC_WORDS per entry, 64 bytes). Everything a hit on an
// IPv4 flow reads or writes is in the record; IPv6 keeps its address words 1-3 in `ext`.
// Float64 fields sit at even word offsets, read through the Float64Array view at index
// (e * REC_WORDS + w) / 2.
const W_PROTO = 0; // protoWord of the original key (flow-key.ts)
const W_A = 1; // original key a (source port / id / NO_ID); free-list link when free
const W_B = 2; // original key b
const W_META = 3; // cls | state << 8 | flags << 16
const W_SRC = 4; // original source, word 0 (IPv6 words 1-3: ext[e * 6 + 0..2])
const W_DST = 5; // original destination, word 0 (IPv6 words 1-3: ext[e * 6 + 3..5])
const W_RULE = 6; // interned rule id index
const W_PKTS = 7; // 2 words: packets original, reply (uint32, wrapping)
// word 9 is spare
const W_LAST = 10; // float64: lastSeenMs
const W_BYTES = 12; // 2 float64: bytes original, reply
const REC_WORDS = 16; // 64 bytes
const EXT_WORDS = 6;

// flags bits (in W_META bits 16..23)
const F_LIVE = 1 << 16;
const F_INGRESS = 2 << 16;
const F_UDP_REPLIED = 4 << 16;
const F_UDP_STREAM = 8 << 16;

const EMPTY = -1;

/** How to build a ConntrackTable. */
export interface ConntrackTableOptions {
  readonly timeouts: ConntrackTimeouts;
  /** Shared per instance (MET-1); an unlimited private one when omitted. */
  readonly allowance?: Allowance;
  /** Initial entry capacity (rounded up to a power of two); the table doubles as needed. */
  readonly initialCapacity?: number;
}

/** One ENI's conntrack entries (see the module comment for the per-packet protocol). */
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
  /** Where the next bounded reap() continues. */
  private reapCursor = 0;

  /** Entry records: u32 and f64 views of one buffer. */
  private rec = new Uint32Array(0);
  private recF = new Float64Array(0);
  /** IPv6 address words 1-3 of source and destination, EXT_WORDS per entry. */
  private ext = new Uint32Array(0);
  /** Scratch for a stored key's 8 address words (hashing, formatting). */
  private readonly keyWords = new Uint32Array(8);

  /** Hash index: [2 * slot] = ref or EMPTY, [2 * slot + 1] = hash (as int32). */
  private slots = new Int32Array(0);
  private slotMask = 0;

  // rule ids interned
  private readonly ruleIds: string[] = [];
  /**
   * Packets each interned rule's entries admitted after their first (commit), by rule index;
   * with the direction of the rule that opened them (issue 13 item 5).
   */
  private readonly ruleCommits: number[] = [];
  private readonly ruleOpenedBy: OpenedBy[] = [];
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
    const h = k.hash | 0;
    const w = k.words;
    const v6 = k.family === 6;
    const mask = this.slotMask;
    const slots = this.slots;
    const rec = this.rec;
    let i = h & mask;
    for (;;) {
      const ref = slots[2 * i]!;
      if (ref === EMPTY) return -1;
      if (slots[2 * i + 1] === h) {
        const e = ref >> 1;
        const o = e * REC_WORDS;
        if (rec[o + W_PROTO] === k.protoWord) {
          if ((ref & 1) === 0) {
            if (
              rec[o + W_A] === k.a &&
              rec[o + W_B] === k.b &&
              rec[o + W_SRC] === w[0] &&
              rec[o + W_DST] === w[4] &&
              (!v6 || this.extEquals(e, w, 1, 5))
            )
              return ref;
          } else if (
            rec[o + W_A] === k.b &&
            rec[o + W_B] === k.a &&
            rec[o + W_SRC] === w[4] &&
            rec[o + W_DST] === w[0] &&
            (!v6 || this.extEquals(e, w, 5, 1))
          )
            return ref;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** True when entry `e`'s IPv6 words 1-3 equal w[src..src+2] (source) and w[dst..dst+2]. */
  private extEquals(e: number, w: Uint32Array, src: number, dst: number): boolean {
    const x = this.ext;
    const o = e * EXT_WORDS;
    return (
      x[o] === w[src] &&
      x[o + 1] === w[src + 1] &&
      x[o + 2] === w[src + 2] &&
      x[o + 3] === w[dst] &&
      x[o + 4] === w[dst + 1] &&
      x[o + 5] === w[dst + 2]
    );
  }

  /** True when entry `e` has idled out under the current timeouts. */
  isExpired(e: number, nowMs: number): boolean {
    const meta = this.rec[e * REC_WORDS + W_META]!;
    return (
      nowMs >=
      this.recF[(e * REC_WORDS + W_LAST) >> 1]! + this.timeouts.get(meta & 0xff, timeoutState(meta))
    );
  }

  /** Who opened the entry of `ref`. */
  openedBy(ref: number): OpenedBy {
    return this.rec[(ref >> 1) * REC_WORDS + W_META]! & F_INGRESS ? "ingress" : "egress";
  }

  /** True when the entry was opened by an egress packet. */
  openedByEgress(ref: number): boolean {
    return (this.rec[(ref >> 1) * REC_WORDS + W_META]! & F_INGRESS) === 0;
  }

  /** The TCP state (TcpState) of the entry of `ref`; 0 for other protocols. */
  tcpState(ref: number): number {
    const meta = this.rec[(ref >> 1) * REC_WORDS + W_META]!;
    return (meta & 0xff) === TimeoutClass.TCP ? (meta >>> 8) & 0xff : 0;
  }

  /** The rule id that admitted the entry of `ref`. */
  ruleIdOf(ref: number): string {
    return this.ruleIds[this.rec[(ref >> 1) * REC_WORDS + W_RULE]!] ?? "";
  }

  /**
   * The state the entry of `ref` moves to when `pkt` passes: for TCP the TCP_TRANSITIONS cell
   * (INVALID: drop the packet, leave the entry); 0 for other protocols. Changes nothing.
   */
  nextState(ref: number, pkt: DecodedPacket): number {
    const meta = this.rec[(ref >> 1) * REC_WORDS + W_META]!;
    if ((meta & 0xff) !== TimeoutClass.TCP) return 0;
    const d = ref & 1;
    const state = (meta >>> 8) & 0xff;
    const segs = pkt.segments ?? 1;
    if (segs === 1) return TCP_TRANSITIONS[d]?.[tcpFlagClass(pkt.tcpFlags)]?.[state] ?? INVALID;
    // A super-packet (packet/virtio-net.ts) is the segments the kernel would cut from it, in
    // order: all but the last without FIN and PSH, the last without CWR (tcp_gso_segment). The
    // middle ones' cell is applied at most twice (an ACK-class cell reaches its fixed point in
    // one step), then the last one's.
    const midClass = tcpFlagClass(pkt.tcpFlags & ~0x09);
    let s = state;
    for (let i = 0; i < Math.min(segs - 1, 2); i++) {
      s = TCP_TRANSITIONS[d]?.[midClass]?.[s] ?? INVALID;
      if (s === INVALID) return INVALID;
    }
    return TCP_TRANSITIONS[d]?.[tcpFlagClass(pkt.tcpFlags & ~0x80)]?.[s] ?? INVALID;
  }

  /**
   * Records a packet that passed on the entry of `ref`: refreshes lastSeen (both directions
   * refresh, CT-10 included), counts packets and bytes per direction, sets the TCP state to
   * `next` (from nextState), and for UDP notes a reply and the promotion to stream (TO-7: the
   * initiator sends again after a reply was seen).
   */
  commit(ref: number, bytes: number, nowMs: number, next: number, packets = 1): void {
    const o = (ref >> 1) * REC_WORDS;
    const d = ref & 1;
    const rec = this.rec;
    const f = this.recF;
    f[(o + W_LAST) >> 1] = nowMs;
    rec[o + W_PKTS + d] = (rec[o + W_PKTS + d]! + packets) >>> 0;
    f[((o + W_BYTES) >> 1) + d]! += bytes;
    let meta = rec[o + W_META]!;
    const c = meta & 0xff;
    if (c === TimeoutClass.TCP) {
      meta = (meta & ~0xff00) | ((next & 0xff) << 8);
    } else if (c === TimeoutClass.UDP) {
      if (d === Dir.REPLY) meta |= F_UDP_REPLIED;
      else if (meta & F_UDP_REPLIED) meta |= F_UDP_STREAM;
    }
    rec[o + W_META] = meta >>> 0;
    this.ruleCommits[rec[o + W_RULE]!]! += packets;
  }

  /** Packets admitted by an existing entry (commit) since the table was made. */
  conntrackHitsTotal(): number {
    let n = 0;
    for (const c of this.ruleCommits) n += c;
    return n;
  }

  /**
   * Packets admitted by an existing entry (commit), per the rule that opened the entry and
   * that rule's direction; rules with none are left out. Allocates.
   */
  conntrackRuleHits(): { ruleId: string; direction: OpenedBy; packets: number }[] {
    const out: { ruleId: string; direction: OpenedBy; packets: number }[] = [];
    for (let i = 0; i < this.ruleIds.length; i++) {
      const n = this.ruleCommits[i]!;
      if (n > 0)
        out.push({ ruleId: this.ruleIds[i]!, direction: this.ruleOpenedBy[i]!, packets: n });
    }
    return out;
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
    packets = 1,
  ): number {
    if (!this.allowance.tryAcquire()) return -1;
    if (this.count >= this.cap) this.resize(this.cap * 2);
    let e: number;
    if (this.freeHead >= 0) {
      e = this.freeHead;
      this.freeHead = this.rec[e * REC_WORDS + W_A]! | 0;
    } else {
      e = this.highWater++;
    }
    this.count++;
    let ri = this.ruleIndex.get(ruleId);
    if (ri === undefined) {
      ri = this.ruleIds.length;
      this.ruleIds.push(ruleId);
      this.ruleCommits.push(0);
      this.ruleOpenedBy.push(openedBy);
      this.ruleIndex.set(ruleId, ri);
    }
    const o = e * REC_WORDS;
    const rec = this.rec;
    rec[o + W_PROTO] = k.protoWord;
    rec[o + W_A] = k.a;
    rec[o + W_B] = k.b;
    const state = k.cls === TimeoutClass.TCP ? tcpState & 0xff : 0;
    rec[o + W_META] =
      (k.cls | (state << 8) | F_LIVE | (openedBy === "ingress" ? F_INGRESS : 0)) >>> 0;
    const w = k.words;
    rec[o + W_SRC] = w[0]!;
    rec[o + W_DST] = w[4]!;
    if (k.family === 6) {
      const x = this.ext;
      const xo = e * EXT_WORDS;
      x[xo] = w[1]!;
      x[xo + 1] = w[2]!;
      x[xo + 2] = w[3]!;
      x[xo + 3] = w[5]!;
      x[xo + 4] = w[6]!;
      x[xo + 5] = w[7]!;
    }
    rec[o + W_RULE] = ri;
    // A super-packet (packets > 1): its first segment made the entry, the others hit it.
    this.ruleCommits[ri]! += packets - 1;
    rec[o + W_PKTS] = packets;
    rec[o + W_PKTS + 1] = 0;
    rec[o + 9] = 0;
    const f = this.recF;
    f[(o + W_LAST) >> 1] = nowMs;
    f[(o + W_BYTES) >> 1] = bytes;
    f[((o + W_BYTES) >> 1) + 1] = 0;
    this.place(e << 1, k.hash);
    this.place((e << 1) | 1, this.hashOfEntry(e, Dir.REPLY));
    return e << 1;
  }

  /** The hash of entry `e`'s key in direction `dir`, as writeFlowKey would compute it. */
  private hashOfEntry(e: number, dir: number): number {
    const o = e * REC_WORDS;
    const rec = this.rec;
    const pw = rec[o + W_PROTO]!;
    const v6 = (pw & FAMILY6_BIT) !== 0;
    const a = rec[o + W_A]!;
    const b = rec[o + W_B]!;
    const kw = this.loadKeyWords(e);
    return dir === 0 ? hashKey(pw, kw, 0, 4, a, b, v6) : hashKey(pw, kw, 4, 0, b, a, v6);
  }

  /** Entry `e`'s original source (words 0-3) and destination (4-7) in this.keyWords. */
  private loadKeyWords(e: number): Uint32Array {
    const kw = this.keyWords;
    const o = e * REC_WORDS;
    const x = this.ext;
    const xo = e * EXT_WORDS;
    kw[0] = this.rec[o + W_SRC]!;
    kw[4] = this.rec[o + W_DST]!;
    if (this.rec[o + W_PROTO]! & FAMILY6_BIT) {
      kw[1] = x[xo]!;
      kw[2] = x[xo + 1]!;
      kw[3] = x[xo + 2]!;
      kw[5] = x[xo + 3]!;
      kw[6] = x[xo + 4]!;
      kw[7] = x[xo + 5]!;
    } else {
      kw.fill(0, 1, 4);
      kw.fill(0, 5, 8);
    }
    return kw;
  }

  private place(ref: number, h: number): void {
    const mask = this.slotMask;
    const slots = this.slots;
    let i = h & mask;
    while (slots[2 * i] !== EMPTY) i = (i + 1) & mask;
    slots[2 * i] = ref;
    slots[2 * i + 1] = h | 0;
  }

  private unplace(ref: number, h: number): void {
    const mask = this.slotMask;
    const slots = this.slots;
    let i = h & mask;
    while (slots[2 * i] !== ref) {
      if (slots[2 * i] === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const r = slots[2 * j]!;
      if (r === EMPTY) break;
      const home = slots[2 * j + 1]! & mask;
      // j stays unless its home lies cyclically outside (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        slots[2 * i] = r;
        slots[2 * i + 1] = slots[2 * j + 1]!;
        i = j;
      }
    }
    slots[2 * i] = EMPTY;
  }

  /** Removes entry `e` (a ref's `ref >> 1`) and gives its allowance back. */
  remove(e: number): void {
    const o = e * REC_WORDS;
    if (!(this.rec[o + W_META]! & F_LIVE)) return;
    this.unplace(e << 1, this.hashOfEntry(e, Dir.ORIGINAL));
    this.unplace((e << 1) | 1, this.hashOfEntry(e, Dir.REPLY));
    this.rec[o + W_META] = 0;
    this.rec[o + W_A] = this.freeHead >>> 0;
    this.freeHead = e;
    this.count--;
    this.allowance.release(1);
  }

  /**
   * Removes expired entries; returns how many. Without `maxScan` it sweeps the whole table
   * (O(capacity), about 25 ms per million entries). With `maxScan` it examines at most that
   * many slots, continuing where the previous call stopped, so a large table can be swept in
   * small steps between packet batches.
   */
  reap(nowMs: number, maxScan = Infinity): number {
    let n = 0;
    const hw = this.highWater;
    if (hw === 0) return 0;
    const steps = Math.min(maxScan, hw);
    let e = this.reapCursor >= hw ? 0 : this.reapCursor;
    for (let i = 0; i < steps; i++) {
      if (this.rec[e * REC_WORDS + W_META]! & F_LIVE && this.isExpired(e, nowMs)) {
        this.remove(e);
        n++;
      }
      e = e + 1 >= hw ? 0 : e + 1;
    }
    this.reapCursor = e;
    return n;
  }

  /** Removes every entry (allowance given back). */
  clear(): void {
    for (let e = 0; e < this.highWater; e++) {
      if (this.rec[e * REC_WORDS + W_META]! & F_LIVE) this.remove(e);
    }
  }

  /** Live, unexpired entries as report views (CT-14). Allocates; not for the hot path. */
  entries(nowMs: number, eniId: string): ConntrackEntryView[] {
    const out: ConntrackEntryView[] = [];
    for (let e = 0; e < this.highWater; e++) {
      if (!(this.rec[e * REC_WORDS + W_META]! & F_LIVE) || this.isExpired(e, nowMs)) continue;
      out.push(this.view(e, eniId));
    }
    return out;
  }

  private view(e: number, eniId: string): ConntrackEntryView {
    const o = e * REC_WORDS;
    const rec = this.rec;
    const pw = rec[o + W_PROTO]!;
    const meta = rec[o + W_META]!;
    const family: 4 | 6 = pw & FAMILY6_BIT ? 6 : 4;
    const protocol = pw & 0xff;
    const c = meta & 0xff;
    const kw = this.loadKeyWords(e);
    const src = formatAddressWords(family, kw, 0);
    const dst = formatAddressWords(family, kw, 4);
    const ported = c === TimeoutClass.TCP || c === TimeoutClass.UDP;
    const a = ported ? rec[o + W_A]! : 0;
    const b = ported ? rec[o + W_B]! : 0;
    let state = "ACTIVE";
    if (c === TimeoutClass.TCP) state = TCP_STATE_NAMES[(meta >>> 8) & 0xff] ?? "NONE";
    else if (c === TimeoutClass.UDP) state = meta & F_UDP_STREAM ? "STREAM" : "SINGLE";
    const last = this.recF[(o + W_LAST) >> 1]!;
    const view: ConntrackEntryView = {
      eniId,
      family,
      protocol,
      original: { src, srcPort: a, dst, dstPort: b },
      reply: { src: dst, srcPort: b, dst: src, dstPort: a },
      state,
      openedBy: meta & F_INGRESS ? "ingress" : "egress",
      lastSeenMs: last,
      expiresAtMs: last + this.timeouts.get(c, timeoutState(meta)),
      packets: { original: rec[o + W_PKTS]!, reply: rec[o + W_PKTS + 1]! },
      bytes: {
        original: this.recF[(o + W_BYTES) >> 1]!,
        reply: this.recF[((o + W_BYTES) >> 1) + 1]!,
      },
      ruleId: this.ruleIds[rec[o + W_RULE]!] ?? "",
    };
    if (c === TimeoutClass.ICMP) {
      const ra = rec[o + W_A]!;
      const id = ra !== NO_ID ? ra : rec[o + W_B]!;
      return { ...view, icmpType: (pw >>> 8) & 0xff, icmpId: id === NO_ID ? 0 : id };
    }
    return view;
  }

  /** Grows the records to `newCap` entries and rebuilds the index. */
  private resize(newCap: number): void {
    const buf = new ArrayBuffer(newCap * REC_WORDS * 4);
    const rec = new Uint32Array(buf);
    rec.set(this.rec);
    this.rec = rec;
    this.recF = new Float64Array(buf);
    const ext = new Uint32Array(newCap * EXT_WORDS);
    ext.set(this.ext);
    this.ext = ext;
    this.cap = newCap;
    // Index: 2 keys per entry at load <= 1/2.
    const nSlots = newCap * 4;
    this.slotMask = nSlots - 1;
    this.slots = new Int32Array(nSlots * 2);
    for (let i = 0; i < nSlots; i++) this.slots[2 * i] = EMPTY;
    for (let e = 0; e < this.highWater; e++) {
      if (!(rec[e * REC_WORDS + W_META]! & F_LIVE)) continue;
      this.place(e << 1, this.hashOfEntry(e, Dir.ORIGINAL));
      this.place((e << 1) | 1, this.hashOfEntry(e, Dir.REPLY));
    }
  }

  /** Bytes held by the table's arrays (for benchmarks). */
  memoryBytes(): number {
    return this.rec.byteLength + this.ext.byteLength + this.slots.byteLength;
  }
}

/** The timeout-table state of an entry's meta word: TCP state, or UDP stream bit, else 0. */
function timeoutState(meta: number): number {
  const c = meta & 0xff;
  if (c === TimeoutClass.TCP) return (meta >>> 8) & 0xff;
  if (c === TimeoutClass.UDP) return meta & F_UDP_STREAM ? 1 : 0;
  return 0;
}
