/**
 * Chaos faults in the state store (controller/store/fault-ops.ts): every write is one
 * transaction that bumps the revision and announces faultIds; faults survive reopening the
 * database; the clock expires them and starts delayed conntrack faults.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sanitizeFaultBody, type FaultSpec } from "../../../../controller/model/fault.js";
import {
  advanceFaults,
  createFault,
  deleteAllFaults,
  deleteFault,
  nextFaultEventMs,
  selectorCatalog,
} from "../../../../controller/store/fault-ops.js";
import { StateStore } from "../../../../controller/store/state-store.js";
import type { StateChange } from "../../../../controller/policy/policy-state.js";

const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), "vpcemu-fault-ops-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spec(store: StateStore, body: Record<string, unknown>): FaultSpec {
  return sanitizeFaultBody(
    { from: "*", to: "node:internet", effects: { blackhole: true }, ...body },
    selectorCatalog(store.reader(), ["internet"]),
  );
}

describe("fault-ops", () => {
  it("stores a fault at the next revision, with its window, and announces it", () => {
    const store = StateStore.open(":memory:");
    const changes: StateChange[] = [];
    store.onChange((c) => changes.push(c));
    const f = store.mutate((ctx) =>
      createFault(ctx, spec(store, { startAfterMs: 1000, durationMs: 5000 }), {
        nowMs: T0,
        seed: 9,
      }),
    );
    expect(f.faultId).toMatch(/^flt-[0-9a-f]{17}$/);
    expect(f).toMatchObject({
      from: ["*"],
      to: ["node:internet"],
      revision: 1,
      seed: 9,
      createdAtMs: T0,
      startsAtMs: T0 + 1000,
      expiresAtMs: T0 + 6000,
      expired: false,
      started: false,
    });
    expect(store.revision()).toBe(1);
    expect(changes).toEqual([expect.objectContaining({ revision: 1, faultIds: [f.faultId] })]);
    expect(store.readPolicyState().faults).toEqual([f]);
    store.close();
  });

  it("keeps a given seed and has no end without a duration", () => {
    const store = StateStore.open(":memory:");
    const f = store.mutate((ctx) =>
      createFault(ctx, spec(store, { seed: 42 }), { nowMs: T0, seed: 1 }),
    );
    expect(f).toMatchObject({ seed: 42, expiresAtMs: null, started: true });
    expect(nextFaultEventMs([f])).toBeUndefined();
    store.close();
  });

  it("deletes one (EMU_ERR_FAULT_NOT_FOUND for an unknown id) or all, each a revision", () => {
    const store = StateStore.open(":memory:");
    const a = store.mutate((ctx) => createFault(ctx, spec(store, {}), { nowMs: T0, seed: 1 }));
    const b = store.mutate((ctx) => createFault(ctx, spec(store, {}), { nowMs: T0, seed: 1 }));
    const c = store.mutate((ctx) => createFault(ctx, spec(store, {}), { nowMs: T0, seed: 1 }));
    expect(store.mutate((ctx) => deleteFault(ctx, a.faultId))).toEqual(a);
    expect(() => store.mutate((ctx) => deleteFault(ctx, a.faultId))).toThrow(
      expect.objectContaining({ code: "EMU_ERR_FAULT_NOT_FOUND", status: 404 }),
    );
    expect(store.revision()).toBe(4);
    expect(store.mutate((ctx) => deleteAllFaults(ctx))).toEqual([b.faultId, c.faultId]);
    expect(store.revision()).toBe(5);
    expect(store.list("fault")).toEqual([]);
    expect(store.readPolicyState().faults).toBeUndefined();
    store.close();
  });

  it("expires faults past their end and starts delayed conntrack faults, one revision", () => {
    const store = StateStore.open(":memory:");
    const short = store.mutate((ctx) =>
      createFault(ctx, spec(store, { durationMs: 1000 }), { nowMs: T0, seed: 1 }),
    );
    const ct = store.mutate((ctx) =>
      createFault(
        ctx,
        sanitizeFaultBody(
          {
            from: "*",
            effects: { conntrack: { flush: true } },
            startAfterMs: 500,
            durationMs: 5000,
          },
          selectorCatalog(store.reader(), []),
        ),
        { nowMs: T0, seed: 1 },
      ),
    );
    const all = () => store.list("fault");
    expect(nextFaultEventMs(all())).toBe(T0 + 500);
    expect(store.mutate((ctx) => advanceFaults(ctx, T0 + 499))).toEqual({
      expired: [],
      started: [],
    });
    expect(store.revision()).toBe(2);
    expect(store.mutate((ctx) => advanceFaults(ctx, T0 + 500))).toEqual({
      expired: [],
      started: [ct.faultId],
    });
    expect(nextFaultEventMs(all())).toBe(T0 + 1000);
    expect(store.mutate((ctx) => advanceFaults(ctx, T0 + 10_000))).toEqual({
      expired: [short.faultId, ct.faultId],
      started: [],
    });
    expect(store.revision()).toBe(4);
    expect(all().every((f) => f.expired)).toBe(true);
    expect(nextFaultEventMs(all())).toBeUndefined();
    store.close();
  });

  it("keeps faults across reopening the database", () => {
    const path = join(dir, "state.db");
    const a = StateStore.open(path);
    const f = a.mutate((ctx) =>
      createFault(ctx, spec(a, { durationMs: 60_000 }), { nowMs: T0, seed: 3 }),
    );
    a.close();
    const b = StateStore.open(path);
    expect(b.revision()).toBe(1);
    expect(b.get("fault", f.faultId)).toEqual(f);
    expect(b.readPolicyState().faults).toEqual([f]);
    b.close();
  });

  it("stores nothing when the spec is refused", () => {
    const store = StateStore.open(":memory:");
    expect(() =>
      store.mutate((ctx) =>
        createFault(
          ctx,
          sanitizeFaultBody(
            { from: "sg:nope", to: "*", effects: { blackhole: true } },
            selectorCatalog(ctx.tx, []),
          ),
          { nowMs: T0, seed: 1 },
        ),
      ),
    ).toThrow(expect.objectContaining({ code: "EMU_ERR_FAULT_INVALID" }));
    expect(store.revision()).toBe(0);
    expect(store.list("fault")).toEqual([]);
    store.close();
  });
});
