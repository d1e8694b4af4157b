import { describe, expect, it } from "vitest";
import { FaultCounterStore, zeroFaultCounters } from "../../../../controller/hub/fault-counters.js";

const c = (faultId: string, matched: number, dropped = 0) => ({
  ...zeroFaultCounters(),
  faultId,
  matched,
  dropped,
});

describe("FaultCounterStore", () => {
  it("sums the latest cumulative value of each agent", () => {
    const s = new FaultCounterStore();
    s.put("a", [c("flt-1", 10, 1), c("flt-2", 5)]);
    s.put("b", [c("flt-1", 3)]);
    s.put("a", [c("flt-1", 12, 2)]);
    expect(s.totals("flt-1")).toMatchObject({ matched: 15, dropped: 2 });
    expect(s.totals("flt-2")).toMatchObject({ matched: 5 });
  });

  it("answers zeros for an unknown fault and forgets a deleted one", () => {
    const s = new FaultCounterStore();
    expect(s.totals("flt-x")).toEqual(zeroFaultCounters());
    s.put("a", [c("flt-1", 1)]);
    s.forget("flt-1");
    expect(s.totals("flt-1")).toEqual(zeroFaultCounters());
  });
});
