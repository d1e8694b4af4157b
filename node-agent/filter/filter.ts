/**
 * The data path's filter for one ENI: THE entry point the pipeline calls, once per packet and
 * direction (docs/data-path.md has the full story).
 *
 *   egress  (packet leaves the ENI):  conntrack -> SG egress rules -> NACL outbound (if the
 *                                     destination is in another subnet)
 *   ingress (packet enters the ENI):  NACL inbound (if the source is in another subnet)
 *                                     -> conntrack -> SG ingress rules
 *
 * (DESIGN.md steps 5, 6, 8, 9; AWS-BEHAVIOUR NACL-7.) NACLs are stateless and judge every
 * packet, those of tracked flows included (NACL-8, CT-7). Choices documented here and in
 * docs/data-path.md:
 * - Conntrack only sees packets that pass. A packet dropped anywhere on this ENI's side
 *   (SG, NACL, allowance, invalid TCP transition) neither creates an entry nor advances,
 *   refreshes or counts on one. In particular an egress packet the SG admits but the
 *   outbound NACL denies creates no entry, and a NACL block leaves existing entries exactly as
 *   they were, so the flow revives when the block is lifted before the entry idles out (CT-7).
 * - ICMP errors never match an entry and never create one (CT-9); they pass only by rule and
 *   are reported `tracked: false`. So are TCP RSTs without an entry (tcp-state.ts NO_ENTRY).
 * - A rule change (setPolicy) keeps every entry (CT-5); untracked flows are re-judged on every
 *   packet, so a removed rule cuts them at once (CT-6). With `reclassifyLive` (CT-16) an entry
 *   hit by a packet that the current rules would let through untracked is removed and the
 *   packet passes as untracked.
 *
 * Not pure in the sense of immutable (it owns the conntrack table), but uses no I/O and no
 * clock: time is `nowMs`. Nothing here throws for any packet.
 */

import type { DecodedPacket } from "../packet/decoded-packet.js";
import { DropReason } from "../pipeline/verdict.js";
import type { CompiledEniPolicy, CompiledRule } from "./policy.js";
import { Allowance } from "../conntrack/allowance.js";
import { ConntrackTable, NO_KEY, type ConntrackEntryView } from "../conntrack/conntrack-table.js";
import { Dir, INVALID, NO_ENTRY, TcpState, nextTcpState } from "../conntrack/tcp-state.js";
import { SgMatcher } from "./match.js";
import { NaclMatcher } from "./nacl.js";
import { type CompiledPolicyCache, processPolicyCache } from "./compiled-cache.js";
import { TrackingClassifier } from "./tracking.js";

export type { ConntrackEntryView } from "../conntrack/conntrack-table.js";

/** What the filter decided for one packet on one ENI's side. */
export type FilterResult =
  | {
      readonly action: "allow";
      /** "conntrack": an existing entry let it through; "rule": an SG rule did. */
      readonly via: "conntrack" | "rule";
      /** True when the packet belongs to a tracked flow (an entry exists or was just made). */
      readonly tracked: boolean;
      /** The SG rule that admitted the packet, or (via conntrack) the one that admitted the entry. */
      readonly ruleId?: string;
      /** The NACL entry that allowed it, when a NACL was evaluated. */
      readonly naclRule?: number;
    }
  | {
      readonly action: "drop";
      readonly reason: DropReason;
      /** The NACL entry that denied it (reason nacl_denied), when one matched. */
      readonly naclRule?: number;
      /** nacl_denied on egress after the SG or an entry admitted it: that rule. */
      readonly ruleId?: string;
      /** nacl_denied: an existing conntrack entry matched the packet. */
      readonly established?: boolean;
      /**
       * Ingress drops after the inbound NACL: the entry that allowed the packet (verdict events
       * name it; the flow log's decision, naclRule, names only a denying entry).
       */
      readonly naclAllowedBy?: number;
    };

export interface EniFilterOptions {
  /**
   * The instance's allowance, shared by all its ENIs (MET-1); its owner sets its maximum.
   * Default: a private one whose maximum follows `policy.allowance` on every setPolicy().
   */
  readonly allowance?: Allowance;
  /** CT-16 mode (default false). */
  readonly reclassifyLive?: boolean;
  /** Initial conntrack capacity (grows by doubling). */
  readonly initialCapacity?: number;
  /**
   * Where SG matchers and NACL tables come from: default the process-wide cache (ENIs with the
   * same rules share them, filter/compiled-cache.ts); `null` compiles every policy afresh.
   */
  readonly cache?: CompiledPolicyCache | null;
}

/** Counters of one ENI's filter (MET-3, MET-4 and a few more). */
export interface EniFilterCounters {
  /** Live tracked entries of this ENI (expired but not yet reaped included). */
  readonly trackedEntries: number;
  /** MET-3 `conntrack_allowance_exceeded`: this ENI's packets dropped for lack of allowance. */
  readonly conntrackAllowanceExceeded: number;
  /** MET-4 `conntrack_allowance_available`: the instance's remaining allowance. */
  readonly conntrackAllowanceAvailable: number;
  /** Entries created since start. */
  readonly entriesCreated: number;
  /** Packets admitted by an existing entry. */
  readonly conntrackHits: number;
  /** Packets admitted by a rule without an entry (untracked). */
  readonly untrackedPackets: number;
}

/**
 * Packets one SG rule admitted in one direction without an existing entry: the first packet of
 * each tracked flow and every packet of an untracked one (as a rule counter behind a
 * conntrack-established accept counts). Packets an entry admitted are not counted per rule.
 */
export interface NaclRuleHits {
  /** The NACL (policy.naclId; "" when the controller did not name it). */
  readonly naclId: string;
  readonly direction: "ingress" | "egress";
  /** 32767/32768 are the `*` entries. */
  readonly ruleNumber: number;
  readonly packets: number;
}

export interface RuleHits {
  readonly ruleId: string;
  readonly direction: "ingress" | "egress";
  readonly packets: number;
}

/** One policy revision, compiled for matching. Immutable, but for its rule hit counters. */
class CompiledFilterPolicy {
  readonly ingress: SgMatcher;
  readonly egress: SgMatcher;
  readonly naclIn: NaclMatcher;
  readonly naclOut: NaclMatcher;
  readonly tracking: TrackingClassifier;
  /** Rule hits by index into policy.ingress / policy.egress (RuleHits). */
  readonly ingressHits: Float64Array;
  readonly egressHits: Float64Array;

  constructor(
    readonly policy: CompiledEniPolicy,
    cache: CompiledPolicyCache | null,
  ) {
    if (cache === null) {
      this.ingress = new SgMatcher(policy.ingress);
      this.egress = new SgMatcher(policy.egress);
      this.naclIn = new NaclMatcher(policy.naclIn);
      this.naclOut = new NaclMatcher(policy.naclOut);
    } else {
      this.ingress = cache.sgMatcher(policy.ingress);
      this.egress = cache.sgMatcher(policy.egress);
      this.naclIn = new NaclMatcher(cache.naclTable(policy.naclIn));
      this.naclOut = new NaclMatcher(cache.naclTable(policy.naclOut));
    }
    this.tracking = new TrackingClassifier(policy);
    this.ingressHits = new Float64Array(policy.ingress.length);
    this.egressHits = new Float64Array(policy.egress.length);
  }
}

/** A drop result. */
type FilterDrop = Extract<FilterResult, { action: "drop" }>;

const DROP_SG: FilterDrop = { action: "drop", reason: DropReason.SgNoMatch };
const DROP_CT_INVALID: FilterDrop = { action: "drop", reason: DropReason.CtInvalid };
const DROP_CT_INVALID_FIRST: FilterDrop = { action: "drop", reason: DropReason.CtInvalidFirst };
const DROP_ALLOWANCE: FilterResult = { action: "drop", reason: DropReason.CtAllowance };

/**
 * One ENI's stateful filter: its compiled policy and its conntrack table.
 *
 * Lifecycle: constructed with the first policy; setPolicy() on every new revision; egress()
 * and ingress() per packet; reap() periodically (e.g. every second); conntrackEntries() and
 * counters() for reports. Single-threaded: call from the data-path loop only.
 */
export class EniFilter {
  private compiled: CompiledFilterPolicy;
  private readonly table: ConntrackTable;
  private readonly allowance: Allowance;
  private readonly reclassifyLive: boolean;
  /** True when no allowance was passed in: this filter then sets its maximum from the policy. */
  private readonly ownsAllowance: boolean;
  private exceeded = 0;
  private created = 0;
  private untracked = 0;
  /** NACL entry hits of earlier revisions, by nacl id + "\t" + direction + "\t" + number. */
  private readonly pastNaclHits = new Map<string, number>();
  /** Rule hits of earlier revisions, by direction + "\t" + rule id (setPolicy folds them in). */
  private readonly pastRuleHits = new Map<string, number>();

  private readonly cache: CompiledPolicyCache | null;

  constructor(policy: CompiledEniPolicy, opts: EniFilterOptions = {}) {
    this.cache = opts.cache === undefined ? processPolicyCache : opts.cache;
    this.compiled = new CompiledFilterPolicy(policy, this.cache);
    this.ownsAllowance = opts.allowance === undefined;
    this.allowance = opts.allowance ?? new Allowance(policy.allowance);
    this.reclassifyLive = opts.reclassifyLive ?? false;
    this.table = new ConntrackTable({
      timeouts: policy.timeouts,
      allowance: this.allowance,
      ...(opts.initialCapacity !== undefined ? { initialCapacity: opts.initialCapacity } : {}),
    });
  }

  /** The policy in force. */
  get policy(): CompiledEniPolicy {
    return this.compiled.policy;
  }

  /**
   * Swaps in a new revision atomically: the next packet sees only the new rules. Conntrack is
   * kept (CT-5); the new timeouts apply to existing entries (TO-3); a private allowance takes
   * the new maximum (a shared one is left to its owner, MET-1).
   */
  setPolicy(policy: CompiledEniPolicy): void {
    const next = new CompiledFilterPolicy(policy, this.cache);
    this.foldRuleHits(this.pastRuleHits, this.compiled);
    this.foldNaclHits(this.pastNaclHits, this.compiled);
    this.compiled = next;
    this.table.setTimeouts(policy.timeouts);
    if (this.ownsAllowance) this.allowance.setMax(policy.allowance);
  }

  /**
   * A packet leaving the ENI towards `pkt.dst`. `bytes` is its IP length (for counters; a
   * super-packet's: the bytes of the segments it stands for, `pkt.segments` of them);
   * `crossesSubnet` is true when the destination is in another subnet (then the outbound NACL
   * judges it, NACL-7).
   */
  egress(pkt: DecodedPacket, bytes: number, crossesSubnet: boolean, nowMs: number): FilterResult {
    const c = this.compiled;
    const t = this.table;
    let ref = t.lookup(pkt, nowMs);
    if (ref >= 0 && this.reclassifyLive && c.tracking.isUntracked(true, pkt)) {
      t.remove(ref >> 1); // CT-16
      ref = -1;
    }
    let next = 0;
    let ri = -1;
    let tcpInit = 0;
    if (ref >= 0) {
      next = t.nextState(ref, pkt);
      if (next === INVALID) return DROP_CT_INVALID;
    } else {
      ri = c.egress.match(pkt, pkt.dst);
      if (ri < 0) return DROP_SG;
      tcpInit = this.trackingState(ref, true, pkt);
      if (tcpInit === INVALID) return DROP_CT_INVALID_FIRST;
      if (tcpInit >= 0 && !this.allowance.hasRoom()) return this.allowanceDrop();
    }
    // The one NACL site of egress: after the SG or the entry admitted the packet (NACL-7).
    let naclRule: number | undefined;
    if (crossesSubnet) {
      const v = c.naclOut.evaluate(pkt, pkt.dst);
      if (!v.allow) {
        return ref >= 0
          ? naclDrop(v.ruleNumber, t.ruleIdOf(ref), true)
          : naclDrop(v.ruleNumber, c.policy.egress[ri]!.ruleId, false);
      }
      naclRule = v.ruleNumber;
    }
    if (ref >= 0) {
      t.commit(ref, bytes, nowMs, next, pkt.segments ?? 1);
      return allowConntrack(t.ruleIdOf(ref), naclRule);
    }
    const segs = pkt.segments ?? 1;
    const r = this.admitByRule(
      c.policy.egress[ri]!,
      tcpInit,
      bytes,
      nowMs,
      "egress",
      naclRule,
      segs,
    );
    // A super-packet that opens an entry: its first segment is the rule's hit, the others the
    // entry's (as segments, the others would have matched the entry).
    if (r !== DROP_ALLOWANCE) c.egressHits[ri]! += tcpInit >= 0 ? 1 : segs;
    return r;
  }

  /**
   * A packet entering the ENI from `pkt.src`. `crossesSubnet` is true when the source is in
   * another subnet (then the inbound NACL judges it first, NACL-7).
   */
  ingress(pkt: DecodedPacket, bytes: number, crossesSubnet: boolean, nowMs: number): FilterResult {
    const c = this.compiled;
    const t = this.table;
    let naclRule: number | undefined;
    if (crossesSubnet) {
      const v = c.naclIn.evaluate(pkt, pkt.src);
      if (!v.allow) return naclDrop(v.ruleNumber, undefined, false);
      naclRule = v.ruleNumber;
    }
    let ref = t.lookup(pkt, nowMs);
    if (ref >= 0 && this.reclassifyLive && c.tracking.isUntracked(false, pkt)) {
      t.remove(ref >> 1); // CT-16
      ref = -1;
    }
    if (ref >= 0) {
      const next = t.nextState(ref, pkt);
      if (next === INVALID) return afterNacl(DROP_CT_INVALID, naclRule);
      t.commit(ref, bytes, nowMs, next, pkt.segments ?? 1);
      return allowConntrack(t.ruleIdOf(ref), naclRule);
    }
    const ri = c.ingress.match(pkt, pkt.src);
    if (ri < 0) return afterNacl(DROP_SG, naclRule);
    const rule = c.policy.ingress[ri]!;
    const tcpInit = this.trackingState(ref, false, pkt);
    if (tcpInit === INVALID) return afterNacl(DROP_CT_INVALID_FIRST, naclRule);
    if (tcpInit >= 0 && !this.allowance.hasRoom()) return this.allowanceDrop();
    const segs = pkt.segments ?? 1;
    const r = this.admitByRule(rule, tcpInit, bytes, nowMs, "ingress", naclRule, segs);
    if (r !== DROP_ALLOWANCE) c.ingressHits[ri]! += tcpInit >= 0 ? 1 : segs;
    return r;
  }

  /**
   * For a rule-admitted packet without entry: NO_ENTRY when no entry is to be made
   * (untracked, ICMP error, RST), INVALID when TCP forbids this first packet, else the
   * initial state (TCP: the NONE-column cell; others 0).
   */
  private trackingState(ref: number, egress: boolean, pkt: DecodedPacket): number {
    if (ref === NO_KEY) return NO_ENTRY; // CT-9
    // Why: a non-first fragment carries no transport header (ports 0, no flags); it must not
    // open an entry under a made-up key. It passes only if a rule admits it as decoded.
    if (pkt.fragmentOffset > 0) return NO_ENTRY;
    if (this.compiled.tracking.isUntracked(egress, pkt)) return NO_ENTRY; // CT-2 step 3
    if (pkt.protocol !== 6) return 0;
    return nextTcpState(Dir.ORIGINAL, pkt.tcpFlags, TcpState.NONE);
  }

  private admitByRule(
    rule: CompiledRule,
    tcpInit: number,
    bytes: number,
    nowMs: number,
    openedBy: "egress" | "ingress",
    naclRule: number | undefined,
    segs: number,
  ): FilterResult {
    if (tcpInit < 0) {
      this.untracked += segs;
      return naclRule === undefined
        ? { action: "allow", via: "rule", tracked: false, ruleId: rule.ruleId }
        : { action: "allow", via: "rule", tracked: false, ruleId: rule.ruleId, naclRule };
    }
    // Why: hasRoom() was checked before the NACL, so this cannot fail; a failure would only
    // mean a shared allowance filled in between, which a single-threaded data path rules out.
    if (this.table.insert(this.table.key, bytes, nowMs, tcpInit, rule.ruleId, openedBy, segs) < 0) {
      return this.allowanceDrop();
    }
    this.created++;
    return naclRule === undefined
      ? { action: "allow", via: "rule", tracked: true, ruleId: rule.ruleId }
      : { action: "allow", via: "rule", tracked: true, ruleId: rule.ruleId, naclRule };
  }

  private allowanceDrop(): FilterResult {
    this.exceeded++; // MET-3 per ENI
    this.allowance.noteExceeded(); // MET-3 per instance
    return DROP_ALLOWANCE;
  }

  /**
   * Removes every entry and gives their allowance back; returns how many there were. Chaos
   * `conntrack flush`: the flows' next packets are judged as new by the current rules (an
   * established TCP flow then continues only where CT-15's mid-stream pickup admits it).
   */
  flushConntrack(): number {
    const n = this.table.size;
    this.table.clear();
    return n;
  }

  /**
   * Removes expired entries; returns how many. Call periodically: expired entries never admit
   * packets anyway, but they hold allowance until removed. `maxScan` bounds the work per call
   * (the sweep continues where it stopped); default: the whole table.
   */
  reap(nowMs: number, maxScan?: number): number {
    return this.table.reap(nowMs, maxScan);
  }

  /** Tracked, unexpired entries for reports (CT-14). Allocates. */
  conntrackEntries(nowMs: number): ConntrackEntryView[] {
    return this.table.entries(nowMs, this.compiled.policy.eniId);
  }

  /**
   * Packets an existing conntrack entry admitted, per the SG rule that opened the entry and
   * that rule's direction (issue 13 item 5); since this filter was made. Allocates.
   */
  conntrackRuleHits(): RuleHits[] {
    return this.table.conntrackRuleHits();
  }

  /** Packets per SG rule and direction since this filter was made (RuleHits). Allocates. */
  ruleHits(): RuleHits[] {
    const sums = new Map(this.pastRuleHits);
    this.foldRuleHits(sums, this.compiled);
    return [...sums].map(([key, packets]) => {
      const tab = key.indexOf("\t");
      const direction = key.slice(0, tab) as RuleHits["direction"];
      return { ruleId: key.slice(tab + 1), direction, packets };
    });
  }

  /** Packets per NACL entry and direction (inbound = ingress) since this filter was made. */
  naclRuleHits(): NaclRuleHits[] {
    const sums = new Map(this.pastNaclHits);
    this.foldNaclHits(sums, this.compiled);
    return [...sums].map(([key, packets]) => {
      const [naclId, direction, n] = key.split("\t") as [string, NaclRuleHits["direction"], string];
      return { naclId, direction, ruleNumber: Number(n), packets };
    });
  }

  private foldNaclHits(into: Map<string, number>, c: CompiledFilterPolicy): void {
    const id = c.policy.naclId ?? "";
    for (const [dir, m] of [
      ["ingress", c.naclIn],
      ["egress", c.naclOut],
    ] as const) {
      for (const [n, h] of m.hitsByRule()) {
        const key = `${id}\t${dir}\t${n}`;
        into.set(key, (into.get(key) ?? 0) + h);
      }
    }
  }

  /** Adds a revision's rule hits to `into` (a compiled rule per CIDR shares its rule id). */
  private foldRuleHits(into: Map<string, number>, c: CompiledFilterPolicy): void {
    const add = (direction: string, rules: readonly CompiledRule[], hits: Float64Array): void => {
      for (let i = 0; i < rules.length; i++) {
        const n = hits[i]!;
        if (n === 0) continue;
        const key = `${direction}\t${rules[i]!.ruleId}`;
        into.set(key, (into.get(key) ?? 0) + n);
      }
    };
    add("ingress", c.policy.ingress, c.ingressHits);
    add("egress", c.policy.egress, c.egressHits);
  }

  /** Current counters. */
  counters(): EniFilterCounters {
    return {
      trackedEntries: this.table.size,
      conntrackAllowanceExceeded: this.exceeded,
      conntrackAllowanceAvailable: this.allowance.available(),
      entriesCreated: this.created,
      // Why from the table: it counts each entry-admitted packet once, per opening rule.
      conntrackHits: this.table.conntrackHitsTotal(),
      untrackedPackets: this.untracked,
    };
  }
}

function allowConntrack(ruleId: string, naclRule: number | undefined): FilterResult {
  return naclRule === undefined
    ? { action: "allow", via: "conntrack", tracked: true, ruleId }
    : { action: "allow", via: "conntrack", tracked: true, ruleId, naclRule };
}

/**
 * An ingress drop after the inbound NACL allowed the packet, naming that NACL entry (verdict
 * events); allocates only then (drops only).
 */
function afterNacl(r: FilterDrop, naclRule: number | undefined): FilterResult {
  return naclRule === undefined ? r : { ...r, naclAllowedBy: naclRule };
}

/** A NACL denial; allocates (drops only). */
function naclDrop(
  ruleNumber: number | undefined,
  ruleId: string | undefined,
  established: boolean,
): FilterResult {
  return {
    action: "drop",
    reason: DropReason.NaclDenied,
    ...(ruleNumber !== undefined ? { naclRule: ruleNumber } : {}),
    ...(ruleId !== undefined ? { ruleId } : {}),
    ...(established ? { established } : {}),
  };
}
