/**
 * Packet captures on an agent (vpcemu capture, docs/observability.md "Capture"): the controller
 * sends CaptureControl, the agent answers `started` (or `error`: a filter libpcap refuses, a
 * port it does not host, too many captures) and then streams the capture as pcapng bytes in
 * CapturedPackets frames:
 *
 *   SHB -> IDB per port (LINKTYPE_RAW; "ext:NAME" external nodes too) [+ IDB "underlay"
 *   (exported PDU -> Geneve)] -> EPB per packet, its comment the verdict -> ISB per interface
 *   and `finished` at the end (stop, max packets reached, agent stopping)
 *
 * ENI packets come from the data path's verdict events (pipeline/verdict-event.ts): every
 * accepted and dropped packet of a captured port, as the port's filter or drop site saw it,
 * with a comment like `verdict=drop reason=sg_no_match dir=ingress groups=[sg-1] conntrack=none`.
 * Underlay datagrams come from the UnderlayTap. The filter (libpcap syntax) is applied here, on
 * the IP packet (for the underlay: the packet inside Geneve), so unwanted packets never leave
 * the agent.
 *
 * Bounds: at most MAX_CAPTURES at once; pcapng bytes are sent every FLUSH_MS or once
 * CHUNK_BYTES are pending; while the controller connection has more than MAX_BACKLOG_BYTES
 * unsent, packets are counted as dropped (isb_ifdrop) instead of queued. A capture whose frame
 * cannot be sent (connection lost) ends: the controller ended it too.
 */
import { parseGeneve } from "../overlay/geneve.js";
import { parseEndpoint, type Endpoint } from "../overlay/transport.js";
import { parseIpAddress } from "../packet/address.js";
import type { VerdictEvent, VerdictListener } from "../pipeline/verdict-event.js";
import { compileCaptureFilter, type CaptureFilter } from "./bpf-filter.js";
import {
  BlockBuffer,
  LINKTYPE_RAW,
  LINKTYPE_WIRESHARK_UPPER_PDU,
  genevePduTags,
  interfaceDescriptionBlock,
  interfaceStatisticsBlock,
  sectionHeaderBlock,
} from "./pcapng.js";
import type { UnderlayListener } from "./underlay-tap.js";

/** Captures one agent runs at once. */
export const MAX_CAPTURES = 4;
/** Default and largest snap length. */
export const DEFAULT_SNAPLEN = 65535;
export const MAX_SNAPLEN = 262144;
const FLUSH_MS = 50;
const CHUNK_BYTES = 256 * 1024;
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
/** The interface name of the underlay in the file. */
export const UNDERLAY_INTERFACE = "underlay";

/** A capture the controller asks for (control/wire.ts CaptureControl). */
export interface CaptureRequest {
  readonly captureId: string;
  readonly stop: boolean;
  readonly ports: readonly string[];
  readonly filter: string;
  readonly underlay: boolean;
  readonly snaplen: number;
  readonly maxPackets: number;
}

/** What the agent sends about a capture (control/wire.ts CapturedPackets). */
export interface CaptureMessage {
  readonly captureId: string;
  readonly started?: boolean;
  readonly error?: string;
  readonly pcapng?: Uint8Array;
  readonly packets?: number;
  readonly dropped?: number;
  readonly finished?: boolean;
}

export interface AgentCapturesDeps {
  readonly agentId: string;
  /** The data path's verdict events (DataPath.verdicts). */
  readonly verdicts: { subscribe(listener: VerdictListener): () => void };
  /** The underlay's datagrams (UnderlayTap). */
  readonly underlay: { subscribe(listener: UnderlayListener): () => void };
  /** Where the agent's underlay socket is bound ("host:port"). */
  readonly localEndpoint: Endpoint;
  /** Ports hosted now: key (ENI id or "ext:NAME") and a description (instance id, addresses). */
  readonly ports: () => ReadonlyArray<{ readonly key: string; readonly description: string }>;
  /** Sends a message to the controller; false when it could not (not connected). */
  readonly send: (m: CaptureMessage) => boolean;
  /** Bytes queued on the controller connection, not yet sent. */
  readonly backlog: () => number;
  /** Wall clock in ns since the epoch. */
  readonly nowNs?: () => bigint;
}

/** Every capture of one agent; see the module comment. */
export class AgentCaptures {
  private readonly captures = new Map<string, Capture>();
  private readonly nowNs: () => bigint;

  constructor(private readonly deps: AgentCapturesDeps) {
    this.nowNs = deps.nowNs ?? preciseNowNs();
  }

  /** Runs a CaptureControl frame. */
  control(c: CaptureRequest): void {
    if (c.stop) {
      this.captures.get(c.captureId)?.finish();
      return;
    }
    const refuse = (error: string): void => void this.deps.send({ captureId: c.captureId, error });
    if (c.captureId === "" || this.captures.has(c.captureId)) {
      refuse(`capture id '${c.captureId}' is empty or already running`);
      return;
    }
    if (this.captures.size >= MAX_CAPTURES) {
      refuse(`agent ${this.deps.agentId} already runs ${MAX_CAPTURES} captures`);
      return;
    }
    const hosted = new Map(this.deps.ports().map((p) => [p.key, p.description]));
    const unknown = c.ports.filter((p) => !hosted.has(p));
    if (unknown.length > 0) {
      refuse(
        `agent ${this.deps.agentId} does not host ${unknown.join(", ")} (it hosts: ${[...hosted.keys()].join(", ") || "nothing"})`,
      );
      return;
    }
    if (c.snaplen < 0 || c.snaplen > MAX_SNAPLEN) {
      refuse(`snaplen must be 1..${MAX_SNAPLEN} (0 = ${DEFAULT_SNAPLEN}), got ${c.snaplen}`);
      return;
    }
    const filter = compileCaptureFilter(c.filter);
    if (typeof filter === "string") {
      refuse(`capture filter '${c.filter}': ${filter}`);
      return;
    }
    const capture = new Capture(c, filter, this.deps, this.nowNs, () =>
      this.captures.delete(c.captureId),
    );
    this.captures.set(c.captureId, capture);
    capture.start(c.ports.length > 0 ? c.ports.map((p) => [p, hosted.get(p)!]) : [...hosted]);
  }

  /** Captures running. */
  get size(): number {
    return this.captures.size;
  }

  /** Ends every capture (the agent stops). */
  stopAll(): void {
    for (const c of [...this.captures.values()]) c.finish();
  }
}

/** Nanoseconds since the epoch: Date.now() at start plus hrtime since then. */
function preciseNowNs(): () => bigint {
  const base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  return () => base + process.hrtime.bigint();
}

/** The EPB comment of a verdict event (docs/observability.md "Capture"). */
export function verdictComment(e: VerdictEvent): string {
  let s = `verdict=${e.verdict} reason=${e.reason} dir=${e.direction}`;
  if (e.site !== undefined) s += ` site=${e.site}`;
  if (e.sgRuleId !== undefined) s += ` sg_rule=${e.sgRuleId}`;
  if (e.noMatchGroups !== undefined) s += ` groups=[${e.noMatchGroups.join(",")}]`;
  if (e.naclId !== undefined) s += ` nacl=${e.naclId}`;
  if (e.naclRuleNumber !== undefined) s += ` nacl_rule=${e.naclRuleNumber}`;
  s += ` conntrack=${e.conntrack}`;
  if (e.faultId !== undefined) s += ` fault=${e.faultId}`;
  return s;
}

class Capture {
  private readonly snaplen: number;
  /** Interface id in the file per port key (and UNDERLAY_INTERFACE). */
  private readonly interfaces = new Map<string, number>();
  private readonly received: number[] = [];
  private readonly dropped: number[] = [];
  /** Blocks not sent yet (written in place: nothing allocated per packet but the comment). */
  private readonly blocks: BlockBuffer;
  private packets = 0;
  private droppedTotal = 0;
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private startNs = 0n;
  private done = false;
  /** Exported-PDU tags per (outbound, peer). */
  private readonly tags = new Map<string, Uint8Array>();

  constructor(
    private readonly req: CaptureRequest,
    private readonly filter: CaptureFilter,
    private readonly deps: AgentCapturesDeps,
    private readonly nowNs: () => bigint,
    private readonly onEnd: () => void,
  ) {
    this.snaplen = req.snaplen === 0 ? DEFAULT_SNAPLEN : req.snaplen;
    // A chunk, plus room for the largest block (a snaplen packet with its tags and comment).
    this.blocks = new BlockBuffer(CHUNK_BYTES + this.snaplen + 8192);
  }

  start(ports: ReadonlyArray<readonly [string, string]>): void {
    const { deps, req } = this;
    if (!deps.send({ captureId: req.captureId, started: true })) {
      this.end();
      return;
    }
    this.startNs = this.nowNs();
    this.queue(sectionHeaderBlock(`vpcemu agent ${deps.agentId}`));
    for (const [key, description] of ports) this.addInterface(key, LINKTYPE_RAW, description);
    if (req.underlay) {
      this.addInterface(
        UNDERLAY_INTERFACE,
        LINKTYPE_WIRESHARK_UPPER_PDU,
        `Geneve underlay of agent ${deps.agentId} at ${deps.localEndpoint}`,
      );
      this.unsubscribe.push(
        deps.underlay.subscribe((out, d, peer) => this.onDatagram(out, d, peer)),
      );
    }
    // Every port when none was named: ports that appear during the capture are added.
    const all = req.ports.length === 0;
    this.unsubscribe.push(
      deps.verdicts.subscribe((event, packet) => {
        if (event.eniId === "") return;
        if (!this.interfaces.has(event.eniId) && !all) return;
        this.onPacket(event, packet);
      }),
    );
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
    this.flush();
  }

  private addInterface(key: string, linkType: number, description: string): number {
    const id = this.interfaces.size;
    this.interfaces.set(key, id);
    this.received.push(0);
    this.dropped.push(0);
    this.queue(interfaceDescriptionBlock(linkType, this.snaplen, key, description));
    return id;
  }

  private onPacket(event: VerdictEvent, packet: Uint8Array): void {
    if (this.done || !this.filter.match(packet)) return;
    const id = this.interfaces.get(event.eniId) ?? this.addInterface(event.eniId, LINKTYPE_RAW, "");
    this.write(id, packet, verdictComment(event));
  }

  private onDatagram(outbound: boolean, d: Uint8Array, peer: Endpoint): void {
    if (this.done) return;
    if (this.filter.expression !== "") {
      const g = parseGeneve(d, 0, d.length);
      if (typeof g === "string") return;
      if (!this.filter.match(d.subarray(g.payloadOffset, g.payloadOffset + g.payloadLength)))
        return;
    }
    const key = `${outbound ? ">" : "<"}${peer}`;
    let tags = this.tags.get(key);
    if (tags === undefined) {
      const local = addressOf(this.deps.localEndpoint);
      const remote = addressOf(peer);
      tags = genevePduTags(
        outbound
          ? { src: local.ip, srcPort: local.port, dst: remote.ip, dstPort: remote.port }
          : { src: remote.ip, srcPort: remote.port, dst: local.ip, dstPort: local.port },
      );
      if (this.tags.size < 1024) this.tags.set(key, tags);
    }
    const comment = outbound ? `underlay out to=${peer}` : `underlay in from=${peer}`;
    this.write(this.interfaces.get(UNDERLAY_INTERFACE)!, d, comment, tags);
  }

  private write(id: number, data: Uint8Array, comment: string, prefix?: Uint8Array): void {
    this.received[id]!++;
    if (this.deps.backlog() + this.blocks.length > MAX_BACKLOG_BYTES) {
      this.dropped[id]!++;
      this.droppedTotal++;
      return;
    }
    const ts = this.nowNs();
    if (!this.blocks.appendPacket(id, ts, data, this.snaplen, comment, data.length, prefix)) {
      this.flush();
      if (this.done) return;
      this.blocks.appendPacket(id, ts, data, this.snaplen, comment, data.length, prefix);
    }
    this.packets++;
    if (this.req.maxPackets > 0 && this.packets >= this.req.maxPackets) this.finish();
    else if (this.blocks.length >= CHUNK_BYTES) this.flush();
  }

  private queue(block: Uint8Array): void {
    if (!this.blocks.append(block)) {
      this.flush();
      this.blocks.append(block);
    }
  }

  private flush(final = false): void {
    if (this.blocks.length === 0 && !final) return;
    const bytes = this.blocks.take();
    const ok = this.deps.send({
      captureId: this.req.captureId,
      pcapng: bytes,
      packets: this.packets,
      dropped: this.droppedTotal,
      ...(final ? { finished: true } : {}),
    });
    if (!ok && !final) this.end();
  }

  /** Ends the capture: statistics blocks, the last bytes, `finished`. */
  finish(): void {
    if (this.done) return;
    const now = this.nowNs();
    for (const id of this.interfaces.values()) {
      this.queue(
        interfaceStatisticsBlock(id, now, this.startNs, this.received[id]!, this.dropped[id]!),
      );
    }
    this.end();
    this.flush(true);
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.timer);
    for (const u of this.unsubscribe) u();
    this.filter.free();
    this.onEnd();
  }
}

/** The IP bytes and port of an endpoint; a hostname (containers) reads as 0.0.0.0. */
function addressOf(ep: Endpoint): { ip: Uint8Array; port: number } {
  try {
    const { host, port } = parseEndpoint(ep);
    return { ip: parseIpAddress(host) ?? new Uint8Array(4), port };
  } catch {
    return { ip: new Uint8Array(4), port: 0 };
  }
}
