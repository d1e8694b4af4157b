/**
 * SG rule matching (AWS-BEHAVIOUR RULE-1, RULE-5, RULE-6, RULE-7): compiled once per policy
 * direction, then asked per packet "which rule admits this packet, if any?".
 *
 * Layout, chosen so the per-packet cost does not grow with the number of rules:
 *   family (4|6) -> protocol bucket (the packet's protocol, then the `-1` bucket)
 *     -> for each distinct prefix length present in the bucket (longest first):
 *        hash(remote address masked to that length) -> a port/ICMP matcher
 *        -> the rule index.
 * A packet costs (distinct prefix lengths of its buckets) hash probes, each followed by a
 * binary search over merged port intervals (tcp/udp) or up to three ICMP probes. Distinct
 * prefix lengths are at most 33 (v4) / 129 (v6) and in practice a handful, whatever the rule
 * count. Rules only allow (RULE-1), so one admitting rule is enough: each port interval keeps
 * the lowest-indexed rule that covers it.
 *
 * The rule's CIDR is matched against the packet's *remote* address: the source for ingress,
 * the destination for egress; the rule's port range against the packet's destination port.
 * Pure.
 */

import type { DecodedPacket } from "../packet/decoded-packet.js";
import type { CompiledRule } from "./policy.js";
import { addressWord, parseCidr, wordMask } from "../conntrack/address-words.js";

/**
 * Exact-match table from masked address words to a value (open addressing, linear probing).
 * Keys are 1 word (IPv4) or 4 words (IPv6).
 */
export class AddressTable {
  private keys: Uint32Array;
  private vals: Int32Array;
  private mask: number;
  private n = 0;

  constructor(
    private readonly words: 1 | 4,
    expected: number,
  ) {
    let cap = 8;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Uint32Array(cap * words);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  private static hash(w: ArrayLike<number>, m: ArrayLike<number>, words: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < words; i++) {
      h = Math.imul(h ^ ((w[i]! & m[i]!) >>> 0), 0x01000193);
      h ^= h >>> 15;
    }
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 12)) >>> 0;
  }

  /**
   * One bit per possible top 16 bits of a stored key's first word: a probe whose bit is clear
   * cannot hit, and skips the hash. Only built for prefixes of 16 bits or more (shorter ones
   * have few distinct keys and would set whole ranges of bits).
   */
  private top16: Uint32Array | undefined;

  /** Builds the top-16-bit filter; call after the last set() when every key's prefix >= 16. */
  sealWithFilter(): void {
    const f = new Uint32Array(2048);
    for (let i = 0; i < this.vals.length; i++) {
      if (this.vals[i]! < 0) continue;
      const t = this.keys[i * this.words]! >>> 16;
      f[t >>> 5]! |= 1 << (t & 31);
    }
    this.top16 = f;
  }

  /** Value stored under `w & m`, or -1. */
  get(w: ArrayLike<number>, m: ArrayLike<number>): number {
    const words = this.words;
    const f = this.top16;
    if (f !== undefined) {
      const t = (w[0]! & m[0]!) >>> 16;
      if ((f[t >>> 5]! & (1 << (t & 31))) === 0) return -1;
    }
    let i = AddressTable.hash(w, m, words) & this.mask;
    for (;;) {
      const v = this.vals[i]!;
      if (v < 0) return -1;
      const o = i * words;
      let eq = true;
      for (let j = 0; j < words; j++) {
        if (this.keys[o + j] !== (w[j]! & m[j]!) >>> 0) {
          eq = false;
          break;
        }
      }
      if (eq) return v;
      i = (i + 1) & this.mask;
    }
  }

  /** Stores `value` under the (already masked) key `w`; replaces an existing value. */
  set(w: readonly number[], value: number): void {
    if ((this.n + 1) * 2 > this.vals.length) this.grow();
    const ones = [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff];
    const words = this.words;
    let i = AddressTable.hash(w, ones, words) & this.mask;
    for (;;) {
      const o = i * words;
      if (this.vals[i]! < 0) {
        for (let j = 0; j < words; j++) this.keys[o + j] = w[j]!;
        this.vals[i] = value;
        this.n++;
        return;
      }
      let eq = true;
      for (let j = 0; j < words; j++) if (this.keys[o + j] !== w[j]) eq = false;
      if (eq) {
        this.vals[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldVals.length * 2;
    this.keys = new Uint32Array(cap * this.words);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.n = 0;
    for (let i = 0; i < oldVals.length; i++) {
      if (oldVals[i]! < 0) continue;
      this.set(Array.from(oldKeys.subarray(i * this.words, (i + 1) * this.words)), oldVals[i]!);
    }
  }
}

/** Port ranges -> lowest covering rule index, as merged elementary intervals. */
class PortMatcher {
  private readonly starts: Int32Array;
  private readonly rules: Int32Array;

  constructor(ranges: readonly { from: number; to: number; rule: number }[]) {
    if (ranges.length === 1) {
      // Why: the common leaf (one rule per address) needs no sweep.
      const r = ranges[0]!;
      const from = r.from < 0 ? 0 : Math.min(r.from, 65535);
      const to = r.to < 0 ? 65535 : Math.min(r.to, 65535);
      const starts = [0];
      const rules = [-1];
      if (from <= to) {
        if (from === 0) rules[0] = r.rule;
        else {
          starts.push(from);
          rules.push(r.rule);
        }
        if (to < 65535) {
          starts.push(to + 1);
          rules.push(-1);
        }
      }
      this.starts = Int32Array.from(starts);
      this.rules = Int32Array.from(rules);
      return;
    }
    // Sweep over range boundaries with a min-heap of active rule indices (lazy deletion).
    const events: [number, number, number][] = []; // [position, +1 open / -1 close, rule]
    for (const r of ranges) {
      const from = Math.max(0, r.from < 0 ? 0 : r.from);
      const to = Math.min(65535, r.to < 0 ? 65535 : r.to);
      if (from > to) continue;
      events.push([from, 1, r.rule], [to + 1, -1, r.rule]);
    }
    events.sort((x, y) => x[0] - y[0]);
    const heap: number[] = [];
    const closed = new Map<number, number>();
    const push = (v: number): void => {
      heap.push(v);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p]! <= heap[i]!) break;
        [heap[p], heap[i]] = [heap[i]!, heap[p]!];
        i = p;
      }
    };
    const pop = (): void => {
      const last = heap.pop()!;
      if (heap.length === 0) return;
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    };
    const top = (): number => {
      while (heap.length > 0) {
        const t = heap[0]!;
        const c = closed.get(t) ?? 0;
        if (c === 0) return t;
        closed.set(t, c - 1);
        pop();
      }
      return -1;
    };
    const starts: number[] = [0];
    const rules: number[] = [-1];
    let i = 0;
    while (i < events.length) {
      const pos = events[i]![0];
      while (i < events.length && events[i]![0] === pos) {
        const [, kind, rule] = events[i]!;
        if (kind === 1) push(rule);
        else closed.set(rule, (closed.get(rule) ?? 0) + 1);
        i++;
      }
      if (pos > 65535) break;
      const best = top();
      if (starts[starts.length - 1] === pos) rules[rules.length - 1] = best;
      else if (rules[rules.length - 1] !== best) {
        starts.push(pos);
        rules.push(best);
      }
    }
    this.starts = Int32Array.from(starts);
    this.rules = Int32Array.from(rules);
  }

  /** Lowest rule index whose range holds `port`, or -1. */
  match(port: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= port) lo = mid;
      else hi = mid - 1;
    }
    return this.rules[lo]!;
  }
}

/** ICMP type/code -> rule index, with -1 wildcards (RULE-6). */
class IcmpMatcher {
  private any = -1;
  private readonly byType = new Int32Array(256).fill(-1);
  private readonly exact = new Map<number, number>();

  add(type: number, code: number, rule: number): void {
    if (type < 0) {
      if (this.any < 0) this.any = rule;
    } else if (code < 0) {
      if (this.byType[type & 255]! < 0) this.byType[type & 255] = rule;
    } else {
      const k = ((type & 255) << 8) | (code & 255);
      if (!this.exact.has(k)) this.exact.set(k, rule);
    }
  }

  match(type: number, code: number): number {
    if (type < 0) return this.any;
    const e = this.exact.get(((type & 255) << 8) | (code & 255));
    if (e !== undefined) return e;
    const t = this.byType[type & 255]!;
    return t >= 0 ? t : this.any;
  }
}

const KIND_PLAIN = 0;
const KIND_PORTS = 1;
const KIND_ICMP = 2;

/** One (family, protocol) bucket: prefix lengths, one address table each, leaf matchers. */
class ProtoBucket {
  lengths: number[] = [];
  masks: Uint32Array[] = [];
  tables: AddressTable[] = [];
  /** KIND_PLAIN: leaf = rule index; KIND_PORTS: leaf = PortMatcher index; KIND_ICMP: IcmpMatcher index. */
  ports: PortMatcher[] = [];
  icmps: IcmpMatcher[] = [];

  constructor(readonly kind: number) {}
}

function bucketKind(protocol: number, family: 4 | 6): number {
  if (protocol === 6 || protocol === 17) return KIND_PORTS;
  if ((protocol === 1 && family === 4) || (protocol === 58 && family === 6)) return KIND_ICMP;
  // Why: icmp (1) under an IPv6 CIDR or icmpv6 (58) under IPv4 never meets a packet of that
  // protocol and family; treated as plain, they still match exactly that protocol number.
  return KIND_PLAIN;
}

/**
 * Rules of one direction of one ENI, compiled for matching. Immutable after construction, and
 * it keeps no rule objects (only their indices), so ENIs whose rule lists have the same
 * protocols, ports and CIDRs in the same order can share one (filter/compiled-cache.ts).
 */
export class SgMatcher {
  /** [family 4 -> 0, 6 -> 1][protocol 0..255] */
  private readonly byProto: (ProtoBucket | undefined)[][] = [[], []];
  /** Protocol -1 ("all") buckets, per family. */
  private readonly all: (ProtoBucket | undefined)[] = [undefined, undefined];
  private readonly scratch = new Uint32Array(4);

  /** `rules`: the union of the ENI's SGs' rules of one direction (RULE-1). */
  constructor(rules: readonly CompiledRule[]) {
    // Group (family, protocol, prefixLen, masked address) -> leaf inputs.
    type Leaf = { words: number[]; items: { rule: number; from: number; to: number }[] };
    const groups = new Map<
      number,
      { fam: 4 | 6; proto: number; len: number; leaves: Map<string | number, Leaf> }
    >();
    rules.forEach((r, idx) => {
      for (const text of r.cidrs) {
        const c = parseCidr(text);
        if (!c) continue;
        const proto = r.protocol < 0 ? -1 : r.protocol & 255;
        const gk = ((c.family === 4 ? 0 : 1) * 257 + proto + 1) * 129 + c.prefixLen;
        let g = groups.get(gk);
        if (!g) {
          g = { fam: c.family, proto, len: c.prefixLen, leaves: new Map() };
          groups.set(gk, g);
        }
        const lk = c.family === 4 ? c.words[0]! : c.words.join(",");
        let leaf = g.leaves.get(lk);
        if (!leaf) {
          leaf = { words: [...c.words], items: [] };
          g.leaves.set(lk, leaf);
        }
        leaf.items.push({ rule: idx, from: r.fromPort, to: r.toPort });
      }
    });
    const ordered = [...groups.values()].sort((x, y) => y.len - x.len);
    for (const g of ordered) {
      const fi = g.fam === 4 ? 0 : 1;
      const kind = g.proto < 0 ? KIND_PLAIN : bucketKind(g.proto, g.fam);
      let b = g.proto < 0 ? this.all[fi] : this.byProto[fi]![g.proto];
      if (!b) {
        b = new ProtoBucket(kind);
        if (g.proto < 0) this.all[fi] = b;
        else this.byProto[fi]![g.proto] = b;
      }
      const words = g.fam === 4 ? 1 : 4;
      const table = new AddressTable(words, g.leaves.size);
      const mask = new Uint32Array(words);
      for (let i = 0; i < words; i++) mask[i] = wordMask(g.len - 32 * i);
      for (const leaf of g.leaves.values()) {
        let value: number;
        if (kind === KIND_PORTS) {
          value = b.ports.length;
          b.ports.push(
            new PortMatcher(leaf.items.map((it) => ({ from: it.from, to: it.to, rule: it.rule }))),
          );
        } else if (kind === KIND_ICMP) {
          value = b.icmps.length;
          const m = new IcmpMatcher();
          for (const it of [...leaf.items].sort((x, y) => x.rule - y.rule))
            m.add(it.from, it.to, it.rule);
          b.icmps.push(m);
        } else {
          value = Math.min(...leaf.items.map((it) => it.rule));
        }
        table.set(leaf.words, value);
      }
      if (g.len >= 16) table.sealWithFilter();
      b.lengths.push(g.len);
      b.masks.push(mask);
      b.tables.push(table);
    }
  }

  /**
   * Index (into `rules`) of a rule admitting `pkt` whose remote end is `remote` (4 or 16
   * bytes: the source address for ingress, the destination for egress), or -1. A rule of one
   * family never matches the other (RULE-7).
   */
  match(pkt: DecodedPacket, remote: Uint8Array): number {
    const fi = pkt.family === 4 ? 0 : 1;
    const w = this.scratch;
    if (fi === 0) {
      w[0] = addressWord(remote, 0);
    } else {
      w[0] = addressWord(remote, 0);
      w[1] = addressWord(remote, 1);
      w[2] = addressWord(remote, 2);
      w[3] = addressWord(remote, 3);
    }
    const b = this.byProto[fi]![pkt.protocol];
    if (b !== undefined) {
      const r = this.matchBucket(b, pkt, w);
      if (r >= 0) return r;
    }
    const a = this.all[fi];
    return a !== undefined ? this.matchBucket(a, pkt, w) : -1;
  }

  private matchBucket(b: ProtoBucket, pkt: DecodedPacket, w: Uint32Array): number {
    const n = b.tables.length;
    for (let i = 0; i < n; i++) {
      const v = b.tables[i]!.get(w, b.masks[i]!);
      if (v < 0) continue;
      let r: number;
      if (b.kind === KIND_PORTS) r = b.ports[v]!.match(pkt.dstPort);
      else if (b.kind === KIND_ICMP) r = b.icmps[v]!.match(pkt.icmpType, pkt.icmpCode);
      else r = v;
      if (r >= 0) return r;
    }
    return -1;
  }
}
