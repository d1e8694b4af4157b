/**
 * A Transport that counts the underlay datagrams passing through it (the agent's metrics:
 * vpcemu_agent_underlay_datagrams_*). Sends are counted per batch (one addition), receives per
 * datagram (one increment); nothing is allocated per datagram.
 */
import type { Endpoint, Transport } from "./transport.js";

/** Datagrams handed to the underlay and received from it, cumulative. */
export interface UnderlayCounts {
  sent: number;
  received: number;
  /** Bytes of the received datagrams (Geneve header included). */
  receivedBytes: number;
}

/** Wraps `inner`; `counts` grows as datagrams pass. */
export class CountingTransport implements Transport {
  readonly counts: UnderlayCounts = { sent: 0, received: 0, receivedBytes: 0 };

  constructor(private readonly inner: Transport) {}

  get localEndpoint(): Endpoint {
    return this.inner.localEndpoint;
  }

  sendBatch(datagrams: Uint8Array[], to: Endpoint): Promise<void> {
    this.counts.sent += datagrams.length;
    return this.inner.sendBatch(datagrams, to);
  }

  onReceive(cb: (data: Uint8Array, from: Endpoint) => void): void {
    const counts = this.counts;
    this.inner.onReceive((data, from) => {
      counts.received++;
      counts.receivedBytes += data.length;
      cb(data, from);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
