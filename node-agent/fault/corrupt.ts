/**
 * The `corrupt` effect: one bit flipped after the filter, like a bad NIC, where the receiving
 * kernel notices: in the transport payload when there is one (TCP, UDP and ICMP checksums
 * cover it), else in the transport checksum field (a bare SYN, ACK or empty datagram), else
 * (no transport checksum known: other protocols) in the IPv4 header checksum, or for IPv6 in
 * the packet's last byte. Pure.
 */
import { transportChecksumOffset } from "../packet/checksum.js";
import type { DecodedPacket } from "../packet/decoded-packet.js";
import type { FaultRng } from "./prng.js";

/** Flips one bit of the packet at buf[pkt.l3Offset, + pkt.length) in place; returns its byte offset. */
export function corruptPacket(pkt: DecodedPacket, buf: Uint8Array, rng: FaultRng): number {
  const end = pkt.l3Offset + pkt.length;
  let at: number;
  const payload = end - pkt.payloadOffset;
  const csum = pkt.fragmentOffset === 0 ? transportChecksumOffset(pkt.protocol) : -1;
  if (payload > 0) at = pkt.payloadOffset + rng.below(payload);
  else if (csum >= 0) at = pkt.l4Offset + csum + rng.below(2);
  else if (pkt.family === 4) at = pkt.l3Offset + 10 + rng.below(2);
  else at = end - 1;
  buf[at] = buf[at]! ^ (1 << rng.below(8));
  return at;
}
