/**
 * The agent's `--metrics-listen HOST:PORT` listener (node:http): `GET /metrics` answers the
 * Prometheus text format (agent/agent-metrics.ts); every other request 404. Config
 * (node-agent/config.ts) allows a non-loopback host only with a join token, as the controller
 * does for its own listener.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { formatEndpoint, parseEndpoint, type Endpoint } from "../overlay/transport.js";
import type { AgentMetrics } from "./agent-metrics.js";

/** A listening metrics server. */
export interface StartedMetricsServer {
  /** host:port it listens on (the bound port when 0 was asked). */
  readonly endpoint: Endpoint;
  close(): Promise<void>;
}

/** Listens on `listen`; rejects when the address cannot be bound. */
export async function startMetricsServer(
  listen: Endpoint,
  metrics: AgentMetrics,
  warn: (message: string) => void,
): Promise<StartedMetricsServer> {
  const { host, port } = parseEndpoint(listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found: GET /metrics\n");
      return;
    }
    metrics.render().then(
      (text) => {
        res.writeHead(200, { "Content-Type": metrics.contentType });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (err: unknown) => {
        warn(`metrics: ${(err as Error).message}`);
        res.writeHead(500, { "Content-Type": "text/plain" }).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    endpoint: formatEndpoint(host, bound),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
