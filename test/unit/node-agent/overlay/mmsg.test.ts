/**
 * The underlay's sendmmsg/recvmmsg batches (overlay/mmsg.ts, overlay/udp-transport.ts):
 * struct layouts, bursts through real loopback sockets, truncated datagrams, datagrams too long
 * for a slot, socket buffer sizes; partial sends and a full socket buffer (EAGAIN), which
 * loopback UDP cannot be made to produce on demand, through scripted system call results on the
 * real native ring.
 */
import koffi from "koffi";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EAGAIN,
  IOVEC_BYTES,
  MMSGHDR_BYTES,
  MMSGHDR_LEN,
  MSGHDR_FLAGS,
  MSGHDR_IOV,
  MSGHDR_IOVLEN,
  MSGHDR_NAMELEN,
  MmsgRing,
  MmsgSender,
  type MmsgCalls,
} from "../../../../node-agent/overlay/mmsg.js";
import {
  openUdpTransport,
  type UdpTransport,
} from "../../../../node-agent/overlay/udp-transport.js";

describe("mmsghdr layout", () => {
  it("matches the C layout of struct iovec, msghdr and mmsghdr (LP64)", () => {
    const iovec = koffi.struct("h8_iovec", { iov_base: "void *", iov_len: "size_t" });
    const msghdr = koffi.struct("h8_msghdr", {
      msg_name: "void *",
      msg_namelen: "uint32_t",
      msg_iov: "void *",
      msg_iovlen: "size_t",
      msg_control: "void *",
      msg_controllen: "size_t",
      msg_flags: "int",
    });
    const mmsghdr = koffi.struct("h8_mmsghdr", { msg_hdr: msghdr, msg_len: "unsigned int" });
    expect(koffi.sizeof(iovec)).toBe(IOVEC_BYTES);
    expect(koffi.sizeof(mmsghdr)).toBe(MMSGHDR_BYTES);
    expect(koffi.offsetof(msghdr, "msg_namelen")).toBe(MSGHDR_NAMELEN);
    expect(koffi.offsetof(msghdr, "msg_iov")).toBe(MSGHDR_IOV);
    expect(koffi.offsetof(msghdr, "msg_iovlen")).toBe(MSGHDR_IOVLEN);
    expect(koffi.offsetof(msghdr, "msg_flags")).toBe(MSGHDR_FLAGS);
    expect(koffi.offsetof(mmsghdr, "msg_len")).toBe(MMSGHDR_LEN);
  });
});

describe("MmsgSender with scripted system call results", () => {
  /** Records what each sendmmsg call would send (read back from the ring's native memory). */
  function scripted(ring: MmsgRing, results: Array<[number, number]>) {
    const calls: number[][][] = [];
    let errno = 0;
    const sys: MmsgCalls = {
      recvmmsg: () => -1,
      sendmmsg: (_fd, vec, n) => {
        expect(vec).toBe(ring.vec);
        const sent: number[][] = [];
        for (let i = 0; i < n; i++) {
          const v = ring.view;
          const iov = Number(v.getBigUint64(i * MMSGHDR_BYTES + MSGHDR_IOV, true)) - ring.vec;
          const base = Number(v.getBigUint64(iov, true)) - ring.vec;
          const len = Number(v.getBigUint64(iov + 8, true));
          expect(v.getUint32(i * MMSGHDR_BYTES + MSGHDR_NAMELEN, true)).toBe(16);
          sent.push([...ring.mem.subarray(base, base + len)]);
        }
        calls.push(sent);
        const [r, e] = results.shift() ?? [n, 0];
        errno = e;
        return r;
      },
      errno: () => errno,
    };
    return { sys, calls };
  }
  const sa = new Uint8Array(16);
  const dgrams = Array.from({ length: 5 }, (_, i) => Uint8Array.of(i, i, i));

  it("goes on from the first datagram a partial send did not take", () => {
    const ring = new MmsgRing(4, 64);
    const { sys, calls } = scripted(ring, [[3, 0]]);
    expect(new MmsgSender(ring, sys).send(3, dgrams, 0, sa)).toBe(5);
    // first call: 4 of 5 (the ring has 4 slots), the kernel took 3; then 3 and 4
    expect(calls.map((c) => c.map((d) => d[0]))).toEqual([
      [0, 1, 2, 3],
      [3, 4],
    ]);
    ring.free();
  });

  it("stops at a full socket buffer (EAGAIN) and returns the first datagram not sent", () => {
    const ring = new MmsgRing(4, 64);
    const { sys, calls } = scripted(ring, [
      [2, 0],
      [-1, EAGAIN],
    ]);
    expect(new MmsgSender(ring, sys).send(3, dgrams, 0, sa)).toBe(2);
    expect(calls.length).toBe(2);
    ring.free();
  });

  it("loses a datagram the kernel refused with another error (ECONNREFUSED) and sends the rest", () => {
    const ring = new MmsgRing(8, 64);
    const { sys, calls } = scripted(ring, [[-1, 111]]);
    expect(new MmsgSender(ring, sys).send(3, dgrams, 1, sa)).toBe(5);
    expect(calls.map((c) => c.map((d) => d[0]))).toEqual([
      [1, 2, 3, 4],
      [2, 3, 4],
    ]);
    ring.free();
  });

  it("stops before a datagram longer than a slot", () => {
    const ring = new MmsgRing(8, 4);
    const { sys, calls } = scripted(ring, []);
    const mixed = [Uint8Array.of(1), Uint8Array.of(2), new Uint8Array(5), Uint8Array.of(3)];
    expect(new MmsgSender(ring, sys).send(3, mixed, 0, sa)).toBe(2);
    expect(calls).toEqual([[[1], [2]]]);
    ring.free();
  });
});

describe("UdpTransport batches (loopback only)", () => {
  const open: UdpTransport[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  function collect(t: UdpTransport, count: number): Promise<Array<[number, number, string]>> {
    const got: Array<[number, number, string]> = [];
    return new Promise((resolve) =>
      t.onReceive((data, from) => {
        got.push([data[0]!, data.length, from]);
        if (got.length === count) resolve(got);
      }),
    );
  }

  it("sends and receives bursts in order, with the sender's endpoint", async () => {
    const a = await openUdpTransport({ batch: true });
    const b = await openUdpTransport({ batch: true });
    open.push(a, b);
    expect(a.batched && b.batched).toBe(true);
    const got = collect(b, 300);
    const batch = Array.from({ length: 300 }, (_, i) => new Uint8Array(64 + (i % 7)).fill(i));
    await a.sendBatch(batch, b.localEndpoint);
    const r = await got;
    expect(r.map(([v, len]) => [v, len])).toEqual(batch.map((d) => [d[0], d.length]));
    expect(new Set(r.map(([, , from]) => from))).toEqual(new Set([a.localEndpoint]));
    expect(b.truncated).toBe(0);
  });

  it("sends each batch to its own destination when destinations alternate", async () => {
    const a = await openUdpTransport({ batch: true });
    const b = await openUdpTransport();
    const c = await openUdpTransport();
    open.push(a, b, c);
    const gotB = collect(b, 30);
    const gotC = collect(c, 60);
    for (let i = 0; i < 30; i++) {
      await a.sendBatch([Uint8Array.of(i)], b.localEndpoint);
      await a.sendBatch([Uint8Array.of(100 + i), Uint8Array.of(100 + i)], c.localEndpoint);
    }
    expect((await gotB).map(([v]) => v)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect((await gotC).map(([v]) => v)).toEqual(
      Array.from({ length: 30 }, (_, i) => [100 + i, 100 + i]).flat(),
    );
  });

  it("drops and counts received datagrams longer than a slot, delivers the others", async () => {
    const a = await openUdpTransport({ batch: false }); // synchronous sendto: all queued at once
    const b = await openUdpTransport({ batch: true, slotBytes: 128 });
    open.push(a, b);
    const got: Array<[number, number]> = [];
    b.onReceive((data) => got.push([data[0]!, data.length]));
    // The first comes through dgram's message event, the rest in one recvmmsg
    const batch = Array.from({ length: 11 }, (_, i) => new Uint8Array(i % 2 ? 200 : 100).fill(i));
    await a.sendBatch(batch, b.localEndpoint);
    await vi.waitFor(() => expect(got.length + b.truncated).toBe(11));
    expect(got).toEqual([0, 2, 4, 6, 8, 10].map((i) => [i, 100]));
    expect(b.truncated).toBe(5);
  });

  it("sends a datagram longer than a slot, and what follows it, through dgram", async () => {
    const a = await openUdpTransport({ batch: true, slotBytes: 128 });
    const b = await openUdpTransport();
    open.push(a, b);
    const got = collect(b, 3);
    await a.sendBatch(
      [Uint8Array.of(1), new Uint8Array(1000).fill(2), Uint8Array.of(3)],
      b.localEndpoint,
    );
    expect((await got).map(([v, len]) => [v, len])).toEqual([
      [1, 1],
      [2, 1000],
      [3, 1],
    ]);
  });

  it.runIf(process.getuid?.() === 0)(
    "sets socket buffers beyond net.core.rmem_max when root (SO_RCVBUFFORCE)",
    async () => {
      const a = await openUdpTransport({ bufferBytes: 48 * 1024 * 1024 });
      open.push(a);
      // The kernel doubles the value asked (socket(7)).
      expect(a.bufferSizes()).toEqual({ recv: 96 * 1024 * 1024, send: 96 * 1024 * 1024 });
    },
  );
});
