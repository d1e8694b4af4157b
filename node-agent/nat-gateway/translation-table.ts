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
 * Keys are short strings (one allocation per lookup); the figure is in bench/route-step.bench.ts.
 */

/** Ports a NAT gateway hands out: 1024-65535 (RFC 6335's well-known ports are never used). */
export const NAT_FIRST_PORT = 1024;
export const NAT_LAST_PORT = 65535;

/** One translation. */
export interface Translation {
  readonly protocol: number;
  /** The inner (private) source address as 4 bytes, and its text. */
  readonly innerAddr: Uint8Array;
  readonly innerText: string;
  readonly innerPort: number;
  /** The destination (remote) address text and port (0 for ICMP). */
  readonly remoteText: string;
  readonly remotePort: number;
  /** The NAT gateway's port (or ICMP identifier) for this flow. */
  readonly natPort: number;
  /** Last packet either way (ms). */
  lastSeenMs: number;
  readonly createdMs: number;
  /** Packets and bytes out (inner -> remote) and back. */
  packetsOut: number;
  packetsIn: number;
}

/** Ports in use towards one destination. */
interface Destination {
  readonly byPort: Map<number, Translation>;
  /** Where the next allocation starts looking. */
  cursor: number;
}

export interface TranslationTableOptions {
  /** Idle timeout (ms); default 350 000 (NAT-10). */
  readonly idleTimeoutMs?: number;
  /** Simultaneous translations per destination; default 55 000 (NAT-11). */
  readonly portsPerDestination?: number;
}

/** The outcome of translate(): the translation, or why none could be made. */
export type Outbound = Translation | "port_exhausted";

/** See the module comment. */
export class TranslationTable {
  readonly idleTimeoutMs: number;
  readonly portsPerDestination: number;
  private readonly byFlow = new Map<string, Translation>();
  private readonly byDestination = new Map<string, Destination>();
  private lastSweepMs = -Infinity;

  constructor(opts: TranslationTableOptions = {}) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 350_000;
    const max = NAT_LAST_PORT - NAT_FIRST_PORT + 1;
    this.portsPerDestination = Math.min(max, Math.max(1, opts.portsPerDestination ?? 55_000));
  }

  /** Live translations (expired ones not yet swept included until the next sweep). */
  get size(): number {
    return this.byFlow.size;
  }

  /**
   * The translation of an outbound packet of `protocol` from innerText:innerPort (innerAddr:
   * the same address as 4 bytes, copied when a translation is made) to remoteText:remotePort:
   * the live one, else a new one on a free port; "port_exhausted" when the destination has
   * `portsPerDestination` live translations.
   */
  outbound(
    protocol: number,
    innerAddr: Uint8Array,
    innerText: string,
    innerPort: number,
    remoteText: string,
    remotePort: number,
    nowMs: number,
  ): Outbound {
    this.maybeSweep(nowMs);
    const flowKey = `${protocol}|${innerText}|${innerPort}|${remoteText}|${remotePort}`;
    const live = this.byFlow.get(flowKey);
    if (live !== undefined) {
      if (!this.expired(live, nowMs)) {
        live.lastSeenMs = nowMs;
        live.packetsOut++;
        return live;
      }
      this.remove(live);
    }
    const destKey = `${protocol}|${remoteText}|${remotePort}`;
    let dest = this.byDestination.get(destKey);
    if (dest === undefined) {
      dest = { byPort: new Map(), cursor: NAT_FIRST_PORT };
      this.byDestination.set(destKey, dest);
    }
    const natPort = this.allocate(dest, nowMs);
    if (natPort < 0) return "port_exhausted";
    const t: Translation = {
      protocol,
      innerAddr: innerAddr.slice(),
      innerText,
      innerPort,
      remoteText,
      remotePort,
      natPort,
      lastSeenMs: nowMs,
      createdMs: nowMs,
      packetsOut: 1,
      packetsIn: 0,
    };
    this.byFlow.set(flowKey, t);
    dest.byPort.set(natPort, t);
    return t;
  }

  /**
   * The live translation an inbound packet of `protocol` from remoteText:remotePort to the NAT
   * gateway's port `natPort` belongs to, or undefined (unsolicited, or expired: NAT-9, NAT-10).
   */
  inbound(
    protocol: number,
    remoteText: string,
    remotePort: number,
    natPort: number,
    nowMs: number,
  ): Translation | undefined {
    const dest = this.byDestination.get(`${protocol}|${remoteText}|${remotePort}`);
    const t = dest?.byPort.get(natPort);
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
    return [...this.byFlow.values()].filter((t) => !this.expired(t, nowMs));
  }

  /** Removes every expired translation; returns how many. */
  sweep(nowMs: number): number {
    this.lastSweepMs = nowMs;
    let n = 0;
    for (const t of [...this.byFlow.values()]) {
      if (this.expired(t, nowMs)) {
        this.remove(t);
        n++;
      }
    }
    return n;
  }

  private expired(t: Translation, nowMs: number): boolean {
    return nowMs - t.lastSeenMs >= this.idleTimeoutMs;
  }

  /** Why a periodic sweep: idle flows nobody looks up again must free their ports and memory. */
  private maybeSweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs >= 10_000) this.sweep(nowMs);
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

  private remove(t: Translation): void {
    this.byFlow.delete(
      `${t.protocol}|${t.innerText}|${t.innerPort}|${t.remoteText}|${t.remotePort}`,
    );
    const destKey = `${t.protocol}|${t.remoteText}|${t.remotePort}`;
    const dest = this.byDestination.get(destKey);
    if (dest === undefined) return;
    if (dest.byPort.get(t.natPort) === t) dest.byPort.delete(t.natPort);
    if (dest.byPort.size === 0) this.byDestination.delete(destKey);
  }
}
