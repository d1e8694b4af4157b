/**
 * The verdict event (issue 13 item 1, docs/observability.md "Verdict events"): every decision
 * of the data path, accepted or dropped, as one record. Drop counters, dropped bytes, flow-log
 * decisions, per-rule and NACL-rule hit counters are fed at the same call that builds it
 * (DataPath.drop / DataPath.judged); traces, explain probes and capture subscribe to it.
 *
 * Cost when nothing listens: none beyond one boolean test per decision; the event object, its
 * address texts and the packet view are made only while a listener is subscribed.
 */
import { formatIpAddress } from "../packet/address.js";
import type { DecodedPacket } from "../packet/decoded-packet.js";
import type { FilterVerdict } from "./port.js";
import { DropReason } from "./verdict.js";

/**
 * Why a packet was accepted (the event's `reason` for `verdict: "accept"`), one site each:
 * - `sg_rule`: an SG rule admitted it (a new tracked flow, or an untracked packet); `sgRuleId`
 *   names the rule (filter/filter.ts, egress or ingress);
 * - `conntrack_established`: an existing conntrack entry admitted it; `sgRuleId` names the rule
 *   that opened the entry (filter/filter.ts).
 * A NACL that allowed the packet on the way is named by `naclId` / `naclRuleNumber`.
 */
export const AcceptReason = {
  SgRule: "sg_rule",
  ConntrackEstablished: "conntrack_established",
} as const;
export type AcceptReason = (typeof AcceptReason)[keyof typeof AcceptReason];

/**
 * What conntrack made of the packet:
 * - `new`: the packet opened an entry;
 * - `established`: an existing entry matched it (admitted, or refused by a NACL or TCP);
 * - `untracked`: admitted by rule without an entry (CT-2 untracked flow, ICMP error, RST);
 * - `allowance_exceeded`: it would have opened an entry but the allowance was full (MET-3);
 * - `invalid`: TCP does not allow it (with or without an entry);
 * - `none`: conntrack was not consulted (dropped before it, or no SG rule admitted it).
 */
export type ConntrackState =
  "new" | "established" | "untracked" | "allowance_exceeded" | "invalid" | "none";

/** The NACL catch-all entries (32767 IPv4, 32768 IPv6) are reported as "*". */
export type NaclRuleNumber = number | "*";

/** Rule numbers at or above this are the `*` catch-all entries (filter/policy.ts NaclEntry). */
export const NACL_DEFAULT_RULE = 32767;

/** One decision. Fields that do not apply are absent. */
export interface VerdictEvent {
  /**
   * The port that decided: an ENI id, "ext:<name>" for an external node, or "" when no port
   * was known yet (an underlay datagram refused before its destination was found).
   */
  readonly eniId: string;
  /** egress: leaving `eniId` (read from its TUN); ingress: entering it (or the agent). */
  readonly direction: "ingress" | "egress";
  readonly verdict: "accept" | "drop";
  readonly reason: DropReason | AcceptReason;
  /** Decode and Geneve drops: the check that failed (packet/decode.ts lastDecodeSite). */
  readonly site?: string;
  /** The SG rule that admitted the packet (or opened its conntrack entry). */
  readonly sgRuleId?: string;
  /** `sg_no_match`: the ENI's groups, none of whose rules of the direction matched. */
  readonly noMatchGroups?: readonly string[];
  /** The subnet NACL that judged the packet (only when it crossed subnets). */
  readonly naclId?: string;
  /** The NACL entry that decided ("*" = the default catch-all). */
  readonly naclRuleNumber?: NaclRuleNumber;
  readonly conntrack: ConntrackState;
  /** The chaos fault that dropped the packet. */
  readonly faultId?: string;
  /** Absent when the packet did not decode. */
  readonly protocol?: number;
  readonly src?: string;
  readonly dst?: string;
  /** tcp/udp only. */
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** icmp/icmpv6 only. */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** IP length (the decoded packet's total length, else the bytes the site saw). */
  readonly length: number;
  /** Unix epoch ms of the decision (the data path's batch time). */
  readonly atMs: number;
}

/** `packet`: the IP packet bytes as the site saw them (for Geneve drops: the datagram); a view valid during the call only. */
export type VerdictListener = (event: VerdictEvent, packet: Uint8Array) => void;

/**
 * The data path's verdict subscribers. `active` is the one test each decision pays when
 * nothing listens. A listener that throws is unsubscribed (a listener's bug must not stop
 * forwarding) and reported through `onListenerError`.
 */
export class VerdictEmitter {
  /** True while at least one listener is subscribed. */
  active = false;
  private listeners: VerdictListener[] = [];

  constructor(private readonly onListenerError: (err: unknown) => void = () => undefined) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: VerdictListener): () => void {
    this.listeners = [...this.listeners, listener];
    this.active = true;
    return () => this.unsubscribe(listener);
  }

  /** Listeners subscribed. */
  get size(): number {
    return this.listeners.length;
  }

  /** Calls every listener with the event. */
  emit(event: VerdictEvent, packet: Uint8Array): void {
    for (const l of this.listeners) {
      try {
        l(event, packet);
      } catch (err) {
        this.unsubscribe(l);
        this.onListenerError(err);
      }
    }
  }

  private unsubscribe(listener: VerdictListener): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
    this.active = this.listeners.length > 0;
  }
}

/** A NACL rule number as events report it. */
export function naclRuleNumberOf(n: number): NaclRuleNumber {
  return n >= NACL_DEFAULT_RULE ? "*" : n;
}

/** A VerdictEvent being built (events are built only while someone listens). */
export type EventDraft = { -readonly [K in keyof VerdictEvent]: VerdictEvent[K] };

/** IPv4 texts by address number; bounded (cleared when full). Why: formatting costs ~150 ns. */
const ipv4Texts = new Map<number, string>();
const IPV4_TEXTS_MAX = 4096;

function ipv4Text(b: Uint8Array, o: number): string {
  const n = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  let t = ipv4Texts.get(n);
  if (t === undefined) {
    t = `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
    if (ipv4Texts.size >= IPV4_TEXTS_MAX) ipv4Texts.clear();
    ipv4Texts.set(n, t);
  }
  return t;
}

function addressText(a: Uint8Array): string {
  return a.length === 4 ? ipv4Text(a, 0) : formatIpAddress(a);
}

/**
 * Sets the 5-tuple and ICMP type/code of a decoded packet on `e`; of an undecoded one, what its
 * fixed IP header tells (protocol and addresses) when it is long enough and of a known version.
 */
export function setPacketFields(
  e: EventDraft,
  pkt: DecodedPacket | undefined,
  buf: Uint8Array | undefined,
  off: number,
  len: number,
): void {
  if (pkt !== undefined) {
    e.protocol = pkt.protocol;
    e.src = addressText(pkt.src);
    e.dst = addressText(pkt.dst);
    if (pkt.protocol === 6 || pkt.protocol === 17) {
      e.srcPort = pkt.srcPort;
      e.dstPort = pkt.dstPort;
    } else if (pkt.icmpType >= 0) {
      e.icmpType = pkt.icmpType;
      e.icmpCode = pkt.icmpCode;
    }
    return;
  }
  if (buf === undefined || len < 1 || off < 0 || off + len > buf.length) return;
  const v = buf[off]! >> 4;
  if (v === 4 && len >= 20) {
    e.protocol = buf[off + 9]!;
    e.src = ipv4Text(buf, off + 12);
    e.dst = ipv4Text(buf, off + 16);
  } else if (v === 6 && len >= 40) {
    e.protocol = buf[off + 6]!;
    e.src = formatIpAddress(buf.subarray(off + 8, off + 24));
    e.dst = formatIpAddress(buf.subarray(off + 24, off + 40));
  }
}

/** What conntrack made of a filter verdict (see ConntrackState). */
export function conntrackStateOf(r: FilterVerdict): ConntrackState {
  if (r.action === "allow") {
    return r.via === "conntrack" ? "established" : r.tracked === false ? "untracked" : "new";
  }
  switch (r.reason) {
    case DropReason.CtInvalid:
    case DropReason.CtInvalidFirst:
      return "invalid";
    case DropReason.CtAllowance:
      return "allowance_exceeded";
    default:
      return r.established === true ? "established" : "none";
  }
}
