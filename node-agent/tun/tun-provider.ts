/**
 * Makes the TUN device of each port the agent hosts (an ENI, or an external node), placed and
 * configured. The agent asks for one when a snapshot brings an ENI (its addresses known only
 * then) or at start for an external node. LinuxTunProvider does it for real; tests pass a
 * provider of FakeTuns (test/helpers/fake-tun.ts).
 */
import { randomBytes } from "node:crypto";
import { tunNameFor, type TunPlacementMode } from "../config.js";
import { DEFAULT_TUN_MTU, openLinuxTun, tunOffloadWanted } from "./linux-tun.js";
import type { TunDevice } from "./tun-device.js";
import {
  placeTun,
  removeTun,
  setTunAddresses,
  setTunHostRoutes,
  type PlacedTun,
} from "./tun-placement.js";

/** What the agent asks a provider for. */
export interface TunSpec {
  /** The port's key: ENI id, or "ext:<name>". */
  readonly key: string;
  /** 0, 1, ... in the order the agent created its ports (eth0, eth1, ...). */
  readonly index: number;
  /** The port's addresses, primary IPv4 first. */
  readonly addresses: readonly string[];
}

/** Makes, configures and removes ports' devices; see the module comment. */
export interface TunProvider {
  /** Creates, places and configures the device; rejects with TunSetupError. */
  open(spec: TunSpec): Promise<TunDevice>;
  /** The port's addresses changed. */
  setAddresses(dev: TunDevice, addresses: readonly string[]): Promise<void>;
  /** Every emulated destination reachable through the agent (mapping table addresses). */
  setReachable(dev: TunDevice, destinations: readonly string[]): Promise<void>;
  /** Closes and removes the device. */
  close(dev: TunDevice): Promise<void>;
}

/**
 * A super-packet's largest size on a device with offload: with a Geneve header of up to 280
 * bytes (two 124-byte ENI ids, the offload option) it still fits one UDP datagram (65,507).
 */
export const TUN_GSO_MAX_SIZE = 65000;

/**
 * Real TUN devices: create in the agent's namespace, then netns move or in place. TCP offload
 * (docs/agent.md "Performance") is asked for unless `offload` is false (default: on unless
 * VPCEMU_TUN_OFFLOAD=0); the first device reports what the kernel granted through `log` (the
 * agent's logger; default: silent).
 */
export class LinuxTunProvider implements TunProvider {
  private readonly placed = new Map<TunDevice, PlacedTun>();
  private reported = false;

  constructor(
    private readonly placement: TunPlacementMode,
    private readonly baseName: string,
    private readonly mtu = DEFAULT_TUN_MTU,
    private readonly offload = tunOffloadWanted(),
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  async open(spec: TunSpec): Promise<TunDevice> {
    const finalName = tunNameFor(this.baseName, spec.index);
    // netns mode: a unique temporary name in the host namespace, renamed after the move.
    const createName =
      this.placement.kind === "netns" ? `vpct${randomBytes(4).toString("hex")}` : finalName;
    const dev = await openLinuxTun({ name: createName, mtu: this.mtu, offload: this.offload });
    if (this.offload && !this.reported) {
      this.reported = true;
      const o = dev.offload;
      const on =
        o === undefined ? [] : (["csum", "tso4", "tso6", "uso"] as const).filter((k) => o[k]);
      this.log(
        `TUN offload ${on.length > 0 ? on.join(" ") : "refused by the kernel (plain packets)"}`,
      );
    }
    try {
      const placed = await placeTun({
        device: dev.name,
        ...(this.placement.kind === "netns" ? { netns: this.placement.netns } : {}),
        nameInNode: finalName,
        mtu: this.mtu,
        index: spec.index,
        ...(dev.offload !== undefined ? { gsoMaxSize: TUN_GSO_MAX_SIZE } : {}),
      });
      this.placed.set(dev, placed);
      await setTunAddresses(placed, spec.addresses);
      return dev;
    } catch (err) {
      await dev.close();
      throw err;
    }
  }

  async setAddresses(dev: TunDevice, addresses: readonly string[]): Promise<void> {
    const p = this.placed.get(dev);
    if (p) await setTunAddresses(p, addresses);
  }

  async setReachable(dev: TunDevice, destinations: readonly string[]): Promise<void> {
    // netns mode routes everything by default; in place only the emulated addresses.
    const p = this.placed.get(dev);
    if (p && this.placement.kind === "in-place") await setTunHostRoutes(p, destinations);
  }

  async close(dev: TunDevice): Promise<void> {
    const p = this.placed.get(dev);
    this.placed.delete(dev);
    await dev.close();
    if (p) await removeTun(p);
  }
}
