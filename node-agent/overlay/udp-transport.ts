/**
 * The UDP underlay (node:dgram): the only socket code of the data path. Binds one socket to a
 * loopback address or a container network address. Sends to an IP-literal endpoint go out
 * synchronously on the socket's fd (koffi, MSG_DONTWAIT): one sendmmsg(2) per 64 datagrams of a
 * batch (overlay/mmsg.ts), or one sendto(2) each where sendmmsg is not available (IPv6 sockets,
 * `batch: false`); no request object, no completion callback, the batch is done on return. A
 * full socket buffer (EAGAIN), a hostname endpoint (containers) or a Node without the fd fall
 * back to dgram's send, one per datagram, resolving the batch once every send completed.
 * Receiving: after each `message` event of an IPv4 socket, the transport takes what else is
 * queued with one recvmmsg(2) (MSG_DONTWAIT, up to 63 datagrams into native slots read in place;
 * recvfrom(2) into one reused buffer without batching), so a burst costs neither a buffer
 * allocation nor a native-to-JavaScript callback per datagram. Socket buffers are set with
 * SO_RCVBUFFORCE/SO_SNDBUFFORCE where the process may (root, CAP_NET_ADMIN), so the kernel's
 * net.core.rmem_max cap (often 208 KiB) does not shrink them; else with SO_RCVBUF/SO_SNDBUF.
 *
 * Network safety (DESIGN.md): the agent binds where the runtime tells it (loopback by default)
 * and only ever sends to endpoints the mapping table names.
 */
import dgram from "node:dgram";
import koffi from "koffi";
import { parseIpAddress } from "../packet/address.js";
import { loadMmsgCalls, MmsgReceiver, MmsgRing, MmsgSender, type MmsgDelivery } from "./mmsg.js";
import { formatEndpoint, parseEndpoint, type Endpoint, type Transport } from "./transport.js";

export interface UdpTransportOptions {
  /** "host:port" to bind; port 0 picks a free one. Default "127.0.0.1:0". */
  readonly bind?: Endpoint;
  /** Socket buffer sizes in bytes (best effort). Default 4 MiB. */
  readonly bufferBytes?: number;
  /**
   * sendmmsg/recvmmsg batches (default true; `VPCEMU_UNDERLAY_MMSG=0` turns them off, for
   * comparisons in benches); false: one sendto/recvfrom per datagram.
   */
  readonly batch?: boolean;
  /** Bytes per receive/send slot of the batches (default 65536: no UDP datagram is longer). */
  readonly slotBytes?: number;
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
/** Datagrams per sendmmsg(2). */
const SEND_BATCH = 64;

let sendto: SendTo | null | undefined;
let recvfrom: RecvFrom | undefined;
let setsockopt:
  ((fd: number, level: number, name: number, val: Int32Array, len: number) => number) | undefined;

const SOL_SOCKET = 1;
const SO_SNDBUFFORCE = 32;
const SO_RCVBUFFORCE = 33;

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
    setsockopt = lib.func(
      "int setsockopt(int fd, int level, int name, void *val, unsigned int len)",
    ) as typeof setsockopt;
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
  /** The batches (IPv4 sockets with the fd, `batch` not off), else undefined. */
  private readonly mmsgRx: MmsgReceiver | undefined;
  private readonly mmsgTx: MmsgSender | undefined;
  private readonly rings: MmsgRing[] = [];
  private readonly deliverSlot: MmsgDelivery;
  private deliverTo: ((data: Uint8Array, from: Endpoint) => void) | undefined;

  /** @internal use openUdpTransport() */
  constructor(
    private readonly socket: dgram.Socket,
    readonly localEndpoint: Endpoint,
    opts: { batch?: boolean; slotBytes?: number } = {},
  ) {
    const fd = socketFd(socket);
    this.fd = fd >= 0 && loadSendTo() !== null ? fd : -1;
    this.v6 = socket.address().family === "IPv6";
    const calls = this.fd >= 0 && !this.v6 && opts.batch !== false ? loadMmsgCalls() : null;
    if (calls !== null) {
      const slotBytes = opts.slotBytes ?? 65536;
      const rx = new MmsgRing(RECEIVE_BURST - 1, slotBytes);
      const tx = new MmsgRing(SEND_BATCH, slotBytes);
      this.rings.push(rx, tx);
      this.mmsgRx = new MmsgReceiver(rx, calls, 16); // sockaddr_in
      this.mmsgTx = new MmsgSender(tx, calls);
    }
    this.deliverSlot = (data, ring, slot) => {
      const at = ring.addrOffset(slot);
      this.deliverTo!(data, this.senderOf(ring.mem, at));
    };
    socket.on("message", (msg, rinfo) => {
      const receiver = this.receiver;
      if (receiver === undefined) return;
      receiver(msg, formatEndpoint(rinfo.address, rinfo.port));
      if (this.fd < 0 || this.v6 || this.closed) return;
      if (this.mmsgRx !== undefined) {
        this.deliverTo = receiver;
        this.mmsgRx.receive(this.fd, RECEIVE_BURST - 1, this.deliverSlot);
      } else this.drain(receiver);
    });
    // Why: ICMP port-unreachable from a dead peer surfaces as a socket error; UDP is best effort.
    socket.on("error", () => undefined);
  }

  /** Received datagrams longer than a batch slot (dropped; 0 with the default 64 KiB slots). */
  get truncated(): number {
    return this.mmsgRx?.truncated ?? 0;
  }

  /** Whether sends and receives go in sendmmsg/recvmmsg batches. */
  get batched(): boolean {
    return this.mmsgRx !== undefined;
  }

  /** The socket's buffer sizes as the kernel reports them (it doubles what was asked). */
  bufferSizes(): { recv: number; send: number } {
    return { recv: this.socket.getRecvBufferSize(), send: this.socket.getSendBufferSize() };
  }

  /** The sender of a sockaddr_in at mem[at]: "a.b.c.d:port", one string per sender. */
  private senderOf(sa: Uint8Array, at: number): Endpoint {
    const port = (sa[at + 2]! << 8) | sa[at + 3]!;
    const key =
      ((sa[at + 4]! << 24) | (sa[at + 5]! << 16) | (sa[at + 6]! << 8) | sa[at + 7]!) * 65536 + port;
    let from = this.senders.get(key);
    if (from === undefined) {
      from = `${sa[at + 4]}.${sa[at + 5]}.${sa[at + 6]}.${sa[at + 7]}:${port}`;
      if (this.senders.size >= 1024) this.senders.clear();
      this.senders.set(key, from);
    }
    return from;
  }

  /** Hands what else is queued in the socket to `receiver`, one recvfrom each (no batches). */
  private drain(receiver: (data: Uint8Array, from: Endpoint) => void): void {
    const recv = recvfrom!;
    const buf = this.rxBuf;
    const sa = this.rxAddr;
    for (let k = 1; k < RECEIVE_BURST && !this.closed; k++) {
      this.rxAddrLen[0] = sa.length;
      const n = recv(this.fd, buf, buf.length, MSG_DONTWAIT, sa, this.rxAddrLen);
      // EAGAIN ends the burst; any other error shows on libuv's next receive.
      if (n < 0) return;
      receiver(buf.subarray(0, n), this.senderOf(sa, 0));
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
    if (t.sa !== undefined && this.mmsgTx !== undefined) {
      first = this.mmsgTx.send(this.fd, datagrams, 0, t.sa);
      if (first === datagrams.length) return Promise.resolve();
    } else if (t.sa !== undefined) {
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
    // The rings' memory goes once the socket is closed: no receive can run after that.
    return new Promise((resolve) =>
      this.socket.close(() => {
        for (const r of this.rings) r.free();
        resolve();
      }),
    );
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
  setBufferSizes(socket, bytes);
  const addr = socket.address();
  const batch = opts.batch ?? process.env.VPCEMU_UNDERLAY_MMSG !== "0";
  return new UdpTransport(socket, formatEndpoint(addr.address, addr.port), {
    batch,
    slotBytes: opts.slotBytes,
  });
}

/**
 * Sets both buffers to `bytes`: SO_*BUFFORCE first (root or CAP_NET_ADMIN: not capped by
 * net.core.rmem_max/wmem_max), else dgram's SO_*BUF (capped; best effort).
 */
function setBufferSizes(socket: dgram.Socket, bytes: number): void {
  const fd = socketFd(socket);
  const val = Int32Array.of(bytes);
  if (fd >= 0 && loadSendTo() !== null && setsockopt !== undefined) {
    const r = setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, val, 4);
    const s = setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, val, 4);
    if (r === 0 && s === 0) return;
  }
  try {
    socket.setRecvBufferSize(bytes);
    socket.setSendBufferSize(bytes);
  } catch {
    // Best effort: the kernel caps buffer sizes (net.core.rmem_max).
  }
}
