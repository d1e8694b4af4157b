/**
 * An egress-only internet gateway's per-ENI state (docs/routing.md IGW-12): replies to IPv6
 * flows the ENI started come back in (TCP/UDP by ports, ICMPv6 echo by identifier), nothing
 * else does, and a flow idle for 350 s is gone (manual clock).
 */
import { describe, expect, it } from "vitest";
import { EgressOnlyFlows } from "../../../../node-agent/nat-gateway/egress-only.js";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import { TcpFlag, type DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { ManualClock } from "../../../helpers/manual-clock.js";
import { buildIcmpEcho, buildTcp, buildUdp } from "../../../helpers/packet-builder.js";

const ME = "2600:1f18:1:101::4";
const WEB = "2001:db8:ffff::10";

function d(b: Uint8Array): DecodedPacket {
  const p = decodePacket(b, 0, b.length);
  if (typeof p === "string") throw new Error(p);
  return p;
}

describe("egress-only internet gateway flows (IGW-12)", () => {
  it("admits replies of started flows only, by ports and echo identifier", () => {
    const f = new EgressOnlyFlows();
    f.outbound(
      d(buildTcp({ src: ME, dst: WEB, srcPort: 40000, dstPort: 443, flags: TcpFlag.SYN })),
      0,
    );
    f.outbound(d(buildUdp({ src: ME, dst: WEB, srcPort: 5353, dstPort: 53 })), 0);
    f.outbound(d(buildIcmpEcho({ src: ME, dst: WEB, id: 7, seq: 1 })), 0);
    const tcpReply = (sport: number, dport: number) =>
      d(buildTcp({ src: WEB, dst: ME, srcPort: sport, dstPort: dport, flags: TcpFlag.ACK }));
    expect(f.inbound(tcpReply(443, 40000), 1)).toBe(true);
    expect(f.inbound(tcpReply(443, 40001), 1)).toBe(false);
    expect(f.inbound(tcpReply(80, 40000), 1)).toBe(false);
    expect(f.inbound(d(buildUdp({ src: WEB, dst: ME, srcPort: 53, dstPort: 5353 })), 1)).toBe(true);
    expect(f.inbound(d(buildIcmpEcho({ src: WEB, dst: ME, id: 7, seq: 1, reply: true })), 1)).toBe(
      true,
    );
    expect(f.inbound(d(buildIcmpEcho({ src: WEB, dst: ME, id: 8, seq: 1, reply: true })), 1)).toBe(
      false,
    );
    // Unsolicited: the internet starts a flow.
    expect(
      f.inbound(
        d(buildTcp({ src: WEB, dst: ME, srcPort: 50000, dstPort: 22, flags: TcpFlag.SYN })),
        1,
      ),
    ).toBe(false);
  });

  it("forgets a flow idle for 350 s; traffic either way keeps it", () => {
    const clock = new ManualClock();
    const f = new EgressOnlyFlows();
    const out = d(buildUdp({ src: ME, dst: WEB, srcPort: 5353, dstPort: 53 }));
    const back = d(buildUdp({ src: WEB, dst: ME, srcPort: 53, dstPort: 5353 }));
    f.outbound(out, clock.now());
    clock.advanceSeconds(349);
    expect(f.inbound(back, clock.now())).toBe(true);
    clock.advanceSeconds(349);
    expect(f.inbound(back, clock.now())).toBe(true);
    clock.advanceSeconds(350);
    expect(f.inbound(back, clock.now())).toBe(false);
    expect(f.size).toBe(0);
  });
});
