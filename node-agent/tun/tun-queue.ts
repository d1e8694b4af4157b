/**
 * One queue's packet ring as LinuxTun.readBatch drains it (linux-tun.ts); filled by a worker
 * thread (tun-worker-queue.ts) or by the main thread's event loop (tun-loop-queue.ts).
 */
export interface Queue {
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
