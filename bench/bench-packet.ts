/**
 * Shared by the data-path benches: one reusable DecodedPacket (IPv4 TCP SYN to port 443) whose
 * addresses, ports and flags a bench rewrites per flow, as decodePacket would fill them.
 */
import type { DecodedPacket } from "../node-agent/packet/decoded-packet.js";

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A TCP SYN from `remote` to `local`:443; `src`/`dst` are the arrays passed in (not copies). */
export function benchTcpPacket(remote: Uint8Array, local: Uint8Array): Mutable<DecodedPacket> {
  return {
    family: 4,
    src: remote,
    dst: local,
    protocol: 6,
    srcPort: 0,
    dstPort: 443,
    tcpFlags: 0x02,
    tcpSeq: 0,
    tcpAck: 0,
    icmpType: -1,
    icmpCode: -1,
    icmpId: -1,
    icmpError: false,
    fragmentOffset: 0,
    moreFragments: false,
    l3Offset: 0,
    l4Offset: 20,
    payloadOffset: 40,
    length: 40,
  };
}
