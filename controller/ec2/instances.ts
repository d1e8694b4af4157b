/**
 * Instance actions (AWS-BEHAVIOUR API-30..API-33; docs/ec2-api.md "Instances"): RunInstances,
 * DescribeInstances, Start/Stop/Reboot/TerminateInstances, DescribeInstanceStatus,
 * Describe/ModifyInstanceAttribute, DescribeInstanceTypes, Describe/ModifyInstanceCreditSpecification(s).
 * Lifecycle rules live in store/instance-ops.ts.
 */
import { controllerError, invalidValue } from "../errors.js";
import { INSTANCE_STATE_CODES, type Instance, type InstanceStateName } from "../model/instance.js";
import {
  DEFAULT_INSTANCE_TYPE,
  INSTANCE_TYPES,
  type InstanceTypeInfo,
} from "../model/instance-types.js";
import { findZone } from "../model/regions.js";
import { defaultSubnetFor } from "../store/default-vpc.js";
import { requireDefaultVpcGroup } from "../store/sg-ops.js";
import { sanitizeEniDescription, type NetworkInterface } from "../model/network-interface.js";
import {
  modifyCreditSpecification,
  modifyInstanceAttribute,
  modifyInstanceGroups,
  modifyInstanceSourceDestCheck,
  rebootInstances,
  runInstances,
  startInstances,
  stopInstances,
  terminateInstances,
  type InstanceAttributeChange,
  type RunInstancesNic,
  type StateTransition,
} from "../store/instance-ops.js";
import { mutate, visible, visibleGet, type ActionHandler, type Ec2Context } from "./context.js";
import {
  applyFilters,
  notFoundError,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import {
  conntrackParams,
  conntrackXml,
  dnsName,
  groupSetXml,
  networkInterfaceXml,
  privateIpsXml,
} from "./network-interfaces.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";
import { eniAssociationXml, instancePublicIp, publicDnsName } from "./addresses.js";
import { assignLaunchPublicIp } from "../store/address-ops.js";

function stateXml(name: InstanceStateName): XmlTree {
  return { code: INSTANCE_STATE_CODES[name], name };
}

function typeOf(i: Instance): InstanceTypeInfo | undefined {
  return INSTANCE_TYPES.get(i.instanceType);
}

function enisOf(c: Ec2Context, i: Instance): NetworkInterface[] {
  return i.eniIds
    .map((id) => c.store.get("networkInterface", id))
    .filter(
      (e): e is NetworkInterface => e !== undefined && e.attachment?.instanceId === i.instanceId,
    );
}

/** An instance as DescribeInstances and RunInstances show it (`state` overrides the stored one). */
function instanceXml(c: Ec2Context, i: Instance, state: InstanceStateName = i.state): XmlTree {
  const enis = enisOf(c, i);
  const primary = enis[0];
  const subnet = c.store.get("subnet", i.subnetId);
  const type = typeOf(i);
  const a = i.attributes ?? {};
  const gone = i.state === "terminated";
  const publicIp = gone ? undefined : instancePublicIp(c, primary?.eniId, i.privateIpAddress);
  return {
    instanceId: i.instanceId,
    imageId: i.imageId,
    instanceState: stateXml(state),
    privateDnsName: gone ? "" : dnsName(i.privateIpAddress),
    // docs/routing.md EIP-6/EIP-7: an Elastic IP or the launch-time public IP.
    dnsName: publicIp === undefined ? "" : publicDnsName(c.region, publicIp),
    reason: i.stateTransitionReason ?? "",
    keyName: a.keyName,
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: {
      availabilityZone: subnet?.availabilityZone,
      groupName: "",
      tenancy: "default",
    },
    kernelId: a.kernel,
    ramdiskId: a.ramdisk,
    monitoring: { state: a.monitoring === true ? "enabled" : "disabled" },
    subnetId: gone ? undefined : i.subnetId,
    vpcId: gone ? undefined : i.vpcId,
    privateIpAddress: gone ? undefined : i.privateIpAddress,
    ipAddress: publicIp,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: groupSetXml(c, primary?.groupIds ?? []),
    stateReason: i.stateReason === undefined ? undefined : { ...i.stateReason },
    architecture: type?.architecture ?? "x86_64",
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/xvda",
    blockDeviceMapping: [],
    virtualizationType: "hvm",
    clientToken: i.clientToken ?? "",
    tagSet: tagSet(i.tags),
    hypervisor: "xen",
    networkInterfaceSet: enis.map((e) => {
      const x = networkInterfaceXml(c, e);
      return {
        networkInterfaceId: e.eniId,
        subnetId: e.subnetId,
        vpcId: e.vpcId,
        description: e.description,
        ownerId: c.accountId,
        status: "in-use",
        macAddress: e.macAddress,
        privateIpAddress: e.privateIps[0],
        privateDnsName: x["privateDnsName"],
        sourceDestCheck: e.sourceDestCheck,
        groupSet: groupSetXml(c, e.groupIds),
        association: x["association"],
        attachment: {
          attachmentId: e.attachment?.attachmentId,
          deviceIndex: e.attachment?.deviceIndex,
          status: "attached",
          attachTime: e.attachment?.attachTime,
          deleteOnTermination: e.attachment?.deleteOnTermination,
          networkCardIndex: 0,
        },
        privateIpAddressesSet: privateIpsXml(e),
        ipv6AddressesSet: e.ipv6.map((addr) => ({ ipv6Address: addr })),
        interfaceType: "interface",
        connectionTrackingConfiguration: conntrackXml(e),
      };
    }),
    ebsOptimized: a.ebsOptimized === true,
    enaSupport: a.enaSupport ?? type?.hypervisor === "nitro",
    sriovNetSupport: a.sriovNetSupport,
    cpuOptions: {
      coreCount: Math.max(1, (type?.vcpus ?? 1) / 2),
      threadsPerCore: (type?.vcpus ?? 1) > 1 ? 2 : 1,
    },
    capacityReservationSpecification: { capacityReservationPreference: "open" },
    hibernationOptions: { configured: false },
    metadataOptions: {
      state: "applied",
      httpTokens: "optional",
      httpPutResponseHopLimit: 1,
      httpEndpoint: "enabled",
      httpProtocolIpv6: "disabled",
      instanceMetadataTags: "disabled",
    },
    enclaveOptions: { enabled: a.enclaveOptions === true },
    platformDetails: "Linux/UNIX",
    usageOperation: "RunInstances",
    usageOperationUpdateTime: i.launchTime,
    privateDnsNameOptions: {
      hostnameType: "ip-name",
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
    maintenanceOptions: { autoRecovery: "default" },
    currentInstanceBootMode: "legacy-bios",
  };
}

/**
 * A NIC's primary private address wherever the request puts it: `PrivateIpAddress`, or the
 * `PrivateIpAddresses.N` entry with `Primary=true` (the aws CLI's form whenever
 * `--associate-public-ip-address` is given; docs/routing.md EIP-8). Other entries of that list
 * would be secondary addresses, which RunInstances does not take here: refused, not dropped.
 */
function nicPrimaryAddress(m: QueryParams, i: number): string | undefined {
  const listed = m.members("PrivateIpAddresses").map((x, n) => {
    const address = x.str("PrivateIpAddress");
    if (address === undefined)
      throw controllerError(
        "EMU_ERR_REQ_MISSING_PARAMETER",
        `NetworkInterface.${i + 1}.PrivateIpAddresses.${n + 1}.PrivateIpAddress`,
      );
    return { address, primary: x.bool("Primary") === true };
  });
  const direct = m.str("PrivateIpAddress");
  const primaries = listed.filter((x) => x.primary || listed.length === 1);
  const primary = direct ?? primaries[0]?.address;
  const secondary = listed.filter((x) => x.address !== primary);
  if (primaries.length > 1 || (direct !== undefined && primaries.some((x) => x.address !== direct)))
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value for NetworkInterface.${i + 1}.PrivateIpAddresses: only one primary private IP address is allowed.`,
    );
  if (secondary.length > 0)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `vpcemu takes only the primary address in NetworkInterface.${i + 1}.PrivateIpAddresses on RunInstances; use SecondaryPrivateIpAddressCount (docs/routing.md).`,
    );
  return primary;
}

function parseNic(m: QueryParams, i: number): RunInstancesNic {
  const deviceIndex = m.int("DeviceIndex", 0, 31);
  if (deviceIndex === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", `NetworkInterface.${i + 1}.DeviceIndex`);
  const groups = m.list("SecurityGroupId");
  const dot = m.bool("DeleteOnTermination");
  const conntrack = conntrackParams(m);
  const primaryAddress = nicPrimaryAddress(m, i);
  return {
    deviceIndex,
    ...(m.str("NetworkInterfaceId") === undefined
      ? {}
      : { networkInterfaceId: m.req("NetworkInterfaceId") }),
    ...(m.str("SubnetId") === undefined ? {} : { subnetId: m.req("SubnetId") }),
    ...(groups.length === 0 ? {} : { groupIds: groups }),
    ...(primaryAddress === undefined ? {} : { privateIpAddress: primaryAddress }),
    ...(m.str("SecondaryPrivateIpAddressCount") === undefined
      ? {}
      : { secondaryPrivateIpCount: m.int("SecondaryPrivateIpAddressCount", 0, 49) ?? 0 }),
    ...(m.str("Ipv6AddressCount") === undefined
      ? {}
      : { ipv6Count: m.int("Ipv6AddressCount", 0, 49) ?? 0 }),
    ...(dot === undefined ? {} : { deleteOnTermination: dot }),
    ...(m.str("Description") === undefined
      ? {}
      : { description: sanitizeEniDescription(m.str("Description")) }),
    ...(Object.keys(conntrack).length === 0 ? {} : { conntrack }),
  };
}

function shutdownBehavior(v: string | undefined): "stop" | "terminate" | undefined {
  if (v === undefined) return undefined;
  if (v !== "stop" && v !== "terminate") throw invalidValue(v, "InstanceInitiatedShutdownBehavior");
  return v;
}

function cpuCredits(v: string | undefined): "standard" | "unlimited" | undefined {
  if (v === undefined) return undefined;
  if (v !== "standard" && v !== "unlimited") throw invalidValue(v, "CpuCredits");
  return v;
}

/**
 * `NetworkInterface.N.AssociatePublicIpAddress` (device index 0 only, a new interface, a single
 * interface: AWS's InvalidParameterCombination otherwise); undefined when not given.
 */
function launchPublicIpRequest(p: QueryParams): boolean | undefined {
  const members = p.members("NetworkInterface");
  let wanted: boolean | undefined;
  for (const m of members) {
    const v = m.bool("AssociatePublicIpAddress");
    if (v === undefined) continue;
    if (members.length > 1)
      throw controllerError(
        "EMU_ERR_REQ_PARAMETER_COMBINATION",
        "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.",
      );
    if (m.str("NetworkInterfaceId") !== undefined)
      throw controllerError(
        "EMU_ERR_REQ_PARAMETER_COMBINATION",
        "The associatePublicIPAddress parameter cannot be specified for a network interface with an ID.",
      );
    wanted = v;
  }
  return wanted;
}

const runInstancesAction: ActionHandler = (c) => {
  const p = c.params;
  const imageId = p.req("ImageId");
  const minCount = p.int("MinCount", 1, 1000);
  const maxCount = p.int("MaxCount", 1, 1000);
  if (minCount === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "MinCount");
  if (maxCount === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "MaxCount");
  if (minCount > maxCount)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value '${minCount}' for MinCount. MinCount must not exceed MaxCount.`,
    );
  const names = p.list("SecurityGroup");
  const subnetId = p.str("SubnetId");
  if (names.length > 0 && subnetId !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "The parameter groupName cannot be used with the parameter subnet",
    );
  const groupIds = p.list("SecurityGroupId");
  const nics = p.members("NetworkInterface").map(parseNic);
  const publicIpWanted = launchPublicIpRequest(p);
  const instanceTags = tagSpecifications(p, "instance");
  const eniTags = tagSpecifications(p, "network-interface");
  const behavior = shutdownBehavior(p.str("InstanceInitiatedShutdownBehavior"));
  const credits = cpuCredits(p.str("CreditSpecification.CpuCredits"));
  const attributes = {
    ...(p.bool("DisableApiTermination") === undefined
      ? {}
      : { disableApiTermination: p.bool("DisableApiTermination") === true }),
    ...(p.bool("DisableApiStop") === undefined
      ? {}
      : { disableApiStop: p.bool("DisableApiStop") === true }),
    ...(behavior === undefined ? {} : { instanceInitiatedShutdownBehavior: behavior }),
    ...(p.str("UserData") === undefined ? {} : { userData: p.req("UserData") }),
    ...(p.bool("EbsOptimized") === undefined
      ? {}
      : { ebsOptimized: p.bool("EbsOptimized") === true }),
    ...(p.str("KernelId") === undefined ? {} : { kernel: p.req("KernelId") }),
    ...(p.str("RamdiskId") === undefined ? {} : { ramdisk: p.req("RamdiskId") }),
    ...(p.str("KeyName") === undefined ? {} : { keyName: p.req("KeyName") }),
    ...(p.bool("Monitoring.Enabled") === true ? { monitoring: true } : {}),
    ...(p.bool("EnclaveOptions.Enabled") === true ? { enclaveOptions: true } : {}),
    ...(credits === undefined ? {} : { cpuCredits: credits }),
  };
  // Why: SDKs send an empty Placement.AvailabilityZone for "no preference".
  const az = p.str("Placement.AvailabilityZone") || undefined;
  const runInstancesIn = (ctx: Parameters<Parameters<typeof mutate>[1]>[0]) => {
    if (az !== undefined && findZone(c.region, az) === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Invalid availability zone: [${az}]`,
      );
    // Without SubnetId or network interfaces: the default subnet of the default VPC (in the
    // Placement zone when one is given); SecurityGroup.N names resolve in the default VPC.
    const subnet = subnetId ?? (nics.length === 0 ? defaultSubnetFor(ctx, az).subnetId : undefined);
    const ids = [...groupIds, ...names.map((n) => requireDefaultVpcGroup(ctx, n).groupId)];
    return runInstances(ctx, {
      imageId,
      instanceType: p.str("InstanceType") ?? DEFAULT_INSTANCE_TYPE,
      minCount,
      maxCount,
      ...(subnet === undefined ? {} : { subnetId: subnet }),
      ...(ids.length === 0 ? {} : { groupIds: ids }),
      ...(p.str("PrivateIpAddress") === undefined
        ? {}
        : { privateIpAddress: p.req("PrivateIpAddress") }),
      ...(nics.length === 0 ? {} : { networkInterfaces: nics }),
      ...(az === undefined ? {} : { availabilityZone: az }),
      attributes,
      instanceTags,
      eniTags,
      ...(p.str("ClientToken") === undefined ? {} : { clientToken: p.req("ClientToken") }),
    });
  };
  const res = mutate(c, (ctx) => {
    const out = runInstancesIn(ctx);
    // docs/routing.md EIP-7: AssociatePublicIpAddress, else the subnet's MapPublicIpOnLaunch.
    for (const i of out.instances) {
      const eni = ctx.tx.get("networkInterface", i.eniIds[0] ?? "");
      if (eni === undefined) continue;
      const subnet = ctx.tx.get("subnet", eni.subnetId);
      const wanted =
        publicIpWanted ??
        (nics[0]?.networkInterfaceId === undefined &&
          subnet?.attributes?.mapPublicIpOnLaunch === true);
      if (wanted) assignLaunchPublicIp(ctx, i.instanceId, eni.eniId, i.privateIpAddress);
    }
    return out;
  });
  return {
    reservationId: res.reservationId,
    ownerId: c.accountId,
    groupSet: [],
    // AWS answers RunInstances with the instances `pending`; Describe shows them running.
    instancesSet: res.instances.map((i) => instanceXml(c, i, "pending")),
  };
};

function instanceFilters(c: Ec2Context) {
  const enis = (i: Instance) => enisOf(c, i);
  const az = (i: Instance) => c.store.get("subnet", i.subnetId)?.availabilityZone;
  return {
    "instance-id": (i: Instance) => [i.instanceId],
    "instance-state-name": (i: Instance) => [i.state],
    "instance-state-code": (i: Instance) => [String(INSTANCE_STATE_CODES[i.state])],
    "subnet-id": (i: Instance) => [i.subnetId],
    "vpc-id": (i: Instance) => [i.vpcId],
    "image-id": (i: Instance) => [i.imageId],
    "instance-type": (i: Instance) => [i.instanceType],
    "private-ip-address": (i: Instance) => [i.privateIpAddress],
    "ip-address": (i: Instance) => [instancePublicIp(c, i.eniIds[0], i.privateIpAddress)],
    "network-interface.association.public-ip": (i: Instance) =>
      enis(i).flatMap((e) => e.privateIps.map((a) => instancePublicIp(c, e.eniId, a))),
    "private-dns-name": (i: Instance) => [dnsName(i.privateIpAddress)],
    "reservation-id": (i: Instance) => [i.reservationId],
    "availability-zone": (i: Instance) => [az(i)],
    "placement-group-name": () => [],
    "key-name": (i: Instance) => [i.attributes?.keyName],
    architecture: (i: Instance) => [typeOf(i)?.architecture],
    "instance.group-id": (i: Instance) => enis(i).flatMap((e) => e.groupIds),
    "group-id": (i: Instance) => enis(i).flatMap((e) => e.groupIds),
    "instance.group-name": (i: Instance) =>
      enis(i).flatMap((e) => e.groupIds.map((g) => c.store.get("securityGroup", g)?.groupName)),
    "group-name": (i: Instance) =>
      enis(i).flatMap((e) => e.groupIds.map((g) => c.store.get("securityGroup", g)?.groupName)),
    "network-interface.network-interface-id": (i: Instance) => enis(i).map((e) => e.eniId),
    "network-interface.subnet-id": (i: Instance) => enis(i).map((e) => e.subnetId),
    "network-interface.vpc-id": (i: Instance) => enis(i).map((e) => e.vpcId),
    "network-interface.addresses.private-ip-address": (i: Instance) =>
      enis(i).flatMap((e) => e.privateIps),
    "owner-id": () => [c.accountId],
    "client-token": (i: Instance) => [i.clientToken],
  };
}

const describeInstances: ActionHandler = (c) => {
  const p = c.params;
  const ids = p.list("InstanceId");
  if (ids.length > 0 && p.str("MaxResults") !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  const all = selectByIds(
    visible(c, "instance"),
    ids,
    (i) => i.instanceId,
    notFoundError("EMU_ERR_INSTANCE_NOT_FOUND", "EMU_ERR_INSTANCE_NOT_FOUND_MANY"),
  );
  const items = applyFilters(all, parseFilters(p), instanceFilters(c), (i) => i.tags);
  const { page, nextToken } = paginate(items, p);
  const byReservation = new Map<string, Instance[]>();
  for (const i of page) {
    const list = byReservation.get(i.reservationId) ?? [];
    list.push(i);
    byReservation.set(i.reservationId, list);
  }
  return {
    reservationSet: [...byReservation].map(([reservationId, instances]) => ({
      reservationId,
      ownerId: c.accountId,
      groupSet: [],
      instancesSet: instances.map((i) => instanceXml(c, i)),
    })),
    nextToken,
  };
};

function transitionsXml(out: readonly StateTransition[]): XmlTree[] {
  return out.map((t) => ({
    instanceId: t.instanceId,
    currentState: stateXml(t.current),
    previousState: stateXml(t.previous),
  }));
}

function instanceIds(p: QueryParams): string[] {
  const ids = p.list("InstanceId");
  if (ids.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "InstanceId");
  return ids;
}

const terminate: ActionHandler = (c) => {
  const ids = instanceIds(c.params);
  return { instancesSet: transitionsXml(mutate(c, (ctx) => terminateInstances(ctx, ids))) };
};

const stop: ActionHandler = (c) => {
  const ids = instanceIds(c.params);
  const hibernate = c.params.bool("Hibernate") === true;
  return {
    instancesSet: transitionsXml(mutate(c, (ctx) => stopInstances(ctx, ids, { hibernate }))),
  };
};

const start: ActionHandler = (c) => {
  const ids = instanceIds(c.params);
  return { instancesSet: transitionsXml(mutate(c, (ctx) => startInstances(ctx, ids))) };
};

const reboot: ActionHandler = (c) => {
  const ids = instanceIds(c.params);
  mutate(c, (ctx) => rebootInstances(ctx, ids));
  return { return: true };
};

/**
 * DescribeInstanceStatus: running instances unless IncludeAllInstances=true; status checks
 * `ok` while running (vpcemu has no impaired hardware), `not-applicable` otherwise.
 */
const describeInstanceStatus: ActionHandler = (c) => {
  const p = c.params;
  const ids = p.list("InstanceId");
  if (ids.length > 0 && p.str("MaxResults") !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  const includeAll = p.bool("IncludeAllInstances") === true;
  let all = selectByIds(
    visible(c, "instance"),
    ids,
    (i) => i.instanceId,
    notFoundError("EMU_ERR_INSTANCE_NOT_FOUND", "EMU_ERR_INSTANCE_NOT_FOUND_MANY"),
  ).filter((i) => i.state !== "terminated");
  if (!includeAll) all = all.filter((i) => i.state === "running");
  const check = (i: Instance) => (i.state === "running" ? "ok" : "not-applicable");
  const az = (i: Instance) => c.store.get("subnet", i.subnetId)?.availabilityZone;
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "availability-zone": (i) => [az(i)],
      "instance-state-name": (i) => [i.state],
      "instance-state-code": (i) => [String(INSTANCE_STATE_CODES[i.state])],
      "instance-status.status": (i) => [check(i)],
      "instance-status.reachability": (i) => [i.state === "running" ? "passed" : undefined],
      "system-status.status": (i) => [check(i)],
      "system-status.reachability": (i) => [i.state === "running" ? "passed" : undefined],
      "event.code": () => [],
    },
    () => ({}),
  );
  const { page, nextToken } = paginate(items, p);
  const details = (i: Instance) =>
    i.state === "running" ? [{ name: "reachability", status: "passed" }] : [];
  return {
    instanceStatusSet: page.map((i) => ({
      instanceId: i.instanceId,
      availabilityZone: az(i),
      eventsSet: [],
      instanceState: stateXml(i.state),
      instanceStatus: { status: check(i), details: details(i) },
      systemStatus: { status: check(i), details: details(i) },
      attachedEbsStatus: { status: check(i), details: details(i) },
    })),
    nextToken,
  };
};

/** DescribeInstanceAttribute's `Attribute` values and how each is answered. */
const INSTANCE_ATTRIBUTES: Readonly<
  Record<string, (c: Ec2Context, i: Instance) => XmlTree | XmlTree[]>
> = {
  instanceType: (_c, i) => ({ value: i.instanceType }),
  kernel: (_c, i) => ({ value: i.attributes?.kernel }),
  ramdisk: (_c, i) => ({ value: i.attributes?.ramdisk }),
  userData: (_c, i) => ({ value: i.attributes?.userData }),
  disableApiTermination: (_c, i) => ({ value: i.attributes?.disableApiTermination === true }),
  instanceInitiatedShutdownBehavior: (_c, i) => ({
    value: i.attributes?.instanceInitiatedShutdownBehavior ?? "stop",
  }),
  rootDeviceName: () => ({ value: "/dev/xvda" }),
  blockDeviceMapping: () => [],
  productCodes: () => [],
  sourceDestCheck: (c, i) => ({ value: enisOf(c, i)[0]?.sourceDestCheck ?? true }),
  groupSet: (c, i) => groupSetXml(c, enisOf(c, i)[0]?.groupIds ?? []),
  ebsOptimized: (_c, i) => ({ value: i.attributes?.ebsOptimized === true }),
  sriovNetSupport: (_c, i) => ({ value: i.attributes?.sriovNetSupport }),
  enaSupport: (_c, i) => ({
    value: i.attributes?.enaSupport ?? typeOf(i)?.hypervisor === "nitro",
  }),
  enclaveOptions: (_c, i) => ({ enabled: i.attributes?.enclaveOptions === true }),
  disableApiStop: (_c, i) => ({ value: i.attributes?.disableApiStop === true }),
};

function requireVisibleInstance(c: Ec2Context, id: string): Instance {
  const i = visibleGet(c, "instance", id);
  if (i !== undefined) return i;
  if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw controllerError("EMU_ERR_INSTANCE_MALFORMED_ID", id);
  throw controllerError("EMU_ERR_INSTANCE_NOT_FOUND", id);
}

const describeInstanceAttribute: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("InstanceId");
  const name = p.req("Attribute");
  const render = Object.hasOwn(INSTANCE_ATTRIBUTES, name) ? INSTANCE_ATTRIBUTES[name] : undefined;
  if (render === undefined)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Value (${name}) for parameter attribute is invalid. Unknown attribute.`,
    );
  const i = requireVisibleInstance(c, id);
  return { instanceId: i.instanceId, [name]: render(c, i) };
};

type ParsedChange =
  | { readonly kind: "groups"; readonly groupIds: readonly string[] }
  | { readonly kind: "sourceDestCheck"; readonly value: boolean }
  | { readonly kind: "attribute"; readonly change: InstanceAttributeChange }
  | { readonly kind: "blockDeviceMapping"; readonly deviceName: string };

function boolValue(v: string, param: string): boolean {
  const l = v.toLowerCase();
  if (l === "true") return true;
  if (l === "false") return false;
  throw invalidValue(v, param);
}

/** One attribute from its name and text value (the `Attribute`/`Value` form and `X.Value`). */
function attributeChange(name: string, value: string, param: string): ParsedChange {
  switch (name) {
    case "sourceDestCheck":
      return { kind: "sourceDestCheck", value: boolValue(value, param) };
    case "instanceType":
      return { kind: "attribute", change: { name: "instanceType", value } };
    case "disableApiTermination":
    case "disableApiStop":
    case "ebsOptimized":
    case "enaSupport":
      return { kind: "attribute", change: { name, value: boolValue(value, param) } };
    case "instanceInitiatedShutdownBehavior":
      return {
        kind: "attribute",
        change: { name, value: shutdownBehavior(value) ?? "stop" },
      };
    case "sriovNetSupport":
      if (value !== "simple") throw invalidValue(value, param);
      return { kind: "attribute", change: { name, value } };
    case "kernel":
    case "ramdisk":
    case "userData":
      return { kind: "attribute", change: { name, value } };
    default:
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Value (${name}) for parameter attribute is invalid. Attribute cannot be modified.`,
      );
  }
}

const STRUCTURED: ReadonlyArray<readonly [string, string]> = [
  ["SourceDestCheck", "sourceDestCheck"],
  ["DisableApiTermination", "disableApiTermination"],
  ["DisableApiStop", "disableApiStop"],
  ["InstanceType", "instanceType"],
  ["Kernel", "kernel"],
  ["Ramdisk", "ramdisk"],
  ["UserData", "userData"],
  ["InstanceInitiatedShutdownBehavior", "instanceInitiatedShutdownBehavior"],
  ["EbsOptimized", "ebsOptimized"],
  ["SriovNetSupport", "sriovNetSupport"],
  ["EnaSupport", "enaSupport"],
];

/**
 * ModifyInstanceAttribute (API-33): exactly one attribute per request, either as
 * `<Attribute>.Value` / `GroupId.N` / `BlockDeviceMapping.N`, or as `Attribute` + `Value`.
 */
const modifyInstance: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("InstanceId");
  const changes: ParsedChange[] = [];
  const groups = p.list("GroupId");
  if (groups.length > 0) changes.push({ kind: "groups", groupIds: groups });
  for (const [wire, name] of STRUCTURED) {
    const v = p.str(`${wire}.Value`);
    if (v !== undefined) changes.push(attributeChange(name, v, `${wire}.Value`));
  }
  const attr = p.str("Attribute");
  if (attr !== undefined) {
    if (attr === "groupSet") {
      if (groups.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "GroupId");
    } else {
      const value = p.str("Value");
      if (value === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Value");
      changes.push(attributeChange(attr, value, "Value"));
    }
  }
  for (const m of p.members("BlockDeviceMapping"))
    changes.push({ kind: "blockDeviceMapping", deviceName: m.str("DeviceName") ?? "" });
  if (p.has("EnclaveOptions"))
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      "Value (enclaveOptions) for parameter attribute is invalid. Attribute cannot be modified.",
    );
  const change = changes[0];
  if (change === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Attribute");
  if (changes.length > 1)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "Only one attribute can be modified at a time",
    );
  mutate(c, (ctx) => {
    switch (change.kind) {
      case "groups":
        modifyInstanceGroups(ctx, id, change.groupIds);
        return;
      case "sourceDestCheck":
        modifyInstanceSourceDestCheck(ctx, id, change.value);
        return;
      case "attribute":
        modifyInstanceAttribute(ctx, id, change.change);
        return;
      case "blockDeviceMapping":
        // vpcemu emulates no volumes: no device is mapped (docs/ec2-api.md).
        throw controllerError("EMU_ERR_INSTANCE_NO_DEVICE", change.deviceName);
    }
  });
  return { return: true };
};

function typeXml(t: InstanceTypeInfo): XmlTree {
  return {
    instanceType: t.instanceType,
    currentGeneration: t.currentGeneration,
    freeTierEligible: t.freeTierEligible,
    supportedUsageClasses: ["on-demand", "spot"],
    supportedRootDeviceTypes: ["ebs"],
    supportedVirtualizationTypes: t.hypervisor === "xen" ? ["hvm", "paravirtual"] : ["hvm"],
    bareMetal: false,
    hypervisor: t.hypervisor,
    processorInfo: {
      supportedArchitectures: t.architecture === "arm64" ? ["arm64"] : ["i386", "x86_64"],
      manufacturer: t.architecture === "arm64" ? "AWS" : "Intel",
    },
    vCpuInfo: {
      defaultVCpus: t.vcpus,
      defaultCores: Math.max(1, Math.floor(t.vcpus / 2)),
      defaultThreadsPerCore: t.vcpus > 1 && t.architecture === "x86_64" ? 2 : 1,
    },
    memoryInfo: { sizeInMiB: t.memoryMiB },
    instanceStorageSupported: false,
    ebsInfo: {
      ebsOptimizedSupport: t.hypervisor === "nitro" ? "default" : "unsupported",
      encryptionSupport: "supported",
      nvmeSupport: t.hypervisor === "nitro" ? "required" : "unsupported",
    },
    networkInfo: {
      networkPerformance: t.networkPerformance,
      maximumNetworkInterfaces: t.maxNetworkInterfaces,
      maximumNetworkCards: 1,
      defaultNetworkCardIndex: 0,
      networkCards: [
        {
          networkCardIndex: 0,
          networkPerformance: t.networkPerformance,
          maximumNetworkInterfaces: t.maxNetworkInterfaces,
        },
      ],
      ipv4AddressesPerInterface: t.ipv4PerInterface,
      ipv6AddressesPerInterface: t.ipv6PerInterface,
      ipv6Supported: t.ipv6PerInterface > 0,
      enaSupport: t.hypervisor === "nitro" ? "required" : "unsupported",
      efaSupported: false,
      encryptionInTransitSupported: false,
      enaSrdSupported: false,
    },
    placementGroupInfo: { supportedStrategies: ["partition", "spread"] },
    hibernationSupported: false,
    burstablePerformanceSupported: t.burstable,
    dedicatedHostsSupported: !t.burstable,
    autoRecoverySupported: true,
    supportedBootModes: t.architecture === "arm64" ? ["uefi"] : ["legacy-bios", "uefi"],
  };
}

/** DescribeInstanceTypes: the catalogue (model/instance-types.ts); unknown names InvalidInstanceType. */
const describeInstanceTypes: ActionHandler = (c) => {
  const p = c.params;
  const names = p.list("InstanceType");
  const unknown = names.filter((n) => !INSTANCE_TYPES.has(n));
  if (unknown.length > 0)
    throw controllerError("EMU_ERR_INSTANCE_TYPE_NOT_FOUND", unknown.join(", "));
  const all =
    names.length > 0
      ? [...new Set(names)].map((n) => INSTANCE_TYPES.get(n)!)
      : [...INSTANCE_TYPES.values()];
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "instance-type": (t) => [t.instanceType],
      "current-generation": (t) => [String(t.currentGeneration)],
      "free-tier-eligible": (t) => [String(t.freeTierEligible)],
      "burstable-performance-supported": (t) => [String(t.burstable)],
      "bare-metal": () => ["false"],
      hypervisor: (t) => [t.hypervisor],
      "processor-info.supported-architecture": (t) =>
        t.architecture === "arm64" ? ["arm64"] : ["i386", "x86_64"],
      "vcpu-info.default-vcpus": (t) => [String(t.vcpus)],
      "memory-info.size-in-mib": (t) => [String(t.memoryMiB)],
      "network-info.maximum-network-interfaces": (t) => [String(t.maxNetworkInterfaces)],
      "network-info.ipv4-addresses-per-interface": (t) => [String(t.ipv4PerInterface)],
      "network-info.ipv6-addresses-per-interface": (t) => [String(t.ipv6PerInterface)],
      "network-info.ipv6-supported": (t) => [String(t.ipv6PerInterface > 0)],
      "network-info.network-performance": (t) => [t.networkPerformance],
      "supported-root-device-type": () => ["ebs"],
      "supported-usage-class": () => ["on-demand", "spot"],
      "supported-virtualization-type": (t) =>
        t.hypervisor === "xen" ? ["hvm", "paravirtual"] : ["hvm"],
    },
    () => ({}),
  );
  const { page, nextToken } = paginate(items, p, { min: 5, max: 100 });
  return { instanceTypeSet: page.map(typeXml), nextToken };
};

/**
 * DescribeInstanceCreditSpecifications: named instances must be burstable (else
 * InstanceCreditSpecification.NotSupported); without ids, the burstable instances whose option
 * is `unlimited` (AWS API reference).
 */
const describeCreditSpecifications: ActionHandler = (c) => {
  const p = c.params;
  const ids = p.list("InstanceId");
  if (ids.length > 0 && p.str("MaxResults") !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  const live = visible(c, "instance").filter((i) => i.state !== "terminated");
  let chosen: Instance[];
  if (ids.length > 0) {
    chosen = ids.map((id) => {
      const i = requireVisibleInstance(c, id);
      if (i.attributes?.cpuCredits === undefined)
        throw controllerError("EMU_ERR_INSTANCE_CREDITS_NOT_SUPPORTED", id, i.instanceType);
      return i;
    });
  } else chosen = live.filter((i) => i.attributes?.cpuCredits === "unlimited");
  const items = applyFilters(
    chosen,
    parseFilters(p),
    { "instance-id": (i) => [i.instanceId] },
    () => ({}),
  );
  const { page, nextToken } = paginate(items, p);
  return {
    instanceCreditSpecificationSet: page.map((i) => ({
      instanceId: i.instanceId,
      cpuCredits: i.attributes?.cpuCredits,
    })),
    nextToken,
  };
};

/** ModifyInstanceCreditSpecification: per instance; failures listed, the rest applied. */
const modifyCreditSpecifications: ActionHandler = (c) => {
  const specs = c.params.members("InstanceCreditSpecification").map((m, n) => {
    const id = m.str("InstanceId");
    if (id === undefined)
      throw controllerError(
        "EMU_ERR_REQ_MISSING_PARAMETER",
        `InstanceCreditSpecification.${n + 1}.InstanceId`,
      );
    return { id, credits: cpuCredits(m.str("CpuCredits") ?? "standard") ?? "standard" };
  });
  if (specs.length === 0)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "InstanceCreditSpecification");
  const ok: XmlTree[] = [];
  const failed: XmlTree[] = [];
  for (const s of specs) {
    try {
      mutate(c, (ctx) => modifyCreditSpecification(ctx, s.id, s.credits));
      ok.push({ instanceId: s.id });
    } catch (err) {
      const e = err as { awsCode?: string; message: string };
      if (e.awsCode === undefined || e.awsCode === "DryRunOperation") throw err;
      failed.push({ instanceId: s.id, error: { code: e.awsCode, message: e.message } });
    }
  }
  return {
    successfulInstanceCreditSpecificationSet: ok,
    unsuccessfulInstanceCreditSpecificationSet: failed,
  };
};

export const INSTANCE_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  RunInstances: runInstancesAction,
  DescribeInstances: describeInstances,
  TerminateInstances: terminate,
  StopInstances: stop,
  StartInstances: start,
  RebootInstances: reboot,
  DescribeInstanceStatus: describeInstanceStatus,
  DescribeInstanceAttribute: describeInstanceAttribute,
  ModifyInstanceAttribute: modifyInstance,
  DescribeInstanceTypes: describeInstanceTypes,
  DescribeInstanceCreditSpecifications: describeCreditSpecifications,
  ModifyInstanceCreditSpecification: modifyCreditSpecifications,
};
