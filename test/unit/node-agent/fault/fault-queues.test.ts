import { describe, expect, it } from "vitest";
import {
  DelayHeap,
  Fifo,
  RATE_BURST_MS,
  TokenBucket,
} from "../../../../node-agent/fault/fault-queues.js";
import { FaultRng } from "../../../../node-agent/fault/prng.js";

describe("DelayHeap", () => {
  it("pops by due time, ties in arrival order", () => {
    const h = new DelayHeap<{ due: number; seq: number; id: string }>();
    const items = [
      { due: 30, seq: 0, id: "a" },
      { due: 10, seq: 1, id: "b" },
      { due: 20, seq: 2, id: "c" },
      { due: 10, seq: 3, id: "d" },
    ];
    for (const i of items) h.push(i);
    expect(h.size).toBe(4);
    expect(h.peek()?.id).toBe("b");
    expect([h.pop(), h.pop(), h.pop(), h.pop()].map((x) => x?.id)).toEqual(["b", "d", "c", "a"]);
    expect(h.pop()).toBeUndefined();
  });

  it("sorts 5 000 random due times", () => {
    const r = new FaultRng(1);
    const h = new DelayHeap<{ due: number; seq: number }>();
    for (let i = 0; i < 5000; i++) h.push({ due: r.below(1000), seq: i });
    let prev = { due: -1, seq: -1 };
    for (let x = h.pop(); x !== undefined; x = h.pop()) {
      expect(x.due > prev.due || (x.due === prev.due && x.seq > prev.seq)).toBe(true);
      prev = x;
    }
  });
});

describe("Fifo", () => {
  it("keeps order across compactions", () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 500; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift()!);
    }
    while (q.size > 0) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
  });
});

describe("TokenBucket", () => {
  it("starts full, goes into debt by a packet, and is ready again after the debt is paid", () => {
    const b = new TokenBucket(8_000_000, 0); // 8 Mbit/s = 1000 bytes/ms
    const burstBytes = ((8_000_000 / 1000) * RATE_BURST_MS) / 8; // 25 ms of 8 Mbit/s
    let sent = 0;
    while (b.ready()) {
      b.take(1500);
      sent += 1500;
    }
    // Any packet leaves while the bucket is not in debt: the burst plus at most one packet.
    expect(sent).toBeGreaterThanOrEqual(burstBytes);
    expect(sent).toBeLessThanOrEqual(burstBytes + 1500);
    const at = b.readyAtMs();
    expect(at).toBeCloseTo((sent - burstBytes) / 1000, 9);
    b.refill(at);
    expect(b.ready()).toBe(true);
  });

  it("holds the configured rate over a long run", () => {
    const b = new TokenBucket(1_000_000, 0); // 125 bytes/ms
    let now = 0;
    let bytes = 0;
    while (now < 10_000) {
      b.refill(now);
      if (b.ready()) {
        b.take(1000);
        bytes += 1000;
      } else now = b.readyAtMs();
    }
    // 10 s at 1 Mbit/s = 1 250 000 bytes, plus the initial burst.
    expect(bytes).toBeGreaterThan(1_250_000);
    expect(bytes).toBeLessThan(1_250_000 + 5_000);
  });
});
