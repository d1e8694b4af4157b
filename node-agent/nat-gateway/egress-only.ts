/**
 * An egress-only internet gateway's state for one ENI (docs/routing.md IGW-12): the IPv6 flows
 * the ENI started to the emulated internet through it, so that their replies come back in and
 * nothing else does. No translation (IPv6 addresses are global), so the state lives on the
 * ENI's own agent, next to its filter: one table per ENI, keyed by the flow as the ENI sent it.
 * A flow idle for `idleTimeoutMs` (350 s, vpcemu's choice: AWS publishes no value) is gone.
 * Pure: time is passed in.
 *
 * TCP and UDP by ports, ICMPv6 echo by identifier (requests out, replies in), other protocols
 * by addresses alone.
 */
import type { DecodedPacket } from "../packet/decoded-packet.js";
import { formatIpAddress } from "../packet/address.js";

const ICMPV6 = 58;

/** See the module comment. */
export class EgressOnlyFlows {
  private readonly flows = new Map<string, number>();
  private lastSweepMs = -Infinity;

  constructor(readonly idleTimeoutMs = 350_000) {}

  /** Live flows (expired ones not yet swept included). */
  get size(): number {
    return this.flows.size;
  }

  /** Records an outbound packet the ENI sends through the gateway. */
  outbound(pkt: DecodedPacket, nowMs: number): void {
    if (nowMs - this.lastSweepMs >= 10_000) this.sweep(nowMs);
    this.flows.set(keyOf(pkt, pkt.src, pkt.dst, pkt.srcPort, pkt.dstPort), nowMs);
  }

  /** Whether an inbound packet belongs to a live flow the ENI started (refreshing it). */
  inbound(pkt: DecodedPacket, nowMs: number): boolean {
    const key = keyOf(pkt, pkt.dst, pkt.src, pkt.dstPort, pkt.srcPort);
    const seen = this.flows.get(key);
    if (seen === undefined) return false;
    if (nowMs - seen >= this.idleTimeoutMs) {
      this.flows.delete(key);
      return false;
    }
    this.flows.set(key, nowMs);
    return true;
  }

  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    for (const [k, t] of this.flows) if (nowMs - t >= this.idleTimeoutMs) this.flows.delete(k);
  }
}

/** The flow key as the ENI sees it: protocol, local address and port, remote address and port. */
function keyOf(
  pkt: DecodedPacket,
  local: Uint8Array,
  remote: Uint8Array,
  localPort: number,
  remotePort: number,
): string {
  const echo = pkt.protocol === ICMPV6 && pkt.icmpId >= 0;
  const lp = echo ? pkt.icmpId : localPort;
  const rp = echo ? 0 : remotePort;
  return `${pkt.protocol}|${formatIpAddress(local)}|${lp}|${formatIpAddress(remote)}|${rp}`;
}
