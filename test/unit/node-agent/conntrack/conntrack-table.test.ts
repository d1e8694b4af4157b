import { describe, expect, it } from "vitest";
import { ConntrackTable, NO_KEY } from "../../../../node-agent/conntrack/conntrack-table.js";
import { Allowance } from "../../../../node-agent/conntrack/allowance.js";
import { DEFAULT_CONNTRACK_TIMEOUTS } from "../../../../node-agent/filter/policy.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { echo, icmpError, tcpBytes, udp } from "../filter/fixtures.js";

/** A UDP packet with addresses and ports written directly (fast, for many flows). */
function flow(i: number, reverse = false, v6 = false): DecodedPacket {
  const base = udp(v6 ? "2001:db8::1" : "10.0.0.1", 1, v6 ? "2001:db8::2" : "10.0.0.2", 2);
  const a = new Uint8Array(base.src.length);
  const b = new Uint8Array(base.dst.length);
  a.set(base.src);
  b.set(base.dst);
  a[a.length - 2] = (i >> 8) & 255;
  a[a.length - 1] = i & 255;
  b[b.length - 3] = (i >> 16) & 255;
  const sp = 1024 + (i % 50_000);
  const dp = 53;
  return reverse
    ? { ...base, src: b, dst: a, srcPort: dp, dstPort: sp }
    : { ...base, src: a, dst: b, srcPort: sp, dstPort: dp };
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function table(allowance?: Allowance): ConntrackTable {
  return new ConntrackTable({
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    ...(allowance ? { allowance } : {}),
  });
}

describe("ConntrackTable", () => {
  it("finds an entry under its original key (dir 0) and its reply key (dir 1)", () => {
    const t = table();
    expect(t.lookup(flow(1), 0)).toBe(-1);
    const ref = t.insert(t.key, 100, 0, 0, "sgr-1", "egress");
    expect(ref).toBeGreaterThanOrEqual(0);
    expect(t.lookup(flow(1), 1)).toBe(ref);
    expect(t.lookup(flow(1, true), 1)).toBe(ref | 1);
    expect(t.lookup(flow(2), 1)).toBe(-1);
    expect(t.ruleIdOf(ref)).toBe("sgr-1");
    expect(t.openedBy(ref)).toBe("egress");
  });

  it("returns NO_KEY for ICMP errors (CT-9)", () => {
    const t = table();
    const err = icmpError("10.0.0.2", "10.0.0.1", 3, 4, tcpBytes("10.0.0.1", 1, "10.0.0.2", 2));
    expect(t.lookup(err, 0)).toBe(NO_KEY);
  });

  it("counts packets and bytes per direction", () => {
    const t = table();
    t.lookup(flow(7), 0);
    const ref = t.insert(t.key, 100, 0, 0, "sgr-1", "ingress");
    const r = t.lookup(flow(7, true), 5)!;
    t.commit(r, 40, 5, t.nextState(r, flow(7, true)));
    const [v] = t.entries(5, "eni-x");
    expect(v).toMatchObject({
      eniId: "eni-x",
      openedBy: "ingress",
      packets: { original: 1, reply: 1 },
      bytes: { original: 100, reply: 40 },
      lastSeenMs: 5,
      expiresAtMs: 5 + 30_000,
    });
    expect(ref >> 1).toBe(r >> 1);
  });

  it("reports ICMP echo entries with type and identifier, ports 0 (CT-8)", () => {
    const t = table();
    t.lookup(echo("10.0.0.1", "10.0.0.2", 99), 0);
    t.insert(t.key, 84, 0, 0, "sgr-icmp", "egress");
    expect(t.entries(0, "e")[0]).toMatchObject({
      protocol: 1,
      icmpType: 8,
      icmpId: 99,
      state: "ACTIVE",
      original: { src: "10.0.0.1", srcPort: 0, dst: "10.0.0.2", dstPort: 0 },
    });
  });

  it("never matches an expired entry, even before a reap, and frees it", () => {
    const a = new Allowance(10);
    const t = table(a);
    t.lookup(flow(3), 0);
    t.insert(t.key, 1, 0, 0, "r", "egress");
    expect(a.used).toBe(1);
    expect(t.lookup(flow(3, true), 29_999)).toBeGreaterThanOrEqual(0);
    expect(t.lookup(flow(3, true), 30_000)).toBe(-1);
    expect(t.size).toBe(0);
    expect(a.used).toBe(0);
  });

  it("refuses an insert when the allowance is exhausted and changes nothing", () => {
    const t = table(new Allowance(1));
    t.lookup(flow(1), 0);
    expect(t.insert(t.key, 1, 0, 0, "r", "egress")).toBeGreaterThanOrEqual(0);
    t.lookup(flow(2), 0);
    expect(t.insert(t.key, 1, 0, 0, "r", "egress")).toBe(-1);
    expect(t.size).toBe(1);
  });

  it("reaps only expired entries", () => {
    const t = table();
    for (let i = 0; i < 100; i++) {
      t.lookup(flow(i), i * 1000);
      t.insert(t.key, 1, i * 1000, 0, "r", "egress");
    }
    expect(t.reap(30_000 + 49_500)).toBe(50); // entries 0..49 expired
    expect(t.size).toBe(50);
    for (let i = 0; i < 100; i++) {
      expect(t.lookup(flow(i), 30_000 + 49_500) >= 0).toBe(i >= 50);
    }
  });

  it("reaps in bounded steps that continue where the previous one stopped", () => {
    const t = table();
    for (let i = 0; i < 100; i++) {
      t.lookup(flow(i), 0);
      t.insert(t.key, 1, 0, 0, "r", "egress");
    }
    let total = 0;
    for (let step = 0; step < 10; step++) total += t.reap(30_000, 10);
    expect(total).toBe(100);
    expect(t.size).toBe(0);
    expect(t.reap(30_000, 10)).toBe(0);
  });

  it.each([false, true])(
    "agrees with a Map model under random inserts, lookups and removals (v6: %s)",
    (v6) => {
      const rnd = prng(v6 ? 6 : 4);
      const t = new ConntrackTable({ timeouts: DEFAULT_CONNTRACK_TIMEOUTS, initialCapacity: 16 });
      const model = new Map<number, number>(); // flow id -> entry index
      for (let step = 0; step < 20_000; step++) {
        const id = Math.floor(rnd() * 3000);
        const op = rnd();
        const ref = t.lookup(flow(id, false, v6), 0);
        const known = model.get(id);
        expect(ref >= 0 ? ref >> 1 : undefined).toBe(known);
        if (known !== undefined) expect(t.lookup(flow(id, true, v6), 0)).toBe((known << 1) | 1);
        if (op < 0.5 && known === undefined) {
          t.lookup(flow(id, false, v6), 0);
          model.set(id, t.insert(t.key, 1, 0, 0, "r", "egress") >> 1);
        } else if (op >= 0.5 && known !== undefined && op < 0.8) {
          t.remove(known);
          model.delete(id);
        }
        expect(t.size).toBe(model.size);
      }
    },
  );

  it("grows past its initial capacity and keeps every entry", () => {
    const t = new ConntrackTable({ timeouts: DEFAULT_CONNTRACK_TIMEOUTS, initialCapacity: 8 });
    for (let i = 0; i < 5000; i++) {
      t.lookup(flow(i), 0);
      t.insert(t.key, 1, 0, 0, `r${i % 3}`, "egress");
    }
    expect(t.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(t.lookup(flow(i, true), 1) & 1).toBe(1);
    t.clear();
    expect(t.size).toBe(0);
  });
});
