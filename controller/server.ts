/**
 * The controller's one HTTP listener (node:http): the EC2 Query API at `/` (every path not
 * under /v1), the JSON API under `/v1/`, and the agent WebSocket upgrade at AGENT_WS_PATH
 * (/v1/agents/ws), handed to the hub. Nothing else listens.
 */
import { createServer, type Server } from "node:http";
import type { Ec2Handler } from "./ec2/handler.js";
import { readRequestBody } from "./ec2/handler.js";
import type { JsonApiHandler } from "./api/routes.js";
import { AGENT_WS_PATH, type AgentHub } from "./hub/agent-hub.js";

export interface ControllerServerDeps {
  readonly ec2: Ec2Handler;
  readonly api: JsonApiHandler;
  readonly hub: AgentHub;
  readonly log: (line: string) => void;
}

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}

/** Build (not start) the HTTP server; app.ts listens and closes it. */
export function createControllerServer(deps: ControllerServerDeps): Server {
  const server = createServer((req, res) => {
    const path = pathOf(req.url);
    if (path === "/v1" || path.startsWith("/v1/")) {
      void deps.api(req, res);
      return;
    }
    readRequestBody(req)
      .then((body) => deps.ec2(req, res, body))
      .catch((err: unknown) => {
        // Why: the EC2 handler answers its own errors; this is a body that could not be read.
        deps.log(`ec2 request body: ${(err as Error).message}`);
        if (!res.headersSent) {
          res.writeHead((err as { status?: number }).status ?? 400, {
            "Content-Type": "text/plain",
          });
        }
        res.end();
      });
  });
  server.on("upgrade", (req, socket, head) => {
    if (pathOf(req.url) === AGENT_WS_PATH) {
      deps.hub.handleUpgrade(req, socket, head);
      return;
    }
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  // Why: SDK clients keep connections alive; a long header timeout is harmless on loopback.
  server.keepAliveTimeout = 65_000;
  return server;
}
