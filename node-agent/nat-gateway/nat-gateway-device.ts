/**
 * A NAT gateway's interface as the agent hosts it (docs/routing.md NAT-8): a TunDevice without
 * a kernel device. What the pipeline delivers to the port (writeBatch: the packet passed the
 * NAT subnet's NACL and the interface's conntrack) is translated (translate.ts) and queued;
 * the port's read loop reads it back (readBatch) and forwards it as the interface's own packet
 * (egress: the NAT subnet's route table and NACL, the internet gateway's 1:1 NAT to the
 * Elastic IP). So the translation state is one table per NAT gateway, on one agent.
 *
 * Drops (`nat_no_mapping`, `nat_port_exhausted`, `nat_unsupported`) are reported through
 * `onDrop`, the one site of each; a full queue refuses the rest of a batch (the TunWriter's
 * `refused` counter, as a kernel device's would).
 */
import type { CompiledNatGateway } from "../filter/policy.js";
import { parseIpAddress } from "../packet/address.js";
import { TunClosedError, type TunDevice } from "../tun/tun-device.js";
import { translatePacket, type NatDrop } from "./translate.js";
import { TranslationTable } from "./translation-table.js";

/** Packets translated and not yet read back; more in one go are refused. */
const MAX_QUEUED = 4096;

interface PendingRead {
  readonly bufs: Uint8Array[];
  readonly sizes: number[];
  readonly offset: number;
  resolve(n: number): void;
  reject(err: unknown): void;
}

/** See the module comment. */
export class NatGatewayDevice implements TunDevice {
  readonly name = "";
  readonly batchSize = 32;
  readonly table: TranslationTable;
  private readonly natAddr: Uint8Array;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private pending: PendingRead | undefined;
  private closed = false;

  /**
   * `privateIp`: the NAT gateway's private address (its interface's primary IPv4); `now` the
   * agent's clock (ms); `onDrop` counts a drop on the interface's port (the packet as it was
   * when dropped, for the verdict event).
   */
  constructor(
    config: CompiledNatGateway,
    privateIp: string,
    private readonly now: () => number,
    private readonly onDrop: (reason: NatDrop, packet: Uint8Array) => void,
    readonly mtu = 9001,
  ) {
    const a = parseIpAddress(privateIp);
    if (a?.length !== 4)
      throw new Error(`NAT gateway ${config.natGatewayId}: bad address ${privateIp}`);
    this.natAddr = a;
    this.table = new TranslationTable({
      idleTimeoutMs: config.idleTimeout * 1000,
      portsPerDestination: config.portsPerDestination,
    });
  }

  writeBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number> {
    if (this.closed) return Promise.reject(new TunClosedError(this.name));
    const nowMs = this.now();
    let accepted = 0;
    for (let i = 0; i < sizes.length; i++) {
      if (this.queue.length - this.head >= MAX_QUEUED) break;
      accepted++;
      const copy = bufs[i]!.slice(offset, offset + sizes[i]!);
      const drop = translatePacket(this.table, this.natAddr, copy, 0, copy.length, nowMs);
      if (drop !== undefined) {
        this.onDrop(drop, copy);
        continue;
      }
      this.queue.push(copy);
    }
    this.deliver();
    return Promise.resolve(accepted);
  }

  readBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number> {
    if (this.closed) return Promise.reject(new TunClosedError(this.name));
    return new Promise((resolve, reject) => {
      this.pending = { bufs, sizes, offset, resolve, reject };
      this.deliver();
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new TunClosedError(this.name));
    }
    return Promise.resolve();
  }

  /** Hands queued packets to a waiting read. */
  private deliver(): void {
    const p = this.pending;
    if (p === undefined || this.head >= this.queue.length) return;
    this.pending = undefined;
    let n = 0;
    while (n < p.bufs.length && this.head < this.queue.length) {
      const pkt = this.queue[this.head++]!;
      const buf = p.bufs[n]!;
      if (pkt.length > buf.length - p.offset) continue; // as a TUN discards what does not fit
      buf.set(pkt, p.offset);
      p.sizes[n] = pkt.length;
      n++;
    }
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    if (n === 0) {
      this.pending = p;
      return;
    }
    p.resolve(n);
  }
}
