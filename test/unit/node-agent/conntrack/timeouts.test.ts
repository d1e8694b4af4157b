import { describe, expect, it } from "vitest";
import { EniFilter, type FilterResult } from "../../../../node-agent/filter/filter.js";
import { DEFAULT_CONNTRACK_TIMEOUTS } from "../../../../node-agent/filter/policy.js";
import {
  ICMP_TIMEOUT_S,
  OTHER_PROTOCOL_TIMEOUT_S,
  TimeoutClass,
  timeoutMs,
} from "../../../../node-agent/conntrack/timeouts.js";
import { TcpState } from "../../../../node-agent/conntrack/tcp-state.js";
import { ManualClock } from "../../../helpers/manual-clock.js";
import { TcpFlag, policy, rule, tcp, udp } from "../filter/fixtures.js";

const A = "10.0.1.10";
const P = "198.51.100.7";

/** An ENI whose only rule lets it open flows outward; replies depend on conntrack alone. */
function outboundOnly(timeouts = DEFAULT_CONNTRACK_TIMEOUTS) {
  const clock = new ClockOnly();
  const f = new EniFilter(policy({ egress: [rule("-1", -1, -1, "0.0.0.0/0")], timeouts }));
  return {
    clock: clock.c,
    out: (p: Parameters<EniFilter["egress"]>[0]) => f.egress(p, 60, true, clock.c.now()),
    in: (p: Parameters<EniFilter["ingress"]>[0]) => f.ingress(p, 60, true, clock.c.now()),
    f,
  };
}

class ClockOnly {
  readonly c = new ManualClock();
}

function passes(r: FilterResult): boolean {
  return r.action === "allow";
}

describe("conntrack timeouts", () => {
  describe("UDP single vs stream (TO-7)", () => {
    it("expires a query/answer pair after UdpTimeout (30 s default)", () => {
      const e = outboundOnly();
      e.out(udp(A, 5000, P, 53));
      e.clock.advance(1000);
      expect(passes(e.in(udp(P, 53, A, 5000)))).toBe(true);
      expect(e.f.conntrackEntries(e.clock.now())[0]?.state).toBe("SINGLE");
      e.clock.advance(29_999);
      expect(e.f.conntrackEntries(e.clock.now())).toHaveLength(1);
      e.clock.advance(1);
      expect(passes(e.in(udp(P, 53, A, 5000)))).toBe(false);
    });

    it("promotes to stream once the initiator sends again after a reply; 180 s idle then", () => {
      const e = outboundOnly();
      e.out(udp(A, 6000, P, 9000));
      e.in(udp(P, 9000, A, 6000));
      e.out(udp(A, 6000, P, 9000));
      expect(e.f.conntrackEntries(e.clock.now())[0]?.state).toBe("STREAM");
      e.clock.advance(170_000);
      expect(passes(e.in(udp(P, 9000, A, 6000)))).toBe(true);
      e.clock.advance(180_000);
      expect(passes(e.in(udp(P, 9000, A, 6000)))).toBe(false);
    });

    it("does not promote on repeated packets from one side only", () => {
      const e = outboundOnly();
      e.out(udp(A, 6001, P, 9000));
      e.out(udp(A, 6001, P, 9000));
      expect(e.f.conntrackEntries(e.clock.now())[0]?.state).toBe("SINGLE");
      e.clock.advance(30_000);
      expect(passes(e.in(udp(P, 9000, A, 6001)))).toBe(false);
    });

    it("uses the ENI's configured UdpTimeout and UdpStreamTimeout (TO-1)", () => {
      const e = outboundOnly({ tcpEstablished: 432_000, udp: 60, udpStream: 60 });
      e.out(udp(A, 7000, P, 53));
      e.clock.advance(59_000);
      expect(passes(e.in(udp(P, 53, A, 7000)))).toBe(true);
      e.out(udp(A, 7000, P, 53)); // stream now
      e.clock.advance(60_000);
      expect(passes(e.in(udp(P, 53, A, 7000)))).toBe(false);
    });
  });

  describe("TCP ESTABLISHED (TO-1)", () => {
    function established(e: ReturnType<typeof outboundOnly>, port: number): void {
      e.out(tcp(A, port, P, 443, TcpFlag.SYN));
      e.in(tcp(P, 443, A, port, TcpFlag.SYN | TcpFlag.ACK));
      e.out(tcp(A, port, P, 443, TcpFlag.ACK));
    }

    it("keeps an idle established flow for 432000 s by default", () => {
      const e = outboundOnly();
      established(e, 40000);
      e.clock.advance(431_999_000);
      expect(passes(e.in(tcp(P, 443, A, 40000, TcpFlag.ACK)))).toBe(true);
      e.clock.advance(432_000_000);
      expect(passes(e.in(tcp(P, 443, A, 40000, TcpFlag.ACK)))).toBe(false);
    });

    it("uses a configured TcpEstablishedTimeout (350 s)", () => {
      const e = outboundOnly({ tcpEstablished: 350, udp: 30, udpStream: 180 });
      established(e, 40001);
      e.clock.advance(349_000);
      expect(passes(e.in(tcp(P, 443, A, 40001, TcpFlag.ACK)))).toBe(true);
      e.clock.advance(350_000);
      expect(passes(e.in(tcp(P, 443, A, 40001, TcpFlag.ACK)))).toBe(false);
    });
  });

  describe("non-established TCP states (TO-4)", () => {
    it.each([
      ["SYN_SENT", TcpState.SYN_SENT, 120],
      ["SYN_RECV", TcpState.SYN_RECV, 60],
      ["FIN_WAIT", TcpState.FIN_WAIT, 120],
      ["CLOSE_WAIT", TcpState.CLOSE_WAIT, 60],
      ["LAST_ACK", TcpState.LAST_ACK, 30],
      ["TIME_WAIT", TcpState.TIME_WAIT, 120],
      ["CLOSE", TcpState.CLOSE, 10],
    ])("%s (state %i) idles out after %i s", (_name, state, seconds) => {
      expect(timeoutMs(TimeoutClass.TCP, state, DEFAULT_CONNTRACK_TIMEOUTS)).toBe(seconds * 1000);
    });

    it("drops the unanswered SYN's entry at 120 s", () => {
      const e = outboundOnly();
      e.out(tcp(A, 40002, P, 443, TcpFlag.SYN));
      e.clock.advance(119_999);
      expect(e.f.conntrackEntries(e.clock.now())).toHaveLength(1);
      e.clock.advance(1);
      expect(e.f.conntrackEntries(e.clock.now())).toHaveLength(0);
      expect(passes(e.in(tcp(P, 443, A, 40002, TcpFlag.SYN | TcpFlag.ACK)))).toBe(false);
    });

    it("times a closed (RST) connection out after 10 s", () => {
      const e = outboundOnly();
      e.out(tcp(A, 40003, P, 443, TcpFlag.SYN));
      e.in(tcp(P, 443, A, 40003, TcpFlag.RST | TcpFlag.ACK));
      expect(e.f.conntrackEntries(e.clock.now())[0]?.state).toBe("CLOSE");
      e.clock.advance(10_000);
      expect(e.f.conntrackEntries(e.clock.now())).toHaveLength(0);
    });
  });

  it("uses 30 s for ICMP (TO-5) and 600 s for other protocols (TO-6)", () => {
    expect(timeoutMs(TimeoutClass.ICMP, 0, DEFAULT_CONNTRACK_TIMEOUTS)).toBe(ICMP_TIMEOUT_S * 1000);
    expect(ICMP_TIMEOUT_S).toBe(30);
    expect(timeoutMs(TimeoutClass.OTHER, 0, DEFAULT_CONNTRACK_TIMEOUTS)).toBe(
      OTHER_PROTOCOL_TIMEOUT_S * 1000,
    );
    expect(OTHER_PROTOCOL_TIMEOUT_S).toBe(600);
  });
});
