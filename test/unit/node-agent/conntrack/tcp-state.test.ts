import { describe, expect, it } from "vitest";
import { ConntrackTable } from "../../../../node-agent/conntrack/conntrack-table.js";
import {
  Dir,
  FlagClass,
  INVALID,
  NO_ENTRY,
  TCP_STATE_NAMES,
  TCP_TRANSITIONS,
  TcpState,
  nextTcpState,
  tcpFlagClass,
} from "../../../../node-agent/conntrack/tcp-state.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { DEFAULT_CONNTRACK_TIMEOUTS } from "../../../../node-agent/filter/policy.js";
import { TcpFlag, tcp } from "../filter/fixtures.js";

// Initiator C (ORIGINAL direction) and responder S.
const C = "10.0.1.10";
const S = "198.51.100.7";

const FLAGS: Record<keyof typeof FlagClass, number> = {
  SYN: TcpFlag.SYN,
  SYN_ACK: TcpFlag.SYN | TcpFlag.ACK,
  FIN: TcpFlag.FIN | TcpFlag.ACK,
  ACK: TcpFlag.ACK,
  RST: TcpFlag.RST,
  NONE: TcpFlag.PSH,
};

function segment(dir: Dir, flags: number): DecodedPacket {
  const p =
    dir === Dir.ORIGINAL ? tcp(C, 40000, S, 80, TcpFlag.ACK) : tcp(S, 80, C, 40000, TcpFlag.ACK);
  // Why: decodePacket refuses flag sets no TCP sends (PSH alone); the table must still judge them.
  return { ...p, tcpFlags: flags };
}

/** Sends one segment through a table the way the filter does; returns the cell it hit. */
function send(t: ConntrackTable, dir: Dir, flags: number, now: number): number {
  const pkt = segment(dir, flags);
  const ref = t.lookup(pkt, now);
  if (ref < 0) {
    const init = nextTcpState(Dir.ORIGINAL, flags, TcpState.NONE);
    if (init >= 0) t.insert(t.key, 60, now, init, "sgr-test", "egress");
    return init;
  }
  const next = t.nextState(ref, pkt);
  if (next !== INVALID) t.commit(ref, 60, now, next);
  return next;
}

/** Segments that bring a fresh entry into each state. */
const PATH: Record<string, [Dir, keyof typeof FlagClass][]> = {
  NONE: [],
  SYN_SENT: [[Dir.ORIGINAL, "SYN"]],
  SYN_RECV: [
    [Dir.ORIGINAL, "SYN"],
    [Dir.REPLY, "SYN_ACK"],
  ],
  ESTABLISHED: [
    [Dir.ORIGINAL, "SYN"],
    [Dir.REPLY, "SYN_ACK"],
    [Dir.ORIGINAL, "ACK"],
  ],
  FIN_WAIT: [
    [Dir.ORIGINAL, "SYN"],
    [Dir.REPLY, "SYN_ACK"],
    [Dir.ORIGINAL, "ACK"],
    [Dir.ORIGINAL, "FIN"],
  ],
  CLOSE_WAIT: [
    [Dir.ORIGINAL, "SYN"],
    [Dir.REPLY, "SYN_ACK"],
    [Dir.ORIGINAL, "ACK"],
    [Dir.REPLY, "FIN"],
  ],
  LAST_ACK: [
    [Dir.ORIGINAL, "SYN"],
    [Dir.REPLY, "SYN_ACK"],
    [Dir.ORIGINAL, "ACK"],
    [Dir.ORIGINAL, "FIN"],
    [Dir.REPLY, "FIN"],
  ],
  TIME_WAIT: [
    [Dir.ORIGINAL, "SYN"],
    [Dir.REPLY, "SYN_ACK"],
    [Dir.ORIGINAL, "ACK"],
    [Dir.ORIGINAL, "FIN"],
    [Dir.REPLY, "FIN"],
    [Dir.ORIGINAL, "ACK"],
  ],
  CLOSE: [
    [Dir.ORIGINAL, "SYN"],
    [Dir.REPLY, "SYN_ACK"],
    [Dir.ORIGINAL, "ACK"],
    [Dir.ORIGINAL, "RST"],
  ],
};

/**
 * The expected cell for every (direction, flag class, state), written out independently of the
 * table: "IV" invalid (drop), "NO_ENTRY", or the next state's name. RFC 9293 reasoning is in
 * the table's comments (node-agent/conntrack/tcp-state.ts).
 */
// prettier-ignore
const EXPECTED: Record<"ORIGINAL" | "REPLY", Record<keyof typeof FlagClass, string[]>> = {
  //             NONE          SYN_SENT     SYN_RECV       ESTABLISHED    FIN_WAIT    CLOSE_WAIT    LAST_ACK     TIME_WAIT    CLOSE
  ORIGINAL: {
    SYN:      ["SYN_SENT",    "SYN_SENT",  "SYN_RECV",    "ESTABLISHED", "IV",       "IV",         "IV",        "SYN_SENT",  "SYN_SENT"],
    SYN_ACK:  ["IV",          "IV",        "SYN_RECV",    "IV",          "IV",       "IV",         "IV",        "IV",        "IV"],
    FIN:      ["FIN_WAIT",    "IV",        "FIN_WAIT",    "FIN_WAIT",    "FIN_WAIT", "LAST_ACK",   "LAST_ACK",  "TIME_WAIT", "CLOSE"],
    ACK:      ["ESTABLISHED", "IV",        "ESTABLISHED", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "TIME_WAIT", "TIME_WAIT", "CLOSE"],
    RST:      ["NO_ENTRY",    "CLOSE",     "CLOSE",       "CLOSE",       "CLOSE",    "CLOSE",      "CLOSE",     "CLOSE",     "CLOSE"],
    NONE:     ["IV",          "IV",        "IV",          "IV",          "IV",       "IV",         "IV",        "IV",        "IV"],
  },
  REPLY: {
    SYN:      ["IV",          "SYN_RECV",  "IV",          "ESTABLISHED", "IV",       "IV",         "IV",        "IV",        "IV"],
    SYN_ACK:  ["IV",          "SYN_RECV",  "SYN_RECV",    "ESTABLISHED", "IV",       "IV",         "IV",        "IV",        "IV"],
    FIN:      ["IV",          "IV",        "IV",          "CLOSE_WAIT",  "LAST_ACK", "CLOSE_WAIT", "LAST_ACK",  "TIME_WAIT", "CLOSE"],
    ACK:      ["IV",          "IV",        "SYN_RECV",    "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "TIME_WAIT", "TIME_WAIT", "CLOSE"],
    RST:      ["IV",          "CLOSE",     "CLOSE",       "CLOSE",       "CLOSE",    "CLOSE",      "CLOSE",     "CLOSE",     "CLOSE"],
    NONE:     ["IV",          "IV",        "IV",          "IV",          "IV",       "IV",         "IV",        "IV",        "IV"],
  },
};

function cellName(v: number): string {
  if (v === INVALID) return "IV";
  if (v === NO_ENTRY) return "NO_ENTRY";
  return TCP_STATE_NAMES[v] ?? `?${v}`;
}

const CELLS = (["ORIGINAL", "REPLY"] as const).flatMap((dirName) =>
  (Object.keys(FlagClass) as (keyof typeof FlagClass)[]).flatMap((cls) =>
    TCP_STATE_NAMES.map((state, si) => ({
      dirName,
      cls,
      state,
      expected: EXPECTED[dirName][cls][si]!,
    })),
  ),
);

describe("TCP_TRANSITIONS", () => {
  it("has one cell per direction x flag class x state", () => {
    expect(TCP_TRANSITIONS).toHaveLength(2);
    for (const row of TCP_TRANSITIONS) {
      expect(row).toHaveLength(Object.keys(FlagClass).length);
      for (const cells of row) expect(cells).toHaveLength(TCP_STATE_NAMES.length);
    }
    expect(CELLS).toHaveLength(2 * 6 * 9);
  });

  it.each(CELLS)("$dirName $cls in $state -> $expected", ({ dirName, cls, state, expected }) => {
    const dir = dirName === "ORIGINAL" ? Dir.ORIGINAL : Dir.REPLY;
    const flags = FLAGS[cls];
    expect(cellName(nextTcpState(dir, flags, TcpState[state as keyof typeof TcpState]))).toBe(
      expected,
    );
    if (state === "NONE" && dir === Dir.REPLY) return; // unreachable: a first packet is ORIGINAL
    // Drive a real table into `state`, then send the segment.
    const t = new ConntrackTable({ timeouts: DEFAULT_CONNTRACK_TIMEOUTS });
    let now = 1000;
    for (const [d, c] of PATH[state]!)
      expect(send(t, d, FLAGS[c], now++)).toBeGreaterThanOrEqual(0);
    const before = t.entries(now, "eni").map((e) => e.state);
    expect(before).toEqual(state === "NONE" ? [] : [state]);
    const hit = send(t, dir, flags, now);
    expect(cellName(hit)).toBe(expected);
    const after = t.entries(now, "eni").map((e) => e.state);
    if (expected === "IV" || expected === "NO_ENTRY") expect(after).toEqual(before);
    else expect(after).toEqual([expected]);
  });
});

describe("tcpFlagClass", () => {
  it.each([
    [TcpFlag.SYN, "SYN"],
    [TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR, "SYN"],
    [TcpFlag.SYN | TcpFlag.ACK, "SYN_ACK"],
    [TcpFlag.FIN, "FIN"],
    [TcpFlag.FIN | TcpFlag.ACK | TcpFlag.PSH, "FIN"],
    [TcpFlag.ACK | TcpFlag.PSH, "ACK"],
    [TcpFlag.RST | TcpFlag.ACK, "RST"],
    [TcpFlag.URG, "NONE"],
    [0, "NONE"],
  ] as const)("classifies flags %i as %s", (flags, name) => {
    expect(tcpFlagClass(flags)).toBe(FlagClass[name]);
  });
});
