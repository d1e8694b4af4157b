/**
 * Flow keys (STYLE.md §4.4): one direction of a flow as (protoWord, src, a, dst, b). An entry
 * is stored under its original key and its reply key, `reply()` swapping the ends. The hot
 * path never allocates a FlowKey: writeFlowKey() fills a reusable FlowKeyScratch with numbers.
 *
 * What a/b hold, per protocol (AWS-BEHAVIOUR CT-8, CT-9, CT-10):
 * - TCP, UDP: source and destination port.
 * - ICMP/ICMPv6 queries with a reply type (echo, timestamp, information, address mask):
 *   protoWord carries the *request* type; a request has a = identifier, b = NO_ID, its reply
 *   a = NO_ID, b = identifier, so a reply matches exactly the reply key of its request and a
 *   request in the opposite direction never does.
 * - Other non-error ICMP types: protoWord carries the type, a = b = NO_ID.
 * - ICMP errors: no key at all (no implicit RELATED, CT-9).
 * - Other protocols: a = b = 0, so only (address pair, protocol) is tracked (CT-10).
 * Pure.
 */

import type { DecodedPacket } from "../packet/decoded-packet.js";
import { addressWord } from "./address-words.js";
import { TimeoutClass } from "./timeouts.js";

/** A value no 16-bit port or identifier can take. */
export const NO_ID = 0x10000;

/** protoWord bit set for IPv6 keys. */
export const FAMILY6_BIT = 0x10000;

/** ICMPv4 request type -> reply type, and reply -> request (RFC 792, RFC 950). */
const ICMP4_PAIR = new Map<number, number>([
  [8, 0],
  [13, 14],
  [15, 16],
  [17, 18],
]);
const ICMP4_REPLY_OF = new Map<number, number>([
  [0, 8],
  [14, 13],
  [16, 15],
  [18, 17],
]);

/** One direction of a flow, as values (for reports and tests; the hot path uses the scratch). */
export class FlowKey {
  constructor(
    readonly protoWord: number,
    readonly src: readonly number[],
    readonly a: number,
    readonly dst: readonly number[],
    readonly b: number,
  ) {}

  /** The same flow seen from the other end; `k.reply().reply()` equals `k`. */
  reply(): FlowKey {
    return new FlowKey(this.protoWord, this.dst, this.b, this.src, this.a);
  }

  /** True when both keys name the same direction of the same flow. */
  equals(o: FlowKey): boolean {
    return (
      this.protoWord === o.protoWord &&
      this.a === o.a &&
      this.b === o.b &&
      this.src.length === o.src.length &&
      this.src.every((w, i) => w === o.src[i]) &&
      this.dst.every((w, i) => w === o.dst[i])
    );
  }
}

/** Reusable key holder for the hot path (one per table; the data path is single-threaded). */
export class FlowKeyScratch {
  protoWord = 0;
  family: 4 | 6 = 4;
  proto = 0;
  a = 0;
  b = 0;
  /** Timeout class (timeouts.ts) of a flow with this key. */
  cls: number = TimeoutClass.OTHER;
  /** src words [0..3], dst words [4..7]; IPv4 uses [0] and [4], the rest stay 0. */
  readonly words = new Uint32Array(8);
  /** Hash of the key as written (see hashKey). */
  hash = 0;
  /** True while words 1-3 / 5-7 may hold IPv6 words. */
  family6Words = false;

  /** A FlowKey with the scratch's current value. */
  toFlowKey(): FlowKey {
    const n = this.family === 4 ? 1 : 4;
    return new FlowKey(
      this.protoWord,
      Array.from(this.words.subarray(0, n)),
      this.a,
      Array.from(this.words.subarray(4, 4 + n)),
      this.b,
    );
  }
}

/**
 * Fills `k` with the key of `pkt` in the packet's own direction and computes its hash.
 * Returns false when the packet has no flow key: ICMP errors (CT-9).
 */
export function writeFlowKey(pkt: DecodedPacket, k: FlowKeyScratch): boolean {
  const proto = pkt.protocol;
  const v6 = pkt.family === 6;
  let kind = 0;
  let a = 0;
  let b = 0;
  let cls: number = TimeoutClass.OTHER;
  if (proto === 6 || proto === 17) {
    a = pkt.srcPort;
    b = pkt.dstPort;
    cls = proto === 6 ? TimeoutClass.TCP : TimeoutClass.UDP;
  } else if ((proto === 1 && !v6) || (proto === 58 && v6)) {
    if (pkt.icmpError) return false;
    cls = TimeoutClass.ICMP;
    const type = pkt.icmpType;
    const id = pkt.icmpId >= 0 ? pkt.icmpId : 0;
    if (v6 ? type === 128 : ICMP4_PAIR.has(type)) {
      kind = type;
      a = id;
      b = NO_ID;
    } else if (v6 ? type === 129 : ICMP4_REPLY_OF.has(type)) {
      kind = v6 ? 128 : (ICMP4_REPLY_OF.get(type) ?? 0);
      a = NO_ID;
      b = id;
    } else {
      kind = type & 0xff;
      a = NO_ID;
      b = NO_ID;
    }
  }
  k.proto = proto;
  k.family = pkt.family;
  k.protoWord = (proto | (kind << 8) | (v6 ? FAMILY6_BIT : 0)) >>> 0;
  k.a = a;
  k.b = b;
  k.cls = cls;
  const w = k.words;
  if (v6) {
    k.family6Words = true;
    for (let i = 0; i < 4; i++) {
      w[i] = addressWord(pkt.src, i);
      w[4 + i] = addressWord(pkt.dst, i);
    }
  } else {
    if (k.family6Words) {
      // Why: a previous IPv6 key left words 1-3 and 5-7 set; IPv4 keys keep them 0.
      w.fill(0);
      k.family6Words = false;
    }
    w[0] = addressWord(pkt.src, 0);
    w[4] = addressWord(pkt.dst, 0);
  }
  k.hash = hashKey(k.protoWord, w, 0, 4, k.a, k.b, v6);
  return true;
}

/**
 * Hash of one direction of a key: src words at words[srcOff..], dst at words[dstOff..].
 * Order-sensitive, so a key and its reply hash differently.
 */
export function hashKey(
  protoWord: number,
  words: ArrayLike<number>,
  srcOff: number,
  dstOff: number,
  a: number,
  b: number,
  v6: boolean,
): number {
  let h = Math.imul(protoWord ^ 0x9e3779b9, 0x85ebca6b);
  h = mix(h, words[srcOff] ?? 0);
  h = mix(h, words[dstOff] ?? 0);
  if (v6) {
    h = mix(h, words[srcOff + 1] ?? 0);
    h = mix(h, words[srcOff + 2] ?? 0);
    h = mix(h, words[srcOff + 3] ?? 0);
    h = mix(h, words[dstOff + 1] ?? 0);
    h = mix(h, words[dstOff + 2] ?? 0);
    h = mix(h, words[dstOff + 3] ?? 0);
  }
  h = mix(h, (a << 15) ^ b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
