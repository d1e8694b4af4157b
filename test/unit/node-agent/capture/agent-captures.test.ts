/**
 * An agent's captures (node-agent/capture/agent-captures.ts) on a real VerdictEmitter and
 * UnderlayTap: what it refuses before starting (unknown port, a filter libpcap refuses, its
 * limit), the pcapng it streams (read back by tshark: interfaces, verdict comments, Geneve),
 * max packets, packets dropped while the connection is backed up, a lost connection.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AgentCaptures,
  MAX_CAPTURES,
  type CaptureMessage,
  type CaptureRequest,
} from "../../../../node-agent/capture/agent-captures.js";
import { UnderlayTap } from "../../../../node-agent/capture/underlay-tap.js";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  encodeEniOption,
  writeGeneveHeader,
} from "../../../../node-agent/overlay/geneve.js";
import type { Endpoint, Transport } from "../../../../node-agent/overlay/transport.js";
import {
  VerdictEmitter,
  type VerdictEvent,
} from "../../../../node-agent/pipeline/verdict-event.js";
import { buildIcmpEcho, buildTcp } from "../../../helpers/packet-builder.js";
import { requireTshark, tsharkFields } from "../../../helpers/tshark.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-agent-captures-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A transport that only records: the tap's inner side. */
class NullTransport implements Transport {
  readonly localEndpoint = "127.0.0.1:40001";
  receive: ((d: Uint8Array, from: Endpoint) => void) | undefined;
  sendBatch(): Promise<void> {
    return Promise.resolve();
  }
  onReceive(cb: (d: Uint8Array, from: Endpoint) => void): void {
    this.receive = cb;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(opts: { connected?: () => boolean; backlog?: () => number } = {}) {
  const verdicts = new VerdictEmitter();
  const inner = new NullTransport();
  const tap = new UnderlayTap(inner);
  tap.onReceive(() => undefined);
  const messages: CaptureMessage[] = [];
  let ns = 1_765_000_000_000_000_000n;
  const captures = new AgentCaptures({
    agentId: "a1",
    verdicts,
    underlay: tap,
    localEndpoint: inner.localEndpoint,
    ports: () => [
      { key: "eni-0a", description: "i-0a 10.0.2.20" },
      { key: "ext:internet", description: "external node 198.51.100.10" },
    ],
    send: (m) => {
      if (opts.connected?.() === false) return false;
      messages.push(m);
      return true;
    },
    backlog: opts.backlog ?? (() => 0),
    nowNs: () => (ns += 1000n),
  });
  return { verdicts, inner, tap, captures, messages };
}

function request(over: Partial<CaptureRequest> = {}): CaptureRequest {
  return {
    captureId: "cap-1",
    stop: false,
    ports: [],
    filter: "",
    underlay: false,
    snaplen: 0,
    maxPackets: 0,
    ...over,
  };
}

const ping = buildIcmpEcho({ src: "10.0.1.10", dst: "10.0.2.20", id: 1, seq: 1 });
const syn = buildTcp({
  src: "10.0.1.10",
  dst: "10.0.2.20",
  srcPort: 40000,
  dstPort: 3306,
  flags: 0x02,
});

const dropped: VerdictEvent = {
  eniId: "eni-0a",
  direction: "ingress",
  verdict: "drop",
  reason: "sg_no_match",
  noMatchGroups: ["sg-1", "sg-2"],
  naclId: "acl-1",
  naclRuleNumber: 100,
  conntrack: "none",
  length: ping.length,
  atMs: 0,
};
const admitted: VerdictEvent = {
  eniId: "eni-0a",
  direction: "ingress",
  verdict: "accept",
  reason: "sg_rule",
  sgRuleId: "sgr-1",
  conntrack: "new",
  length: syn.length,
  atMs: 0,
};

/** The pcapng bytes of the messages, as a file tshark reads. */
function fileOf(messages: readonly CaptureMessage[], name: string): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(messages.flatMap((m) => (m.pcapng ? [m.pcapng] : []))));
  return path;
}

describe("AgentCaptures", () => {
  it("refuses what it cannot capture, before starting anything (CAP-5, CAP-6)", () => {
    const { captures, messages, verdicts } = setup();
    captures.control(request({ ports: ["eni-0b"] }));
    captures.control(request({ captureId: "cap-2", filter: "tcp port" }));
    captures.control(request({ captureId: "cap-3", snaplen: 300000 }));
    expect(messages).toEqual([
      {
        captureId: "cap-1",
        error: "agent a1 does not host eni-0b (it hosts: eni-0a, ext:internet)",
      },
      {
        captureId: "cap-2",
        error: "capture filter 'tcp port': can't parse filter expression: syntax error",
      },
      { captureId: "cap-3", error: "snaplen must be 1..262144 (0 = 65535), got 300000" },
    ]);
    expect(captures.size).toBe(0);
    expect(verdicts.active).toBe(false);
    for (let i = 0; i < MAX_CAPTURES; i++) captures.control(request({ captureId: `c${i}` }));
    captures.control(request({ captureId: "c0" }));
    captures.control(request({ captureId: "one-more" }));
    expect(messages.filter((m) => m.error !== undefined).slice(3)).toEqual([
      { captureId: "c0", error: "capture id 'c0' is empty or already running" },
      { captureId: "one-more", error: "agent a1 already runs 4 captures" },
    ]);
    captures.stopAll();
    expect(verdicts.active).toBe(false);
  });

  it("streams the filtered packets with their verdicts, ending at max packets (CAP-1, CAP-3, CAP-4)", () => {
    requireTshark();
    const { captures, messages, verdicts } = setup();
    captures.control(
      request({ ports: ["eni-0a"], filter: "icmp or tcp port 3306", maxPackets: 2 }),
    );
    expect(messages[0]).toEqual({ captureId: "cap-1", started: true });
    verdicts.emit(dropped, ping);
    verdicts.emit({ ...dropped, eniId: "ext:internet" }, ping); // not a captured port
    verdicts.emit(
      admitted,
      buildTcp({ src: "10.0.1.10", dst: "10.0.2.20", srcPort: 1, dstPort: 22, flags: 2 }),
    );
    verdicts.emit(admitted, syn);
    verdicts.emit(admitted, syn); // after max packets: not written
    const last = messages[messages.length - 1]!;
    expect(last).toMatchObject({ captureId: "cap-1", finished: true, packets: 2, dropped: 0 });
    expect(captures.size).toBe(0);
    expect(verdicts.active).toBe(false);
    const rows = tsharkFields(fileOf(messages, "max.pcapng"), [
      "frame.interface_name",
      "frame.comment",
      "ip.proto",
    ]);
    expect(rows).toEqual([
      [
        "eni-0a",
        "verdict=drop reason=sg_no_match dir=ingress groups=[sg-1,sg-2] nacl=acl-1 nacl_rule=100 conntrack=none",
        "1",
      ],
      ["eni-0a", "verdict=accept reason=sg_rule dir=ingress sg_rule=sgr-1 conntrack=new", "6"],
    ]);
  });

  it("captures the underlay both ways, filtered on the packet inside Geneve (CAP-2, CAP-3)", () => {
    requireTshark();
    const { captures, messages, tap, inner } = setup();
    captures.control(request({ underlay: true, filter: "icmp" }));
    const datagram = (inner: Uint8Array): Uint8Array => {
      const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
      buf.set(inner, ENCAP_HEADROOM);
      const at = writeGeneveHeader(
        buf,
        ENCAP_HEADROOM,
        77,
        ETHERTYPE_IPV4,
        encodeEniOption("eni-0b"),
        encodeEniOption("eni-0a"),
      );
      return buf.subarray(at);
    };
    void tap.sendBatch([datagram(ping), datagram(syn)], "127.0.0.2:40002");
    inner.receive!(datagram(ping), "127.0.0.2:40002");
    captures.control(request({ stop: true }));
    expect(messages[messages.length - 1]).toMatchObject({ finished: true, packets: 2 });
    const rows = tsharkFields(fileOf(messages, "underlay.pcapng"), [
      "frame.interface_name",
      "frame.comment",
      "exported_pdu.ipv4_src",
      "exported_pdu.src_port",
      "geneve.vni",
      "icmp.type",
    ]);
    expect(rows).toEqual([
      ["underlay", "underlay out to=127.0.0.2:40002", "127.0.0.1", "40001", "0x00004d", "8"],
      ["underlay", "underlay in from=127.0.0.2:40002", "127.0.0.2", "40002", "0x00004d", "8"],
    ]);
  });

  it("counts packets as dropped while the controller connection is backed up (CAP-5)", () => {
    let backlog = 0;
    const { captures, messages, verdicts } = setup({ backlog: () => backlog });
    captures.control(request());
    verdicts.emit(dropped, ping);
    backlog = 9 * 1024 * 1024;
    verdicts.emit(dropped, ping);
    verdicts.emit(dropped, ping);
    backlog = 0;
    captures.control(request({ stop: true }));
    expect(messages[messages.length - 1]).toMatchObject({ finished: true, packets: 1, dropped: 2 });
  });

  it("ends a capture whose bytes cannot be sent (the connection is gone) (CAP-4)", () => {
    let connected = true;
    const { captures, verdicts } = setup({ connected: () => connected });
    captures.control(request());
    expect(captures.size).toBe(1);
    connected = false;
    for (let i = 0; i < 2000; i++) verdicts.emit(dropped, ping); // past 256 KiB: a flush
    expect(captures.size).toBe(0);
    expect(verdicts.active).toBe(false);
  });
});
