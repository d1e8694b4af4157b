import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ADD_OPTIONS,
  CONNTRACK_OPTIONS,
  conntrackRequestFromFlags,
  faultRequestFromFlags,
  PARTITION_OPTIONS,
  parseGilbertElliott,
  partitionRequestFromArgs,
} from "../../../../cli/chaos/fault-args.js";
import { UnitError } from "../../../../cli/chaos/units.js";

/** `vpcemu chaos add ARGS` flags as the command parses them. */
const add = (...args: string[]) =>
  faultRequestFromFlags(parseArgs({ args, options: ADD_OPTIONS, strict: true }).values);
const conntrack = (...args: string[]) =>
  conntrackRequestFromFlags(parseArgs({ args, options: CONNTRACK_OPTIONS, strict: true }).values);
const partition = (...args: string[]) => {
  const p = parseArgs({ args, options: PARTITION_OPTIONS, strict: true, allowPositionals: true });
  return partitionRequestFromArgs(p.positionals, p.values);
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UnitError);
    return (err as Error).message;
  }
  throw new Error("expected a UnitError");
}

const WEB_DB = ["--from", "sg:web-sg", "--to", "sg:db-sg"];

describe("vpcemu chaos add flags -> POST /v1/faults", () => {
  it("builds the slow-database recipe's body", () => {
    expect(
      add(
        ...WEB_DB,
        "--both",
        "--proto",
        "tcp",
        "--port",
        "3306",
        "--delay",
        "100ms",
        "--for",
        "60s",
      ),
    ).toEqual({
      from: ["sg:web-sg"],
      to: ["sg:db-sg"],
      direction: "both",
      protocol: "tcp",
      ports: "3306",
      effects: { delay: { latencyMs: 100 } },
      durationMs: 60_000,
    });
  });

  it("takes every effect with its units, in netem's meanings", () => {
    const req = add(
      ...WEB_DB,
      "--delay",
      "50ms",
      "--jitter",
      "10ms",
      "--correlation",
      "25%",
      "--distribution",
      "normal",
      "--loss",
      "5%",
      "--loss-correlation",
      "25%",
      "--duplicate",
      "1%",
      "--corrupt",
      "0.1%",
      "--reorder",
      "25%",
      "--reorder-correlation",
      "50%",
      "--reorder-gap",
      "5",
      "--rate",
      "10mbit",
      "--rate-queue",
      "256KiB",
      "--after",
      "5s",
      "--seed",
      "42",
      "--queue-limit",
      "500",
      "--description",
      "flaky",
    );
    expect(req).toEqual({
      from: ["sg:web-sg"],
      to: ["sg:db-sg"],
      direction: "one-way",
      effects: {
        delay: { latencyMs: 50, jitterMs: 10, correlation: 25, distribution: "normal" },
        loss: { percent: 5, correlation: 25 },
        duplicate: { percent: 1 },
        corrupt: { percent: 0.1 },
        reorder: { percent: 25, correlation: 50, gap: 5 },
        rate: { bitsPerSecond: 10_000_000, queueLimitBytes: 262_144 },
      },
      startAfterMs: 5000,
      seed: 42,
      queueLimitPackets: 500,
      description: "flaky",
    });
  });

  it("splits comma-separated and repeated selectors", () => {
    expect(
      add("--from", "sg:web-sg,instance:api", "--from", "10.0.1.0/24", "--to", "*", "--blackhole"),
    ).toMatchObject({ from: ["sg:web-sg", "instance:api", "10.0.1.0/24"], to: ["*"] });
  });

  it("turns netem's gemodel p r 1-h 1-k into the API's p r h k", () => {
    expect(parseGilbertElliott("5%,20%,100%,0%")).toEqual({ p: 5, r: 20, h: 0, k: 100 });
    expect(parseGilbertElliott("1%")).toEqual({ p: 1 });
    expect(add(...WEB_DB, "--loss-ge", "2%,30%,90%").effects).toEqual({
      loss: { gilbertElliott: { p: 2, r: 30, h: 10 } },
    });
  });

  it.each([
    [["--to", "sg:db-sg", "--delay", "5ms"], "--from is required (e.g. --from sg:web-sg)"],
    [
      ["--from", "sg:web-sg", "--delay", "5ms"],
      "--to is required (e.g. --to sg:db-sg, or --to '*')",
    ],
    [WEB_DB, expect.stringMatching(/^no effect given: add at least one of --blackhole, --reject/)],
    [
      [...WEB_DB, "--delay", "50"],
      "--delay 50: a duration needs a unit: us, ms, s, m or h (e.g. 50ms)",
    ],
    [[...WEB_DB, "--delay", "2m"], "--delay 2m: must be at most 60s"],
    [[...WEB_DB, "--loss", "120%"], "--loss 120%: must be within 0%..100%"],
    [[...WEB_DB, "--rate", "0"], "--rate 0: must be above 0"],
    [[...WEB_DB, "--jitter", "10ms"], "--jitter 10ms: needs --delay"],
    [[...WEB_DB, "--loss-correlation", "25%"], "--loss-correlation 25%: needs --loss"],
    [[...WEB_DB, "--rate-queue", "64kb"], "--rate-queue 64kb: needs --rate"],
    [[...WEB_DB, "--reorder-gap", "5"], "--reorder-gap 5: needs --reorder"],
    [
      [...WEB_DB, "--reorder", "25%"],
      "--reorder 25%: needs --delay (as in netem, reordered packets skip the delay the others get)",
    ],
    [
      [...WEB_DB, "--delay", "5ms", "--distribution", "normal"],
      "--distribution normal: needs --jitter (it shapes the jitter)",
    ],
    [
      [...WEB_DB, "--delay", "5ms", "--jitter", "1ms", "--distribution", "gauss"],
      "--distribution gauss: unknown distribution (use uniform, normal, pareto, paretonormal)",
    ],
    [
      [...WEB_DB, "--loss", "5%", "--loss-ge", "1%"],
      "--loss 5% and --loss-ge 1%: give one loss model",
    ],
    [
      [...WEB_DB, "--loss-ge", "1%,,2%"],
      expect.stringMatching(/^--loss-ge 1%,,2%: expected p\[,r/),
    ],
    [[...WEB_DB, "--loss-ge", "1%,120%"], "--loss-ge 1%,120%: r 120%: must be within 0%..100%"],
    [
      [...WEB_DB, "--blackhole", "--reject"],
      "--blackhole and --reject exclude each other (silent drop vs. RST/ICMP unreachable)",
    ],
    [
      [...WEB_DB, "--blackhole", "--delay", "5ms"],
      "--blackhole drops every matched packet, so --delay would never apply: give them as two faults",
    ],
    [
      [...WEB_DB, "--port", "3306", "--blackhole"],
      "--port 3306: ports need --proto tcp or --proto udp",
    ],
    [
      [...WEB_DB, "--proto", "tcp", "--port", "70000", "--blackhole"],
      "--port 70000: expected a port or a range FROM-TO within 0-65535",
    ],
    [
      [...WEB_DB, "--proto", "sctpish", "--blackhole"],
      "--proto sctpish: unknown protocol (use tcp, udp, icmp, icmpv6, all or a number 0-255)",
    ],
    [
      ["--from", "sg:web-sg,", "--to", "*", "--blackhole"],
      "--from 'sg:web-sg,': an empty selector (stray comma?)",
    ],
    [[...WEB_DB, "--blackhole", "--seed", "-1"], expect.stringMatching(/--seed.*ambiguous/)],
    [
      [...WEB_DB, "--blackhole", "--seed", "4294967296"],
      "--seed 4294967296: must be within 0..4294967295",
    ],
    [[...WEB_DB, "--blackhole", "--for", "0s"], "--for 0s: must be longer than 0"],
  ])("refuses %j", (args, message) => {
    // UnitError names the flag and value; node:util parseArgs itself refuses `--seed -1`.
    expect(() => add(...args)).toThrow();
    let msg = "";
    try {
      add(...args);
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toEqual(message);
  });
});

describe("vpcemu chaos conntrack flags", () => {
  it("builds a conntrack-only fault on the ENIs of --on", () => {
    expect(
      conntrack(
        "--on",
        "instance:db",
        "--allowance",
        "2",
        "--flush",
        "--tcp-timeout",
        "30s",
        "--udp-timeout",
        "5s",
        "--udp-stream-timeout",
        "10s",
        "--for",
        "1m",
      ),
    ).toEqual({
      from: ["instance:db"],
      effects: {
        conntrack: {
          allowance: 2,
          flush: true,
          timeouts: { tcpEstablished: 30, udp: 5, udpStream: 10 },
        },
      },
      durationMs: 60_000,
    });
  });

  it("refuses a missing --on, no effect, or a timeout in fractions of a second", () => {
    expect(refusal(() => conntrack("--flush"))).toBe("--on is required (e.g. --on instance:db)");
    expect(refusal(() => conntrack("--on", "db"))).toMatch(/^no conntrack effect given/);
    expect(refusal(() => conntrack("--on", "db", "--udp-timeout", "2.5s"))).toBe(
      "--udp-timeout 2.5s: must be a whole number of seconds",
    );
    expect(refusal(() => conntrack("--on", "db", "--allowance", "some"))).toBe(
      "--allowance some: expected a whole number",
    );
  });
});

describe("vpcemu chaos partition arguments", () => {
  it("reads each GROUP as a comma-separated list", () => {
    expect(
      partition("sg:web-sg,node:internet", "subnet:private", "--one-way", "--for", "30s"),
    ).toEqual({
      groups: [["sg:web-sg", "node:internet"], ["subnet:private"]],
      oneWay: true,
      durationMs: 30_000,
    });
    expect(partition("a", "b", "c", "--mode", "majorities-ring")).toMatchObject({
      mode: "majorities-ring",
    });
  });

  it("refuses one group and an unknown mode", () => {
    expect(refusal(() => partition("sg:web-sg"))).toBe(
      "a partition needs at least two groups, got 1 (e.g. sg:web-sg sg:db-sg)",
    );
    expect(refusal(() => partition("a", "b", "--mode", "halves"))).toBe(
      "--mode halves: unknown mode (use complete, majorities-ring, bridge)",
    );
  });
});
