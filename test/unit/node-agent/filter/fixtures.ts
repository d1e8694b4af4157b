/**
 * Small builders for filter and conntrack tests: compiled policies, rules, NACL entries and
 * decoded packets (built with test/helpers/packet-builder.ts, decoded with decodePacket).
 */
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import {
  DEFAULT_CONNTRACK_MAX,
  DEFAULT_CONNTRACK_TIMEOUTS,
  type CompiledEniPolicy,
  type CompiledRule,
  type NaclEntry,
} from "../../../../node-agent/filter/policy.js";
import {
  buildIcmp,
  buildIcmpEcho,
  buildIcmpError,
  buildIpPacket,
  buildTcp,
  buildUdp,
} from "../../../helpers/packet-builder.js";

export { TcpFlag };

let ruleSeq = 0;

/** A `cidr`-peer rule. Protocol "tcp" | "udp" | "icmp" | "icmpv6" | "-1" | number. */
export function rule(
  protocol: string | number,
  from: number,
  to: number,
  cidr: string,
  ruleId = `sgr-${(++ruleSeq).toString(16).padStart(8, "0")}`,
): CompiledRule {
  const p =
    typeof protocol === "number"
      ? protocol
      : ({ tcp: 6, udp: 17, icmp: 1, icmpv6: 58, "-1": -1 } as Record<string, number>)[protocol];
  if (p === undefined) throw new Error(`bad protocol ${protocol}`);
  return {
    ruleId,
    groupId: "sg-00000001",
    protocol: p,
    fromPort: from,
    toPort: to,
    cidrs: [cidr],
    peer: { kind: "cidr" },
  };
}

/** A rule with an SG peer expanded to member addresses. */
export function sgRule(
  protocol: number,
  from: number,
  to: number,
  members: string[],
  groupId: string,
  ruleId = `sgr-${(++ruleSeq).toString(16).padStart(8, "0")}`,
): CompiledRule {
  return {
    ruleId,
    groupId: "sg-00000001",
    protocol,
    fromPort: from,
    toPort: to,
    cidrs: members,
    peer: { kind: "sg", groupId },
  };
}

/** A NACL entry. Ports are for tcp/udp, icmp fields for 1/58. */
export function nacl(
  ruleNumber: number,
  action: "allow" | "deny",
  protocol: number,
  cidr: string,
  ports: [number, number] = [-1, -1],
  icmp: [number, number] = [-1, -1],
): NaclEntry {
  return {
    ruleNumber,
    action,
    protocol,
    cidr,
    fromPort: ports[0],
    toPort: ports[1],
    icmpType: icmp[0],
    icmpCode: icmp[1],
  };
}

/** The AWS default NACL (DEF-5): allow all v4/v6, then the `*` denies. */
export const DEFAULT_NACL: NaclEntry[] = [
  nacl(100, "allow", -1, "0.0.0.0/0"),
  nacl(101, "allow", -1, "::/0"),
  nacl(32767, "deny", -1, "0.0.0.0/0"),
  nacl(32768, "deny", -1, "::/0"),
];

/** A compiled policy for ENI eni-a (10.0.1.10, 2001:db8:1::10) with overrides. */
export function policy(p: Partial<CompiledEniPolicy> = {}): CompiledEniPolicy {
  return {
    revision: 1,
    eniId: "eni-a",
    instanceId: "i-a",
    vpcId: "vpc-1",
    subnetId: "subnet-1",
    ipv4: ["10.0.1.10"],
    ipv6: ["2001:db8:1::10"],
    sourceDestCheck: true,
    ingress: [],
    egress: [],
    naclIn: DEFAULT_NACL,
    naclOut: DEFAULT_NACL,
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: DEFAULT_CONNTRACK_MAX,
    autoTracked: false,
    ...p,
  };
}

function decode(buf: Uint8Array): DecodedPacket {
  const d = decodePacket(buf, 0, buf.length);
  if (typeof d === "string") throw new Error(`fixture packet does not decode: ${d}`);
  return d;
}

/** A decoded TCP segment. */
export function tcp(
  src: string,
  srcPort: number,
  dst: string,
  dstPort: number,
  flags: number = TcpFlag.ACK,
): DecodedPacket {
  return decode(buildTcp({ src, dst, srcPort, dstPort, flags }));
}

/** A decoded UDP datagram. */
export function udp(src: string, srcPort: number, dst: string, dstPort: number): DecodedPacket {
  return decode(buildUdp({ src, dst, srcPort, dstPort }));
}

/** A decoded ICMP/ICMPv6 echo request (or reply). */
export function echo(src: string, dst: string, id: number, reply = false): DecodedPacket {
  return decode(buildIcmpEcho({ src, dst, id, seq: 1, reply }));
}

/** A decoded ICMP/ICMPv6 message of any type/code. */
export function icmp(src: string, dst: string, type: number, code: number): DecodedPacket {
  return decode(buildIcmp({ src, dst, type, code }));
}

/** A decoded ICMP error quoting `quoted`. */
export function icmpError(
  src: string,
  dst: string,
  type: number,
  code: number,
  quoted: Uint8Array,
  rest = 0,
): DecodedPacket {
  return decode(buildIcmpError({ src, dst, type, code, quoted, rest }));
}

/** A decoded packet of another protocol (e.g. 47 GRE). */
export function other(src: string, dst: string, protocol: number): DecodedPacket {
  return decode(buildIpPacket({ src, dst, protocol, payload: new Uint8Array(8) }));
}

/** A decoded non-first fragment (offset in bytes, a multiple of 8) of protocol `protocol`. */
export function fragment(
  src: string,
  dst: string,
  protocol: number,
  offset: number,
): DecodedPacket {
  return decode(
    buildIpPacket({
      src,
      dst,
      protocol,
      payload: new Uint8Array(16),
      fragment: { offset, more: false },
    }),
  );
}

/** Raw TCP bytes (for ICMP error quotes). */
export function tcpBytes(src: string, srcPort: number, dst: string, dstPort: number): Uint8Array {
  return buildTcp({ src, dst, srcPort, dstPort, flags: TcpFlag.ACK });
}
