/**
 * One agent's Prometheus metrics (vpcemu_agent_*, docs/observability.md), read from the data
 * path's own counters when scraped: nothing here runs per packet. Served by the agent's
 * `--metrics-listen` listener (agent/metrics-server.ts); the controller serves the subset that
 * agents put in their counters and conntrack reports under the same names (STYLE.md §2: the
 * names are duplicated there on purpose, controller/metrics/controller-metrics.ts).
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { FaultCounters } from "../fault/compiled-fault.js";
import type { UnderlayCounts } from "../overlay/counting-transport.js";
import type { DataPath } from "../pipeline/data-path.js";
import { ALL_DROP_REASONS } from "../pipeline/verdict.js";
import { NACL_DEFAULT_RULE } from "../pipeline/verdict-event.js";
import type { HostedPorts } from "./hosted-ports.js";
import type { AuditCounts } from "../audit/agent-audit.js";

/** FaultCounters fields -> the `kind` label (the controller uses the same table). */
const FAULT_KINDS = {
  matched: "matched",
  delayed: "delayed",
  dropped: "dropped",
  duplicated: "duplicated",
  corrupted: "corrupted",
  reordered: "reordered",
  rejected: "rejected",
  queueOverflow: "queue_overflow",
  rateLimited: "rate_limited",
} as const;

/** What the metrics read on scrape; the running agent's parts. */
export interface AgentMetricsSources {
  readonly agentId: string;
  revision(): number;
  readonly dp: DataPath;
  readonly hosted: HostedPorts;
  readonly faults: { counters(): readonly FaultCounters[] };
  readonly underlay: UnderlayCounts;
  /** Audit mode's per-ENI counters (node-agent/audit/agent-audit.ts); absent: no metric. */
  readonly audit?: { allCounts(): ReadonlyMap<string, AuditCounts> };
}

/** The agent's registry; `render()` is one scrape. */
export class AgentMetrics {
  readonly registry = new Registry();

  constructor(src: AgentMetricsSources) {
    const registers = [this.registry];
    const agent = src.agentId;
    const enis = () => [...src.hosted.enis];
    const labels = (eni: string, instanceId: string) => ({ agent, eni, instance_id: instanceId });
    const eniLabels = ["agent", "eni", "instance_id"] as const;
    new Gauge({
      name: "vpcemu_agent_revision",
      help: "The policy revision this agent enforces (0 before the first snapshot).",
      labelNames: ["agent"],
      registers,
      collect() {
        this.set({ agent }, src.revision());
      },
    });
    const audit = src.audit;
    if (audit !== undefined) {
      new Counter({
        name: "vpcemu_agent_audit_packets_total",
        help: 'Audit mode: packets where an ENI\'s staged rule set disagreed with the enforced one (kind "would_block": enforced allowed, staged would drop; "would_allow": the opposite). Nothing is dropped or admitted because of it.',
        labelNames: [...eniLabels, "kind"],
        registers,
        collect() {
          this.reset();
          for (const [id, c] of audit.allCounts()) {
            const instanceId = src.hosted.enis.get(id)?.instanceId ?? "";
            this.inc({ ...labels(id, instanceId), kind: "would_block" }, c.wouldBlock);
            this.inc({ ...labels(id, instanceId), kind: "would_allow" }, c.wouldAllow);
          }
        },
      });
    }
    new Counter({
      name: "vpcemu_agent_packets_allowed_total",
      help: "Packets an ENI's filter allowed, both directions.",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const [id, st] of enis()) this.inc(labels(id, st.instanceId), st.port.accepted);
      },
    });
    new Counter({
      name: "vpcemu_agent_bytes_allowed_total",
      help: "IP bytes of the packets an ENI's filter allowed, both directions.",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const [id, st] of enis()) this.inc(labels(id, st.instanceId), st.port.acceptedBytes);
      },
    });
    new Counter({
      name: "vpcemu_agent_packets_dropped_total",
      help: 'Packets dropped silently, by ENI and drop reason (eni "" = before any port was known, "ext:NAME" = an external node).',
      labelNames: [...eniLabels, "reason"],
      registers,
      collect() {
        this.reset();
        const drops = src.dp.drops;
        for (const [id, st] of enis()) {
          const c = drops.forPort(id);
          for (const reason of ALL_DROP_REASONS)
            this.inc({ ...labels(id, st.instanceId), reason }, c[reason] ?? 0);
        }
        for (const key of drops.ports()) {
          if (src.hosted.enis.has(key) || key.startsWith("eni-")) continue;
          const c = drops.forPort(key);
          for (const reason of ALL_DROP_REASONS)
            if ((c[reason] ?? 0) > 0) this.inc({ ...labels(key, ""), reason }, c[reason]);
        }
      },
    });
    new Counter({
      name: "vpcemu_agent_bytes_dropped_total",
      help: 'IP bytes of the packets dropped silently, by ENI and drop reason (the same drops as vpcemu_agent_packets_dropped_total; eni "" and "ext:NAME" as there).',
      labelNames: [...eniLabels, "reason"],
      registers,
      collect() {
        this.reset();
        const drops = src.dp.drops;
        for (const [id, st] of enis()) {
          const c = drops.bytesForPort(id);
          for (const reason of ALL_DROP_REASONS)
            this.inc({ ...labels(id, st.instanceId), reason }, c[reason] ?? 0);
        }
        for (const key of drops.ports()) {
          if (src.hosted.enis.has(key) || key.startsWith("eni-")) continue;
          const c = drops.bytesForPort(key);
          for (const reason of ALL_DROP_REASONS)
            if ((c[reason] ?? 0) > 0) this.inc({ ...labels(key, ""), reason }, c[reason]);
        }
      },
    });
    new Gauge({
      name: "vpcemu_agent_conntrack_entries",
      help: "Tracked connections in an ENI's conntrack table.",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const [id, st] of enis()) {
          const c = st.filter.counters();
          this.set(labels(id, st.instanceId), c.trackedEntries ?? 0);
        }
      },
    });
    new Counter({
      name: "vpcemu_agent_conntrack_allowance_exceeded",
      help: "AWS ENA conntrack_allowance_exceeded (MET-3): packets dropped because the instance's tracked-connection allowance was full.",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        // The ct_allowance_exceeded drops: MET-3 counts exactly those (one count, one place).
        for (const [id, st] of enis())
          this.inc(labels(id, st.instanceId), src.dp.drops.forPort(id).ct_allowance_exceeded ?? 0);
      },
    });
    new Gauge({
      name: "vpcemu_agent_conntrack_allowance_available",
      help: "AWS ENA conntrack_allowance_available (MET-4): tracked connections the instance can still open.",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const [id, st] of enis()) {
          const a = src.hosted.allowances.get(st.instanceId || "");
          this.set(labels(id, st.instanceId), a ? a.available() : 0);
        }
      },
    });
    new Counter({
      name: "vpcemu_agent_rule_hits_total",
      help: "Packets an SG rule admitted with no conntrack entry yet: each tracked flow's first packet, every packet of an untracked flow.",
      labelNames: [...eniLabels, "rule", "direction"],
      registers,
      collect() {
        this.reset();
        for (const [id, st] of enis())
          for (const h of st.filter.ruleHits?.() ?? [])
            if (h.ruleId !== "")
              this.inc(
                { ...labels(id, st.instanceId), rule: h.ruleId, direction: h.direction },
                h.packets,
              );
      },
    });
    new Counter({
      name: "vpcemu_agent_rule_conntrack_hits_total",
      help: "Packets an existing conntrack entry admitted (both directions of the flow), by the SG rule that opened the entry and that rule's direction; with vpcemu_agent_rule_hits_total, every packet a rule let through.",
      labelNames: [...eniLabels, "rule", "direction"],
      registers,
      collect() {
        this.reset();
        for (const [id, st] of enis())
          for (const h of st.filter.conntrackRuleHits?.() ?? [])
            if (h.ruleId !== "")
              this.inc(
                { ...labels(id, st.instanceId), rule: h.ruleId, direction: h.direction },
                h.packets,
              );
      },
    });
    new Counter({
      name: "vpcemu_agent_nacl_rule_hits_total",
      help: 'Packets a network ACL entry decided (allowed or denied) on the ENI\'s side, by NACL id, direction (ingress = inbound entries) and rule number ("*" = the default entry).',
      labelNames: [...eniLabels, "nacl", "direction", "rule"],
      registers,
      collect() {
        this.reset();
        for (const [id, st] of enis())
          for (const h of st.filter.naclRuleHits?.() ?? [])
            this.inc(
              {
                ...labels(id, st.instanceId),
                nacl: h.naclId,
                direction: h.direction,
                rule: h.ruleNumber >= NACL_DEFAULT_RULE ? "*" : String(h.ruleNumber),
              },
              h.packets,
            );
      },
    });
    new Counter({
      name: "vpcemu_agent_fault_packets_total",
      help: "Packets a chaos fault acted on, by fault id and kind (matched, delayed, dropped, ...).",
      labelNames: ["agent", "fault", "kind"],
      registers,
      collect() {
        this.reset();
        for (const c of src.faults.counters())
          for (const [field, kind] of Object.entries(FAULT_KINDS))
            this.inc({ agent, fault: c.faultId, kind }, c[field as keyof typeof FAULT_KINDS]);
      },
    });
    new Counter({
      name: "vpcemu_agent_underlay_datagrams_sent_total",
      help: "Geneve datagrams handed to the underlay (UDP) for other agents.",
      labelNames: ["agent"],
      registers,
      collect() {
        this.reset();
        this.inc({ agent }, src.underlay.sent);
      },
    });
    new Counter({
      name: "vpcemu_agent_underlay_datagrams_received_total",
      help: "Datagrams received from the underlay (before decapsulation and checks).",
      labelNames: ["agent"],
      registers,
      collect() {
        this.reset();
        this.inc({ agent }, src.underlay.received);
      },
    });
    new Counter({
      name: "vpcemu_agent_underlay_bytes_received_total",
      help: "Bytes of the datagrams received from the underlay (Geneve header included).",
      labelNames: ["agent"],
      registers,
      collect() {
        this.reset();
        this.inc({ agent }, src.underlay.receivedBytes);
      },
    });
  }

  /** The text format's content type (text/plain; version=0.0.4; charset=utf-8). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** One scrape: the exposition text. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
