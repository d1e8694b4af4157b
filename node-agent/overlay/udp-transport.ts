/**
 * The UDP underlay (node:dgram): the only socket code of the data path. Binds one socket to a
 * loopback address or a container network address; sends each datagram with its own send (Node
 * has no sendmmsg), resolving the batch once every send completed.
 *
 * Network safety (DESIGN.md): the agent binds where the runtime tells it (loopback by default)
 * and only ever sends to endpoints the mapping table names.
 */
import dgram from "node:dgram";
import { formatEndpoint, parseEndpoint, type Endpoint, type Transport } from "./transport.js";

export interface UdpTransportOptions {
  /** "host:port" to bind; port 0 picks a free one. Default "127.0.0.1:0". */
  readonly bind?: Endpoint;
  /** Socket buffer sizes in bytes (best effort). Default 4 MiB. */
  readonly bufferBytes?: number;
}

/** One bound UDP socket; `from` on receive is the sender's "host:port". Create with openUdpTransport(). */
export class UdpTransport implements Transport {
  private receiver: ((data: Uint8Array, from: Endpoint) => void) | undefined;
  private readonly targets = new Map<Endpoint, { host: string; port: number }>();
  private closed = false;

  /** @internal use openUdpTransport() */
  constructor(
    private readonly socket: dgram.Socket,
    readonly localEndpoint: Endpoint,
  ) {
    socket.on("message", (msg, rinfo) => {
      this.receiver?.(msg, formatEndpoint(rinfo.address, rinfo.port));
    });
    // Why: ICMP port-unreachable from a dead peer surfaces as a socket error; UDP is best effort.
    socket.on("error", () => undefined);
  }

  sendBatch(datagrams: Uint8Array[], to: Endpoint): Promise<void> {
    if (this.closed || datagrams.length === 0) return Promise.resolve();
    let t = this.targets.get(to);
    if (!t) {
      t = parseEndpoint(to);
      this.targets.set(to, t);
    }
    const { host, port } = t;
    return new Promise((resolve) => {
      let left = datagrams.length;
      const done = (): void => {
        if (--left === 0) resolve();
      };
      for (const d of datagrams) this.socket.send(d, port, host, done);
    });
  }

  onReceive(cb: (data: Uint8Array, from: Endpoint) => void): void {
    this.receiver = cb;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Binds a UDP socket and returns the transport; localEndpoint carries the bound port. */
export async function openUdpTransport(opts: UdpTransportOptions = {}): Promise<UdpTransport> {
  const { host, port } = parseEndpoint(opts.bind ?? "127.0.0.1:0");
  const socket = dgram.createSocket({ type: host.includes(":") ? "udp6" : "udp4" });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  const bytes = opts.bufferBytes ?? 4 * 1024 * 1024;
  try {
    socket.setRecvBufferSize(bytes);
    socket.setSendBufferSize(bytes);
  } catch {
    // Best effort: the kernel caps buffer sizes (net.core.rmem_max).
  }
  const addr = socket.address();
  return new UdpTransport(socket, formatEndpoint(addr.address, addr.port));
}
