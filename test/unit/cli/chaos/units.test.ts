import { describe, expect, it } from "vitest";
import {
  formatDuration,
  formatRate,
  parseCount,
  parseDuration,
  parsePercent,
  parseRate,
  parseSeconds,
  parseSize,
  UnitError,
} from "../../../../cli/chaos/units.js";

/** The message of the UnitError `fn` throws (fails the test when it does not throw one). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UnitError);
    return (err as Error).message;
  }
  throw new Error("expected a UnitError");
}

describe("parseDuration", () => {
  it.each([
    ["50ms", 50],
    ["1.5s", 1500],
    ["500us", 0.5],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["10msec", 10],
    [".5s", 500],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration("--delay", text)).toBe(ms);
  });

  it.each([
    ["50", "--delay 50: a duration needs a unit: us, ms, s, m or h (e.g. 50ms)"],
    ["50 parsecs", "--delay 50 parsecs: unknown duration unit ' parsecs' (use us, ms, s, m or h)"],
    ["fast", "--delay fast: expected a duration"],
    ["-5ms", "--delay -5ms: must not be negative"],
    ["0ms", "--delay 0ms: must be longer than 0"],
    ["0", "--delay 0: must be longer than 0"],
    ["61s", "--delay 61s: must be at most 60s"],
  ])("refuses %j naming the value", (text, message) => {
    expect(refusal(() => parseDuration("--delay", text, { maxMs: 60_000 }))).toBe(message);
  });

  it("accepts zero where allowed (--after 0s)", () => {
    expect(parseDuration("--after", "0s", { allowZero: true })).toBe(0);
  });
});

describe("parseSeconds", () => {
  it("reads whole seconds", () => {
    expect(parseSeconds("--tcp-timeout", "30s")).toBe(30);
    expect(parseSeconds("--tcp-timeout", "2m")).toBe(120);
  });
  it("refuses fractions of a second", () => {
    expect(refusal(() => parseSeconds("--udp-timeout", "1500ms"))).toBe(
      "--udp-timeout 1500ms: must be a whole number of seconds",
    );
  });
});

describe("parsePercent", () => {
  it.each([
    ["5%", 5],
    ["0.1%", 0.1],
    ["100%", 100],
  ])("reads %s", (text, n) => {
    expect(parsePercent("--loss", text)).toBe(n);
  });

  it.each([
    ["120%", "--loss 120%: must be within 0%..100%"],
    ["5", "--loss 5: a percentage needs its '%' (e.g. 5%)"],
    ["0%", "--loss 0%: must be above 0%"],
    ["5 percent", "--loss 5 percent: expected a percentage such as 5% or 0.1%"],
    ["-1%", "--loss -1%: must not be negative"],
  ])("refuses %j naming the value", (text, message) => {
    expect(refusal(() => parsePercent("--loss", text))).toBe(message);
  });

  it("takes 0% for correlations", () => {
    expect(parsePercent("--correlation", "0%", { allowZero: true })).toBe(0);
  });
});

describe("parseRate", () => {
  it.each([
    ["10mbit", 10_000_000],
    ["1gbit", 1_000_000_000],
    ["500kbit", 500_000],
    ["1mibit", 1_048_576],
    ["100kbps", 800_000],
    ["1.5mbit", 1_500_000],
    ["64bit", 64],
  ])("reads %s as %d bit/s (tc's units)", (text, bits) => {
    expect(parseRate("--rate", text)).toBe(bits);
  });

  it.each([
    ["0", "--rate 0: must be above 0"],
    ["0mbit", "--rate 0mbit: must be above 0"],
    [
      "10",
      "--rate 10: a rate needs a unit: bit, kbit, mbit, gbit (bits/s) or bps, kbps, mbps (bytes/s), e.g. 10mbit",
    ],
    ["10mb", expect.stringContaining("--rate 10mb: unknown rate unit 'mb'")],
    ["4bit", "--rate 4bit: must be at least 8bit (one byte per second)"],
  ])("refuses %j naming the value", (text, message) => {
    expect(refusal(() => parseRate("--rate", text))).toEqual(message);
  });
});

describe("parseSize and parseCount", () => {
  it("reads sizes", () => {
    expect(parseSize("--rate-queue", "256KiB")).toBe(262_144);
    expect(parseSize("--rate-queue", "64kb")).toBe(64_000);
    expect(refusal(() => parseSize("--rate-queue", "256"))).toMatch(/needs a unit/);
    expect(refusal(() => parseSize("--rate-queue", "2MiB", { max: 1_000_000 }))).toBe(
      "--rate-queue 2MiB: must be at most 1000000 bytes",
    );
  });

  it("reads counts within bounds", () => {
    expect(parseCount("--seed", "42", 0, 100)).toBe(42);
    expect(refusal(() => parseCount("--seed", "4.2", 0, 100))).toBe(
      "--seed 4.2: expected a whole number",
    );
    expect(refusal(() => parseCount("--seed", "101", 0, 100))).toBe(
      "--seed 101: must be within 0..100",
    );
  });
});

describe("formatting", () => {
  it("prints durations and rates the short way", () => {
    expect([0.5, 50, 1500, 60_000, 90_000, 5_400_000].map(formatDuration)).toEqual([
      "500us",
      "50ms",
      "1.5s",
      "60s",
      "1m30s",
      "1h30m",
    ]);
    expect([10_000_000, 1_500_000_000, 800_000, 64].map(formatRate)).toEqual([
      "10mbit",
      "1.5gbit",
      "800kbit",
      "64bit",
    ]);
  });
});

describe("units named like Object.prototype members (issue 14 item 4)", () => {
  it.each(["constructor", "__proto__", "toString", "valueOf"])("5%s is an unknown unit", (unit) => {
    expect(refusal(() => parseDuration("--delay", `5${unit}`))).toContain("unknown duration unit");
    expect(refusal(() => parseRate("--rate", `5${unit}`))).toContain("unit");
    expect(refusal(() => parseSize("--queue", `5${unit}`))).toContain("unit");
  });
});
