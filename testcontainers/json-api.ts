/**
 * The few calls the module makes to the controller's JSON API (docs/json-api.md) over HTTP.
 * testcontainers/ imports neither app (STYLE.md §2): the shapes below mirror the controller's
 * report types (controller/reports/report-types.ts) as the JSON API serves them.
 */

/** One direction of a flow. ICMP echo: the echo id fills both ports (AWS-BEHAVIOUR CT-8). */
export interface FlowTuple {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/** One tracked connection; untracked flows never appear (AWS-BEHAVIOUR CT-14). */
export interface ConntrackEntry {
  readonly protocol: number;
  readonly original: FlowTuple;
  readonly reply: FlowTuple;
  /** "ESTABLISHED", "SYN_SENT", "UDP", "ICMP", ... */
  readonly state: string;
  /** Absolute expiry, Unix epoch milliseconds. */
  readonly expiresAtMs: number;
  readonly packetsOriginal: number;
  readonly bytesOriginal: number;
  readonly packetsReply: number;
  readonly bytesReply: number;
  /** The sgr- rule that admitted the flow; "" when none. */
  readonly ruleId: string;
  readonly direction: string;
}

export interface EniConntrack {
  readonly eniId: string;
  readonly instanceId: string;
  readonly entries: readonly ConntrackEntry[];
}

export interface ConntrackReport {
  readonly requestId: string;
  /** The agent hosting the ENIs. */
  readonly agentId: string;
  /** When the agent took the table, Unix epoch ms. */
  readonly takenAtMs: number;
  /** When the controller received it. */
  readonly receivedAtMs: number;
  readonly enis: readonly EniConntrack[];
}

/** Counters of one ENI: drops per reason (`sg_no_match`, `nacl_denied`, ...) and ENA metrics. */
export interface EniCounters {
  readonly eniId: string;
  readonly instanceId: string;
  /** Dropped packets per DropReason label, cumulative since the agent started. */
  readonly drops: Readonly<Record<string, number>>;
  /** AWS-BEHAVIOUR MET-3 */
  readonly conntrackAllowanceExceeded: number;
  /** AWS-BEHAVIOUR MET-4 */
  readonly conntrackAllowanceAvailable: number;
  readonly bwInAllowanceExceeded: number;
  readonly bwOutAllowanceExceeded: number;
  readonly ppsAllowanceExceeded: number;
  readonly linklocalAllowanceExceeded: number;
  readonly packetsAccepted: number;
}

/** GET /v1/counters: the last counters report of an ENI and when the agent took it. */
export interface CountersReport {
  readonly agentId: string;
  readonly takenAtMs: number;
  readonly receivedAtMs: number;
  readonly counters: EniCounters;
}

/** Thrown when the JSON API answers with an error body `{ code, message }` or a bad status. */
export class VpcEmulatorApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message} (HTTP ${status})`);
    this.name = "VpcEmulatorApiError";
  }
}

/**
 * `baseUrl + path` as fetch() takes it: user info in `baseUrl` (`http://AKID:SECRET@host:port`,
 * how the module passes the key pair of a controller in auth mode) becomes `Authorization:
 * Basic` (fetch refuses URLs with credentials).
 */
export function jsonApiRequest(
  baseUrl: string,
  path: string,
): { url: URL; headers: Record<string, string> } {
  const url = new URL(path, baseUrl);
  if (url.username === "") return { url, headers: {} };
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = "";
  url.password = "";
  return { url, headers: { authorization: `Basic ${Buffer.from(pair).toString("base64")}` } };
}

/** GET `baseUrl + path` and parse JSON; errors become VpcEmulatorApiError. */
export async function getJson<T>(baseUrl: string, path: string, timeoutMs = 10_000): Promise<T> {
  const { url, headers } = jsonApiRequest(baseUrl, path);
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new VpcEmulatorApiError(
      res.status,
      "EMU_ERR_BAD_JSON",
      `not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (!res.ok) {
    const e = (body ?? {}) as { code?: string; message?: string };
    throw new VpcEmulatorApiError(res.status, e.code ?? "HTTP", e.message ?? text.slice(0, 200));
  }
  return body as T;
}
