/**
 * The layer-3 TUN interface (STYLE.md §4.1, §5): the only way packets enter and leave an ENI.
 * Raw IP packets, no link header and no packet-information prefix (IFF_NO_PI). Batched so one
 * call moves many packets; `offset` lets a caller keep headroom in front of every packet (the
 * Geneve header is later written there without a copy, overlay/geneve.ts).
 *
 * Implementations: LinuxTun (tun/linux-tun.ts, a real /dev/net/tun device) and FakeTun
 * (test/helpers/fake-tun.ts, in memory).
 */
export interface TunDevice {
  /** Interface name as the kernel knows it ("" for in-memory devices). */
  readonly name: string;
  /** Largest packet the device carries; callers size buffers to offset + mtu. */
  readonly mtu: number;
  /** Preferred number of buffers per readBatch/writeBatch call. */
  readonly batchSize: number;
  /**
   * Set when the device passes TUN offload metadata (IFF_VNET_HDR, packet/virtio-net.ts); absent:
   * plain packets only. Then readBatch puts each packet's virtio header in the VNET_HDR_LEN bytes
   * before `offset` and may produce super-packets of up to `maxPacket` bytes (a packet that does
   * not fit bufs[n] for n > 0 waits for the next call: callers size their first buffers for
   * super-packets); writeBatch reads each packet's header from the VNET_HDR_LEN bytes before
   * `offset` (zeros: a plain packet) and accepts super-packets of the types it names.
   */
  readonly offload?: TunOffload;
  /**
   * Waits for at least one packet, then fills bufs[i] from `offset` (up to bufs.length packets),
   * sets sizes[i] to each packet's length and resolves with the count (≥ 1). A packet longer than
   * bufs[i].length - offset is discarded. Rejects with TunClosedError once the device is closed.
   * Only one readBatch may be pending at a time.
   */
  readBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number>;
  /**
   * Writes packets bufs[i][offset, offset + sizes[i]) for i < sizes.length (towards the
   * applications in the namespace). Resolves with how many the kernel accepted; a refused packet is
   * dropped, not retried. The buffers may be reused as soon as the promise resolves.
   */
  writeBatch(bufs: Uint8Array[], sizes: number[], offset: number): Promise<number>;
  /** Releases the device; pending and later reads reject. Idempotent. */
  close(): Promise<void>;
}

/** What a device with IFF_VNET_HDR was allowed to do (TUNSETOFFLOAD's TUN_F_* bits). */
export interface TunOffload {
  /** TUN_F_CSUM: packets may come with NEEDS_CSUM (a checksum to complete). */
  readonly csum: boolean;
  /** TUN_F_TSO4 / TUN_F_TSO6: TCP super-packets (gso_type TCPV4 / TCPV6) both ways. */
  readonly tso4: boolean;
  readonly tso6: boolean;
  /** TUN_F_USO4 | TUN_F_USO6: UDP super-packets (gso_type UDP_L4). */
  readonly uso: boolean;
  /** Largest packet readBatch produces (65535 with TSO or USO; 0: no super-packets). */
  readonly maxPacket: number;
  /**
   * writeBatch has written every packet before it returns (LinuxTun: write(2) calls), so a
   * caller may hand it a buffer that is only valid during its own call (TunWriter writes
   * super-packets straight from the received datagram).
   */
  readonly writesAtOnce: boolean;
}

/** Thrown by readBatch/writeBatch once the device is closed. */
export class TunClosedError extends Error {
  constructor(name: string) {
    super(`TUN device ${name || "(memory)"} is closed`);
    this.name = "TunClosedError";
  }
}

/**
 * A TUN device could not be created or configured. `code` names the cause; the message says
 * what to do (run as root, install iproute2, ...).
 */
export class TunSetupError extends Error {
  constructor(
    readonly code:
      | "EMU_ERR_TUN_NOT_PERMITTED"
      | "EMU_ERR_TUN_NO_DEVICE"
      | "EMU_ERR_TUN_NO_IPROUTE2"
      | "EMU_ERR_TUN_NATIVE"
      | "EMU_ERR_TUN_CONFIGURE",
    message: string,
  ) {
    super(message);
    this.name = "TunSetupError";
  }
}
