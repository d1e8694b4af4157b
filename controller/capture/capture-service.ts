/**
 * Packet captures through the controller (vpcemu capture, docs/observability.md "Capture"):
 * `POST /v1/captures` names what to capture (an instance, ENI, external node or agent), a
 * libpcap filter, the underlay, limits; the controller finds the agent hosting it, sends
 * CaptureControl and waits for the agent's answer. Refused (unknown target, a filter libpcap
 * refuses, no answer): a JSON error and nothing runs. Started: the answer is the capture
 * itself, `application/x-pcapng`, streamed as the agent sends it, until the capture ends:
 *
 *   max packets reached (agent) | durationSeconds passed | the client hung up |
 *   DELETE /v1/captures/{id} | the agent disconnected | the client reads too slowly
 *
 * The agent writes the pcapng (node-agent/capture/agent-captures.ts); the controller relays
 * its bytes unchanged (whole blocks per frame). Bounded: MAX_CAPTURES at once; a client more
 * than MAX_CLIENT_BACKLOG_BYTES behind ends its capture.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import type { AgentHub } from "../hub/agent-hub.js";
import { HubError } from "../hub/hub-errors.js";
import type { CapturedPackets } from "../hub/wire.js";

/** Captures the controller relays at once. */
export const MAX_CAPTURES = 16;
/** How long the agent may take to start (or refuse) a capture. */
export const CAPTURE_START_TIMEOUT_MS = 5000;
const MAX_CLIENT_BACKLOG_BYTES = 32 * 1024 * 1024;
const MAX_SNAPLEN = 262144;
/** Longest capture; also the default when no duration is given is "until stopped". */
const MAX_DURATION_SECONDS = 86400;

/** A capture request as POST /v1/captures takes it (docs/json-api.md). */
export interface CaptureSpec {
  /** Exactly one of instance, eni, external, agent. */
  readonly instance?: string;
  readonly eni?: string;
  /** An external node's name (the runtime's `internet`). */
  readonly external?: string;
  readonly agent?: string;
  /** libpcap filter (pcap-filter(7)); default "" (everything). */
  readonly filter?: string;
  /** Also capture the agent's Geneve underlay. */
  readonly underlay?: boolean;
  /** Bytes kept per packet, 1..262144 (default 65535). */
  readonly snaplen?: number;
  /** Stop after this many packets (default: no limit). */
  readonly maxPackets?: number;
  /** Stop after this many seconds (default: no limit). */
  readonly durationSeconds?: number;
}

/** A running capture as GET /v1/captures lists it. */
export interface CaptureInfo {
  readonly captureId: string;
  readonly agentId: string;
  readonly ports: readonly string[];
  readonly filter: string;
  readonly underlay: boolean;
  readonly startedAt: string;
  readonly packets: number;
  readonly dropped: number;
}

type Hub = Pick<
  AgentHub,
  | "agents"
  | "hostOfEni"
  | "hostedEnisOfInstance"
  | "sendCaptureControl"
  | "liveConnection"
  | "onCapturedPackets"
>;

interface Running {
  readonly info: {
    captureId: string;
    agentId: string;
    ports: readonly string[];
    filter: string;
    underlay: boolean;
    startedAt: string;
    packets: number;
    dropped: number;
  };
  readonly connection: object;
  /** Resolves the start: "" = started, else the agent's error. */
  answer?: (error: string) => void;
  /** Receives pcapng bytes; before the HTTP side attaches they wait in `early`. */
  sink?: (bytes: Uint8Array) => void;
  readonly early: Uint8Array[];
  end?: () => void;
  ended: boolean;
  timer?: NodeJS.Timeout;
}

export class CaptureService {
  private readonly running = new Map<string, Running>();
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    private readonly hub: Hub,
    private readonly log: (line: string) => void,
  ) {
    hub.onCapturedPackets((agentId, p) => this.onPackets(agentId, p));
    // An agent that disconnects ends its captures (its new connection knows nothing of them).
    this.watchdog = setInterval(() => {
      for (const r of this.running.values()) {
        if (this.hub.liveConnection(r.info.agentId) !== r.connection) {
          this.finish(r, `agent ${r.info.agentId} disconnected`);
        }
      }
    }, 500);
    this.watchdog.unref();
  }

  list(): CaptureInfo[] {
    return [...this.running.values()].map((r) => ({ ...r.info }));
  }

  /** DELETE /v1/captures/{id}: asks the agent to stop; the stream ends with its last blocks. */
  stop(captureId: string): CaptureInfo {
    const r = this.running.get(captureId);
    if (r === undefined) throw new HubError("EMU_ERR_API_CAPTURE_NOT_FOUND", captureId);
    this.requestStop(r);
    return { ...r.info };
  }

  /** POST /v1/captures: validates, starts on the agent, then streams the pcapng to `res`. */
  async handlePost(body: unknown, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const spec = sanitizeCaptureSpec(body);
    const target = this.resolve(spec);
    if (this.running.size >= MAX_CAPTURES) {
      throw new HubError(
        "EMU_ERR_API_CAPTURE_INVALID",
        `${MAX_CAPTURES} captures are running, the controller's limit`,
      );
    }
    const captureId = `cap-${randomBytes(8).toString("hex")}`;
    const filter = spec.filter ?? "";
    const connection = this.hub.sendCaptureControl(target.agentId, {
      captureId,
      ports: target.ports,
      filter,
      underlay: spec.underlay === true,
      snaplen: spec.snaplen ?? 0,
      maxPackets: spec.maxPackets ?? 0,
    });
    if (connection === undefined) throw this.targetError(target.kind, target.id);
    const r: Running = {
      info: {
        captureId,
        agentId: target.agentId,
        ports: target.ports,
        filter,
        underlay: spec.underlay === true,
        startedAt: new Date().toISOString(),
        packets: 0,
        dropped: 0,
      },
      connection,
      early: [],
      ended: false,
    };
    this.running.set(captureId, r);
    // Ctrl-C on `vpcemu capture`, curl killed: stop the agent's capture, also while it starts.
    let clientGone = false;
    res.on("close", () => {
      clientGone = true;
      if (r.answer === undefined && !r.ended) this.requestStop(r);
    });
    const error = await new Promise<string | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), CAPTURE_START_TIMEOUT_MS);
      r.answer = (e) => {
        clearTimeout(t);
        resolve(e);
      };
    });
    r.answer = undefined;
    if (error !== "") {
      this.running.delete(captureId);
      if (error === undefined) {
        // The agent may still start it later: tell it to stop.
        this.hub.sendCaptureControl(target.agentId, { captureId, stop: true });
        throw new HubError("EMU_ERR_API_CAPTURE_TIMEOUT", target.agentId, CAPTURE_START_TIMEOUT_MS);
      }
      throw new HubError("EMU_ERR_API_CAPTURE_REFUSED", target.agentId, error);
    }
    if (clientGone) {
      this.requestStop(r);
      return;
    }
    this.log(
      `capture ${captureId} started on agent ${target.agentId} (${target.kind} ${target.id}` +
        `${filter !== "" ? `, filter '${filter}'` : ""}${spec.underlay === true ? ", underlay" : ""})`,
    );
    res.writeHead(200, {
      "Content-Type": "application/x-pcapng",
      "Cache-Control": "no-store",
      "X-Vpcemu-Capture-Id": captureId,
      "X-Vpcemu-Agent-Id": target.agentId,
    });
    res.flushHeaders();
    await new Promise<void>((resolve) => {
      r.sink = (bytes) => {
        res.write(bytes);
        if (res.writableLength > MAX_CLIENT_BACKLOG_BYTES) {
          this.finish(r, `the client is more than ${MAX_CLIENT_BACKLOG_BYTES} bytes behind`);
        }
      };
      r.end = () => {
        res.end();
        resolve();
      };
      for (const b of r.early.splice(0)) r.sink(b);
      if (r.ended) r.end();
      res.on("close", () => resolve());
      if (spec.durationSeconds !== undefined && !r.ended) {
        r.timer = setTimeout(() => this.requestStop(r), spec.durationSeconds * 1000);
      }
    });
  }

  /** Stops every capture (the controller shuts down). */
  close(): void {
    clearInterval(this.watchdog);
    for (const r of [...this.running.values()]) this.finish(r, "the controller is stopping");
  }

  private requestStop(r: Running): void {
    if (r.ended) return;
    if (
      this.hub.sendCaptureControl(r.info.agentId, { captureId: r.info.captureId, stop: true }) ===
      undefined
    ) {
      this.finish(r, `agent ${r.info.agentId} disconnected`);
      return;
    }
    // The agent answers with its last blocks and `finished`; if it does not, end anyway.
    clearTimeout(r.timer);
    r.timer = setTimeout(() => this.finish(r, "the agent did not confirm the stop"), 5000);
    r.timer.unref();
  }

  /** Ends the relay (the agent finished, or `why`). */
  private finish(r: Running, why?: string): void {
    if (r.ended) return;
    r.ended = true;
    clearTimeout(r.timer);
    this.running.delete(r.info.captureId);
    if (why !== undefined) {
      this.hub.sendCaptureControl(r.info.agentId, { captureId: r.info.captureId, stop: true });
    }
    this.log(
      `capture ${r.info.captureId} ended: ${why ?? "finished"} (${r.info.packets} packets, ${r.info.dropped} dropped by the agent)`,
    );
    r.end?.();
  }

  private onPackets(agentId: string, p: CapturedPackets): void {
    const r = this.running.get(p.captureId);
    if (r === undefined || r.info.agentId !== agentId) {
      // A capture the controller no longer relays (ended, or from before a restart): stop it.
      if (!p.finished && p.error === "") {
        this.hub.sendCaptureControl(agentId, { captureId: p.captureId, stop: true });
      }
      return;
    }
    if (r.answer !== undefined) {
      if (p.error !== "") {
        r.answer(p.error);
        return;
      }
      if (p.started) r.answer("");
    }
    r.info.packets = Math.max(r.info.packets, p.packets);
    r.info.dropped = Math.max(r.info.dropped, p.dropped);
    if (p.pcapng.length > 0) {
      if (r.sink !== undefined) r.sink(p.pcapng);
      else r.early.push(p.pcapng);
    }
    if (p.finished) this.finish(r);
    else if (p.error !== "") this.finish(r, `agent error: ${p.error}`);
  }

  private resolve(spec: CaptureSpec): {
    kind: string;
    id: string;
    agentId: string;
    ports: string[];
  } {
    const connected = this.hub.agents().filter((a) => a.connected);
    if (spec.instance !== undefined) {
      const h = this.hub.hostedEnisOfInstance(spec.instance);
      if (h === undefined || !connected.some((a) => a.agentId === h.agentId))
        throw this.targetError("instance", spec.instance);
      return { kind: "instance", id: spec.instance, agentId: h.agentId, ports: h.eniIds };
    }
    if (spec.eni !== undefined) {
      const agentId = this.hub.hostOfEni(spec.eni);
      if (agentId === undefined || !connected.some((a) => a.agentId === agentId))
        throw this.targetError("eni", spec.eni);
      return { kind: "eni", id: spec.eni, agentId, ports: [spec.eni] };
    }
    if (spec.external !== undefined) {
      const name = spec.external;
      const a = connected.find((x) => x.externals.some((e) => e.name === name));
      if (a === undefined) throw this.targetError("external node", name);
      return { kind: "external node", id: name, agentId: a.agentId, ports: [`ext:${name}`] };
    }
    const agentId = spec.agent!;
    if (!connected.some((a) => a.agentId === agentId)) throw this.targetError("agent", agentId);
    return { kind: "agent", id: agentId, agentId, ports: [] };
  }

  /** EMU_ERR_API_CAPTURE_TARGET listing the connected agents and what they host. */
  private targetError(kind: string, id: string): HubError {
    const agents = this.hub
      .agents()
      .filter((a) => a.connected)
      .map((a) => {
        const hosts = [...a.instanceIds, ...a.eniIds, ...a.externals.map((e) => `ext:${e.name}`)];
        return `${a.agentId} (${hosts.join(", ") || "nothing"})`;
      });
    return new HubError("EMU_ERR_API_CAPTURE_TARGET", kind, id, agents.join("; ") || "none");
  }
}

/** Validates a POST /v1/captures body; EMU_ERR_API_CAPTURE_INVALID names the first problem. */
export function sanitizeCaptureSpec(body: unknown): CaptureSpec {
  const bad = (m: string): HubError => new HubError("EMU_ERR_API_CAPTURE_INVALID", m);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw bad("the body must be a JSON object");
  }
  const o = body as Record<string, unknown>;
  const known = [
    "instance",
    "eni",
    "external",
    "agent",
    "filter",
    "underlay",
    "snaplen",
    "maxPackets",
    "durationSeconds",
  ];
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw bad(`unknown field '${k}' (fields: ${known.join(", ")})`);
  }
  const targets = ["instance", "eni", "external", "agent"].filter((k) => o[k] !== undefined);
  if (targets.length !== 1) {
    throw bad("give exactly one of instance, eni, external, agent");
  }
  const t = targets[0]!;
  if (typeof o[t] !== "string" || o[t] === "") throw bad(`${t} must be a non-empty string`);
  if (o.filter !== undefined && typeof o.filter !== "string") throw bad("filter must be a string");
  if (o.underlay !== undefined && typeof o.underlay !== "boolean")
    throw bad("underlay must be true or false");
  const int = (k: string, min: number, max: number): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw bad(`${k} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const snaplen = int("snaplen", 1, MAX_SNAPLEN);
  const maxPackets = int("maxPackets", 1, Number.MAX_SAFE_INTEGER);
  const durationSeconds = int("durationSeconds", 1, MAX_DURATION_SECONDS);
  return {
    [t]: o[t] as string,
    ...(o.filter !== undefined ? { filter: o.filter as string } : {}),
    ...(o.underlay !== undefined ? { underlay: o.underlay as boolean } : {}),
    ...(snaplen !== undefined ? { snaplen } : {}),
    ...(maxPackets !== undefined ? { maxPackets } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
  };
}
