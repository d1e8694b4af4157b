/**
 * The underlay fuzzer (issue 14 item 6): a real agent (FakeTun, real UDP transport on
 * 127.0.0.1) hosting eni-a, and a plain UDP socket on 127.0.0.1 that the agent's mapping names
 * as the endpoint of its peer eni-b, so datagrams from it pass the anti-spoofing check and
 * reach the NACL, SG, conntrack and TUN stages. It sends random datagrams, valid Geneve
 * datagrams (ICMP, TCP, UDP, IPv6 inside) and mutants of both. The agent must drop what is bad
 * (counted), never throw (no internal_error), and still forward a valid ping both ways after.
 * Used by test/fuzz/underlay.test.ts and bench/fuzz.bench.ts. Loopback only (DESIGN.md).
 *
 *   fuzzer socket 127.0.0.1:<p>  --Geneve/UDP-->  agent-a 127.0.0.1:<q>  --> FakeTun eni-a
 *   (mapping: eni-b 10.0.2.20)                      (eni-a 10.0.1.10)
 */
import dgram from "node:dgram";
import { Agent, type StartedAgent } from "../../node-agent/agent.js";
import { sanitizeAgentConfig } from "../../node-agent/config.js";
import {
  DEFAULT_CONNTRACK_TIMEOUTS,
  type AgentSnapshot,
  type CompiledRule,
  type NaclEntry,
} from "../../node-agent/filter/policy.js";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  encodeEniOption,
  vniForVpc,
  writeGeneveHeader,
} from "../../node-agent/overlay/geneve.js";
import { openUdpTransport } from "../../node-agent/overlay/udp-transport.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import { FakeTunProvider, type FakeTun } from "../helpers/fake-tun.js";
import { buildIcmpEcho, buildTcp, buildUdp } from "../helpers/packet-builder.js";
import { mutateBytes, type Rng } from "./fuzz-random.js";

const VPC = "vpc-fuzz";

export interface UnderlayWorld extends AsyncDisposable {
  readonly agent: StartedAgent;
  readonly tun: FakeTun;
  /** The fuzzer's socket, eni-b's endpoint in the agent's mapping. */
  readonly socket: dgram.Socket;
  readonly agentPort: number;
  /** Datagrams the agent sent to the fuzzer's socket. */
  readonly fromAgent: Buffer[];
  /** Log lines the agent wrote at warn level. */
  readonly warnings: string[];
  close(): Promise<void>;
}

const rule = (protocol: number, from: number, to: number, cidr: string): CompiledRule => ({
  ruleId: `sgr-${protocol}-${from}`,
  groupId: "sg-fuzz",
  protocol,
  fromPort: from,
  toPort: to,
  cidrs: [cidr],
  peer: { kind: "cidr" },
});

const nacl = (n: number, action: "allow" | "deny", cidr: string): NaclEntry => ({
  ruleNumber: n,
  action,
  protocol: -1,
  cidr,
  fromPort: -1,
  toPort: -1,
  icmpType: -1,
  icmpCode: -1,
});

/** Starts agent-a on 127.0.0.1 and the fuzzer's socket. */
export async function startUnderlayWorld(): Promise<UnderlayWorld> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const fromAgent: Buffer[] = [];
  socket.on("message", (m) => {
    if (fromAgent.length < 10_000) fromAgent.push(m);
  });
  const peer = `127.0.0.1:${socket.address().port}`;
  const transport = await openUdpTransport({ bind: "127.0.0.1:0" });
  const tuns = new FakeTunProvider();
  const warnings: string[] = [];
  const agent = await new Agent({
    config: sanitizeAgentConfig({ agentId: "agent-a" }),
    tuns,
    transport,
    logger: { info: () => undefined, warn: (l: string) => void warnings.push(l) },
  }).start();
  const allowAll = [nacl(100, "allow", "0.0.0.0/0"), nacl(101, "allow", "::/0")];
  const snapshot: AgentSnapshot = {
    revision: 1,
    agentId: "agent-a",
    enis: [
      {
        revision: 1,
        eniId: "eni-a",
        instanceId: "i-a",
        vpcId: VPC,
        subnetId: "subnet-a",
        ipv4: ["10.0.1.10"],
        ipv6: ["2001:db8:1::10"],
        sourceDestCheck: true,
        ingress: [
          rule(1, -1, -1, "10.0.0.0/16"),
          rule(6, 80, 80, "0.0.0.0/0"),
          rule(17, 53, 53, "10.0.0.0/16"),
          rule(58, -1, -1, "::/0"),
        ],
        egress: [rule(-1, -1, -1, "0.0.0.0/0")],
        naclIn: allowAll,
        naclOut: allowAll,
        timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
        allowance: 1000,
        autoTracked: false,
      },
    ],
    mapping: [
      {
        address: "10.0.1.10",
        eniId: "eni-a",
        subnetId: "subnet-a",
        vpcId: VPC,
        agentId: "agent-a",
        endpoint: transport.localEndpoint,
      },
      {
        address: "2001:db8:1::10",
        eniId: "eni-a",
        subnetId: "subnet-a",
        vpcId: VPC,
        agentId: "agent-a",
        endpoint: transport.localEndpoint,
      },
      {
        address: "10.0.2.20",
        eniId: "eni-b",
        subnetId: "subnet-b",
        vpcId: VPC,
        agentId: "agent-b",
        endpoint: peer,
      },
      {
        address: "2001:db8:2::20",
        eniId: "eni-b",
        subnetId: "subnet-b",
        vpcId: VPC,
        agentId: "agent-b",
        endpoint: peer,
      },
    ],
  };
  await agent.applySnapshot(snapshot);
  const tun = await tuns.tun("eni-a");
  const close = async () => {
    await agent.stop();
    socket.close();
  };
  return {
    agent,
    tun,
    socket,
    agentPort: Number(transport.localEndpoint.split(":").at(-1)),
    fromAgent,
    warnings,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** `inner` (an IP packet) in a Geneve header from `src` ENI to `dst` ENI. */
export function encapsulate(
  inner: Uint8Array,
  src = "eni-b",
  dst = "eni-a",
  v6 = false,
): Uint8Array {
  const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
  buf.set(inner, ENCAP_HEADROOM);
  const start = writeGeneveHeader(
    buf,
    ENCAP_HEADROOM,
    vniForVpc(VPC),
    v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4,
    encodeEniOption(src),
    encodeEniOption(dst),
  );
  return buf.subarray(start);
}

/** A valid inner packet from eni-b to eni-a: ping, TCP to 80 (any flags), UDP, ICMPv6 ping. */
function innerPacket(rng: Rng): { packet: Uint8Array; v6: boolean } {
  const port = rng.pick([80, 22, 53, rng.int(0, 65535)]);
  switch (rng.int(0, 4)) {
    case 0:
      return {
        packet: buildIcmpEcho({
          src: "10.0.2.20",
          dst: "10.0.1.10",
          id: rng.int(0, 65535),
          seq: rng.int(0, 9),
        }),
        v6: false,
      };
    case 1:
      return {
        packet: buildTcp({
          src: rng.chance(0.9) ? "10.0.2.20" : "10.0.2.99",
          dst: "10.0.1.10",
          srcPort: rng.int(1024, 65535),
          dstPort: port,
          flags: rng.pick([
            TcpFlag.SYN,
            TcpFlag.ACK,
            TcpFlag.SYN | TcpFlag.FIN,
            TcpFlag.RST,
            0,
            0xff,
          ]),
          seq: rng.int(0, 2 ** 32 - 1),
        }),
        v6: false,
      };
    case 2:
      return {
        packet: buildUdp({
          src: "10.0.2.20",
          dst: rng.chance(0.9) ? "10.0.1.10" : "10.0.1.99",
          srcPort: rng.int(1024, 65535),
          dstPort: port,
          payload: rng.bytes(rng.int(0, 64)),
        }),
        v6: false,
      };
    case 3:
      return {
        packet: buildIcmpEcho({
          src: "2001:db8:2::20",
          dst: "2001:db8:1::10",
          id: rng.int(0, 65535),
          seq: 1,
        }),
        v6: true,
      };
    default:
      return {
        packet: buildTcp({
          src: "2001:db8:2::20",
          dst: "2001:db8:1::10",
          srcPort: rng.int(1024, 65535),
          dstPort: 80,
          flags: TcpFlag.SYN,
          seq: 1,
        }),
        v6: true,
      };
  }
}

/** One datagram: random bytes, a valid one, or a mutant of the whole or of its inner packet. */
export function randomDatagram(rng: Rng): Uint8Array {
  const r = rng.next();
  if (r < 0.15) return rng.bytes(rng.int(0, rng.chance(0.9) ? 96 : 9000));
  const { packet, v6 } = innerPacket(rng);
  if (r < 0.35) return encapsulate(packet, "eni-b", "eni-a", v6);
  if (r < 0.6) return encapsulate(mutateBytes(rng, packet), "eni-b", "eni-a", v6);
  if (r < 0.65)
    return encapsulate(
      packet,
      rng.pick(["eni-b", "eni-a", "eni-zz", "", "constructor"]),
      rng.pick(["eni-a", "eni-b", "eni-zz", "__proto__"]),
      v6,
    );
  return mutateBytes(rng, encapsulate(packet, "eni-b", "eni-a", v6));
}

export interface UnderlayFuzzResult {
  readonly datagrams: number;
  readonly deliveredToTun: number;
  readonly sentBack: number;
  readonly drops: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

/** Sends `count` datagrams from the fuzzer's socket to the agent, in small paced bursts. */
export async function runUnderlayFuzz(
  w: UnderlayWorld,
  count: number,
  rng: Rng,
): Promise<UnderlayFuzzResult> {
  const started = performance.now();
  let delivered = 0;
  for (let i = 0; i < count; i++) {
    const d = randomDatagram(rng);
    await new Promise<void>((resolve) =>
      w.socket.send(d, w.agentPort, "127.0.0.1", () => resolve()),
    );
    // Why pace: a burst beyond the socket buffer is dropped by the kernel, not by the agent.
    if (i % 32 === 31) {
      await new Promise((r) => setTimeout(r, 1));
      delivered += w.tun.received().length;
    }
  }
  await new Promise((r) => setTimeout(r, 50));
  delivered += w.tun.received().length;
  const drops = Object.fromEntries(Object.entries(w.agent.drops()).filter(([, n]) => n > 0));
  return {
    datagrams: count,
    deliveredToTun: delivered,
    sentBack: w.fromAgent.length,
    drops,
    elapsedMs: Math.round(performance.now() - started),
  };
}
