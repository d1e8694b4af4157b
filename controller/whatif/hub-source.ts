/**
 * WhatIfSource over the running hub: the compiled snapshots it sends, fresh conntrack reports
 * (asked of each hosting agent, at most CONNTRACK_WAIT_MS, else the stored ones) and the
 * recent flows its report store passes on.
 */
import type { AgentHub } from "../hub/agent-hub.js";
import type { CompiledEniPolicy } from "../policy/compiled-policy.js";
import type { ConntrackEntryReport } from "../reports/report-types.js";
import { RecentFlows } from "./recent-flows.js";
import type { WhatIfSource } from "./whatif.js";

/** How long whatif waits for an agent's fresh conntrack report. */
export const CONNTRACK_WAIT_MS = 2000;

/** The source and a close() that stops listening to flow-log reports. */
export function hubWhatIfSource(hub: AgentHub): WhatIfSource & { close(): void } {
  const recent = new RecentFlows();
  const unsubscribe = hub.reports.onFlowLogs((records) => recent.add(records));
  return {
    hostedPolicies() {
      const byEni = new Map<string, CompiledEniPolicy>();
      // Connected agents first: an ENI that moved is judged by its current host's policy.
      const agents = hub.agents().sort((a, b) => Number(b.connected) - Number(a.connected));
      for (const a of agents) {
        for (const p of hub.snapshotOf(a.agentId)?.enis ?? []) {
          if (!byEni.has(p.eniId)) byEni.set(p.eniId, p);
        }
      }
      return [...byEni.values()];
    },
    async conntrack(eniIds) {
      const byAgent = new Map<string, string[]>();
      for (const e of eniIds) {
        const agentId = hub.hostOfEni(e);
        if (agentId === undefined) continue;
        const list = byAgent.get(agentId);
        if (list === undefined) byAgent.set(agentId, [e]);
        else list.push(e);
      }
      await Promise.all(
        [...byAgent].map(([agentId, enis]) =>
          hub.requestConntrack(agentId, enis, CONNTRACK_WAIT_MS).catch(() => undefined),
        ),
      );
      const out = new Map<string, readonly ConntrackEntryReport[]>();
      for (const e of eniIds) {
        const stored = hub.conntrackOf(e);
        if (stored !== undefined) out.set(e, stored.report.entries);
      }
      return out;
    },
    recentFlows: (sinceMs) => recent.since(sinceMs),
    close: unsubscribe,
  };
}
