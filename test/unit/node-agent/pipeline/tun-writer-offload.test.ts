import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import {
  GSO_NONE,
  GSO_TCPV4,
  VNET_HDR_LEN,
  readVnetHeader,
  reseedPartialChecksum,
  segmentPacket,
  type PacketOffload,
} from "../../../../node-agent/packet/virtio-net.js";
import { TunWriter } from "../../../../node-agent/pipeline/tun-writer.js";
import type { TunDevice, TunOffload } from "../../../../node-agent/tun/tun-device.js";
import { FakeTun } from "../../../helpers/fake-tun.js";
import { buildTcp } from "../../../helpers/packet-builder.js";

/** A device that records what writeBatch got, header bytes included when it has offload. */
class RecordingTun implements TunDevice {
  readonly name = "rec";
  readonly mtu = 9001;
  readonly batchSize = 64;
  readonly writes: Uint8Array[][] = [];
  constructor(readonly offload?: TunOffload) {}
  readBatch(): Promise<number> {
    return new Promise(() => undefined);
  }
  writeBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number> {
    const pre = this.offload !== undefined ? VNET_HDR_LEN : 0;
    expect(offset).toBeGreaterThanOrEqual(pre);
    this.writes.push(sizes.map((n, i) => bufs[i]!.slice(offset - pre, offset + n)));
    return Promise.resolve(sizes.length);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const FULL: TunOffload = {
  csum: true,
  tso4: true,
  tso6: true,
  uso: false,
  maxPacket: 65535,
  writesAtOnce: false,
};

function superPacket(payload: number): { buf: Uint8Array; pkt: DecodedPacket; o: PacketOffload } {
  const data = new Uint8Array(payload).map((_, i) => i & 0xff);
  const o: PacketOffload = {
    needsCsum: true,
    gsoType: GSO_TCPV4,
    hdrLen: 40,
    gsoSize: 8961,
    csumStart: 20,
    csumOffset: 16,
  };
  const buf = buildTcp({
    src: "10.0.1.10",
    dst: "10.0.2.10",
    srcPort: 40000,
    dstPort: 5001,
    flags: TcpFlag.ACK | TcpFlag.PSH,
    seq: 1000,
    payload: data,
  });
  const pkt = decodePacket(buf, 0, buf.length) as DecodedPacket;
  reseedPartialChecksum(buf, 0, pkt, o);
  return { buf, pkt, o };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("TunWriter with TUN offload", () => {
  it("writes a super-packet whole behind its virtio header to a device that took TSO4", async () => {
    const tun = new RecordingTun(FULL);
    const w = new TunWriter(tun);
    const { buf, pkt, o } = superPacket(60_000);
    w.enqueue(buf, 0, buf.length, o, pkt);
    w.enqueue(Uint8Array.of(0x45, 1, 2), 0, 3); // a plain packet: zero header
    await tick();
    const [batch] = tun.writes;
    expect(batch).toHaveLength(2);
    expect(readVnetHeader(batch![0]!, 0)).toEqual(o);
    expect(batch![0]!.subarray(VNET_HDR_LEN)).toEqual(buf);
    expect([...batch![1]!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x45, 1, 2]);
  });

  it("writes a super-packet straight from the caller's buffer when the device writes at once, after what was queued", async () => {
    const tun = new RecordingTun({ ...FULL, writesAtOnce: true });
    const w = new TunWriter(tun);
    const { buf, pkt, o } = superPacket(60_000);
    const src = new Uint8Array(128 + buf.length);
    src.set(buf, 128);
    w.enqueue(Uint8Array.of(0x45, 7), 0, 2);
    w.enqueue(src, 128, buf.length, o, { ...pkt, l3Offset: 128 } as DecodedPacket);
    expect(tun.writes).toHaveLength(2); // the queued packet first, then the super-packet
    expect(tun.writes[0]![0]!.subarray(VNET_HDR_LEN)).toEqual(Uint8Array.of(0x45, 7));
    expect(readVnetHeader(tun.writes[1]![0]!, 0)).toEqual(o);
    expect(tun.writes[1]![0]!.subarray(VNET_HDR_LEN)).toEqual(buf);
    await tick();
    expect(w.written).toBe(2);
  });

  it("cuts a super-packet for a device with the header but without TSO4", async () => {
    const tun = new RecordingTun({ ...FULL, tso4: false });
    const w = new TunWriter(tun);
    const { buf, pkt, o } = superPacket(20_000);
    w.enqueue(buf, 0, buf.length, o, pkt);
    await tick();
    const want = segmentPacket(buf, 0, pkt, o, 0);
    const got = tun.writes.flat();
    expect(got).toHaveLength(3);
    got.forEach((g, i) => {
      expect(readVnetHeader(g, 0)).toBeUndefined();
      expect(g.subarray(VNET_HDR_LEN)).toEqual(want[i]);
    });
  });

  it("gives a device without offload the segments, checksums complete", async () => {
    const tun = new FakeTun({ batchSize: 64 });
    const w = new TunWriter(tun);
    const { buf, pkt, o } = superPacket(20_000);
    w.enqueue(buf, 0, buf.length, o, pkt);
    const want = segmentPacket(buf, 0, pkt, o, 0);
    for (const seg of want) {
      const got = await tun.nextReceived();
      expect(got).toEqual(seg);
      expect(decodePacket(got, 0, got.length, { verifyChecksums: true })).not.toBeTypeOf("string");
    }
    // NEEDS_CSUM alone: the one packet, its checksum completed.
    const { buf: small, pkt: sp } = superPacket(100);
    const csumOnly = { ...o, gsoType: GSO_NONE, gsoSize: 0 };
    w.enqueue(small, 0, small.length, csumOnly, sp);
    const got = await tun.nextReceived();
    expect(decodePacket(got, 0, got.length, { verifyChecksums: true })).not.toBeTypeOf("string");
  });

  it("packs super-packets into arenas and writes them all", async () => {
    const tun = new RecordingTun(FULL);
    const w = new TunWriter(tun);
    const { buf, pkt, o } = superPacket(60_000);
    for (let i = 0; i < 20; i++) w.enqueue(buf, 0, buf.length, o, pkt);
    await tick();
    expect(tun.writes.flat()).toHaveLength(20);
    expect(tun.writes.length).toBeGreaterThan(1);
    expect(w.written).toBe(20);
    expect(w.refused).toBe(0);
  });
});
