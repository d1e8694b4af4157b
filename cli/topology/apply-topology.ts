/**
 * Applies a validated Topology through the EC2 Query API with the AWS SDK, so a topology file
 * and API calls build one and the same state. Every resource gets a `Name` tag with its name in
 * the file. An API error is reported at the item that caused it
 * (`topology.yaml:31: securityGroups[0].ingress[2]: InvalidPermission.Duplicate: ...`).
 *
 * Order: VPCs, subnets, internet gateways (attached), prefix lists, security groups (all created
 * before any rule, so rules may reference groups written later in the file), rules, network ACLs
 * with entries and associations, peerings (accepted), instances (+ their
 * ConnectionTrackingSpecification and launch-time public IP), Elastic IPs (associated), NAT
 * gateways, route tables (routes, subnet associations; apply-routing.ts), then the `faults:` section
 * through the controller's JSON API (POST /v1/faults), with the file's names turned into the ids
 * just created.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceNetworkAclAssociationCommand,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
  type EC2Client,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { FaultApiError, FaultClient, type FaultRequest } from "../chaos/fault-api.js";
import {
  applyElasticIps,
  applyInternetGateways,
  applyNatGateways,
  applyPeerings,
  applyRouteTables,
  atItem as at,
  need,
  type AppliedElasticIp,
} from "./apply-routing.js";
import {
  type SourceLocation,
  type Topology,
  type TopologyFault,
  type TopologySgRule,
} from "./topology.js";

/** Ids the API gave to the file's items, by name. */
export interface AppliedTopology {
  readonly vpcs: ReadonlyMap<string, string>;
  readonly subnets: ReadonlyMap<string, string>;
  readonly prefixLists: ReadonlyMap<string, string>;
  /** Key: `<vpc name>/<group name>`; the VPC default SG is `<vpc name>/default`. */
  readonly securityGroups: ReadonlyMap<string, string>;
  readonly networkAcls: ReadonlyMap<string, string>;
  readonly instances: ReadonlyMap<
    string,
    {
      readonly instanceId: string;
      readonly eniId: string;
      readonly privateIp: string;
      /** Its Elastic IP, else its launch-time public IP (EIP-6); absent: none. */
      readonly publicIp?: string;
    }
  >;
  readonly internetGateways: ReadonlyMap<string, string>;
  readonly routeTables: ReadonlyMap<string, string>;
  readonly elasticIps: ReadonlyMap<string, AppliedElasticIp>;
  readonly natGateways: ReadonlyMap<string, string>;
  readonly peerings: ReadonlyMap<string, string>;
  /** The faults of the file, in file order, with the ids the controller gave them. */
  readonly faults: readonly { readonly name?: string; readonly faultId: string }[];
}

export interface ApplyTopologyOptions {
  /**
   * Base URL of the controller's JSON API, for the `faults:` section. Default: the EC2 client's
   * endpoint (the controller serves both on one listener).
   */
  readonly jsonApiUrl?: string;
}

/** The image and type RunInstances gets (vpcemu ignores both). */
export const TOPOLOGY_IMAGE_ID = "ami-0123456789abcdef0";
export const TOPOLOGY_INSTANCE_TYPE = "t3.micro";

async function tagName(
  ec2: EC2Client,
  id: string,
  name: string,
  loc: SourceLocation,
): Promise<void> {
  await at(loc, () =>
    ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: name }] })),
  );
}

/** One SG rule as the IpPermission the API takes (one peer, RULE-11). */
export function ipPermissionOf(
  rule: TopologySgRule,
  groupId: (name: string) => string,
  prefixListId: (name: string) => string,
): IpPermission {
  const ports =
    rule.protocol === "-1" || !["6", "17", "1", "58"].includes(rule.protocol)
      ? {}
      : { FromPort: rule.fromPort, ToPort: rule.toPort };
  const description = rule.description !== undefined ? { Description: rule.description } : {};
  const peer = rule.peer;
  const perm: IpPermission = { IpProtocol: rule.protocol, ...ports };
  if (peer.kind === "cidr") {
    if (peer.cidr.includes(":")) perm.Ipv6Ranges = [{ CidrIpv6: peer.cidr, ...description }];
    else perm.IpRanges = [{ CidrIp: peer.cidr, ...description }];
  } else if (peer.kind === "sg") {
    perm.UserIdGroupPairs = [{ GroupId: groupId(peer.group), ...description }];
  } else {
    perm.PrefixListIds = [{ PrefixListId: prefixListId(peer.prefixList), ...description }];
  }
  return perm;
}

/**
 * Creates everything `topology` describes through `ec2`. Throws TopologyError (with the item's
 * location) on the first API error; what was created before it stays.
 */
export async function applyTopology(
  ec2: EC2Client,
  topology: Topology,
  options: ApplyTopologyOptions = {},
): Promise<AppliedTopology> {
  const vpcs = new Map<string, string>();
  const subnets = new Map<string, string>();
  const prefixLists = new Map<string, string>();
  const groups = new Map<string, string>();
  const nacls = new Map<string, string>();
  const instances = new Map<
    string,
    { instanceId: string; eniId: string; privateIp: string; publicIp?: string }
  >();
  const subnetVpc = new Map(topology.subnets.map((s) => [s.name, s.vpc]));

  for (const v of topology.vpcs) {
    const out = await at(v.at, () => ec2.send(new CreateVpcCommand({ CidrBlock: v.cidr })));
    const vpcId = need(out.Vpc?.VpcId, "a VPC id");
    vpcs.set(v.name, vpcId);
    await tagName(ec2, vpcId, v.name, v.at);
    const sgs = await at(v.at, () =>
      ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: "vpc-id", Values: [vpcId] },
            { Name: "group-name", Values: ["default"] },
          ],
        }),
      ),
    );
    groups.set(
      `${v.name}/default`,
      need(sgs.SecurityGroups?.[0]?.GroupId, "the default security group"),
    );
  }

  for (const s of topology.subnets) {
    const out = await at(s.at, () =>
      ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcs.get(s.vpc),
          CidrBlock: s.cidr,
          ...(s.availabilityZone !== undefined ? { AvailabilityZone: s.availabilityZone } : {}),
        }),
      ),
    );
    const subnetId = need(out.Subnet?.SubnetId, "a subnet id");
    subnets.set(s.name, subnetId);
    await tagName(ec2, subnetId, s.name, s.at);
  }

  const internetGateways = await applyInternetGateways(ec2, topology, vpcs);

  for (const p of topology.prefixLists) {
    const out = await at(p.at, () =>
      ec2.send(
        new CreateManagedPrefixListCommand({
          PrefixListName: p.name,
          AddressFamily: p.addressFamily,
          MaxEntries: p.maxEntries,
          Entries: p.entries.map((e) => ({
            Cidr: e.cidr,
            ...(e.description ? { Description: e.description } : {}),
          })),
        }),
      ),
    );
    prefixLists.set(p.name, need(out.PrefixList?.PrefixListId, "a prefix list id"));
  }

  for (const g of topology.securityGroups) {
    const out = await at(g.at, () =>
      ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: g.name,
          Description: g.description,
          VpcId: vpcs.get(g.vpc),
        }),
      ),
    );
    const groupId = need(out.GroupId, "a group id");
    groups.set(`${g.vpc}/${g.name}`, groupId);
    await tagName(ec2, groupId, g.name, g.at);
  }

  const groupIdIn = (vpc: string) => (name: string) => {
    const exact = groups.get(`${vpc}/${name}`);
    if (exact) return exact;
    // RULE-13: names are case-insensitive within a VPC.
    for (const [key, id] of groups)
      if (key.toLowerCase() === `${vpc}/${name}`.toLowerCase()) return id;
    throw new Error(`unknown security group '${name}'`);
  };
  const prefixListId = (name: string) => need(prefixLists.get(name), `prefix list '${name}'`);

  for (const g of topology.securityGroups) {
    const groupId = groups.get(`${g.vpc}/${g.name}`)!;
    for (const rule of g.ingress) {
      const perm = ipPermissionOf(rule, groupIdIn(g.vpc), prefixListId);
      await at(rule.at, () =>
        ec2.send(
          new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [perm] }),
        ),
      );
    }
    if (g.egress) {
      // DEF-2: a new group starts with egress `-1` to 0.0.0.0/0; the file's list replaces it.
      await at(g.at, () =>
        ec2.send(
          new RevokeSecurityGroupEgressCommand({
            GroupId: groupId,
            IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
          }),
        ),
      );
      for (const rule of g.egress) {
        const perm = ipPermissionOf(rule, groupIdIn(g.vpc), prefixListId);
        await at(rule.at, () =>
          ec2.send(
            new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [perm] }),
          ),
        );
      }
    }
  }

  for (const acl of topology.networkAcls) {
    const out = await at(acl.at, () =>
      ec2.send(new CreateNetworkAclCommand({ VpcId: vpcs.get(acl.vpc) })),
    );
    const aclId = need(out.NetworkAcl?.NetworkAclId, "a network ACL id");
    nacls.set(acl.name, aclId);
    await tagName(ec2, aclId, acl.name, acl.at);
    for (const [egress, entries] of [
      [false, acl.ingress],
      [true, acl.egress],
    ] as const) {
      for (const e of entries) {
        await at(e.at, () =>
          ec2.send(
            new CreateNetworkAclEntryCommand({
              NetworkAclId: aclId,
              RuleNumber: e.ruleNumber,
              Protocol: e.protocol,
              RuleAction: e.action,
              Egress: egress,
              ...(e.cidr.includes(":") ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
              ...(e.fromPort !== undefined
                ? { PortRange: { From: e.fromPort, To: e.toPort } }
                : {}),
              ...(e.icmpType !== undefined
                ? { IcmpTypeCode: { Type: e.icmpType, Code: e.icmpCode } }
                : {}),
            }),
          ),
        );
      }
    }
    for (const subnetName of acl.subnets) {
      const subnetId = subnets.get(subnetName)!;
      const current = await at(acl.at, () =>
        ec2.send(
          new DescribeNetworkAclsCommand({
            Filters: [{ Name: "association.subnet-id", Values: [subnetId] }],
          }),
        ),
      );
      const association = current.NetworkAcls?.flatMap((n) => n.Associations ?? []).find(
        (a) => a.SubnetId === subnetId,
      );
      const associationId = need(
        association?.NetworkAclAssociationId,
        `the NACL association of subnet ${subnetId}`,
      );
      await at(acl.at, () =>
        ec2.send(
          new ReplaceNetworkAclAssociationCommand({
            AssociationId: associationId,
            NetworkAclId: aclId,
          }),
        ),
      );
    }
  }

  const peerings = await applyPeerings(ec2, topology, vpcs);

  for (const inst of topology.instances) {
    const vpc = subnetVpc.get(inst.subnet)!;
    const groupIds = inst.securityGroups.map(groupIdIn(vpc));
    const out = await at(inst.at, () =>
      ec2.send(
        new RunInstancesCommand({
          ImageId: TOPOLOGY_IMAGE_ID,
          InstanceType: TOPOLOGY_INSTANCE_TYPE,
          MinCount: 1,
          MaxCount: 1,
          // EIP-7: a launch-time public IP is asked for on the primary interface.
          ...(inst.publicIp === true
            ? {
                NetworkInterfaces: [
                  {
                    DeviceIndex: 0,
                    SubnetId: subnets.get(inst.subnet),
                    AssociatePublicIpAddress: true,
                    ...(groupIds.length > 0 ? { Groups: groupIds } : {}),
                    ...(inst.privateIp !== undefined ? { PrivateIpAddress: inst.privateIp } : {}),
                  },
                ],
              }
            : {
                SubnetId: subnets.get(inst.subnet),
                ...(groupIds.length > 0 ? { SecurityGroupIds: groupIds } : {}),
                ...(inst.privateIp !== undefined ? { PrivateIpAddress: inst.privateIp } : {}),
              }),
        }),
      ),
    );
    const created = need(out.Instances?.[0], "an instance");
    const instanceId = need(created.InstanceId, "an instance id");
    const eniId = need(
      created.NetworkInterfaces?.[0]?.NetworkInterfaceId,
      "the primary network interface",
    );
    await at(inst.at, () =>
      ec2.send(
        new CreateTagsCommand({
          Resources: [instanceId],
          Tags: [
            { Key: "Name", Value: inst.name },
            ...Object.entries(inst.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
          ],
        }),
      ),
    );
    if (inst.conntrack && Object.keys(inst.conntrack).length > 0) {
      const spec = inst.conntrack;
      await at(inst.at, () =>
        ec2.send(
          new ModifyNetworkInterfaceAttributeCommand({
            NetworkInterfaceId: eniId,
            ConnectionTrackingSpecification: {
              ...(spec.tcpEstablishedTimeout !== undefined
                ? { TcpEstablishedTimeout: spec.tcpEstablishedTimeout }
                : {}),
              ...(spec.udpTimeout !== undefined ? { UdpTimeout: spec.udpTimeout } : {}),
              ...(spec.udpStreamTimeout !== undefined
                ? { UdpStreamTimeout: spec.udpStreamTimeout }
                : {}),
            },
          }),
        ),
      );
    }
    instances.set(inst.name, {
      instanceId,
      eniId,
      privateIp: need(created.PrivateIpAddress, "a private address"),
      ...(created.PublicIpAddress ? { publicIp: created.PublicIpAddress } : {}),
    });
  }

  const elasticIps = await applyElasticIps(ec2, topology, instances);
  for (const e of topology.elasticIps) {
    const inst = e.instance === undefined ? undefined : instances.get(e.instance);
    // EIP-6: the Elastic IP is the instance's public IP, before a launch-time one.
    if (inst) inst.publicIp = elasticIps.get(e.name)!.publicIp;
  }
  const natGateways = await applyNatGateways(ec2, topology, subnets, elasticIps);
  const routeTables = await applyRouteTables(ec2, topology, vpcs, subnets, {
    internetGateways,
    natGateways,
    peerings,
    instances,
  });

  const faults: { name?: string; faultId: string }[] = [];
  if (topology.faults.length > 0) {
    const client = new FaultClient(options.jsonApiUrl ?? (await endpointOf(ec2)));
    const ids = selectorIds(groups, subnets, instances);
    for (const f of topology.faults) {
      const view = await at(f.at, () => addFault(client, f, ids));
      faults.push({ ...(f.name !== undefined ? { name: f.name } : {}), faultId: view.faultId });
    }
  }

  return {
    vpcs,
    subnets,
    prefixLists,
    securityGroups: groups,
    networkAcls: nacls,
    instances,
    internetGateways,
    routeTables,
    elasticIps,
    natGateways,
    peerings,
    faults,
  };
}

/** Sends one fault; an API error keeps its EMU_ERR_* code in the message. */
async function addFault(
  client: FaultClient,
  f: TopologyFault,
  ids: (selector: string) => string[],
): Promise<{ faultId: string }> {
  const map = (list: readonly string[] | undefined) => list?.flatMap(ids);
  try {
    if (f.kind === "partition") {
      return await client.partition({ ...f.request, groups: f.request.groups.map((g) => map(g)!) });
    }
    const request: FaultRequest = {
      ...f.request,
      ...(f.request.from ? { from: map(f.request.from)! } : {}),
      ...(f.request.to ? { to: map(f.request.to)! } : {}),
    };
    return await client.add(request);
  } catch (err) {
    // Why: at() prefixes `${name}: `; FaultApiError's message already starts with the code.
    if (err instanceof FaultApiError) throw new Error(err.message);
    throw err;
  }
}

/**
 * The file's names -> the ids just created: `sg:web-sg` (or a bare `web-sg`) becomes the group's
 * id in every VPC of the file that has one, `subnet:private` and `instance:db` likewise; any
 * other selector (ids, CIDRs, `*`, `az:`, `node:`, `tag:`) goes to the controller as written.
 */
function selectorIds(
  groups: ReadonlyMap<string, string>,
  subnets: ReadonlyMap<string, string>,
  instances: ReadonlyMap<string, { instanceId: string }>,
): (selector: string) => string[] {
  const groupIds = (name: string) =>
    [...groups].filter(([key]) => key.slice(key.indexOf("/") + 1) === name).map(([, id]) => id);
  return (selector) => {
    const colon = selector.indexOf(":");
    const kind = colon > 0 ? selector.slice(0, colon) : "";
    const name = colon > 0 ? selector.slice(colon + 1) : selector;
    if (kind === "sg" || kind === "") {
      const found = groupIds(name);
      if (found.length > 0) return found;
    }
    if ((kind === "subnet" || kind === "") && subnets.has(name)) return [subnets.get(name)!];
    if ((kind === "instance" || kind === "") && instances.has(name)) {
      return [instances.get(name)!.instanceId];
    }
    return [selector];
  };
}

/** The EC2 client's endpoint as a base URL (the JSON API shares the listener). */
async function endpointOf(ec2: EC2Client): Promise<string> {
  const provider = ec2.config.endpoint as
    | (() => Promise<{ protocol: string; hostname: string; port?: number; path?: string }>)
    | undefined;
  const e = provider ? await provider() : undefined;
  if (!e) throw new Error("applyTopology: faults need options.jsonApiUrl (no EC2 endpoint set)");
  const host =
    e.hostname.includes(":") && !e.hostname.startsWith("[") ? `[${e.hostname}]` : e.hostname;
  return `${e.protocol}//${host}${e.port !== undefined ? `:${e.port}` : ""}`;
}
