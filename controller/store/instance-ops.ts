/**
 * Instance lifecycle and attributes (AWS-BEHAVIOUR API-30..API-33; docs/ec2-api.md "Instances").
 *
 *   RunInstances ----> running <---- StartInstances ---- stopped
 *                       |  \\                              ^
 *                       |   `------ StopInstances --------'
 *                       `--- TerminateInstances ---> terminated (kept for Describe)
 *
 * The store holds the settled state; the action's response names AWS's transitional state
 * (RunInstances and StartInstances `pending`, StopInstances `stopping`, TerminateInstances
 * `shutting-down`), and the next Describe shows the settled one, which is what waiters poll for.
 * RunInstances enforces the instance type's network limits (model/instance-types.ts).
 */
import { controllerError, invalidValue } from "../errors.js";
import { newId } from "../ids.js";
import type { Instance, InstanceAttributes, InstanceStateName } from "../model/instance.js";
import {
  INSTANCE_TYPES,
  defaultCpuCredits,
  type InstanceTypeInfo,
} from "../model/instance-types.js";
import type { ConntrackSpec, NetworkInterface } from "../model/network-interface.js";
import type { Tags } from "../model/tags.js";
import type { Subnet } from "../model/vpc.js";
import {
  createNetworkInterface,
  modifyNetworkInterface,
  requireEni,
  requireInstance,
} from "./eni-ops.js";
import { scopeFields, scopedGet, scopedList, type ScopedOpContext } from "./scope.js";
import { renewLaunchPublicIp } from "./address-ops.js";
import { requireSubnet } from "./vpc-ops.js";

/** The catalogue entry of `instanceType`, or `Invalid value '<t>' for InstanceType.` */
export function requireInstanceType(instanceType: string): InstanceTypeInfo {
  const t = INSTANCE_TYPES.get(instanceType);
  if (t === undefined) throw invalidValue(instanceType, "InstanceType");
  return t;
}

/**
 * The instance type's network limits against an instance's ENIs: interface count, private IPv4
 * and IPv6 addresses per interface (AWS EC2 user guide, AvailableIpPerENI).
 */
export function checkNetworkLimits(
  t: InstanceTypeInfo,
  enis: ReadonlyArray<Pick<NetworkInterface, "privateIps" | "ipv6">>,
): void {
  if (enis.length > t.maxNetworkInterfaces)
    throw controllerError("EMU_ERR_ENI_ATTACHMENT_LIMIT", enis.length, t.instanceType);
  for (const e of enis) {
    if (e.privateIps.length > t.ipv4PerInterface)
      throw controllerError(
        "EMU_ERR_PRIVATE_IP_LIMIT",
        e.privateIps.length,
        t.instanceType,
        t.ipv4PerInterface,
      );
    if (e.ipv6.length > t.ipv6PerInterface)
      throw controllerError(
        "EMU_ERR_IPV6_ADDRESS_LIMIT",
        e.ipv6.length,
        t.instanceType,
        t.ipv6PerInterface,
      );
  }
}

export interface RunInstancesNic {
  readonly deviceIndex: number;
  readonly networkInterfaceId?: string;
  readonly subnetId?: string;
  readonly groupIds?: readonly string[];
  readonly privateIpAddress?: string;
  readonly secondaryPrivateIpCount?: number;
  readonly ipv6Count?: number;
  readonly deleteOnTermination?: boolean;
  readonly description?: string;
  readonly conntrack?: ConntrackSpec;
}

export interface RunInstancesInput {
  readonly imageId: string;
  readonly instanceType: string;
  readonly minCount: number;
  readonly maxCount: number;
  readonly subnetId?: string;
  readonly groupIds?: readonly string[];
  readonly privateIpAddress?: string;
  readonly networkInterfaces?: readonly RunInstancesNic[];
  /** Placement.AvailabilityZone: must be the subnet's. */
  readonly availabilityZone?: string;
  readonly attributes?: InstanceAttributes;
  readonly instanceTags?: Tags;
  readonly eniTags?: Tags;
  /** Idempotency token (the SDK sends one per call and reuses it on retries). */
  readonly clientToken?: string;
}

/**
 * RunInstances (API-30): each instance gets its primary ENI (device 0); the type must exist and
 * its network limits hold; stored `running` (the response says `pending`).
 */
export function runInstances(
  ctx: ScopedOpContext,
  input: RunInstancesInput,
): { reservationId: string; instances: Instance[] } {
  if (input.clientToken !== undefined) {
    const token = input.clientToken;
    const earlier = scopedList(ctx, "instance").filter((i) => i.clientToken === token);
    const first = earlier[0];
    if (first !== undefined) return { reservationId: first.reservationId, instances: earlier };
  }
  const type = requireInstanceType(input.instanceType);
  const nics = [...(input.networkInterfaces ?? [])].sort((a, b) => a.deviceIndex - b.deviceIndex);
  const primary = nics[0];
  if (primary !== undefined && primary.deviceIndex !== 0)
    throw invalidValue(primary.deviceIndex, "DeviceIndex");
  if (primary !== undefined && (input.subnetId !== undefined || input.groupIds !== undefined))
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request",
    );
  const count = input.maxCount;
  const pinned =
    input.privateIpAddress !== undefined ||
    nics.some((n) => n.privateIpAddress !== undefined || n.networkInterfaceId !== undefined);
  if (pinned && count > 1)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "A private IP address or network interface can only be used when launching a single instance",
    );
  const credits = input.attributes?.cpuCredits;
  if (credits !== undefined && !type.burstable)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      `The instance type ${type.instanceType} does not support the credit specification option.`,
    );
  const reservationId = newId("r");
  const instances: Instance[] = [];
  const plan: RunInstancesNic[] =
    nics.length > 0
      ? nics
      : [
          {
            deviceIndex: 0,
            ...(input.subnetId === undefined ? {} : { subnetId: input.subnetId }),
            ...(input.groupIds === undefined ? {} : { groupIds: input.groupIds }),
            ...(input.privateIpAddress === undefined
              ? {}
              : { privateIpAddress: input.privateIpAddress }),
          },
        ];
  if (plan.length > type.maxNetworkInterfaces)
    throw controllerError("EMU_ERR_ENI_ATTACHMENT_LIMIT", plan.length, type.instanceType);
  for (let n = 0; n < count; n++) {
    const instanceId = newId("i");
    const eniIds: string[] = [];
    const enis: NetworkInterface[] = [];
    let subnetOfPrimary: Subnet | undefined;
    for (const nic of plan) {
      let eni: NetworkInterface;
      if (nic.networkInterfaceId !== undefined) {
        eni = requireEni(ctx, nic.networkInterfaceId);
        if (eni.attachment !== undefined) throw controllerError("EMU_ERR_ENI_IN_USE", eni.eniId);
      } else {
        if (nic.subnetId === undefined)
          throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "SubnetId");
        const subnet = requireSubnet(ctx, nic.subnetId);
        // AWS: a subnet with AssignIpv6AddressOnCreation gives each new ENI one IPv6 address.
        const ipv6Count =
          nic.ipv6Count ?? (subnet.attributes?.assignIpv6AddressOnCreation === true ? 1 : 0);
        eni = createNetworkInterface(ctx, {
          subnetId: nic.subnetId,
          ...(nic.groupIds === undefined ? {} : { groupIds: nic.groupIds }),
          ...(nic.privateIpAddress === undefined ? {} : { privateIps: [nic.privateIpAddress] }),
          ...(nic.secondaryPrivateIpCount === undefined
            ? {}
            : { secondaryPrivateIpCount: nic.secondaryPrivateIpCount }),
          ipv6Count,
          ...(nic.description === undefined ? {} : { description: nic.description }),
          ...(nic.conntrack === undefined ? {} : { conntrack: nic.conntrack }),
          ...(input.eniTags === undefined ? {} : { tags: input.eniTags }),
        });
      }
      const subnet = requireSubnet(ctx, eni.subnetId);
      if (subnetOfPrimary === undefined) {
        subnetOfPrimary = subnet;
        if (
          input.availabilityZone !== undefined &&
          input.availabilityZone !== subnet.availabilityZone
        )
          throw controllerError(
            "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
            `Value (${input.availabilityZone}) for parameter availabilityZone is invalid. Subnet '${subnet.subnetId}' is in the availability zone ${subnet.availabilityZone}`,
          );
      } else if (subnet.vpcId !== subnetOfPrimary.vpcId)
        throw controllerError(
          "EMU_ERR_REQ_INVALID_PARAMETER",
          "Network interfaces must all be in the same VPC",
        );
      ctx.tx.put("networkInterface", eni.eniId, {
        ...eni,
        attachment: {
          attachmentId: newId("eni-attach"),
          instanceId,
          deviceIndex: nic.deviceIndex,
          deleteOnTermination: nic.deleteOnTermination ?? nic.networkInterfaceId === undefined,
          attachTime: ctx.now,
        },
      });
      eniIds.push(eni.eniId);
      enis.push(eni);
    }
    checkNetworkLimits(type, enis);
    const primaryEni = enis[0];
    if (primaryEni === undefined || subnetOfPrimary === undefined)
      throw controllerError("EMU_ERR_INTERNAL");
    const cpuCredits = credits ?? defaultCpuCredits(type);
    const attributes: InstanceAttributes = {
      ...input.attributes,
      ...(cpuCredits === undefined ? {} : { cpuCredits }),
    };
    const instance: Instance = {
      instanceId,
      reservationId,
      imageId: input.imageId,
      instanceType: input.instanceType,
      subnetId: subnetOfPrimary.subnetId,
      vpcId: subnetOfPrimary.vpcId,
      state: "running",
      eniIds,
      privateIpAddress: primaryEni.privateIps[0] ?? "",
      launchTime: ctx.now,
      ...scopeFields(ctx.scope),
      ...(input.clientToken === undefined ? {} : { clientToken: input.clientToken }),
      attributes,
      tags: input.instanceTags ?? {},
    };
    ctx.tx.put("instance", instanceId, instance);
    instances.push(instance);
  }
  return { reservationId, instances };
}

/**
 * Every instance of `ids` in the request's scope; a malformed id answers
 * InvalidInstanceID.Malformed, unknown ones InvalidInstanceID.NotFound naming them all.
 */
export function requireInstances(ctx: ScopedOpContext, ids: readonly string[]): Instance[] {
  const missing: string[] = [];
  const found: Instance[] = [];
  for (const id of [...new Set(ids)]) {
    const i = scopedGet(ctx, "instance", id);
    if (i !== undefined) found.push(i);
    else if (!/^i-[0-9a-f]{8,17}$/.test(id))
      throw controllerError("EMU_ERR_INSTANCE_MALFORMED_ID", id);
    else missing.push(id);
  }
  if (missing.length === 1) throw controllerError("EMU_ERR_INSTANCE_NOT_FOUND", missing[0] ?? "");
  if (missing.length > 1)
    throw controllerError("EMU_ERR_INSTANCE_NOT_FOUND_MANY", missing.join(", "));
  return found;
}

/** One instance's state change as the Start/Stop/Terminate responses show it. */
export interface StateTransition {
  readonly instanceId: string;
  readonly previous: InstanceStateName;
  /** AWS's transitional state (`pending`, `stopping`, `shutting-down`) or the unchanged one. */
  readonly current: InstanceStateName;
}

/** `User initiated (YYYY-MM-DD hh:mm:ss GMT)`, AWS's stateTransitionReason. */
function userInitiated(now: string): string {
  return `User initiated (${now.slice(0, 10)} ${now.slice(11, 19)} GMT)`;
}

/**
 * TerminateInstances (API-32): idempotent; any unknown id, or one with disableApiTermination,
 * terminates nothing. ENIs with DeleteOnTermination go with it, the others are detached.
 */
export function terminateInstances(
  ctx: ScopedOpContext,
  ids: readonly string[],
): StateTransition[] {
  const instances = requireInstances(ctx, ids);
  for (const inst of instances)
    if (inst.state !== "terminated" && inst.attributes?.disableApiTermination === true)
      throw controllerError("EMU_ERR_INSTANCE_TERMINATION_PROTECTED", inst.instanceId);
  const out: StateTransition[] = [];
  for (const inst of instances) {
    if (inst.state === "terminated") {
      out.push({ instanceId: inst.instanceId, previous: "terminated", current: "terminated" });
      continue;
    }
    out.push({ instanceId: inst.instanceId, previous: inst.state, current: "shutting-down" });
    for (const eniId of inst.eniIds) {
      const eni = ctx.tx.get("networkInterface", eniId);
      if (eni === undefined) continue;
      for (const g of eni.groupIds) ctx.tx.touch("securityGroup", g);
      if (eni.attachment?.deleteOnTermination === true) ctx.tx.delete("networkInterface", eniId);
      else {
        const { attachment: _a, ...detached } = eni;
        ctx.tx.put("networkInterface", eniId, detached);
      }
    }
    ctx.tx.put("instance", inst.instanceId, {
      ...inst,
      state: "terminated",
      stateTransitionReason: userInitiated(ctx.now),
      stateReason: {
        code: "Client.UserInitiatedShutdown",
        message: "Client.UserInitiatedShutdown: User initiated shutdown",
      },
    });
  }
  return out;
}

/**
 * StopInstances: running -> stopped (response `stopping`); a stopped one stays (idempotent);
 * a terminated one is IncorrectInstanceState; disableApiStop refuses; `hibernate` answers
 * UnsupportedHibernationConfiguration (no vpcemu instance is configured for hibernation). All or
 * nothing. `Force` stops it the same way. Its ENIs stay attached with their addresses and groups;
 * the data path drops their packets until it starts (INST-2), and `stateRevision` empties their
 * conntrack tables (INST-3).
 */
export function stopInstances(
  ctx: ScopedOpContext,
  ids: readonly string[],
  opts: { readonly hibernate?: boolean } = {},
): StateTransition[] {
  const instances = requireInstances(ctx, ids);
  for (const inst of instances) {
    if (inst.state === "terminated" || inst.state === "shutting-down")
      throw controllerError("EMU_ERR_INSTANCE_CANNOT_STOP", inst.instanceId);
    if (inst.state !== "stopped" && inst.attributes?.disableApiStop === true)
      throw controllerError("EMU_ERR_INSTANCE_STOP_PROTECTED", inst.instanceId);
    // INST-1: DescribeInstances answers hibernationOptions.configured false for every instance.
    if (opts.hibernate === true && inst.state !== "stopped")
      throw controllerError("EMU_ERR_INSTANCE_HIBERNATION_NOT_CONFIGURED", inst.instanceId);
  }
  return instances.map((inst) => {
    if (inst.state === "stopped")
      return { instanceId: inst.instanceId, previous: "stopped", current: "stopped" };
    ctx.tx.put("instance", inst.instanceId, {
      ...inst,
      state: "stopped",
      stateRevision: ctx.revision,
      stateTransitionReason: userInitiated(ctx.now),
      stateReason: {
        code: "Client.UserInitiatedShutdown",
        message: "Client.UserInitiatedShutdown: User initiated shutdown",
      },
    });
    for (const eniId of inst.eniIds) ctx.tx.touch("networkInterface", eniId);
    return { instanceId: inst.instanceId, previous: inst.state, current: "stopping" };
  });
}

/**
 * StartInstances: stopped -> running (response `pending`); a running one stays; a terminated
 * one is IncorrectInstanceState. All or nothing. Its ENIs carry traffic again, their conntrack
 * tables empty (INST-3: on AWS a start moves the instance to new hardware), and a launch-time
 * public IP is a new one (EIP-7).
 */
export function startInstances(ctx: ScopedOpContext, ids: readonly string[]): StateTransition[] {
  const instances = requireInstances(ctx, ids);
  for (const inst of instances)
    if (inst.state === "terminated" || inst.state === "shutting-down")
      throw controllerError("EMU_ERR_INSTANCE_CANNOT_START", inst.instanceId);
  return instances.map((inst) => {
    if (inst.state !== "stopped")
      return { instanceId: inst.instanceId, previous: inst.state, current: inst.state };
    const { stateReason: _r, ...rest } = inst;
    ctx.tx.put("instance", inst.instanceId, {
      ...rest,
      state: "running",
      stateRevision: ctx.revision,
      stateTransitionReason: "",
    });
    renewLaunchPublicIp(ctx, inst.instanceId);
    for (const eniId of inst.eniIds) ctx.tx.touch("networkInterface", eniId);
    return { instanceId: inst.instanceId, previous: "stopped", current: "pending" };
  });
}

/** RebootInstances: running instances only; nothing stored changes. */
export function rebootInstances(ctx: ScopedOpContext, ids: readonly string[]): void {
  for (const inst of requireInstances(ctx, ids))
    if (inst.state !== "running" && inst.state !== "pending")
      throw controllerError("EMU_ERR_INSTANCE_CANNOT_REBOOT", inst.instanceId);
}

function requireLive(ctx: ScopedOpContext, instanceId: string): Instance {
  const inst = requireInstance(ctx, instanceId);
  if (inst.state === "terminated" || inst.eniIds[0] === undefined)
    throw controllerError("EMU_ERR_INSTANCE_STATE", instanceId);
  return inst;
}

/** ModifyInstanceAttribute GroupId.N (API-33, RULE-2): replaces the primary ENI's groups. */
export function modifyInstanceGroups(
  ctx: ScopedOpContext,
  instanceId: string,
  groupIds: readonly string[],
): void {
  const inst = requireLive(ctx, instanceId);
  modifyNetworkInterface(ctx, inst.eniIds[0] ?? "", { kind: "groups", groupIds });
}

/** ModifyInstanceAttribute SourceDestCheck: the primary ENI's (RULE-2). */
export function modifyInstanceSourceDestCheck(
  ctx: ScopedOpContext,
  instanceId: string,
  value: boolean,
): void {
  const inst = requireLive(ctx, instanceId);
  modifyNetworkInterface(ctx, inst.eniIds[0] ?? "", { kind: "sourceDestCheck", value });
}

/** One ModifyInstanceAttribute change of an InstanceAttributes member or the type. */
export type InstanceAttributeChange =
  | { readonly name: "instanceType"; readonly value: string }
  | {
      readonly name: Exclude<keyof InstanceAttributes, "cpuCredits" | "keyName" | "monitoring">;
      readonly value: string | boolean;
    };

/** Attributes AWS lets you change only while the instance is stopped. */
const STOPPED_ONLY: ReadonlySet<string> = new Set([
  "instanceType",
  "kernel",
  "ramdisk",
  "userData",
  "ebsOptimized",
  "sriovNetSupport",
  "enaSupport",
]);

/**
 * ModifyInstanceAttribute for everything but groups and sourceDestCheck: the stopped-only
 * attributes answer IncorrectInstanceState on a running instance; a new type must hold the
 * instance's ENIs and addresses (checkNetworkLimits).
 */
export function modifyInstanceAttribute(
  ctx: ScopedOpContext,
  instanceId: string,
  change: InstanceAttributeChange,
): Instance {
  const inst = requireLive(ctx, instanceId);
  if (STOPPED_ONLY.has(change.name) && inst.state !== "stopped")
    throw controllerError("EMU_ERR_INSTANCE_NOT_STOPPED", instanceId);
  let next: Instance;
  if (change.name === "instanceType") {
    const type = requireInstanceType(change.value);
    const enis = inst.eniIds
      .map((id) => ctx.tx.get("networkInterface", id))
      .filter((e): e is NetworkInterface => e !== undefined);
    checkNetworkLimits(type, enis);
    const credits = inst.attributes?.cpuCredits;
    const { cpuCredits: _c, ...others } = inst.attributes ?? {};
    const keep = type.burstable ? (credits ?? defaultCpuCredits(type)) : undefined;
    next = {
      ...inst,
      instanceType: type.instanceType,
      attributes: { ...others, ...(keep === undefined ? {} : { cpuCredits: keep }) },
    };
  } else {
    next = { ...inst, attributes: { ...inst.attributes, [change.name]: change.value } };
  }
  ctx.tx.put("instance", instanceId, next);
  return next;
}

/** ModifyInstanceCreditSpecification: per instance, a burstable one only. */
export function modifyCreditSpecification(
  ctx: ScopedOpContext,
  instanceId: string,
  cpuCredits: "standard" | "unlimited",
): void {
  const inst = requireLive(ctx, instanceId);
  const type = requireInstanceType(inst.instanceType);
  if (!type.burstable)
    throw controllerError("EMU_ERR_INSTANCE_CREDITS_NOT_SUPPORTED", instanceId, inst.instanceType);
  ctx.tx.put("instance", instanceId, {
    ...inst,
    attributes: { ...inst.attributes, cpuCredits },
  });
}
