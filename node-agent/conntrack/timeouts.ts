/**
 * Conntrack idle timeouts (AWS-BEHAVIOUR TO-1..TO-7). An entry expires when
 * `nowMs >= lastSeenMs + timeoutMs(...)`, computed with the ENI's *current* timeouts, so a
 * changed timeout applies to existing entries at once (TO-3). Pure.
 */

import type { ConntrackTimeouts } from "../filter/policy.js";
import { TcpState } from "./tcp-state.js";

/**
 * Non-ESTABLISHED TCP timeouts in seconds, indexed like TcpState (AWS-BEHAVIOUR TO-4: AWS does
 * not publish them; vpcemu uses the Linux defaults). ESTABLISHED is the ENI's tcpEstablished
 * (TO-1) and is not read from this table.
 */
export const TCP_STATE_TIMEOUT_S: readonly number[] = [
  10, // NONE: never stored; a value for completeness
  120, // SYN_SENT (TO-4)
  60, // SYN_RECV (TO-4)
  432_000, // ESTABLISHED: replaced by ConntrackTimeouts.tcpEstablished (TO-1)
  120, // FIN_WAIT (TO-4)
  60, // CLOSE_WAIT (TO-4)
  30, // LAST_ACK (TO-4)
  120, // TIME_WAIT (TO-4)
  10, // CLOSE (TO-4)
];

/** ICMP and ICMPv6 entries: 30 s (AWS-BEHAVIOUR TO-5). */
export const ICMP_TIMEOUT_S = 30;
/** Other protocols (address pair + protocol): 600 s, not configurable (TO-6, CT-10). */
export const OTHER_PROTOCOL_TIMEOUT_S = 600;

/** Timeout class of an entry: how timeoutMs() picks its value. */
export const TimeoutClass = { TCP: 0, UDP: 1, ICMP: 2, OTHER: 3 } as const;
export type TimeoutClass = (typeof TimeoutClass)[keyof typeof TimeoutClass];

/**
 * Idle timeout in milliseconds. `state` is the TcpState for TCP; for UDP it is 1 when the flow
 * is a stream (the initiator sent again after a reply, TO-7), else 0.
 */
export function timeoutMs(cls: number, state: number, t: ConntrackTimeouts): number {
  switch (cls) {
    case TimeoutClass.TCP:
      return state === TcpState.ESTABLISHED
        ? t.tcpEstablished * 1000
        : (TCP_STATE_TIMEOUT_S[state] ?? 10) * 1000;
    case TimeoutClass.UDP:
      return (state === 1 ? t.udpStream : t.udp) * 1000;
    case TimeoutClass.ICMP:
      return ICMP_TIMEOUT_S * 1000;
    default:
      return OTHER_PROTOCOL_TIMEOUT_S * 1000;
  }
}

/** Precomputed per-state timeouts of one ENI in ms, rebuilt when its timeouts change (TO-3). */
export class TimeoutTable {
  /** [cls * 16 + state] -> ms. */
  private readonly ms = new Float64Array(64);

  constructor(timeouts: ConntrackTimeouts) {
    for (let cls = 0; cls < 4; cls++) {
      for (let st = 0; st < 16; st++) this.ms[cls * 16 + st] = timeoutMs(cls, st, timeouts);
    }
  }

  /** Same as timeoutMs() for the timeouts given at construction. */
  get(cls: number, state: number): number {
    return this.ms[cls * 16 + state] ?? 0;
  }
}
