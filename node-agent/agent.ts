/**
 * The node agent's composition root: ports (ENIs and external nodes) on TUN devices, the
 * underlay transport, the data path (pipeline/), snapshots from the controller, reporters.
 *
 *   new Agent(deps) --start()--> StartedAgent --stop() / await using--> stopped (no restart)
 *
 * Snapshots (AgentSnapshot) are applied in arrival order and atomically: new TUN devices are
 * created first (async), then one synchronous step swaps every ENI's policy
 * (EniFilter.setPolicy keeps conntrack), adds and removes ports and replaces the route table
 * whole, so no packet sees half a revision. The control client acks a revision after
 * applySnapshot() resolved. Without a control client (in-process tests) the caller applies
 * snapshots itself.
 */
import { Allowance } from "./conntrack/allowance.js";
import type {
  ConntrackReport,
  CountersReport,
  EniConntrackReport,
  EniCounters,
  FlowLogRecord as WireFlowLogRecord,
} from "./control/wire.js";
import { ControllerClient, type ControllerClientOptions } from "./control/controller-client.js";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import type { AgentConfig } from "./config.js";
import { EniFilter, type ConntrackEntryView } from "./filter/filter.js";
import type { AgentSnapshot, CompiledEniPolicy } from "./filter/policy.js";
import { ENCAP_HEADROOM } from "./overlay/geneve.js";
import type { Endpoint, Transport } from "./overlay/transport.js";
import { parseIpAddress } from "./packet/address.js";
import { DataPath, Outbox, type DataPathLogger } from "./pipeline/data-path.js";
import type { DropCounts } from "./pipeline/drop-counters.js";
import { forwardFromTun } from "./pipeline/egress.js";
import { receiveDatagram } from "./pipeline/ingress.js";
import { Port, type PortFilter } from "./pipeline/port.js";
import { RouteTable, ipv4Key, ipv6Key } from "./pipeline/route-table.js";
import type { DropReason } from "./pipeline/verdict.js";
import { toEniConntrackReport } from "./report/conntrack-report.js";
import { FlowLogAggregator, formatFlowLogRecord } from "./report/flow-log.js";
import { TunClosedError, type TunDevice } from "./tun/tun-device.js";
import type { TunProvider } from "./tun/tun-provider.js";

/** What the agent needs from its controller connection (control/controller-client.ts). */
export interface AgentControl {
  /** Registers the snapshot handler; the client acks the revision once the handler resolves. */
  onSnapshot(handler: (snapshot: AgentSnapshot) => Promise<void>): void;
  /** Registers what answers the controller's conntrack requests (all ENIs when eniIds is empty). */
  onConntrackRequest(handler: (eniIds: readonly string[]) => readonly EniConntrackReport[]): void;
  sendConntrackReport(report: ConntrackReport): void;
  sendCounters(counters: CountersReport): void;
  sendFlowLogs(records: readonly WireFlowLogRecord[]): void;
  /** Connects (and keeps reconnecting and resyncing in the background). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** One ENI's filter as the agent uses it (EniFilter). */
export interface AgentFilter extends PortFilter {
  setPolicy(policy: CompiledEniPolicy): void;
  reap(nowMs: number): number;
  conntrackEntries(nowMs: number): ConntrackEntryView[];
  counters(): { readonly conntrackAllowanceExceeded: number };
}

export interface AgentLogger extends DataPathLogger {
  info(message: string): void;
}

export interface AgentDeps {
  readonly config: AgentConfig;
  readonly tuns: TunProvider;
  readonly transport: Transport;
  readonly clock?: Clock;
  readonly control?: AgentControl;
  readonly logger?: AgentLogger;
  /** Makes one ENI's filter; default EniFilter sharing the instance's allowance. */
  readonly createFilter?: (policy: CompiledEniPolicy, allowance: Allowance) => AgentFilter;
  /** Run the report/reap timers (default true; tests drive reports by hand). */
  readonly timers?: boolean;
}

/** A running agent. Dispose (or stop()) to close its devices, transport and timers. */
export interface StartedAgent extends AsyncDisposable {
  readonly agentId: string;
  /** Where other agents send to (the transport's endpoint, or the advertised one). */
  readonly underlayEndpoint: Endpoint;
  /** The revision applied last (0 before the first snapshot). */
  revision(): number;
  /** Resolves once `revision` (or a later one) is applied; rejects after timeoutMs (default 10 s). */
  enforced(revision: number, timeoutMs?: number): Promise<void>;
  /** Applies a snapshot (what the control client calls before acking). */
  applySnapshot(snapshot: AgentSnapshot): Promise<void>;
  /** Silent drops per reason over every port (STYLE.md §7). */
  drops(): Readonly<Record<DropReason, number>>;
  /** Silent drops per port key (ENI id, "ext:<name>", "" for the agent itself). */
  dropsByPort(): Record<string, DropCounts>;
  /** Hosted ENI ids. */
  enis(): string[];
  /** The TUN device of a port (ENI id or "ext:<name>"). */
  device(key: string): TunDevice | undefined;
  /** Tracked conntrack entries of one ENI (CT-14). */
  conntrack(eniId: string): ConntrackEntryView[];
  conntrackReport(requestId?: string, eniIds?: readonly string[]): ConntrackReport;
  countersReport(): CountersReport;
  /** Closes finished flow-log windows now and returns their lines (also sent to the controller). */
  flushFlowLogs(): WireFlowLogRecord[];
  /** Every flow-log line flushed so far (the last 10 000). */
  flowLogs(): readonly WireFlowLogRecord[];
  stop(): Promise<void>;
}

const FLOW_LOG_KEEP = 10_000;
/** Buffer sets each TUN read loop rotates through (see readLoop). */
const READ_BUFFER_SETS = 4;

const consoleLogger: AgentLogger = {
  info: (m) => console.error(`[agent] ${m}`),
  warn: (m) => console.error(`[agent] WARN ${m}`),
};

/** Created -> start() -> StartedAgent; see the module comment. */
export class Agent {
  private started = false;

  constructor(private readonly deps: AgentDeps) {}

  async start(): Promise<StartedAgent> {
    if (this.started) throw new Error("Agent.start() may be called once");
    this.started = true;
    const run = new RunningAgent(this.deps);
    await run.start();
    return run;
  }
}

interface EniState {
  readonly port: Port;
  readonly filter: AgentFilter;
  readonly instanceId: string;
  readonly loop: Promise<void>;
}

class RunningAgent implements StartedAgent {
  readonly agentId: string;
  readonly underlayEndpoint: Endpoint;
  private readonly config: AgentConfig;
  private readonly clock: Clock;
  private readonly logger: AgentLogger;
  private readonly dp: DataPath;
  private readonly flowLog: FlowLogAggregator | undefined;
  private readonly enisById = new Map<string, EniState>();
  private readonly externalPorts: Array<{ port: Port; loop: Promise<void> }> = [];
  private readonly allowances = new Map<string, Allowance>();
  private readonly usedIndexes = new Set<number>();
  private readonly waiters: Array<{ revision: number; resolve: () => void }> = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly keptFlowLogs: WireFlowLogRecord[] = [];
  private applied = 0;
  private applying: Promise<void> = Promise.resolve();
  private lastFlowFlushMs: number;
  private stopping: Promise<void> | undefined;
  private readonly createFilter: (policy: CompiledEniPolicy, a: Allowance) => AgentFilter;

  constructor(private readonly deps: AgentDeps) {
    this.config = deps.config;
    this.agentId = deps.config.agentId;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? consoleLogger;
    this.underlayEndpoint = deps.config.underlayAdvertise ?? deps.transport.localEndpoint;
    this.flowLog = deps.config.flowLogs
      ? new FlowLogAggregator({
          accountId: deps.config.accountId,
          windowMs: deps.config.flowLogWindowMs,
        })
      : undefined;
    this.dp = new DataPath(this.agentId, this.flowLog, this.logger, () => this.clock.now());
    this.createFilter =
      deps.createFilter ?? ((policy, allowance) => new EniFilter(policy, { allowance }));
    this.lastFlowFlushMs = this.clock.now();
  }

  async start(): Promise<void> {
    const { transport, control } = this.deps;
    transport.onReceive((data, from) => {
      try {
        receiveDatagram(this.dp, data, from, this.clock.now());
      } catch (err) {
        this.dp.internalError(undefined, err);
      }
    });
    for (const ext of this.config.externals) {
      const index = this.takeIndex();
      const tun = await this.deps.tuns.open({
        key: `ext:${ext.name}`,
        index,
        addresses: [ext.address],
      });
      const port = Port.forExternal(ext.name, [ext.address], tun, (e) =>
        this.dp.internalError(port, e),
      );
      const bytes = parseIpAddress(ext.address)!;
      this.dp.externals.set(bytes.length === 4 ? ipv4Key(bytes) : ipv6Key(bytes), port);
      this.externalPorts.push({ port, loop: this.readLoop(port) });
    }
    if (this.deps.timers ?? true) {
      const t1 = setInterval(() => this.reap(), 1000);
      const t2 = setInterval(() => this.report(), this.config.reportIntervalMs);
      t1.unref();
      t2.unref();
      this.timers.push(t1, t2);
    }
    if (control) {
      control.onSnapshot((s) => this.applySnapshot(s));
      control.onConntrackRequest((eniIds) => this.conntrackReport("", eniIds).enis);
      await control.start();
    }
  }

  revision(): number {
    return this.applied;
  }

  enforced(revision: number, timeoutMs = 10_000): Promise<void> {
    if (this.applied >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { revision, resolve: () => (clearTimeout(t), resolve()) };
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new Error(
            `agent ${this.agentId}: revision ${revision} not enforced within ${timeoutMs} ms (at ${this.applied})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  applySnapshot(snapshot: AgentSnapshot): Promise<void> {
    const next = this.applying.then(() => this.apply(snapshot));
    // A failed snapshot must not block later ones; the caller still sees the failure.
    this.applying = next.catch(() => undefined);
    return next;
  }

  private async apply(s: AgentSnapshot): Promise<void> {
    if (this.stopping) throw new Error(`agent ${this.agentId} is stopped`);
    if (s.agentId !== this.agentId) {
      throw new Error(`snapshot for agent '${s.agentId}' sent to agent '${this.agentId}'`);
    }
    // 1. Devices for new ENIs (async; nothing visible to packets yet).
    const created = new Map<string, { tun: TunDevice; index: number }>();
    try {
      for (const p of s.enis) {
        if (this.enisById.has(p.eniId)) continue;
        const index = this.takeIndex();
        try {
          const tun = await this.deps.tuns.open({
            key: p.eniId,
            index,
            addresses: [...p.ipv4, ...p.ipv6],
          });
          created.set(p.eniId, { tun, index });
        } catch (err) {
          this.usedIndexes.delete(index);
          throw err;
        }
      }
    } catch (err) {
      for (const c of created.values()) {
        await this.deps.tuns.close(c.tun).catch(() => undefined);
        this.usedIndexes.delete(c.index);
      }
      throw err;
    }
    // 2. The atomic swap: synchronous, so no packet sees half a revision.
    const wanted = new Set(s.enis.map((p) => p.eniId));
    const readdress: Array<[TunDevice, string[]]> = [];
    const removed: EniState[] = [];
    for (const p of s.enis) {
      const cur = this.enisById.get(p.eniId);
      if (cur) {
        const before = cur.port.addressList.join(",");
        cur.filter.setPolicy(p);
        cur.port.applyPolicy(p);
        if (cur.port.addressList.join(",") !== before) {
          readdress.push([cur.port.tun, [...cur.port.addressList]]);
        }
        continue;
      }
      const c = created.get(p.eniId)!;
      const filter = this.createFilter(p, this.allowanceFor(p.instanceId, p.allowance));
      const port = Port.forEni(p, filter, c.tun, (e) => this.dp.internalError(port, e));
      this.dp.enis.set(p.eniId, port);
      this.enisById.set(p.eniId, {
        port,
        filter,
        instanceId: p.instanceId,
        loop: this.readLoop(port),
      });
    }
    for (const [id, st] of this.enisById) {
      if (wanted.has(id)) continue;
      this.enisById.delete(id);
      this.dp.enis.delete(id);
      removed.push(st);
    }
    this.dp.routes = new RouteTable(s.mapping);
    if (this.dp.routes.invalid > 0) {
      this.logger.warn(
        `snapshot ${s.revision}: ${this.dp.routes.invalid} unparsable mapping addresses`,
      );
    }
    this.applied = s.revision;
    for (const w of this.waiters.splice(0)) {
      if (w.revision <= s.revision) w.resolve();
      else this.waiters.push(w);
    }
    // 3. Device housekeeping after the swap (addresses, in-place routes, removed devices).
    // Why warn, not throw: the revision is already enforced by the data path; a device that
    // cannot take an address (IPv6 disabled in a container) must not leave it unacked.
    for (const [tun, addrs] of readdress) {
      await this.deps.tuns
        .setAddresses(tun, addrs)
        .catch((e: unknown) =>
          this.logger.warn(`addresses of ${tun.name}: ${(e as Error).message}`),
        );
    }
    for (const st of removed) {
      await this.deps.tuns.close(st.port.tun).catch(() => undefined);
      await st.loop;
    }
    await this.updateReachable().catch((e: unknown) =>
      this.logger.warn(`routes to reachable destinations: ${(e as Error).message}`),
    );
  }

  private async updateReachable(): Promise<void> {
    const first = [...this.enisById.values()][0]?.port ?? this.externalPorts[0]?.port;
    if (!first) return;
    const own = new Set(first.addressList);
    const dests = this.dp.routes.addresses().filter((a) => !own.has(a));
    await this.deps.tuns.setReachable(first.tun, dests);
  }

  private allowanceFor(instanceId: string, max: number): Allowance {
    const key = instanceId || "";
    let a = this.allowances.get(key);
    if (!a) {
      a = new Allowance(this.config.conntrackMax ?? max);
      this.allowances.set(key, a);
    }
    return a;
  }

  private takeIndex(): number {
    let i = 0;
    while (this.usedIndexes.has(i)) i++;
    this.usedIndexes.add(i);
    return i;
  }

  /** Reads batches from a port's TUN until it closes; STYLE.md §7 for exceptions. */
  private async readLoop(port: Port): Promise<void> {
    const tun = port.tun;
    const n = Math.max(1, tun.batchSize);
    // Why several buffer sets: a set's datagrams stay queued in the socket until their send
    // callbacks run (a later event-loop turn); rotating sets lets the next batch be read and
    // forwarded meanwhile instead of waiting a turn per batch.
    const sets = Array.from({ length: READ_BUFFER_SETS }, () => ({
      bufs: Array.from({ length: n }, () => new Uint8Array(ENCAP_HEADROOM + tun.mtu)),
      sizes: new Array<number>(n).fill(0),
      outbox: new Outbox(this.deps.transport),
      sending: Promise.resolve(),
    }));
    // Why a macrotask first: the caller finishes its synchronous swap before the first read.
    await new Promise((r) => setImmediate(r));
    for (let turn = 0; ; turn = (turn + 1) % READ_BUFFER_SETS) {
      const set = sets[turn]!;
      await set.sending;
      let count: number;
      try {
        count = await tun.readBatch(set.bufs, set.sizes, ENCAP_HEADROOM);
      } catch (err) {
        if (!(err instanceof TunClosedError) && !this.stopping) {
          this.logger.warn(`reading ${port.key}: ${(err as Error).message}; port stopped`);
        }
        await Promise.all(sets.map((s) => s.sending));
        return;
      }
      const now = this.clock.now();
      for (let i = 0; i < count; i++) {
        try {
          forwardFromTun(
            this.dp,
            port,
            set.outbox,
            set.bufs[i]!,
            ENCAP_HEADROOM,
            set.sizes[i]!,
            now,
          );
        } catch (err) {
          this.dp.internalError(port, err);
        }
      }
      set.sending = set.outbox.flush().catch((err: unknown) => this.dp.internalError(port, err));
      // Why: a full batch means more is waiting; readBatch would then resolve without ever
      // leaving the microtask queue, starving the underlay receive path. Yield once per batch.
      if (count === n) await new Promise((r) => setImmediate(r));
    }
  }

  drops(): Readonly<Record<DropReason, number>> {
    return this.dp.drops.total();
  }

  dropsByPort(): Record<string, DropCounts> {
    const out: Record<string, DropCounts> = {};
    for (const k of this.dp.drops.ports()) out[k] = this.dp.drops.forPort(k);
    return out;
  }

  enis(): string[] {
    return [...this.enisById.keys()];
  }

  device(key: string): TunDevice | undefined {
    return (
      this.enisById.get(key)?.port.tun ??
      this.externalPorts.find((e) => e.port.key === key)?.port.tun
    );
  }

  conntrack(eniId: string): ConntrackEntryView[] {
    return this.enisById.get(eniId)?.filter.conntrackEntries(this.clock.now()) ?? [];
  }

  conntrackReport(requestId = "", eniIds: readonly string[] = []): ConntrackReport {
    const now = this.clock.now();
    const want = eniIds.length > 0 ? new Set(eniIds) : undefined;
    const enis = [];
    for (const [id, st] of this.enisById) {
      if (want && !want.has(id)) continue;
      enis.push(toEniConntrackReport(id, st.instanceId, st.filter.conntrackEntries(now)));
    }
    return { requestId, takenAtMs: now, enis };
  }

  countersReport(): CountersReport {
    const enis: EniCounters[] = [];
    for (const [id, st] of this.enisById) {
      const allowance = this.allowances.get(st.instanceId || "");
      enis.push({
        eniId: id,
        instanceId: st.instanceId,
        drops: this.dp.drops.forPort(id),
        // AWS-BEHAVIOUR MET-3, MET-4; MET-5 names reported at 0 (not modelled).
        conntrackAllowanceExceeded: st.filter.counters().conntrackAllowanceExceeded,
        conntrackAllowanceAvailable: allowance ? allowance.available() : 0,
        bwInAllowanceExceeded: 0,
        bwOutAllowanceExceeded: 0,
        ppsAllowanceExceeded: 0,
        linklocalAllowanceExceeded: 0,
        packetsAccepted: st.port.accepted,
      });
    }
    return { takenAtMs: this.clock.now(), enis };
  }

  flushFlowLogs(): WireFlowLogRecord[] {
    if (!this.flowLog) return [];
    const now = this.clock.now();
    const records = this.flowLog.flush(now, this.enis(), this.lastFlowFlushMs);
    // Next time, NODATA starts from the window that is open now.
    this.lastFlowFlushMs = now;
    const lines = records.map((r) => ({ eniId: r.interfaceId, line: formatFlowLogRecord(r) }));
    this.keptFlowLogs.push(...lines);
    if (this.keptFlowLogs.length > FLOW_LOG_KEEP) {
      this.keptFlowLogs.splice(0, this.keptFlowLogs.length - FLOW_LOG_KEEP);
    }
    if (lines.length > 0) this.deps.control?.sendFlowLogs(lines);
    return lines;
  }

  flowLogs(): readonly WireFlowLogRecord[] {
    return this.keptFlowLogs;
  }

  private reap(): void {
    const now = this.clock.now();
    for (const st of this.enisById.values()) {
      try {
        st.filter.reap(now);
      } catch (err) {
        this.dp.internalError(st.port, err);
      }
    }
  }

  private report(): void {
    const control = this.deps.control;
    try {
      this.flushFlowLogs();
      if (!control) return;
      control.sendConntrackReport(this.conntrackReport());
      control.sendCounters(this.countersReport());
    } catch (err) {
      this.logger.warn(`report failed: ${(err as Error).message}`);
    }
  }

  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.applying;
    await this.deps.control?.close().catch(() => undefined);
    const ports = [
      ...[...this.enisById.values()].map((s) => ({ port: s.port, loop: s.loop })),
      ...this.externalPorts,
    ];
    this.enisById.clear();
    this.dp.enis.clear();
    this.dp.externals.clear();
    await Promise.all(ports.map((p) => this.deps.tuns.close(p.port.tun).catch(() => undefined)));
    await Promise.all(ports.map((p) => p.loop));
    await this.deps.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/**
 * An AgentControl over the real ControllerClient (ws + protobuf, reconnect and resync). The
 * snapshot and conntrack handlers are bound when the agent starts.
 */
export function controllerControl(
  opts: Omit<ControllerClientOptions, "onSnapshot" | "onConntrackRequest">,
): AgentControl & { readonly client: ControllerClient } {
  let onSnapshot: ((s: AgentSnapshot) => Promise<void>) | undefined;
  let onRequest: ((eniIds: readonly string[]) => readonly EniConntrackReport[]) | undefined;
  const client = new ControllerClient({
    ...opts,
    onSnapshot: (s) => {
      if (!onSnapshot) throw new Error("snapshot before the agent started");
      return onSnapshot(s);
    },
    onConntrackRequest: (eniIds) => onRequest?.(eniIds) ?? [],
  });
  return {
    client,
    onSnapshot: (h) => (onSnapshot = h),
    onConntrackRequest: (h) => (onRequest = h),
    sendConntrackReport: (r) => void client.sendConntrackReport(r),
    sendCounters: (c) => void client.sendCounters(c),
    sendFlowLogs: (r) => void client.sendFlowLogs(r),
    start: async () => client.start(),
    close: () => client.close(),
  };
}
