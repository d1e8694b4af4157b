/**
 * Network ACL evaluation (AWS-BEHAVIOUR NACL-2..NACL-6): stateless, entries in ascending rule
 * number, the first entry that matches decides allow or deny. A packet no entry matches is
 * denied (the `*` entries normally guarantee a match).
 *
 * Linear in the entries on purpose: a NACL direction holds at most 40 user entries plus the
 * `*` catch-alls, and each test is a few integer comparisons on precompiled columns.
 * The entry's CIDR is matched against the packet's remote address (inbound: source,
 * outbound: destination); tcp/udp port ranges against the destination port in both directions.
 * Pure.
 */

import type { DecodedPacket } from "../packet/decoded-packet.js";
import type { NaclEntry } from "./policy.js";
import { addressWord, parseCidr, wordMask } from "../conntrack/address-words.js";

/** The entry that decided a packet. */
export interface NaclVerdict {
  readonly allow: boolean;
  /** Rule number of the deciding entry; undefined when no entry matched (denied). */
  readonly ruleNumber: number | undefined;
}

const NO_MATCH: NaclVerdict = { allow: false, ruleNumber: undefined };

/**
 * One NACL direction (inbound or outbound entries) compiled into columns for first-match
 * evaluation. Immutable: ENIs whose subnets share a NACL can share one (filter/compiled-cache.ts);
 * the hit counters live in each ENI's NaclMatcher.
 */
export class NaclTable {
  readonly n: number;
  readonly family: Uint8Array;
  readonly net: Uint32Array; // 4 words per entry
  readonly mask: Uint32Array; // 4 words per entry
  readonly proto: Int32Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly icmpType: Int32Array;
  readonly icmpCode: Int32Array;
  readonly verdicts: readonly NaclVerdict[];

  /** `entries` sorted by ruleNumber ascending (the compiler's order); re-sorted here to be safe. */
  constructor(entries: readonly NaclEntry[]) {
    const valid = [...entries]
      .map((e) => ({ e, c: parseCidr(e.cidr) }))
      .filter((x) => x.c !== undefined)
      .sort((x, y) => x.e.ruleNumber - y.e.ruleNumber);
    const n = valid.length;
    this.n = n;
    this.family = new Uint8Array(n);
    this.net = new Uint32Array(n * 4);
    this.mask = new Uint32Array(n * 4);
    this.proto = new Int32Array(n);
    this.from = new Int32Array(n);
    this.to = new Int32Array(n);
    this.icmpType = new Int32Array(n);
    this.icmpCode = new Int32Array(n);
    const verdicts: NaclVerdict[] = [];
    valid.forEach(({ e, c }, i) => {
      this.family[i] = c!.family;
      for (let j = 0; j < c!.words.length; j++) {
        this.net[i * 4 + j] = c!.words[j]!;
        this.mask[i * 4 + j] = wordMask(c!.prefixLen - 32 * j);
      }
      this.proto[i] = e.protocol;
      this.from[i] = e.fromPort;
      this.to[i] = e.toPort;
      this.icmpType[i] = e.icmpType;
      this.icmpCode[i] = e.icmpCode;
      verdicts.push({ allow: e.action === "allow", ruleNumber: e.ruleNumber });
    });
    this.verdicts = verdicts;
  }
}

/** One NACL direction of one ENI: a (possibly shared) NaclTable and this ENI's hit counters. */
export class NaclMatcher {
  private readonly t: NaclTable;
  /** Packets each entry decided (issue 13 item 5), by entry index; see hitsByRule. */
  private readonly hits: Float64Array;
  private readonly scratch = new Uint32Array(4);

  /** `entries`: sorted by ruleNumber (re-sorted to be safe), or a table compiled from them. */
  constructor(entries: readonly NaclEntry[] | NaclTable) {
    this.t = entries instanceof NaclTable ? entries : new NaclTable(entries);
    this.hits = new Float64Array(this.t.n);
  }

  /** First matching entry's verdict for `pkt` whose remote end is `remote` (NACL-3). */
  evaluate(pkt: DecodedPacket, remote: Uint8Array): NaclVerdict {
    const t = this.t;
    const fam = pkt.family;
    const words = fam === 4 ? 1 : 4;
    const w = this.scratch;
    for (let j = 0; j < words; j++) w[j] = addressWord(remote, j);
    const p = pkt.protocol;
    for (let i = 0; i < t.n; i++) {
      // NACL-5: an entry of one family never matches the other.
      if (t.family[i] !== fam) continue;
      const o = i * 4;
      let inNet = true;
      for (let j = 0; j < words; j++) {
        if ((w[j]! & t.mask[o + j]!) >>> 0 !== t.net[o + j]) {
          inNet = false;
          break;
        }
      }
      if (!inNet) continue;
      const ep = t.proto[i]!;
      if (ep !== -1) {
        if (ep !== p) continue;
        if (p === 6 || p === 17) {
          // NACL-6: tcp/udp entries test the destination port.
          const f = t.from[i]!;
          if (f >= 0 && (pkt.dstPort < f || pkt.dstPort > t.to[i]!)) continue;
        } else if (p === 1 || p === 58) {
          const ty = t.icmpType[i]!;
          if (ty >= 0 && pkt.icmpType !== ty) continue;
          const c = t.icmpCode[i]!;
          if (ty >= 0 && c >= 0 && pkt.icmpCode !== c) continue;
        }
      }
      this.hits[i]! += pkt.segments ?? 1;
      return t.verdicts[i]!;
    }
    return NO_MATCH;
  }

  /** Packets each entry decided since this matcher was made, by rule number (0s left out). */
  hitsByRule(): Map<number, number> {
    const out = new Map<number, number>();
    for (let i = 0; i < this.t.n; i++) {
      const h = this.hits[i]!;
      if (h > 0) {
        const r = this.t.verdicts[i]!.ruleNumber!;
        out.set(r, (out.get(r) ?? 0) + h);
      }
    }
    return out;
  }
}
