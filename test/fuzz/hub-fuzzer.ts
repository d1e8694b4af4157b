/**
 * The agent hub fuzzer (issue 14 item 6): WebSocket connections to a live controller's
 * /v1/agents/ws, each sending random bytes, text frames, valid agent frames (Hello, Hosting,
 * Ack, Heartbeat, ConntrackReport, Counters, FlowLogs; node-agent/control/wire.ts) and mutants
 * of them, some before and some after a valid Hello. The hub must answer each with protocol
 * behaviour (a snapshot, an Error frame and a 44xx close): never an internal error, never a
 * crash. Used by test/fuzz/hub-frames.test.ts and bench/fuzz.bench.ts.
 */
import WebSocket from "ws";
import {
  encodeAckFrame,
  encodeConntrackReportFrame,
  encodeCountersFrame,
  encodeFlowLogsFrame,
  encodeHeartbeatFrame,
  encodeHelloFrame,
  encodeHostingFrame,
  type Hosting,
} from "../../node-agent/control/wire.js";
import { PROTOTYPE_NAMES, mutateBytes, type Rng } from "./fuzz-random.js";

export interface HubFuzzOptions {
  /** ws://.../v1/agents/ws */
  readonly url: string;
  /** Frames to send in all. */
  readonly frames: number;
  readonly concurrency: number;
  readonly rng: Rng;
  /** Instance and ENI ids that exist, so Hellos can host them and reports name them. */
  readonly instanceIds: readonly string[];
  readonly eniIds: readonly string[];
}

export interface HubFuzzResult {
  readonly frames: number;
  readonly connections: number;
  readonly hellos: number;
  /** WebSocket close codes the hub chose (1005: none given, 1006: cut). */
  readonly closeCodes: Readonly<Record<number, number>>;
  /** Frames the hub sent back (snapshots, errors, heartbeats). */
  readonly answers: number;
  readonly elapsedMs: number;
}

/**
 * Agent ids taken again (a known id without its key is refused: docs/agent.md "Agent
 * identity"); most Hellos use a fresh id, bounded by the hub's agent limit (docs/agent.md "Limits").
 */
const AGENT_IDS = ["fuzz-a", "fuzz-b", "fuzz-c", "constructor", "__proto__"];

function text(rng: Rng, pool: readonly string[]): string {
  const r = rng.next();
  if (r < 0.1) return rng.pick(PROTOTYPE_NAMES);
  if (r < 0.15) return rng.pick(["", "\u0000", "ü😀", "x".repeat(rng.int(100, 5000))]);
  if (r < 0.2) return `eni-${rng.int(0, 1e9).toString(16)}`;
  return pool.length > 0 ? rng.pick(pool) : "x";
}

function hosting(rng: Rng, o: HubFuzzOptions): Hosting {
  return {
    instanceIds: rng.chance(0.8) ? [text(rng, o.instanceIds)] : [],
    eniIds: rng.chance(0.3) ? [text(rng, o.eniIds)] : [],
    externals: rng.chance(0.1) ? [{ name: text(rng, []), address: "198.51.100.10" }] : [],
    underlayEndpoint: rng.pick(["127.0.0.1:7001", "127.0.0.1:0", "", "::1:7", "x:y"]),
    ...(rng.chance(0.2) ? { conntrackMax: rng.pick([0, 1, 65536, 2 ** 32 - 1]) } : {}),
    ...(rng.chance(0.1) ? { autoTracked: true } : {}),
  };
}

function hello(rng: Rng, o: HubFuzzOptions): Uint8Array {
  return encodeHelloFrame({
    agentId: rng.chance(0.8) ? `fuzz-${rng.int(0, 1e9).toString(36)}` : rng.pick(AGENT_IDS),
    joinToken: rng.chance(0.9) ? "" : text(rng, []),
    agentKey: rng.chance(0.9) ? "" : text(rng, []),
    hosting: hosting(rng, o),
    version: rng.pick(["0.1.0", "", "9.9.9"]),
    enforcedRevision: rng.pick([0, 1, 2 ** 40]),
  });
}

/** A valid frame of a random kind. */
function validFrame(rng: Rng, o: HubFuzzOptions): Uint8Array {
  const eni = () => text(rng, o.eniIds);
  const n = () => rng.pick([0, 1, 7, 2 ** 31, 2 ** 52]);
  switch (rng.int(0, 6)) {
    case 0:
      return hello(rng, o);
    case 1:
      return encodeHostingFrame(hosting(rng, o));
    case 2:
      return encodeAckFrame(n(), n());
    case 3:
      return encodeHeartbeatFrame(n(), rng.chance(0.5));
    case 4:
      return encodeConntrackReportFrame({
        requestId: rng.pick(["", "r1", ...PROTOTYPE_NAMES]),
        takenAtMs: n(),
        enis: Array.from({ length: rng.int(0, 3) }, () => ({
          eniId: eni(),
          instanceId: text(rng, o.instanceIds),
          entries: Array.from({ length: rng.int(0, 3) }, () => ({
            protocol: rng.pick([1, 6, 17, 58, 255]),
            original: { src: "10.0.1.10", srcPort: n() % 65536, dst: "10.0.1.11", dstPort: 80 },
            reply: { src: "10.0.1.11", srcPort: 80, dst: "10.0.1.10", dstPort: n() % 65536 },
            state: rng.pick(["ESTABLISHED", "SYN_SENT", "", ...PROTOTYPE_NAMES]),
            expiresAtMs: n(),
            packetsOriginal: n(),
            bytesOriginal: n(),
            packetsReply: n(),
            bytesReply: n(),
            ruleId: rng.pick(["", "sgr-1", ...PROTOTYPE_NAMES]),
            direction: rng.pick(["ingress", "egress", "", "constructor"]),
          })),
        })),
      });
    case 5:
      return encodeCountersFrame({
        takenAtMs: n(),
        enis: Array.from({ length: rng.int(0, 3) }, () => ({
          eniId: eni(),
          instanceId: text(rng, o.instanceIds),
          drops: Object.fromEntries(
            Array.from({ length: rng.int(0, 3) }, () => [
              rng.pick(["sg_no_match", "truncated", ...PROTOTYPE_NAMES]),
              n(),
            ]),
          ),
          conntrackAllowanceExceeded: n(),
          conntrackAllowanceAvailable: n(),
          bwInAllowanceExceeded: n(),
          bwOutAllowanceExceeded: n(),
          ppsAllowanceExceeded: n(),
          linklocalAllowanceExceeded: n(),
          packetsAccepted: n(),
        })),
      });
    default:
      return encodeFlowLogsFrame(
        Array.from({ length: rng.int(0, 4) }, () => ({
          eniId: eni(),
          line: rng.pick(["2 123 eni-1 - - - - - - - - ACCEPT OK", "", "\u0000", "constructor"]),
        })),
      );
  }
}

/** One frame to send: random bytes, a mutant or a valid frame (or a text message). */
function randomFrame(rng: Rng, o: HubFuzzOptions): Uint8Array | string {
  // A bad frame ends the connection (4400), so valid frames keep sessions going deeper.
  const r = rng.next();
  if (r < 0.02) return rng.pick(["hello", "{}", "", "\u0000"]);
  if (r < 0.15) return rng.bytes(rng.chance(0.9) ? rng.int(0, 64) : rng.int(64, 4096));
  if (r < 0.5) return mutateBytes(rng, validFrame(rng, o));
  return validFrame(rng, o);
}

/** Runs connections until `frames` frames were sent; figures. */
export async function runHubFuzz(o: HubFuzzOptions): Promise<HubFuzzResult> {
  let sent = 0;
  let connections = 0;
  let hellos = 0;
  let answers = 0;
  const closeCodes: Record<number, number> = {};
  const started = performance.now();
  const connection = async (rng: Rng): Promise<void> => {
    connections++;
    const ws = new WebSocket(o.url);
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("message", () => answers++);
    ws.on("error", () => undefined);
    const open = await Promise.race([
      new Promise<boolean>((resolve) => ws.once("open", () => resolve(true))),
      closed.then(() => false),
    ]);
    if (open) {
      if (rng.chance(0.5)) {
        ws.send(hello(rng, o));
        hellos++;
        sent++;
      }
      const n = rng.int(1, 20);
      for (let i = 0; i < n && sent < o.frames && ws.readyState === WebSocket.OPEN; i++) {
        ws.send(randomFrame(rng, o));
        sent++;
        // Let the hub read it (and maybe close) before the next one, so each frame is judged.
        await new Promise((r) => setTimeout(r, 1));
      }
      await new Promise((r) => setTimeout(r, rng.int(0, 3)));
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    }
    const timer = setTimeout(() => ws.terminate(), 2000);
    const code = await closed;
    clearTimeout(timer);
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
  };
  const worker = async (w: number) => {
    const rng = o.rng.fork(w);
    while (sent < o.frames) await connection(rng);
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_v, i) => worker(i)));
  return {
    frames: sent,
    connections,
    hellos,
    closeCodes,
    answers,
    elapsedMs: Math.round(performance.now() - started),
  };
}
