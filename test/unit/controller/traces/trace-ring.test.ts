/**
 * The controller's per-trace ring (controller/traces/trace-ring.ts; docs/json-api.md
 * `GET /v1/traces/{traceId}/events`): sequence numbers from 1 in arrival order, pages from
 * `since`, and the events overwritten before they were read counted, never silently missing.
 */
import { describe, expect, it } from "vitest";
import { TraceRing } from "../../../../controller/traces/trace-ring.js";
import type { TraceEventRecord } from "../../../../controller/traces/trace-types.js";

const ev = (n: number): TraceEventRecord => ({
  eniId: "eni-0123456789abcdef0",
  direction: "ingress",
  verdict: "drop",
  reason: "sg_no_match",
  conntrack: "none",
  length: n,
  atMs: n,
});

describe("TraceRing", () => {
  it("numbers events from 1 and pages from `since`", () => {
    const r = new TraceRing(8);
    for (let i = 1; i <= 5; i++) r.push(ev(i));
    expect(r.next).toBe(6);
    const page = r.read(1, 3);
    expect(page.events.map((e) => [e.seq, e.event.length])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(page.overwritten).toBe(0);
    expect(r.read(4, 10).events.map((e) => e.seq)).toEqual([4, 5]);
    expect(r.read(6, 10)).toEqual({ events: [], overwritten: 0 });
  });

  it("overwrites the oldest when full and counts what a reader missed", () => {
    const r = new TraceRing(4);
    for (let i = 1; i <= 10; i++) r.push(ev(i));
    expect(r.oldest).toBe(7);
    const page = r.read(1, 100);
    expect(page.events.map((e) => e.seq)).toEqual([7, 8, 9, 10]);
    expect(page.overwritten).toBe(6);
    expect(r.read(5, 100).overwritten).toBe(2);
    expect(r.read(8, 100)).toMatchObject({ overwritten: 0 });
    expect(r.read(0, 100).overwritten).toBe(6);
  });
});
