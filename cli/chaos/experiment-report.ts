/**
 * Reports of a scenario run (experiment-run.ts's Journal): the journal as JSON, a JUnit XML file
 * for CI (one testcase per probe and phase, plus the method and the rollback), and an SVG
 * timeline: the phases, each step's and fault's interval, and under them one lane per probe with
 * its samples (latency dots, failures in red, limits dashed) on the same time axis. Pure.
 */
import type { Journal, Phase, SampleRecord, Verdict } from "./experiment-run.js";

export function journalJson(j: Journal): string {
  return JSON.stringify(j, null, 2) + "\n";
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

/** JUnit XML: testcase `PROBE (PHASE)`; a failing one carries a <failure> naming probe, phase, time. */
export function junitXml(j: Journal): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  const suite = `experiment.${j.title.replace(/[^\w.-]+/g, "_")}`;
  for (const v of j.verdicts) {
    const ph = j.phases[v.phase];
    const time = ph?.endT !== undefined ? secs(ph.endT - ph.startT) : "0";
    const open = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(`${v.probe} (${v.phase})`)}" time="${time}"`;
    if (v.ok === undefined) {
      skipped++;
      cases.push(
        `${open}>\n      <skipped message="${xmlEscape(`phase '${v.phase}' did not run (${j.outcome}${j.reason ? `: ${j.reason}` : ""})`)}"/>\n    </testcase>`,
      );
    } else if (v.ok) {
      cases.push(`${open}/>`);
    } else {
      failures++;
      const detail = samplesText(
        j.samples.filter((s) => s.probe === v.probe && s.phase === v.phase),
      );
      cases.push(
        `${open}>\n      <failure message="${xmlEscape(v.message ?? `probe '${v.probe}' failed in phase ${v.phase}`)}" type="HypothesisFailed">${xmlEscape(detail)}</failure>\n    </testcase>`,
      );
    }
  }
  const failedSteps = j.steps.filter((s) => !s.ok);
  const methodCase = `    <testcase classname="${xmlEscape(suite)}" name="method" time="${secs((j.phases.during?.endT ?? 0) - (j.phases.during?.startT ?? 0))}"`;
  if (failedSteps.length > 0) {
    errors++;
    const s = failedSteps[0]!;
    cases.push(
      `${methodCase}>\n      <error message="${xmlEscape(`step ${s.index + 1} (${s.text}, line ${s.line}) failed at ${s.at}: ${s.error}`)}" type="StepFailed"/>\n    </testcase>`,
    );
  } else cases.push(`${methodCase}/>`);
  const badRollback = j.rollback.filter((r) => !r.ok);
  const rbCase = `    <testcase classname="${xmlEscape(suite)}" name="rollback" time="0"`;
  if (badRollback.length > 0) {
    errors++;
    cases.push(
      `${rbCase}>\n      <error message="${xmlEscape(badRollback.map((r) => `${r.what}: ${r.error}`).join("; "))}" type="RollbackFailed"/>\n    </testcase>`,
    );
  } else cases.push(`${rbCase}/>`);
  const props = [
    ["outcome", j.outcome],
    ["reason", j.reason ?? ""],
    ["file", j.file],
    ...(j.stoppedBy ? [["stoppedBy", j.stoppedBy]] : []),
  ]
    .map(([k, v]) => `      <property name="${k}" value="${xmlEscape(v!)}"/>`)
    .join("\n");
  const n = cases.length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="vpcemu chaos run" tests="${n}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs(j.durationMs)}">`,
    `  <testsuite name="${xmlEscape(j.title)}" tests="${n}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs(j.durationMs)}" timestamp="${j.startedAt}">`,
    `    <properties>\n${props}\n    </properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

function samplesText(samples: readonly SampleRecord[]): string {
  return samples
    .map(
      (s) =>
        `${s.at} t+${secs(s.t)}s ${s.ok ? "ok  " : "FAIL"} ${s.value !== undefined ? `value=${s.value}` : s.answered ? `${s.ms} ms` : `no answer${s.error ? ` (${s.error})` : ""}`}`,
    )
    .join("\n");
}

const PHASE_FILL: Record<Phase, string> = {
  before: "#eef4ff",
  during: "#fff4e5",
  after: "#eefaf0",
};

/** The SVG timeline. */
export function timelineSvg(j: Journal): string {
  const W = 1100;
  const L = 200; // label column
  const R = 30;
  const plotW = W - L - R;
  const end = Math.max(j.durationMs, 1);
  const x = (t: number) => L + (Math.min(Math.max(t, 0), end) / end) * plotW;
  const out: string[] = [];
  let y = 20;
  const text = (tx: number, ty: number, s: string, attrs = "") =>
    `<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" ${attrs}>${xmlEscape(s)}</text>`;

  out.push(text(10, y + 4, j.title, 'font-size="16" font-weight="bold"'));
  y += 22;
  const colour = j.outcome === "held" ? "#1a7f37" : "#cf222e";
  for (const line of wrap(
    `${j.outcome.toUpperCase()}${j.reason ? ` - ${j.reason}` : ""}`,
    170,
  ).slice(0, 4)) {
    out.push(text(10, y + 4, line, `font-size="12" fill="${colour}"`));
    y += 15;
  }
  y -= 3;
  out.push(
    text(
      10,
      y + 14,
      `started ${j.startedAt}, ${secs(j.durationMs)} s`,
      'font-size="11" fill="#555"',
    ),
  );
  y += 28;

  const top = y;
  // Lanes: steps (one per step that has a duration or an instant), then probes.
  const lanes: string[] = [];
  const stepH = 22;
  lanes.push(text(10, y + 14, "method", 'font-size="12" font-weight="bold"'));
  y += stepH;
  for (const s of j.steps) {
    const label = `${s.index + 1}. ${s.name ?? s.kind}`;
    lanes.push(text(14, y + 14, label.slice(0, 28), 'font-size="11"'));
    const x0 = x(s.t);
    const endT = s.endT ?? j.faults.find((f) => f.faultId === s.faultId)?.endT;
    const fill = s.ok ? (s.kind === "wait" ? "#d0d7de" : "#fb8f44") : "#cf222e";
    if (endT !== undefined && endT > s.t) {
      lanes.push(
        `<rect x="${x0.toFixed(1)}" y="${y + 4}" width="${Math.max(2, x(endT) - x0).toFixed(1)}" height="${stepH - 8}" fill="${fill}" rx="3"><title>${xmlEscape(`${s.text} (t+${secs(s.t)}s..t+${secs(endT)}s)${s.error ? `: ${s.error}` : ""}`)}</title></rect>`,
      );
      lanes.push(
        text(
          x0 + 4,
          y + 15,
          s.text.slice(0, Math.max(8, Math.floor((x(endT) - x0) / 6))),
          'font-size="10" fill="#24292f"',
        ),
      );
    } else {
      lanes.push(
        `<path d="M${x0.toFixed(1)} ${y + 3} l5 8 l-5 8 l-5 -8 z" fill="${fill}"><title>${xmlEscape(`${s.text} at t+${secs(s.t)}s${s.error ? `: ${s.error}` : ""}`)}</title></path>`,
      );
      lanes.push(text(x0 + 8, y + 15, s.text.slice(0, 60), 'font-size="10" fill="#24292f"'));
    }
    y += stepH;
  }
  y += 8;
  for (const p of j.probes) {
    const H = 70;
    const samples = j.samples.filter((s) => s.probe === p.name);
    const failed = j.verdicts.some((v) => v.probe === p.name && v.ok === false);
    lanes.push(
      text(
        10,
        y + 16,
        p.name.slice(0, 28),
        `font-size="12" font-weight="bold" fill="${failed ? "#cf222e" : "#24292f"}"`,
      ),
    );
    wrap(p.description, 32)
      .slice(0, 3)
      .forEach((line, i) =>
        lanes.push(text(10, y + 30 + i * 11, line, 'font-size="9" fill="#555"')),
      );
    lanes.push(text(10, y + 41, p.description.slice(32, 64), 'font-size="9" fill="#555"'));
    lanes.push(
      `<rect x="${L}" y="${y}" width="${plotW}" height="${H}" fill="none" stroke="#d0d7de"/>`,
    );
    const values = samples
      .map((s) => (p.kind === "counter" ? s.value : s.ms))
      .filter((v): v is number => v !== undefined);
    const limits = [p.latency?.p50Ms, p.latency?.p99Ms, p.latency?.maxMs].filter(
      (v): v is number => v !== undefined,
    );
    const maxV = Math.max(1, ...values, ...limits) * 1.15;
    const yv = (v: number) => y + H - 6 - (v / maxV) * (H - 14);
    if (values.length > 0)
      lanes.push(
        text(
          L - 4,
          y + 10,
          p.kind === "counter" ? fmt(maxV) : `${fmt(maxV)} ms`,
          'font-size="9" fill="#555" text-anchor="end"',
        ),
      );
    lanes.push(text(L - 4, y + H - 4, "0", 'font-size="9" fill="#555" text-anchor="end"'));
    for (const [label, v] of [
      ["p50", p.latency?.p50Ms],
      ["p99", p.latency?.p99Ms],
      ["max", p.latency?.maxMs],
    ] as const) {
      if (v === undefined) continue;
      lanes.push(
        `<line x1="${L}" x2="${L + plotW}" y1="${yv(v).toFixed(1)}" y2="${yv(v).toFixed(1)}" stroke="#8250df" stroke-dasharray="4 3"/>`,
      );
      lanes.push(text(L + plotW + 2, yv(v) + 3, label, 'font-size="9" fill="#8250df"'));
    }
    if (p.kind === "counter" && samples.length > 1) {
      const pts = samples
        .filter((s) => s.value !== undefined)
        .map((s) => `${x(s.t).toFixed(1)},${yv(s.value!).toFixed(1)}`);
      if (pts.length > 1)
        lanes.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="#0969da"/>`);
    }
    for (const s of samples) {
      const cx = x(s.t);
      const tip = `<title>${xmlEscape(`${p.name} ${s.phase} ${s.at}: ${s.ok ? "ok" : "FAIL"} ${s.value !== undefined ? `value ${s.value}` : s.answered ? `${s.ms} ms` : `no answer${s.error ? ` (${s.error})` : ""}`}`)}</title>`;
      const v = p.kind === "counter" ? s.value : s.answered ? s.ms : undefined;
      if (v !== undefined) {
        lanes.push(
          `<circle cx="${cx.toFixed(1)}" cy="${yv(v).toFixed(1)}" r="3.5" fill="${s.ok ? "#1a7f37" : "#cf222e"}">${tip}</circle>`,
        );
      } else {
        // No answer: a cross on the lane's top edge (green when no answer was the expectation).
        const c = s.ok ? "#1a7f37" : "#cf222e";
        const cy = y + 9;
        lanes.push(
          `<path d="M${(cx - 4).toFixed(1)} ${cy - 4} l8 8 m0 -8 l-8 8" stroke="${c}" stroke-width="2">${tip}</path>`,
        );
      }
    }
    y += H + 10;
  }
  const bottom = y;

  // Phase bands behind everything, and the fault intervals as translucent columns.
  const bands: string[] = [];
  for (const ph of ["before", "during", "after"] as const) {
    const b = j.phases[ph];
    if (!b) continue;
    const e = b.endT ?? j.durationMs;
    bands.push(
      `<rect x="${x(b.startT).toFixed(1)}" y="${top}" width="${Math.max(1, x(e) - x(b.startT)).toFixed(1)}" height="${bottom - top}" fill="${PHASE_FILL[ph]}"/>`,
    );
    bands.push(text(x(b.startT) + 3, top - 4, ph, 'font-size="10" fill="#555"'));
  }
  for (const s of j.steps) {
    if ((s.kind === "ec2" || s.kind.endsWith("-agent")) && s.endT !== undefined && s.endT > s.t) {
      bands.push(
        `<rect x="${x(s.t).toFixed(1)}" y="${top}" width="${Math.max(1, x(s.endT) - x(s.t)).toFixed(1)}" height="${bottom - top}" fill="#fb8f44" fill-opacity="0.12"><title>${xmlEscape(s.text)}</title></rect>`,
      );
    }
  }
  for (const fx of j.experiments ?? []) {
    const e = fx.endT ?? j.durationMs;
    bands.push(
      `<rect x="${x(fx.startT).toFixed(1)}" y="${top}" width="${Math.max(1, x(e) - x(fx.startT)).toFixed(1)}" height="${bottom - top}" fill="#fb8f44" fill-opacity="0.12"><title>${xmlEscape(`FIS ${fx.id} ${fx.status}${fx.reason ? `: ${fx.reason}` : ""}`)}</title></rect>`,
    );
  }
  for (const f of j.faults) {
    const e = f.endT ?? j.durationMs;
    bands.push(
      `<rect x="${x(f.addedT).toFixed(1)}" y="${top}" width="${Math.max(1, x(e) - x(f.addedT)).toFixed(1)}" height="${bottom - top}" fill="#fb8f44" fill-opacity="0.12"><title>${xmlEscape(f.faultId)}</title></rect>`,
    );
  }
  // Time axis.
  const axis: string[] = [
    `<line x1="${L}" x2="${L + plotW}" y1="${bottom}" y2="${bottom}" stroke="#24292f"/>`,
  ];
  const step = niceStep(end / 10);
  for (let tick = 0; tick <= end; tick += step) {
    axis.push(
      `<line x1="${x(tick).toFixed(1)}" x2="${x(tick).toFixed(1)}" y1="${bottom}" y2="${bottom + 5}" stroke="#24292f"/>`,
    );
    axis.push(
      text(x(tick), bottom + 17, `${fmt(tick / 1000)}s`, 'font-size="10" text-anchor="middle"'),
    );
  }
  const H = bottom + 50;
  const legend = [
    `<circle cx="${L}" cy="${bottom + 34}" r="3.5" fill="#1a7f37"/>`,
    text(L + 8, bottom + 38, "sample ok (latency)", 'font-size="10"'),
    `<circle cx="${L + 130}" cy="${bottom + 34}" r="3.5" fill="#cf222e"/>`,
    text(L + 138, bottom + 38, "sample failed", 'font-size="10"'),
    `<path d="M${L + 226} ${bottom + 30} l8 8 m0 -8 l-8 8" stroke="#cf222e" stroke-width="2"/>`,
    text(L + 240, bottom + 38, "no answer", 'font-size="10"'),
    `<rect x="${L + 310}" y="${bottom + 29}" width="20" height="10" fill="#fb8f44" fill-opacity="0.35"/>`,
    text(L + 336, bottom + 38, "fault active", 'font-size="10"'),
    `<line x1="${L + 410}" x2="${L + 430}" y1="${bottom + 34}" y2="${bottom + 34}" stroke="#8250df" stroke-dasharray="4 3"/>`,
    text(L + 436, bottom + 38, "latency limit", 'font-size="10"'),
  ];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...bands,
    ...out,
    ...lanes,
    ...axis,
    ...legend,
    `</svg>`,
    "",
  ].join("\n");
}

/** Splits text into lines of at most `width` characters at spaces (long words are cut). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = "";
    }
    line = line === "" ? word.slice(0, width) : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

function niceStep(raw: number): number {
  const candidates = [
    100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  ];
  return candidates.find((c) => c >= raw) ?? Math.ceil(raw / 600_000) * 600_000;
}

/** One line per failed verdict, for the terminal. */
export function failureLines(j: Journal): string[] {
  return j.verdicts
    .filter((v): v is Verdict & { ok: false } => v.ok === false)
    .map((v) => v.message!);
}
