/**
 * What a NAT gateway does to one packet that reached its interface (docs/routing.md NAT-8,
 * NAT-9): pure, in place, on an IPv4 packet the pipeline already decoded and judged (its
 * subnet's NACL, the interface's conntrack).
 *
 *   to the NAT gateway's own address (a reply from the internet after the internet gateway's
 *   1:1 NAT, or anything else sent to it): the translation it belongs to gives the inner
 *   address and port back (destination rewritten); none: `nat_no_mapping` (unsolicited)
 *   anything else (an instance's packet that its route table sent here, destination kept):
 *   source rewritten to the NAT gateway's address and a port of the translation table
 *   (new flows get one: none free, `nat_port_exhausted`)
 *
 * TCP, UDP and ICMP echo (identifier as port) are translated; other protocols, IPv6, ICMP
 * errors and fragments without a transport header are `nat_unsupported`. Checksums are
 * updated incrementally (packet/nat.ts). The caller sends the packet on as the NAT gateway's
 * interface's own (its route table, NACL; the internet gateway maps its private address to
 * the Elastic IP).
 */
import { decodePacket } from "../packet/decode.js";
import {
  rewriteIcmpEchoId,
  rewriteIpv4Destination,
  rewriteIpv4Source,
  rewriteL4Port,
} from "../packet/nat.js";
import type { TranslationTable } from "./translation-table.js";

/** Why a NAT gateway dropped a packet; pipeline/verdict.ts DropReason carries the same labels. */
export type NatDrop = "nat_no_mapping" | "nat_port_exhausted" | "nat_unsupported";

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ECHO_REPLY = 0;
const ECHO_REQUEST = 8;

/**
 * Translates the packet at buf[off, off + len) in place for the NAT gateway whose private
 * address is `natAddr` (4 bytes); undefined when it goes on, else the drop reason.
 */
export function translatePacket(
  table: TranslationTable,
  natAddr: Uint8Array,
  buf: Uint8Array,
  off: number,
  len: number,
  nowMs: number,
): NatDrop | undefined {
  const pkt = decodePacket(buf, off, len);
  if (typeof pkt === "string" || pkt.family !== 4) return "nat_unsupported";
  const proto = pkt.protocol;
  const ported = (proto === TCP || proto === UDP) && pkt.fragmentOffset === 0;
  const echo = proto === ICMP && pkt.icmpId >= 0 && !pkt.icmpError;
  if (!ported && !echo) return "nat_unsupported";
  const d = pkt.dst;
  const toNat =
    d[0] === natAddr[0] && d[1] === natAddr[1] && d[2] === natAddr[2] && d[3] === natAddr[3];
  if (toNat) {
    if (echo && pkt.icmpType !== ECHO_REPLY) return "nat_no_mapping";
    const t = table.inbound(
      proto,
      pkt.src,
      echo ? 0 : pkt.srcPort,
      echo ? pkt.icmpId : pkt.dstPort,
      nowMs,
    );
    if (t === undefined) return "nat_no_mapping";
    rewriteIpv4Destination(buf, pkt, t.innerAddr);
    if (echo) rewriteIcmpEchoId(buf, pkt, t.innerPort);
    else rewriteL4Port(buf, pkt, 2, t.innerPort);
    return undefined;
  }
  if (echo && pkt.icmpType !== ECHO_REQUEST) return "nat_unsupported";
  const t = table.outbound(
    proto,
    pkt.src,
    echo ? pkt.icmpId : pkt.srcPort,
    d,
    echo ? 0 : pkt.dstPort,
    nowMs,
  );
  if (t === "port_exhausted") return "nat_port_exhausted";
  rewriteIpv4Source(buf, pkt, natAddr);
  if (echo) rewriteIcmpEchoId(buf, pkt, t.natPort);
  else rewriteL4Port(buf, pkt, 0, t.natPort);
  return undefined;
}
