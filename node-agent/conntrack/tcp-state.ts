/**
 * The TCP connection-tracking state machine as a data table (STYLE.md §4.5), written from
 * RFC 9293 (not from Linux). A conntrack entry observes both halves of one connection from the
 * middle, so its states name the connection as seen from the *initiator* (the side that sent
 * the entry's first packet, direction ORIGINAL):
 *
 *   NONE --SYN(o)--> SYN_SENT --SYN+ACK(r)--> SYN_RECV --ACK(o)--> ESTABLISHED
 *   ESTABLISHED --FIN(o)--> FIN_WAIT   (initiator closed first, RFC 9293 3.6 "case 1")
 *   ESTABLISHED --FIN(r)--> CLOSE_WAIT (responder closed first, "case 2")
 *   FIN_WAIT --FIN(r)--> LAST_ACK, CLOSE_WAIT --FIN(o)--> LAST_ACK (both FINs seen)
 *   LAST_ACK --ACK--> TIME_WAIT; any --RST--> CLOSE; TIME_WAIT/CLOSE --SYN(o)--> SYN_SENT
 *
 * Cells hold the next state, INVALID (the packet is dropped as ct_invalid_transition and the
 * entry is left alone) or, only for the NONE column, NO_ENTRY (the packet may pass by rule but
 * creates no entry). Timeouts for these states live in timeouts.ts on the same index. Pure.
 */

/** Connection states; the numbers index TCP_TRANSITIONS and the timeout table. */
export const TcpState = {
  NONE: 0,
  SYN_SENT: 1,
  SYN_RECV: 2,
  ESTABLISHED: 3,
  FIN_WAIT: 4,
  CLOSE_WAIT: 5,
  LAST_ACK: 6,
  TIME_WAIT: 7,
  CLOSE: 8,
} as const;
export type TcpState = (typeof TcpState)[keyof typeof TcpState];

/** Names by state number, for reports ("ESTABLISHED", ...). */
export const TCP_STATE_NAMES: readonly string[] = [
  "NONE",
  "SYN_SENT",
  "SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT",
  "CLOSE_WAIT",
  "LAST_ACK",
  "TIME_WAIT",
  "CLOSE",
];

/** Cell value: the packet does not fit the connection; drop it, keep the entry as it is. */
export const INVALID = -1;
/** Cell value (NONE column only): pass by rule, but create no entry. */
export const NO_ENTRY = -2;

/** Packet direction relative to the entry: ORIGINAL = as its first packet, REPLY = reversed. */
export const Dir = { ORIGINAL: 0, REPLY: 1 } as const;
export type Dir = (typeof Dir)[keyof typeof Dir];

/** Flag classes: what a segment means for the connection (RFC 9293 3.1 control bits). */
export const FlagClass = {
  /** SYN without ACK: an open request. */
  SYN: 0,
  /** SYN with ACK: the answer to an open request. */
  SYN_ACK: 1,
  /** FIN (with or without ACK), no SYN, no RST. */
  FIN: 2,
  /** ACK without SYN, FIN or RST: data or a plain acknowledgement. */
  ACK: 3,
  /** RST (whatever else is set). */
  RST: 4,
  /** None of SYN, ACK, FIN, RST: never valid after the handshake (RFC 9293 3.10.7.4 "if the ACK bit is off drop the segment"). */
  NONE: 5,
} as const;
export type FlagClass = (typeof FlagClass)[keyof typeof FlagClass];

/** Classifies a TCP flags byte (FIN=0x01 SYN=0x02 RST=0x04 ACK=0x10). */
export function tcpFlagClass(flags: number): FlagClass {
  if (flags & 0x04) return FlagClass.RST;
  if (flags & 0x02) return flags & 0x10 ? FlagClass.SYN_ACK : FlagClass.SYN;
  if (flags & 0x01) return FlagClass.FIN;
  if (flags & 0x10) return FlagClass.ACK;
  return FlagClass.NONE;
}

const S = TcpState;
const IV = INVALID;

/**
 * TCP_TRANSITIONS[dir][flagClass][state] -> next state | INVALID | NO_ENTRY.
 * Column order in every row: NONE, SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT,
 * LAST_ACK, TIME_WAIT, CLOSE. A comment per cell follows each row.
 */
export const TCP_TRANSITIONS: readonly (readonly (readonly number[])[])[] = [
  // ---------------------------------------------------------------- ORIGINAL (initiator -> responder)
  [
    // SYN
    [S.SYN_SENT, S.SYN_SENT, S.SYN_RECV, S.ESTABLISHED, IV, IV, IV, S.SYN_SENT, S.SYN_SENT],
    // NONE: active OPEN, the first segment of a connection (RFC 9293 3.5).
    // SYN_SENT: retransmitted SYN (3.8.1, the SYN was lost or is slow).
    // SYN_RECV: SYN retransmitted because the SYN-ACK was lost; the responder re-answers (3.10.7.3).
    // ESTABLISHED: stray SYN; the receiver answers with a challenge ACK (3.10.7.4, RFC 5961), connection unchanged.
    // FIN_WAIT: the initiator already closed; a SYN on the same tuple is not a valid segment.
    // CLOSE_WAIT: the initiator is still in the connection; a SYN cannot be valid here.
    // LAST_ACK: both sides closed, final ACK pending; a new SYN is premature.
    // TIME_WAIT: a new incarnation of the connection may start from TIME-WAIT (3.6.1, RFC 6191).
    // CLOSE: the connection was reset; the tuple is reused for a new connection.
    // SYN_ACK
    [IV, IV, S.SYN_RECV, IV, IV, IV, IV, IV, IV],
    // NONE: a SYN-ACK answers nothing we saw; a closed port answers it with RST (3.10.7.1).
    // SYN_SENT: the initiator cannot acknowledge a SYN it has not received.
    // SYN_RECV: simultaneous open, the initiator answers the responder's SYN (3.5, Figure 7).
    // ESTABLISHED: the initiator never sends SYN-ACK on a synchronized connection.
    // FIN_WAIT: not valid after a FIN.
    // CLOSE_WAIT: not valid after a FIN.
    // LAST_ACK: not valid after both FINs.
    // TIME_WAIT: not valid after both FINs.
    // CLOSE: not valid after RST.
    // FIN
    [
      S.FIN_WAIT,
      IV,
      S.FIN_WAIT,
      S.FIN_WAIT,
      S.FIN_WAIT,
      S.LAST_ACK,
      S.LAST_ACK,
      S.TIME_WAIT,
      S.CLOSE,
    ],
    // NONE: mid-stream pickup of a closing flow (AWS-BEHAVIOUR CT-15): the initiator closes.
    // SYN_SENT: a CLOSE in SYN-SENT deletes the TCB without sending a FIN (3.10.4); a FIN is bogus.
    // SYN_RECV: CLOSE in SYN-RECEIVED sends a FIN, the initiator is in FIN-WAIT-1 (3.10.4).
    // ESTABLISHED: active close by the initiator, FIN-WAIT-1 (3.6 case 1).
    // FIN_WAIT: retransmitted FIN.
    // CLOSE_WAIT: the initiator closes after the responder did: both FINs seen, LAST-ACK (3.6 case 2).
    // LAST_ACK: retransmitted FIN.
    // TIME_WAIT: retransmitted FIN (the final ACK was lost); TIME-WAIT restarts (3.10.7.4).
    // CLOSE: late FIN after RST, let through, still closed.
    // ACK
    [
      S.ESTABLISHED,
      IV,
      S.ESTABLISHED,
      S.ESTABLISHED,
      S.FIN_WAIT,
      S.CLOSE_WAIT,
      S.TIME_WAIT,
      S.TIME_WAIT,
      S.CLOSE,
    ],
    // NONE: mid-stream pickup (AWS-BEHAVIOUR CT-15): an ACK without entry starts ESTABLISHED.
    // SYN_SENT: the initiator cannot ACK before the SYN-ACK arrives (3.10.7.3 would reset it).
    // SYN_RECV: third segment of the three-way handshake (3.5 Figure 6 line 4).
    // ESTABLISHED: data / acknowledgement.
    // FIN_WAIT: data ACKs after its own FIN (FIN-WAIT-1/2 receiving data).
    // CLOSE_WAIT: the initiator acknowledges the responder's FIN or still sends data.
    // LAST_ACK: after both FINs, an ACK from the initiator acknowledges the last FIN: TIME-WAIT.
    // TIME_WAIT: retransmitted final ACK.
    // CLOSE: late segment after RST, let through, still closed.
    // RST
    [NO_ENTRY, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE],
    // NONE: a reset for nothing we track passes by rule but opens nothing (3.10.7.1).
    // SYN_SENT: the initiator aborts its open (3.10.5 ABORT).
    // SYN_RECV: abort.
    // ESTABLISHED: abort (3.10.5).
    // FIN_WAIT: abort.
    // CLOSE_WAIT: abort.
    // LAST_ACK: abort.
    // TIME_WAIT: reset in TIME-WAIT closes it.
    // CLOSE: repeated reset.
    // NONE
    [IV, IV, IV, IV, IV, IV, IV, IV, IV],
    // every cell: a segment with neither SYN, ACK, FIN nor RST is dropped (3.10.7.4 "if the ACK bit is off").
  ],
  // ---------------------------------------------------------------- REPLY (responder -> initiator)
  [
    // SYN
    [IV, S.SYN_RECV, IV, S.ESTABLISHED, IV, IV, IV, IV, IV],
    // NONE: unreachable: an entry's first packet always defines ORIGINAL.
    // SYN_SENT: simultaneous open, both sides sent SYN (3.5 Figure 7): SYN-RECEIVED.
    // SYN_RECV: the responder already answered with SYN-ACK; a bare SYN is invalid.
    // ESTABLISHED: stray SYN; challenge ACK (3.10.7.4, RFC 5961), connection unchanged.
    // FIN_WAIT: not valid after a FIN.
    // CLOSE_WAIT: the responder closed; it cannot open again on this tuple.
    // LAST_ACK: not valid after both FINs.
    // TIME_WAIT: only the initiator reopens from TIME-WAIT.
    // CLOSE: only the initiator reopens after RST.
    // SYN_ACK
    [IV, S.SYN_RECV, S.SYN_RECV, S.ESTABLISHED, IV, IV, IV, IV, IV],
    // NONE: unreachable (see SYN).
    // SYN_SENT: the responder answers the SYN (3.5 Figure 6 line 3): SYN-RECEIVED.
    // SYN_RECV: retransmitted SYN-ACK.
    // ESTABLISHED: retransmitted SYN-ACK (the third segment was lost); the initiator re-ACKs.
    // FIN_WAIT: not valid after a FIN.
    // CLOSE_WAIT: not valid after a FIN.
    // LAST_ACK: not valid after both FINs.
    // TIME_WAIT: not valid after both FINs.
    // CLOSE: not valid after RST.
    // FIN
    [IV, IV, IV, S.CLOSE_WAIT, S.LAST_ACK, S.CLOSE_WAIT, S.LAST_ACK, S.TIME_WAIT, S.CLOSE],
    // NONE: unreachable (see SYN).
    // SYN_SENT: the responder is not synchronized; a FIN is bogus.
    // SYN_RECV: the responder closes before the handshake completes; not a valid close.
    // ESTABLISHED: the responder closes first: the initiator is in CLOSE-WAIT (3.6 case 2).
    // FIN_WAIT: the responder answers the initiator's FIN with its own: both FINs seen (3.6 case 1).
    // CLOSE_WAIT: retransmitted FIN.
    // LAST_ACK: retransmitted FIN.
    // TIME_WAIT: retransmitted FIN (the final ACK was lost).
    // CLOSE: late FIN after RST, still closed.
    // ACK
    [
      IV,
      IV,
      S.SYN_RECV,
      S.ESTABLISHED,
      S.FIN_WAIT,
      S.CLOSE_WAIT,
      S.TIME_WAIT,
      S.TIME_WAIT,
      S.CLOSE,
    ],
    // NONE: unreachable (see SYN).
    // SYN_SENT: the responder cannot ACK a SYN without SYN (3.10.7.3).
    // SYN_RECV: simultaneous open acknowledgement; the initiator's ACK completes the handshake.
    // ESTABLISHED: data / acknowledgement.
    // FIN_WAIT: the responder acknowledges the initiator's FIN (FIN-WAIT-2) or still sends data.
    // CLOSE_WAIT: the responder acknowledges data after its FIN.
    // LAST_ACK: after both FINs, an ACK from the responder acknowledges the last FIN: TIME-WAIT.
    // TIME_WAIT: retransmitted final ACK.
    // CLOSE: late segment after RST.
    // RST
    [IV, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE, S.CLOSE],
    // NONE: unreachable (see SYN).
    // SYN_SENT: connection refused (3.10.7.3 "if the RST bit is set ... connection reset").
    // SYN_RECV: the responder aborts.
    // ESTABLISHED: abort.
    // FIN_WAIT: abort.
    // CLOSE_WAIT: abort.
    // LAST_ACK: abort.
    // TIME_WAIT: reset in TIME-WAIT.
    // CLOSE: repeated reset.
    // NONE
    [IV, IV, IV, IV, IV, IV, IV, IV, IV],
    // every cell: no SYN, ACK, FIN or RST: dropped (3.10.7.4).
  ],
];

/**
 * The cell for one segment: next state, INVALID or NO_ENTRY. `state` is TcpState.NONE for a
 * packet that has no entry yet (then `dir` is ORIGINAL).
 */
export function nextTcpState(dir: Dir, flags: number, state: number): number {
  return TCP_TRANSITIONS[dir]?.[tcpFlagClass(flags)]?.[state] ?? INVALID;
}
