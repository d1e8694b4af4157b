import { describe, expect, it } from "vitest";
import { TunWriter } from "../../../../node-agent/pipeline/tun-writer.js";
import { FakeTun } from "../../../helpers/fake-tun.js";

describe("TunWriter", () => {
  it("copies packets (the source buffer may change at once) and writes them in one batch", async () => {
    const tun = new FakeTun({ batchSize: 8 });
    const w = new TunWriter(tun);
    const src = Uint8Array.of(9, 9, 1, 2, 3, 9);
    w.enqueue(src, 2, 3);
    src.fill(0);
    w.enqueue(Uint8Array.of(4, 5), 0, 2);
    expect(tun.received()).toEqual([]);
    expect(await tun.nextReceived()).toEqual(Uint8Array.of(1, 2, 3));
    expect(await tun.nextReceived()).toEqual(Uint8Array.of(4, 5));
    expect(w.written).toBe(2);
  });

  it("writes at once when a batch is full", async () => {
    const tun = new FakeTun({ batchSize: 2 });
    const w = new TunWriter(tun);
    w.enqueue(Uint8Array.of(1), 0, 1);
    w.enqueue(Uint8Array.of(2), 0, 1);
    await Promise.resolve();
    expect(tun.received()).toHaveLength(2);
  });

  it("refuses packets larger than the MTU and counts write failures", async () => {
    const tun = new FakeTun({ mtu: 4 });
    const errors: unknown[] = [];
    const w = new TunWriter(tun, 4, 8, (e) => errors.push(e));
    w.enqueue(new Uint8Array(5), 0, 5);
    expect(w.refused).toBe(1);
    await tun.close();
    w.enqueue(new Uint8Array(2), 0, 2);
    w.flush();
    await new Promise((r) => setImmediate(r));
    expect(w.refused).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
