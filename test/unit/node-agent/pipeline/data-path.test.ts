import { describe, expect, it } from "vitest";
import { DataPath, Outbox } from "../../../../node-agent/pipeline/data-path.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { MemoryBus } from "../../../helpers/memory-transport.js";

describe("DataPath", () => {
  it("counts internal errors per port and logs them at most once per 5 s (STYLE.md §7)", () => {
    let now = 0;
    const warnings: string[] = [];
    const dp = new DataPath("agent-1", undefined, { warn: (m) => warnings.push(m) }, () => now);
    dp.internalError(undefined, new Error("boom"));
    dp.internalError(undefined, new Error("boom"));
    now = 4999;
    dp.internalError(undefined, new Error("boom"));
    now = 5000;
    dp.internalError(undefined, new Error("boom again"));
    expect(dp.drops.total()[DropReason.InternalError]).toBe(4);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/2 more suppressed.*boom again/s);
  });
});

describe("Outbox", () => {
  it("groups datagrams per endpoint and sends them on flush", async () => {
    const bus = new MemoryBus();
    const a = bus.transport("a:1");
    const b = bus.transport("b:1");
    const c = bus.transport("c:1");
    const got: string[] = [];
    b.onReceive((d, from) => got.push(`b<-${from}:${d[0]}`));
    c.onReceive((d, from) => got.push(`c<-${from}:${d[0]}`));
    const out = new Outbox(a);
    out.send(Uint8Array.of(1), "b:1");
    out.send(Uint8Array.of(2), "c:1");
    out.send(Uint8Array.of(3), "b:1");
    expect(a.sent).toBe(0);
    await out.flush();
    expect(a.sent).toBe(3);
    await new Promise((r) => setImmediate(r));
    expect(got.sort()).toEqual(["b<-a:1:1", "b<-a:1:3", "c<-a:1:2"]);
  });
});
