/**
 * The UDP underlay (node:dgram): the only socket code of the data path. Binds one socket to a
 * loopback address or a container network address. Sends to an IP-literal endpoint go out as
 * synchronous sendto(2) calls on the socket's fd (koffi, MSG_DONTWAIT): no request object, no
 * completion callback, the batch is done on return. A full socket buffer (EAGAIN), a hostname
 * endpoint (containers) or a Node without the fd fall back to dgram's send, one per datagram,
 * resolving the batch once every send completed. Receiving: after each `message` event of an
 * IPv4 socket, the transport goes on with synchronous recvfrom(2)s (MSG_DONTWAIT) into one
 * reused buffer until the socket is empty or 64 datagrams were taken, so a burst costs neither a
 * buffer allocation nor a native-to-JavaScript callback per datagram.
 *
 * Network safety (DESIGN.md): the agent binds where the runtime tells it (loopback by default)
 * and only ever sends to endpoints the mapping table names.
 */
import dgram from "node:dgram";
import koffi from "koffi";
import { parseIpAddress } from "../packet/address.js";
import { formatEndpoint, parseEndpoint, type Endpoint, type Transport } from "./transport.js";

export interface UdpTransportOptions {
  /** "host:port" to bind; port 0 picks a free one. Default "127.0.0.1:0". */
  readonly bind?: Endpoint;
  /** Socket buffer sizes in bytes (best effort). Default 4 MiB. */
  readonly bufferBytes?: number;
}

const MSG_DONTWAIT = 0x40;
const AF_INET = 2;
const AF_INET6 = 10;

type SendTo = (
  fd: number,
  buf: Uint8Array,
  n: number,
  flags: number,
  addr: Uint8Array,
  addrLen: number,
) => number;

type RecvFrom = (
  fd: number,
  buf: Uint8Array,
  n: number,
  flags: number,
  addr: Uint8Array,
  addrLen: Uint32Array,
) => number;

/** Datagrams one `message` event may take from the socket (then other handles get a turn). */
const RECEIVE_BURST = 64;

let sendto: SendTo | null | undefined;
let recvfrom: RecvFrom | undefined;

/** libc sendto/recvfrom through koffi, or null where it cannot load (then dgram does all). */
function loadSendTo(): SendTo | null {
  if (sendto !== undefined) return sendto;
  try {
    const lib = koffi.load("libc.so.6");
    sendto = lib.func(
      "long sendto(int fd, void *buf, unsigned long n, int flags, void *addr, unsigned int len)",
    ) as SendTo;
    recvfrom = lib.func(
      "long recvfrom(int fd, void *buf, unsigned long n, int flags, void *addr, void *len)",
    ) as RecvFrom;
  } catch {
    sendto = null;
  }
  return sendto;
}

/** struct sockaddr_in / sockaddr_in6 for an IP literal of the socket's family, else undefined. */
function sockaddr(host: string, port: number, v6Socket: boolean): Uint8Array | undefined {
  const ip = parseIpAddress(host);
  if (ip === undefined || (ip.length === 16) !== v6Socket) return undefined;
  const sa = new Uint8Array(ip.length === 4 ? 16 : 28);
  const view = new DataView(sa.buffer);
  view.setUint16(0, ip.length === 4 ? AF_INET : AF_INET6, true); // host order (x86, arm64: LE)
  view.setUint16(2, port, false);
  sa.set(ip, ip.length === 4 ? 4 : 8);
  return sa;
}

/**
 * The fd of a bound dgram socket, -1 when this Node does not show it. Why the state symbol:
 * dgram has no public fd accessor, and the `_handle` getter prints a deprecation warning.
 */
function socketFd(socket: dgram.Socket): number {
  const sym = Object.getOwnPropertySymbols(socket).find((s) => s.description === "state symbol");
  const state = sym === undefined ? undefined : (socket as unknown as Record<symbol, unknown>)[sym];
  const fd = (state as { handle?: { fd?: unknown } } | undefined)?.handle?.fd;
  return typeof fd === "number" ? fd : -1;
}

/** One bound UDP socket; `from` on receive is the sender's "host:port". Create with openUdpTransport(). */
export class UdpTransport implements Transport {
  private receiver: ((data: Uint8Array, from: Endpoint) => void) | undefined;
  private readonly targets = new Map<
    Endpoint,
    { host: string; port: number; sa: Uint8Array | undefined }
  >();
  private closed = false;
  /** The socket's fd for synchronous sends, -1 when unavailable. */
  private readonly fd: number;
  private readonly v6: boolean;
  /** Receive burst state: one reused buffer (max UDP payload), the sender's sockaddr_in. */
  private readonly rxBuf = new Uint8Array(65536);
  private readonly rxAddr = new Uint8Array(16);
  private readonly rxAddrLen = new Uint32Array(1);
  /** "a.b.c.d:port" by address and port, so a burst builds no string per datagram. */
  private readonly senders = new Map<number, Endpoint>();

  /** @internal use openUdpTransport() */
  constructor(
    private readonly socket: dgram.Socket,
    readonly localEndpoint: Endpoint,
  ) {
    const fd = socketFd(socket);
    this.fd = fd >= 0 && loadSendTo() !== null ? fd : -1;
    this.v6 = socket.address().family === "IPv6";
    socket.on("message", (msg, rinfo) => {
      const receiver = this.receiver;
      if (receiver === undefined) return;
      receiver(msg, formatEndpoint(rinfo.address, rinfo.port));
      if (this.fd >= 0 && !this.v6) this.drain(receiver);
    });
    // Why: ICMP port-unreachable from a dead peer surfaces as a socket error; UDP is best effort.
    socket.on("error", () => undefined);
  }

  /** Hands what else is queued in the socket to `receiver` (see the module comment). */
  private drain(receiver: (data: Uint8Array, from: Endpoint) => void): void {
    const recv = recvfrom!;
    const buf = this.rxBuf;
    const sa = this.rxAddr;
    for (let k = 1; k < RECEIVE_BURST && !this.closed; k++) {
      this.rxAddrLen[0] = sa.length;
      const n = recv(this.fd, buf, buf.length, MSG_DONTWAIT, sa, this.rxAddrLen);
      // EAGAIN ends the burst; any other error shows on libuv's next receive.
      if (n < 0) return;
      const port = (sa[2]! << 8) | sa[3]!;
      const key = ((sa[4]! << 24) | (sa[5]! << 16) | (sa[6]! << 8) | sa[7]!) * 65536 + port;
      let from = this.senders.get(key);
      if (from === undefined) {
        from = `${sa[4]}.${sa[5]}.${sa[6]}.${sa[7]}:${port}`;
        if (this.senders.size >= 1024) this.senders.clear();
        this.senders.set(key, from);
      }
      receiver(buf.subarray(0, n), from);
    }
  }

  sendBatch(datagrams: Uint8Array[], to: Endpoint): Promise<void> {
    if (this.closed || datagrams.length === 0) return Promise.resolve();
    let t = this.targets.get(to);
    if (!t) {
      const { host, port } = parseEndpoint(to);
      t = { host, port, sa: this.fd >= 0 ? sockaddr(host, port, this.v6) : undefined };
      this.targets.set(to, t);
    }
    let first = 0;
    if (t.sa !== undefined) {
      const send = sendto!;
      const sa = t.sa;
      for (; first < datagrams.length; first++) {
        const d = datagrams[first]!;
        if (send(this.fd, d, d.length, MSG_DONTWAIT, sa, sa.length) >= 0) continue;
        const e = koffi.errno();
        // EAGAIN/ENOBUFS: the socket buffer is full; dgram queues the rest. Anything else
        // (ECONNREFUSED after an ICMP error from a dead peer) loses the datagram: UDP is best effort.
        if (e === 11 || e === 105) break;
      }
      if (first === datagrams.length) return Promise.resolve();
    }
    const { host, port } = t;
    return new Promise((resolve) => {
      let left = datagrams.length - first;
      const done = (): void => {
        if (--left === 0) resolve();
      };
      for (let i = first; i < datagrams.length; i++) {
        this.socket.send(datagrams[i]!, port, host, done);
      }
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
