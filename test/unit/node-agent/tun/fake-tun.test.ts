import { describe, expect, it } from "vitest";
import { TunClosedError } from "../../../../node-agent/tun/tun-device.js";
import { FakeTun } from "../../../helpers/fake-tun.js";

describe("FakeTun (the in-memory twin of TunDevice)", () => {
  it("hands sent packets to readBatch at the offset, up to bufs.length per call", async () => {
    const t = new FakeTun();
    t.send(Uint8Array.of(1, 2));
    t.send(Uint8Array.of(3));
    t.send(Uint8Array.of(4));
    const bufs = [new Uint8Array(8), new Uint8Array(8)];
    const sizes = [0, 0];
    expect(await t.readBatch(bufs, sizes, 4)).toBe(2);
    expect([...bufs[0]!.subarray(4, 6)]).toEqual([1, 2]);
    expect(sizes).toEqual([2, 1]);
    expect(await t.readBatch(bufs, sizes, 0)).toBe(1);
  });

  it("waits for a packet, and rejects a pending read on close", async () => {
    const t = new FakeTun();
    const bufs = [new Uint8Array(8)];
    const pending = t.readBatch(bufs, [0], 0);
    setTimeout(() => t.send(Uint8Array.of(7)), 5);
    expect(await pending).toBe(1);
    const again = expect(t.readBatch(bufs, [0], 0)).rejects.toBeInstanceOf(TunClosedError);
    await t.close();
    await again;
  });

  it("records writeBatch packets for the node", async () => {
    const t = new FakeTun();
    const buf = Uint8Array.of(0, 0, 5, 6, 7);
    expect(await t.writeBatch([buf], [3], 2)).toBe(1);
    expect(await t.nextReceived()).toEqual(Uint8Array.of(5, 6, 7));
    expect(await t.expectNothing(5)).toBe(true);
  });
});
