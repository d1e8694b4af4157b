import { describe, expect, it } from "vitest";
import { Allowance } from "../../../../node-agent/conntrack/allowance.js";
import { DEFAULT_CONNTRACK_MAX } from "../../../../node-agent/filter/policy.js";

describe("Allowance", () => {
  it("defaults to 65536 (MET-1)", () => {
    expect(new Allowance().max).toBe(DEFAULT_CONNTRACK_MAX);
    expect(new Allowance().available()).toBe(65_536);
  });

  it("hands out units up to the maximum, then refuses (MET-1) and reports what is left (MET-4)", () => {
    const a = new Allowance(2);
    expect(a.tryAcquire()).toBe(true);
    expect(a.available()).toBe(1);
    expect(a.tryAcquire()).toBe(true);
    expect(a.hasRoom()).toBe(false);
    expect(a.tryAcquire()).toBe(false);
    expect(a.used).toBe(2);
    a.release();
    expect(a.available()).toBe(1);
  });

  it("counts exceeded packets cumulatively (MET-3)", () => {
    const a = new Allowance(0);
    a.noteExceeded();
    a.noteExceeded();
    expect(a.exceeded()).toBe(2);
  });

  it("keeps entries above a lowered maximum and reports 0 available", () => {
    const a = new Allowance(3);
    a.tryAcquire();
    a.tryAcquire();
    a.setMax(1);
    expect(a.available()).toBe(0);
    expect(a.used).toBe(2);
  });
});
