/**
 * Fuzz: decodePacket must never throw and must keep every offset inside the range it was given,
 * whatever the bytes (STYLE.md §7: nothing a packet causes throws). Seeded, so a failure names
 * the seed and iteration that reproduce it.
 */
import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import { quotedPacketTuple } from "../../../../node-agent/packet/icmp.js";
import { ALL_DROP_REASONS, DropReason } from "../../../../node-agent/pipeline/verdict.js";
import * as fixtures from "../../../fixtures/packets.js";
import {
  buildIcmpEcho,
  buildIcmpError,
  buildIpPacket,
  buildTcp,
  buildUdp,
  fragmentIpPacket,
} from "../../../helpers/packet-builder.js";

const SEED = 0x5eed_2026;
const ITERATIONS = 120_000;

/** Seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid packets of every shape the decoder knows: the seeds the mutations start from. */
function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [...Object.values(fixtures)];
  const fams = [
    { src: "10.0.0.1", dst: "10.0.0.2" },
    { src: "2001:db8::1", dst: "2001:db8::2" },
  ];
  for (const a of fams) {
    const v6 = a.src.includes(":");
    const tcp = buildTcp({
      ...a,
      srcPort: 1234,
      dstPort: 80,
      flags: 0x18,
      payload: new Uint8Array(40),
    });
    const udp = buildUdp({ ...a, srcPort: 53, dstPort: 5353, payload: new Uint8Array(64) });
    out.push(
      tcp,
      udp,
      buildTcp({
        ...a,
        srcPort: 1,
        dstPort: 2,
        flags: 0x02,
        tcpOptions: Uint8Array.from([2, 4, 5, 180]),
      }),
      buildIcmpEcho({ ...a, id: 7, seq: 1 }),
      buildIcmpEcho({ ...a, id: 7, seq: 1, reply: true }),
      buildIcmpError({ ...a, type: v6 ? 1 : 3, code: 4, quoted: tcp.subarray(0, v6 ? 64 : 28) }),
      buildIcmpError({ ...a, type: v6 ? 2 : 11, code: 0, quoted: udp }),
      buildIpPacket({ ...a, protocol: 47, payload: new Uint8Array(24) }),
      ...fragmentIpPacket(udp, 24),
      ...fragmentIpPacket(tcp, 32),
    );
    if (v6) {
      out.push(
        buildUdp({
          ...a,
          srcPort: 9,
          dstPort: 9,
          extensionHeaders: [{ type: 0 }, { type: 43 }, { type: 60 }, { type: 51 }],
        }),
        buildIpPacket({
          ...a,
          protocol: 50,
          payload: new Uint8Array(16),
          extensionHeaders: [{ type: 60 }],
        }),
        buildIpPacket({ ...a, protocol: 59, payload: new Uint8Array(0) }),
      );
    } else {
      out.push(
        buildUdp({
          ...a,
          srcPort: 9,
          dstPort: 9,
          ipv4Options: Uint8Array.from([1, 0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0]),
        }),
      );
    }
  }
  return out;
}

const LENGTH_FIELDS: readonly ((p: Uint8Array, v: number) => void)[] = [
  (p, v) => ((p[2] = v >> 8), (p[3] = v & 0xff)), // IPv4 total length
  (p, v) => (p[0] = (p[0]! & 0xf0) | (v & 0x0f)), // IPv4 IHL
  (p, v) => ((p[4] = v >> 8), (p[5] = v & 0xff)), // IPv6 payload length
  (p, v) => (p[6] = v & 0xff), // IPv6 next header / IPv4 fragment field
  (p, v) => (p[41] = v & 0xff), // first IPv6 extension header length
  (p, v) => (p[32] = v & 0xff), // TCP data offset (IPv4, IHL 5)
  (p, v) => ((p[24] = v >> 8), (p[25] = v & 0xff)), // UDP length (IPv4, IHL 5)
  (p, v) => ((p[44] = v >> 8), (p[45] = v & 0xff)), // UDP length (IPv6, no ext)
  (p, v) => (p[52] = v & 0xff), // TCP data offset (IPv6, no ext)
];

function mutate(seed: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  const kind = int(6);
  let p = seed.slice();
  switch (kind) {
    case 0: {
      // Bit flips.
      const n = 1 + int(8);
      for (let i = 0; i < n && p.length > 0; i++) p[int(p.length)]! ^= 1 << int(8);
      break;
    }
    case 1:
      // Truncation.
      p = p.slice(0, int(p.length + 1));
      break;
    case 2: {
      // Length-field lies, small and huge.
      const v = rnd() < 0.5 ? int(0x10000) : Math.max(0, p.length - 8 + int(16));
      LENGTH_FIELDS[int(LENGTH_FIELDS.length)]!(p, v);
      if (p.length > 0 && rnd() < 0.3) p = p.slice(0, int(p.length + 1));
      break;
    }
    case 3: {
      // Random bytes with a plausible first nibble.
      p = Uint8Array.from({ length: int(120) }, () => int(256));
      if (p.length > 0 && rnd() < 0.8) p[0] = (rnd() < 0.5 ? 0x40 : 0x60) | (p[0]! & 0x0f);
      break;
    }
    case 4: {
      // Overwrite a run of header bytes.
      const start = int(Math.min(p.length, 64) + 1);
      const n = 1 + int(6);
      for (let i = start; i < Math.min(p.length, start + n); i++) p[i] = int(256);
      break;
    }
    default: {
      // Garbage appended, or a spliced tail.
      const extra = Uint8Array.from({ length: int(64) }, () => int(256));
      const q = new Uint8Array(p.length + extra.length);
      q.set(p);
      q.set(extra, p.length);
      p = rnd() < 0.5 ? q : q.slice(int(q.length + 1) >> 3);
    }
  }
  return p;
}

describe("decodePacket fuzz", () => {
  it(`never throws and keeps offsets in range over ${ITERATIONS} mutated and random packets`, () => {
    const rnd = prng(SEED);
    const seeds = corpus();
    const reasons = new Set<string>(ALL_DROP_REASONS);
    const seen = new Map<string, number>();
    let decoded = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const pkt = mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
      // Place it behind random headroom, sometimes with trailing bytes outside [off, off+len).
      const head = Math.floor(rnd() * 8) * 4;
      const tail = rnd() < 0.2 ? Math.floor(rnd() * 16) : 0;
      const buf = new Uint8Array(head + pkt.length + tail).fill(0xa5);
      buf.set(pkt, head);
      const verifyChecksums = rnd() < 0.5;
      let r: ReturnType<typeof decodePacket>;
      try {
        r = decodePacket(buf, head, pkt.length, { verifyChecksums });
      } catch (e) {
        throw new Error(`seed ${SEED} iteration ${i}: threw ${String(e)} on ${hexOf(pkt)}`);
      }
      if (typeof r === "string") {
        if (!reasons.has(r)) throw new Error(`iteration ${i}: unknown drop reason ${r}`);
        seen.set(r, (seen.get(r) ?? 0) + 1);
        continue;
      }
      decoded++;
      const end = head + pkt.length;
      const ok =
        r.l3Offset === head &&
        r.l4Offset >= head &&
        r.l4Offset <= r.payloadOffset &&
        r.l3Offset + r.length <= end &&
        r.payloadOffset <= r.l3Offset + r.length &&
        (r.family === 4
          ? r.src.length === 4 && r.dst.length === 4
          : r.src.length === 16 && r.dst.length === 16) &&
        r.src.byteOffset >= head &&
        r.dst.byteOffset + r.dst.length <= end &&
        r.srcPort >= 0 &&
        r.srcPort <= 0xffff &&
        r.dstPort >= 0 &&
        r.dstPort <= 0xffff &&
        r.tcpSeq >= 0 &&
        r.tcpSeq <= 0xffffffff &&
        r.tcpAck >= 0 &&
        r.tcpAck <= 0xffffffff;
      if (!ok)
        throw new Error(
          `seed ${SEED} iteration ${i}: bad offsets ${JSON.stringify(r)} on ${hexOf(pkt)}`,
        );
      if (r.icmpError) {
        // The quoted-tuple helper must be as robust as the decoder.
        try {
          quotedPacketTuple(buf, r.l4Offset, r.l3Offset + r.length - r.l4Offset, r.family);
        } catch (e) {
          throw new Error(`seed ${SEED} iteration ${i}: quotedPacketTuple threw ${String(e)}`);
        }
      }
    }
    // The mutations reach both outcomes and every drop reason the decoder can raise.
    expect(decoded).toBeGreaterThan(ITERATIONS / 20);
    for (const reason of [
      DropReason.Truncated,
      DropReason.BadIpVersion,
      DropReason.BadIpHeader,
      DropReason.BadIpChecksum,
      DropReason.BadL4Checksum,
      DropReason.BadExtensionHeader,
      DropReason.TcpInvalidFlags,
      DropReason.BadTransportHeader,
    ]) {
      expect(seen.get(reason) ?? 0, reason).toBeGreaterThan(0);
    }
  });
});

function hexOf(p: Uint8Array): string {
  return Array.from(p, (b) => b.toString(16).padStart(2, "0")).join("");
}
