/**
 * Reads a node's conntrack table from the controller's JSON API (`GET /v1/conntrack`) and prints
 * it the way `conntrack -L` does, plus the SG rule that admitted each flow and its ENI. Only
 * tracked flows exist in the table (AWS-BEHAVIOUR CT-14).
 */
import { jsonApiAuthHeaders } from "./api-credentials.js";
import type {
  ConntrackEntryReport,
  EniConntrackReport,
} from "../../controller/reports/report-types.js";

const PROTOCOL_NAMES: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6" };

/** Pulls the per-ENI lists out of a /v1/conntrack answer (a report, `{enis}`, or a list). */
export function eniReportsOf(body: unknown): EniConntrackReport[] {
  if (Array.isArray(body)) {
    return body.flatMap((item) =>
      item && typeof item === "object" && "entries" in item
        ? [item as EniConntrackReport]
        : eniReportsOf(item),
    );
  }
  if (body && typeof body === "object") {
    const o = body as Record<string, unknown>;
    if (Array.isArray(o.entries) && typeof o.eniId === "string")
      return [o as unknown as EniConntrackReport];
    for (const key of ["enis", "reports", "report", "conntrack"]) {
      if (key in o) return eniReportsOf(o[key]);
    }
  }
  return [];
}

/** One entry as a `conntrack -L` line (seconds left computed from `nowMs`). */
export function formatConntrackEntry(
  e: ConntrackEntryReport,
  eniId: string,
  nowMs: number,
): string {
  const name = PROTOCOL_NAMES[e.protocol] ?? "unknown";
  const left = Math.max(0, Math.round((e.expiresAtMs - nowMs) / 1000));
  const icmp = e.protocol === 1 || e.protocol === 58;
  const side = (t: ConntrackEntryReport["original"], packets: number, bytes: number) =>
    `src=${t.src} dst=${t.dst} ` +
    // CT-8: an ICMP echo entry is keyed by its identifier, which fills both ports.
    (icmp ? `id=${t.srcPort} ` : `sport=${t.srcPort} dport=${t.dstPort} `) +
    `packets=${packets} bytes=${bytes}`;
  const state = name === "tcp" ? `${e.state} ` : "";
  return (
    `${name.padEnd(8)} ${String(e.protocol).padEnd(2)} ${String(left).padStart(6)} ${state}` +
    `${side(e.original, e.packetsOriginal, e.bytesOriginal)} ` +
    `${side(e.reply, e.packetsReply, e.bytesReply)} ` +
    `rule=${e.ruleId || "-"} dir=${e.direction || "-"} eni=${eniId}`
  );
}

/** The whole table as text, one line per flow, and a summary line like conntrack's. */
export function formatConntrackTable(
  reports: readonly EniConntrackReport[],
  nowMs: number,
): string {
  const lines = reports.flatMap((r) =>
    r.entries.map((e) => formatConntrackEntry(e, r.eniId, nowMs)),
  );
  const count = lines.length;
  return [
    ...lines,
    `vpcemu conntrack: ${count} flow entr${count === 1 ? "y has" : "ies have"} been shown.`,
  ].join("\n");
}

/**
 * Fetches the conntrack reports of an instance from the controller (asking the agent for a
 * fresh report). Rejects with the API's `{code, message}` on errors.
 */
export async function fetchConntrack(
  controllerUrl: string,
  instanceId: string,
): Promise<EniConntrackReport[]> {
  const url = new URL("/v1/conntrack", controllerUrl);
  url.searchParams.set("instance", instanceId);
  url.searchParams.set("refresh", "1");
  const res = await fetch(url, { headers: jsonApiAuthHeaders() });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const err = body as { code?: string; message?: string } | undefined;
    throw new Error(
      `${url.pathname}: ${err?.code ?? res.status}: ${err?.message ?? res.statusText}`,
    );
  }
  return eniReportsOf(body);
}
