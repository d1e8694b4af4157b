import { describe, expect, it } from "vitest";
import { ReportStore } from "../../../../controller/reports/report-store.js";

describe("ReportStore", () => {
  it("keeps the latest conntrack report per ENI", () => {
    const s = new ReportStore();
    s.putConntrack(
      "a",
      { requestId: "", takenAtMs: 1, enis: [{ eniId: "e1", instanceId: "i1", entries: [] }] },
      10,
    );
    s.putConntrack(
      "a",
      { requestId: "r", takenAtMs: 2, enis: [{ eniId: "e1", instanceId: "i1", entries: [] }] },
      20,
    );
    expect(s.conntrackOf("e1")).toMatchObject({ agentId: "a", takenAtMs: 2, receivedAtMs: 20 });
    expect(s.conntrackOf("e2")).toBeUndefined();
  });

  it("bounds flow logs per ENI, dropping the oldest", () => {
    const s = new ReportStore({ flowLogsPerEni: 3 });
    s.putFlowLogs([1, 2, 3, 4, 5].map((n) => ({ eniId: "e1", line: `l${n}` })));
    s.putFlowLogs([{ eniId: "e2", line: "x" }]);
    expect(s.flowLogsOf("e1")).toEqual(["l3", "l4", "l5"]);
    expect(s.flowLogsOf("e1", 2)).toEqual(["l4", "l5"]);
    expect(s.flowLogsOf("e2")).toEqual(["x"]);
    expect(s.eniIds().sort()).toEqual(["e1", "e2"]);
  });
});
