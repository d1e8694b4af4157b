/**
 * A Transport that shows the underlay datagrams passing through it to capture listeners
 * (vpcemu capture --underlay): every Geneve datagram the agent sends (egress, the fault step)
 * and receives (before decapsulation and checks). While nobody listens it costs one length test
 * per batch and per received datagram.
 */
import type { Endpoint, Transport } from "../overlay/transport.js";

/** `outbound`: sent to `peer`; else received from it. `datagram` is valid during the call only. */
export type UnderlayListener = (outbound: boolean, datagram: Uint8Array, peer: Endpoint) => void;

/** Wraps `inner`; listeners see each datagram (see the module comment). */
export class UnderlayTap implements Transport {
  private listeners: UnderlayListener[] = [];

  constructor(private readonly inner: Transport) {}

  get localEndpoint(): Endpoint {
    return this.inner.localEndpoint;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: UnderlayListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  sendBatch(datagrams: Uint8Array[], to: Endpoint): Promise<void> {
    if (this.listeners.length > 0) {
      for (const d of datagrams) this.emit(true, d, to);
    }
    return this.inner.sendBatch(datagrams, to);
  }

  onReceive(cb: (data: Uint8Array, from: Endpoint) => void): void {
    this.inner.onReceive((data, from) => {
      if (this.listeners.length > 0) this.emit(false, data, from);
      cb(data, from);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private emit(outbound: boolean, d: Uint8Array, peer: Endpoint): void {
    for (const l of this.listeners) {
      try {
        l(outbound, d, peer);
      } catch {
        // Why: a capture's bug must not stop forwarding; the capture sees its own error.
      }
    }
  }
}
