/**
 * The verdict event (issue 13 item 1, docs/observability.md "Verdict events", VE-1..VE-6): the
 * real egress/ingress pipeline of one agent hosting two ENIs in two subnets (local delivery, so
 * both directions of both ENIs are judged), a listener on dp.verdicts. Each decision is one
 * event naming its site; counters read the same decision.
 */
import { describe, expect, it } from "vitest";
import { EniFilter } from "../../../../node-agent/filter/filter.js";
import {
  DEFAULT_CONNTRACK_TIMEOUTS,
  type CompiledEniPolicy,
  type CompiledRule,
  type MappingEntry,
  type NaclEntry,
} from "../../../../node-agent/filter/policy.js";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  encodeEniOption,
  vniForVpc,
  writeGeneveHeader,
} from "../../../../node-agent/overlay/geneve.js";
import { receiveDatagram } from "../../../../node-agent/pipeline/ingress.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import { DataPath, Outbox } from "../../../../node-agent/pipeline/data-path.js";
import { forwardFromTun } from "../../../../node-agent/pipeline/egress.js";
import { Port } from "../../../../node-agent/pipeline/port.js";
import { RouteTable } from "../../../../node-agent/pipeline/route-table.js";
import type { VerdictEvent } from "../../../../node-agent/pipeline/verdict-event.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { FakeTun } from "../../../helpers/fake-tun.js";
import { MemoryBus } from "../../../helpers/memory-transport.js";
import { buildTcp } from "../../../helpers/packet-builder.js";

const A = "10.0.1.10";
const B = "10.0.2.20";

function rule(
  ruleId: string,
  groupId: string,
  proto: number,
  from: number,
  to: number,
  cidr: string,
): CompiledRule {
  return {
    ruleId,
    groupId,
    protocol: proto,
    fromPort: from,
    toPort: to,
    cidrs: [cidr],
    peer: { kind: "cidr" },
  };
}

function nacl(
  ruleNumber: number,
  action: "allow" | "deny",
  from: number,
  to: number,
  cidr = "10.0.0.0/16",
): NaclEntry {
  return {
    ruleNumber,
    action,
    protocol: from < 0 ? -1 : 6,
    cidr,
    fromPort: from,
    toPort: to,
    icmpType: -1,
    icmpCode: -1,
  };
}

const STAR = nacl(32767, "deny", -1, -1, "0.0.0.0/0");

function policy(
  p: Partial<CompiledEniPolicy> & Pick<CompiledEniPolicy, "eniId" | "subnetId" | "ipv4">,
): CompiledEniPolicy {
  return {
    revision: 1,
    instanceId: `i-${p.eniId}`,
    vpcId: "vpc-1",
    ipv6: [],
    sourceDestCheck: true,
    ingress: [],
    egress: [],
    naclIn: [],
    naclOut: [],
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: 1000,
    autoTracked: false,
    ...p,
  };
}

const POLICY_A = policy({
  eniId: "eni-a",
  subnetId: "subnet-a",
  ipv4: [A],
  groupIds: ["sg-web"],
  naclId: "acl-a",
  ingress: [rule("sgr-a-in", "sg-web", 6, 443, 443, "0.0.0.0/0")],
  egress: [rule("sgr-a-out", "sg-web", -1, -1, -1, "10.0.0.0/16")],
  naclIn: [nacl(100, "allow", -1, -1), STAR],
  naclOut: [nacl(100, "allow", -1, -1), STAR],
});

const POLICY_B = policy({
  eniId: "eni-b",
  subnetId: "subnet-b",
  ipv4: [B],
  groupIds: ["sg-db", "sg-admin"],
  naclId: "acl-b",
  ingress: [rule("sgr-b-ssh", "sg-admin", 6, 22, 22, "10.0.1.0/24")],
  egress: [rule("sgr-b-out", "sg-db", -1, -1, -1, "10.0.0.0/16")],
  naclIn: [
    nacl(100, "allow", 22, 22),
    nacl(110, "deny", 5432, 5432),
    nacl(120, "allow", 80, 80),
    STAR,
  ],
  naclOut: [nacl(100, "allow", -1, -1), STAR],
});

function mapping(eniId: string, address: string, subnetId: string): MappingEntry {
  return {
    address,
    eniId,
    subnetId,
    vpcId: "vpc-1",
    agentId: "agent-a",
    endpoint: "127.0.0.1:7001",
  };
}

function rig() {
  let now = 1_000_000;
  const dp = new DataPath("agent-a", undefined, { warn: () => undefined }, () => now);
  const tunA = new FakeTun({ name: "a" });
  const tunB = new FakeTun({ name: "b" });
  dp.enis.set(
    "eni-a",
    Port.forEni(POLICY_A, new EniFilter(POLICY_A), tunA, () => undefined),
  );
  dp.enis.set(
    "eni-b",
    Port.forEni(POLICY_B, new EniFilter(POLICY_B), tunB, () => undefined),
  );
  dp.routes = new RouteTable([mapping("eni-a", A, "subnet-a"), mapping("eni-b", B, "subnet-b")]);
  const outbox = new Outbox(new MemoryBus().transport("127.0.0.1:7001"));
  const events: VerdictEvent[] = [];
  const packets: number[] = [];
  const unsubscribe = dp.verdicts.subscribe((e, p) => {
    events.push(e);
    packets.push(p.length);
  });
  /** eni-a's node sends `pkt`; returns the events it caused. */
  const send = (from: "eni-a" | "eni-b", pkt: Uint8Array): VerdictEvent[] => {
    const buf = new Uint8Array(ENCAP_HEADROOM + pkt.length + 16);
    buf.set(pkt, ENCAP_HEADROOM);
    const before = events.length;
    forwardFromTun(dp, dp.enis.get(from)!, outbox, buf, ENCAP_HEADROOM, pkt.length, now++);
    return events.slice(before);
  };
  return { dp, send, events, packets, unsubscribe };
}

const syn = (src: string, dst: string, sport: number, dport: number, flags: number = TcpFlag.SYN) =>
  buildTcp({ src, dst, srcPort: sport, dstPort: dport, flags });

describe("verdict events (docs/observability.md VE-1..VE-6)", () => {
  it("VE-2: an accept names the SG rule, the NACL and its entry, and the conntrack state on both sides", () => {
    const { send, packets } = rig();
    const ev = send("eni-a", syn(A, B, 40000, 22));
    expect(ev).toEqual([
      expect.objectContaining({
        eniId: "eni-a",
        direction: "egress",
        verdict: "accept",
        reason: "sg_rule",
        sgRuleId: "sgr-a-out",
        naclId: "acl-a",
        naclRuleNumber: 100,
        conntrack: "new",
        protocol: 6,
        src: A,
        dst: B,
        srcPort: 40000,
        dstPort: 22,
        length: 40,
      }),
      expect.objectContaining({
        eniId: "eni-b",
        direction: "ingress",
        verdict: "accept",
        reason: "sg_rule",
        sgRuleId: "sgr-b-ssh",
        naclId: "acl-b",
        naclRuleNumber: 100,
        conntrack: "new",
      }),
    ]);
    expect(packets).toEqual([40, 40]);
    // The reply: established on both sides, named by the rule that opened each entry.
    const reply = send("eni-b", syn(B, A, 22, 40000, TcpFlag.SYN | TcpFlag.ACK));
    expect(reply.map((e) => [e.eniId, e.direction, e.reason, e.sgRuleId, e.conntrack])).toEqual([
      ["eni-b", "egress", "conntrack_established", "sgr-b-ssh", "established"],
      ["eni-a", "ingress", "conntrack_established", "sgr-a-out", "established"],
    ]);
  });

  it("VE-3: an SG drop names the ENI's groups; a NACL drop its entry or the default `*`", () => {
    const { dp, send } = rig();
    const sg = send("eni-a", syn(A, B, 40001, 80)).at(-1)!;
    expect(sg).toMatchObject({
      eniId: "eni-b",
      direction: "ingress",
      verdict: "drop",
      reason: DropReason.SgNoMatch,
      noMatchGroups: ["sg-db", "sg-admin"],
      naclRuleNumber: 120,
      conntrack: "none",
    });
    const denied = send("eni-a", syn(A, B, 40002, 5432)).at(-1)!;
    expect(denied).toMatchObject({
      reason: DropReason.NaclDenied,
      naclId: "acl-b",
      naclRuleNumber: 110,
    });
    const star = send("eni-a", syn(A, B, 40003, 3306)).at(-1)!;
    expect(star).toMatchObject({ reason: DropReason.NaclDenied, naclRuleNumber: "*" });
    // Counters read the same decisions: packets and IP bytes per reason on eni-b.
    expect(dp.drops.forPort("eni-b")).toMatchObject({ sg_no_match: 1, nacl_denied: 2 });
    expect(dp.drops.bytesForPort("eni-b")).toMatchObject({ sg_no_match: 40, nacl_denied: 80 });
  });

  it("VE-4: pipeline drops carry the packet as the site saw it; decode drops name the check", () => {
    const { send } = rig();
    const spoofed = send("eni-a", syn("10.0.1.99", B, 40004, 22));
    expect(spoofed).toEqual([
      expect.objectContaining({
        eniId: "eni-a",
        direction: "egress",
        verdict: "drop",
        reason: "source_check",
        src: "10.0.1.99",
        dst: B,
        dstPort: 22,
        conntrack: "none",
      }),
    ]);
    const noRoute = send("eni-a", syn(A, "10.0.9.9", 40005, 22));
    expect(noRoute).toEqual([expect.objectContaining({ reason: "no_route", dst: "10.0.9.9" })]);
    // An IPv4 header that claims 60 bytes (IHL 15) in a 40-byte packet.
    const bad = syn(A, B, 40006, 22);
    bad[0] = 0x4f;
    const [d] = send("eni-a", bad);
    expect(d).toMatchObject({
      reason: DropReason.Truncated,
      site: "ipv4_header",
      src: A,
      dst: B,
      length: 40,
    });
    expect(d!.srcPort).toBeUndefined();
  });

  it("VE-5: a rejected first packet is ct_invalid_first_packet with conntrack `invalid`", () => {
    const { send } = rig();
    const [, ingress] = send("eni-a", syn(A, B, 40007, 22, TcpFlag.SYN | TcpFlag.ACK));
    expect(ingress).toBeUndefined();
    // The SYN-ACK without an entry is refused on egress already (eni-a's side).
    const ev = send("eni-a", syn(A, B, 40008, 22, TcpFlag.SYN | TcpFlag.ACK));
    expect(ev).toEqual([
      expect.objectContaining({
        eniId: "eni-a",
        direction: "egress",
        reason: DropReason.CtInvalidFirst,
        conntrack: "invalid",
      }),
    ]);
  });

  it("VE-6: nothing is emitted once the last listener left", () => {
    const { dp, send, events, unsubscribe } = rig();
    unsubscribe();
    expect(dp.verdicts.active).toBe(false);
    send("eni-a", syn(A, B, 40009, 22));
    send("eni-a", syn(A, B, 40010, 5432));
    expect(events).toEqual([]);
    expect(dp.drops.forPort("eni-b").nacl_denied).toBe(1);
  });

  it("VE-4: underlay drops: Geneve and decode checks name their site; the ENI side names the port", () => {
    const { dp, events } = rig();
    const at = (inner: Uint8Array, vni: number, src = "eni-x", dst = "eni-b") => {
      const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
      buf.set(inner, ENCAP_HEADROOM);
      const o = writeGeneveHeader(
        buf,
        ENCAP_HEADROOM,
        vni,
        ETHERTYPE_IPV4,
        encodeEniOption(src),
        encodeEniOption(dst),
      );
      return buf.subarray(o);
    };
    const from = "127.0.0.1:7009";
    // Garbage: Geneve version 3, before any port is known.
    receiveDatagram(dp, Uint8Array.of(0xc0, 0, 0x08, 0, 0, 0, 1, 0), from, 1);
    expect(events.at(-1)).toMatchObject({
      eniId: "",
      direction: "ingress",
      reason: "bad_encapsulation",
      site: "geneve_version",
      length: 8,
    });
    // A datagram for an ENI this agent does not host.
    receiveDatagram(dp, at(syn(A, B, 40100, 22), vniForVpc("vpc-1"), "eni-a", "eni-zz"), from, 1);
    expect(events.at(-1)).toMatchObject({
      eniId: "",
      reason: "no_destination_port",
      src: A,
      dst: B,
      dstPort: 22,
    });
    // eni-a's address from an endpoint that is not eni-a's agent: the destination port is known.
    receiveDatagram(dp, at(syn(A, B, 40101, 22), vniForVpc("vpc-1"), "eni-a", "eni-b"), from, 1);
    expect(events.at(-1)).toMatchObject({
      eniId: "eni-b",
      direction: "ingress",
      reason: "spoofed_underlay",
      srcPort: 40101,
    });
    // A truncated inner packet: the decode check names itself.
    const short = syn(A, B, 40102, 22).subarray(0, 30);
    receiveDatagram(dp, at(short, vniForVpc("vpc-1")), from, 1);
    expect(events.at(-1)).toMatchObject({ eniId: "", reason: "truncated", site: "ipv4_header" });
    expect(dp.drops.forPort("")).toMatchObject({
      bad_encapsulation: 1,
      no_destination_port: 1,
      truncated: 1,
    });
  });
});
