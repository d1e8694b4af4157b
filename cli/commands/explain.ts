/**
 * `vpcemu explain SRC DST[:PORT][/PROTO] [--probe] [-o json]` (docs/observability.md
 * "Explain"): every hop of a new flow there and back, from the policy the agents enforce
 * (GET /v1/explain); `--probe` sends one real packet of it inside the local runtime and flags
 * any disagreement with the static answer (cli/runtime/explain-probe.ts).
 */
import type { ExplainHop } from "../../controller/explain/path-analysis.js";
import { jsonApiAuthHeaders } from "../runtime/api-credentials.js";
import { probeExplained, type ProbeReport, type StaticAnswer } from "../runtime/explain-probe.js";
import { findNode, readRuntimeState, runtimeDir, stateFilePath } from "../runtime/runtime-state.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu explain [--endpoint URL] [--runtime-dir DIR] [--source-ports N-M]
                      [--probe] [-o json] SRC DST[:PORT][/PROTO]

Explains, hop by hop, whether a new flow from SRC to DST passes and back: the route, the source
security groups' egress rules, the source subnet's NACL outbound, the destination subnet's NACL
inbound, the destination's ingress rules, and the reply (conntrack, route back, both NACLs on the
client's ephemeral ports), each with the rule that allows it or the statement that none does.

SRC, DST: a node name (Name tag), instance id, ENI id, address (a public IP too) or 'internet'.
PROTO: tcp (default), udp, icmp (no port). Examples: web app:8080/tcp, app db/icmp.
--probe sends one real packet of the flow inside the local runtime and compares ('vpcemu up').
--endpoint defaults to the local runtime's controller. Exit 1 when the probe disagrees.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      output: { type: "string", short: "o" },
      json: { type: "boolean" },
      probe: { type: "boolean" },
      endpoint: { type: "string" },
      "runtime-dir": { type: "string" },
      "source-ports": { type: "string" },
    },
    USAGE,
    true,
  );
  if (!parsed) return 0;
  const output =
    parsed.values.json === true ? "json" : ((parsed.values.output as string) ?? "text");
  if (output !== "text" && output !== "json")
    throw new UsageError(`-o must be 'json' or 'text'\n${USAGE}`);
  if (parsed.positionals.length !== 2) throw new UsageError(`expected SRC and DST\n${USAGE}`);
  const [src, dst] = parsed.positionals as [string, string];
  const dir = runtimeDir(parsed.values["runtime-dir"] as string | undefined);
  const state = readRuntimeState(dir);
  const endpoint = (parsed.values.endpoint as string | undefined) ?? state?.controllerUrl;
  if (endpoint === undefined) {
    throw new Error(
      `no controller: give --endpoint URL or start a local runtime with 'vpcemu up' (${stateFilePath(dir)} does not exist)`,
    );
  }
  const probe = parsed.values.probe === true;
  if (probe && state === undefined) {
    throw new Error(
      `--probe sends a real packet inside the local runtime, and there is none (${stateFilePath(dir)} does not exist): start one with 'vpcemu up'`,
    );
  }
  const headers = jsonApiAuthHeaders();
  const q = new URLSearchParams({ src, dst });
  const ports = parsed.values["source-ports"] as string | undefined;
  if (ports !== undefined) q.set("sourcePorts", ports);
  const res = await fetch(new URL(`/v1/explain?${q}`, endpoint), { headers });
  const body = (await res.json().catch(() => undefined)) as
    (StaticAnswer & { code?: string; message?: string }) | undefined;
  if (!res.ok || body === undefined) {
    throw new Error(
      body?.code !== undefined
        ? `${body.code}: ${body.message}`
        : `GET /v1/explain answered ${res.status}`,
    );
  }
  let report: ProbeReport | undefined;
  if (probe) {
    report = await probeExplained(body, {
      controllerUrl: endpoint,
      headers,
      namespaceOf: (ref) => {
        const node = findNode(state!, ref);
        if (node === undefined) throw new Error(`node '${ref}' is not in the local runtime`);
        return node.namespace;
      },
    });
  }
  if (output === "json") {
    process.stdout.write(
      JSON.stringify(report ? { ...body, probe: report } : body, null, 2) + "\n",
    );
  } else {
    process.stdout.write(formatExplain(body) + "\n");
    if (report) process.stdout.write(formatProbe(report) + "\n");
  }
  return report !== undefined && !report.agrees ? 1 : 0;
}

/** The human table: one line per hop. */
export function formatExplain(
  a: StaticAnswer & { revision?: number; labels?: Readonly<Record<string, string>> },
): string {
  const names = new Map<string, string>(Object.entries(a.labels ?? {}));
  for (const end of [a.source, a.destination]) if (end.eniId) names.set(end.eniId, end.label);
  const flow = `${a.protocol}${a.protocol === "tcp" || a.protocol === "udp" ? ` ${a.port}` : ""}`;
  const dstAddr = a.destination.addressedAs
    ? `${a.destination.addressedAs} (${a.destination.address})`
    : a.destination.address;
  const verdict = a.reachable
    ? "REACHABLE"
    : a.unknown
      ? "UNKNOWN (a hop is not analysed)"
      : a.partial
        ? "PARTLY REACHABLE (some ephemeral ports)"
        : "NOT REACHABLE";
  const head = `${a.source.label} (${a.source.address}) -> ${a.destination.label} ${dstAddr} ${flow}: ${verdict}${a.revision !== undefined ? ` at revision ${a.revision}` : ""}`;
  const rows = a.hops.map((h: ExplainHop) => [
    h.path,
    h.hop,
    names.get(h.at) ?? h.at,
    h.componentId,
    h.verdict,
    h.detail,
    h.explanationCode ?? (h.reason !== undefined && h.verdict !== "allow" ? `(${h.reason})` : ""),
  ]);
  const header = ["PATH", "HOP", "AT", "COMPONENT", "VERDICT", "RULE", "CODE"];
  const widths = header.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [head, "", line(header), ...rows.map(line)].join("\n");
}

function formatProbe(p: ProbeReport): string {
  const seen =
    p.evidence === "delivery"
      ? "no verdict events or counters to compare (delivery only)"
      : p.observedDrop
        ? `agents (${p.evidence}) dropped it at ${p.observedDrop.eniId}: ${p.observedDrop.reason}`
        : `agents (${p.evidence}) dropped nothing`;
  return [
    "",
    `probe: ${p.method} ${p.delivered ? "went there and back" : `not answered (${p.detail})`}; ${seen}`,
    p.agrees
      ? "probe AGREES with the static answer"
      : `probe DISAGREES: ${p.disagreements.join("; ")}`,
  ].join("\n");
}
