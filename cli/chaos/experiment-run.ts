/**
 * Runs an experiment (experiment-spec.ts): probe servers up, the steady-state hypothesis checked
 * before the method, at an interval while the method's steps run, and after the rollback; stop
 * conditions end the method early; the rollback removes every fault the run added and reverses
 * every EC2 rule change, also when the run is aborted (Ctrl-C: the caller aborts `signal`).
 * Everything that touches the world goes through RunEnv (experiment-local.ts for the local
 * runtime), so the order of events is testable with a fake. The result is the Journal the
 * report writers (experiment-report.ts) turn into JSON, JUnit XML and an SVG timeline.
 */
import type { FaultRequest, FaultView, PartitionRequest } from "./fault-api.js";
import { FIS_TERMINAL, type FisExperiment } from "./fis-client.js";
import {
  GAUGE_COUNTERS,
  ENI_COUNTERS,
  type CounterProbe,
  type Ec2Action,
  type Ec2RuleSpec,
  type Experiment,
  type Probe,
  type ProcessOp,
  type ReachProbe,
  type ServerSpec,
  type Step,
} from "./experiment-spec.js";
import { formatDuration } from "./units.js";

export type Phase = "before" | "during" | "after";
export const PHASES: readonly Phase[] = ["before", "during", "after"];

/** What the runner needs from the world. */
export interface RunEnv {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  startServers(servers: readonly ServerSpec[]): Promise<void>;
  stopServers(): Promise<void>;
  /** One request of a reachability probe; never throws for a blocked flow. */
  reach(probe: ReachProbe): Promise<{ ok: boolean; ms?: number; error?: string }>;
  /** A node's ENI counters summed: camelCase names and `drops.REASON`. */
  eniCounters(node: string): Promise<Record<string, number>>;
  addFault(request: FaultRequest): Promise<FaultView>;
  addPartition(request: PartitionRequest): Promise<FaultView>;
  getFault(id: string): Promise<FaultView>;
  removeFault(id: string): Promise<void>;
  ec2(action: Ec2Action, rule: Ec2RuleSpec): Promise<string>;
  processFault(op: ProcessOp, node: string, ms: number | undefined): Promise<string>;
  /** Starts a FIS experiment from an existing template or one created for it. */
  fisStart(
    ref: { template?: string; create?: Readonly<Record<string, unknown>> },
    tags: Record<string, string>,
  ): Promise<{ experiment: FisExperiment; templateId: string; created: boolean }>;
  fisGet(id: string): Promise<FisExperiment>;
  fisStop(id: string): Promise<FisExperiment>;
  fisDeleteTemplate(id: string): Promise<void>;
  /** Sets a controller alarm; false when the controller has no alarm API (then not called again). */
  setAlarm(name: string, state: "ALARM" | "OK", reason: string): Promise<boolean>;
  log(line: string): void;
}

export interface SampleRecord {
  readonly probe: string;
  readonly phase: Phase;
  readonly at: string;
  /** Milliseconds since the run started. */
  readonly t: number;
  /** The sample met the probe's expectation and limits. */
  readonly ok: boolean;
  /** Reachability: the request was answered. */
  readonly answered?: boolean;
  readonly ms?: number;
  /** Counter probes: the value compared to the limits. */
  readonly value?: number;
  readonly error?: string;
}

export interface StepRecord {
  readonly index: number;
  readonly kind: string;
  readonly name?: string;
  readonly text: string;
  readonly line: number;
  readonly t: number;
  readonly at: string;
  /** When the step's effect ended (a fault's removal or expiry, a wait's end, a process fault's downtime). */
  endT?: number;
  ok: boolean;
  error?: string;
  result?: string;
  faultId?: string;
}

export interface FaultRecord {
  readonly faultId: string;
  readonly step: number;
  readonly addedT: number;
  endT?: number;
  expiresAt?: string | null;
  counters?: FaultView["counters"];
}

export interface ExperimentRecord {
  readonly id: string;
  readonly templateId: string;
  /** The template was created by the run (and is deleted after it). */
  readonly created: boolean;
  readonly step: number;
  readonly startT: number;
  endT?: number;
  status: string;
  reason?: string;
}

export interface Verdict {
  readonly probe: string;
  readonly phase: Phase;
  /** undefined: the phase did not run. */
  readonly ok: boolean | undefined;
  readonly samples: number;
  readonly failures: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly message?: string;
  readonly firstFailureAt?: string;
  readonly firstFailureT?: number;
}

export interface RollbackRecord {
  readonly what: string;
  readonly t: number;
  readonly ok: boolean;
  readonly error?: string;
}

export type Outcome = "held" | "failed" | "aborted" | "error";

export interface Journal {
  readonly title: string;
  readonly file: string;
  readonly startedAt: string;
  endedAt: string;
  durationMs: number;
  outcome: Outcome;
  /** One line: why the hypothesis failed or the run stopped. */
  reason?: string;
  stoppedBy?: string;
  readonly probes: readonly {
    name: string;
    kind: string;
    alarm: string;
    description: string;
    expect?: string;
    latency?: ReachProbe["latency"];
  }[];
  readonly phases: Partial<Record<Phase, { startT: number; endT?: number }>>;
  readonly samples: SampleRecord[];
  readonly steps: StepRecord[];
  readonly faults: FaultRecord[];
  /** AWS FIS experiments the run started. */
  readonly experiments: ExperimentRecord[];
  readonly rollback: RollbackRecord[];
  verdicts: Verdict[];
  readonly alarms: { available: boolean; set: number; errors: string[] };
  readonly counterBaseline: Record<string, Record<string, number>>;
}

export function describeProbe(p: Probe): string {
  if (p.kind === "counter") {
    const src = "node" in p.source ? `node ${p.source.node}` : `fault of step ${p.source.fault}`;
    const lim = [p.min !== undefined ? `>= ${p.min}` : "", p.max !== undefined ? `<= ${p.max}` : ""]
      .filter(Boolean)
      .join(" and ");
    return `${p.counter} of ${src} ${lim}`;
  }
  return `${p.protocol} ${p.from} -> ${p.to}${p.port !== undefined ? `:${p.port}` : ""} ${p.expect}`;
}

export function describeStep(s: Step): string {
  switch (s.kind) {
    case "fault": {
      const r = s.request;
      return `fault ${(r.from ?? []).join(",")} -> ${(r.to ?? []).join(",") || "-"} ${Object.keys(r.effects).join("+")}${r.durationMs ? ` for ${formatDuration(r.durationMs)}` : ""}`;
    }
    case "partition":
      return `partition ${s.request.groups.map((g) => g.join(",")).join(s.request.oneWay ? " > " : " | ")}${s.request.durationMs ? ` for ${formatDuration(s.request.durationMs)}` : ""}`;
    case "wait":
      return `wait ${formatDuration(s.ms)}`;
    case "remove":
      return `remove ${s.target}`;
    case "ec2": {
      const r = s.rule;
      const ports =
        r.fromPort === undefined
          ? ""
          : `/${r.fromPort}${r.toPort !== r.fromPort ? `-${r.toPort}` : ""}`;
      return `ec2 ${s.action} ${r.group} ${r.protocol}${ports} ${r.cidr ?? r.sourceGroup}`;
    }
    case "process":
      return `${s.op} ${s.node}${s.ms !== undefined ? ` for ${formatDuration(s.ms)}` : ""}`;
    case "fis":
      return `fis experiment from ${s.template ?? `a new template (${Object.keys((s.create?.actions as object | undefined) ?? {}).join(", ")})`}`;
  }
}

/** Nearest-rank percentile of `xs` (undefined when empty). */
export function percentile(xs: readonly number[], p: number): number | undefined {
  if (xs.length === 0) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const INVERSE: Record<Ec2Action, Ec2Action> = {
  "authorize-ingress": "revoke-ingress",
  "revoke-ingress": "authorize-ingress",
  "authorize-egress": "revoke-egress",
  "revoke-egress": "authorize-egress",
};

/** Runs the experiment; never throws for a probe or step failure (they are in the journal). */
export async function runExperiment(
  exp: Experiment,
  env: RunEnv,
  signal: AbortSignal = new AbortController().signal,
): Promise<Journal> {
  const t0 = env.now();
  const t = () => env.now() - t0;
  const iso = () => new Date(env.now()).toISOString();
  const journal: Journal = {
    title: exp.title,
    file: exp.file,
    startedAt: new Date(t0).toISOString(),
    endedAt: "",
    durationMs: 0,
    outcome: "held",
    probes: exp.probes.map((p) => ({
      name: p.name,
      kind: p.kind === "counter" ? "counter" : p.protocol,
      alarm: p.alarm,
      description: describeProbe(p),
      ...(p.kind === "reach" ? { expect: p.expect } : {}),
      ...(p.kind === "reach" && p.latency ? { latency: p.latency } : {}),
    })),
    phases: {},
    samples: [],
    steps: [],
    faults: [],
    experiments: [],
    rollback: [],
    verdicts: [],
    alarms: { available: true, set: 0, errors: [] },
    counterBaseline: {},
  };
  const faultIdsByStep = new Map<string, string>();
  const alarmState = new Map<string, "ALARM" | "OK">();
  const ec2Done: { action: Ec2Action; rule: Ec2RuleSpec; step: number }[] = [];

  const setAlarm = async (p: Probe, state: "ALARM" | "OK", reason: string) => {
    if (!journal.alarms.available || alarmState.get(p.alarm) === state) return;
    try {
      const ok = await env.setAlarm(p.alarm, state, reason);
      if (!ok) {
        journal.alarms.available = false;
        env.log("the controller has no alarm API (PUT /v1/alarms): probe alarms are not set");
        return;
      }
      alarmState.set(p.alarm, state);
      journal.alarms.set++;
    } catch (err) {
      journal.alarms.errors.push(`${p.alarm}: ${(err as Error).message}`);
    }
  };

  const counterValue = async (p: CounterProbe): Promise<number> => {
    if ("fault" in p.source) {
      const id = faultIdsByStep.get(p.source.fault);
      if (id === undefined) return 0;
      // Why: a removed fault is gone from the controller; its last counters are in the journal.
      const done = journal.faults.find((f) => f.faultId === id && f.endT !== undefined);
      if (done) return (done.counters as unknown as Record<string, number>)?.[p.counter] ?? 0;
      const view = await env.getFault(id);
      return (view.counters as unknown as Record<string, number>)[p.counter] ?? 0;
    }
    const all = await env.eniCounters(p.source.node);
    // Why hasOwn: node and counter names are user strings (a node may be called `constructor`).
    const own = (o: Record<string, number> | undefined, k: string): number =>
      (o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined) ?? 0;
    const key = Object.hasOwn(ENI_COUNTERS, p.counter) ? ENI_COUNTERS[p.counter]! : p.counter;
    const now = own(all, key);
    if (GAUGE_COUNTERS.includes(p.counter)) return now;
    const base = journal.counterBaseline;
    return now - own(Object.hasOwn(base, p.source.node) ? base[p.source.node] : undefined, key);
  };

  /** One sample of one probe, recorded. */
  const sample = async (p: Probe, phase: Phase): Promise<SampleRecord> => {
    const at = iso();
    const when = t();
    let rec: SampleRecord;
    if (p.kind === "counter") {
      try {
        const value = await counterValue(p);
        const ok =
          (p.min === undefined || value >= p.min) && (p.max === undefined || value <= p.max);
        rec = { probe: p.name, phase, at, t: when, ok, value };
      } catch (err) {
        rec = { probe: p.name, phase, at, t: when, ok: false, error: (err as Error).message };
      }
    } else {
      let r: { ok: boolean; ms?: number; error?: string };
      try {
        r = await env.reach(p);
      } catch (err) {
        r = { ok: false, error: (err as Error).message };
      }
      const matches = p.expect === "reachable" ? r.ok : !r.ok;
      const slow = r.ok && p.latency?.maxMs !== undefined && (r.ms ?? 0) > p.latency.maxMs;
      rec = {
        probe: p.name,
        phase,
        at,
        t: when,
        ok: matches && !slow,
        answered: r.ok,
        ...(r.ms !== undefined ? { ms: Math.round(r.ms * 1000) / 1000 } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      };
    }
    journal.samples.push(rec);
    return rec;
  };

  const verdictOf = (p: Probe, phase: Phase): Verdict => {
    const mine = journal.samples.filter((s) => s.probe === p.name && s.phase === phase);
    const failed = mine.filter((s) => !s.ok);
    const problems: string[] = [];
    if (failed.length > 0) {
      const f = failed[0]!;
      const what =
        p.kind === "counter"
          ? `${p.counter} = ${f.value ?? f.error}`
          : p.expect === "reachable"
            ? f.answered
              ? `answered in ${f.ms} ms, over the max ${p.latency?.maxMs} ms`
              : `unreachable (${f.error ?? "no answer"})`
            : "reachable";
      problems.push(
        `${failed.length} of ${mine.length} samples failed, first at ${f.at} (t+${(f.t / 1000).toFixed(1)}s): ${what}`,
      );
    }
    let p50: number | undefined;
    let p99: number | undefined;
    if (p.kind === "reach") {
      const ms = mine.filter((s) => s.answered && s.ms !== undefined).map((s) => s.ms!);
      p50 = percentile(ms, 50);
      p99 = percentile(ms, 99);
      if (p.latency?.p50Ms !== undefined && p50 !== undefined && p50 > p.latency.p50Ms) {
        problems.push(`latency p50 ${p50} ms over the limit ${p.latency.p50Ms} ms`);
      }
      if (p.latency?.p99Ms !== undefined && p99 !== undefined && p99 > p.latency.p99Ms) {
        problems.push(`latency p99 ${p99} ms over the limit ${p.latency.p99Ms} ms`);
      }
    }
    const first = failed[0];
    return {
      probe: p.name,
      phase,
      ok: problems.length === 0,
      samples: mine.length,
      failures: failed.length,
      ...(p50 !== undefined ? { p50Ms: p50, p99Ms: p99! } : {}),
      ...(problems.length > 0
        ? { message: `probe '${p.name}' ${phase}: ${problems.join("; ")}` }
        : {}),
      ...(first ? { firstFailureAt: first.at, firstFailureT: first.t } : {}),
    };
  };

  /** `before`/`after`: every probe's samples (probes in parallel, each probe's in turn). */
  const check = async (phase: Phase): Promise<Verdict[]> => {
    journal.phases[phase] = { startT: t() };
    await Promise.all(
      exp.probes.map(async (p) => {
        const n = p.kind === "counter" ? 1 : p.samples;
        for (let i = 0; i < n && !signal.aborted; i++) await sample(p, phase);
      }),
    );
    journal.phases[phase]!.endT = t();
    const verdicts = exp.probes.map((p) => verdictOf(p, phase));
    for (const v of verdicts) {
      const p = exp.probes.find((x) => x.name === v.probe)!;
      await setAlarm(p, v.ok ? "OK" : "ALARM", v.message ?? `${phase}: within limits`);
    }
    return verdicts;
  };

  let failedStep: StepRecord | undefined;
  try {
    try {
      await env.startServers(exp.servers);
    } catch (err) {
      journal.outcome = "error";
      journal.reason = `could not start the probe servers: ${(err as Error).message}`;
      return journal;
    }
    for (const p of exp.probes) {
      if (
        p.kind === "counter" &&
        "node" in p.source &&
        !Object.hasOwn(journal.counterBaseline, p.source.node)
      ) {
        try {
          journal.counterBaseline[p.source.node] = await env.eniCounters(p.source.node);
        } catch (err) {
          env.log(`counters of ${p.source.node}: ${(err as Error).message} (counting from 0)`);
          journal.counterBaseline[p.source.node] = {};
        }
      }
    }

    env.log(`before: checking ${exp.probes.length} probe(s)`);
    const before = await check("before");
    journal.verdicts.push(...before);
    const beforeFailed = before.find((v) => !v.ok);
    if (signal.aborted) {
      journal.outcome = "aborted";
      journal.reason = "interrupted before the method";
    } else if (beforeFailed) {
      journal.outcome = "failed";
      journal.reason = `the steady state did not hold before the method: ${beforeFailed.message}`;
    } else {
      // During: the method's steps in order, the probes every interval until the method ends.
      journal.phases.during = { startT: t() };
      const methodStop = new AbortController();
      const onAbort = () => methodStop.abort();
      signal.addEventListener("abort", onAbort);
      const failures = new Map<string, number>();
      const runStep = async (step: Step, index: number): Promise<StepRecord> => {
        const rec: StepRecord = {
          index,
          kind: step.kind === "process" ? step.op : step.kind,
          ...(step.name !== undefined ? { name: step.name } : {}),
          text: describeStep(step),
          line: step.at.line,
          t: t(),
          at: iso(),
          ok: true,
        };
        journal.steps.push(rec);
        env.log(`step ${index + 1}: ${rec.text}`);
        try {
          switch (step.kind) {
            case "fault":
            case "partition": {
              const view =
                step.kind === "fault"
                  ? await env.addFault(step.request)
                  : await env.addPartition(step.request);
              rec.faultId = view.faultId;
              rec.result = view.faultId;
              if (step.name !== undefined) faultIdsByStep.set(step.name, view.faultId);
              journal.faults.push({
                faultId: view.faultId,
                step: index,
                addedT: t(),
                expiresAt: view.expiresAt,
                counters: view.counters,
              });
              break;
            }
            case "wait":
              await env.sleep(step.ms, methodStop.signal);
              rec.endT = t();
              break;
            case "remove": {
              const id = faultIdsByStep.get(step.target)!;
              const f = journal.faults.find((x) => x.faultId === id);
              const last = await env.getFault(id).catch(() => undefined);
              if (f && last) f.counters = last.counters;
              await env.removeFault(id);
              if (f) f.endT = t();
              rec.result = id;
              break;
            }
            case "ec2":
              rec.result = await env.ec2(step.action, step.rule);
              ec2Done.push({ action: step.action, rule: step.rule, step: index });
              break;
            case "process":
              rec.result = await env.processFault(step.op, step.node, step.ms);
              if (step.ms !== undefined) rec.endT = rec.t + step.ms;
              break;
            case "fis": {
              const started = await env.fisStart(
                {
                  ...(step.template !== undefined ? { template: step.template } : {}),
                  ...(step.create !== undefined ? { create: step.create } : {}),
                },
                { "vpcemu:experiment": exp.title.slice(0, 256) },
              );
              const x: ExperimentRecord = {
                id: started.experiment.id,
                templateId: started.templateId,
                created: started.created,
                step: index,
                startT: t(),
                status: started.experiment.state.status,
                ...(started.experiment.state.reason !== undefined
                  ? { reason: started.experiment.state.reason }
                  : {}),
              };
              journal.experiments.push(x);
              rec.result = x.id;
              if (!step.wait) break;
              while (!FIS_TERMINAL.includes(x.status) && !methodStop.signal.aborted) {
                await env.sleep(500, methodStop.signal);
                const e = await env.fisGet(x.id);
                x.status = e.state.status;
                if (e.state.reason !== undefined) x.reason = e.state.reason;
              }
              if (FIS_TERMINAL.includes(x.status)) {
                x.endT = t();
                rec.endT = x.endT;
                rec.result = `${x.id} ${x.status}${x.reason ? `: ${x.reason}` : ""}`;
                if (x.status === "failed")
                  throw new Error(`FIS experiment ${x.id} failed: ${x.reason ?? ""}`);
              }
              break;
            }
          }
        } catch (err) {
          rec.ok = false;
          rec.error = (err as Error).message;
          env.log(`step ${index + 1} failed: ${rec.error}`);
        }
        return rec;
      };

      const method = (async () => {
        for (const [index, step] of exp.steps.entries()) {
          if (methodStop.signal.aborted) return;
          const rec = await runStep(step, index);
          if (!rec.ok) {
            failedStep = rec;
            methodStop.abort();
            return;
          }
        }
      })().finally(() => methodStop.abort());

      do {
        const roundStart = env.now();
        const round = await Promise.all(exp.probes.map((p) => sample(p, "during")));
        for (const s of round) {
          const p = exp.probes.find((x) => x.name === s.probe)!;
          if (!s.ok) failures.set(p.name, (failures.get(p.name) ?? 0) + 1);
          const v = verdictOf(p, "during");
          await setAlarm(p, s.ok && v.ok ? "OK" : "ALARM", v.message ?? "during: within limits");
        }
        const hit = exp.stopConditions.find((c) => (failures.get(c.probe) ?? 0) >= c.failures);
        if (hit && journal.stoppedBy === undefined) {
          journal.stoppedBy = `stop condition: probe '${hit.probe}' failed ${failures.get(hit.probe)} times (limit ${hit.failures}) at ${iso()} (t+${(t() / 1000).toFixed(1)}s)`;
          env.log(journal.stoppedBy);
          methodStop.abort();
          break;
        }
        if (methodStop.signal.aborted) break;
        await env.sleep(Math.max(0, exp.intervalMs - (env.now() - roundStart)), methodStop.signal);
      } while (!methodStop.signal.aborted);
      await method;
      signal.removeEventListener("abort", onAbort);
      journal.phases.during.endT = t();
      journal.verdicts.push(...exp.probes.map((p) => verdictOf(p, "during")));
    }
  } finally {
    await rollback();
  }

  if (journal.phases.during && !signal.aborted && journal.outcome === "held") {
    await env.sleep(exp.settleMs, signal);
    if (!signal.aborted) {
      env.log("after: checking the probes");
      journal.verdicts.push(...(await check("after")));
    }
  }
  try {
    await env.stopServers();
  } catch (err) {
    env.log(`stopping the probe servers: ${(err as Error).message}`);
  }

  // Phases that did not run still get a verdict (ok undefined) so every report lists them.
  for (const p of exp.probes) {
    for (const phase of PHASES) {
      if (!journal.verdicts.some((v) => v.probe === p.name && v.phase === phase)) {
        journal.verdicts.push({ probe: p.name, phase, ok: undefined, samples: 0, failures: 0 });
      }
    }
  }
  journal.verdicts.sort(
    (a, b) =>
      exp.probes.findIndex((p) => p.name === a.probe) -
        exp.probes.findIndex((p) => p.name === b.probe) ||
      PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase),
  );
  const firstFailed = journal.verdicts
    .filter((v) => v.ok === false)
    .sort((a, b) => (a.firstFailureT ?? Infinity) - (b.firstFailureT ?? Infinity))[0];
  if (signal.aborted) {
    journal.outcome = "aborted";
    journal.reason ??= `interrupted at ${iso()} (t+${(t() / 1000).toFixed(1)}s); rolled back`;
  } else if (journal.outcome === "held" && failedStep) {
    journal.outcome = "error";
    journal.reason = `step ${failedStep.index + 1} (${failedStep.text}, line ${failedStep.line}) failed at ${failedStep.at}: ${failedStep.error}`;
  } else if (journal.outcome === "held" && firstFailed) {
    journal.outcome = "failed";
    journal.reason = `the hypothesis failed: ${firstFailed.message}`;
  } else if (journal.outcome === "held" && journal.rollback.some((r) => !r.ok)) {
    journal.outcome = "error";
    journal.reason = `the rollback failed: ${journal.rollback.find((r) => !r.ok)!.what}`;
  }
  if (journal.stoppedBy && journal.reason && !journal.reason.includes(journal.stoppedBy)) {
    journal.reason += ` (${journal.stoppedBy})`;
  }
  journal.endedAt = iso();
  journal.durationMs = t();
  return journal;

  /** Removes every fault the run added (still stored) and reverses its EC2 rule changes. */
  async function rollback(): Promise<void> {
    for (const x of [...journal.experiments].reverse()) {
      try {
        let e = await env.fisGet(x.id);
        if (!FIS_TERMINAL.includes(e.state.status)) {
          if (e.state.status !== "stopping") e = await env.fisStop(x.id);
          const deadline = env.now() + 30_000;
          while (!FIS_TERMINAL.includes(e.state.status) && env.now() < deadline) {
            await env.sleep(250);
            e = await env.fisGet(x.id);
          }
          journal.rollback.push({
            what: `stopped FIS experiment ${x.id} (${e.state.status})`,
            t: t(),
            ok: FIS_TERMINAL.includes(e.state.status),
            ...(FIS_TERMINAL.includes(e.state.status)
              ? {}
              : { error: "still stopping after 30 s" }),
          });
        }
        x.status = e.state.status;
        if (e.state.reason !== undefined) x.reason = e.state.reason;
        x.endT ??= t();
        const s = journal.steps.find((st) => st.index === x.step);
        if (s && s.endT === undefined) s.endT = x.endT;
      } catch (err) {
        journal.rollback.push({
          what: `stop FIS experiment ${x.id}`,
          t: t(),
          ok: false,
          error: (err as Error).message,
        });
      }
    }
    for (const f of [...journal.faults].reverse()) {
      try {
        const view = await env.getFault(f.faultId).catch(() => undefined);
        if (view) f.counters = view.counters;
        if (f.endT !== undefined) continue;
        const expired = view?.state === "expired";
        if (view && !expired) await env.removeFault(f.faultId);
        const end = view?.expiresAt ? Date.parse(view.expiresAt) - t0 : undefined;
        f.endT = expired && end !== undefined ? Math.min(end, t()) : t();
        journal.rollback.push({
          what: expired ? `${f.faultId} had expired` : `removed ${f.faultId}`,
          t: t(),
          ok: true,
        });
      } catch (err) {
        journal.rollback.push({
          what: `remove ${f.faultId}`,
          t: t(),
          ok: false,
          error: (err as Error).message,
        });
      }
    }
    for (const c of [...ec2Done].reverse()) {
      const what = describeStep({
        kind: "ec2",
        action: INVERSE[c.action],
        rule: c.rule,
        at: { file: "", line: 0, path: "" },
      });
      try {
        await env.ec2(INVERSE[c.action], c.rule);
        journal.rollback.push({ what, t: t(), ok: true });
        const s = journal.steps.find((x) => x.index === c.step);
        if (s) s.endT = t();
      } catch (err) {
        journal.rollback.push({ what, t: t(), ok: false, error: (err as Error).message });
      }
    }
    for (const x of journal.experiments) {
      if (!x.created || !FIS_TERMINAL.includes(x.status)) continue;
      try {
        await env.fisDeleteTemplate(x.templateId);
        journal.rollback.push({ what: `deleted FIS template ${x.templateId}`, t: t(), ok: true });
      } catch (err) {
        journal.rollback.push({
          what: `delete FIS template ${x.templateId}`,
          t: t(),
          ok: false,
          error: (err as Error).message,
        });
      }
    }
    for (const s of journal.steps) {
      if (s.endT === undefined && s.faultId !== undefined) {
        s.endT = journal.faults.find((f) => f.faultId === s.faultId)?.endT;
      }
    }
    if (journal.rollback.length > 0)
      env.log(
        `rollback: ${journal.rollback.map((r) => r.what + (r.ok ? "" : ` FAILED: ${r.error}`)).join("; ")}`,
      );
  }
}
