/**
 * Batches packets towards one TUN device. enqueue() copies the packet (its source buffer
 * belongs to someone else: a transport callback or a TUN read batch) into the batch's arena;
 * the batch is written with one writeBatch on the next macrotask, or at once when full.
 *
 * A batch is one arena of batchSize * (mtu + VNET_HDR_LEN) bytes (the memory of batchSize
 * MTU-sized buffers) that packets fill back to back, so a 64 KB super-packet takes its size,
 * not a buffer of its own; a packet that does not fit in what is left starts the next batch.
 *
 * TUN offload (packet/virtio-net.ts): a device with `offload` gets each packet behind its virtio
 * header (zeros for a plain packet), a super-packet whole when the device took that GSO type
 * (else cut here), a NEEDS_CSUM packet as is when the device took TUN_F_CSUM. A device without
 * offload (a TUN opened with VPCEMU_TUN_OFFLOAD=0, a NAT gateway's device, FakeTun) gets plain
 * packets: super-packets cut into their segments, checksums completed. A super-packet the device
 * takes whole is written at once from the caller's buffer (its virtio header put in the 10
 * bytes before it), after the pending batch, when the device writes before returning
 * (TunOffload.writesAtOnce): no 64 KB copy into the arena.
 */
import type { DecodedPacket } from "../packet/decoded-packet.js";
import {
  GSO_ECN,
  GSO_TCPV4,
  GSO_TCPV6,
  GSO_UDP_L4,
  VNET_HDR_LEN,
  completeChecksum,
  isGso,
  segmentPacket,
  writeVnetHeader,
  type PacketOffload,
} from "../packet/virtio-net.js";
import type { TunDevice, TunOffload } from "../tun/tun-device.js";

interface Batch {
  readonly arena: Uint8Array;
  /** Views into the arena, one per packet (prefix + packet). */
  readonly bufs: Uint8Array[];
  readonly sizes: number[];
  /** Arena bytes used. */
  used: number;
}

/** See the module comment; one per port, used from the main thread only. */
export class TunWriter {
  private current: Batch;
  private readonly free: Batch[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Bytes in front of every packet in the arena: the virtio header when the device has one. */
  private readonly prefix: number;
  private readonly arenaSize: number;
  /** Packets the device refused or that arrived once too many batches were in flight. */
  refused = 0;
  /** Packets handed to the device (a super-packet is one). */
  written = 0;

  constructor(
    private readonly tun: TunDevice,
    private readonly batchSize = tun.batchSize,
    private readonly maxInFlight = 8,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.prefix = tun.offload !== undefined ? VNET_HDR_LEN : 0;
    const largest = Math.max(tun.mtu, tun.offload?.maxPacket ?? 0) + this.prefix;
    this.arenaSize = Math.max(batchSize * (tun.mtu + this.prefix), largest);
    this.current = this.newBatch();
  }

  /**
   * Copies buf[off, off + len) into the next batch. `offload`: the packet's TUN offload
   * metadata (then `pkt` is its decoded view, needed to cut it or complete its checksum).
   */
  enqueue(
    buf: Uint8Array,
    off: number,
    len: number,
    offload?: PacketOffload,
    pkt?: DecodedPacket,
  ): void {
    if (offload !== undefined && pkt !== undefined && !this.takes(offload)) {
      // Cut here: plain segments with complete checksums (one for NEEDS_CSUM alone).
      for (const seg of segmentPacket(buf, off, pkt, offload, 0)) {
        this.enqueuePlain(seg, 0, seg.length, undefined);
      }
      return;
    }
    if (
      offload !== undefined &&
      off >= VNET_HDR_LEN &&
      isGso(offload) &&
      this.tun.offload?.writesAtOnce === true &&
      len <= this.tun.offload.maxPacket
    ) {
      // Order: what is queued goes first.
      if (this.current.sizes.length > 0) this.flush();
      writeVnetHeader(buf, off - VNET_HDR_LEN, offload);
      this.tun.writeBatch([buf.subarray(0, off + len)], [len], off).then(
        (ok) => {
          this.written += ok;
          this.refused += 1 - ok;
        },
        (err: unknown) => {
          this.refused++;
          this.onError(err);
        },
      );
      return;
    }
    this.enqueuePlain(buf, off, len, offload);
  }

  /** True when the device takes a packet with `o` as it is. */
  private takes(o: PacketOffload): boolean {
    const t: TunOffload | undefined = this.tun.offload;
    if (t === undefined) return false;
    if (o.needsCsum && !t.csum) return false;
    if (!isGso(o)) return true;
    const gso = o.gsoType & ~GSO_ECN;
    // Why no ECN-flagged super-packets: TUN_F_TSO_ECN is not asked for.
    if ((o.gsoType & GSO_ECN) !== 0) return false;
    return gso === GSO_TCPV4 ? t.tso4 : gso === GSO_TCPV6 ? t.tso6 : gso === GSO_UDP_L4 && t.uso;
  }

  private enqueuePlain(
    buf: Uint8Array,
    off: number,
    len: number,
    offload: PacketOffload | undefined,
  ): void {
    const limit =
      offload !== undefined && isGso(offload) ? this.tun.offload!.maxPacket : this.tun.mtu;
    if (len > limit) {
      this.refused++;
      return;
    }
    let b = this.current;
    const need = this.prefix + len;
    if (b.used + need > this.arenaSize) {
      // The packet starts the next batch (flush() leaves an empty current batch either way).
      this.flush();
      b = this.current;
    }
    const at = b.used;
    if (this.prefix !== 0) writeVnetHeader(b.arena, at, offload);
    b.arena.set(buf.subarray(off, off + len), at + this.prefix);
    b.bufs.push(b.arena.subarray(at, at + need));
    b.sizes.push(len);
    b.used = at + need;
    if (b.sizes.length === this.batchSize) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the pending batch now (no-op when empty). */
  flush(): void {
    this.scheduled = false;
    const b = this.current;
    if (b.sizes.length === 0) return;
    if (this.inFlight >= this.maxInFlight) {
      this.refused += b.sizes.length;
      b.sizes.length = 0;
      b.bufs.length = 0;
      b.used = 0;
      return;
    }
    this.current = this.free.pop() ?? this.newBatch();
    this.inFlight++;
    const n = b.sizes.length;
    this.tun.writeBatch(b.bufs, b.sizes, this.prefix).then(
      (ok) => {
        this.written += ok;
        this.refused += n - ok;
        this.release(b);
      },
      (err: unknown) => {
        this.refused += n;
        this.release(b);
        this.onError(err);
      },
    );
  }

  private release(b: Batch): void {
    this.inFlight--;
    b.sizes.length = 0;
    b.bufs.length = 0;
    b.used = 0;
    this.free.push(b);
  }

  private newBatch(): Batch {
    return { arena: new Uint8Array(this.arenaSize), bufs: [], sizes: [], used: 0 };
  }
}
