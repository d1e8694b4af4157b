/**
 * The decoded view of one IP packet: what decodePacket() (packet/decode.ts) returns on
 * success. Addresses are views into the caller's buffer (valid only while it is), every other
 * field is a copied number. Pure type module, the contract between packet/ and conntrack/filter.
 */
export interface DecodedPacket {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Source address: 4 bytes (IPv4) or 16 bytes (IPv6), network order; a view, not a copy. */
  readonly src: Uint8Array;
  /** Destination address, as src. */
  readonly dst: Uint8Array;
  /** Transport protocol number (IPv6: the one after the extension-header chain). */
  readonly protocol: number;
  /** TCP/UDP ports; 0 for other protocols and for non-first fragments. */
  readonly srcPort: number;
  readonly dstPort: number;
  /** TCP flags byte (FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ECE=0x40 CWR=0x80); 0 otherwise. */
  readonly tcpFlags: number;
  /** TCP sequence and acknowledgement numbers (unsigned 32-bit); 0 otherwise. */
  readonly tcpSeq: number;
  readonly tcpAck: number;
  /** ICMP/ICMPv6 type and code; -1 for other protocols. */
  readonly icmpType: number;
  readonly icmpCode: number;
  /** ICMP/ICMPv6 echo identifier for echo request/reply; -1 otherwise. */
  readonly icmpId: number;
  /** True for ICMP/ICMPv6 error messages (v4 types 3,4,5,11,12; v6 types 1-4). */
  readonly icmpError: boolean;
  /** Fragment offset in bytes (0 for unfragmented packets and first fragments). */
  readonly fragmentOffset: number;
  /** More-fragments flag. */
  readonly moreFragments: boolean;
  /** Offset of the IP header in the buffer (the `off` passed to decodePacket). */
  readonly l3Offset: number;
  /** Offset of the transport header; for non-first fragments, of the fragment payload. */
  readonly l4Offset: number;
  /** Offset of the transport payload (after the TCP/UDP/ICMP header). */
  readonly payloadOffset: number;
  /** Total IP packet length in bytes (header + payload) as the header states it. */
  readonly length: number;
  /**
   * Packets this one stands for: set by the pipeline on a TUN offload super-packet
   * (packet/virtio-net.ts segmentCount); absent = 1. Conntrack, rule and NACL hits, counters and
   * flow logs count it.
   */
  readonly segments?: number;
}

/** IANA protocol numbers the data path treats specially. */
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

/** TCP flag bits (RFC 9293 3.1). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;
