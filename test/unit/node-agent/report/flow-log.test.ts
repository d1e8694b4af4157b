import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import { FlowLogAggregator, formatFlowLogRecord } from "../../../../node-agent/report/flow-log.js";
import { buildIcmpEcho, buildTcp } from "../../../helpers/packet-builder.js";

const T0 = 1_431_280_860_000; // a window boundary (multiple of 60 000)
const pkt = (p: Uint8Array): DecodedPacket => {
  const d = decodePacket(p, 0, p.length);
  if (typeof d === "string") throw new Error(d);
  return d;
};

describe("FlowLogAggregator (AWS default format v2)", () => {
  it("reproduces FL-6: NACL allows inbound ping but not the reply -> ACCEPT in, REJECT out", () => {
    const f = new FlowLogAggregator({ accountId: "123456789010" });
    const eni = "eni-1235b8ca123456789";
    for (let seq = 1; seq <= 4; seq++) {
      const req = pkt(
        buildIcmpEcho({
          src: "203.0.113.12",
          dst: "172.31.16.139",
          id: 1,
          seq,
          payload: new Uint8Array(56),
        }),
      );
      const rep = pkt(
        buildIcmpEcho({
          src: "172.31.16.139",
          dst: "203.0.113.12",
          id: 1,
          seq,
          reply: true,
          payload: new Uint8Array(56),
        }),
      );
      f.record(eni, "172.31.16.139", false, req, 84, "ACCEPT", T0 + seq * 1000);
      f.record(eni, "172.31.16.139", true, rep, 84, "REJECT", T0 + seq * 1000);
    }
    const lines = f.flush(T0 + 60_000, [eni]).map(formatFlowLogRecord);
    expect(lines).toEqual([
      `2 123456789010 ${eni} 203.0.113.12 172.31.16.139 0 0 1 4 336 1431280861 1431280864 ACCEPT OK`,
      `2 123456789010 ${eni} 172.31.16.139 203.0.113.12 0 0 1 4 336 1431280861 1431280864 REJECT OK`,
    ]);
    for (const l of lines) expect(l.split(" ")).toHaveLength(14); // FL-1
  });

  it("carries the custom-format fields: direction, OR of TCP flags, packet addresses (FL-8)", () => {
    const f = new FlowLogAggregator();
    const eni = "eni-0a";
    const tcp = (flags: number) =>
      pkt(buildTcp({ src: "10.0.1.20", dst: "10.0.0.5", srcPort: 22, dstPort: 1000, flags }));
    f.record(eni, "10.0.1.10", true, tcp(TcpFlag.SYN | TcpFlag.ACK), 40, "ACCEPT", T0 + 1);
    f.record(eni, "10.0.1.10", true, tcp(TcpFlag.FIN | TcpFlag.ACK), 40, "ACCEPT", T0 + 2);
    const ping = pkt(buildIcmpEcho({ src: "10.0.0.5", dst: "10.0.1.20", id: 7, seq: 1 }));
    f.record(eni, "10.0.1.10", false, ping, 84, "REJECT", T0 + 3);
    const [out, icmp] = f.flush(T0 + 60_000, [eni]);
    // FIN|SYN|ACK = 1|2|16; the ENI side is the primary 10.0.1.10, the packet's own 10.0.1.20.
    expect(out?.extra).toEqual({
      flowDirection: "egress",
      tcpFlags: 19,
      pktSrcaddr: "10.0.1.20",
      pktDstaddr: "10.0.0.5",
    });
    expect(out?.srcaddr).toBe("10.0.1.10");
    expect(icmp?.extra).toEqual({
      flowDirection: "ingress",
      tcpFlags: 0,
      pktSrcaddr: "10.0.0.5",
      pktDstaddr: "10.0.1.20",
    });
  });

  it("logs the ENI side as its primary IPv4 even for traffic to a secondary address (FL-4)", () => {
    const f = new FlowLogAggregator();
    const p = pkt(
      buildTcp({
        src: "10.0.0.5",
        dst: "10.0.1.20",
        srcPort: 1000,
        dstPort: 22,
        flags: TcpFlag.SYN,
      }),
    );
    f.record("eni-1", "10.0.1.10", false, p, 40, "ACCEPT", T0);
    const [r] = f.flush(T0 + 60_000, []);
    expect([r?.srcaddr, r?.dstaddr]).toEqual(["10.0.0.5", "10.0.1.10"]);
  });

  it("keeps separate records per window and direction; an open window is not flushed (FL-3)", () => {
    const f = new FlowLogAggregator();
    const p = pkt(
      buildTcp({
        src: "10.0.0.5",
        dst: "10.0.1.10",
        srcPort: 1000,
        dstPort: 22,
        flags: TcpFlag.ACK,
      }),
    );
    f.record("eni-1", "10.0.1.10", false, p, 40, "ACCEPT", T0 + 1000);
    f.record("eni-1", "10.0.1.10", false, p, 40, "ACCEPT", T0 + 61_000);
    expect(f.flush(T0 + 30_000, ["eni-1"])).toEqual([]);
    const first = f.flush(T0 + 61_500, ["eni-1"]);
    expect(first.map((r) => [r.packets, r.logStatus])).toEqual([[1, "OK"]]);
    const second = f.flush(T0 + 120_000, ["eni-1"]);
    expect(second.map((r) => [r.packets, r.start])).toEqual([
      [1, Math.floor((T0 + 61_000) / 1000)],
    ]);
  });

  it("emits NODATA for an idle ENI and SKIPDATA when the window's budget overflowed (FL-5)", () => {
    const f = new FlowLogAggregator({ maxRecordsPerWindow: 1 });
    const mk = (port: number) =>
      pkt(
        buildTcp({
          src: "10.0.0.5",
          dst: "10.0.1.10",
          srcPort: port,
          dstPort: 22,
          flags: TcpFlag.SYN,
        }),
      );
    f.record("eni-busy", "10.0.1.10", false, mk(1), 40, "ACCEPT", T0 + 1000);
    f.record("eni-busy", "10.0.1.10", false, mk(2), 40, "ACCEPT", T0 + 2000);
    const lines = f.flush(T0 + 60_000, ["eni-busy", "eni-idle"]).map(formatFlowLogRecord);
    expect(lines).toContain(
      "2 123456789012 eni-busy - - - - - - - 1431280862 1431280862 - SKIPDATA",
    );
    expect(lines).toContain("2 123456789012 eni-idle - - - - - - - 1431280860 1431280920 - NODATA");
    expect(lines.filter((l) => l.endsWith(" OK"))).toHaveLength(1);
  });

  it("gives NODATA for windows with no traffic at all since `sinceMs`", () => {
    const f = new FlowLogAggregator();
    const lines = f.flush(T0 + 180_000, ["eni-1"], T0);
    expect(lines.map((r) => r.start)).toEqual([0, 60, 120].map((s) => T0 / 1000 + s));
  });

  it("keeps each flow apart among thousands (IPv4 and IPv6, same ports, one buffer reused: FL-3)", () => {
    const f = new FlowLogAggregator();
    const buf = new Uint8Array(2048);
    const reused = (p: Uint8Array): DecodedPacket => {
      buf.set(p);
      const d = decodePacket(buf, 0, p.length);
      if (typeof d === "string") throw new Error(d);
      return d;
    };
    const flows: Array<[string, string, string, number]> = [];
    for (let i = 0; i < 3000; i++) {
      const v6 = i % 3 === 0;
      const src = v6
        ? `2001:db8::${(i + 1).toString(16)}`
        : `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
      const dst = v6 ? "2001:db8::ffff" : "10.9.9.9";
      flows.push([`eni-${i % 7}`, src, dst, 1000 + (i % 5)]);
    }
    for (let round = 1; round <= 3; round++) {
      for (const [eni, src, dst, port] of flows) {
        const p = reused(buildTcp({ src, dst, srcPort: port, dstPort: 443, flags: TcpFlag.ACK }));
        f.record(eni, undefined, false, p, 40, "ACCEPT", T0 + round);
      }
    }
    const out = f.flush(T0 + 60_000, []);
    expect(out.map((r) => [r.interfaceId, r.srcaddr, r.dstaddr, r.srcport, r.packets])).toEqual(
      flows.map(([eni, src, dst, port]) => [eni, src, dst, port, 3]),
    );
  });
});

describe("FlowLogAggregator and TUN offload super-packets", () => {
  it("counts a super-packet as the segments it stands for (packets) and their bytes", () => {
    const f = new FlowLogAggregator({ accountId: "123456789010" });
    const eni = "eni-0b";
    const big = pkt(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.10",
        srcPort: 40000,
        dstPort: 5001,
        flags: TcpFlag.ACK,
        payload: new Uint8Array(4 * 1000),
      }),
    );
    // As the pipeline marks it (packet/virtio-net.ts segmentCount): 4 segments of 1,000 bytes.
    const seg = { ...big, segments: 4 };
    f.record(eni, "10.0.1.10", true, seg, 4 * 40 + 4000, "ACCEPT", T0 + 1);
    f.record(eni, "10.0.1.10", true, big, big.length, "ACCEPT", T0 + 2);
    const [r] = f.flush(T0 + 60_000, [eni]).map(formatFlowLogRecord);
    expect(r!.split(" ").slice(8, 10)).toEqual(["5", String(4 * 40 + 4000 + big.length)]);
  });
});
