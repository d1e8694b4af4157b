/**
 * The native side of a Linux TUN device: libc through koffi (open, ioctl, read, write, close,
 * mknod), the /dev/net/tun node, opening one queue of a device (TUNSETIFF) and its offload
 * (IFF_VNET_HDR, TUNSETVNETHDRSZ, TUNSETOFFLOAD: enableOffload). The only
 * native calls of the project's TUN code live here; the readers (tun-loop-queue.ts,
 * tun-worker-queue.ts) and the device (linux-tun.ts) use them.
 */
import { mkdirSync } from "node:fs";
import koffi from "koffi";
import { TunSetupError } from "./tun-device.js";

/** linux/if_tun.h */
export const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_VNET_HDR = 0x4000;
/** _IOW('T', 208, unsigned int): the offloads the agent can take (TUN_F_*). */
const TUNSETOFFLOAD = 0x400454d0;
/** _IOW('T', 216, int): the virtio header length in front of every packet. */
const TUNSETVNETHDRSZ = 0x400454d8;
/** linux/if_tun.h TUN_F_*. */
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;
export const TUN_F_USO4 = 0x20;
export const TUN_F_USO6 = 0x40;
const EINVAL = 22;
/** fcntl.h (x86_64 and aarch64 share these values). */
const O_RDWR = 0x2;
const O_NONBLOCK = 0x800;
const O_CLOEXEC = 0x80000;
const S_IFCHR = 0o020000;
const EPERM = 1;
const ENOENT = 2;
const EACCES = 13;
const EBUSY = 16;
const IFNAMSIZ = 16;
const IFREQ_SIZE = 40;

export interface Libc {
  open(path: string, flags: number): number;
  ioctl(fd: number, req: number, arg: Uint8Array): number;
  /** ioctl with an integer argument (TUNSETOFFLOAD takes the value, not a pointer). */
  ioctlInt(fd: number, req: number, arg: number): number;
  write(fd: number, buf: Uint8Array, n: number): number;
  read(fd: number, buf: Uint8Array, n: number): number;
  close(fd: number): number;
  mknod(path: string, mode: number, dev: number): number;
}

let libc: Libc | undefined;

/** libc's functions (loaded once); throws TunSetupError without glibc. */
export function loadLibc(): Libc {
  if (libc) return libc;
  try {
    const lib = koffi.load("libc.so.6");
    libc = {
      open: lib.func("int open(const char *path, int flags)"),
      ioctl: lib.func("int ioctl(int fd, unsigned long req, void *arg)"),
      ioctlInt: lib.func("ioctl", "int", ["int", "unsigned long", "unsigned long"]),
      write: lib.func("long write(int fd, void *buf, unsigned long n)"),
      read: lib.func("long read(int fd, void *buf, unsigned long n)"),
      close: lib.func("int close(int fd)"),
      mknod: lib.func("int mknod(const char *path, unsigned int mode, unsigned long dev)"),
    } as Libc;
  } catch (err) {
    throw new TunSetupError(
      "EMU_ERR_TUN_NATIVE",
      `cannot load libc through koffi (Linux with glibc is required): ${(err as Error).message}`,
    );
  }
  return libc;
}

/**
 * Makes sure the TUN character device exists (a container sidecar may lack it): creates
 * `devicePath` as char 10:200 with mode 0600 when missing.
 */
export function ensureTunDeviceNode(devicePath = "/dev/net/tun"): void {
  const c = loadLibc();
  const fd = c.open(devicePath, O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    c.close(fd);
    return;
  }
  const err = koffi.errno();
  if (err !== ENOENT) throw openError(devicePath, err);
  mkdirSync(devicePath.slice(0, devicePath.lastIndexOf("/")), { recursive: true });
  // makedev(10, 200) = (10 << 8) | 200 for small numbers.
  if (c.mknod(devicePath, S_IFCHR | 0o600, (10 << 8) | 200) !== 0) {
    const e = koffi.errno();
    throw new TunSetupError(
      e === EPERM || e === EACCES ? "EMU_ERR_TUN_NOT_PERMITTED" : "EMU_ERR_TUN_NO_DEVICE",
      `${devicePath} is missing and mknod failed (errno ${e}): run as root with CAP_MKNOD, or ` +
        `pass the device in (docker run --device /dev/net/tun)`,
    );
  }
}

function openError(path: string, err: number): TunSetupError {
  if (err === EPERM || err === EACCES) {
    return new TunSetupError(
      "EMU_ERR_TUN_NOT_PERMITTED",
      `cannot open ${path} (errno ${err}): the agent needs root or CAP_NET_ADMIN`,
    );
  }
  if (err === ENOENT) {
    return new TunSetupError(
      "EMU_ERR_TUN_NO_DEVICE",
      `${path} does not exist: load the tun module (modprobe tun) or run as root so it can be created`,
    );
  }
  return new TunSetupError("EMU_ERR_TUN_NATIVE", `cannot open ${path} (errno ${err})`);
}

/** Opens one queue of the device `name` (TUNSETIFF); returns its fd and the kernel's name. */
export function openQueue(
  c: Libc,
  devicePath: string,
  name: string,
  multiQueue: boolean,
  vnetHdr = false,
): { fd: number; name: string } {
  const fd = c.open(devicePath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw openError(devicePath, koffi.errno());
  const ifr = new Uint8Array(IFREQ_SIZE);
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length >= IFNAMSIZ) {
    c.close(fd);
    throw new TunSetupError("EMU_ERR_TUN_CONFIGURE", `interface name '${name}' exceeds 15 bytes`);
  }
  ifr.set(nameBytes, 0);
  const flags =
    IFF_TUN | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0) | (vnetHdr ? IFF_VNET_HDR : 0);
  new DataView(ifr.buffer).setUint16(IFNAMSIZ, flags, true);
  if (c.ioctl(fd, TUNSETIFF, ifr) !== 0) {
    const err = koffi.errno();
    c.close(fd);
    if (err === EPERM || err === EACCES) {
      throw new TunSetupError(
        "EMU_ERR_TUN_NOT_PERMITTED",
        `TUNSETIFF on '${name}' refused (errno ${err}): the agent needs root or CAP_NET_ADMIN`,
      );
    }
    if (err === EBUSY) {
      throw new TunSetupError("EMU_ERR_TUN_CONFIGURE", `interface '${name}' already exists`);
    }
    throw new TunSetupError("EMU_ERR_TUN_NATIVE", `TUNSETIFF on '${name}' failed (errno ${err})`);
  }
  // The kernel writes the final name back (it expands %d).
  const end = ifr.indexOf(0);
  return { fd, name: new TextDecoder().decode(ifr.subarray(0, end < 0 ? IFNAMSIZ : end)) };
}

/**
 * Turns on offload for a queue opened with IFF_VNET_HDR: the 10-byte virtio header
 * (TUNSETVNETHDRSZ), then TUNSETOFFLOAD with the largest set the kernel accepts, tried in order:
 * CSUM|TSO4|TSO6|USO4|USO6 (USO: Linux >= 6.2), CSUM|TSO4|TSO6, CSUM, none. Returns the TUN_F_*
 * bits in force, or -1 when the header length was refused (the caller then reopens without
 * IFF_VNET_HDR). Never throws.
 */
export function enableOffload(c: Libc, fd: number): number {
  const sz = new Uint8Array(4);
  new DataView(sz.buffer).setInt32(0, 10, true);
  if (c.ioctl(fd, TUNSETVNETHDRSZ, sz) !== 0) return -1;
  const tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
  for (const f of [tso | TUN_F_USO4 | TUN_F_USO6, tso, TUN_F_CSUM, 0]) {
    if (c.ioctlInt(fd, TUNSETOFFLOAD, f) === 0) return f;
    if (koffi.errno() !== EINVAL) break;
  }
  // Why 0 after an error other than EINVAL: the header stays; every packet is then plain.
  return c.ioctlInt(fd, TUNSETOFFLOAD, 0) === 0 ? 0 : -1;
}
