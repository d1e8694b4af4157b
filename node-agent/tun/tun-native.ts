/**
 * The native side of a Linux TUN device: libc through koffi (open, ioctl, read, write, close,
 * mknod), the /dev/net/tun node, and opening one queue of a device (TUNSETIFF). The only
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
  const flags = IFF_TUN | IFF_NO_PI | (multiQueue ? IFF_MULTI_QUEUE : 0);
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
