/**
 * What one running agent hosts: its ENIs (port, filter, read loop), its external nodes, the
 * per-instance conntrack allowances (MET-1) and the TUN indexes in use. Shared by the snapshot
 * applier (which mutates it), the reports and the agent's lifecycle; single-threaded.
 */
import { Allowance } from "../conntrack/allowance.js";
import type { AgentFilter } from "../agent.js";
import type { Port } from "../pipeline/port.js";

/** One hosted ENI. */
export interface EniState {
  readonly port: Port;
  readonly filter: AgentFilter;
  readonly instanceId: string;
  /** The read loop of the port's TUN; resolves once the device closed. */
  readonly loop: Promise<void>;
  /** Its TUN index (device name); released once the device is closed after the ENI left. */
  readonly index: number;
  /** CompiledEniPolicy.conntrackEpoch last applied (a larger one flushes the table). */
  conntrackEpoch: number;
}

/** One hosted external node (the `internet` node). */
export interface ExternalState {
  readonly port: Port;
  readonly loop: Promise<void>;
}

/** See the module comment. */
export class HostedPorts {
  readonly enis = new Map<string, EniState>();
  readonly externals: ExternalState[] = [];
  /** Per-instance allowance by instance id ("" for ENIs without an instance). */
  readonly allowances = new Map<string, Allowance>();
  /** The policy allowance last applied per instance id (see applyAllowance). */
  private readonly policyAllowance = new Map<string, number>();
  private readonly usedIndexes = new Set<number>();

  /** `conntrackMax`: the node's configured allowance, which wins over the policy's at creation. */
  constructor(private readonly conntrackMax: number | undefined) {}

  /** The instance's shared allowance, created with `max` (or the node's conntrackMax) on first use. */
  allowanceFor(instanceId: string, max: number): Allowance {
    const key = instanceId || "";
    let a = this.allowances.get(key);
    if (!a) {
      a = new Allowance(this.conntrackMax ?? max);
      this.allowances.set(key, a);
    }
    return a;
  }

  /**
   * A snapshot's allowance for an instance (the smallest over its ENIs). The allowance is
   * created with the node's conntrackMax when configured, else this value; from then on a
   * CHANGED policy allowance (a chaos conntrack fault shrinking it, its removal restoring it)
   * becomes the maximum of the running allowance: existing entries stay, new tracked flows
   * beyond it are dropped (AWS-BEHAVIOUR MET-1, MET-2: untracked flows take none).
   */
  applyAllowance(instanceId: string, max: number): void {
    const key = instanceId || "";
    const before = this.policyAllowance.get(key);
    this.policyAllowance.set(key, max);
    if (before === undefined || before === max) return;
    this.allowances.get(key)?.setMax(max);
  }

  /** The lowest free TUN index (names count up from the base name). */
  takeIndex(): number {
    let i = 0;
    while (this.usedIndexes.has(i)) i++;
    this.usedIndexes.add(i);
    return i;
  }

  releaseIndex(i: number): void {
    this.usedIndexes.delete(i);
  }

  /** The TUN device of a port (ENI id or "ext:<name>"). */
  port(key: string): Port | undefined {
    return this.enis.get(key)?.port ?? this.externals.find((e) => e.port.key === key)?.port;
  }

  /** Every hosted port with its read loop (ENIs first). */
  all(): ExternalState[] {
    return [
      ...[...this.enis.values()].map((s) => ({ port: s.port, loop: s.loop })),
      ...this.externals,
    ];
  }
}
