import { describe, expect, it } from "vitest";
import type { FaultView } from "../../../../cli/chaos/fault-api.js";
import {
  formatCounters,
  formatEffects,
  formatExpiry,
  formatFaultDetail,
  formatFaultTable,
} from "../../../../cli/chaos/format-faults.js";

const NOW = Date.parse("2026-01-01T00:00:00.000Z");
const ZERO = {
  matched: 0,
  delayed: 0,
  dropped: 0,
  duplicated: 0,
  corrupted: 0,
  reordered: 0,
  rejected: 0,
  queueOverflow: 0,
  rateLimited: 0,
};

const slowDb: FaultView = {
  faultId: "flt-0123456789abcdef0",
  state: "active",
  from: ["sg-0aaaaaaaaaaaaaaa1"],
  to: ["sg-0bbbbbbbbbbbbbbb2"],
  direction: "both",
  protocol: "tcp",
  ports: "3306",
  effects: { delay: { latencyMs: 100, jitterMs: 10, correlation: 0, distribution: "normal" } },
  seed: 7,
  createdAt: "2025-12-31T23:59:30.000Z",
  startsAt: "2025-12-31T23:59:30.000Z",
  expiresAt: "2026-01-01T00:00:45.000Z",
  revision: 12,
  agents: ["i-web", "i-db"],
  resolved: { from: ["eni-web"], to: ["eni-db"] },
  counters: { ...ZERO, matched: 120, delayed: 120 },
};

const cut: FaultView = {
  ...slowDb,
  faultId: "flt-00000000000000001",
  state: "pending",
  from: [],
  to: [],
  direction: "one-way",
  protocol: "all",
  ports: null,
  effects: { blackhole: true },
  expiresAt: null,
  partition: { groups: [["sg-0aaaaaaaaaaaaaaa1"], ["subnet-0c"]], mode: "complete", oneWay: true },
  counters: { ...ZERO, matched: 3, dropped: 3 },
};

describe("chaos ls / show formatting", () => {
  it("prints one row per fault with id, state, from, to, effects, counters, expiry", () => {
    expect(formatFaultTable([slowDb, cut], NOW).split("\n")).toEqual([
      "ID                     STATE    FROM                                        DIR  TO                             EFFECTS                   COUNTERS                 EXPIRES",
      "flt-0123456789abcdef0  active   sg-0aaaaaaaaaaaaaaa1                        <->  sg-0bbbbbbbbbbbbbbb2 tcp/3306  delay 100ms ±10ms normal  matched=120 delayed=120  in 45s",
      "flt-00000000000000001  pending  partition sg-0aaaaaaaaaaaaaaa1 > subnet-0c  ->   -                              blackhole                 matched=3 dropped=3      -",
    ]);
    expect(formatFaultTable([], NOW)).toBe("no faults");
  });

  it("shows every field of one fault", () => {
    const text = formatFaultDetail(slowDb, NOW);
    expect(text).toContain("from      sg-0aaaaaaaaaaaaaaa1  -> eni-web");
    expect(text).toContain("traffic   tcp ports 3306");
    expect(text).toContain("expires   2026-01-01T00:00:45.000Z (in 45s)");
    expect(text).toContain("agents    i-web, i-db");
    expect(formatFaultDetail(cut, NOW)).toContain(
      "partition [sg-0aaaaaaaaaaaaaaa1] [subnet-0c] mode complete one-way",
    );
  });

  it("writes effects the tc-netem way, in the order the agent applies them", () => {
    expect(
      formatEffects({
        delay: { latencyMs: 50, jitterMs: 0, correlation: 0, distribution: "uniform" },
        reorder: { percent: 25, correlation: 0, gap: 5 },
        loss: { gilbertElliott: { p: 5, r: 20, h: 0, k: 100 } },
        duplicate: { percent: 1, correlation: 0 },
        corrupt: { percent: 0.1, correlation: 0 },
        rate: { bitsPerSecond: 10_000_000, queueLimitBytes: 0 },
      }),
    ).toBe(
      "loss gemodel 5% 20% 100% 0%, corrupt 0.1%, duplicate 1%, delay 50ms, reorder 25% gap 5, rate 10mbit",
    );
    expect(
      formatEffects({
        conntrack: { allowance: 2, flush: true, timeouts: { tcpEstablished: 30, udp: 5 } },
      }),
    ).toBe("allowance 2, flush, tcp-timeout 30s, udp-timeout 5s");
    expect(formatCounters({ ...ZERO, matched: 10, rejected: 10 })).toBe("matched=10 rejected=10");
    expect(formatExpiry("2025-12-31T23:00:00.000Z", NOW)).toBe("expired");
  });
});
