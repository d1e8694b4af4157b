/**
 * The agent's side of verdict traces (node-agent/agent/agent-traces.ts; docs/observability.md
 * "Traces"): a real VerdictEmitter as the data path has it; what the agent would send to the
 * controller is collected. Start answer, port and filter selection, bounded buffer with `lost`,
 * batches of at most 512, stop and expiry with a final `finished` batch, refusal.
 */
import { describe, expect, it } from "vitest";
import {
  AGENT_TRACE_BUFFER,
  AgentTraces,
  MAX_BACKLOG_BYTES,
  TRACE_BATCH_MAX,
} from "../../../../node-agent/agent/agent-traces.js";
import type { TraceControl, VerdictEventsBatch } from "../../../../node-agent/control/wire.js";
import {
  VerdictEmitter,
  type VerdictEvent,
} from "../../../../node-agent/pipeline/verdict-event.js";
import { waitUntil } from "../../../helpers/wait-until.js";

const NONE = { verdict: "", protocol: 0, address: "", port: 0 };

function event(over: Partial<VerdictEvent> = {}): VerdictEvent {
  return {
    eniId: "eni-a",
    direction: "ingress",
    verdict: "drop",
    reason: "sg_no_match",
    conntrack: "none",
    protocol: 6,
    src: "10.0.1.10",
    dst: "10.0.2.20",
    srcPort: 40000,
    dstPort: 22,
    length: 40,
    atMs: 1,
    ...over,
  };
}

function rig(now = () => Date.now()) {
  const verdicts = new VerdictEmitter();
  const sent: VerdictEventsBatch[] = [];
  let connected = true;
  let attempts = 0;
  let backlog = 0;
  let backlogReads = 0;
  const traces = new AgentTraces({
    verdicts,
    hostedPorts: () => new Set(["eni-a", "eni-b"]),
    send: (b) => {
      attempts++;
      if (connected) sent.push(b);
      return connected;
    },
    now,
    backlog: () => {
      backlogReads++;
      return backlog;
    },
  });
  const start = (c: Partial<TraceControl> = {}) =>
    traces.control({
      traceId: "tr-1",
      stop: false,
      eniIds: ["eni-a"],
      expiresAtMs: Date.now() + 60_000,
      filter: NONE,
      ...c,
    });
  const emit = (e: VerdictEvent) => verdicts.emit(e, new Uint8Array(0));
  const events = () => sent.flatMap((b) => b.events);
  return {
    verdicts,
    traces,
    sent,
    start,
    emit,
    events,
    disconnect: (v: boolean) => (connected = !v),
    attempts: () => attempts,
    setBacklog: (n: number) => (backlog = n),
    backlogReads: () => backlogReads,
  };
}

describe("AgentTraces", () => {
  it("answers a start with an empty batch, then sends the events of its ports only", async () => {
    const r = rig();
    r.start();
    expect(r.sent).toEqual([{ traceId: "tr-1", events: [], lost: 0, finished: false, error: "" }]);
    expect(r.verdicts.active).toBe(true);
    r.emit(event({ srcPort: 1 }));
    r.emit(event({ eniId: "eni-b", srcPort: 2 }));
    r.emit(event({ srcPort: 3, verdict: "accept", reason: "sg_rule" }));
    await waitUntil("a batch", () => r.events().length >= 2, 2000);
    expect(r.events().map((e) => e.srcPort)).toEqual([1, 3]);
    r.traces.control({ traceId: "tr-1", stop: true, eniIds: [], expiresAtMs: 0, filter: NONE });
    expect(r.sent.at(-1)).toMatchObject({ finished: true, error: "" });
    expect(r.verdicts.active).toBe(false);
  });

  it("keeps only what matches the filter (verdict, protocol, address in canonical form, port)", async () => {
    const r = rig();
    r.start({ filter: { verdict: "drop", protocol: 6, address: "2001:DB8:0::1", port: 22 } });
    r.emit(event({ src: "2001:db8::1", srcPort: 1 }));
    r.emit(event({ src: "2001:db8::1", srcPort: 2, verdict: "accept" }));
    r.emit(event({ src: "2001:db8::1", srcPort: 3, protocol: 17 }));
    r.emit(event({ src: "2001:db8::2", srcPort: 4 }));
    r.emit(event({ src: "2001:db8::1", srcPort: 5, dstPort: 23 }));
    r.emit(event({ dst: "2001:db8::1", srcPort: 22, dstPort: 6 }));
    await waitUntil("a batch", () => r.events().length >= 2, 2000);
    expect(r.events().map((e) => e.srcPort)).toEqual([1, 22]);
    r.traces.stopAll();
  });

  it("bounds its buffer: what does not fit, or cannot be sent, is reported as lost", async () => {
    const r = rig();
    r.start();
    for (let i = 0; i < AGENT_TRACE_BUFFER + 10; i++) r.emit(event({ srcPort: i }));
    await waitUntil("the buffer sent", () => r.events().length >= AGENT_TRACE_BUFFER, 2000);
    const batches = r.sent.filter((b) => b.events.length > 0);
    expect(batches.every((b) => b.events.length <= TRACE_BATCH_MAX)).toBe(true);
    expect(batches.length).toBe(AGENT_TRACE_BUFFER / TRACE_BATCH_MAX);
    expect(r.sent.reduce((n, b) => n + b.lost, 0)).toBe(10);
    // Not connected: the events are gone and the next batch says how many.
    r.disconnect(true);
    r.emit(event());
    r.emit(event());
    const before = r.sent.length;
    const tried = r.attempts();
    await waitUntil("a send attempt while disconnected", () => r.attempts() > tried, 2000);
    expect(r.sent.length).toBe(before);
    r.disconnect(false);
    r.emit(event({ srcPort: 7 }));
    await waitUntil("the next batch", () => r.sent.length > before, 2000);
    expect(r.sent.at(-1)).toMatchObject({
      lost: 2,
      events: [expect.objectContaining({ srcPort: 7 })],
    });
    r.traces.stopAll();
  });

  it("ends by itself at the expiry with a finished batch", async () => {
    const r = rig();
    r.start({ expiresAtMs: Date.now() + 150 });
    r.emit(event());
    await waitUntil("the final batch", () => r.sent.some((b) => b.finished), 3000);
    expect(r.events()).toHaveLength(1);
    expect(r.traces.size).toBe(0);
    expect(r.verdicts.active).toBe(false);
  });

  it("refuses a trace of ports it does not host", () => {
    const r = rig();
    r.start({ eniIds: ["eni-z"] });
    expect(r.sent).toEqual([
      {
        traceId: "tr-1",
        events: [],
        lost: 0,
        finished: true,
        error: "this agent hosts none of eni-z",
      },
    ]);
    expect(r.verdicts.active).toBe(false);
  });

  it("does not fill a backlogged controller connection: those events are lost, and said so", async () => {
    const r = rig();
    r.start();
    r.setBacklog(MAX_BACKLOG_BYTES + 1);
    r.emit(event({ srcPort: 1 }));
    r.emit(event({ srcPort: 2 }));
    const tried = r.sent.length;
    const reads = r.backlogReads();
    // The flush that skips them (it asked for the backlog) empties the buffer, sending nothing.
    await waitUntil("a flush under backlog", () => r.backlogReads() > reads, 2000);
    expect(r.sent.length).toBe(tried);
    r.setBacklog(0);
    r.emit(event({ srcPort: 3 }));
    await waitUntil("a batch after the backlog", () => r.events().length >= 1, 2000);
    expect(r.events().map((e) => e.srcPort)).toEqual([3]);
    expect(r.sent.at(-1)!.lost).toBe(2);
    r.traces.stopAll();
  });
});
