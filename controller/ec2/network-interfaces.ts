import { controllerError } from "../errors.js";
import {
  CONNTRACK_TIMEOUT_DEFAULTS,
  sanitizeConntrackSpec,
  sanitizeEniDescription,
  type NetworkInterface,
} from "../model/network-interface.js";
import {
  createNetworkInterface,
  deleteNetworkInterface,
  modifyNetworkInterface,
  type EniAttributeChange,
} from "../store/eni-ops.js";
import { mutate, visible, type ActionHandler, type Ec2Context } from "./context.js";
import {
  applyFilters,
  notFoundError,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";
import { eniAssociationXml } from "./addresses.js";

export function conntrackParams(p: QueryParams) {
  const s = p.sub("ConnectionTrackingSpecification");
  return sanitizeConntrackSpec({
    TcpEstablishedTimeout: s.str("TcpEstablishedTimeout"),
    UdpStreamTimeout: s.str("UdpStreamTimeout"),
    UdpTimeout: s.str("UdpTimeout"),
  });
}

export function groupSetXml(c: Ec2Context, groupIds: readonly string[]): XmlTree[] {
  return groupIds.map((g) => ({
    groupId: g,
    groupName: c.store.get("securityGroup", g)?.groupName,
  }));
}

/** TO-2: `connectionTrackingConfiguration`, effective values, present once any is configured. */
export function conntrackXml(e: NetworkInterface): XmlTree | undefined {
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

export function privateIpsXml(e: NetworkInterface): XmlTree[] {
  return e.privateIps.map((a, i) => ({
    privateIpAddress: a,
    privateDnsName: dnsName(a),
    primary: i === 0,
  }));
}

export function dnsName(ip: string): string {
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
    association: eniAssociationXml(c, e.eniId, e.privateIps[0]),
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
    notFoundError("EMU_ERR_ENI_NOT_FOUND", "EMU_ERR_ENI_NOT_FOUND_MANY"),
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
      "availability-zone": (e) => [c.store.get("subnet", e.subnetId)?.availabilityZone],
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

export const NETWORK_INTERFACE_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateNetworkInterface: createEni,
  DeleteNetworkInterface: deleteEni,
  DescribeNetworkInterfaces: describeEnis,
  ModifyNetworkInterfaceAttribute: modifyEni,
};
