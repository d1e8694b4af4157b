/**
 * FaultEngine with an injected time (plain numbers) and seeded RNGs: every effect, its
 * statistics within stated bounds, and reproducibility (same seed, same decisions).
 */
import { describe, expect, it } from "vitest";
import type {
  CompiledFault,
  FaultEffects,
  FaultPair,
} from "../../../../node-agent/fault/compiled-fault.js";
import {
  FaultEngine,
  type FaultSink,
  type FaultUnit,
} from "../../../../node-agent/fault/fault-engine.js";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import { TcpFlag, type DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import type { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { buildIcmpEcho, buildTcp, buildUdp } from "../../../helpers/packet-builder.js";

const HEADROOM = 16;
const T0 = 1_700_000_000_000;
const A = "eni-a";
const B = "eni-b";

interface Ctx {
  readonly id: number;
}

class RecordingSink implements FaultSink<Ctx> {
  drops: Array<[number, DropReason]> = [];
  replies: Array<[number, Uint8Array]> = [];
  emitted: Array<{ id: number; at: number; unit: FaultUnit<Ctx> }> = [];
  drop(ctx: Ctx, reason: DropReason): void {
    this.drops.push([ctx.id, reason]);
  }
  reply(ctx: Ctx, packet: Uint8Array): void {
    this.replies.push([ctx.id, packet]);
  }
  emit(unit: FaultUnit<Ctx>, nowMs: number): void {
    this.emitted.push({ id: unit.ctx.id, at: nowMs, unit });
  }
}

const oneWay = (from = A, to = B): FaultPair => ({
  from: { any: false, portKeys: [from] },
  to: { any: false, portKeys: [to] },
  reverse: false,
});

function fault(
  effects: Partial<FaultEffects>,
  over: Partial<Omit<CompiledFault, "effects">> = {},
): CompiledFault {
  return {
    faultId: "flt-0123456789abcdef0",
    pairs: [oneWay()],
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    seed: 42,
    startAtMs: 0,
    endAtMs: 0,
    queueLimitPackets: 0,
    ...over,
    effects: { blackhole: false, reject: false, ...effects },
  };
}

const loss = (percent: number, correlation = 0) => ({
  percent,
  correlation,
  gilbertElliott: false,
  geP: 0,
  geR: 0,
  ge1h: 0,
  ge1k: 0,
});
const delay = (
  latencyMs: number,
  jitterMs = 0,
  distribution: "uniform" | "normal" | "pareto" | "paretonormal" = "uniform",
  correlation = 0,
) => ({ latencyMs, jitterMs, correlation, distribution });

function dec(p: Uint8Array): DecodedPacket {
  const d = decodePacket(p, 0, p.length);
  if (typeof d === "string") throw new Error(d);
  return d;
}

const UDP = buildUdp({
  src: "10.0.1.10",
  dst: "10.0.2.20",
  srcPort: 40000,
  dstPort: 53,
  payload: new Uint8Array(100).fill(7),
});

/** An engine with one snapshot of faults and a helper pushing packets A -> B. */
function setup(faults: CompiledFault[], now = T0) {
  const sink = new RecordingSink();
  const engine = new FaultEngine<Ctx>(sink, HEADROOM);
  engine.setFaults(faults, now);
  let id = 0;
  /** Sends a copy of `packet` (default UDP) at `at`; true when the caller forwards it now. */
  const send = (at: number, packet: Uint8Array = UDP, src = A, dst = B) => {
    const chain = engine.lookup(src, dst);
    if (chain === undefined) return { id: id++, pass: true, buf: packet };
    const buf = packet.slice();
    const ctx = { id: id++ };
    return { id: ctx.id, pass: engine.process(chain, dec(buf), buf, 0, buf.length, ctx, at), buf };
  };
  /** Releases everything queued, stepping time from due to due; returns the last time. */
  const drain = (from: number, until = Infinity) => {
    let now = from;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const due = engine.nextDueMs();
      if (due === Infinity || due > until) break;
      now = Math.max(now, due);
      engine.release(now);
    }
    return now;
  };
  return { sink, engine, send, drain };
}

describe("FaultEngine: matching", () => {
  it("touches only the pair the fault names, in its direction", () => {
    const { engine, send, sink } = setup([fault({ blackhole: true })]);
    expect(engine.lookup(A, B)).toBeDefined();
    expect(engine.lookup(B, A)).toBeUndefined();
    expect(send(T0).pass).toBe(false);
    expect(send(T0, UDP, B, A).pass).toBe(true);
    expect(sink.drops).toEqual([[0, "fault_blackhole"]]);
    expect(engine.counters()[0]).toMatchObject({ matched: 1, dropped: 1 });
  });

  it("filters by protocol and port: forward pairs by destination port, reverse pairs by source port", () => {
    const both: FaultPair[] = [oneWay(A, B), { ...oneWay(B, A), reverse: true }];
    const { send } = setup([
      fault({ blackhole: true }, { pairs: both, protocol: 6, fromPort: 3306, toPort: 3306 }),
    ]);
    const tcp = (src: string, dst: string, sp: number, dp: number) =>
      buildTcp({ src, dst, srcPort: sp, dstPort: dp, flags: TcpFlag.ACK });
    expect(send(T0, tcp("10.0.1.10", "10.0.2.20", 40000, 3306)).pass).toBe(false);
    expect(send(T0, tcp("10.0.1.10", "10.0.2.20", 40000, 3307)).pass).toBe(true);
    // db's replies come FROM 3306: the reverse pair matches on the source port.
    expect(send(T0, tcp("10.0.2.20", "10.0.1.10", 3306, 40000), B, A).pass).toBe(false);
    expect(send(T0, tcp("10.0.2.20", "10.0.1.10", 40000, 3306), B, A).pass).toBe(true);
    // Another protocol.
    expect(
      send(T0, buildUdp({ src: "10.0.1.10", dst: "10.0.2.20", srcPort: 1, dstPort: 3306 })).pass,
    ).toBe(true);
  });

  it("ignores ports for ICMP", () => {
    const { send } = setup([fault({ blackhole: true }, { protocol: 1, fromPort: 80, toPort: 80 })]);
    expect(
      send(T0, buildIcmpEcho({ src: "10.0.1.10", dst: "10.0.2.20", id: 1, seq: 1 })).pass,
    ).toBe(false);
    expect(send(T0).pass).toBe(true);
  });

  it("acts only inside [startAtMs, endAtMs) by the injected clock", () => {
    const { send, engine } = setup([
      fault({ blackhole: true }, { startAtMs: T0 + 100, endAtMs: T0 + 200 }),
    ]);
    expect(send(T0 + 99).pass).toBe(true);
    expect(send(T0 + 100).pass).toBe(false);
    expect(send(T0 + 199).pass).toBe(false);
    expect(send(T0 + 200).pass).toBe(true);
    expect(engine.counters()[0]!.matched).toBe(2);
  });
});

describe("FaultEngine: drop effects", () => {
  it("reject: writes a TCP RST for the source and drops the segment (fault_reject)", () => {
    const { send, sink, engine } = setup([fault({ reject: true })]);
    const syn = buildTcp({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      srcPort: 40000,
      dstPort: 3306,
      flags: TcpFlag.SYN,
      seq: 77,
    });
    expect(send(T0, syn).pass).toBe(false);
    expect(sink.drops).toEqual([[0, "fault_reject"]]);
    const rst = dec(sink.replies[0]![1]);
    expect([rst.tcpFlags, rst.tcpAck, rst.srcPort, rst.dstPort]).toEqual([
      TcpFlag.RST | TcpFlag.ACK,
      78,
      3306,
      40000,
    ]);
    expect(engine.counters()[0]).toMatchObject({ matched: 1, rejected: 1, dropped: 0 });
  });

  it("random loss of 10 % over 20 000 packets lies within 4 sigma (netem loss random)", () => {
    const { send, engine, sink } = setup([fault({ loss: loss(10) })]);
    let lost = 0;
    for (let i = 0; i < 20_000; i++) if (!send(T0).pass) lost++;
    // sigma = sqrt(n p (1 - p)) = 42.4
    expect(Math.abs(lost - 2000)).toBeLessThan(170);
    expect(engine.counters()[0]).toMatchObject({ matched: 20_000, dropped: lost });
    expect(sink.drops.every(([, r]) => r === "fault_loss")).toBe(true);
  });

  it.each([1, 50, 100])("loss %i percent within bounds", (pct) => {
    const { send } = setup([fault({ loss: loss(pct) })]);
    const n = 10_000;
    let lost = 0;
    for (let i = 0; i < n; i++) if (!send(T0).pass) lost++;
    const p = pct / 100;
    expect(Math.abs(lost - n * p)).toBeLessThanOrEqual(4 * Math.sqrt(n * p * (1 - p)));
  });

  it("the same seed gives the same decisions; another seed others", () => {
    const run = (seed: number) => {
      const { send } = setup([
        fault({ loss: loss(30), duplicate: { percent: 20, correlation: 0 } }, { seed }),
      ]);
      return Array.from({ length: 500 }, () => (send(T0).pass ? 1 : 0)).join("");
    };
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
  });

  it("loss correlation follows netem's get_crandom: losses cluster, and the rate falls as in netem", () => {
    const measure = (corr: number) => {
      const { send } = setup([fault({ loss: loss(20, corr) })]);
      let lost = 0;
      let afterLoss = 0;
      let prev = false;
      const n = 50_000;
      for (let i = 0; i < n; i++) {
        const l = !send(T0).pass;
        if (l) lost++;
        if (l && prev) afterLoss++;
        prev = l;
      }
      return { rate: lost / n, conditional: afterLoss / lost };
    };
    const plain = measure(0);
    const corr = measure(50);
    expect(Math.abs(plain.rate - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(plain.conditional - 0.2)).toBeLessThan(0.02);
    // (1 - rho) * fresh + rho * last narrows the draws around 0.5: fewer values below 0.2
    // (netem's known effect, why bursty loss is better modelled with Gilbert-Elliott) ...
    expect(corr.rate).toBeLessThan(0.05);
    // ... and a loss makes the next one more likely than the rate says.
    expect(corr.conditional).toBeGreaterThan(corr.rate * 3);
  });

  it("Gilbert-Elliott: loss rate p/(p+r) * (1-h) and mean burst 1/r (p 1 %, r 20 %, 1-h 100 %, 1-k 0)", () => {
    const { send } = setup([
      fault({
        loss: {
          percent: 0,
          correlation: 0,
          gilbertElliott: true,
          geP: 1,
          geR: 20,
          ge1h: 100,
          ge1k: 0,
        },
      }),
    ]);
    const n = 200_000;
    let lost = 0;
    let runs = 0;
    let prev = false;
    for (let i = 0; i < n; i++) {
      const l = !send(T0).pass;
      if (l) lost++;
      if (l && !prev) runs++;
      prev = l;
    }
    expect(lost / n).toBeGreaterThan(0.038);
    expect(lost / n).toBeLessThan(0.058); // 1/21 = 4.76 %
    expect(lost / runs).toBeGreaterThan(4.4);
    expect(lost / runs).toBeLessThan(5.6); // 1 / 0.2
  });
});

describe("FaultEngine: duplicate and corrupt", () => {
  it("duplicate 50 %: each chosen packet gets one engine-owned copy with the same bytes", () => {
    const { send, sink, engine } = setup([fault({ duplicate: { percent: 50, correlation: 0 } })]);
    const n = 10_000;
    for (let i = 0; i < n; i++) expect(send(T0).pass).toBe(true);
    const dups = sink.emitted.length;
    expect(Math.abs(dups - n / 2)).toBeLessThan(200);
    expect(engine.counters()[0]!.duplicated).toBe(dups);
    const u = sink.emitted[0]!.unit;
    expect(u.off).toBe(HEADROOM);
    expect(u.buf.subarray(u.off, u.off + u.len)).toEqual(UDP);
  });

  it("corrupt 100 %: one bit per packet, in the payload, counted", () => {
    const { send, engine } = setup([fault({ corrupt: { percent: 100, correlation: 0 } })]);
    for (let i = 0; i < 20; i++) {
      const r = send(T0);
      expect(r.pass).toBe(true);
      let bits = 0;
      for (let j = 0; j < UDP.length; j++) {
        let x = UDP[j]! ^ r.buf[j]!;
        if (x !== 0) expect(j).toBeGreaterThanOrEqual(28);
        while (x) {
          bits += x & 1;
          x >>= 1;
        }
      }
      expect(bits).toBe(1);
    }
    expect(engine.counters()[0]!.corrupted).toBe(20);
  });

  it("corrupt happens before duplicate: the copy carries the same flipped bit", () => {
    const { send, sink } = setup([
      fault({
        corrupt: { percent: 100, correlation: 0 },
        duplicate: { percent: 100, correlation: 0 },
      }),
    ]);
    const r = send(T0);
    const u = sink.emitted[0]!.unit;
    expect(u.buf.subarray(u.off, u.off + u.len)).toEqual(r.buf);
    expect(r.buf).not.toEqual(UDP);
  });
});

describe("FaultEngine: delay and reorder", () => {
  it("holds a copy until its due time, then emits it (fixed 10 ms)", () => {
    const { send, sink, engine } = setup([fault({ delay: delay(10) })]);
    const r = send(T0);
    expect(r.pass).toBe(false);
    expect(engine.queued()).toBe(1);
    expect(engine.nextDueMs()).toBe(T0 + 10);
    engine.release(T0 + 9.9);
    expect(sink.emitted).toEqual([]);
    engine.release(T0 + 10);
    expect(sink.emitted.map((e) => [e.id, e.at])).toEqual([[0, T0 + 10]]);
    expect(engine.queued()).toBe(0);
    expect(engine.nextDueMs()).toBe(Infinity);
    expect(engine.counters()[0]).toMatchObject({ matched: 1, delayed: 1 });
  });

  const delays = (d: ReturnType<typeof delay>, n = 10_000) => {
    const { send, sink, drain } = setup([fault({ delay: d }, { queueLimitPackets: n })]);
    for (let i = 0; i < n; i++) send(T0);
    drain(T0);
    expect(sink.emitted.length).toBe(n);
    return sink.emitted.sort((a, b) => a.id - b.id).map((e) => e.unit.due - T0);
  };
  const stats = (xs: number[]) => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
    const sorted = [...xs].sort((a, b) => a - b);
    return { m, sd, min: sorted[0]!, max: sorted.at(-1)!, median: sorted[sorted.length >> 1]! };
  };

  it("uniform jitter: 50 ms +/- 10 ms stays in [40, 60) with mean 50 and sd 10/sqrt(3)", () => {
    const s = stats(delays(delay(50, 10)));
    expect(s.min).toBeGreaterThanOrEqual(40);
    expect(s.max).toBeLessThan(60);
    expect(Math.abs(s.m - 50)).toBeLessThan(0.3);
    expect(Math.abs(s.sd - 10 / Math.sqrt(3))).toBeLessThan(0.3);
  });

  it("normal: mean 50, sd 10 (netem normal table)", () => {
    const s = stats(delays(delay(50, 10, "normal")));
    expect(Math.abs(s.m - 50)).toBeLessThan(0.5);
    expect(Math.abs(s.sd - 10)).toBeLessThan(0.5);
  });

  it("pareto: right-skewed (median below mean), never below the table's floor", () => {
    const s = stats(delays(delay(50, 10, "pareto")));
    expect(s.median).toBeLessThan(s.m);
    expect(s.min).toBeGreaterThanOrEqual(50 - 10 * (2 / 3) - 0.01);
  });

  it("paretonormal: between the two", () => {
    const s = stats(delays(delay(50, 10, "paretonormal")));
    expect(Math.abs(s.m - 50)).toBeLessThan(1);
    expect(s.median).toBeLessThan(s.m + 0.5);
  });

  it("delay correlation makes successive delays alike", () => {
    const xs = delays(delay(50, 10, "uniform", 75));
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < xs.length; i++) {
      den += (xs[i]! - m) ** 2;
      if (i > 0) num += (xs[i]! - m) * (xs[i - 1]! - m);
    }
    expect(num / den).toBeGreaterThan(0.6);
  });

  it("a negative sample (latency < jitter) goes at once, as netem's does", () => {
    const { send, engine } = setup([fault({ delay: delay(1, 50) })]);
    let now = 0;
    for (let i = 0; i < 200; i++) if (send(T0).pass) now++;
    expect(now).toBeGreaterThan(50);
    expect(engine.counters()[0]!.delayed).toBe(200 - now);
  });

  it("reorder 100 % gap 5: every 5th packet goes at once, the others wait (netem reorder)", () => {
    const { send, engine } = setup([
      fault({ delay: delay(10), reorder: { percent: 100, correlation: 0, gap: 5 } }),
    ]);
    const at = Array.from({ length: 20 }, () => send(T0).pass);
    expect(at.map((p, i) => (p ? i : -1)).filter((i) => i >= 0)).toEqual([4, 9, 14, 19]);
    expect(engine.counters()[0]).toMatchObject({ reordered: 4, delayed: 16 });
  });

  it("reorder 25 % (gap 1 when 0): about a quarter skips the delay", () => {
    const { send, engine } = setup([
      fault({ delay: delay(10), reorder: { percent: 25, correlation: 0, gap: 0 } }),
    ]);
    const n = 4000;
    let at = 0;
    for (let i = 0; i < n; i++) if (send(T0).pass) at++;
    expect(Math.abs(at - 1000)).toBeLessThan(4 * Math.sqrt(n * 0.25 * 0.75));
    expect(engine.counters()[0]!.reordered).toBe(at);
  });

  it("drops a delayed packet beyond queueLimitPackets (fault_queue_overflow)", () => {
    const { send, sink, engine, drain } = setup([
      fault({ delay: delay(5) }, { queueLimitPackets: 3 }),
    ]);
    for (let i = 0; i < 5; i++) send(T0);
    expect(engine.queued()).toBe(3);
    expect(sink.drops).toEqual([
      [3, "fault_queue_overflow"],
      [4, "fault_queue_overflow"],
    ]);
    drain(T0);
    expect(sink.emitted.map((e) => e.id)).toEqual([0, 1, 2]);
    expect(engine.counters()[0]).toMatchObject({ delayed: 3, queueOverflow: 2 });
  });

  it("defaults the delay queue to 1000 packets", () => {
    const { send, engine } = setup([fault({ delay: delay(5) })]);
    for (let i = 0; i < 1005; i++) send(T0);
    expect(engine.queued()).toBe(1000);
    expect(engine.counters()[0]!.queueOverflow).toBe(5);
  });
});

describe("FaultEngine: rate", () => {
  const PKT = buildUdp({
    src: "10.0.1.10",
    dst: "10.0.2.20",
    srcPort: 1,
    dstPort: 2,
    payload: new Uint8Array(1000 - 28),
  });

  it("shapes to the configured bit rate after the burst (1 Mbit/s, 1000-byte packets)", () => {
    const { send, sink, engine, drain } = setup([
      fault({ rate: { bitsPerSecond: 1_000_000, queueLimitBytes: 0 } }),
    ]);
    let now = 0;
    for (let i = 0; i < 200; i++) if (send(T0, PKT).pass) now++;
    // The bucket starts with its burst (2 x 1514 bytes): 3 packets + one into debt.
    expect(now).toBe(4);
    expect(engine.counters()[0]!.rateLimited).toBe(196);
    const end = drain(T0);
    expect(sink.emitted.length).toBe(196);
    // 196 packets x 8 ms each, less the debt paid by the first burst.
    expect(end - T0).toBeGreaterThan(196 * 8 - 30);
    expect(end - T0).toBeLessThan(196 * 8 + 10);
    const at = sink.emitted.map((e) => e.at);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeCloseTo(8, 6);
  });

  it("bounds the backlog by queueLimitBytes and counts the overflow", () => {
    const { send, sink, engine } = setup([
      fault({ rate: { bitsPerSecond: 1_000_000, queueLimitBytes: 10_000 } }),
    ]);
    for (let i = 0; i < 30; i++) send(T0, PKT);
    expect(engine.queued()).toBe(10);
    expect(engine.counters()[0]).toMatchObject({ rateLimited: 10, queueOverflow: 16 });
    // The rate limit's queue has its own reason (the delay queue's is fault_queue_overflow).
    expect(sink.drops.filter(([, r]) => r === "fault_rate_queue_overflow").length).toBe(16);
  });

  it("and by queueLimitPackets", () => {
    const { send, engine } = setup([
      fault({ rate: { bitsPerSecond: 1_000_000, queueLimitBytes: 0 } }, { queueLimitPackets: 5 }),
    ]);
    for (let i = 0; i < 30; i++) send(T0, PKT);
    expect(engine.queued()).toBe(5);
  });

  it("delay then rate: a delayed packet joins the rate queue when released", () => {
    const { send, sink, drain } = setup([
      fault({ delay: delay(100), rate: { bitsPerSecond: 1_000_000, queueLimitBytes: 0 } }),
    ]);
    for (let i = 0; i < 10; i++) expect(send(T0, PKT).pass).toBe(false);
    drain(T0);
    const at = sink.emitted.map((e) => e.at - T0);
    expect(at.slice(0, 4)).toEqual([100, 100, 100, 100]);
    expect(at[9]!).toBeGreaterThan(100 + 5 * 8);
  });
});

describe("FaultEngine: snapshots and chains", () => {
  it("keeps a known fault's counters and queue, starts a new one at 0, drops a removed one's queue", () => {
    const f1 = fault({ delay: delay(10) }, { faultId: "flt-1" });
    const f2 = fault({ delay: delay(10) }, { faultId: "flt-2", pairs: [oneWay(B, A)] });
    const { send, engine, sink, drain } = setup([f1, f2]);
    send(T0);
    send(T0, UDP, B, A);
    expect(engine.queued()).toBe(2);
    engine.setFaults([f1, fault({ blackhole: true }, { faultId: "flt-3" })], T0 + 1);
    expect(engine.queued()).toBe(1);
    expect(engine.counters().map((c) => [c.faultId, c.matched])).toEqual([
      ["flt-1", 1],
      ["flt-3", 0],
    ]);
    drain(T0 + 1);
    expect(sink.emitted.map((e) => e.id)).toEqual([0]); // flt-2's packet is gone
  });

  it("a changed definition keeps counters but restarts the random streams", () => {
    const { send, engine } = setup([fault({ loss: loss(100) })]);
    send(T0);
    engine.setFaults([fault({ loss: loss(0) })], T0);
    expect(send(T0).pass).toBe(true);
    expect(engine.counters()[0]).toMatchObject({ matched: 2, dropped: 1 });
  });

  it("runs faults of one pair in snapshot order; a released packet meets the next fault", () => {
    const { send, sink, engine, drain } = setup([
      fault({ delay: delay(10) }, { faultId: "flt-1" }),
      fault({ blackhole: true }, { faultId: "flt-2", startAtMs: T0 + 5 }),
    ]);
    expect(send(T0).pass).toBe(false);
    drain(T0);
    // Released at T0 + 10, when flt-2 is active: blackholed there.
    expect(sink.emitted).toEqual([]);
    expect(sink.drops).toEqual([[0, "fault_blackhole"]]);
    expect(engine.counters().map((c) => c.matched)).toEqual([1, 1]);
  });

  it("a packet released after its next fault was removed skips it", () => {
    const f1 = fault({ delay: delay(10) }, { faultId: "flt-1" });
    const { send, sink, engine, drain } = setup([
      f1,
      fault({ blackhole: true }, { faultId: "flt-2" }),
    ]);
    send(T0);
    engine.setFaults([f1], T0 + 1);
    drain(T0 + 1);
    expect(sink.emitted.map((e) => e.id)).toEqual([0]);
  });

  it("the same seed and packets give the same delays, losses and duplicates", () => {
    const run = () => {
      const { send, sink, drain } = setup([
        fault({
          loss: loss(10, 25),
          duplicate: { percent: 10, correlation: 0 },
          delay: delay(20, 5, "normal", 25),
          reorder: { percent: 10, correlation: 0, gap: 3 },
        }),
      ]);
      const pass = Array.from({ length: 2000 }, (_, i) => send(T0 + i).pass);
      drain(T0);
      return { pass, out: sink.emitted.map((e) => [e.id, e.at]), drops: sink.drops };
    };
    expect(run()).toEqual(run());
  });
});
