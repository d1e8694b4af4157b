/**
 * Batched UDP system calls for the underlay socket: recvmmsg(2) and sendmmsg(2) through koffi,
 * one call per burst instead of one recvfrom/sendto per datagram.
 *
 * The vectors live in native memory allocated once per ring (koffi.alloc), laid out as Linux
 * LP64 (x86_64, arm64) defines them, so a call marshals nothing (the vector's address goes as an
 * integer) and received datagrams are read in place through an ArrayBuffer view of that memory:
 *
 *   struct iovec   { void *iov_base; size_t iov_len; }                                 16 bytes
 *   struct msghdr  { void *msg_name @0; socklen_t msg_namelen @8; struct iovec *msg_iov @16;
 *                    size_t msg_iovlen @24; void *msg_control @32; size_t msg_controllen @40;
 *                    int msg_flags @48; }                                              56 bytes
 *   struct mmsghdr { struct msghdr msg_hdr @0; unsigned int msg_len @56; }              64 bytes
 *
 * (checked against koffi's C struct layout and a C compiler in
 * test/unit/node-agent/overlay/mmsg.test.ts). Native memory of a ring is freed by free(), which
 * its owner calls only once nothing can read its views any more.
 */
import koffi from "koffi";

export const MMSGHDR_BYTES = 64;
export const MSGHDR_NAMELEN = 8;
export const MSGHDR_IOV = 16;
export const MSGHDR_IOVLEN = 24;
export const MSGHDR_FLAGS = 48;
export const MMSGHDR_LEN = 56;
export const IOVEC_BYTES = 16;
/** struct sockaddr_in6 (28) rounded up; sockaddr_in is 16. */
const SOCKADDR_BYTES = 32;
/** msg_flags: the datagram was longer than its buffer (the rest is lost). */
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const EAGAIN = 11;
export const ENOBUFS = 105;

/** The system calls a ring uses; `vec` is the native address of the first mmsghdr. */
export interface MmsgCalls {
  recvmmsg(fd: number, vec: number, n: number, flags: number): number;
  sendmmsg(fd: number, vec: number, n: number, flags: number): number;
  /** errno of the last failed call. */
  errno(): number;
}

let libcCalls: MmsgCalls | null | undefined;

/** recvmmsg/sendmmsg of libc, or null where they cannot load (then the caller goes without). */
export function loadMmsgCalls(): MmsgCalls | null {
  if (libcCalls !== undefined) return libcCalls;
  try {
    const lib = koffi.load("libc.so.6");
    const recv = lib.func(
      "int recvmmsg(int fd, uintptr_t vec, unsigned int n, int flags, void *t)",
    );
    const send = lib.func("int sendmmsg(int fd, uintptr_t vec, unsigned int n, int flags)");
    libcCalls = {
      recvmmsg: (fd, vec, n, flags) => recv(fd, vec, n, flags, null) as number,
      sendmmsg: (fd, vec, n, flags) => send(fd, vec, n, flags) as number,
      errno: () => koffi.errno(),
    };
  } catch {
    libcCalls = null;
  }
  return libcCalls;
}

/**
 * `slots` mmsghdrs, each with one iovec over its own `slotBytes` buffer and its own sockaddr,
 * in one native block: [mmsghdr x slots][iovec x slots][sockaddr x slots][buffers].
 */
export class MmsgRing {
  /** The whole native block, readable and writable from JavaScript. */
  readonly mem: Uint8Array;
  readonly view: DataView;
  /** Native address of the first mmsghdr. */
  readonly vec: number;
  private readonly ptr: unknown;
  private readonly iovAt: number;
  private readonly addrAt: number;
  private readonly dataAt: number;
  /**
   * Bytes from one slot's buffer to the next: the size rounded up to a cache line plus an odd
   * number of lines, so slots 64 KiB apart do not all land in the same cache sets.
   */
  private readonly stride: number;
  private freed = false;

  constructor(
    readonly slots: number,
    readonly slotBytes: number,
  ) {
    this.iovAt = slots * MMSGHDR_BYTES;
    this.addrAt = this.iovAt + slots * IOVEC_BYTES;
    this.dataAt = this.addrAt + slots * SOCKADDR_BYTES;
    this.stride = ((slotBytes + 63) & ~63) + 5 * 64;
    const total = this.dataAt + slots * this.stride;
    this.ptr = koffi.alloc("uint8_t", total);
    this.vec = Number(koffi.address(this.ptr));
    this.mem = new Uint8Array(koffi.view(this.ptr, total));
    this.mem.fill(0, 0, this.dataAt);
    this.view = new DataView(this.mem.buffer, this.mem.byteOffset, this.mem.byteLength);
    for (let i = 0; i < slots; i++) {
      const h = i * MMSGHDR_BYTES;
      this.setPtr(h, this.vec + this.addrAt + i * SOCKADDR_BYTES); // msg_name
      this.setPtr(h + MSGHDR_IOV, this.vec + this.iovAt + i * IOVEC_BYTES);
      this.setPtr(h + MSGHDR_IOVLEN, 1);
      const v = this.iovAt + i * IOVEC_BYTES;
      this.setPtr(v, this.vec + this.dataAt + i * this.stride); // iov_base
      this.setPtr(v + 8, slotBytes); // iov_len
    }
  }

  private setPtr(at: number, value: number): void {
    this.view.setBigUint64(at, BigInt(value), true);
  }

  /** Offset in `mem` of slot i's buffer. */
  dataOffset(i: number): number {
    return this.dataAt + i * this.stride;
  }

  /** Offset in `mem` of slot i's sockaddr. */
  addrOffset(i: number): number {
    return this.addrAt + i * SOCKADDR_BYTES;
  }

  /** Sets slot i's msg_namelen (the kernel writes back the sender's length on receive). */
  setNameLen(i: number, n: number): void {
    this.view.setUint32(i * MMSGHDR_BYTES + MSGHDR_NAMELEN, n, true);
  }

  /** Sets slot i's iov_len (send: the datagram's length; receive: the buffer's size). */
  setIovLen(i: number, n: number): void {
    // Why two 32-bit writes: no BigInt per datagram (n < 2^32, little-endian size_t).
    const at = this.iovAt + i * IOVEC_BYTES + 8;
    this.view.setUint32(at, n, true);
    this.view.setUint32(at + 4, 0, true);
  }

  /** msg_len of slot i after a call: bytes received or sent. */
  msgLen(i: number): number {
    return this.view.getUint32(i * MMSGHDR_BYTES + MMSGHDR_LEN, true);
  }

  /** msg_flags of slot i after recvmmsg (MSG_TRUNC). */
  msgFlags(i: number): number {
    return this.view.getInt32(i * MMSGHDR_BYTES + MSGHDR_FLAGS, true);
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    koffi.free(this.ptr);
  }
}

/**
 * Sends datagrams to one destination with sendmmsg(2), copying each into a slot (a copy into
 * memory the kernel reads anyway, cheaper than a system call per datagram). A datagram longer
 * than a slot stops the batch there: the caller sends it, and the rest, itself (see send()).
 */
export class MmsgSender {
  /** The sockaddr every slot holds now (a batch goes to one destination, most to the last one). */
  private slotsSa: Uint8Array | undefined;

  constructor(
    private readonly ring: MmsgRing,
    private readonly calls: MmsgCalls,
  ) {}

  private setDestination(sa: Uint8Array): void {
    const ring = this.ring;
    for (let n = 0; n < ring.slots; n++) {
      ring.mem.set(sa, ring.addrOffset(n));
      ring.setNameLen(n, sa.length);
    }
    this.slotsSa = sa;
  }

  /**
   * Sends datagrams[first..] to the sockaddr `sa` and returns the index of the first one not
   * sent: datagrams.length when all went (or were lost to an error other than a full buffer,
   * such as ECONNREFUSED: UDP is best effort), less when the socket buffer is full (EAGAIN,
   * ENOBUFS) or a datagram does not fit a slot; the caller sends the rest another way.
   * Partial sends (the kernel took k < n) continue from the first datagram not taken.
   */
  send(fd: number, datagrams: readonly Uint8Array[], first: number, sa: Uint8Array): number {
    const ring = this.ring;
    const { mem, slots, slotBytes } = ring;
    if (sa !== this.slotsSa) this.setDestination(sa);
    let i = first;
    while (i < datagrams.length) {
      let n = 0;
      while (n < slots && i + n < datagrams.length) {
        const d = datagrams[i + n]!;
        if (d.length > slotBytes) break;
        mem.set(d, ring.dataOffset(n));
        ring.setIovLen(n, d.length);
        n++;
      }
      if (n === 0) return i; // too long for a slot
      const r = this.calls.sendmmsg(fd, ring.vec, n, MSG_DONTWAIT);
      if (r > 0) {
        i += r;
        continue;
      }
      const e = this.calls.errno();
      if (e === EAGAIN || e === ENOBUFS) return i;
      i++; // the first datagram failed (ECONNREFUSED from a dead peer...): lost
    }
    return i;
  }
}

/** One received datagram of a burst: its bytes (valid until the next receive) and sender. */
export type MmsgDelivery = (data: Uint8Array, ring: MmsgRing, slot: number) => void;

/**
 * Receives up to `max` datagrams with one recvmmsg(2) (MSG_DONTWAIT) and hands each to
 * `deliver`, its bytes a view of the ring's slot. A datagram longer than a slot (MSG_TRUNC) is
 * not delivered and counted in `truncated`. Returns the number received, 0 when the socket was
 * empty or the call failed.
 */
export class MmsgReceiver {
  truncated = 0;
  /** Slots whose msg_namelen the kernel may have rewritten since it was last set. */
  private dirty: number;

  constructor(
    readonly ring: MmsgRing,
    private readonly calls: MmsgCalls,
    private readonly nameLen: number,
  ) {
    this.dirty = ring.slots; // iov_len stays as the ring set it: the kernel does not write it
  }

  /** See the class comment; `max` is at most the ring's slots. */
  receive(fd: number, max: number, deliver: MmsgDelivery): number {
    const ring = this.ring;
    for (let i = 0; i < this.dirty; i++) ring.setNameLen(i, this.nameLen);
    this.dirty = 0;
    const r = this.calls.recvmmsg(fd, ring.vec, Math.min(max, ring.slots), MSG_DONTWAIT);
    if (r <= 0) return 0;
    this.dirty = r;
    const mem = ring.mem;
    for (let i = 0; i < r; i++) {
      if ((ring.msgFlags(i) & MSG_TRUNC) !== 0) {
        this.truncated++;
        continue;
      }
      const at = ring.dataOffset(i);
      deliver(mem.subarray(at, at + ring.msgLen(i)), ring, i);
    }
    return r;
  }
}
