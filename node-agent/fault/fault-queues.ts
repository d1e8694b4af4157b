/**
 * The bounded queues of the fault step (pure): a min-heap by due time for `delay` (jitter may
 * reorder packets, as in netem's tfifo) and a FIFO behind a token bucket for `rate`.
 */

/** Anything queued: its due time and an arrival sequence (ties keep arrival order). */
export interface Timed {
  due: number;
  seq: number;
}

/** Binary min-heap on (due, seq). */
export class DelayHeap<T extends Timed> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The earliest item, or undefined. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[l]!, a[m]!)) m = l;
      if (r < a.length && before(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}

function before(x: Timed, y: Timed): boolean {
  return x.due < y.due || (x.due === y.due && x.seq < y.seq);
}

/** First in, first out, amortised O(1). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head++];
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** Burst of the bucket: this much line time, at least two 1514-byte frames. */
export const RATE_BURST_MS = 25;
const MIN_BURST_BITS = 2 * 1514 * 8;
/**
 * Why a tolerance of 1 us of line time: times are epoch ms (about 1.7e12), whose doubles step
 * by 0.24 us, so refilling exactly up to readyAtMs() may leave a sliver of debt that no later
 * time could pay.
 */
const DEBT_TOLERANCE_MS = 0.001;

/**
 * A token bucket in bits. A packet may leave while the bucket is not in debt (tokens >= 0) and
 * then takes its size, possibly driving the bucket into debt; so any packet size passes and the
 * long-run rate is exact. The bucket holds at most RATE_BURST_MS of line rate, which absorbs a
 * late timer or a GC pause of that length without losing throughput (bench/faults.bench.ts:
 * 5 ms lost up to 5 % of a 10 Mbit/s shaper after a major GC; the netns iperf3 test lost rate
 * with 10 ms at load 10+, where one 9001-byte frame alone is 7.2 ms of 10 Mbit/s). Starts full.
 */
export class TokenBucket {
  private readonly bitsPerMs: number;
  private readonly burstBits: number;
  private readonly toleranceBits: number;
  private tokens: number;
  private lastMs: number;

  constructor(bitsPerSecond: number, nowMs: number) {
    this.bitsPerMs = bitsPerSecond / 1000;
    this.burstBits = Math.max(MIN_BURST_BITS, this.bitsPerMs * RATE_BURST_MS);
    this.toleranceBits = this.bitsPerMs * DEBT_TOLERANCE_MS;
    this.tokens = this.burstBits;
    this.lastMs = nowMs;
  }

  /** Adds the tokens earned since the last call. */
  refill(nowMs: number): void {
    if (nowMs <= this.lastMs) return;
    this.tokens = Math.min(this.burstBits, this.tokens + (nowMs - this.lastMs) * this.bitsPerMs);
    this.lastMs = nowMs;
  }

  /** True when a packet may leave now (call refill first). */
  ready(): boolean {
    return this.tokens >= -this.toleranceBits;
  }

  /** Takes a packet of `bytes`. */
  take(bytes: number): void {
    this.tokens -= bytes * 8;
  }

  /** When the bucket is out of debt again (now or earlier when ready). */
  readyAtMs(): number {
    return this.ready() ? this.lastMs : this.lastMs + -this.tokens / this.bitsPerMs;
  }
}
