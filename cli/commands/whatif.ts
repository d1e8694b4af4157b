/**
 * `vpcemu whatif`: what an EC2 call would do to the live flows, without making it
 * (POST /v1/whatif, docs/observability.md "What-if"). The call is written as for the aws CLI
 * (`ec2 revoke-security-group-ingress --group-id sg-... --ip-permissions '[...]'`) or in the
 * Query form (`'Action=RevokeSecurityGroupIngress&GroupId=sg-...'`).
 */
import { jsonApiAuthHeaders } from "../runtime/api-credentials.js";
import { resolveEndpoint } from "./chaos.js";
import { UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu whatif [--endpoint URL] [--recent-seconds N] [-o json] ec2 ACTION [--param VALUE ...]
       vpcemu whatif [--endpoint URL] [-o json] 'Action=ACTION&Param=value&...'

Judges a proposed EC2 call against the live conntrack tables and the recent flow-log records,
without applying it: which established flows survive, which are cut, which new connections
become allowed or denied, each with the deciding rule or NACL entry. ACTION as the aws CLI
writes it (revoke-security-group-ingress, create-network-acl-entry, ...); parameters as the aws
CLI's JSON (--ip-permissions '[{"IpProtocol":"tcp",...}]') or Key=Value,Key=Value shorthand
(--port-range From=22,To=22); --egress / --ingress for Egress.

Actions: authorize-security-group-ingress|egress, revoke-security-group-ingress|egress,
modify-security-group-rules, delete-security-group, create|replace|delete-network-acl-entry,
replace-network-acl-association, modify-network-interface-attribute, modify-managed-prefix-list.

Options:
  --endpoint URL        the controller (default: $VPCEMU_ENDPOINT, the local runtime's, or
                        http://127.0.0.1:4566)
  --recent-seconds N    flow-log records looked at (default 180)
  -o, --output FORMAT   text (default) or json (the API's answer)`;

/** `revoke-security-group-ingress` -> `RevokeSecurityGroupIngress`. */
export function pascalOf(kebab: string): string {
  return kebab
    .split("-")
    .filter((s) => s !== "")
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join("");
}

/** An aws CLI-style value: JSON, `K=V,K=V` shorthand, or the string itself. */
function valueOf(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("[") || t.startsWith("{")) {
    try {
      return JSON.parse(t) as unknown;
    } catch (err) {
      throw new UsageError(`not valid JSON: ${t} (${(err as Error).message})`);
    }
  }
  if (/^[A-Za-z][A-Za-z0-9]*=[^,]*(,[A-Za-z][A-Za-z0-9]*=[^,]*)*$/.test(t)) {
    return Object.fromEntries(t.split(",").map((kv) => kv.split("=", 2) as [string, string]));
  }
  return text;
}

export interface WhatIfCommand {
  readonly body: Record<string, unknown>;
  readonly endpoint?: string;
  readonly runtimeDir?: string;
  readonly output: "text" | "json";
}

/** argv -> the request body and the command's own options. */
export function parseWhatIfArgs(args: readonly string[]): WhatIfCommand | undefined {
  let endpoint: string | undefined;
  let runtimeDir: string | undefined;
  let output: "text" | "json" = "text";
  let recentSeconds: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (rest.length === 0 && (a === "-h" || a === "--help")) {
      process.stdout.write(USAGE + "\n");
      return undefined;
    }
    if (rest.length === 0 && a === "--endpoint") endpoint = next();
    else if (rest.length === 0 && a === "--runtime-dir") runtimeDir = next();
    else if (rest.length === 0 && (a === "-o" || a === "--output")) {
      const o = next();
      if (o !== "json" && o !== "text") throw new UsageError(`-o must be 'json' or 'text'`);
      output = o;
    } else if (rest.length === 0 && a === "--recent-seconds") {
      recentSeconds = Number(next());
      if (!Number.isInteger(recentSeconds) || recentSeconds < 0)
        throw new UsageError(`--recent-seconds takes a whole number of seconds`);
    } else rest.push(a);
  }
  const common = {
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(runtimeDir !== undefined ? { runtimeDir } : {}),
    output,
  };
  const extra = recentSeconds !== undefined ? { recentSeconds } : {};
  if (rest.length === 1 && rest[0]!.includes("Action=")) {
    return { body: { query: rest[0]!, ...extra }, ...common };
  }
  if (rest[0] !== "ec2" || rest[1] === undefined || rest[1].startsWith("-"))
    throw new UsageError(`expected 'ec2 ACTION [--param value ...]' or 'Action=...'\n${USAGE}`);
  const action = pascalOf(rest[1]);
  const parameters: Record<string, unknown> = {};
  for (let i = 2; i < rest.length; i++) {
    const flag = rest[i]!;
    if (!flag.startsWith("--")) throw new UsageError(`unexpected '${flag}'\n${USAGE}`);
    const name = flag.slice(2);
    if (name === "egress" || name === "ingress") {
      parameters["Egress"] = name === "egress";
      continue;
    }
    const values: string[] = [];
    while (i + 1 < rest.length && !rest[i + 1]!.startsWith("--")) values.push(rest[++i]!);
    const key = pascalOf(name.startsWith("no-") ? name.slice(3) : name);
    if (values.length === 0) parameters[key] = !name.startsWith("no-");
    else parameters[key] = values.length === 1 ? valueOf(values[0]!) : values.map(valueOf);
  }
  return { body: { action, parameters, ...extra }, ...common };
}

interface Side {
  eniId: string;
  pass: boolean;
  tracked: boolean;
  via?: string;
  ruleId?: string;
  reason?: string;
  packet?: string;
  direction?: string;
  naclRule?: number;
  networkAclId?: string;
}
interface Flow {
  protocol: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  srcEni?: string;
  dstEni?: string;
  trackedOn: string[];
  state?: string;
  decidedBy?: Side;
}
interface Answer {
  action: string;
  revision: number;
  changedEnis: string[];
  survive: Flow[];
  cut: Flow[];
  newlyAllowed: Flow[];
  newlyDenied: Flow[];
  notFlowing: number;
  unaffected?: number;
  totals?: { survive: number; cut: number; newlyAllowed: number; newlyDenied: number };
}

const PROTOCOLS: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6" };

function why(s: Side | undefined): string {
  if (s === undefined) return "";
  const nacl =
    s.naclRule !== undefined
      ? ` ${s.networkAclId ?? "nacl"} #${s.naclRule === 32767 || s.naclRule === 32768 ? "*" : s.naclRule}`
      : "";
  if (!s.pass) return `${s.reason}${nacl} at ${s.eniId} (${s.direction} ${s.packet} packet)`;
  if (s.via === "conntrack") return `conntrack entry at ${s.eniId}`;
  return `${s.ruleId} at ${s.eniId}${s.tracked ? " (tracked)" : " (untracked)"}`;
}

/** The answer as a table a user can compare with the traffic. */
export function formatWhatIf(a: Answer): string {
  const line = (f: Flow, live: boolean): string => {
    const proto = PROTOCOLS[f.protocol] ?? String(f.protocol);
    const tuple = live
      ? `${proto} ${f.src}:${f.srcPort} -> ${f.dst}:${f.dstPort}`
      : `${proto} ${f.src} -> ${f.dst}:${f.dstPort}`;
    const tracked = live
      ? f.trackedOn.length > 0
        ? `tracked at ${f.trackedOn.join(", ")}${f.state ? ` (${f.state})` : ""}`
        : "untracked"
      : "";
    return `  ${tuple.padEnd(44)} ${tracked.padEnd(live ? 40 : 0)} ${why(f.decidedBy)}`.trimEnd();
  };
  const out = [
    `whatif ${a.action} against revision ${a.revision}: changes ${a.changedEnis.length === 0 ? "no ENI" : a.changedEnis.join(", ")}`,
  ];
  const section = (title: string, flows: Flow[], live: boolean, total?: number): void => {
    const n = total ?? flows.length;
    out.push(`${title} (${n}${n > flows.length ? `, showing ${flows.length}` : ""})`);
    for (const f of flows) out.push(line(f, live));
  };
  section("CUT", a.cut, true, a.totals?.cut);
  section("SURVIVE", a.survive, true, a.totals?.survive);
  section("NEWLY DENIED (new connections)", a.newlyDenied, false, a.totals?.newlyDenied);
  section("NEWLY ALLOWED (new connections)", a.newlyAllowed, false, a.totals?.newlyAllowed);
  if ((a.unaffected ?? 0) > 0)
    out.push(`(${a.unaffected} live flows touch no ENI the change alters: not judged)`);
  if (a.notFlowing > 0)
    out.push(`(${a.notFlowing} recent flows are already stopped by the enforced policy)`);
  return out.join("\n");
}

export async function run(args: string[]): Promise<number> {
  const cmd = parseWhatIfArgs(args);
  if (cmd === undefined) return 0;
  const url = resolveEndpoint({
    ...(cmd.endpoint !== undefined ? { endpoint: cmd.endpoint } : {}),
    ...(cmd.runtimeDir !== undefined ? { "runtime-dir": cmd.runtimeDir } : {}),
  });
  const res = await fetch(`${url}/v1/whatif`, {
    method: "POST",
    headers: { "content-type": "application/json", ...jsonApiAuthHeaders() },
    body: JSON.stringify(cmd.body),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) {
    const aws = body.awsError as { code: string; message: string } | undefined;
    process.stderr.write(
      aws !== undefined
        ? `vpcemu whatif: the call would fail (nothing judged): ${aws.code}: ${aws.message}\n`
        : `vpcemu whatif: ${String(body.code)}: ${String(body.message)}\n`,
    );
    return 1;
  }
  if (cmd.output === "json") process.stdout.write(JSON.stringify(body, null, 2) + "\n");
  else process.stdout.write(formatWhatIf(body as unknown as Answer) + "\n");
  return 0;
}
