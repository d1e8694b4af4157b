/**
 * In-memory twin of the UDP underlay (STYLE.md §4.2): a bus connecting any number of
 * transports by endpoint name. Datagrams are copied on send (like a network) and delivered on a
 * later macrotask, in order. `inject` forges a datagram from any endpoint (anti-spoofing tests);
 * `dropWhere` simulates loss.
 */
import type { Endpoint, Transport } from "../../node-agent/overlay/transport.js";

export class MemoryBus {
  private readonly nodes = new Map<Endpoint, MemoryTransport>();
  /** Datagrams delivered so far (for assertions). */
  delivered = 0;
  /** Return true to drop a datagram in flight. */
  dropWhere: ((data: Uint8Array, from: Endpoint, to: Endpoint) => boolean) | undefined;

  /** A transport receiving at `endpoint` (e.g. "10.255.0.1:6081"; any unique string works). */
  transport(endpoint: Endpoint): MemoryTransport {
    if (this.nodes.has(endpoint)) throw new Error(`endpoint ${endpoint} already on the bus`);
    const t = new MemoryTransport(this, endpoint);
    this.nodes.set(endpoint, t);
    return t;
  }

  /** Delivers a copy of `data` to `to` as if sent from `from` (which need not exist). */
  inject(data: Uint8Array, from: Endpoint, to: Endpoint): void {
    const copy = data.slice();
    setImmediate(() => {
      const dst = this.nodes.get(to);
      if (!dst || dst.closed) return;
      if (this.dropWhere?.(copy, from, to)) return;
      this.delivered++;
      dst.deliver(copy, from);
    });
  }

  /** @internal */
  detach(endpoint: Endpoint): void {
    this.nodes.delete(endpoint);
  }
}

/** One endpoint on a MemoryBus; counts what it sent. */
export class MemoryTransport implements Transport {
  private receiver: ((data: Uint8Array, from: Endpoint) => void) | undefined;
  closed = false;
  /** Datagrams sent through this transport. */
  sent = 0;

  constructor(
    private readonly bus: MemoryBus,
    readonly localEndpoint: Endpoint,
  ) {}

  async sendBatch(datagrams: Uint8Array[], to: Endpoint): Promise<void> {
    if (this.closed) return;
    for (const d of datagrams) {
      this.sent++;
      this.bus.inject(d, this.localEndpoint, to);
    }
  }

  onReceive(cb: (data: Uint8Array, from: Endpoint) => void): void {
    this.receiver = cb;
  }

  /** @internal */
  deliver(data: Uint8Array, from: Endpoint): void {
    this.receiver?.(data, from);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bus.detach(this.localEndpoint);
  }
}

/** Two transports on one bus, for the common two-agent case. */
export function memoryTransportPair(a = "127.0.0.1:7001", b = "127.0.0.1:7002") {
  const bus = new MemoryBus();
  return { bus, a: bus.transport(a), b: bus.transport(b) };
}
