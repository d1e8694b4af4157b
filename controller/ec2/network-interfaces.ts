import { controllerError } from "../errors.js";
import { INSTANCE_STATE_CODES, type Instance } from "../model/instance.js";
import {
  CONNTRACK_TIMEOUT_DEFAULTS,
  sanitizeConntrackSpec,
  sanitizeEniDescription,
  type NetworkInterface,
} from "../model/network-interface.js";
import {
  createNetworkInterface,
  deleteNetworkInterface,
  modifyInstanceGroups,
  modifyNetworkInterface,
  requireInstance,
  runInstances,
  terminateInstances,
  type EniAttributeChange,
  type RunInstancesNic,
} from "../store/eni-ops.js";
import { mutate, visible, type ActionHandler, type Ec2Context } from "./context.js";
import {
  applyFilters,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

function conntrackParams(p: QueryParams) {
  const s = p.sub("ConnectionTrackingSpecification");
  return sanitizeConntrackSpec({
    TcpEstablishedTimeout: s.str("TcpEstablishedTimeout"),
    UdpStreamTimeout: s.str("UdpStreamTimeout"),
    UdpTimeout: s.str("UdpTimeout"),
  });
}

function groupSetXml(c: Ec2Context, groupIds: readonly string[]): XmlTree[] {
  return groupIds.map((g) => ({
    groupId: g,
    groupName: c.store.get("securityGroup", g)?.groupName,
  }));
}

/** TO-2: `connectionTrackingConfiguration`, effective values, present once any is configured. */
function conntrackXml(e: NetworkInterface): XmlTree | undefined {
  if (
    e.tcpEstablishedTimeout === undefined &&
    e.udpTimeout === undefined &&
    e.udpStreamTimeout === undefined
  )
    return undefined;
  return {
    tcpEstablishedTimeout:
      e.tcpEstablishedTimeout ?? CONNTRACK_TIMEOUT_DEFAULTS.TcpEstablishedTimeout,
    udpStreamTimeout: e.udpStreamTimeout ?? CONNTRACK_TIMEOUT_DEFAULTS.UdpStreamTimeout,
    udpTimeout: e.udpTimeout ?? CONNTRACK_TIMEOUT_DEFAULTS.UdpTimeout,
  };
}

function privateIpsXml(e: NetworkInterface): XmlTree[] {
  return e.privateIps.map((a, i) => ({
    privateIpAddress: a,
    privateDnsName: dnsName(a),
    primary: i === 0,
  }));
}

function dnsName(ip: string): string {
  return `ip-${ip.replace(/\./g, "-")}.ec2.internal`;
}

export function networkInterfaceXml(c: Ec2Context, e: NetworkInterface): XmlTree {
  const subnet = c.store.get("subnet", e.subnetId);
  return {
    networkInterfaceId: e.eniId,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    availabilityZone: subnet?.availabilityZone,
    description: e.description,
    ownerId: c.accountId,
    requesterManaged: false,
    status: e.attachment === undefined ? "available" : "in-use",
    macAddress: e.macAddress,
    privateIpAddress: e.privateIps[0],
    privateDnsName: e.privateIps[0] === undefined ? undefined : dnsName(e.privateIps[0]),
    sourceDestCheck: e.sourceDestCheck,
    groupSet: groupSetXml(c, e.groupIds),
    attachment:
      e.attachment === undefined
        ? undefined
        : {
            attachmentId: e.attachment.attachmentId,
            instanceId: e.attachment.instanceId,
            instanceOwnerId: c.accountId,
            deviceIndex: e.attachment.deviceIndex,
            status: "attached",
            attachTime: e.attachment.attachTime,
            deleteOnTermination: e.attachment.deleteOnTermination,
          },
    tagSet: tagSet(e.tags),
    privateIpAddressesSet: privateIpsXml(e),
    ipv6AddressesSet: e.ipv6.map((a) => ({ ipv6Address: a })),
    interfaceType: "interface",
    connectionTrackingConfiguration: conntrackXml(e),
  };
}

const createEni: ActionHandler = (c) => {
  const p = c.params;
  const subnetId = p.req("SubnetId");
  const explicit = p.members("PrivateIpAddresses").map((m) => ({
    address: m.req("PrivateIpAddress"),
    primary: m.bool("Primary") === true,
  }));
  const primary = p.str("PrivateIpAddress") ?? explicit.find((x) => x.primary)?.address;
  const privateIps = [
    ...(primary === undefined ? [] : [primary]),
    ...explicit.filter((x) => x.address !== primary).map((x) => x.address),
  ];
  const conntrack = conntrackParams(p);
  const description = sanitizeEniDescription(p.str("Description"));
  const eni = mutate(c, (ctx) =>
    createNetworkInterface(ctx, {
      subnetId,
      groupIds: p.list("SecurityGroupId"),
      privateIps,
      secondaryPrivateIpCount: p.int("SecondaryPrivateIpAddressCount", 0, 49) ?? 0,
      ipv6Addresses: p.members("Ipv6Addresses").map((m) => m.req("Ipv6Address")),
      ipv6Count: p.int("Ipv6AddressCount", 0, 49) ?? 0,
      description,
      conntrack,
      tags: tagSpecifications(p, "network-interface"),
    }),
  );
  return { networkInterface: networkInterfaceXml(c, eni), clientToken: p.str("ClientToken") };
};

const deleteEni: ActionHandler = (c) => {
  const id = c.params.req("NetworkInterfaceId");
  mutate(c, (ctx) => deleteNetworkInterface(ctx, id));
  return { return: true };
};

/** API-28 / ERR-37: exactly one attribute per call. */
const modifyEni: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("NetworkInterfaceId");
  const changes: EniAttributeChange[] = [];
  const groups = p.list("SecurityGroupId");
  if (groups.length > 0) changes.push({ kind: "groups", groupIds: groups });
  const description = p.str("Description.Value");
  if (description !== undefined)
    changes.push({ kind: "description", description: sanitizeEniDescription(description) });
  const sdc = p.bool("SourceDestCheck.Value");
  if (sdc !== undefined) changes.push({ kind: "sourceDestCheck", value: sdc });
  if (p.has("ConnectionTrackingSpecification"))
    changes.push({ kind: "conntrack", spec: conntrackParams(p) });
  if (p.has("Attachment")) {
    const dot = p.bool("Attachment.DeleteOnTermination");
    if (dot === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Attachment.DeleteOnTermination");
    changes.push({
      kind: "deleteOnTermination",
      attachmentId: p.req("Attachment.AttachmentId"),
      value: dot,
    });
  }
  const change = changes[0];
  if (change === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Attribute");
  if (changes.length > 1)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "Only one attribute can be modified at a time",
    );
  mutate(c, (ctx) => modifyNetworkInterface(ctx, id, change));
  return { return: true };
};

const describeEnis: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "networkInterface"),
    p.list("NetworkInterfaceId"),
    (e) => e.eniId,
    (m) => controllerError("EMU_ERR_ENI_NOT_FOUND", m.join(", ")),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "network-interface-id": (e) => [e.eniId],
      "group-id": (e) => e.groupIds,
      "group-name": (e) => e.groupIds.map((g) => c.store.get("securityGroup", g)?.groupName),
      "subnet-id": (e) => [e.subnetId],
      "vpc-id": (e) => [e.vpcId],
      "attachment.instance-id": (e) => [e.attachment?.instanceId],
      "attachment.attachment-id": (e) => [e.attachment?.attachmentId],
      "private-ip-address": (e) => e.privateIps,
      "addresses.private-ip-address": (e) => e.privateIps,
      "ipv6-addresses.ipv6-address": (e) => e.ipv6,
      "mac-address": (e) => [e.macAddress],
      description: (e) => [e.description],
      status: (e) => [e.attachment === undefined ? "available" : "in-use"],
      "source-dest-check": (e) => [String(e.sourceDestCheck)],
      "owner-id": () => [c.accountId],
    },
    (e) => e.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { networkInterfaceSet: page.map((e) => networkInterfaceXml(c, e)), nextToken };
};

// ---- instances

function instanceXml(c: Ec2Context, i: Instance): XmlTree {
  const enis = i.eniIds
    .map((id) => c.store.get("networkInterface", id))
    .filter(
      (e): e is NetworkInterface => e !== undefined && e.attachment?.instanceId === i.instanceId,
    );
  const primary = enis[0];
  const subnet = c.store.get("subnet", i.subnetId);
  return {
    instanceId: i.instanceId,
    imageId: i.imageId,
    instanceState: { code: INSTANCE_STATE_CODES[i.state], name: i.state },
    privateDnsName: i.state === "terminated" ? "" : dnsName(i.privateIpAddress),
    reason: "",
    amiLaunchIndex: 0,
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: subnet?.availabilityZone, tenancy: "default" },
    monitoring: { state: "disabled" },
    subnetId: i.state === "terminated" ? undefined : i.subnetId,
    vpcId: i.state === "terminated" ? undefined : i.vpcId,
    privateIpAddress: i.state === "terminated" ? undefined : i.privateIpAddress,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: groupSetXml(c, primary?.groupIds ?? []),
    architecture: "x86_64",
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/xvda",
    blockDeviceMapping: [],
    virtualizationType: "hvm",
    hypervisor: "xen",
    tagSet: tagSet(i.tags),
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
        attachment: {
          attachmentId: e.attachment?.attachmentId,
          deviceIndex: e.attachment?.deviceIndex,
          status: "attached",
          attachTime: e.attachment?.attachTime,
          deleteOnTermination: e.attachment?.deleteOnTermination,
        },
        privateIpAddressesSet: privateIpsXml(e),
        ipv6AddressesSet: e.ipv6.map((a) => ({ ipv6Address: a })),
        interfaceType: "interface",
        connectionTrackingConfiguration: conntrackXml(e),
      };
    }),
  };
}

function parseNic(m: QueryParams, i: number): RunInstancesNic {
  const deviceIndex = m.int("DeviceIndex", 0, 31);
  if (deviceIndex === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", `NetworkInterface.${i + 1}.DeviceIndex`);
  const groups = m.list("SecurityGroupId");
  const dot = m.bool("DeleteOnTermination");
  const conntrack = conntrackParams(m);
  return {
    deviceIndex,
    ...(m.str("NetworkInterfaceId") === undefined
      ? {}
      : { networkInterfaceId: m.req("NetworkInterfaceId") }),
    ...(m.str("SubnetId") === undefined ? {} : { subnetId: m.req("SubnetId") }),
    ...(groups.length === 0 ? {} : { groupIds: groups }),
    ...(m.str("PrivateIpAddress") === undefined
      ? {}
      : { privateIpAddress: m.req("PrivateIpAddress") }),
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
  const instanceTags = tagSpecifications(p, "instance");
  const eniTags = tagSpecifications(p, "network-interface");
  const res = mutate(c, (ctx) => {
    if (names.length > 0) {
      // Why: SecurityGroup.N names only resolve in a default VPC, which vpcemu does not create.
      throw controllerError("EMU_ERR_SG_NOT_FOUND", names[0] ?? "");
    }
    if (subnetId === undefined && nics.length === 0)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "SubnetId");
    return runInstances(ctx, {
      imageId,
      instanceType: p.str("InstanceType") ?? "m1.small",
      minCount,
      maxCount,
      ...(subnetId === undefined ? {} : { subnetId }),
      ...(groupIds.length === 0 ? {} : { groupIds }),
      ...(p.str("PrivateIpAddress") === undefined
        ? {}
        : { privateIpAddress: p.req("PrivateIpAddress") }),
      ...(nics.length === 0 ? {} : { networkInterfaces: nics }),
      instanceTags,
      eniTags,
      ...(p.str("ClientToken") === undefined ? {} : { clientToken: p.req("ClientToken") }),
    });
  });
  return {
    reservationId: res.reservationId,
    ownerId: c.accountId,
    groupSet: [],
    instancesSet: res.instances.map((i) => instanceXml(c, i)),
  };
};

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
    (m) => controllerError("EMU_ERR_INSTANCE_NOT_FOUND", m.join(", ")),
  );
  const enisOf = (i: Instance) =>
    i.eniIds
      .map((id) => c.store.get("networkInterface", id))
      .filter((e): e is NetworkInterface => e !== undefined);
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "instance-id": (i) => [i.instanceId],
      "instance-state-name": (i) => [i.state],
      "instance-state-code": (i) => [String(INSTANCE_STATE_CODES[i.state])],
      "subnet-id": (i) => [i.subnetId],
      "vpc-id": (i) => [i.vpcId],
      "image-id": (i) => [i.imageId],
      "instance-type": (i) => [i.instanceType],
      "private-ip-address": (i) => [i.privateIpAddress],
      "reservation-id": (i) => [i.reservationId],
      "instance.group-id": (i) => enisOf(i).flatMap((e) => e.groupIds),
      "group-id": (i) => enisOf(i).flatMap((e) => e.groupIds),
      "instance.group-name": (i) =>
        enisOf(i).flatMap((e) => e.groupIds.map((g) => c.store.get("securityGroup", g)?.groupName)),
      "network-interface.network-interface-id": (i) => enisOf(i).map((e) => e.eniId),
      "owner-id": () => [c.accountId],
    },
    (i) => i.tags,
  );
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

const terminate: ActionHandler = (c) => {
  const ids = c.params.list("InstanceId");
  if (ids.length === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "InstanceId");
  const out = mutate(c, (ctx) => terminateInstances(ctx, ids));
  return {
    instancesSet: out.map((t) => ({
      instanceId: t.instanceId,
      currentState: { code: INSTANCE_STATE_CODES[t.current], name: t.current },
      previousState: { code: INSTANCE_STATE_CODES[t.previous], name: t.previous },
    })),
  };
};

/** API-33: GroupId.N replaces the primary ENI's groups; SourceDestCheck.Value likewise. */
const modifyInstance: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("InstanceId");
  const groups = p.list("GroupId");
  const sdc = p.bool("SourceDestCheck.Value");
  if (groups.length > 0 && sdc !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "Only one attribute can be modified at a time",
    );
  if (groups.length === 0 && sdc === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "GroupId");
  mutate(c, (ctx) => {
    if (groups.length > 0) modifyInstanceGroups(ctx, id, groups);
    else {
      const inst = requireInstance(ctx, id);
      const primary = inst.eniIds[0];
      if (inst.state === "terminated" || primary === undefined)
        throw controllerError("EMU_ERR_INSTANCE_STATE", id);
      modifyNetworkInterface(ctx, primary, { kind: "sourceDestCheck", value: sdc ?? true });
    }
  });
  return { return: true };
};

export const NETWORK_INTERFACE_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateNetworkInterface: createEni,
  DeleteNetworkInterface: deleteEni,
  DescribeNetworkInterfaces: describeEnis,
  ModifyNetworkInterfaceAttribute: modifyEni,
  RunInstances: runInstancesAction,
  DescribeInstances: describeInstances,
  TerminateInstances: terminate,
  ModifyInstanceAttribute: modifyInstance,
};
