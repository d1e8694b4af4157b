/**
 * The native JSON API under /v1 (docs/json-api.md): thin handlers over the hub and its report
 * store. Every error answers `{ "code": "EMU_ERR_...", "message": "..." }` with the catalogue's
 * status (controller/hub/hub-errors.ts). GET only; bodies are JSON, UTF-8.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { AgentHub } from "../hub/agent-hub.js";
import { HubError } from "../hub/hub-errors.js";
import type { EniConntrackReport } from "../reports/report-types.js";

export interface JsonApiDeps {
  /** The store's persisted revision. */
  readonly revision: () => number;
  readonly hub: AgentHub;
  readonly log: (line: string) => void;
}

export type JsonApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** How long `refresh=1` waits for the agent's fresh report before serving the stored one. */
export const CONNTRACK_REFRESH_WAIT_MS = 2000;

type Route = (q: URLSearchParams) => Promise<unknown> | unknown;

/** The /v1 router; server.ts sends every path starting with /v1/ here (except the agent ws). */
export function createJsonApi(deps: JsonApiDeps): JsonApiHandler {
  const { hub } = deps;

  const routes: Record<string, Route> = {
    "/v1/agents": () => ({ agents: hub.agents() }),

    "/v1/revision": () => {
      const revision = deps.revision();
      const agents = hub
        .agents()
        .filter((a) => a.connected)
        .map((a) => ({ agentId: a.agentId, enforcedRevision: a.enforcedRevision }));
      return {
        revision,
        compiledRevision: hub.compiledRevision(),
        enforced: agents.every((a) => a.enforcedRevision >= revision),
        agents,
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
      if (route === undefined)
        throw new HubError("EMU_ERR_API_NOT_FOUND", req.method ?? "GET", url.pathname);
      if (req.method !== "GET" && req.method !== "HEAD") {
        throw new HubError("EMU_ERR_API_METHOD", req.method ?? "", url.pathname);
      }
      sendJson(res, 200, await route(url.searchParams));
    } catch (err) {
      if (err instanceof HubError) {
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(text);
}
