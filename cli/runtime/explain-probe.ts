/**
 * `vpcemu explain --probe` (docs/observability.md "Explain", EXP-7): sends one real packet of
 * the explained flow from inside the source node's namespace (a TCP connect, a UDP datagram to
 * a probe echo server, or one ping), reads what the agents decided about it and flags any
 * disagreement with the static answer.
 *
 * What the agents decided comes from the verdict-event trace (POST /v1/traces, GET
 * /v1/traces/{id}/events) when the controller has it: the first drop event (ENI and reason) must
 * be the first denying hop of the static answer, and no event may drop a flow explain calls
 * reachable. Without it (a controller older than the trace API answers 404), from the per-ENI
 * drop counters (GET /v1/counters, reported by agents every few seconds): the counter of the
 * first denying hop's reason on its ENI must grow. Always from delivery: a TCP connect that
 * connects or is refused (the RST came back), a UDP echo, a ping reply mean the flow went there
 * and back. Sends only inside the emulator's own namespaces (network safety).
 */
import type { ExplainHop, PathAnalysis } from "../../controller/explain/path-analysis.js";
import type { ExplainEndReport } from "../../controller/explain/explain-service.js";
import { Probes, type ProbeResult } from "./probes.js";

/** The static answer as GET /v1/explain gives it (the fields the probe reads). */
export interface StaticAnswer extends PathAnalysis {
  readonly source: ExplainEndReport;
  readonly destination: ExplainEndReport;
  readonly protocol: string;
  readonly port: number;
}

/** One verdict event as the trace API gives it (the fields read here). */
export interface TracedVerdict {
  readonly eniId: string;
  readonly direction: "ingress" | "egress";
  readonly verdict: "accept" | "drop";
  readonly reason: string;
  readonly src?: string;
  readonly dst?: string;
  readonly protocol?: number;
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly sgRuleId?: string;
  readonly naclRuleNumber?: number | "*";
}

export interface ProbeReport {
  readonly method: "tcp-connect" | "udp-echo" | "ping";
  /** The packet went there and its answer came back. */
  readonly delivered: boolean;
  /** The probe's own result (`ECONNREFUSED`, `timeout`, ...). */
  readonly detail: string;
  /** Where the agents' side came from. */
  readonly evidence: "trace" | "counters" | "delivery";
  /** The first drop the agents reported for the flow, if any. */
  readonly observedDrop?: { readonly eniId: string; readonly reason: string };
  /** Trace only: the flow's events. */
  readonly events?: readonly TracedVerdict[];
  readonly agrees: boolean;
  /** Each a sentence; empty when the probe agrees with the static answer. */
  readonly disagreements: readonly string[];
}

export interface ProbeOptions {
  /** http://host:port of the controller. */
  readonly controllerUrl: string;
  /** Headers for the JSON API (auth mode). */
  readonly headers?: Record<string, string>;
  /** A node's namespace by instance id or node name. */
  readonly namespaceOf: (ref: string) => string;
  /** How long the packet may take there and back (default 2000 ms). */
  readonly timeoutMs?: number;
  /** How long to wait for counters to be reported (default 12000 ms). */
  readonly countersWaitMs?: number;
}

/** The end's node reference for the runtime: instance id, else its name (`internet`). */
function nodeRef(end: ExplainEndReport): string {
  return end.instanceId ?? end.label;
}

/** The first denying hop, in path order (what the agents should drop first). */
export function firstDenial(answer: PathAnalysis): ExplainHop | undefined {
  return answer.hops.find((h) => h.verdict === "deny" || h.verdict === "partial");
}

async function getJson(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

async function postJson(
  url: string,
  headers: Record<string, string>,
  payload: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

/** Drop counters by reason of the ENIs, or undefined for an ENI nobody has reported yet. */
async function dropCounters(
  base: string,
  headers: Record<string, string>,
  enis: readonly string[],
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const eni of enis) {
    const r = await getJson(`${base}/v1/counters?eni=${encodeURIComponent(eni)}`, headers);
    const drops = r.body?.counters?.drops ?? r.body?.drops;
    if (r.status === 200 && drops !== null && typeof drops === "object")
      out.set(eni, drops as Record<string, number>);
  }
  return out;
}

/** Sends the flow's packet and compares; see the module comment. */
export async function probeExplained(
  answer: StaticAnswer,
  opts: ProbeOptions,
): Promise<ProbeReport> {
  const base = opts.controllerUrl.replace(/\/$/, "");
  const headers = opts.headers ?? {};
  const timeoutMs = opts.timeoutMs ?? 2000;
  const src = answer.source;
  const dst = answer.destination;
  const dstAddress = dst.addressedAs ?? dst.address;
  // Every ENI a hop names (a NAT gateway's interface on the way too).
  const enis = [
    ...new Set([
      ...[src.eniId, dst.eniId].filter((e): e is string => e !== undefined),
      ...answer.hops.map((h) => h.at).filter((a) => a.startsWith("eni-")),
    ]),
  ];
  const denial = firstDenial(answer);

  // The trace, when the controller has the API.
  let traceId: string | undefined;
  const t = await postJson(`${base}/v1/traces`, headers, {
    enis,
    durationSeconds: Math.ceil(timeoutMs / 1000) + 10,
  }).catch(() => ({ status: 0, body: undefined }));
  if ((t.status === 200 || t.status === 201) && typeof t.body?.traceId === "string")
    traceId = t.body.traceId;
  const before = traceId === undefined ? await dropCounters(base, headers, enis) : undefined;

  const probes = new Probes(opts.namespaceOf);
  let method: ProbeReport["method"];
  let result: ProbeResult;
  try {
    if (answer.protocol === "tcp") {
      method = "tcp-connect";
      result = await probes.tcpRequest(nodeRef(src), dstAddress, answer.port, timeoutMs);
    } else if (answer.protocol === "udp") {
      method = "udp-echo";
      // A probe echo server on the destination; a program already bound there answers instead
      // only if it echoes.
      await probes.server(nodeRef(dst), "udp", answer.port).catch(() => undefined);
      result = await probes.udpRequest(nodeRef(src), dstAddress, answer.port, timeoutMs);
    } else {
      method = "ping";
      result = await probes.ping(
        nodeRef(src),
        dstAddress,
        1,
        Math.max(1, Math.round(timeoutMs / 1000)),
      );
    }
  } finally {
    await probes.stopAll();
  }
  // A refused connect means the SYN arrived and the RST came back: there and back.
  const delivered = result.ok || (method === "tcp-connect" && result.error === "ECONNREFUSED");
  const detail = result.ok ? "answered" : String(result.error ?? "no answer");
  const disagreements: string[] = [];
  // A path with a hop explain does not analyse (a NAT gateway) has no static answer to compare.
  if (answer.unknown !== true && delivered !== answer.reachable) {
    disagreements.push(
      `explain says ${answer.reachable ? "reachable" : "not reachable"}, the probe was ${delivered ? "answered" : `not answered (${detail})`}`,
    );
  }

  let evidence: ProbeReport["evidence"] = "delivery";
  let observedDrop: ProbeReport["observedDrop"];
  let events: TracedVerdict[] | undefined;
  if (traceId !== undefined) {
    evidence = "trace";
    events = await flowEvents(base, headers, traceId, answer, dstAddress);
    const drop = events.find((e) => e.verdict === "drop");
    if (drop !== undefined) observedDrop = { eniId: drop.eniId, reason: drop.reason };
  } else if (denial !== undefined && denial.reason !== undefined && enis.includes(denial.at)) {
    // Counters: wait for the agents' next report to count the expected drop on its ENI (other
    // reasons may grow meanwhile from other traffic; they prove nothing either way).
    const deadline = Date.now() + (opts.countersWaitMs ?? 12_000);
    const was = before!.get(denial.at)?.[denial.reason] ?? 0;
    evidence = "counters";
    for (;;) {
      const after = await dropCounters(base, headers, [denial.at]);
      if ((after.get(denial.at)?.[denial.reason] ?? 0) > was) {
        observedDrop = { eniId: denial.at, reason: denial.reason };
        break;
      }
      if (Date.now() > deadline) {
        disagreements.push(
          `explain denies at ${denial.path} ${denial.hop} of ${denial.at} (${denial.reason}); that ENI's ${denial.reason} counter did not grow`,
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  if (events !== undefined) disagreements.push(...compareRules(answer, events, dstAddress));
  if (evidence !== "delivery" && answer.unknown !== true) {
    if (denial === undefined && observedDrop !== undefined) {
      disagreements.push(
        `explain allows every hop, the agents dropped it at ${observedDrop.eniId} (${observedDrop.reason})`,
      );
    } else if (denial !== undefined && observedDrop === undefined && evidence === "trace") {
      disagreements.push(
        `explain denies at ${denial.path} ${denial.hop} of ${denial.at} (${denial.reason}), the agents dropped nothing`,
      );
    } else if (
      denial !== undefined &&
      observedDrop !== undefined &&
      (observedDrop.eniId !== denial.at || observedDrop.reason !== denial.reason)
    ) {
      disagreements.push(
        `explain denies first at ${denial.path} ${denial.hop} of ${denial.at} (${denial.reason}), the agents dropped at ${observedDrop.eniId} (${observedDrop.reason})`,
      );
    }
  }
  return {
    method,
    delivered,
    detail,
    evidence,
    ...(observedDrop !== undefined ? { observedDrop } : {}),
    ...(events !== undefined ? { events } : {}),
    agrees: disagreements.length === 0,
    disagreements,
  };
}

/**
 * Per hop: the SG rule and NACL entry each accepted event names must be the static answer's for
 * that ENI, direction and way (the first packet of a flow is admitted by the rule explain names;
 * later ones by conntrack, whose events name the rule that opened the entry).
 */
export function compareRules(
  answer: StaticAnswer,
  events: readonly TracedVerdict[],
  dstAddress: string,
): string[] {
  const out: string[] = [];
  const toServer = (e: TracedVerdict) =>
    e.dst === dstAddress || e.dst === answer.destination.address;
  for (const e of events) {
    if (e.verdict !== "accept") continue;
    const path = toServer(e) ? "forward" : "return";
    const sg = e.direction === "egress" ? "sg-egress" : "sg-ingress";
    const nacl = e.direction === "egress" ? "nacl-outbound" : "nacl-inbound";
    const at = (h: ExplainHop) => h.at === e.eniId && h.path === path;
    const sgHop = answer.hops.find((h) => at(h) && h.hop === sg);
    if (sgHop !== undefined && e.sgRuleId !== undefined && sgHop.ruleId !== undefined) {
      if (e.sgRuleId !== sgHop.ruleId) {
        out.push(
          `${path} ${sg} of ${e.eniId}: explain names ${sgHop.ruleId}, the agent's event ${e.sgRuleId}`,
        );
      }
    }
    const naclHop = answer.hops.find((h) => at(h) && h.hop === nacl);
    if (naclHop !== undefined && e.naclRuleNumber !== undefined) {
      const seen = e.naclRuleNumber === "*" ? [32767, 32768] : [e.naclRuleNumber];
      const port = e.dstPort;
      const expected =
        naclHop.portRanges !== undefined && port !== undefined
          ? naclHop.portRanges.find((r) => port >= r.from && port <= r.to)?.ruleNumber
          : naclHop.ruleNumber;
      if (naclHop.verdict === "skip" || expected === undefined || !seen.includes(expected)) {
        out.push(
          `${path} ${nacl} of ${e.eniId}: explain says ${naclHop.verdict === "skip" ? "not evaluated" : `rule ${expected}`}, the agent's event rule ${e.naclRuleNumber}`,
        );
      }
    }
  }
  return [...new Set(out)];
}

/** The trace's events of this flow (either direction), read until they stop coming. */
async function flowEvents(
  base: string,
  headers: Record<string, string>,
  traceId: string,
  answer: StaticAnswer,
  dstAddress: string,
): Promise<TracedVerdict[]> {
  const mine = (e: TracedVerdict): boolean => {
    const ends = [answer.source.address, answer.destination.address, dstAddress];
    if (e.src === undefined || e.dst === undefined) return false;
    // On an interface on the way (a NAT gateway) one end is its own, translated address.
    const onTheWay =
      e.eniId !== answer.source.eniId &&
      e.eniId !== answer.destination.eniId &&
      answer.hops.some((h) => h.at === e.eniId);
    if (
      onTheWay
        ? !ends.includes(e.src) && !ends.includes(e.dst)
        : !ends.includes(e.src) || !ends.includes(e.dst)
    )
      return false;
    if (answer.protocol !== "tcp" && answer.protocol !== "udp") return true;
    // The forward packets go to the port, the replies come from it.
    const toServer = e.dst === answer.destination.address || e.dst === dstAddress;
    return (toServer ? e.dstPort : e.srcPort) === answer.port;
  };
  const out: TracedVerdict[] = [];
  let since = 0;
  let quiet = 0;
  // Events travel from the agents with their reports; stop after 1 s without new ones.
  for (let i = 0; i < 40 && quiet < 4; i++) {
    const r = await getJson(
      `${base}/v1/traces/${encodeURIComponent(traceId)}/events?since=${since}`,
      headers,
    );
    const events: TracedVerdict[] = Array.isArray(r.body?.events) ? r.body.events : [];
    if (typeof r.body?.next === "number") since = r.body.next;
    const fresh = events.filter(mine);
    out.push(...fresh);
    quiet = fresh.length === 0 && out.length > 0 ? quiet + 1 : 0;
    await new Promise((res) => setTimeout(res, 250));
  }
  return out;
}
