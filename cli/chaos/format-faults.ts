/**
 * Fault views as `vpcemu chaos ls` and `show` print them: one table row per fault
 * (id, state, from, to, effects, counters, expires) and a multi-line detail. Pure: time is passed.
 */
import type { FaultCountersView, FaultEffectsRequest, FaultView } from "./fault-api.js";
import { formatDuration, formatRate } from "./units.js";

/** The effects in the agent's order, tc-netem style: `delay 50ms ±10ms normal, loss 5%`. */
export function formatEffects(e: FaultEffectsRequest | undefined): string {
  if (!e) return "-";
  const parts: string[] = [];
  if (e.blackhole) parts.push("blackhole");
  if (e.reject) parts.push("reject");
  if (e.loss) {
    if ("gilbertElliott" in e.loss) {
      const g = e.loss.gilbertElliott;
      parts.push(
        `loss gemodel ${pct(g.p)} ${pct(g.r ?? 100 - g.p)} ${pct(100 - (g.h ?? 0))} ${pct(100 - (g.k ?? 100))}`,
      );
    } else {
      parts.push(`loss ${pct(e.loss.percent)}${corr(e.loss.correlation)}`);
    }
  }
  if (e.corrupt) parts.push(`corrupt ${pct(e.corrupt.percent)}${corr(e.corrupt.correlation)}`);
  if (e.duplicate) {
    parts.push(`duplicate ${pct(e.duplicate.percent)}${corr(e.duplicate.correlation)}`);
  }
  if (e.delay) {
    const d = e.delay;
    let text = `delay ${formatDuration(d.latencyMs)}`;
    if (d.jitterMs) text += ` ±${formatDuration(d.jitterMs)}`;
    if (d.correlation) text += ` ${pct(d.correlation)}`;
    if (d.distribution && d.distribution !== "uniform" && d.jitterMs) {
      text += ` ${d.distribution}`;
    }
    parts.push(text);
  }
  if (e.reorder) {
    parts.push(
      `reorder ${pct(e.reorder.percent)}${corr(e.reorder.correlation)}${e.reorder.gap ? ` gap ${e.reorder.gap}` : ""}`,
    );
  }
  if (e.rate) parts.push(`rate ${formatRate(e.rate.bitsPerSecond)}`);
  if (e.conntrack) {
    const c = e.conntrack;
    if (c.allowance !== undefined) parts.push(`allowance ${c.allowance}`);
    if (c.flush) parts.push("flush");
    const t = c.timeouts;
    if (t?.tcpEstablished !== undefined) parts.push(`tcp-timeout ${t.tcpEstablished}s`);
    if (t?.udp !== undefined) parts.push(`udp-timeout ${t.udp}s`);
    if (t?.udpStream !== undefined) parts.push(`udp-stream-timeout ${t.udpStream}s`);
  }
  return parts.length > 0 ? parts.join(", ") : "-";
}

const COUNTER_LABELS: [keyof FaultCountersView, string][] = [
  ["matched", "matched"],
  ["dropped", "dropped"],
  ["delayed", "delayed"],
  ["duplicated", "dup"],
  ["corrupted", "corrupt"],
  ["reordered", "reordered"],
  ["rejected", "rejected"],
  ["rateLimited", "rate-limited"],
  ["queueOverflow", "overflow"],
];

/** `matched=120 dropped=6`: matched always, the others when not zero. */
export function formatCounters(c: FaultCountersView | undefined): string {
  if (!c) return "-";
  return COUNTER_LABELS.filter(([k]) => k === "matched" || (c[k] ?? 0) > 0)
    .map(([k, label]) => `${label}=${c[k] ?? 0}`)
    .join(" ");
}

/** `in 45s`, `expired`, or `-` (no end). */
export function formatExpiry(expiresAt: string | null | undefined, nowMs: number): string {
  if (!expiresAt) return "-";
  const left = Date.parse(expiresAt) - nowMs;
  if (Number.isNaN(left)) return expiresAt;
  return left <= 0 ? "expired" : `in ${formatDuration(Math.ceil(left / 1000) * 1000)}`;
}

/** The destination column: selectors, plus the protocol and ports when filtered. */
function target(view: FaultView): string {
  const to = view.to?.length ? view.to.join(",") : "-";
  const proto = view.protocol === undefined || view.protocol === "all" || view.protocol === -1;
  const filter = proto ? "" : ` ${view.protocol}${view.ports ? `/${view.ports}` : ""}`;
  return `${to}${filter}`;
}

function source(view: FaultView): string {
  const p = view.partition;
  if (p) {
    return `partition${p.mode !== "complete" ? ` ${p.mode}` : ""} ${p.groups.map((g) => g.join(",")).join(p.oneWay ? " > " : " | ")}`;
  }
  return view.from?.length ? view.from.join(",") : "-";
}

/** `vpcemu chaos ls`: a table, one row per fault, newest last. */
export function formatFaultTable(views: readonly FaultView[], nowMs: number): string {
  if (views.length === 0) return "no faults";
  const header = ["ID", "STATE", "FROM", "DIR", "TO", "EFFECTS", "COUNTERS", "EXPIRES"];
  const rows = views.map((v) => [
    v.faultId,
    v.state,
    source(v),
    v.direction === "both" ? "<->" : "->",
    target(v),
    formatEffects(v.effects),
    formatCounters(v.counters),
    formatExpiry(v.expiresAt, nowMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `vpcemu chaos show ID`: every field, one per line. */
export function formatFaultDetail(v: FaultView, nowMs: number): string {
  const lines = [
    `fault     ${v.faultId}${v.description ? `  (${v.description})` : ""}`,
    `state     ${v.state}`,
  ];
  if (v.partition) {
    const p = v.partition;
    lines.push(
      `partition ${p.groups.map((g) => `[${g.join(", ")}]`).join(" ")} mode ${p.mode}${p.oneWay ? " one-way" : ""}`,
    );
  }
  lines.push(
    `from      ${v.from?.length ? v.from.join(", ") : "-"}${v.resolved ? `  -> ${v.resolved.from.join(", ") || "nothing"}` : ""}`,
    `to        ${v.to?.length ? v.to.join(", ") : "-"}${v.resolved ? `  -> ${v.resolved.to.join(", ") || "nothing"}` : ""}`,
    `direction ${v.direction ?? "one-way"}`,
    `traffic   ${v.protocol === undefined || v.protocol === -1 ? "all" : String(v.protocol)}${v.ports ? ` ports ${v.ports}` : ""}`,
    `effects   ${formatEffects(v.effects)}`,
    `seed      ${v.seed}`,
    `created   ${v.createdAt}`,
    `starts    ${v.startsAt ?? "at once"}`,
    `expires   ${v.expiresAt ? `${v.expiresAt} (${formatExpiry(v.expiresAt, nowMs)})` : "never"}`,
    `revision  ${v.revision}`,
    `agents    ${v.agents?.length ? v.agents.join(", ") : "-"}`,
    `counters  ${formatCounters(v.counters)}`,
  );
  return lines.join("\n");
}

function pct(n: number): string {
  return `${Math.round(n * 1000) / 1000}%`;
}

function corr(c: number | undefined): string {
  return c ? ` ${pct(c)}` : "";
}
