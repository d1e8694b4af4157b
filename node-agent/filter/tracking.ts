/**
 * Tracked vs untracked (AWS-BEHAVIOUR CT-2, CT-3, CT-4, CT-10), precomputed once per policy.
 *
 * For a packet with no conntrack entry that a rule of its own direction D permits:
 *   1. not TCP/UDP -> tracked (ICMP always; other protocols by address pair, CT-10);
 *   2. the ENI is on an automatically tracked path (CT-4, `autoTracked`) -> tracked;
 *   3. untracked iff, for the packet's address family,
 *      (a) request:  a D rule whose peer is exactly 0.0.0.0/0 (v4) or ::/0 (v6), a `cidr` peer,
 *                    permits the packet (protocol, destination port) AND the opposite direction
 *                    R has a rule with that /0 peer covering every port of the protocol
 *                    (`-1`, or tcp/udp 0-65535); or
 *      (b) response: a D /0 rule covering every port of the protocol exists AND an R /0 rule
 *                    permits the reversed packet (its destination port = our source port);
 *   4. otherwise tracked.
 * Only /0 `cidr` rules take part, so a prefix list or SG reference that happens to contain
 * 0.0.0.0/0 does not. Pure.
 */

import type { DecodedPacket } from "../packet/decoded-packet.js";
import type { CompiledEniPolicy, CompiledRule } from "./policy.js";
import { parseCidr } from "../conntrack/address-words.js";

/** Ports of one (direction, family, protocol) that /0 rules permit, as merged intervals. */
class ZeroPeerPorts {
  readonly all: boolean;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;

  constructor(ranges: readonly [number, number][]) {
    const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const [f, t] of sorted) {
      const last = merged[merged.length - 1];
      if (last && f <= last[1] + 1) last[1] = Math.max(last[1], t);
      else merged.push([f, t]);
    }
    this.all = merged.some(([f, t]) => f <= 0 && t >= 65535);
    this.lo = Int32Array.from(merged.map((m) => m[0]));
    this.hi = Int32Array.from(merged.map((m) => m[1]));
  }

  get any(): boolean {
    return this.lo.length > 0;
  }

  permits(port: number): boolean {
    const lo = this.lo;
    let a = 0;
    let b = lo.length - 1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (lo[m]! > port) b = m - 1;
      else if (this.hi[m]! < port) a = m + 1;
      else return true;
    }
    return false;
  }
}

/** True when `r` has a `cidr` peer that is exactly the /0 of `family` (CT-2). */
export function isZeroPeerRule(r: CompiledRule, family: 4 | 6): boolean {
  if (r.peer.kind !== "cidr" || r.cidrs.length !== 1) return false;
  const text = r.cidrs[0]!;
  // Why: a cheap pre-test; policies can hold many thousands of rules and few are /0.
  if (!text.endsWith("/0")) return false;
  const c = parseCidr(text);
  return c !== undefined && c.family === family && c.prefixLen === 0;
}

const DIR_INGRESS = 0;
const DIR_EGRESS = 1;

/** The per-policy tracking decision. */
export class TrackingClassifier {
  /** [dir][family 0|1][tcp 0 | udp 1] */
  private readonly zero: ZeroPeerPorts[][][];
  private readonly autoTracked: boolean;

  constructor(policy: Pick<CompiledEniPolicy, "ingress" | "egress" | "autoTracked">) {
    this.autoTracked = policy.autoTracked;
    this.zero = [policy.ingress, policy.egress].map((all) => {
      const rules = all.filter((r) => isZeroPeerRule(r, 4) || isZeroPeerRule(r, 6));
      return ([4, 6] as const).map((fam) =>
        [6, 17].map((proto) => {
          const ranges: [number, number][] = [];
          for (const r of rules) {
            if (!isZeroPeerRule(r, fam)) continue;
            if (r.protocol === -1) ranges.push([0, 65535]);
            else if (r.protocol === proto) {
              // Why: a tcp/udp rule always carries a range; -1/-1 would mean "all" if it ever came.
              ranges.push(r.fromPort < 0 ? [0, 65535] : [r.fromPort, r.toPort]);
            }
          }
          return new ZeroPeerPorts(ranges);
        }),
      );
    });
  }

  /**
   * True when a packet in direction `egress` (true: leaving the ENI, false: entering) with no
   * conntrack entry is untracked under CT-2 step 3. The caller has already found a permitting
   * rule of the packet's direction.
   */
  isUntracked(egress: boolean, pkt: DecodedPacket): boolean {
    if (this.autoTracked) return false; // CT-4
    const p = pkt.protocol;
    if (p !== 6 && p !== 17) return false; // CT-2 step 1
    const fi = pkt.family === 4 ? 0 : 1;
    const pi = p === 6 ? 0 : 1;
    const d = this.zero[egress ? DIR_EGRESS : DIR_INGRESS]![fi]![pi]!;
    if (!d.any) return false;
    const r = this.zero[egress ? DIR_INGRESS : DIR_EGRESS]![fi]![pi]!;
    if (!r.any) return false;
    // (a) request orientation
    if (r.all && d.permits(pkt.dstPort)) return true;
    // (b) response orientation
    return d.all && r.permits(pkt.srcPort);
  }
}
