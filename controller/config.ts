/**
 * Controller configuration, validated once (STYLE.md §4.7) by resolveControllerConfig(); the
 * rest of the controller reads only the resolved form.
 *
 * Defaults: listen 127.0.0.1:4566 (LocalStack's port, so tools that default to it work),
 * state $VPCEMU_STATE or ./.vpcemu/state.db (":memory:" keeps nothing), region us-east-1,
 * account 123456789012. A join token is REQUIRED when listening on anything but loopback: an
 * agent that joins receives every VPC's policy and mapping table.
 */
import { isIP } from "node:net";
import { readFileSync } from "node:fs";

export interface ControllerConfig {
  /** "HOST:PORT" ("[::1]:4566" for IPv6); default "127.0.0.1:4566"; port 0 picks a free port. */
  readonly listen?: string;
  /** SQLite state file, or ":memory:"; default $VPCEMU_STATE or ./.vpcemu/state.db. */
  readonly statePath?: string;
  /** Shared secret agents present in Hello; required beyond loopback. */
  readonly joinToken?: string;
  /**
   * The secret agent keys derive from (docs/agent.md "Agent identity"); default
   * $VPCEMU_AGENT_SECRET. Set by the runtimes that start agents (`vpcemu up`, compose, the
   * testcontainers module): every agent then needs its key (or the join token to be issued
   * one). Absent: a secret kept in the state database, and agents are issued keys on joining.
   */
  readonly agentSecret?: string;
  /**
   * EC2 API SigV4 verification keys: an object, "AKID:SECRET[,AKID:SECRET...]", or "@file" with
   * a JSON object {"AKID": "SECRET"}. Absent: any credentials are accepted (API-1).
   */
  readonly authKeys?: Readonly<Record<string, string>> | string;
  readonly region?: string;
  readonly accountId?: string;
  /** Default per-instance conntrack allowance (MET-1); default 65536. */
  readonly conntrackMax?: number;
  /** Agent heartbeat period and silence limit (ms); defaults 5000 / 15000. */
  readonly heartbeatIntervalMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** Log sink (one line per call); default stderr. */
  readonly log?: (line: string) => void;
}

export interface ResolvedControllerConfig {
  readonly host: string;
  readonly port: number;
  readonly statePath: string;
  readonly joinToken: string | undefined;
  /** Configured agent secret (undefined: the state database keeps one; keys not required). */
  readonly agentSecret: string | undefined;
  readonly authKeys: Readonly<Record<string, string>> | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly conntrackMax: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_LISTEN = "127.0.0.1:4566";

/** A configuration mistake; the message names the setting and what to do. */
export class ConfigError extends Error {
  readonly code = "EMU_ERR_CONFIG_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses "HOST:PORT" / "[V6]:PORT" / ":PORT" (host 127.0.0.1). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (m === null)
    throw new ConfigError(
      `--listen '${text}': expected HOST:PORT (e.g. 127.0.0.1:4566 or [::1]:4566)`,
    );
  const host = m[1] ?? (m[2] === "" || m[2] === undefined ? "127.0.0.1" : m[2]);
  const port = Number(m[3]);
  if (port > 65535)
    throw new ConfigError(`--listen '${text}': port ${port} is out of range 0-65535`);
  if (m[1] !== undefined && isIP(host) !== 6)
    throw new ConfigError(`--listen '${text}': '${host}' is not an IPv6 address`);
  return { host, port };
}

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

function parseAuthKeys(
  v: ControllerConfig["authKeys"],
): Readonly<Record<string, string>> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") return v;
  if (v.startsWith("@")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(v.slice(1), "utf8"));
    } catch (err) {
      throw new ConfigError(
        `--auth-keys ${v}: cannot read a JSON object from it (${(err as Error).message})`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`--auth-keys ${v}: expected a JSON object {"ACCESS_KEY_ID": "SECRET"}`);
    }
    const out: Record<string, string> = {};
    for (const [k, s] of Object.entries(parsed)) {
      if (typeof s !== "string")
        throw new ConfigError(`--auth-keys ${v}: the secret of '${k}' is not a string`);
      out[k] = s;
    }
    return out;
  }
  const out: Record<string, string> = {};
  for (const pair of v.split(",")) {
    const i = pair.indexOf(":");
    if (i <= 0 || i === pair.length - 1) {
      throw new ConfigError(`--auth-keys: '${pair}' is not ACCESS_KEY_ID:SECRET`);
    }
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v <= 0)
    throw new ConfigError(`${name} must be a positive integer, got ${v}`);
  return v;
}

/** Validate and fill defaults; throws ConfigError naming the bad setting. */
export function resolveControllerConfig(
  c: ControllerConfig,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ResolvedControllerConfig {
  const { host, port } = parseListen(c.listen ?? DEFAULT_LISTEN);
  const joinToken = c.joinToken === "" ? undefined : c.joinToken;
  if (!isLoopbackHost(host) && joinToken === undefined) {
    throw new ConfigError(
      `listening on ${host} (beyond loopback) requires a join token for agents: pass --join-token TOKEN`,
    );
  }
  const heartbeatIntervalMs = positiveInt("heartbeatIntervalMs", c.heartbeatIntervalMs, 5000);
  const heartbeatTimeoutMs = positiveInt("heartbeatTimeoutMs", c.heartbeatTimeoutMs, 15_000);
  if (heartbeatTimeoutMs <= heartbeatIntervalMs) {
    throw new ConfigError(
      `heartbeatTimeoutMs (${heartbeatTimeoutMs}) must exceed heartbeatIntervalMs (${heartbeatIntervalMs})`,
    );
  }
  const agentSecret = c.agentSecret ?? env["VPCEMU_AGENT_SECRET"] ?? "";
  if (agentSecret !== "" && agentSecret.length < 16)
    throw new ConfigError("the agent secret ($VPCEMU_AGENT_SECRET) must be at least 16 characters");
  const statePath = c.statePath ?? env["VPCEMU_STATE"] ?? `${cwd}/.vpcemu/state.db`;
  if (statePath === "")
    throw new ConfigError("--state must not be empty (use :memory: for no persistence)");
  return {
    host,
    port,
    statePath,
    joinToken,
    agentSecret: agentSecret === "" ? undefined : agentSecret,
    authKeys: parseAuthKeys(c.authKeys),
    region: c.region ?? "us-east-1",
    accountId: c.accountId ?? "123456789012",
    conntrackMax: positiveInt("conntrackMax", c.conntrackMax, 65_536),
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    log: c.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
}
