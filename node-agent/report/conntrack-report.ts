/**
 * Conntrack reports (AWS-BEHAVIOUR CT-14: tracked entries only; ENI, protocol, original and
 * reply tuple, state, expiry, counters, admitting rule) in the shape of the agent protocol
 * (node-agent/control/wire.ts ConntrackReport). The agent sends one every few seconds and on
 * the controller's request.
 */
import type { ConntrackEntryView } from "../conntrack/conntrack-table.js";
import type { ConntrackEntryReport, EniConntrackReport } from "../control/wire.js";

/** One ENI's entries as the wire carries them. ICMP echo: the id fills both ports (CT-8). */
export function toEniConntrackReport(
  eniId: string,
  instanceId: string,
  views: readonly ConntrackEntryView[],
): EniConntrackReport {
  return { eniId, instanceId, entries: views.map(toEntryReport) };
}

function toEntryReport(v: ConntrackEntryView): ConntrackEntryReport {
  const id = v.icmpId;
  const port = (p: number): number => (id !== undefined && id >= 0 ? id : p);
  return {
    protocol: v.protocol,
    original: {
      ...v.original,
      srcPort: port(v.original.srcPort),
      dstPort: port(v.original.dstPort),
    },
    reply: { ...v.reply, srcPort: port(v.reply.srcPort), dstPort: port(v.reply.dstPort) },
    state: v.state,
    expiresAtMs: v.expiresAtMs,
    packetsOriginal: v.packets.original,
    bytesOriginal: v.bytes.original,
    packetsReply: v.packets.reply,
    bytesReply: v.bytes.reply,
    ruleId: v.ruleId,
    direction: v.openedBy,
  };
}
