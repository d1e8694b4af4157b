/**
 * The native JSON API under /v1 (docs/json-api.md): thin handlers over the hub, its report
 * store and the chaos faults (controller/hub/fault-service.ts). Every error answers
 * `{ "code": "EMU_ERR_...", "message": "..." }` with the catalogue's status
 * (controller/hub/hub-errors.ts). Bodies are JSON, UTF-8; a request body over 1 MiB is refused
 * (413) without being kept.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { AgentHub } from "../hub/agent-hub.js";
import type { FaultService } from "../hub/fault-service.js";
import { HubError } from "../hub/hub-errors.js";
import type { EniConntrackReport } from "../reports/report-types.js";
import type { AlarmRegistry } from "../fis/alarms.js";
import type { PolicyState } from "../policy/policy-state.js";
import type { FlowLog } from "../model/flow-log.js";
import type { AuditService } from "../audit/audit-service.js";
import type { TraceService } from "../traces/trace-service.js";
import type { CaptureService } from "../capture/capture-service.js";
import {
  ExplainError,
  type ExplainRequest,
  type ExplainResult,
} from "../explain/explain-service.js";

export interface JsonApiDeps {
  /** The store's persisted revision. */
  readonly revision: () => number;
  readonly hub: AgentHub;
  /** Chaos faults (/v1/faults). */
  readonly faults: FaultService;
  /** Packet captures (/v1/captures); absent: no such routes. */
  readonly captures?: CaptureService;
  /** Verdict traces (/v1/traces, controller/traces/); absent: no such routes. */
  readonly traces?: TraceService;
  /** vpcemu alarms (/v1/alarms), the FIS stop conditions' source; absent: no alarm routes. */
  readonly alarms?: AlarmRegistry;
  /** EC2 flow logs' lines (/v1/flow-logs/{id}/records); absent: no such route. */
  readonly flowLogs?: {
    get(id: string): FlowLog | undefined;
    entriesOf(
      id: string,
      limit?: number,
    ): ReadonlyArray<{ readonly line: string; readonly vpcemu?: unknown }>;
  };
  /** Explain (/v1/explain, controller/explain/); absent: no such route. */
  readonly explain?: (req: ExplainRequest) => ExplainResult;
  /** The compiler's view of the state (/v1/instances); absent: no /v1/instances route. */
  readonly readPolicyState?: () => PolicyState;
  /** Audit mode (controller/audit/): /v1/audit routes; absent: none. */
  readonly audit?: AuditService;
  /** What-if (controller/whatif/): POST /v1/whatif; absent: no such route. */
  readonly whatif?: (body: unknown) => Promise<{ readonly status: number; readonly body: unknown }>;
  readonly log: (line: string) => void;
}

export type JsonApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** How long `refresh=1` waits for the agent's fresh report before serving the stored one. */
export const CONNTRACK_REFRESH_WAIT_MS = 2000;

/** Largest request body the JSON API reads (1 MiB). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** Beyond this a too-large body is not even drained: the connection is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

type Route = (q: URLSearchParams) => Promise<unknown> | unknown;

/** A handler of one method on one path: what it answers (status 200 unless given). */
type MethodHandler = (req: {
  readonly query: URLSearchParams;
  /** The parsed JSON body (POST, PUT), undefined when empty. */
  readonly body: unknown;
  /** Captures of the path pattern. */
  readonly params: readonly string[];
}) => Promise<Reply> | Reply;

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

interface PatternRoute {
  readonly pattern: RegExp;
  readonly methods: Readonly<Partial<Record<"GET" | "POST" | "PUT" | "DELETE", MethodHandler>>>;
}

/** The /v1 router; server.ts sends every path starting with /v1/ here (except the agent ws). */
export function createJsonApi(deps: JsonApiDeps): JsonApiHandler {
  const { hub, faults } = deps;
  const ok = (body: unknown): Reply => ({ status: 200, body });

  // Packet captures (controller/capture/capture-service.ts); POST streams, handled below.
  const captures = deps.captures;
  const captureRoutes: readonly PatternRoute[] =
    captures === undefined
      ? []
      : [
          {
            pattern: /^\/v1\/captures$/,
            methods: { GET: () => ok({ captures: captures.list() }) },
          },
          {
            pattern: /^\/v1\/captures\/([^/]+)$/,
            methods: { DELETE: ({ params }) => ok(captures.stop(params[0]!)) },
          },
        ];

  // Verdict traces (controller/traces/trace-service.ts, docs/json-api.md `/v1/traces`).
  const traces = deps.traces;
  const traceRoutes: readonly PatternRoute[] =
    traces === undefined
      ? []
      : [
          {
            pattern: /^\/v1\/traces$/,
            methods: {
              GET: () => ok({ traces: traces.list() }),
              POST: async ({ body }) => ({ status: 201, body: await traces.create(body) }),
            },
          },
          {
            pattern: /^\/v1\/traces\/([^/]+)$/,
            methods: {
              GET: ({ params }) => ok(traces.get(params[0]!)),
              DELETE: ({ params }) => ok(traces.remove(params[0]!)),
            },
          },
          {
            pattern: /^\/v1\/traces\/([^/]+)\/events$/,
            methods: {
              GET: ({ params, query }) =>
                ok(traces.events(params[0]!, query.get("since"), query.get("limit"))),
            },
          },
        ];

  // Chaos faults; /v1/faults/partition before /v1/faults/{id}.
  const faultRoutes: readonly PatternRoute[] = [
    {
      pattern: /^\/v1\/faults$/,
      methods: {
        GET: () => ok({ faults: faults.list() }),
        POST: ({ body }) => ({ status: 201, body: faults.add(body) }),
        DELETE: () => ok({ deleted: faults.clear() }),
      },
    },
    {
      pattern: /^\/v1\/faults\/partition$/,
      methods: { POST: ({ body }) => ({ status: 201, body: faults.partition(body) }) },
    },
    {
      pattern: /^\/v1\/faults\/([^/]+)$/,
      methods: {
        GET: ({ params }) => ok(faults.get(params[0]!)),
        DELETE: ({ params }) => ok(faults.remove(params[0]!)),
      },
    },
  ];

  // vpcemu alarms (controller/fis/alarms.ts): FIS stop conditions watch them.
  const alarms = deps.alarms;
  const alarmRoutes: readonly PatternRoute[] =
    alarms === undefined
      ? []
      : [
          { pattern: /^\/v1\/alarms$/, methods: { GET: () => ok({ alarms: alarms.list() }) } },
          {
            pattern: /^\/v1\/alarms\/([^/]+)$/,
            methods: {
              GET: ({ params }) => ok(alarms.get(params[0]!)),
              PUT: ({ params, body }) => ok(alarms.put(params[0]!, body)),
            },
          },
        ];
  // EC2 flow logs (controller/reports/flow-log-delivery.ts): each one's lines in its format.
  const flowLogs = deps.flowLogs;
  const flowLogRoutes: readonly PatternRoute[] =
    flowLogs === undefined
      ? []
      : [
          {
            pattern: /^\/v1\/flow-logs\/([^/]+)\/records$/,
            methods: {
              GET: ({ params, query }) => {
                const f = flowLogs.get(params[0]!);
                if (f === undefined)
                  throw new HubError("EMU_ERR_API_FLOW_LOG_NOT_FOUND", params[0]!);
                const limit = Number(query.get("limit") ?? Infinity);
                const entries = flowLogs.entriesOf(
                  f.flowLogId,
                  Number.isFinite(limit) && limit >= 0 ? limit : Infinity,
                );
                // AWS's lines stay pure; vpcemu's decision of each is beside it, same index.
                return ok({
                  flowLogId: f.flowLogId,
                  logFormat: f.logFormat,
                  fields: f.fields,
                  records: entries.map((e) => e.line),
                  vpcemu: entries.map((e) => e.vpcemu ?? null),
                });
              },
            },
          },
        ];
  // What-if (controller/whatif/): a proposed EC2 call judged against the live flows.
  const whatif = deps.whatif;
  const whatifRoutes: readonly PatternRoute[] =
    whatif === undefined
      ? []
      : [{ pattern: /^\/v1\/whatif$/, methods: { POST: ({ body }) => whatif(body) } }];
  // Audit mode (controller/audit/): staged rule sets and their "would block/allow" events.
  const audit = deps.audit;
  const auditTarget = (kind: "group" | "eni"): PatternRoute["methods"] => ({
    PUT: ({ params, body }) => ok(audit!.stage(kind, params[0]!, body)),
    DELETE: ({ params }) => ok(audit!.clear(kind, params[0]!)),
  });
  const auditRoutes: readonly PatternRoute[] =
    audit === undefined
      ? []
      : [
          { pattern: /^\/v1\/audit$/, methods: { GET: () => ok({ staged: audit.list() }) } },
          { pattern: /^\/v1\/audit\/groups\/([^/]+)$/, methods: auditTarget("group") },
          { pattern: /^\/v1\/audit\/enis\/([^/]+)$/, methods: auditTarget("eni") },
          {
            pattern: /^\/v1\/audit\/events$/,
            methods: {
              GET: ({ query }) => {
                const limit = Number(query.get("limit") ?? NaN);
                return ok(
                  audit.events({
                    ...(query.get("eni") !== null ? { eni: query.get("eni")! } : {}),
                    ...(query.get("group") !== null ? { group: query.get("group")! } : {}),
                    ...(query.get("kind") !== null ? { kind: query.get("kind")! } : {}),
                    ...(Number.isInteger(limit) && limit >= 0 ? { limit } : {}),
                  }),
                );
              },
            },
          },
        ];
  const patternRoutes = [
    ...faultRoutes,
    ...alarmRoutes,
    ...flowLogRoutes,
    ...whatifRoutes,
    ...auditRoutes,
    ...traceRoutes,
  ];

  const routes: Record<string, Route> = {
    "/v1/agents": () => ({ agents: hub.agents() }),

    "/v1/revision": () => {
      const revision = deps.revision();
      const agents = hub
        .agents()
        .filter((a) => a.connected)
        .map((a) => ({
          agentId: a.agentId,
          enforcedRevision: a.enforcedRevision,
          upToDate: a.upToDate,
          lastAckMs: a.lastAckMs,
        }));
      const compiledRevision = hub.compiledRevision();
      const lastCompile = hub.lastCompile();
      return {
        revision,
        compiledRevision,
        ...(lastCompile !== undefined ? { lastCompile } : {}),
        // Why upToDate too: a placement change pushes a new mapping under the same revision
        // (controller/hub/waiters.ts enforces()); "enforced" means the agents hold it as well.
        enforced:
          compiledRevision >= revision &&
          agents.every((a) => a.enforcedRevision >= revision && a.upToDate),
        agents,
      };
    },

    // Instances of every account and region that own an ENI (terminated ones do not), with their
    // primary ENI's addresses: what the local runtime makes a node for (cli/runtime/).
    "/v1/instances": () => {
      if (deps.readPolicyState === undefined) {
        throw new HubError("EMU_ERR_API_NOT_FOUND", "GET", "/v1/instances");
      }
      const state = deps.readPolicyState();
      const enis = new Map(state.networkInterfaces.map((e) => [e.eniId, e]));
      return {
        revision: state.revision,
        instances: state.instances.map((i) => {
          const eni = enis.get(i.primaryEniId);
          return {
            instanceId: i.instanceId,
            state: i.state,
            vpcId: i.vpcId,
            subnetId: i.subnetId,
            primaryEniId: i.primaryEniId,
            privateIpv4: eni?.privateIpv4 ?? [],
            // IGW-5: where the emulated internet reaches it (an Elastic IP first, EIP-6).
            publicIpv4: (eni?.publicIpv4 ?? []).map((a) => a.publicIp),
            ipv6: eni?.ipv6 ?? [],
            tags: i.tags,
          };
        }),
      };
    },

    "/v1/conntrack": async (q) => {
      const eni = q.get("eni");
      const instance = q.get("instance");
      if ((eni === null) === (instance === null)) {
        throw new HubError(
          "EMU_ERR_API_BAD_QUERY",
          "give exactly one of ?eni=eni-... or ?instance=i-...",
        );
      }
      const kind = eni !== null ? "eni" : "instance";
      const id = (eni ?? instance)!;
      const host =
        eni !== null
          ? (() => {
              const agentId = hub.hostOfEni(eni);
              return agentId === undefined ? undefined : { agentId, eniIds: [eni] };
            })()
          : hub.hostedEnisOfInstance(id);
      if (q.get("refresh") === "1" && host !== undefined) {
        const wait = Number(q.get("timeoutMs") ?? CONNTRACK_REFRESH_WAIT_MS);
        await hub.requestConntrack(
          host.agentId,
          host.eniIds,
          Number.isFinite(wait) && wait > 0 ? Math.min(wait, 30_000) : CONNTRACK_REFRESH_WAIT_MS,
        );
      }
      const eniIds = host?.eniIds ?? (eni !== null ? [eni] : []);
      const stored = eniIds.map((e) => hub.conntrackOf(e)).filter((s) => s !== undefined);
      if (stored.length === 0) {
        if (host === undefined) throw new HubError("EMU_ERR_API_UNKNOWN_TARGET", kind, id);
        throw new HubError("EMU_ERR_API_NO_REPORT", kind, id);
      }
      const enis: EniConntrackReport[] = stored.map((s) => s.report);
      return {
        requestId: "",
        agentId: stored[0]!.agentId,
        takenAtMs: Math.min(...stored.map((s) => s.takenAtMs)),
        receivedAtMs: Math.min(...stored.map((s) => s.receivedAtMs)),
        enis,
      };
    },

    "/v1/counters": (q) => {
      const eni = q.get("eni");
      if (eni === null) throw new HubError("EMU_ERR_API_BAD_QUERY", "give ?eni=eni-...");
      const c = hub.reports.countersOf(eni);
      if (c === undefined) throw new HubError("EMU_ERR_API_NO_REPORT", "eni", eni);
      return c;
    },

    "/v1/flow-logs": (q) => {
      const eni = q.get("eni");
      if (eni === null) throw new HubError("EMU_ERR_API_BAD_QUERY", "give ?eni=eni-...");
      const limit = Number(q.get("limit") ?? Infinity);
      return {
        eniId: eni,
        records: hub.reports.flowLogsOf(
          eni,
          Number.isFinite(limit) && limit >= 0 ? limit : Infinity,
        ),
      };
    },

    // Explain (docs/observability.md "Explain"): ?src=NODE&dst=NODE[:PORT][/PROTO][&sourcePorts=N-M].
    "/v1/explain": (q) => {
      if (deps.explain === undefined)
        throw new HubError("EMU_ERR_API_NOT_FOUND", "GET", "/v1/explain");
      const src = q.get("src");
      const dst = q.get("dst");
      if (src === null || dst === null || src === "" || dst === "") {
        throw new HubError("EMU_ERR_API_BAD_QUERY", "give ?src=NODE&dst=NODE:PORT/PROTO");
      }
      const sourcePorts = q.get("sourcePorts");
      try {
        return deps.explain({ src, dst, ...(sourcePorts !== null ? { sourcePorts } : {}) });
      } catch (err) {
        if (!(err instanceof ExplainError)) throw err;
        const code = {
          "unknown-node": "EMU_ERR_API_EXPLAIN_UNKNOWN_NODE",
          "ambiguous-node": "EMU_ERR_API_EXPLAIN_AMBIGUOUS_NODE",
          "bad-address": "EMU_ERR_API_EXPLAIN_BAD_ADDRESS",
          "bad-flow": "EMU_ERR_API_EXPLAIN_BAD_FLOW",
        } as const;
        throw new HubError(code[err.kind], err.message);
      }
    },

    "/v1/snapshot": (q) => {
      const agent = q.get("agent");
      if (agent === null) throw new HubError("EMU_ERR_API_BAD_QUERY", "give ?agent=AGENT_ID");
      const s = hub.snapshotOf(agent);
      if (s === undefined) throw new HubError("EMU_ERR_API_UNKNOWN_TARGET", "agent", agent);
      return s;
    },
  };

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
    try {
      if (captures !== undefined && url.pathname === "/v1/captures" && req.method === "POST") {
        // The answer is the pcapng stream itself once the agent started the capture.
        await captures.handlePost(await readJsonBody(req), req, res);
        return;
      }
      if (route === undefined) {
        const reply = await dispatchPattern([...patternRoutes, ...captureRoutes], req, url);
        sendJson(res, reply.status, reply.body);
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        throw new HubError("EMU_ERR_API_METHOD", req.method ?? "", url.pathname);
      }
      sendJson(res, 200, await route(url.searchParams));
    } catch (err) {
      if (err instanceof HubError && !res.headersSent) {
        sendJson(res, err.status, { code: err.code, message: err.message });
        return;
      }
      const requestId = randomUUID();
      deps.log(
        `json api ${req.method} ${url.pathname} (request ${requestId}): ${(err as Error).stack ?? String(err)}`,
      );
      const e = new HubError("EMU_ERR_API_INTERNAL", requestId);
      sendJson(res, e.status, { code: e.code, message: e.message });
    }
  };
}

/** Routes with a path pattern and per-method handlers; 404 / 405 from the catalogue. */
async function dispatchPattern(
  routes: readonly PatternRoute[],
  req: IncomingMessage,
  url: URL,
): Promise<Reply> {
  const method = req.method ?? "GET";
  for (const r of routes) {
    const m = r.pattern.exec(url.pathname);
    if (m === null) continue;
    const key = method === "HEAD" ? "GET" : method;
    const handler = Object.hasOwn(r.methods, key)
      ? r.methods[key as keyof PatternRoute["methods"]]
      : undefined;
    if (handler === undefined) throw new HubError("EMU_ERR_API_METHOD", method, url.pathname);
    const body = method === "POST" || method === "PUT" ? await readJsonBody(req) : undefined;
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      throw new HubError("EMU_ERR_API_NOT_FOUND", method, url.pathname);
    }
    return handler({ query: url.searchParams, body, params });
  }
  throw new HubError("EMU_ERR_API_NOT_FOUND", method, url.pathname);
}

/**
 * The request body as JSON (undefined when empty). Over MAX_JSON_BODY_BYTES: the rest is
 * drained unkept (so the client reads the 413) up to MAX_DRAIN_BYTES, beyond which the
 * connection is cut.
 */
export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    let tooLarge = Number.isFinite(declared) && declared > MAX_JSON_BODY_BYTES;
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_JSON_BODY_BYTES) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else chunks.length = 0;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        reject(new HubError("EMU_ERR_API_BODY_TOO_LARGE", MAX_JSON_BODY_BYTES));
      }
    });
    req.on("error", reject);
    req.on("end", () => {
      if (tooLarge) {
        reject(new HubError("EMU_ERR_API_BODY_TOO_LARGE", MAX_JSON_BODY_BYTES));
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") {
        resolve(undefined);
        return;
      }
      try {
        resolve(JSON.parse(text) as unknown);
      } catch (err) {
        reject(new HubError("EMU_ERR_API_BAD_JSON", (err as Error).message));
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(text);
}
