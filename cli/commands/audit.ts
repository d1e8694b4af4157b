/**
 * `vpcemu audit`: audit mode (docs/observability.md "Audit mode") from the command line: stage a
 * rule set on a security group or an ENI, clear it, list what is staged, read the agents'
 * "would block" / "would allow" events (the /v1/audit routes of docs/json-api.md).
 */
import { jsonApiAuthHeaders } from "../runtime/api-credentials.js";
import { resolveEndpoint } from "./chaos.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu audit stage (sg-...|eni-...) [--ingress JSON] [--egress JSON] [--no-wait]
       vpcemu audit clear (sg-...|eni-...) [--no-wait]
       vpcemu audit list [-o json]
       vpcemu audit events [--eni eni-...] [--group sg-...] [--kind would_block|would_allow] [-o json]

Stages a rule set (IpPermissions as the aws CLI's JSON; a direction left out keeps the enforced
rules, [] would allow nothing) that agents judge beside the enforced one: packets where the two
disagree are counted and logged as "would block" / "would allow"; nothing is dropped or let
through because of it. stage and clear wait until the agents enforce the change (--no-wait: not).

Options:
  --endpoint URL   the controller (default: $VPCEMU_ENDPOINT, the local runtime's, or
                   http://127.0.0.1:4566)
  -o, --output     text (default) or json`;

async function call(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...jsonApiAuthHeaders() },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const answer = (await res.json()) as { code?: string; message?: string };
  if (res.status !== 200) throw new Error(`${answer.code}: ${answer.message}`);
  return answer;
}

/** Waits until every connected agent enforces `revision` (GET /v1/revision). */
async function waitEnforced(url: string, revision: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = (await call(url, "GET", "/v1/revision")) as {
      agents: { enforcedRevision: number }[];
    };
    if (r.agents.every((a) => a.enforcedRevision >= revision)) return;
    if (Date.now() > deadline) throw new Error(`revision ${revision} not enforced within 20 s`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

function targetPath(id: string | undefined): string {
  if (id === undefined) throw new UsageError(`give a security group or ENI id\n${USAGE}`);
  if (id.startsWith("sg-")) return `/v1/audit/groups/${encodeURIComponent(id)}`;
  if (id.startsWith("eni-")) return `/v1/audit/enis/${encodeURIComponent(id)}`;
  throw new UsageError(`'${id}' is neither a security group (sg-...) nor an ENI (eni-...)`);
}

function json(text: string, flag: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${flag}: not valid JSON (${(err as Error).message})`);
  }
}

interface Ev {
  eniId: string;
  direction: string;
  kind: string;
  protocol: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  enforcedRuleId?: string;
  stagedRuleId?: string;
  packets: number;
  lastAtMs: number;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      ingress: { type: "string" },
      egress: { type: "string" },
      "no-wait": { type: "boolean" },
      eni: { type: "string" },
      group: { type: "string" },
      kind: { type: "string" },
      endpoint: { type: "string" },
      "runtime-dir": { type: "string" },
      output: { type: "string", short: "o" },
    },
    USAGE,
    true,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  const [sub, id, ...extra] = parsed.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected '${extra[0]}'\n${USAGE}`);
  const output = (v.output as string | undefined) ?? "text";
  if (output !== "text" && output !== "json") throw new UsageError("-o must be 'json' or 'text'");
  const url = resolveEndpoint(v);
  const print = (x: unknown, text: () => string): void => {
    process.stdout.write((output === "json" ? JSON.stringify(x, null, 2) : text()) + "\n");
  };
  try {
    switch (sub) {
      case "stage": {
        const body: Record<string, unknown> = {};
        if (typeof v.ingress === "string") body.ingress = json(v.ingress, "--ingress");
        if (typeof v.egress === "string") body.egress = json(v.egress, "--egress");
        const r = (await call(url, "PUT", targetPath(id), body)) as { revision: number };
        if (v["no-wait"] !== true) await waitEnforced(url, r.revision);
        print(
          r,
          () =>
            `staged on ${id} (revision ${r.revision}${v["no-wait"] === true ? "" : ", enforced"})`,
        );
        return 0;
      }
      case "clear": {
        const r = (await call(url, "DELETE", targetPath(id))) as { revision: number };
        if (v["no-wait"] !== true) await waitEnforced(url, r.revision);
        print(r, () => `cleared ${id} (revision ${r.revision})`);
        return 0;
      }
      case "list": {
        const r = (await call(url, "GET", "/v1/audit")) as {
          staged: { kind: string; id: string; ingress?: unknown[]; egress?: unknown[] }[];
        };
        print(r, () =>
          r.staged.length === 0
            ? "nothing staged"
            : r.staged
                .map(
                  (s) =>
                    `${s.id}  ingress: ${s.ingress === undefined ? "enforced" : `${s.ingress.length} staged`}  egress: ${s.egress === undefined ? "enforced" : `${s.egress.length} staged`}`,
                )
                .join("\n"),
        );
        return 0;
      }
      case "events": {
        const q = new URLSearchParams();
        for (const k of ["eni", "group", "kind"])
          if (typeof v[k] === "string") q.set(k, v[k] as string);
        const r = (await call(url, "GET", `/v1/audit/events?${q}`)) as {
          events: Ev[];
          lost: number;
        };
        print(
          r,
          () =>
            [
              ...r.events.map(
                (e) =>
                  `${new Date(e.lastAtMs).toISOString()} ${e.kind.padEnd(11)} ${e.eniId} ${e.direction.padEnd(7)} ${e.protocol} ${e.src}:${e.srcPort} -> ${e.dst}:${e.dstPort} ${e.packets} pkt ${e.kind === "would_block" ? `enforced ${e.enforcedRuleId ?? "?"}` : `staged ${e.stagedRuleId ?? "?"}`}`,
              ),
              ...(r.lost > 0 ? [`(${r.lost} events lost)`] : []),
            ].join("\n") || "no events",
        );
        return 0;
      }
      default:
        throw new UsageError(`expected stage, clear, list or events\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    process.stderr.write(`vpcemu audit ${sub}: ${(err as Error).message}\n`);
    return 1;
  }
}
