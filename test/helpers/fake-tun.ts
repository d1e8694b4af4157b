/**
 * In-memory twin of a TUN device (STYLE.md §4.2). The test plays the applications in the node:
 * `send(packet)` is a packet the node's kernel routes into the TUN (the agent reads it);
 * `received()` / `nextReceived()` are packets the agent wrote to the TUN (the node receives them).
 */
import { TunClosedError, type TunDevice } from "../../node-agent/tun/tun-device.js";
import type { TunProvider, TunSpec } from "../../node-agent/tun/tun-provider.js";

export class FakeTun implements TunDevice {
  readonly name: string;
  readonly mtu: number;
  readonly batchSize: number;
  private readonly outbound: Uint8Array[] = [];
  private readonly inbound: Uint8Array[] = [];
  private wakeReader: (() => void) | undefined;
  private readonly inboundWaiters: Array<() => void> = [];
  private closed = false;

  constructor(opts: { name?: string; mtu?: number; batchSize?: number } = {}) {
    this.name = opts.name ?? "";
    this.mtu = opts.mtu ?? 9001;
    this.batchSize = opts.batchSize ?? 32;
  }

  /** A packet from the node's applications into the TUN (copied). */
  send(packet: Uint8Array): void {
    if (this.closed) throw new TunClosedError(this.name);
    this.outbound.push(packet.slice());
    const w = this.wakeReader;
    this.wakeReader = undefined;
    w?.();
  }

  /** Packets the agent delivered to the node so far, oldest first; clears the list. */
  received(): Uint8Array[] {
    return this.inbound.splice(0, this.inbound.length);
  }

  /** How many packets the agent delivered that the test has not taken yet. */
  pending(): number {
    return this.inbound.length;
  }

  /** The next packet delivered to the node; rejects after `timeoutMs` (default 2000). */
  async nextReceived(timeoutMs = 2000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbound.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`FakeTun ${this.name}: no packet within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.inboundWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.inbound.shift()!;
  }

  /** Resolves true if no packet arrives within `ms` (it then stays queued). */
  async expectNothing(ms = 100): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.inbound.length === 0;
  }

  async readBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number> {
    for (;;) {
      if (this.closed) throw new TunClosedError(this.name);
      let n = 0;
      while (n < bufs.length && this.outbound.length > 0) {
        const p = this.outbound.shift()!;
        const buf = bufs[n]!;
        if (p.length > buf.length - offset) continue;
        buf.set(p, offset);
        sizes[n] = p.length;
        n++;
      }
      if (n > 0) return n;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  async writeBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number> {
    if (this.closed) throw new TunClosedError(this.name);
    for (let i = 0; i < sizes.length; i++) {
      this.inbound.push(bufs[i]!.slice(offset, offset + sizes[i]!));
    }
    for (const w of this.inboundWaiters.splice(0)) w();
    return sizes.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.wakeReader;
    this.wakeReader = undefined;
    w?.();
  }
}

/**
 * A TunProvider (node-agent/tun/tun-provider.ts) of FakeTuns, one per port key (ENI id or
 * "ext:<name>"), for in-process agents. `tun(key)` waits until the agent created it.
 */
export class FakeTunProvider implements TunProvider {
  private readonly tuns = new Map<string, FakeTun>();
  private readonly waiting = new Map<string, Array<(t: FakeTun) => void>>();
  /** Addresses and reachable destinations last configured per key (for assertions). */
  readonly addresses = new Map<string, readonly string[]>();
  readonly reachable = new Map<string, readonly string[]>();
  closedKeys: string[] = [];

  async open(spec: TunSpec): Promise<TunDevice> {
    const t = new FakeTun({ name: spec.key });
    this.tuns.set(spec.key, t);
    this.addresses.set(spec.key, spec.addresses);
    for (const w of this.waiting.get(spec.key) ?? []) w(t);
    this.waiting.delete(spec.key);
    return t;
  }

  async setAddresses(dev: TunDevice, addresses: readonly string[]): Promise<void> {
    this.addresses.set(dev.name, addresses);
  }

  async setReachable(dev: TunDevice, destinations: readonly string[]): Promise<void> {
    this.reachable.set(dev.name, destinations);
  }

  async close(dev: TunDevice): Promise<void> {
    this.closedKeys.push(dev.name);
    this.tuns.delete(dev.name);
    await dev.close();
  }

  /** The FakeTun of a port key, once the agent opened it. */
  async tun(key: string): Promise<FakeTun> {
    const t = this.tuns.get(key);
    if (t) return t;
    return new Promise((resolve) => {
      const list = this.waiting.get(key) ?? [];
      list.push(resolve);
      this.waiting.set(key, list);
    });
  }
}
