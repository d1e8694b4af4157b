/**
 * Chaos fault mutations (run inside StateStore.mutate: one transaction, revision + 1, a change
 * event with faultIds, so the hub recompiles). Validation lives in controller/model/fault.ts;
 * controller/hub/fault-service.ts calls these with its clock.
 *
 *   created --startsAtMs (conntrack effects only)--> started --expiresAtMs--> expired --> deleted
 *                                                                   (or deleted at any time)
 */
import type { Fault, FaultSpec } from "../model/fault.js";
import type { SelectorCatalog } from "../model/fault-selector.js";
import { HubError } from "../hub/hub-errors.js";
import { ID_PREFIX, newId } from "../ids.js";
import type { OpContext } from "./state-store.js";
import type { StateReader } from "./transaction.js";

/** What selectors may name, from the state plus the external nodes the hub's agents host. */
export function selectorCatalog(reader: StateReader, nodes: readonly string[]): SelectorCatalog {
  return {
    groups: reader.list("securityGroup").map((g) => ({
      groupId: g.groupId,
      groupName: g.groupName,
      vpcId: g.vpcId,
    })),
    subnets: reader.list("subnet").map((s) => ({
      subnetId: s.subnetId,
      availabilityZone: s.availabilityZone,
      ...(s.tags["Name"] !== undefined ? { name: s.tags["Name"] } : {}),
    })),
    instances: reader
      .list("instance")
      .filter((i) => i.state !== "terminated")
      .map((i) => ({
        instanceId: i.instanceId,
        ...(i.tags["Name"] !== undefined ? { name: i.tags["Name"] } : {}),
      })),
    eniIds: reader.list("networkInterface").map((e) => e.eniId),
    prefixLists: reader.list("prefixList").map((p) => ({
      prefixListId: p.prefixListId,
      name: p.name,
    })),
    nodes,
  };
}

/** Stores a validated fault; `seed` is used when the spec has none. */
export function createFault(
  ctx: OpContext,
  spec: FaultSpec,
  env: { readonly nowMs: number; readonly seed: number },
): Fault {
  const { startAfterMs, durationMs, seed, ...rest } = spec;
  const startsAtMs = env.nowMs + startAfterMs;
  const fault: Fault = {
    faultId: newId(ID_PREFIX.fault),
    ...rest,
    seed: seed ?? env.seed,
    createdAtMs: env.nowMs,
    startsAtMs,
    expiresAtMs: durationMs === null ? null : startsAtMs + durationMs,
    revision: ctx.revision,
    expired: false,
    started: startAfterMs === 0,
    tags: {},
  };
  ctx.tx.put("fault", fault.faultId, fault);
  return fault;
}

/** Deletes one fault, returning it; EMU_ERR_FAULT_NOT_FOUND when there is none. */
export function deleteFault(ctx: OpContext, faultId: string): Fault {
  const f = ctx.tx.get("fault", faultId);
  if (f === undefined) throw new HubError("EMU_ERR_FAULT_NOT_FOUND", faultId);
  ctx.tx.delete("fault", faultId);
  return f;
}

/** Deletes every fault, returning their ids (creation order). */
export function deleteAllFaults(ctx: OpContext): string[] {
  const ids = ctx.tx.list("fault").map((f) => f.faultId);
  for (const id of ids) ctx.tx.delete("fault", id);
  return ids;
}

/** True when a fault has conntrack effects (they take hold by a state change at its start). */
function hasConntrack(f: Fault): boolean {
  return f.effects.conntrack !== undefined;
}

/**
 * Applies the clock to the stored faults: those past expiresAtMs become expired, conntrack
 * faults past startsAtMs become started. Each is a write (the caller's mutate bumps the
 * revision once and the hub recompiles). Returns what changed.
 */
export function advanceFaults(
  ctx: OpContext,
  nowMs: number,
): { readonly expired: string[]; readonly started: string[] } {
  const expired: string[] = [];
  const started: string[] = [];
  for (const f of ctx.tx.list("fault")) {
    if (f.expired) continue;
    if (f.expiresAtMs !== null && nowMs >= f.expiresAtMs) {
      ctx.tx.put("fault", f.faultId, { ...f, expired: true });
      expired.push(f.faultId);
    } else if (!f.started && hasConntrack(f) && nowMs >= f.startsAtMs) {
      ctx.tx.put("fault", f.faultId, { ...f, started: true });
      started.push(f.faultId);
    }
  }
  return { expired, started };
}

/** When advanceFaults next has something to do (epoch ms), or undefined when never. */
export function nextFaultEventMs(faults: Iterable<Fault>): number | undefined {
  let next: number | undefined;
  for (const f of faults) {
    if (f.expired) continue;
    const at =
      !f.started && hasConntrack(f)
        ? f.startsAtMs
        : f.expiresAtMs === null
          ? undefined
          : f.expiresAtMs;
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}
