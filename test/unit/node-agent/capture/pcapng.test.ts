/**
 * The pcapng writer (node-agent/capture/pcapng.ts), checked by a real reader: Debian's tshark
 * decodes the file (blocks, comments, nanosecond timestamps, interface statistics) and the
 * underlay interface's Geneve datagrams with their options (LINKTYPE_WIRESHARK_UPPER_PDU).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BlockBuffer,
  LINKTYPE_RAW,
  LINKTYPE_WIRESHARK_UPPER_PDU,
  concatBytes,
  enhancedPacketBlock,
  genevePduTags,
  interfaceDescriptionBlock,
  interfaceStatisticsBlock,
  sectionHeaderBlock,
} from "../../../../node-agent/capture/pcapng.js";
import {
  ETHERTYPE_IPV4,
  ENCAP_HEADROOM,
  encodeEniOption,
  writeGeneveHeader,
} from "../../../../node-agent/overlay/geneve.js";
import { buildIcmpEcho, buildUdp } from "../../../helpers/packet-builder.js";
import { requireTshark, tsharkFields } from "../../../helpers/tshark.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-pcapng-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, blocks: Uint8Array[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(blocks));
  return path;
}

describe("pcapng writer", () => {
  it("writes raw-IP packets with comments and ns timestamps that tshark reads", () => {
    requireTshark();
    const ping = buildIcmpEcho({ src: "10.0.1.10", dst: "10.0.2.20", id: 7, seq: 1 });
    const udp = buildUdp({
      src: "10.0.2.20",
      dst: "10.0.1.10",
      srcPort: 53,
      dstPort: 4000,
      payload: new Uint8Array(100),
    });
    const t0 = 1_765_000_000_123_456_789n;
    const path = writeFile("raw.pcapng", [
      sectionHeaderBlock("vpcemu test"),
      interfaceDescriptionBlock(LINKTYPE_RAW, 65535, "eni-0a", "web"),
      interfaceDescriptionBlock(LINKTYPE_RAW, 40, "eni-0b", ""),
      enhancedPacketBlock(0, t0, ping, 65535, "verdict=drop reason=sg_no_match groups=[sg-1]"),
      enhancedPacketBlock(1, t0 + 1000n, udp, 40, ""),
      interfaceStatisticsBlock(0, t0 + 2000n, t0, 1, 3),
    ]);
    const rows = tsharkFields(path, [
      "frame.interface_name",
      "frame.comment",
      "ip.src",
      "ip.dst",
      "frame.time_epoch",
      "frame.len",
      "frame.cap_len",
    ]);
    expect(rows).toEqual([
      [
        "eni-0a",
        "verdict=drop reason=sg_no_match groups=[sg-1]",
        "10.0.1.10",
        "10.0.2.20",
        "1765000000.123456789",
        String(ping.length),
        String(ping.length),
      ],
      ["eni-0b", "", "10.0.2.20", "10.0.1.10", "1765000000.123457789", String(udp.length), "40"],
    ]);
    // The Interface Statistics Block is read as eni-0a's (capinfos comes with tshark).
    const info = execFileSync("capinfos", [path], { encoding: "utf8" });
    expect(info).toMatch(/Interface #0 info:[^#]*Name = eni-0a[^#]*Number of stat entries = 1/);
    expect(info).toMatch(/Interface #1 info:[^#]*Name = eni-0b[^#]*Capture length = 40/);
  });

  it("writes underlay datagrams that tshark decodes as Geneve, options included", () => {
    requireTshark();
    const inner = buildIcmpEcho({ src: "10.0.1.10", dst: "10.0.2.20", id: 7, seq: 1 });
    const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
    buf.set(inner, ENCAP_HEADROOM);
    const start = writeGeneveHeader(
      buf,
      ENCAP_HEADROOM,
      0x123456,
      ETHERTYPE_IPV4,
      encodeEniOption("eni-0a"),
      encodeEniOption("eni-0b"),
    );
    const datagram = buf.subarray(start);
    const tags = genevePduTags({
      src: Uint8Array.of(127, 0, 0, 1),
      srcPort: 40001,
      dst: Uint8Array.of(127, 0, 0, 2),
      dstPort: 40002,
    });
    const path = writeFile("underlay.pcapng", [
      sectionHeaderBlock("vpcemu test"),
      interfaceDescriptionBlock(LINKTYPE_WIRESHARK_UPPER_PDU, 65535, "underlay", ""),
      enhancedPacketBlock(0, 1n, concatBytes(tags, datagram), 65535, "underlay out"),
    ]);
    const rows = tsharkFields(path, [
      "frame.comment",
      "exported_pdu.ipv4_src",
      "exported_pdu.dst_port",
      "geneve.vni",
      "geneve.option.class",
      "geneve.option.type",
      "geneve.option.unknown.data",
      "ip.src",
      "ip.dst",
      "icmp.type",
    ]);
    expect(rows).toEqual([
      [
        "underlay out",
        "127.0.0.1",
        "40002",
        "0x123456",
        "0xff5c,0xff5c", // VPCEMU_OPTION_CLASS: source ENI (type 1), destination ENI (type 2)
        "0x01,0x02",
        `${hex("eni-0a\0\0")},${hex("eni-0b\0\0")}`,
        // The exported PDU's underlay addresses set ip.src/ip.dst first, then the inner packet's.
        "127.0.0.1,10.0.1.10",
        "127.0.0.2,10.0.2.20",
        "8",
      ],
    ]);
  });
});

describe("BlockBuffer", () => {
  it("writes Enhanced Packet Blocks in place byte for byte as enhancedPacketBlock does", () => {
    const packet = buildUdp({
      src: "10.0.2.20",
      dst: "10.0.1.10",
      srcPort: 53,
      dstPort: 4000,
      payload: new Uint8Array(37).fill(7),
    });
    const buf = new BlockBuffer(4096);
    const expected: Uint8Array[] = [];
    let ts = 1_765_000_000_000_000_001n;
    // Comment lengths 0..5 (every padding), a non-ASCII one; snap lengths cutting the packet.
    for (const comment of ["", "a", "ab", "abc", "abcd", "abcde", "verdict=drop é→ü"]) {
      for (const snap of [65535, 40, 21]) {
        ts += 1234n;
        expect(buf.appendPacket(3, ts, packet, snap, comment)).toBe(true);
        expected.push(enhancedPacketBlock(3, ts, packet, snap, comment));
      }
    }
    expect(Buffer.from(buf.take())).toEqual(Buffer.concat(expected));
    expect(buf.length).toBe(0);
    // A prefix (the underlay's exported-PDU tags) goes in place in front of the data.
    const tags = new Uint8Array(24).fill(9);
    for (const snap of [65535, 70, 30, 24, 10]) {
      expect(buf.appendPacket(1, ts, packet, snap, "underlay in", packet.length, tags)).toBe(true);
      expect(Buffer.from(buf.take())).toEqual(
        Buffer.from(enhancedPacketBlock(1, ts, concatBytes(tags, packet), snap, "underlay in")),
      );
    }
  });

  it("refuses a block that may not fit, and takes what it holds", () => {
    const buf = new BlockBuffer(200);
    const packet = new Uint8Array(100);
    expect(buf.appendPacket(0, 1n, packet, 65535, "x")).toBe(true);
    expect(buf.appendPacket(0, 2n, packet, 65535, "x")).toBe(false);
    expect(buf.append(new Uint8Array(100))).toBe(false);
    expect(buf.take().length).toBe(28 + 100 + 4 + 4 + 4 + 4);
    expect(buf.appendPacket(0, 2n, packet, 65535, "x")).toBe(true);
  });
});

function hex(s: string): string {
  return Buffer.from(s, "latin1").toString("hex");
}
