/**
 * A NAT gateway's translation table (docs/routing.md NAT-8..NAT-12): ONE per NAT gateway, on
 * the agent the controller placed it on, so its ports are unique per Elastic IP whatever
 * agents its flows come from. Pure: time is passed in (nowMs); no node: modules.
 *
 * A translation maps an inner flow (protocol, private source address and port, destination
 * address and port) to a port of the NAT gateway's own address towards that destination.
 * Ports are unique per destination (protocol, address, port), not per gateway: the same port
 * serves flows to different destinations, as a NAT gateway's 55,000 simultaneous connections
 * per unique destination imply (NAT-11). ICMP echo flows translate their identifier the same
 * way (destination port 0). Every flow is tracked; a translation idle for 350 s expires and
 * its port is free again (NAT-10); the table never grows past `portsPerDestination` entries
 * for one destination (allocation then fails: `nat_port_exhausted`, NAT-11).
 *
 * Keys are integers (an IPv4 address as a signed 32-bit number, route-table.ts ipv4Key, which V8
 * keeps unboxed for the ranges vpcemu uses; protocol and port packed in one), in nested maps:
 * a lookup allocates nothing. The figure is in bench/route-step.bench.ts.
 */

/** Ports a NAT gateway hands out: 1024-65535 (RFC 6335's well-known ports are never used). */
export const NAT_FIRST_PORT = 1024;
export const NAT_LAST_PORT = 65535;

/** One translation. */
export interface Translation {
  readonly protocol: number;
  /** The inner (private) source address, 4 bytes (its own copy). */
  readonly innerAddr: Uint8Array;
  readonly innerPort: number;
  /** The destination (remote) address, 4 bytes (its own copy), and port (0 for ICMP). */
  readonly remoteAddr: Uint8Array;
  readonly remotePort: number;
  /** The NAT gateway's port (or ICMP identifier) for this flow. */
  readonly natPort: number;
  /** Last packet either way (ms). */
  lastSeenMs: number;
  readonly createdMs: number;
  /** Packets out (inner -> remote) and back. */
  packetsOut: number;
  packetsIn: number;
}

/** Translations towards one destination (protocol, address, port). */
interface Destination {
  /** By NAT port: replies find theirs here. */
  readonly byPort: Map<number, Translation>;
  /** By inner address key, then inner port: outbound packets find theirs here. */
  readonly byInner: Map<number, Map<number, Translation>>;
  /** Where the next allocation starts looking. */
  cursor: number;
}

export interface TranslationTableOptions {
  /** Idle timeout (ms); default 350 000 (NAT-10). */
  readonly idleTimeoutMs?: number;
  /** Simultaneous translations per destination; default 55 000 (NAT-11). */
  readonly portsPerDestination?: number;
}

/** The outcome of outbound(): the translation, or why none could be made. */
export type Outbound = Translation | "port_exhausted";

/** 4 address bytes as a signed 32-bit integer (as route-table.ts ipv4Key). */
function key4(a: Uint8Array): number {
  return (a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!;
}

/** See the module comment. */
export class TranslationTable {
  readonly idleTimeoutMs: number;
  readonly portsPerDestination: number;
  /** Remote address key -> (protocol << 16 | remote port) -> its destination. */
  private readonly dests = new Map<number, Map<number, Destination>>();
  private count = 0;
  private lastSweepMs = -Infinity;

  constructor(opts: TranslationTableOptions = {}) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 350_000;
    const max = NAT_LAST_PORT - NAT_FIRST_PORT + 1;
    this.portsPerDestination = Math.min(max, Math.max(1, opts.portsPerDestination ?? 55_000));
  }

  /** Live translations (expired ones not yet swept included until the next sweep). */
  get size(): number {
    return this.count;
  }

  /**
   * The translation of an outbound packet of `protocol` from inner:innerPort to
   * remote:remotePort (4-byte addresses, read, copied only into a new translation): the live
   * one, else a new one on a free port; "port_exhausted" when the destination has
   * `portsPerDestination` live translations.
   */
  outbound(
    protocol: number,
    inner: Uint8Array,
    innerPort: number,
    remote: Uint8Array,
    remotePort: number,
    nowMs: number,
  ): Outbound {
    if (nowMs - this.lastSweepMs >= 10_000) this.sweep(nowMs);
    const dest = this.destination(protocol, key4(remote), remotePort, true)!;
    const innerKey = key4(inner);
    let ports = dest.byInner.get(innerKey);
    const live = ports?.get(innerPort);
    if (live !== undefined) {
      if (!this.expired(live, nowMs)) {
        live.lastSeenMs = nowMs;
        live.packetsOut++;
        return live;
      }
      this.remove(live);
      ports = dest.byInner.get(innerKey);
    }
    const natPort = this.allocate(dest, nowMs);
    if (natPort < 0) return "port_exhausted";
    const t: Translation = {
      protocol,
      innerAddr: inner.slice(),
      innerPort,
      remoteAddr: remote.slice(),
      remotePort,
      natPort,
      lastSeenMs: nowMs,
      createdMs: nowMs,
      packetsOut: 1,
      packetsIn: 0,
    };
    if (ports === undefined) {
      ports = new Map();
      dest.byInner.set(innerKey, ports);
    }
    ports.set(innerPort, t);
    dest.byPort.set(natPort, t);
    this.count++;
    return t;
  }

  /**
   * The live translation an inbound packet of `protocol` from remote:remotePort to the NAT
   * gateway's port `natPort` belongs to, or undefined (unsolicited, or expired: NAT-9, NAT-10).
   */
  inbound(
    protocol: number,
    remote: Uint8Array,
    remotePort: number,
    natPort: number,
    nowMs: number,
  ): Translation | undefined {
    const t = this.destination(protocol, key4(remote), remotePort, false)?.byPort.get(natPort);
    if (t === undefined) return undefined;
    if (this.expired(t, nowMs)) {
      this.remove(t);
      return undefined;
    }
    t.lastSeenMs = nowMs;
    t.packetsIn++;
    return t;
  }

  /** Every live translation (reports, tests). */
  entries(nowMs: number): Translation[] {
    return this.all().filter((t) => !this.expired(t, nowMs));
  }

  /** Removes every expired translation, and destinations left empty; returns how many. */
  sweep(nowMs: number): number {
    this.lastSweepMs = nowMs;
    let n = 0;
    for (const t of this.all()) {
      if (this.expired(t, nowMs)) {
        this.remove(t);
        n++;
      }
    }
    for (const [remote, byPp] of this.dests) {
      for (const [pp, d] of byPp) if (d.byPort.size === 0) byPp.delete(pp);
      if (byPp.size === 0) this.dests.delete(remote);
    }
    return n;
  }

  private all(): Translation[] {
    const out: Translation[] = [];
    for (const byPp of this.dests.values())
      for (const d of byPp.values()) for (const t of d.byPort.values()) out.push(t);
    return out;
  }

  private destination(
    protocol: number,
    remoteKey: number,
    remotePort: number,
    create: boolean,
  ): Destination | undefined {
    let byPp = this.dests.get(remoteKey);
    if (byPp === undefined) {
      if (!create) return undefined;
      byPp = new Map();
      this.dests.set(remoteKey, byPp);
    }
    const pp = (protocol << 16) | remotePort;
    let d = byPp.get(pp);
    if (d === undefined && create) {
      d = { byPort: new Map(), byInner: new Map(), cursor: NAT_FIRST_PORT };
      byPp.set(pp, d);
    }
    return d;
  }

  private expired(t: Translation, nowMs: number): boolean {
    return nowMs - t.lastSeenMs >= this.idleTimeoutMs;
  }

  /** A free port of `dest` (expired holders are reclaimed on the way), or -1. */
  private allocate(dest: Destination, nowMs: number): number {
    const span = NAT_LAST_PORT - NAT_FIRST_PORT + 1;
    if (dest.byPort.size >= this.portsPerDestination) {
      // Reclaim expired holders before refusing.
      for (const t of [...dest.byPort.values()]) if (this.expired(t, nowMs)) this.remove(t);
      if (dest.byPort.size >= this.portsPerDestination) return -1;
    }
    let p = dest.cursor;
    for (let i = 0; i < span; i++) {
      const holder = dest.byPort.get(p);
      if (holder === undefined || this.expired(holder, nowMs)) {
        if (holder !== undefined) this.remove(holder);
        dest.cursor = p === NAT_LAST_PORT ? NAT_FIRST_PORT : p + 1;
        return p;
      }
      p = p === NAT_LAST_PORT ? NAT_FIRST_PORT : p + 1;
    }
    return -1;
  }

  /** Removes a translation; an emptied destination stays (its cursor keeps rotating ports). */
  private remove(t: Translation): void {
    const d = this.destination(t.protocol, key4(t.remoteAddr), t.remotePort, false);
    if (d === undefined || d.byPort.get(t.natPort) !== t) return;
    d.byPort.delete(t.natPort);
    const innerKey = key4(t.innerAddr);
    const ports = d.byInner.get(innerKey);
    if (ports?.get(t.innerPort) === t) {
      ports.delete(t.innerPort);
      if (ports.size === 0) d.byInner.delete(innerKey);
    }
    this.count--;
  }
}
