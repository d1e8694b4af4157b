/**
 * The "worker" reader of a TUN queue (linux-tun.ts module comment): a worker thread runs a
 * synchronous read loop on the non-blocking fd and fills a SharedArrayBuffer ring; readBatch
 * awaits the shared doorbell.
 */
import { loadLibc } from "./tun-native.js";
import type { Queue } from "./tun-queue.js";
import type { Worker } from "node:worker_threads";

/** Ring control words (Int32 indexes into a queue's control block). */
export const CTL_HEAD = 0;
export const CTL_TAIL = 1;
export const CTL_STOP = 2;
export const CTL_EXITED = 3;
export const CTL_ERRNO = 4;
export const CTL_WORDS = 16;

/**
 * The worker's read loop, as plain JavaScript. Why a string: a worker started from a .ts file
 * would need the TypeScript loader (tsx, vitest) inside the worker; an eval worker needs none.
 */
export const READ_LOOP_SOURCE = `
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

/** A queue read by a worker thread (READ_LOOP_SOURCE). */
export class WorkerQueue implements Queue {
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
    loadLibc().close(this.fd);
  }
}
