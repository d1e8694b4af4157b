/**
 * Process faults of the local runtime (`vpcemu chaos kill-agent|restart-agent|pause-agent|
 * kill-controller`): `vpcemu up` supervises its agents and its controller process, so it is the
 * one that kills, pauses and restarts them; the CLI asks it over a Unix socket in the runtime
 * directory (`<dir>/control.sock`, mode 0600: only its owner, root, may connect).
 *
 *   vpcemu chaos kill-agent db --for 10s
 *        |  POST /v1/process/kill-agent {"node":"db","downMs":10000}   (HTTP over control.sock)
 *        v
 *   vpcemu up: SIGKILL the agent, start it again 10 s later (not counted as a crash)
 *
 * Timers live in `up`, so a pause or a downtime ends on time even when the CLI that asked is
 * interrupted. Errors answer `{code, message}` like the JSON API.
 */
import { chmodSync, rmSync } from "node:fs";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";

/** File name of the control socket inside the runtime directory. */
export const CONTROL_SOCKET_NAME = "control.sock";

export function controlSocketPath(runtimeDir: string): string {
  return join(runtimeDir, CONTROL_SOCKET_NAME);
}

/** What a process fault did, for the CLI to print. */
export interface ProcessFaultResult {
  /** One line for a person: what happened and what happens next. */
  readonly message: string;
  readonly node?: string;
  /** The process that was killed, paused or restarted. */
  readonly pid?: number;
  /** The process that replaced it (restart-agent). */
  readonly newPid?: number;
  /** How the killed process ended, as its parent saw it: `SIGKILL` (kill-controller). */
  readonly exit?: string;
  /** When the agent or controller is back (ISO), for kill and pause. */
  readonly until?: string;
}

/** A refused process fault (unknown node, already paused, state in memory, ...). */
export class ProcessFaultError extends Error {
  override readonly name = "ProcessFaultError";
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** The operations `up` offers; StartedLocalRuntime implements them. */
export interface RuntimeProcessControl {
  /** SIGKILL the node's agent; it is started again after `downMs`. */
  killAgent(node: string, downMs: number): Promise<ProcessFaultResult>;
  /** SIGTERM the node's agent and start it again at once; resolves when the new one is ready. */
  restartAgent(node: string): Promise<ProcessFaultResult>;
  /** SIGSTOP the node's agent; SIGCONT after `durationMs`. */
  pauseAgent(node: string, durationMs: number): Promise<ProcessFaultResult>;
  /** SIGKILL the controller process (state kept in its file), start it again after `downMs`. */
  killController(downMs: number): Promise<ProcessFaultResult>;
}

export type ProcessFaultOp = "kill-agent" | "restart-agent" | "pause-agent" | "kill-controller";

/** Request bodies per operation. */
export interface ProcessFaultBody {
  readonly node?: string;
  readonly downMs?: number;
  readonly durationMs?: number;
}

/** A running control socket server; close() removes the socket file. */
export interface ControlServer {
  close(): Promise<void>;
}

/** Serves `control` on `<runtimeDir>/control.sock` (a stale socket file is replaced). */
export async function serveRuntimeControl(
  runtimeDir: string,
  control: RuntimeProcessControl,
): Promise<ControlServer> {
  const path = controlSocketPath(runtimeDir);
  rmSync(path, { force: true });
  const server = createServer((req, res) => {
    void handle(control, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  let closed: Promise<void> | undefined;
  return {
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => rmSync(path, { force: true }))),
  };
}

async function handle(
  control: RuntimeProcessControl,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
  try {
    const op = /^\/v1\/process\/([a-z-]+)$/.exec(req.url ?? "")?.[1] as ProcessFaultOp | undefined;
    if (req.method !== "POST" || op === undefined) {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_NOT_FOUND",
        `no route ${req.method} ${req.url}`,
        404,
      );
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = (
      chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {}
    ) as ProcessFaultBody;
    const node = () => {
      if (typeof body.node !== "string" || body.node === "") {
        throw new ProcessFaultError("EMU_ERR_RUNTIME_BAD_REQUEST", `${op} needs a node`);
      }
      return body.node;
    };
    const ms = (v: unknown, what: string) => {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new ProcessFaultError(
          "EMU_ERR_RUNTIME_BAD_REQUEST",
          `${op}: ${what} must be a duration in ms`,
        );
      }
      return v;
    };
    let result: ProcessFaultResult;
    switch (op) {
      case "kill-agent":
        result = await control.killAgent(node(), ms(body.downMs ?? 0, "downMs"));
        break;
      case "restart-agent":
        result = await control.restartAgent(node());
        break;
      case "pause-agent":
        result = await control.pauseAgent(node(), ms(body.durationMs, "durationMs"));
        break;
      case "kill-controller":
        result = await control.killController(ms(body.downMs ?? 0, "downMs"));
        break;
      default:
        throw new ProcessFaultError(
          "EMU_ERR_RUNTIME_NOT_FOUND",
          `unknown operation '${op as string}'`,
          404,
        );
    }
    send(200, result);
  } catch (err) {
    if (err instanceof ProcessFaultError)
      send(err.status, { code: err.code, message: err.message });
    else
      send(500, {
        code: "EMU_ERR_RUNTIME_INTERNAL",
        message: err instanceof Error ? err.message : String(err),
      });
  }
}

/**
 * Asks the `up` process of `runtimeDir` to run a process fault; throws ProcessFaultError with the
 * runtime's code, or EMU_ERR_RUNTIME_UNREACHABLE when nothing answers on the socket.
 */
export function callRuntimeControl(
  runtimeDir: string,
  op: ProcessFaultOp,
  body: ProcessFaultBody,
  timeoutMs = 60_000,
): Promise<ProcessFaultResult> {
  const socketPath = controlSocketPath(runtimeDir);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: `/v1/process/${op}`,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: { code?: string; message?: string } & ProcessFaultResult;
          try {
            parsed = JSON.parse(text) as typeof parsed;
          } catch {
            reject(
              new ProcessFaultError(
                "EMU_ERR_RUNTIME_BAD_ANSWER",
                `not JSON: ${text.slice(0, 200)}`,
              ),
            );
            return;
          }
          if ((res.statusCode ?? 500) >= 400) {
            reject(
              new ProcessFaultError(
                parsed.code ?? "EMU_ERR_RUNTIME_INTERNAL",
                parsed.message ?? text,
                res.statusCode,
              ),
            );
          } else {
            resolve(parsed);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on("error", (err) =>
      reject(
        new ProcessFaultError(
          "EMU_ERR_RUNTIME_UNREACHABLE",
          `the local runtime does not answer on ${socketPath} (${(err as NodeJS.ErrnoException).code ?? err.message}); is 'vpcemu up' running?`,
        ),
      ),
    );
    req.end(payload);
  });
}
