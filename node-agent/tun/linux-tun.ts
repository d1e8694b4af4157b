/**
 * A real Linux TUN device (/dev/net/tun, TUNSETIFF with IFF_TUN | IFF_NO_PI). Its native calls
 * (libc through koffi) live in tun-native.ts; the two readers in tun-loop-queue.ts and
 * tun-worker-queue.ts; this file is the device: readBatch over the queues' rings, writeBatch,
 * close, and openLinuxTun().
 *
 * Reads, two ways (LinuxTunOptions.reader):
 * - "event-loop" (default): the fd is watched by the main thread's libuv loop (a pipe handle
 *   opened on it, net.Socket with `onread` user buffers); each read(2) lands one packet
 *   straight in a slot of the queue's ring and wakes a pending readBatch in the same turn. No
 *   thread hand-off: a packet costs no extra wake-up. Measured here (docs/agent.md): ~35% more
 *   TCP throughput through two agents and ~120 us less ping RTT than the worker reader; raw
 *   reads into readBatch keep up with a 550k packets/s generator, like the worker's.
 * - "worker": a worker thread per queue runs a synchronous read loop on the non-blocking fd
 *   (read until EAGAIN, then poll with a short timeout so close() is noticed), filling a
 *   SharedArrayBuffer ring (single producer: the worker; single consumer: readBatch); it
 *   publishes its head every 32 packets or when the fd runs dry and rings a doorbell shared by
 *   all queues, which readBatch awaits with Atomics.waitAsync. ~170k packets/s, but every
 *   packet crosses two threads (worker wake-up, then main-thread wake-up). Used when the
 *   pipe handle is not available in this Node.
 * Writes are synchronous write(2) calls from the calling thread (a TUN write never blocks: the
 * kernel queues or drops).
 *
 * Lifecycle: openLinuxTun() -> open (workers running) -> close() (workers stopped, fds closed).
 * The device disappears when its last fd closes (not persistent).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { TunClosedError, TunSetupError, type TunDevice } from "./tun-device.js";
import { LoopQueue, pipeWrap } from "./tun-loop-queue.js";
import {
  TUN_F_CSUM,
  TUN_F_TSO4,
  TUN_F_TSO6,
  TUN_F_USO4,
  enableOffload,
  ensureTunDeviceNode,
  loadLibc,
  openQueue,
} from "./tun-native.js";
import type { TunOffload } from "./tun-device.js";
import { MAX_SUPER_PACKET, VNET_HDR_LEN } from "../packet/virtio-net.js";
import type { Queue } from "./tun-queue.js";
import {
  CTL_ERRNO,
  CTL_EXITED,
  CTL_WORDS,
  READ_LOOP_SOURCE,
  WorkerQueue,
} from "./tun-worker-queue.js";

export { ensureTunDeviceNode } from "./tun-native.js";

/** Default interface MTU (AWS jumbo frames inside a VPC, AWS-BEHAVIOUR MTU). */
export const DEFAULT_TUN_MTU = 9001;

/** Options of openLinuxTun(). */
export interface LinuxTunOptions {
  /** Interface name, ≤ 15 bytes; a `%d` lets the kernel pick a number. */
  readonly name: string;
  /** Largest packet read; default 9001. Buffers of readBatch need offset + mtu bytes. */
  readonly mtu?: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Queues (IFF_MULTI_QUEUE when > 1), each read by its own worker; default 1. */
  readonly queues?: number;
  /** Ring slots per queue (a power of two); default 1024. */
  readonly ringSlots?: number;
  /** Default /dev/net/tun; created with mknod (char 10:200) when missing. */
  readonly devicePath?: string;
  /** How queues are read (module comment); default "event-loop" where this Node allows it. */
  readonly reader?: TunReader;
  /**
   * TCP offload (IFF_VNET_HDR + TUNSETOFFLOAD, docs/agent.md "Performance"); default off here.
   * The agent's LinuxTunProvider turns it on unless VPCEMU_TUN_OFFLOAD=0 (tunOffloadWanted).
   * Whatever the kernel refuses is left off (LinuxTun.offload says what is on).
   */
  readonly offload?: boolean;
}

/** Ring slots per queue with offload (each holds a 64 KB super-packet): about the memory of 1024 plain slots. */
const OFFLOAD_RING_SLOTS = 128;

/** The default of LinuxTunOptions.offload: on unless VPCEMU_TUN_OFFLOAD=0 (or "off", "false"). */
export function tunOffloadWanted(): boolean {
  const v = process.env["VPCEMU_TUN_OFFLOAD"];
  return !(v === "0" || v === "off" || v === "false");
}

function offloadOf(flags: number): TunOffload {
  return {
    csum: (flags & TUN_F_CSUM) !== 0,
    tso4: (flags & TUN_F_TSO4) !== 0,
    tso6: (flags & TUN_F_TSO6) !== 0,
    uso: (flags & TUN_F_USO4) !== 0,
    maxPacket: (flags & ~TUN_F_CSUM) !== 0 ? MAX_SUPER_PACKET : 0,
    writesAtOnce: true,
  };
}

/** See the module comment. */
export type TunReader = "event-loop" | "worker";

/** Atomics.waitAsync (V8, Node ≥ 16) is missing from the ES2023 lib typings this project uses. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      i: number,
      v: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

const requireNode = createRequire(import.meta.url);

/** A real TUN device; see the module comment. Create with openLinuxTun(). */
export class LinuxTun implements TunDevice {
  readonly batchSize: number;
  private closed = false;
  private closing: Promise<void> | undefined;
  private next = 0;
  private waiter: (() => void) | undefined;
  private wakeScheduled = false;
  private readonly slotSize: number;
  private readonly mask: number;

  /** @internal use openLinuxTun() */
  constructor(
    readonly name: string,
    readonly mtu: number,
    batchSize: number,
    readonly reader: TunReader,
    private readonly queues: readonly Queue[],
    private readonly bell: Int32Array,
    slots: number,
    /** Set when the device has IFF_VNET_HDR (TunDevice.offload). */
    readonly offload?: TunOffload,
  ) {
    this.batchSize = batchSize;
    this.slotSize = queues[0]!.data.length / slots;
    this.mask = slots - 1;
  }

  /**
   * @internal the event-loop queues call this when a packet or an error arrived. The waiting
   * readBatch resumes on the check phase of this loop turn: by then libuv has read every packet
   * that was ready (up to 32 per poll), so they come out as one batch, with no wait added.
   */
  arrived(): void {
    if (this.waiter === undefined || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(this.wakeNow);
  }

  private readonly wakeNow = (): void => {
    this.wakeScheduled = false;
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    w();
  };

  async readBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number> {
    for (;;) {
      if (this.closed) throw new TunClosedError(this.name);
      const ring = Atomics.load(this.bell, 0);
      const n = this.drain(bufs, sizes, offset);
      if (n > 0) return n;
      for (const q of this.queues) {
        const err = q.failed();
        if (err !== undefined && !this.closed) {
          throw new TunSetupError("EMU_ERR_TUN_NATIVE", `read on ${this.name}: errno ${err}`);
        }
      }
      if (this.reader === "event-loop") {
        await new Promise<void>((resolve) => (this.waiter = resolve));
        continue;
      }
      const w = waitAsync(this.bell, 0, ring);
      if (w.async) await w.value;
    }
  }

  /**
   * Copies up to bufs.length packets out of the rings, round robin over queues. With offload each
   * slot starts with the virtio header, copied into the VNET_HDR_LEN bytes before `offset`; a
   * packet too long for bufs[n] (n > 0) ends the batch and waits for the next call, whose first
   * buffers the caller sized for super-packets (TunDevice.readBatch).
   */
  private drain(bufs: Uint8Array[], sizes: number[], offset: number): number {
    let n = 0;
    const qn = this.queues.length;
    const hdr = this.offload === undefined ? 0 : VNET_HDR_LEN;
    for (let k = 0; k < qn && n < bufs.length; k++) {
      const q = this.queues[(this.next + k) % qn]!;
      const head = q.head();
      let tail = q.tail;
      while (tail !== head && n < bufs.length) {
        const slot = tail & this.mask;
        const len = q.lens[slot]! - hdr;
        const buf = bufs[n]!;
        if (len > buf.length - offset && hdr !== 0 && n > 0) break;
        tail = (tail + 1) | 0;
        if (len > buf.length - offset || len <= 0) continue;
        const start = slot * this.slotSize;
        buf.set(q.data.subarray(start, start + hdr + len), offset - hdr);
        sizes[n] = len;
        n++;
      }
      if (tail !== q.tail) {
        q.tail = tail;
        q.released(tail);
      }
    }
    this.next = (this.next + 1) % qn;
    return n;
  }

  async writeBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number> {
    if (this.closed) throw new TunClosedError(this.name);
    const c = loadLibc();
    const fd = this.queues[0]!.fd;
    let ok = 0;
    if (this.offload !== undefined) {
      // The caller put each packet's virtio header in the VNET_HDR_LEN bytes before `offset`;
      // without room for one, the packet is plain: copied behind a zero header.
      if (offset < VNET_HDR_LEN) return this.writePlain(c, fd, bufs, sizes, offset);
      for (let i = 0; i < sizes.length; i++) {
        const n = sizes[i]! + VNET_HDR_LEN;
        if (
          c.write(fd, bufs[i]!.subarray(offset - VNET_HDR_LEN, offset - VNET_HDR_LEN + n), n) === n
        )
          ok++;
      }
      return ok;
    }
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      const buf = bufs[i]!;
      const view = offset === 0 && buf.length === size ? buf : buf.subarray(offset, offset + size);
      if (c.write(fd, view, size) === size) ok++;
    }
    return ok;
  }

  private scratch: Uint8Array | undefined;

  private writePlain(
    c: ReturnType<typeof loadLibc>,
    fd: number,
    bufs: Uint8Array[],
    sizes: number[],
    offset: number,
  ): number {
    let ok = 0;
    for (let i = 0; i < sizes.length; i++) {
      const n = sizes[i]! + VNET_HDR_LEN;
      if (this.scratch === undefined || this.scratch.length < n) this.scratch = new Uint8Array(n);
      const s = this.scratch;
      s.fill(0, 0, VNET_HDR_LEN);
      s.set(bufs[i]!.subarray(offset, offset + sizes[i]!), VNET_HDR_LEN);
      if (c.write(fd, s, n) === n) ok++;
    }
    return ok;
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    Atomics.add(this.bell, 0, 1);
    Atomics.notify(this.bell, 0);
    this.wakeNow();
    await Promise.all(this.queues.map((q) => q.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Creates a TUN device (in the calling process's network namespace) and starts its reader
 * workers. Throws TunSetupError with a code and advice when not permitted or unavailable.
 */
export async function openLinuxTun(opts: LinuxTunOptions): Promise<LinuxTun> {
  const c = loadLibc();
  const devicePath = opts.devicePath ?? "/dev/net/tun";
  ensureTunDeviceNode(devicePath);
  const mtu = opts.mtu ?? DEFAULT_TUN_MTU;
  const queueCount = Math.max(1, opts.queues ?? 1);
  // Offload is settled on the first queue; the others follow its flags.
  const fds: number[] = [];
  let name = opts.name;
  let offloadFlags = -1;
  try {
    let vnet = opts.offload ?? false;
    for (let i = 0; i < queueCount; i++) {
      const opened = openQueue(c, devicePath, name, queueCount > 1, vnet);
      fds.push(opened.fd);
      name = opened.name;
      if (!vnet) continue;
      const f = enableOffload(c, opened.fd);
      if (i === 0 && f < 0) {
        // Refused: reopen the device plainly (it vanishes with its only fd).
        c.close(fds.pop()!);
        vnet = false;
        name = opts.name;
        i--;
        continue;
      }
      if (i === 0) offloadFlags = f;
    }
  } catch (err) {
    for (const fd of fds) c.close(fd);
    throw err;
  }
  const offload = offloadFlags < 0 ? undefined : offloadOf(offloadFlags);
  const slots = opts.ringSlots ?? (offload !== undefined ? OFFLOAD_RING_SLOTS : 1024);
  if ((slots & (slots - 1)) !== 0 || slots < 2) {
    for (const fd of fds) c.close(fd);
    throw new RangeError(`ringSlots must be a power of two ≥ 2, got ${slots}`);
  }
  // Why +64: a packet of exactly mtu bytes must fit; round the slot to a cache-friendly size.
  // With offload a slot holds the virtio header and a super-packet.
  const largest = offload !== undefined ? Math.max(mtu, offload.maxPacket) + VNET_HDR_LEN : mtu;
  const slotSize = ((largest + 64 + 63) >> 6) << 6;
  const koffiPath = requireNode.resolve("koffi");
  const bellBuf = new SharedArrayBuffer(16);
  const bell = new Int32Array(bellBuf);
  const pipe = opts.reader === "worker" ? undefined : pipeWrap();
  const reader: TunReader = pipe ? "event-loop" : "worker";
  const queues: Queue[] = [];
  // Why a holder: the event-loop queues wake the device, which is created after them.
  let device: LinuxTun | undefined;
  const wake = (): void => device?.arrived();
  try {
    for (let i = 0; i < queueCount; i++) {
      const fd = fds[i]!;
      if (pipe) {
        const lens = new Int32Array(slots);
        const data = new Uint8Array(slots * slotSize);
        try {
          queues.push(new LoopQueue(fd, lens, data, slotSize, slots - 1, pipe, wake));
        } catch (err) {
          c.close(fd);
          throw err;
        }
        continue;
      }
      const ctlBuf = new SharedArrayBuffer(CTL_WORDS * 4 + slots * 4);
      const dataBuf = new SharedArrayBuffer(slots * slotSize);
      const worker = new Worker(READ_LOOP_SOURCE, {
        eval: true,
        workerData: { koffiPath, fd, ctlBuf, bellBuf, dataBuf, slots, slotSize },
      });
      worker.unref();
      const ctl = new Int32Array(ctlBuf, 0, CTL_WORDS);
      // A worker that fails to start (koffi missing in it) marks its queue exited; readBatch reports it.
      worker.on("error", () => {
        Atomics.store(ctl, CTL_ERRNO, -1);
        Atomics.store(ctl, CTL_EXITED, 1);
        Atomics.add(bell, 0, 1);
        Atomics.notify(bell, 0);
      });
      queues.push(
        new WorkerQueue(
          fd,
          ctl,
          new Int32Array(ctlBuf, CTL_WORDS * 4, slots),
          new Uint8Array(dataBuf),
          worker,
        ),
      );
    }
  } catch (err) {
    await Promise.all(queues.map((q) => q.stop()));
    for (const fd of fds.slice(queues.length + 1)) c.close(fd);
    throw err;
  }
  device = new LinuxTun(name, mtu, opts.batchSize ?? 64, reader, queues, bell, slots, offload);
  return device;
}
