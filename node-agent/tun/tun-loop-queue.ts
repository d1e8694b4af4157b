/**
 * The "event-loop" reader of a TUN queue (linux-tun.ts module comment): libuv watches the fd
 * through a pipe handle and each read(2) lands one packet in a ring slot.
 */
import { Socket } from "node:net";
import { TunSetupError } from "./tun-device.js";
import { loadLibc } from "./tun-native.js";
import type { Queue } from "./tun-queue.js";

/** Packets the event-loop reader takes per readiness event (then other handles get a turn). */
const LOOP_READ_BURST = 64;

/** The pipe handle class of this Node (process.binding is deprecated but kept), if any. */
export function pipeWrap():
  { Pipe: new (type: number) => PipeHandle; socketType: number } | undefined {
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
export class LoopQueue implements Queue {
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
    const c = loadLibc();
    this.socket = new Socket({
      handle,
      readable: true,
      writable: false,
      onread: {
        // Called before every read: the slot the next packet lands in.
        buffer: () => this.views[this.headIndex & this.mask]!,
        callback: (n: number) => {
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
