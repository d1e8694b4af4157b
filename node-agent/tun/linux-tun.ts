/**
 * A real Linux TUN device (/dev/net/tun, TUNSETIFF with IFF_TUN | IFF_NO_PI). The only native
 * calls of the project live here: open, ioctl, read, write, poll, close and mknod from libc via
 * koffi.
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
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { Worker } from "node:worker_threads";
import koffi from "koffi";
import { TunClosedError, TunSetupError, type TunDevice } from "./tun-device.js";

/** linux/if_tun.h */
const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFF_MULTI_QUEUE = 0x0100;
/** fcntl.h (x86_64 and aarch64 share these values). */
const O_RDWR = 0x2;
const O_NONBLOCK = 0x800;
const O_CLOEXEC = 0x80000;
const S_IFCHR = 0o020000;
const EPERM = 1;
const ENOENT = 2;
const EACCES = 13;
const EBUSY = 16;
const IFNAMSIZ = 16;
const IFREQ_SIZE = 40;

/** Ring control words (Int32 indexes into a queue's control block). */
const CTL_HEAD = 0;
const CTL_TAIL = 1;
const CTL_STOP = 2;
const CTL_EXITED = 3;
const CTL_ERRNO = 4;
const CTL_WORDS = 16;

/** Packets the event-loop reader takes per readiness event (then other handles get a turn). */
const LOOP_READ_BURST = 64;

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
}

/** See the module comment. */
export type TunReader = "event-loop" | "worker";

interface Libc {
  open(path: string, flags: number): number;
  ioctl(fd: number, req: number, arg: Uint8Array): number;
  write(fd: number, buf: Uint8Array, n: number): number;
  read(fd: number, buf: Uint8Array, n: number): number;
  close(fd: number): number;
  mknod(path: string, mode: number, dev: number): number;
}

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

let libc: Libc | undefined;

function loadLibc(): Libc {
  if (libc) return libc;
  try {
    const lib = koffi.load("libc.so.6");
    libc = {
      open: lib.func("int open(const char *path, int flags)"),
      ioctl: lib.func("int ioctl(int fd, unsigned long req, void *arg)"),
      write: lib.func("long write(int fd, void *buf, unsigned long n)"),
      read: lib.func("long read(int fd, void *buf, unsigned long n)"),
      close: lib.func("int close(int fd)"),
      mknod: lib.func("int mknod(const char *path, unsigned int mode, unsigned long dev)"),
    } as Libc;
  } catch (err) {
    throw new TunSetupError(
      "EMU_ERR_TUN_NATIVE",
      `cannot load libc through koffi (Linux with glibc is required): ${(err as Error).message}`,
    );
  }
  return libc;
}

/**
 * Makes sure the TUN character device exists (a container sidecar may lack it): creates
 * `devicePath` as char 10:200 with mode 0600 when missing.
 */
export function ensureTunDeviceNode(devicePath = "/dev/net/tun"): void {
  const c = loadLibc();
  const fd = c.open(devicePath, O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    c.close(fd);
    return;
  }
  const err = koffi.errno();
  if (err !== ENOENT) throw openError(devicePath, err);
  mkdirSync(devicePath.slice(0, devicePath.lastIndexOf("/")), { recursive: true });
  // makedev(10, 200) = (10 << 8) | 200 for small numbers.
  if (c.mknod(devicePath, S_IFCHR | 0o600, (10 << 8) | 200) !== 0) {
    const e = koffi.errno();
    throw new TunSetupError(
      e === EPERM || e === EACCES ? "EMU_ERR_TUN_NOT_PERMITTED" : "EMU_ERR_TUN_NO_DEVICE",
      `${devicePath} is missing and mknod failed (errno ${e}): run as root with CAP_MKNOD, or ` +
        `pass the device in (docker run --device /dev/net/tun)`,
    );
  }
}

const requireNode = createRequire(import.meta.url);

function openError(path: string, err: number): TunSetupError {
  if (err === EPERM || err === EACCES) {
    return new TunSetupError(
      "EMU_ERR_TUN_NOT_PERMITTED",
      `cannot open ${path} (errno ${err}): the agent needs root or CAP_NET_ADMIN`,
    );
  }
  if (err === ENOENT) {
    return new TunSetupError(
      "EMU_ERR_TUN_NO_DEVICE",
      `${path} does not exist: load the tun module (modprobe tun) or run as root so it can be created`,
    );
  }
  return new TunSetupError("EMU_ERR_TUN_NATIVE", `cannot open ${path} (errno ${err})`);
}

function openQueue(
  c: Libc,
  devicePath: string,
  name: string,
  multiQueue: boolean,
): { fd: number; name: string } {
  const fd = c.open(devicePath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw openError(devicePath, koffi.errno());
  const ifr = new Uint8Array(IFREQ_SIZE);
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length >= IFNAMSIZ) {
    c.close(fd);
    throw new TunSetupError("EMU_ERR_TUN_CONFIGURE", `interface name '${name}' exceeds 15 bytes`);
  }
  ifr.set(nameBytes, 0);
  const flags = IFF_TUN | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0);
  new DataView(ifr.buffer).setUint16(IFNAMSIZ, flags, true);
  if (c.ioctl(fd, TUNSETIFF, ifr) !== 0) {
    const err = koffi.errno();
    c.close(fd);
    if (err === EPERM || err === EACCES) {
      throw new TunSetupError(
        "EMU_ERR_TUN_NOT_PERMITTED",
        `TUNSETIFF on '${name}' refused (errno ${err}): the agent needs root or CAP_NET_ADMIN`,
      );
    }
    if (err === EBUSY) {
      throw new TunSetupError("EMU_ERR_TUN_CONFIGURE", `interface '${name}' already exists`);
    }
    throw new TunSetupError("EMU_ERR_TUN_NATIVE", `TUNSETIFF on '${name}' failed (errno ${err})`);
  }
  // The kernel writes the final name back (it expands %d).
  const end = ifr.indexOf(0);
  return { fd, name: new TextDecoder().decode(ifr.subarray(0, end < 0 ? IFNAMSIZ : end)) };
}

/**
 * The worker's read loop, as plain JavaScript. Why a string: a worker started from a .ts file
 * would need the TypeScript loader (tsx, vitest) inside the worker; an eval worker needs none.
 */
const READ_LOOP_SOURCE = `
const { workerData } = require("node:worker_threads");
const koffi = require(workerData.koffiPath);
const lib = koffi.load("libc.so.6");
const read = lib.func("long read(int fd, void *buf, unsigned long n)");
const poll = lib.func("int poll(void *fds, unsigned long nfds, int timeout)");
const { fd, ctlBuf, bellBuf, dataBuf, slots, slotSize } = workerData;
const ctl = new Int32Array(ctlBuf, 0, ${CTL_WORDS});
const lens = new Int32Array(ctlBuf, ${CTL_WORDS * 4}, slots);
const bell = new Int32Array(bellBuf, 0, 4);
const views = [];
for (let i = 0; i < slots; i++) views.push(new Uint8Array(dataBuf, i * slotSize, slotSize));
const pfd = new Uint8Array(8);
new DataView(pfd.buffer).setInt32(0, fd, true);
new DataView(pfd.buffer).setInt16(4, 1, true); // POLLIN
let head = Atomics.load(ctl, ${CTL_HEAD});
let pending = 0;
function publish() {
  if (pending === 0) return;
  Atomics.store(ctl, ${CTL_HEAD}, head);
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
  pending = 0;
}
while (Atomics.load(ctl, ${CTL_STOP}) === 0) {
  const tail = Atomics.load(ctl, ${CTL_TAIL});
  if (((head - tail) | 0) >= slots) {
    publish();
    Atomics.wait(ctl, ${CTL_TAIL}, tail, 100);
    continue;
  }
  const i = head & (slots - 1);
  const n = read(fd, views[i], slotSize);
  if (n > 0) {
    lens[i] = n;
    head = (head + 1) | 0;
    if (++pending >= 32) publish();
    continue;
  }
  if (n < 0) {
    const e = koffi.errno();
    if (e === 11 || e === 4) { // EAGAIN, EINTR
      publish();
      poll(pfd, 1, 100);
      continue;
    }
    Atomics.store(ctl, ${CTL_ERRNO}, e);
    break;
  }
}
publish();
Atomics.store(ctl, ${CTL_EXITED}, 1);
Atomics.add(bell, 0, 1);
Atomics.notify(bell, 0);
`;

/** One queue's ring as readBatch sees it; filled by a worker or by the event loop. */
interface Queue {
  readonly fd: number;
  readonly lens: Int32Array;
  readonly data: Uint8Array;
  tail: number;
  /** Index after the last published packet. */
  head(): number;
  /** The consumer moved its tail (slots up to `tail` are free again). */
  released(tail: number): void;
  /** Set once the queue stopped reading on its own: the errno (-1 when unknown). */
  failed(): number | undefined;
  /** Stops reading and closes the fd. */
  stop(): Promise<void>;
}

/** A queue read by a worker thread (READ_LOOP_SOURCE). */
class WorkerQueue implements Queue {
  tail = 0;
  constructor(
    readonly fd: number,
    readonly ctl: Int32Array,
    readonly lens: Int32Array,
    readonly data: Uint8Array,
    readonly worker: Worker,
  ) {}

  head(): number {
    return Atomics.load(this.ctl, CTL_HEAD);
  }

  released(tail: number): void {
    Atomics.store(this.ctl, CTL_TAIL, tail);
    Atomics.notify(this.ctl, CTL_TAIL);
  }

  failed(): number | undefined {
    return Atomics.load(this.ctl, CTL_EXITED) === 1 ? Atomics.load(this.ctl, CTL_ERRNO) : undefined;
  }

  async stop(): Promise<void> {
    Atomics.store(this.ctl, CTL_STOP, 1);
    Atomics.notify(this.ctl, CTL_TAIL);
    await new Promise<void>((resolve) => {
      if (this.worker.threadId < 0) resolve();
      // Why ref: while closing, the worker's exit must keep the process alive, or a
      // caller awaiting close() at the end of a program would be cut short.
      this.worker.ref();
      this.worker.once("exit", () => resolve());
      // A worker that has not exited within 2 s (poll timeout is 100 ms) is terminated.
      setTimeout(() => void this.worker.terminate(), 2000).unref();
    });
    libc!.close(this.fd);
  }
}

/** The pipe handle class of this Node (process.binding is deprecated but kept), if any. */
function pipeWrap(): { Pipe: new (type: number) => PipeHandle; socketType: number } | undefined {
  try {
    const b = (process as unknown as { binding(name: string): any }).binding("pipe_wrap");
    if (typeof b?.Pipe !== "function" || typeof b?.constants?.SOCKET !== "number") return undefined;
    return { Pipe: b.Pipe, socketType: b.constants.SOCKET };
  } catch {
    return undefined;
  }
}

interface PipeHandle {
  open(fd: number): number;
}

/**
 * A queue read by the main thread's event loop: libuv polls the fd and read(2)s each packet
 * into the ring slot the `onread` buffer function handed out (one read is one packet on a TUN).
 * A full ring pauses reading (the kernel queue holds or drops packets) until readBatch drains.
 */
class LoopQueue implements Queue {
  tail = 0;
  private headIndex = 0;
  private paused = false;
  private error: number | undefined;
  private readonly views: Uint8Array[] = [];
  private readonly socket: Socket;
  private readonly closedSocket: Promise<void>;

  constructor(
    readonly fd: number,
    readonly lens: Int32Array,
    readonly data: Uint8Array,
    slotSize: number,
    private readonly mask: number,
    pipe: NonNullable<ReturnType<typeof pipeWrap>>,
    onPacket: () => void,
  ) {
    for (let i = 0; i <= mask; i++) {
      this.views.push(data.subarray(i * slotSize, (i + 1) * slotSize));
    }
    const handle = new pipe.Pipe(pipe.socketType);
    const err = handle.open(fd);
    if (err !== 0) {
      throw new TunSetupError("EMU_ERR_TUN_NATIVE", `watching the TUN fd failed (${err})`);
    }
    const slots = mask + 1;
    this.socket = new Socket({
      handle,
      readable: true,
      writable: false,
      onread: {
        // Called before every read: the slot the next packet lands in.
        buffer: () => this.views[this.headIndex & this.mask]!,
        callback: (n: number) => {
          const c = libc!;
          this.lens[this.headIndex & this.mask] = n;
          this.headIndex = (this.headIndex + 1) | 0;
          // Why read on here: libuv stops after a read shorter than the buffer (every TUN read
          // is), so it would take one loop turn per packet; what is ready comes out as a batch.
          for (let k = 1; k < LOOP_READ_BURST && ((this.headIndex - this.tail) | 0) < slots; k++) {
            const v = this.views[this.headIndex & this.mask]!;
            const r = c.read(fd, v, v.length);
            // EAGAIN ends the burst; any other error shows on libuv's next read.
            if (r <= 0) break;
            this.lens[this.headIndex & this.mask] = r;
            this.headIndex = (this.headIndex + 1) | 0;
          }
          onPacket();
          if (((this.headIndex - this.tail) | 0) < slots) return true;
          this.paused = true;
          return false;
        },
      },
    } as ConstructorParameters<typeof Socket>[0]);
    this.socket.on("error", (e: NodeJS.ErrnoException) => {
      this.error = typeof e.errno === "number" ? Math.abs(e.errno) : -1;
      onPacket();
    });
    this.closedSocket = new Promise((resolve) => this.socket.once("close", () => resolve()));
    this.socket.once("end", () => {
      this.error ??= -1;
      onPacket();
    });
  }

  head(): number {
    return this.headIndex;
  }

  released(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  failed(): number | undefined {
    return this.error;
  }

  async stop(): Promise<void> {
    // Why no close(2) here: the handle owns the fd and closes it with the socket.
    this.socket.destroy();
    await this.closedSocket;
  }
}

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

  /** Copies up to bufs.length packets out of the rings, round robin over queues. */
  private drain(bufs: Uint8Array[], sizes: number[], offset: number): number {
    let n = 0;
    const qn = this.queues.length;
    for (let k = 0; k < qn && n < bufs.length; k++) {
      const q = this.queues[(this.next + k) % qn]!;
      const head = q.head();
      let tail = q.tail;
      while (tail !== head && n < bufs.length) {
        const slot = tail & this.mask;
        const len = q.lens[slot]!;
        const buf = bufs[n]!;
        tail = (tail + 1) | 0;
        if (len > buf.length - offset) continue;
        const start = slot * this.slotSize;
        buf.set(q.data.subarray(start, start + len), offset);
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
    const c = libc!;
    const fd = this.queues[0]!.fd;
    let ok = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      const buf = bufs[i]!;
      const view = offset === 0 && buf.length === size ? buf : buf.subarray(offset, offset + size);
      if (c.write(fd, view, size) === size) ok++;
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
  const slots = opts.ringSlots ?? 1024;
  if ((slots & (slots - 1)) !== 0 || slots < 2) {
    throw new RangeError(`ringSlots must be a power of two ≥ 2, got ${slots}`);
  }
  // Why +64: a packet of exactly mtu bytes must fit; round the slot to a cache-friendly size.
  const slotSize = ((mtu + 64 + 63) >> 6) << 6;
  const koffiPath = requireNode.resolve("koffi");
  const bellBuf = new SharedArrayBuffer(16);
  const bell = new Int32Array(bellBuf);
  const pipe = opts.reader === "worker" ? undefined : pipeWrap();
  const reader: TunReader = pipe ? "event-loop" : "worker";
  const queues: Queue[] = [];
  // Why a holder: the event-loop queues wake the device, which is created after them.
  let device: LinuxTun | undefined;
  const wake = (): void => device?.arrived();
  let name = opts.name;
  try {
    for (let i = 0; i < queueCount; i++) {
      const opened = openQueue(c, devicePath, name, queueCount > 1);
      const fd = opened.fd;
      name = opened.name;
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
    throw err;
  }
  device = new LinuxTun(name, mtu, opts.batchSize ?? 64, reader, queues, bell, slots);
  return device;
}
