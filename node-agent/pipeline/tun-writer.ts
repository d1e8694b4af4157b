/**
 * Batches packets towards one TUN device. enqueue() copies the packet (its source buffer
 * belongs to someone else: a transport callback or a TUN read batch) into a pooled buffer;
 * the batch is written with one writeBatch on the next macrotask, or at once when full.
 */
import type { TunDevice } from "../tun/tun-device.js";

interface Batch {
  readonly bufs: Uint8Array[];
  readonly sizes: number[];
}

/** See the module comment; one per port, used from the main thread only. */
export class TunWriter {
  private current: Batch;
  private readonly free: Batch[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Packets the device refused or that arrived once too many batches were in flight. */
  refused = 0;
  /** Packets handed to the device. */
  written = 0;

  constructor(
    private readonly tun: TunDevice,
    private readonly batchSize = tun.batchSize,
    private readonly maxInFlight = 8,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.current = this.newBatch();
  }

  /** Copies buf[off, off + len) into the next batch slot. */
  enqueue(buf: Uint8Array, off: number, len: number): void {
    if (len > this.tun.mtu) {
      this.refused++;
      return;
    }
    const b = this.current;
    const i = b.sizes.length;
    b.bufs[i]!.set(buf.subarray(off, off + len), 0);
    b.sizes.push(len);
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
      return;
    }
    this.current = this.free.pop() ?? this.newBatch();
    this.inFlight++;
    const n = b.sizes.length;
    this.tun.writeBatch(b.bufs, b.sizes, 0).then(
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
    this.free.push(b);
  }

  private newBatch(): Batch {
    const bufs: Uint8Array[] = [];
    for (let i = 0; i < this.batchSize; i++) bufs.push(new Uint8Array(this.tun.mtu));
    return { bufs, sizes: [] };
  }
}
