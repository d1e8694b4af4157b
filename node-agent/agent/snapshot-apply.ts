/**
 * Applies one AgentSnapshot to a running agent, atomically for the data path:
 *
 *   1. devices for new ENIs (async; nothing visible to packets yet; all closed again on failure)
 *   2. one synchronous swap: every ENI's policy (EniFilter.setPolicy keeps conntrack and takes
 *      the new timeouts, TO-3), a grown conntrackEpoch flushes the ENI's table, changed
 *      per-instance allowances (MET-1), new and removed ports, the route table whole, the
 *      faults; then `onSwapped(revision)` (the revision counts as enforced from here)
 *   3. device housekeeping: changed addresses, removed devices, routes to reachable destinations
 *
 * So no packet sees half a revision. Snapshots are applied one at a time (the agent queues them).
 */
import type { AgentFilter, AgentLogger } from "../agent.js";
import type { Allowance } from "../conntrack/allowance.js";
import type { AgentSnapshot, CompiledEniPolicy } from "../filter/policy.js";
import type { DataPath } from "../pipeline/data-path.js";
import type { FaultStep } from "../pipeline/fault-step.js";
import { Port } from "../pipeline/port.js";
import { RouteTable } from "../pipeline/route-table.js";
import type { TunDevice } from "../tun/tun-device.js";
import type { TunProvider } from "../tun/tun-provider.js";
import type { EniState, HostedPorts } from "./hosted-ports.js";
import { NatGatewayDevice } from "../nat-gateway/nat-gateway-device.js";

/** What the applier needs from its agent. */
export interface SnapshotApplyContext {
  readonly agentId: string;
  readonly dp: DataPath;
  readonly hosted: HostedPorts;
  readonly faults: FaultStep;
  readonly tuns: TunProvider;
  readonly logger: AgentLogger;
  createFilter(policy: CompiledEniPolicy, allowance: Allowance): AgentFilter;
  /** Starts the read loop of a new port (called inside the synchronous swap). */
  startReadLoop(port: Port): Promise<void>;
  /** Called right after the swap: the revision is enforced by the data path from now on. */
  onSwapped(revision: number): void;
  /** The agent's clock (ms), for NAT gateways' idle timeouts; default Date.now. */
  readonly now?: () => number;
}

/** See the module comment. Throws (before the swap) when a device cannot be created. */
export async function applySnapshot(ctx: SnapshotApplyContext, s: AgentSnapshot): Promise<void> {
  const { dp, hosted } = ctx;
  if (s.agentId !== ctx.agentId) {
    throw new Error(`snapshot for agent '${s.agentId}' sent to agent '${ctx.agentId}'`);
  }
  // 1. Devices for new ENIs (async; nothing visible to packets yet).
  const created = await openNewDevices(ctx, s);
  // 2. The atomic swap: synchronous, so no packet sees half a revision.
  const wanted = new Set(s.enis.map((p) => p.eniId));
  const readdress: Array<[TunDevice, string[]]> = [];
  const removed: EniState[] = [];
  const allowances = new Map<string, number>();
  for (const p of s.enis) {
    const a = allowances.get(p.instanceId);
    allowances.set(p.instanceId, a === undefined ? p.allowance : Math.min(a, p.allowance));
  }
  for (const [instanceId, max] of allowances) hosted.applyAllowance(instanceId, max);
  for (const p of s.enis) {
    const cur = hosted.enis.get(p.eniId);
    if (cur) {
      const before = cur.port.addressList.join(",");
      cur.filter.setPolicy(p);
      const epoch = p.conntrackEpoch ?? 0;
      // Chaos `conntrack flush`: once per growth of the epoch; a newly hosted ENI only records it.
      if (epoch > cur.conntrackEpoch) cur.filter.flushConntrack();
      cur.conntrackEpoch = epoch;
      cur.port.applyPolicy(p);
      if (cur.index >= 0 && cur.port.addressList.join(",") !== before) {
        readdress.push([cur.port.tun, [...cur.port.addressList]]);
      }
      continue;
    }
    const c = created.get(p.eniId)!;
    const filter = ctx.createFilter(
      p,
      hosted.allowanceFor(p.instanceId, allowances.get(p.instanceId) ?? p.allowance),
    );
    const port = Port.forEni(p, filter, c.tun, (e) => dp.internalError(port, e));
    dp.enis.set(p.eniId, port);
    hosted.enis.set(p.eniId, {
      port,
      filter,
      instanceId: p.instanceId,
      loop: ctx.startReadLoop(port),
      index: c.index,
      conntrackEpoch: p.conntrackEpoch ?? 0,
    });
  }
  for (const [id, st] of hosted.enis) {
    if (wanted.has(id)) continue;
    hosted.enis.delete(id);
    dp.enis.delete(id);
    removed.push(st);
  }
  // Why the identity check: an unchanged mapping keeps its array object (the controller's
  // reuse_mapping), and a rule change reaching hundreds of hosted ENIs would otherwise parse
  // every address of the table again for each of them.
  if (dp.routes.entries !== s.mapping) {
    dp.routes = new RouteTable(s.mapping);
    if (dp.routes.invalid > 0) {
      ctx.logger.warn(`snapshot ${s.revision}: ${dp.routes.invalid} unparsable mapping addresses`);
    }
  }
  ctx.faults.setFaults(s.faults ?? []);
  ctx.onSwapped(s.revision);
  // 3. Device housekeeping after the swap (addresses, in-place routes, removed devices).
  // Why warn, not throw: the revision is already enforced by the data path; a device that
  // cannot take an address (IPv6 disabled in a container) must not leave it unacked.
  for (const [tun, addrs] of readdress) {
    await ctx.tuns
      .setAddresses(tun, addrs)
      .catch((e: unknown) => ctx.logger.warn(`addresses of ${tun.name}: ${(e as Error).message}`));
  }
  for (const st of removed) {
    await ctx.tuns.close(st.port.tun).catch(() => undefined);
    await st.loop;
    // Why: the next ENI gets the lowest free index, i.e. the name (eth0) this one had, so a
    // node whose ENI is replaced (detach/attach) keeps its device name.
    hosted.releaseIndex(st.index);
  }
  await updateReachable(ctx).catch((e: unknown) =>
    ctx.logger.warn(`routes to reachable destinations: ${(e as Error).message}`),
  );
}

/** Opens a TUN per ENI the agent does not host yet; on any failure closes them all and throws. */
async function openNewDevices(
  ctx: SnapshotApplyContext,
  s: AgentSnapshot,
): Promise<Map<string, { tun: TunDevice; index: number }>> {
  const { hosted } = ctx;
  const created = new Map<string, { tun: TunDevice; index: number }>();
  try {
    for (const p of s.enis) {
      if (hosted.enis.has(p.eniId)) continue;
      // docs/routing.md NAT-8: a NAT gateway's interface has no kernel device (and takes no
      // device index, so instances keep eth0, eth1, ...).
      if (p.natGateway !== undefined) {
        created.set(p.eniId, { tun: natGatewayDevice(ctx, p), index: -1 });
        continue;
      }
      const index = hosted.takeIndex();
      try {
        const tun = await ctx.tuns.open({
          key: p.eniId,
          index,
          addresses: [...p.ipv4, ...p.ipv6],
        });
        created.set(p.eniId, { tun, index });
      } catch (err) {
        hosted.releaseIndex(index);
        throw err;
      }
    }
  } catch (err) {
    for (const c of created.values()) {
      await ctx.tuns.close(c.tun).catch(() => undefined);
      hosted.releaseIndex(c.index);
    }
    throw err;
  }
  return created;
}

/** The device of a NAT gateway's interface (docs/routing.md NAT-8); drops count on its port. */
function natGatewayDevice(ctx: SnapshotApplyContext, p: CompiledEniPolicy): TunDevice {
  const { dp } = ctx;
  return new NatGatewayDevice(
    p.natGateway!,
    p.ipv4[0] ?? "",
    ctx.now ?? Date.now,
    (reason, packet) => dp.drop(dp.enis.get(p.eniId), reason, false, packet, 0, packet.length),
  );
}

/** Routes in the node towards every mapped address but its own (through the first port). */
async function updateReachable(ctx: SnapshotApplyContext): Promise<void> {
  const { hosted, dp } = ctx;
  const first =
    [...hosted.enis.values()].find((e) => e.index >= 0)?.port ?? hosted.externals[0]?.port;
  if (!first) return;
  const own = new Set(first.addressList);
  const dests = dp.routes.addresses().filter((a) => !own.has(a));
  await ctx.tuns.setReachable(first.tun, dests);
}
