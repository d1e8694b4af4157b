/**
 * Puts a TUN device where its node lives and configures it with iproute2 (`ip`), through
 * child_process: no shell, arguments passed as a list.
 *
 * Two modes:
 * - netns: the device was created in the agent's (host) namespace; it is moved into the node's
 *   namespace (`ip link set DEV netns NS`), renamed there (eth0 by default), and configured with
 *   `ip -n NS ...`. The agent's fd keeps working after the move (DESIGN.md, Runtimes).
 * - in place (container sidecar): the agent already runs in the node's namespace; no move, the
 *   device is configured where it is. The namespace keeps its own interfaces (the container's
 *   underlay network), so instead of a default route the agent adds host routes for every
 *   emulated address it can reach (the mapping table), reconciled on every snapshot.
 *
 * Configuration: MTU 9001, the ENI's addresses (/32 and /128, IPv6 without DAD), no automatic
 * link-local address, link up, and routes into the TUN. In netns mode the routes are defaults
 * (v4 and v6): the namespace has only lo and this TUN, so everything leaves through the agent,
 * which forwards only to mapping-table destinations (no route out of the emulator).
 */
import { execFile } from "node:child_process";
import { TunSetupError } from "./tun-device.js";

/** Where a freshly created device goes and how it is configured (placeTun). */
export interface TunPlacement {
  /** The device's name in the agent's namespace at creation. */
  readonly device: string;
  /** Target namespace (`ip netns` name); undefined = in place. */
  readonly netns?: string;
  /** Name inside the namespace; default: eth0 (netns) or the device name (in place). */
  readonly nameInNode?: string;
  readonly mtu: number;
  /**
   * The port's position in the node (0 = the first ENI). netns mode: port 0 owns the main
   * table's default routes; port i > 0 gets its own routing table (1000 + i) with a default
   * route into its TUN, selected by `ip rule from <address>` for each of its addresses, so a
   * program bound to a second ENI's address leaves through that ENI (its source check holds).
   */
  readonly index?: number;
  /**
   * The device's largest GSO packet (`ip link set gso_max_size`), set when the device has TUN
   * offload so that a super-packet plus its Geneve header fits one underlay datagram; a kernel
   * or iproute2 without the setting leaves the default (the agent then cuts what does not fit).
   */
  readonly gsoMaxSize?: number;
}

/** Where a placed device is and how to reach it with `ip`. */
export interface PlacedTun {
  readonly netns: string | undefined;
  /** The interface name inside the node. */
  readonly name: string;
  /** netns mode, ports after the first: the routing table selected by source address. */
  readonly table: number | undefined;
}

/** First routing table of ports after the first (table = base + index). */
export const SECONDARY_TABLE_BASE = 1000;

/** Runs `ip` with args (`-n NS` prepended when netns is set); rejects with TunSetupError. */
export async function runIp(netns: string | undefined, args: readonly string[]): Promise<string> {
  const full = netns === undefined ? [...args] : ["-n", netns, ...args];
  return new Promise((resolve, reject) => {
    execFile("ip", full, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (!err) {
        resolve(stdout);
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        reject(
          new TunSetupError(
            "EMU_ERR_TUN_NO_IPROUTE2",
            "the `ip` command (iproute2) was not found: install iproute2 (apt-get install iproute2)",
          ),
        );
        return;
      }
      const text = String(stderr).trim() || err.message;
      const denied = /Operation not permitted|Permission denied/.test(text);
      reject(
        new TunSetupError(
          denied ? "EMU_ERR_TUN_NOT_PERMITTED" : "EMU_ERR_TUN_CONFIGURE",
          `ip ${full.join(" ")}: ${text}${denied ? " (the agent needs root or CAP_NET_ADMIN)" : ""}`,
        ),
      );
    });
  });
}

/**
 * Moves (netns mode) and brings up the device: MTU, no link-local address generation, link up,
 * and in netns mode default routes (v4 and v6) into it. Addresses are added by setTunAddresses.
 */
export async function placeTun(p: TunPlacement): Promise<PlacedTun> {
  let name = p.device;
  if (p.netns !== undefined) {
    await runIp(undefined, ["link", "set", "dev", p.device, "netns", p.netns]);
    name = p.nameInNode ?? "eth0";
    if (name !== p.device) await runIp(p.netns, ["link", "set", "dev", p.device, "name", name]);
  } else if (p.nameInNode !== undefined && p.nameInNode !== p.device) {
    await runIp(undefined, ["link", "set", "dev", p.device, "name", p.nameInNode]);
    name = p.nameInNode;
  }
  const ns = p.netns;
  // Why addrgenmode none: no fe80:: address, so the kernel does not send router solicitations
  // and MLD reports from a source the ENI does not own (they would count as source_check drops).
  await runIp(ns, ["link", "set", "dev", name, "addrgenmode", "none"]).catch(() => undefined);
  // Why txqueuelen 1000: the TUN default (500) drops bursts the agent would carry a moment later.
  await runIp(ns, ["link", "set", "dev", name, "mtu", String(p.mtu), "txqueuelen", "1000", "up"]);
  if (p.gsoMaxSize !== undefined) {
    await runIp(ns, ["link", "set", "dev", name, "gso_max_size", String(p.gsoMaxSize)]).catch(
      () => undefined,
    );
  }
  const index = p.index ?? 0;
  const table = ns !== undefined && index > 0 ? SECONDARY_TABLE_BASE + index : undefined;
  if (ns !== undefined) {
    const t = table === undefined ? [] : ["table", String(table)];
    await runIp(ns, ["route", "replace", "default", "dev", name, ...t]);
    await runIp(ns, ["-6", "route", "replace", "default", "dev", name, ...t]).catch(
      () => undefined,
    );
  }
  return { netns: ns, name, table };
}

/** Addresses currently on the interface (without prefix lengths). */
export async function listTunAddresses(t: PlacedTun): Promise<string[]> {
  const out = await runIp(t.netns, ["-o", "addr", "show", "dev", t.name]);
  const found: string[] = [];
  for (const line of out.split("\n")) {
    const m = /\sinet6?\s+([0-9a-fA-F:.]+)\//.exec(line);
    if (m?.[1] && !m[1].toLowerCase().startsWith("fe80:")) found.push(m[1]);
  }
  return found;
}

/**
 * Makes the interface's addresses exactly `addresses` (IPv4 as /32, IPv6 as /128 with nodad):
 * adds the missing ones, removes the others. Idempotent; called on every snapshot. IPv6
 * addresses are skipped when IPv6 is disabled in the namespace (Docker's default); IPv4 errors
 * throw.
 */
export async function setTunAddresses(t: PlacedTun, addresses: readonly string[]): Promise<void> {
  const have = new Set(await listTunAddresses(t));
  const want = new Set(addresses.map(canonical));
  const v6Enabled = await ipv6Enabled(t);
  for (const a of want) {
    if (have.has(a)) continue;
    const v6 = a.includes(":");
    if (v6 && !v6Enabled) continue;
    const args = ["addr", "add", `${a}/${v6 ? 128 : 32}`, "dev", t.name];
    if (v6) args.push("nodad");
    await runIp(t.netns, v6 ? ["-6", ...args] : args);
    if (t.table !== undefined) await sourceRule(t, a, "add");
  }
  for (const a of have) {
    if (want.has(a)) continue;
    const v6 = a.includes(":");
    await runIp(t.netns, ["addr", "del", `${a}/${v6 ? 128 : 32}`, "dev", t.name]);
    if (t.table !== undefined) await sourceRule(t, a, "del").catch(() => undefined);
  }
}

/** `ip rule add|del from ADDR lookup TABLE` for a port after the first. */
async function sourceRule(t: PlacedTun, address: string, op: "add" | "del"): Promise<void> {
  const v6 = address.includes(":");
  const args = [v6 ? "-6" : "-4", "rule", op, "from", address, "lookup", String(t.table)];
  if (op === "add")
    await runIp(t.netns, [
      v6 ? "-6" : "-4",
      "rule",
      "del",
      "from",
      address,
      "lookup",
      String(t.table),
    ]).catch(() => undefined);
  await runIp(t.netns, args);
}

/**
 * In-place mode: makes the host routes through the interface exactly `destinations` (single
 * addresses). Routes for other destinations through other interfaces are never touched.
 */
export async function setTunHostRoutes(
  t: PlacedTun,
  destinations: readonly string[],
): Promise<void> {
  const have = new Set<string>();
  const v6Enabled = await ipv6Enabled(t);
  for (const fam of v6Enabled ? ["-4", "-6"] : ["-4"]) {
    const out = await runIp(t.netns, [fam, "route", "show", "dev", t.name]);
    for (const line of out.split("\n")) {
      const dst = line.trim().split(/\s+/)[0];
      if (dst && dst !== "default" && !dst.startsWith("fe80"))
        have.add(dst.replace(/\/(32|128)$/, ""));
    }
  }
  const want = new Set(destinations.map(canonical));
  for (const d of want) {
    if (have.has(d)) continue;
    const v6 = d.includes(":");
    if (v6 && !v6Enabled) continue;
    await runIp(t.netns, [v6 ? "-6" : "-4", "route", "replace", d, "dev", t.name]);
  }
  for (const d of have) {
    if (want.has(d)) continue;
    const v6 = d.includes(":");
    await runIp(t.netns, [v6 ? "-6" : "-4", "route", "del", d, "dev", t.name]).catch(
      () => undefined,
    );
  }
}

/** False when IPv6 is disabled on the interface (net.ipv6.conf.<dev>.disable_ipv6 = 1 or no IPv6). */
async function ipv6Enabled(t: PlacedTun): Promise<boolean> {
  const args = ["cat", `/proc/sys/net/ipv6/conf/${t.name}/disable_ipv6`];
  return new Promise((resolve) => {
    const [cmd, ...rest] = t.netns === undefined ? args : ["ip", "netns", "exec", t.netns, ...args];
    execFile(cmd!, rest, { timeout: 5000 }, (err, stdout) =>
      resolve(!err && String(stdout).trim() === "0"),
    );
  });
}

/** Deletes the interface if it still exists (closing the TUN fd also removes it). */
export async function removeTun(t: PlacedTun): Promise<void> {
  await runIp(t.netns, ["link", "del", "dev", t.name]).catch(() => undefined);
}

/** Fails with a clear TunSetupError when iproute2 is missing. */
export async function checkIproute2(): Promise<void> {
  await runIp(undefined, ["-V"]);
}

function canonical(a: string): string {
  if (!a.includes(":")) return a;
  // `ip` prints IPv6 addresses in RFC 5952 form, which URL parsing produces too.
  return new URL(`http://[${a}]/`).hostname.slice(1, -1);
}
