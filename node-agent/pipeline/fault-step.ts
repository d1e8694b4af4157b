/**
 * The fault step's shell (chaos, DESIGN.md step 7): runs the pure FaultEngine
 * (fault/fault-engine.ts) on every packet egress hands it, sends on what the engine releases,
 * and owns the ONE timer that wakes the engine when its earliest queued packet is due.
 *
 *   egress verdict -> apply(): lookup (src port key, dst port key) -> engine.process()
 *     -> true: egress forwards the packet itself (its batch buffer, its outbox)
 *     -> false: dropped (counted on the source port) or copied into the engine's queues
 *   timer -> engine.release() -> emit(): same agent: deliverLocal (the destination's ingress
 *     filter still judges it) | other agent: Geneve into the copy's headroom, this step's outbox
 *
 * Released copies never touch a read loop's buffers. A copy whose local destination port left
 * the agent while it waited is dropped (fault_port_gone). Reject replies are written straight
 * to the source port's TUN.
 */
import type { Clock, Scheduler } from "../clock.js";
import type { CompiledFault, FaultCounters } from "../fault/compiled-fault.js";
import { FaultEngine, type FaultSink, type FaultUnit } from "../fault/fault-engine.js";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  vniForVpc,
  writeGeneveHeader,
} from "../overlay/geneve.js";
import type { Endpoint, Transport } from "../overlay/transport.js";
import type { DecodedPacket } from "../packet/decoded-packet.js";
import { Outbox, type DataPath, type EgressFaults } from "./data-path.js";
import { deliverLocal } from "./ingress.js";
import type { Port } from "./port.js";
import type { Route } from "./route-table.js";
import { DropReason } from "./verdict.js";

/** Where one faulted packet came from and goes to, captured when it met the step. */
export interface FaultContext {
  readonly src: Port;
  /** The destination port on this agent, or undefined when it goes over the underlay. */
  readonly dst: Port | undefined;
  readonly srcSubnet: string;
  readonly endpoint: Endpoint;
  readonly vni: number;
  readonly dstOption: Uint8Array;
}

/** See the module comment. One per agent; main thread only. */
export class FaultStep implements EgressFaults, FaultSink<FaultContext> {
  readonly engine: FaultEngine<FaultContext>;
  private readonly outbox: Outbox;
  private timer: unknown = undefined;
  private armedAt = Infinity;
  private sends = false;
  private stopped = false;

  /** `clock`: the engine's time (due times, fault windows); sub-ms resolution wanted. */
  constructor(
    private readonly dp: DataPath,
    transport: Transport,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
  ) {
    this.engine = new FaultEngine<FaultContext>(this, ENCAP_HEADROOM);
    this.outbox = new Outbox(transport);
  }

  get size(): number {
    return this.engine.size;
  }

  /** Installs a snapshot's faults (AgentSnapshot.faults); see FaultEngine.setFaults. */
  setFaults(faults: readonly CompiledFault[]): void {
    const now = this.clock.now();
    this.engine.setFaults(faults, now);
    this.arm(now);
  }

  /** Cumulative per-fault counters (Counters.faults). */
  counters(): FaultCounters[] {
    return this.engine.counters();
  }

  apply(
    src: Port,
    route: Route,
    dst: Port | undefined,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
  ): boolean {
    const chain = this.engine.lookup(src.key, route.portKey);
    if (chain === undefined) return true;
    const now = this.clock.now();
    const ctx: FaultContext = {
      src,
      dst,
      srcSubnet: src.subnetId,
      endpoint: route.entry.endpoint,
      vni: src.kind === "eni" ? src.vni : vniForVpc(route.entry.vpcId),
      dstOption: route.eniOption,
    };
    const pass = this.engine.process(chain, pkt, buf, off, len, ctx, now);
    this.arm(now);
    this.flush();
    return pass;
  }

  drop(
    ctx: FaultContext,
    reason: DropReason,
    faultId: string,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
  ): void {
    this.dp.drop(ctx.src, reason, true, buf, off, len, pkt, faultId);
  }

  reply(ctx: FaultContext, packet: Uint8Array): void {
    ctx.src.writer.enqueue(packet, 0, packet.length);
  }

  emit(unit: FaultUnit<FaultContext>, nowMs: number): void {
    const ctx = unit.ctx;
    const dst = ctx.dst;
    if (dst !== undefined) {
      if (!this.hosted(dst)) {
        const u = unit;
        const faultId = u.chain[u.index]?.fault.def.faultId;
        this.dp.drop(ctx.src, DropReason.FaultPortGone, true, u.buf, u.off, u.len, u.pkt, faultId);
        return;
      }
      // Why floor: conntrack, flow logs and reports keep whole epoch ms, as the read loops pass.
      const ms = Math.floor(nowMs);
      deliverLocal(this.dp, dst, ctx.srcSubnet, unit.pkt, unit.buf, unit.off, unit.len, ms);
      return;
    }
    const start = writeGeneveHeader(
      unit.buf,
      unit.off,
      ctx.vni,
      unit.pkt.family === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6,
      ctx.src.eniOption,
      ctx.dstOption,
    );
    this.outbox.send(unit.buf.subarray(start, unit.off + unit.len), ctx.endpoint);
    this.sends = true;
  }

  /** Stops the timer and forgets every queued packet (the agent is stopping). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
    this.engine.setFaults([], this.clock.now());
  }

  /** True while `p` is still the port this agent delivers its key to. */
  private hosted(p: Port): boolean {
    if (p.kind === "eni") return this.dp.enis.get(p.eniId) === p;
    for (const e of this.dp.externals.values()) if (e === p) return true;
    return false;
  }

  /** Makes the timer fire at the engine's earliest due time (one timer, not one per packet). */
  private arm(nowMs: number): void {
    if (this.stopped) return;
    const due = this.engine.nextDueMs();
    if (due >= this.armedAt) return;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.armedAt = due;
    this.timer = this.scheduler.setTimeout(() => this.fire(), Math.max(0, Math.ceil(due - nowMs)));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    if (this.stopped) return;
    const now = this.clock.now();
    try {
      this.engine.release(now);
    } catch (err) {
      this.dp.internalError(undefined, err);
    }
    this.flush();
    this.arm(now);
  }

  private flush(): void {
    if (!this.sends) return;
    this.sends = false;
    this.outbox.flush().catch((err: unknown) => this.dp.internalError(undefined, err));
  }
}
