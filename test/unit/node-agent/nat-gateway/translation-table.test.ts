/**
 * A NAT gateway's translation table and its per-packet step (docs/routing.md NAT-8..NAT-11):
 * source address and port translated for outbound flows, replies translated back, unsolicited
 * inbound refused (`nat_no_mapping`), translations reused while live, expired after 350 s idle
 * on a manual clock (NAT-10), at most `portsPerDestination` per destination (`nat_port_exhausted`,
 * NAT-11) while other destinations reuse the same ports; checksums stay valid (the decoder
 * verifies them).
 */
import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import { formatIpAddress, parseIpAddress } from "../../../../node-agent/packet/address.js";
import { translatePacket } from "../../../../node-agent/nat-gateway/translate.js";
import {
  NAT_FIRST_PORT,
  TranslationTable,
} from "../../../../node-agent/nat-gateway/translation-table.js";
import { NatGatewayDevice } from "../../../../node-agent/nat-gateway/nat-gateway-device.js";
import { ManualClock } from "../../../helpers/manual-clock.js";
import { buildIcmpEcho, buildTcp, buildUdp } from "../../../helpers/packet-builder.js";

const NAT = "10.0.1.254";
const NAT_ADDR = parseIpAddress(NAT)!;
const APP = "10.0.2.10";
const APP2 = "10.0.2.11";
const WEB = "198.51.100.10";

function decoded(buf: Uint8Array): DecodedPacket {
  const pkt = decodePacket(buf, 0, buf.length, { verifyChecksums: true });
  if (typeof pkt === "string") throw new Error(`decode: ${pkt}`);
  return pkt;
}

const syn = (src: string, sport: number, dst = WEB, dport = 80): Uint8Array =>
  buildTcp({ src, dst, srcPort: sport, dstPort: dport, flags: TcpFlag.SYN });

describe("NAT gateway translation (docs/routing.md NAT-8, NAT-9)", () => {
  it("translates source address and port outbound and the reply back (NAT-8)", () => {
    const clock = new ClockLike();
    const t = new TranslationTable();
    const out = syn(APP, 40000);
    expect(translatePacket(t, NAT_ADDR, out, 0, out.length, clock.now())).toBeUndefined();
    const o = decoded(out);
    expect(formatIpAddress(o.src)).toBe(NAT);
    expect(formatIpAddress(o.dst)).toBe(WEB);
    expect(o.srcPort).toBe(NAT_FIRST_PORT);
    expect(o.dstPort).toBe(80);
    const reply = buildTcp({
      src: WEB,
      dst: NAT,
      srcPort: 80,
      dstPort: o.srcPort,
      flags: TcpFlag.SYN | TcpFlag.ACK,
    });
    expect(translatePacket(t, NAT_ADDR, reply, 0, reply.length, clock.now())).toBeUndefined();
    const r = decoded(reply);
    expect([formatIpAddress(r.src), r.srcPort, formatIpAddress(r.dst), r.dstPort]).toEqual([
      WEB,
      80,
      APP,
      40000,
    ]);
    expect(t.entries(clock.now())).toHaveLength(1);
  });

  it("drops unsolicited inbound: nothing maps the port, or the remote differs (NAT-9)", () => {
    const t = new TranslationTable();
    const out = syn(APP, 40000);
    translatePacket(t, NAT_ADDR, out, 0, out.length, 0);
    const port = decoded(out).srcPort;
    const stranger = buildTcp({
      src: WEB,
      dst: NAT,
      srcPort: 80,
      dstPort: port + 1,
      flags: TcpFlag.SYN,
    });
    expect(translatePacket(t, NAT_ADDR, stranger, 0, stranger.length, 0)).toBe("nat_no_mapping");
    const other = buildTcp({
      src: "198.51.100.11",
      dst: NAT,
      srcPort: 80,
      dstPort: port,
      flags: TcpFlag.SYN,
    });
    expect(translatePacket(t, NAT_ADDR, other, 0, other.length, 0)).toBe("nat_no_mapping");
    const udp = buildUdp({ src: WEB, dst: NAT, srcPort: 53, dstPort: port });
    expect(translatePacket(t, NAT_ADDR, udp, 0, udp.length, 0)).toBe("nat_no_mapping");
  });

  it("reuses a live translation per flow, gives other flows other ports, and a port to several destinations (NAT-8, NAT-11)", () => {
    const t = new TranslationTable();
    const port = (b: Uint8Array): number => {
      expect(translatePacket(t, NAT_ADDR, b, 0, b.length, 0)).toBeUndefined();
      return decoded(b).srcPort;
    };
    const a = port(syn(APP, 40000));
    expect(port(syn(APP, 40000))).toBe(a);
    const b = port(syn(APP2, 40000));
    const c = port(syn(APP, 40001));
    expect(new Set([a, b, c]).size).toBe(3);
    // Another destination (address or port) may use the same NAT port.
    expect(port(syn(APP, 40000, "198.51.100.20"))).toBe(a);
    expect(port(syn(APP, 40000, WEB, 443))).toBe(a);
    expect(t.size).toBe(5);
  });

  it("expires a translation after 350 s idle, not before; traffic keeps it alive (NAT-10)", () => {
    const clock = new ManualClock();
    const t = new TranslationTable();
    const out = syn(APP, 40000);
    translatePacket(t, NAT_ADDR, out, 0, out.length, clock.now());
    const natPort = decoded(out).srcPort;
    const reply = (): Uint8Array =>
      buildTcp({ src: WEB, dst: NAT, srcPort: 80, dstPort: natPort, flags: TcpFlag.ACK });
    clock.advanceSeconds(349);
    let r = reply();
    expect(translatePacket(t, NAT_ADDR, r, 0, r.length, clock.now())).toBeUndefined();
    clock.advanceSeconds(349);
    r = reply();
    expect(translatePacket(t, NAT_ADDR, r, 0, r.length, clock.now())).toBeUndefined();
    clock.advanceSeconds(350);
    r = reply();
    expect(translatePacket(t, NAT_ADDR, r, 0, r.length, clock.now())).toBe("nat_no_mapping");
    expect(t.entries(clock.now())).toEqual([]);
    expect(t.sweep(clock.now())).toBe(0);
    expect(t.size).toBe(0);
  });

  it("allows portsPerDestination translations to one destination, then nat_port_exhausted; expiry frees ports (NAT-11)", () => {
    const clock = new ManualClock();
    const t = new TranslationTable({ portsPerDestination: 3 });
    const go = (sport: number, dst = WEB): string | undefined => {
      const b = syn(APP, sport, dst);
      return translatePacket(t, NAT_ADDR, b, 0, b.length, clock.now());
    };
    expect([go(1), go(2), go(3)]).toEqual([undefined, undefined, undefined]);
    expect(go(4)).toBe("nat_port_exhausted");
    expect(go(4, "198.51.100.20")).toBeUndefined();
    expect(go(1)).toBeUndefined(); // an existing flow keeps its translation
    clock.advanceSeconds(350);
    expect(go(4)).toBeUndefined();
  });

  it("the default limits are AWS's: 350 s idle timeout, 55,000 per destination (NAT-10, NAT-11)", () => {
    const t = new TranslationTable();
    expect(t.idleTimeoutMs).toBe(350_000);
    expect(t.portsPerDestination).toBe(55_000);
    const app = parseIpAddress(APP)!;
    const web = parseIpAddress(WEB)!;
    for (let i = 0; i < 55_000; i++) t.outbound(6, app, i, web, 80, 0);
    expect(t.outbound(6, app, 55_000, web, 80, 0)).toBe("port_exhausted");
    expect(t.outbound(6, app, 55_000, web, 443, 0)).not.toBe("port_exhausted");
  });

  it("translates ICMP echo by identifier and UDP; refuses IPv6 and ICMP errors (nat_unsupported)", () => {
    const t = new TranslationTable();
    const ping = buildIcmpEcho({ src: APP, dst: WEB, id: 77, seq: 1 });
    expect(translatePacket(t, NAT_ADDR, ping, 0, ping.length, 0)).toBeUndefined();
    const p = decoded(ping);
    expect(formatIpAddress(p.src)).toBe(NAT);
    const pong = buildIcmpEcho({ src: WEB, dst: NAT, id: p.icmpId, seq: 1, reply: true });
    expect(translatePacket(t, NAT_ADDR, pong, 0, pong.length, 0)).toBeUndefined();
    const q = decoded(pong);
    expect([formatIpAddress(q.dst), q.icmpId]).toEqual([APP, 77]);
    const dns = buildUdp({ src: APP, dst: WEB, srcPort: 5353, dstPort: 53 });
    expect(translatePacket(t, NAT_ADDR, dns, 0, dns.length, 0)).toBeUndefined();
    expect(formatIpAddress(decoded(dns).src)).toBe(NAT);
    const v6 = buildUdp({ src: "2001:db8::1", dst: "2001:db8::2", srcPort: 1, dstPort: 2 });
    expect(translatePacket(t, NAT_ADDR, v6, 0, v6.length, 0)).toBe("nat_unsupported");
  });

  it("the device translates what is written and gives it back to its read loop; drops are reported", async () => {
    const clock = new ManualClock();
    const drops: string[] = [];
    const dev = new NatGatewayDevice(
      { natGatewayId: "nat-1", idleTimeout: 350, portsPerDestination: 55_000 },
      NAT,
      () => clock.now(),
      (r) => drops.push(r),
    );
    const out = syn(APP, 40000);
    const stranger = buildTcp({
      src: WEB,
      dst: NAT,
      srcPort: 80,
      dstPort: 9999,
      flags: TcpFlag.SYN,
    });
    const headroom = 8;
    const frame = (b: Uint8Array): Uint8Array => {
      const f = new Uint8Array(headroom + b.length);
      f.set(b, headroom);
      return f;
    };
    await expect(
      dev.writeBatch([frame(out), frame(stranger)], [out.length, stranger.length], headroom),
    ).resolves.toBe(2);
    expect(drops).toEqual(["nat_no_mapping"]);
    const bufs = [new Uint8Array(2000), new Uint8Array(2000)];
    const sizes = [0, 0];
    await expect(dev.readBatch(bufs, sizes, 4)).resolves.toBe(1);
    const got = decoded(bufs[0]!.subarray(4, 4 + sizes[0]!));
    expect(formatIpAddress(got.src)).toBe(NAT);
    const read = dev.readBatch(bufs, sizes, 0);
    await dev.close();
    await expect(read).rejects.toThrow(/closed/);
  });
});

/** A clock at 0 for tests that do not move time. */
class ClockLike {
  now(): number {
    return 0;
  }
}
