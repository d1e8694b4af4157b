/**
 * What a running capture costs the agent per packet (node-agent/capture/agent-captures.ts):
 * a verdict event of a captured ENI (comment text, libpcap filter, Enhanced Packet Block, the
 * chunk it joins) and an underlay datagram through the UnderlayTap (exported-PDU tags, EPB),
 * with no filter, a filter the packet passes and one it fails. The data path's own cost without
 * a capture is the verdict events' one listener test (bench:verdict). Prints figures, asserts
 * nothing. Each figure: the fastest chunk of 20,000 packets over 10 chunks.
 *
 *   npx tsx bench/capture.bench.ts        (npm run bench:capture)
 */
import { AgentCaptures, type CaptureMessage } from "../node-agent/capture/agent-captures.js";
import { UnderlayTap } from "../node-agent/capture/underlay-tap.js";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  encodeEniOption,
  writeGeneveHeader,
} from "../node-agent/overlay/geneve.js";
import type { Endpoint, Transport } from "../node-agent/overlay/transport.js";
import { VerdictEmitter, type VerdictEvent } from "../node-agent/pipeline/verdict-event.js";
import { buildTcp } from "../test/helpers/packet-builder.js";

const CHUNK = 20_000;
const CHUNKS = 10;

function fastestChunk(chunk: () => void): number {
  let best = Infinity;
  for (let c = 0; c < CHUNKS; c++) {
    const t0 = performance.now();
    chunk();
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / CHUNK;
}

class SinkTransport implements Transport {
  readonly localEndpoint = "127.0.0.1:7001";
  async sendBatch(): Promise<void> {}
  onReceive(): void {}
  async close(): Promise<void> {}
}

const packet = buildTcp({
  src: "10.0.1.10",
  dst: "10.0.2.20",
  srcPort: 40000,
  dstPort: 3306,
  flags: 0x18,
  payload: new Uint8Array(100),
});
const event: VerdictEvent = {
  eniId: "eni-0123456789abcdef0",
  direction: "ingress",
  verdict: "accept",
  reason: "sg_rule",
  sgRuleId: "sgr-0123456789abcdef0",
  naclId: "acl-0123456789abcdef0",
  naclRuleNumber: 100,
  conntrack: "new",
  length: packet.length,
  atMs: 0,
};
const buf = new Uint8Array(ENCAP_HEADROOM + packet.length);
buf.set(packet, ENCAP_HEADROOM);
const datagram = buf.subarray(
  writeGeneveHeader(
    buf,
    ENCAP_HEADROOM,
    77,
    ETHERTYPE_IPV4,
    encodeEniOption("eni-0123456789abcdef0"),
    encodeEniOption("eni-0123456789abcdef1"),
  ),
);
const PEER: Endpoint = "127.0.0.2:7002";

function run(filter: string, underlay: boolean): { ns: number; bytes: number } {
  const verdicts = new VerdictEmitter();
  const tap = new UnderlayTap(new SinkTransport());
  let bytes = 0;
  const captures = new AgentCaptures({
    agentId: "bench",
    verdicts,
    underlay: tap,
    localEndpoint: "127.0.0.1:7001",
    ports: () => [{ key: event.eniId, description: "" }],
    send: (m: CaptureMessage) => {
      bytes += m.pcapng?.length ?? 0;
      return true;
    },
    backlog: () => 0,
  });
  captures.control({
    captureId: "cap-bench",
    stop: false,
    ports: [],
    filter,
    underlay,
    snaplen: 0,
    maxPackets: 0,
  });
  const datagrams = [datagram];
  const ns = fastestChunk(
    underlay
      ? () => {
          for (let i = 0; i < CHUNK; i++) void tap.sendBatch(datagrams, PEER);
        }
      : () => {
          for (let i = 0; i < CHUNK; i++) verdicts.emit(event, packet);
        },
  );
  captures.stopAll();
  return { ns, bytes };
}

const rows: Array<[string, string, boolean]> = [
  ["ENI packet, no filter", "", false],
  ["ENI packet, filter passes ('tcp')", "tcp", false],
  ["ENI packet, filter fails ('udp port 53')", "udp port 53", false],
  ["underlay datagram, no filter", "", true],
  ["underlay datagram, filter passes ('tcp')", "tcp", true],
];
console.log(
  `capture cost per packet (${packet.length}-byte TCP packet; fastest of ${CHUNKS} x ${CHUNK})`,
);
for (const [name, filter, underlay] of rows) {
  const { ns, bytes } = run(filter, underlay);
  console.log(
    `  ${name.padEnd(44)} ${ns.toFixed(0).padStart(6)} ns/packet  (${(bytes / 1e6).toFixed(1)} MB written)`,
  );
}
