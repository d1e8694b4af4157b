/**
 * One verdict event as one line of text (docs/observability.md "Verdict events"), for CLIs and
 * logs: who decided, the verdict and its reason, what decided it (the SG rule, or "no rule of
 * groups [...] matched"; the NACL entry; the conntrack state; the fault), and the packet.
 *
 *   eni-0a.. ingress DROP sg_no_match: no rule of groups [sg-1, sg-2] matched; NACL acl-9 rule 100
 *     allowed; conntrack none | tcp 10.0.1.10:40000 -> 10.0.2.20:22, 60 B
 *
 * Pure; takes the agent's record or the JSON API's event (the same fields).
 */
import type { TraceEventRecord } from "./trace-types.js";

/** The fields describe() reads: a TraceEventRecord or a TraceEventJson. */
export type DescribableEvent = Omit<TraceEventRecord, "atMs">;

const PROTOCOLS: Readonly<Record<number, string>> = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  58: "icmpv6",
};

/** See the module comment. */
export function describeVerdictEvent(e: DescribableEvent): string {
  const nacl =
    e.naclRuleNumber === undefined
      ? undefined
      : `NACL ${e.naclId ?? "(id unknown)"} ${e.naclRuleNumber === "*" ? "default rule *" : `rule ${e.naclRuleNumber}`}`;
  const why: string[] = [];
  if (e.verdict === "accept") {
    why.push(
      e.reason === "conntrack_established"
        ? `conntrack entry opened by ${e.sgRuleId ?? "(rule unknown)"}`
        : `SG rule ${e.sgRuleId ?? "(unknown)"}`,
    );
    if (nacl !== undefined) why.push(`${nacl} allowed`);
  } else if (e.reason === "sg_no_match") {
    why.push(`no rule of groups [${(e.noMatchGroups ?? []).join(", ")}] matched`);
    if (nacl !== undefined) why.push(`${nacl} allowed`);
  } else if (e.reason === "nacl_denied") {
    why.push(`${nacl ?? "NACL"} denied`);
    if (e.sgRuleId !== undefined) why.push(`after SG rule ${e.sgRuleId}`);
  } else {
    if (e.site !== undefined) why.push(`check ${e.site}`);
    if (e.faultId !== undefined) why.push(`fault ${e.faultId}`);
    if (e.sgRuleId !== undefined) why.push(`SG rule ${e.sgRuleId}`);
    if (nacl !== undefined) why.push(`${nacl} allowed`);
  }
  why.push(`conntrack ${e.conntrack}`);
  const head = `${e.eniId || "(agent)"} ${e.direction} ${e.verdict.toUpperCase()} ${e.reason}`;
  return `${head}: ${why.join("; ")} | ${packetText(e)}`;
}

function packetText(e: DescribableEvent): string {
  if (e.protocol === undefined) return `${e.length} B (not decoded)`;
  const proto = PROTOCOLS[e.protocol] ?? `proto ${e.protocol}`;
  const end = (addr: string | undefined, port: number | undefined) =>
    port === undefined
      ? (addr ?? "?")
      : addr !== undefined && addr.includes(":")
        ? `[${addr}]:${port}`
        : `${addr ?? "?"}:${port}`;
  const icmp = e.icmpType !== undefined ? ` type ${e.icmpType} code ${e.icmpCode ?? 0}` : "";
  return `${proto} ${end(e.src, e.srcPort)} -> ${end(e.dst, e.dstPort)}${icmp}, ${e.length} B`;
}
