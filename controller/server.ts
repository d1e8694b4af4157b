/**
 * The controller's one HTTP listener (node:http): the AWS APIs at `/` (every path not under
 * /v1): EC2 Query, and the services registered in controller/services.ts (STS, ...), picked per
 * request by pickService(); the JSON API under `/v1/`; Prometheus metrics at `GET /metrics`
 * (controller/metrics/, docs/observability.md); and the agent WebSocket upgrade at
 * AGENT_WS_PATH (/v1/agents/ws), handed to the hub. Nothing else listens.
 */
import { createServer, maxHeaderSize, type Server } from "node:http";
import type { Ec2Handler } from "./ec2/handler.js";
import { readRequestBody } from "./ec2/handler.js";
import { renderError } from "./ec2/xml.js";
import { ControllerError, controllerError } from "./errors.js";
import { newRequestId } from "./ids.js";
import { isJsonApiAuthorized } from "./api/api-auth.js";
import type { JsonApiHandler } from "./api/routes.js";
import { AGENT_WS_PATH, type AgentHub } from "./hub/agent-hub.js";
import type { ControllerMetrics } from "./metrics/controller-metrics.js";
import {
  AWS_SERVICES,
  pickService,
  type AwsServiceDefinition,
  type AwsServiceHandler,
} from "./services.js";

export interface ControllerServerDeps {
  readonly ec2: Ec2Handler;
  readonly api: JsonApiHandler;
  readonly hub: AgentHub;
  readonly log: (line: string) => void;
  /** Services besides EC2; default AWS_SERVICES (controller/services.ts). */
  readonly services?: readonly AwsServiceDefinition[];
  /** Serves GET /metrics and counts AWS API calls; absent: /metrics is an EC2 path like any. */
  readonly metrics?: ControllerMetrics;
}

/** The Prometheus scrape path. */
export const METRICS_PATH = "/metrics";

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}

/** Build (not start) the HTTP server; app.ts listens and closes it. */
export function createControllerServer(deps: ControllerServerDeps): Server {
  const services = deps.services ?? AWS_SERVICES;
  const handlers = new Map<string, AwsServiceHandler>(
    services.map((s) => [s.name, s.create(deps.ec2.context)]),
  );
  const server = createServer((req, res) => {
    const path = pathOf(req.url);
    if (path === "/v1" || path.startsWith("/v1/")) {
      const auth = deps.ec2.context.auth;
      if (auth !== undefined && !isJsonApiAuthorized(req.headers, auth.keys)) {
        // docs/json-api.md "Auth mode": the same keys as the AWS APIs.
        const e = controllerError("EMU_ERR_AUTH_API_CREDENTIALS");
        res.writeHead(e.status, {
          "Content-Type": "application/json; charset=utf-8",
          "WWW-Authenticate": 'Basic realm="vpcemu"',
        });
        res.end(JSON.stringify({ code: e.code, message: e.message }));
        req.resume();
        return;
      }
      void deps.api(req, res);
      return;
    }
    const metrics = deps.metrics;
    if (metrics !== undefined && path === METRICS_PATH && req.method === "GET") {
      metrics.render().then(
        (text) => {
          res.writeHead(200, { "Content-Type": metrics.contentType });
          res.end(text);
        },
        (err: unknown) => {
          deps.log(`metrics: ${(err as Error).message}`);
          res.writeHead(500, { "Content-Type": "text/plain" }).end();
        },
      );
      return;
    }
    readRequestBody(req)
      .then((body) => {
        const service = pickService(services, req, body);
        const handler = service === undefined ? undefined : handlers.get(service.name);
        metrics?.observeAwsRequest(req, res, service?.name ?? "ec2", body);
        return (handler ?? deps.ec2)(req, res, body);
      })
      .catch((err: unknown) => {
        // Why: the service handlers answer their own errors; this is a body that could not be
        // read: too large (LIM-1) or a broken connection. AWS's XML error either way.
        deps.log(`request body: ${(err as Error).message}`);
        if (res.headersSent) {
          res.end();
          return;
        }
        const e = err instanceof ControllerError ? err : controllerError("EMU_ERR_INTERNAL");
        const xml = renderError(e.awsCode, e.message, newRequestId());
        res.writeHead(e.status, {
          "Content-Type": "text/xml;charset=UTF-8",
          Server: "AmazonEC2",
          Connection: "close",
          "Content-Length": Buffer.byteLength(xml),
        });
        res.end(xml);
      });
  });
  server.on("upgrade", (req, socket, head) => {
    if (pathOf(req.url) === AGENT_WS_PATH) {
      deps.hub.handleUpgrade(req, socket, head);
      return;
    }
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  // LIM-1: a request line and headers over Node's limit (maxHeaderSize, 16 KiB: a GET URL
  // that long) get AWS's XML error instead of Node's bare 431; other unparsable requests keep
  // Node's 400.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    if (err.code !== "HPE_HEADER_OVERFLOW") {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const e = controllerError("EMU_ERR_REQ_URL_TOO_LARGE", maxHeaderSize);
    const xml = renderError(e.awsCode, e.message, newRequestId());
    socket.end(
      `HTTP/1.1 ${e.status} Request Header Fields Too Large\r\nContent-Type: text/xml;charset=UTF-8\r\n` +
        `Server: AmazonEC2\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}`,
    );
  });
  // Why: SDK clients keep connections alive; a long header timeout is harmless on loopback.
  server.keepAliveTimeout = 65_000;
  return server;
}
