/**
 * The EC2 resource types (AWS-BEHAVIOUR CFN-20): AWS::EC2::VPC, Subnet, SecurityGroup (inline
 * SecurityGroupIngress/Egress), SecurityGroupIngress, SecurityGroupEgress, NetworkAcl,
 * NetworkAclEntry, SubnetNetworkAclAssociation, PrefixList, NetworkInterface, Instance (the
 * routing types are in routing-resources.ts). Each
 * creates, updates and deletes through EC2 actions (ec2-invoke.ts); Ref and Fn::GetAtt values
 * follow AWS's resource reference pages.
 */
import { ControllerError } from "../errors.js";
import type { XmlTree } from "../ec2/xml.js";
import { ec2Supports, flattenQuery, type Ec2Invoke } from "./ec2-invoke.js";
import { ROUTING_RESOURCE_TYPES } from "./routing-resources.js";
import {
  BOOL,
  INT,
  RECORDED,
  REQ_STR,
  STR,
  STR_LIST,
  TAGS,
  UNSUPPORTED,
  generatedName,
  type Created,
  type PropSpec,
  type ProviderCall,
  type ResourceState,
  type ResourceType,
} from "./resource-types.js";

type Props = Readonly<Record<string, unknown>>;

/** A failure of a resource's own rules (not an EC2 error): the handler message (CFN-21). */
export class ResourceRuleError extends Error {
  constructor(
    message: string,
    readonly handlerErrorCode = "InvalidRequest",
  ) {
    super(message);
    this.name = "ResourceRuleError";
  }
}

function s(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

export function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function at(tree: XmlTree, ...path: Array<string | number>): unknown {
  let cur: unknown = tree;
  for (const p of path) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

interface Tag {
  readonly Key: string;
  readonly Value: string;
}

function tagsOf(v: unknown): Tag[] {
  return arr(v).map((t) => ({ Key: String(obj(t)["Key"]), Value: String(obj(t)["Value"] ?? "") }));
}

/** TagSpecification.1 for `resourceType` (nothing when there are no tags). */
export function tagSpec(resourceType: string, tags: unknown): Record<string, string> {
  const list = tagsOf(tags);
  if (list.length === 0) return {};
  return flattenQuery("TagSpecification.1", { ResourceType: resourceType, Tag: list });
}

/** Brings `id`'s tags from `before` to `after` (CreateTags / DeleteTags). */
export function retag(ec2: Ec2Invoke, id: string, before: unknown, after: unknown): void {
  const old = tagsOf(before);
  const now = tagsOf(after);
  const removed = old.filter((t) => !now.some((n) => n.Key === t.Key));
  if (removed.length > 0)
    ec2("DeleteTags", {
      "ResourceId.1": id,
      ...flattenQuery(
        "Tag",
        removed.map((t) => ({ Key: t.Key })),
      ),
    });
  const changed = now.filter((t) => !old.some((o) => o.Key === t.Key && o.Value === t.Value));
  if (changed.length > 0)
    ec2("CreateTags", { "ResourceId.1": id, ...flattenQuery("Tag", changed) });
}

/** Runs `fn`; an EC2 NotFound (the resource is already gone) counts as success. */
export function ignoreNotFound(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof ControllerError && err.awsCode.endsWith(".NotFound")) return;
    throw err;
  }
}

// ---- VPC

const vpcType: ResourceType = {
  type: "AWS::EC2::VPC",
  properties: {
    CidrBlock: STR,
    EnableDnsHostnames: BOOL,
    EnableDnsSupport: BOOL,
    InstanceTenancy: STR,
    Ipv4IpamPoolId: UNSUPPORTED,
    Ipv4NetmaskLength: UNSUPPORTED,
    Tags: TAGS,
  },
  attributes: [
    "CidrBlock",
    "CidrBlockAssociations",
    "DefaultNetworkAcl",
    "DefaultSecurityGroup",
    "Ipv6CidrBlocks",
    "VpcId",
  ],
  inPlace: ["EnableDnsHostnames", "EnableDnsSupport", "Tags", "InstanceTenancy"],
  create(c, p) {
    if (p["CidrBlock"] === undefined)
      throw new ResourceRuleError("Either CidrBlock or Ipv4IpamPoolId must be specified");
    const vpc = at(
      c.ec2("CreateVpc", {
        CidrBlock: String(p["CidrBlock"]),
        ...(p["InstanceTenancy"] === undefined
          ? {}
          : { InstanceTenancy: String(p["InstanceTenancy"]) }),
        ...tagSpec("vpc", p["Tags"]),
      }),
      "vpc",
    ) as XmlTree;
    const vpcId = String(vpc["vpcId"]);
    applyVpcAttributes(c.ec2, vpcId, p);
    return { physicalId: vpcId, attributes: vpcAttributes(c.ec2, vpc) };
  },
  update(c, cur, p) {
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    applyVpcAttributes(c.ec2, cur.physicalId, p, cur.properties);
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteVpc", { VpcId: cur.physicalId }));
  },
};

/** EnableDnsSupport / EnableDnsHostnames through ModifyVpcAttribute, where vpcemu answers it. */
function applyVpcAttributes(ec2: Ec2Invoke, vpcId: string, p: Props, before: Props = {}): void {
  if (!ec2Supports("ModifyVpcAttribute")) return;
  for (const name of ["EnableDnsSupport", "EnableDnsHostnames"]) {
    const v = s(p[name]);
    if (v === undefined || v === s(before[name])) continue;
    ec2("ModifyVpcAttribute", { VpcId: vpcId, [`${name}.Value`]: v });
  }
}

function vpcAttributes(ec2: Ec2Invoke, vpc: XmlTree): Record<string, unknown> {
  const vpcId = String(vpc["vpcId"]);
  const groups = arr(
    at(
      ec2("DescribeSecurityGroups", {
        "Filter.1.Name": "vpc-id",
        "Filter.1.Value.1": vpcId,
        "Filter.2.Name": "group-name",
        "Filter.2.Value.1": "default",
      }),
      "securityGroupInfo",
    ),
  );
  const acls = arr(
    at(
      ec2("DescribeNetworkAcls", {
        "Filter.1.Name": "vpc-id",
        "Filter.1.Value.1": vpcId,
        "Filter.2.Name": "default",
        "Filter.2.Value.1": "true",
      }),
      "networkAclSet",
    ),
  );
  return {
    VpcId: vpcId,
    CidrBlock: vpc["cidrBlock"],
    CidrBlockAssociations: arr(vpc["cidrBlockAssociationSet"]).map((a) => obj(a)["associationId"]),
    DefaultSecurityGroup: obj(groups[0])["groupId"],
    DefaultNetworkAcl: obj(acls[0])["networkAclId"],
    Ipv6CidrBlocks: arr(vpc["ipv6CidrBlockAssociationSet"]).map((a) => obj(a)["ipv6CidrBlock"]),
  };
}

// ---- Subnet

const subnetType: ResourceType = {
  type: "AWS::EC2::Subnet",
  properties: {
    AssignIpv6AddressOnCreation: RECORDED,
    AvailabilityZone: STR,
    AvailabilityZoneId: UNSUPPORTED,
    CidrBlock: STR,
    EnableDns64: RECORDED,
    EnableLniAtDeviceIndex: UNSUPPORTED,
    Ipv4IpamPoolId: UNSUPPORTED,
    Ipv4NetmaskLength: UNSUPPORTED,
    Ipv6CidrBlock: STR,
    Ipv6IpamPoolId: UNSUPPORTED,
    Ipv6Native: UNSUPPORTED,
    Ipv6NetmaskLength: UNSUPPORTED,
    MapPublicIpOnLaunch: RECORDED,
    OutpostArn: UNSUPPORTED,
    PrivateDnsNameOptionsOnLaunch: RECORDED,
    Tags: TAGS,
    VpcId: REQ_STR,
  },
  attributes: [
    "AvailabilityZone",
    "AvailabilityZoneId",
    "CidrBlock",
    "Ipv6CidrBlocks",
    "NetworkAclAssociationId",
    "OutpostArn",
    "SubnetId",
    "VpcId",
  ],
  inPlace: [
    "Tags",
    "MapPublicIpOnLaunch",
    "AssignIpv6AddressOnCreation",
    "EnableDns64",
    "PrivateDnsNameOptionsOnLaunch",
  ],
  create(c, p) {
    if (p["CidrBlock"] === undefined)
      throw new ResourceRuleError("Either CidrBlock or Ipv4IpamPoolId must be specified");
    const subnet = at(
      c.ec2("CreateSubnet", {
        VpcId: String(p["VpcId"]),
        CidrBlock: String(p["CidrBlock"]),
        ...(p["AvailabilityZone"] === undefined
          ? {}
          : { AvailabilityZone: String(p["AvailabilityZone"]) }),
        ...(p["Ipv6CidrBlock"] === undefined ? {} : { Ipv6CidrBlock: String(p["Ipv6CidrBlock"]) }),
        ...tagSpec("subnet", p["Tags"]),
      }),
      "subnet",
    ) as XmlTree;
    const subnetId = String(subnet["subnetId"]);
    return { physicalId: subnetId, attributes: subnetAttributes(c.ec2, subnet) };
  },
  update(c, cur, p) {
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteSubnet", { SubnetId: cur.physicalId }));
  },
};

function subnetAttributes(ec2: Ec2Invoke, subnet: XmlTree): Record<string, unknown> {
  const subnetId = String(subnet["subnetId"]);
  const acls = arr(
    at(
      ec2("DescribeNetworkAcls", {
        "Filter.1.Name": "association.subnet-id",
        "Filter.1.Value.1": subnetId,
      }),
      "networkAclSet",
    ),
  );
  const assoc = arr(obj(acls[0])["associationSet"])
    .map(obj)
    .find((a) => a["subnetId"] === subnetId);
  return {
    SubnetId: subnetId,
    VpcId: subnet["vpcId"],
    CidrBlock: subnet["cidrBlock"],
    AvailabilityZone: subnet["availabilityZone"],
    AvailabilityZoneId: subnet["availabilityZoneId"],
    Ipv6CidrBlocks: arr(subnet["ipv6CidrBlockAssociationSet"]).map((a) => obj(a)["ipv6CidrBlock"]),
    NetworkAclAssociationId: assoc?.["networkAclAssociationId"],
    OutpostArn: "",
  };
}

// ---- security group rules

const INGRESS_ITEM: PropSpec = {
  kind: "Object",
  members: {
    CidrIp: STR,
    CidrIpv6: STR,
    Description: STR,
    FromPort: INT,
    IpProtocol: REQ_STR,
    SourcePrefixListId: STR,
    SourceSecurityGroupId: STR,
    SourceSecurityGroupName: STR,
    SourceSecurityGroupOwnerId: STR,
    ToPort: INT,
  },
};

const EGRESS_ITEM: PropSpec = {
  kind: "Object",
  members: {
    CidrIp: STR,
    CidrIpv6: STR,
    Description: STR,
    DestinationPrefixListId: STR,
    DestinationSecurityGroupId: STR,
    FromPort: INT,
    IpProtocol: REQ_STR,
    ToPort: INT,
  },
};

const INGRESS_SOURCES = [
  "CidrIp",
  "CidrIpv6",
  "SourcePrefixListId",
  "SourceSecurityGroupId",
  "SourceSecurityGroupName",
];
const EGRESS_DESTINATIONS = [
  "CidrIp",
  "CidrIpv6",
  "DestinationPrefixListId",
  "DestinationSecurityGroupId",
];

/**
 * One rule's IpPermission. AWS-BEHAVIOUR CFN-23: exactly one source (ingress) or destination
 * (egress); AWS's text for egress is "Exactly one of CidrIp, CidrIpv6,
 * DestinationSecurityGroupId, and DestinationPrefixListId must be specified and not empty".
 */
export function ipPermission(rule: Props, egress: boolean): Record<string, unknown> {
  const peers = (egress ? EGRESS_DESTINATIONS : INGRESS_SOURCES).filter(
    (k) => s(rule[k]) !== undefined && s(rule[k]) !== "",
  );
  if (peers.length !== 1)
    throw new ResourceRuleError(
      egress
        ? "Exactly one of CidrIp, CidrIpv6, DestinationSecurityGroupId, and DestinationPrefixListId must be specified and not empty"
        : "Exactly one of CidrIp, CidrIpv6, SourceSecurityGroupId, SourceSecurityGroupName, and SourcePrefixListId must be specified and not empty",
    );
  const peer = peers[0] as string;
  const description = s(rule["Description"]);
  const d = description === undefined ? {} : { Description: description };
  const v = String(rule[peer]);
  const perm: Record<string, unknown> = {
    IpProtocol: String(rule["IpProtocol"]),
    ...(rule["FromPort"] === undefined ? {} : { FromPort: String(rule["FromPort"]) }),
    ...(rule["ToPort"] === undefined ? {} : { ToPort: String(rule["ToPort"]) }),
  };
  if (peer === "CidrIp") perm["IpRanges"] = [{ CidrIp: v, ...d }];
  else if (peer === "CidrIpv6") perm["Ipv6Ranges"] = [{ CidrIpv6: v, ...d }];
  else if (peer.endsWith("PrefixListId")) perm["PrefixListIds"] = [{ PrefixListId: v, ...d }];
  else if (peer === "SourceSecurityGroupName") perm["Groups"] = [{ GroupName: v, ...d }];
  else
    perm["Groups"] = [
      {
        GroupId: v,
        ...(s(rule["SourceSecurityGroupOwnerId"]) === undefined
          ? {}
          : { UserId: s(rule["SourceSecurityGroupOwnerId"]) }),
        ...d,
      },
    ];
  return perm;
}

function ruleIdsOf(result: XmlTree): string[] {
  return arr(result["securityGroupRuleSet"]).map((r) => String(obj(r)["securityGroupRuleId"]));
}

/** Authorizes `rules` on `groupId`; returns the new rule ids. */
function authorize(
  ec2: Ec2Invoke,
  groupId: string,
  rules: readonly Props[],
  egress: boolean,
): string[] {
  if (rules.length === 0) return [];
  const perms = rules.map((r) => ipPermission(r, egress));
  return ruleIdsOf(
    ec2(egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", {
      GroupId: groupId,
      ...flattenQuery("IpPermissions", perms),
    }),
  );
}

function revoke(ec2: Ec2Invoke, groupId: string, rules: readonly Props[], egress: boolean): void {
  if (rules.length === 0) return;
  ec2(egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", {
    GroupId: groupId,
    ...flattenQuery(
      "IpPermissions",
      rules.map((r) => ipPermission(r, egress)),
    ),
  });
}

function ruleKey(r: unknown): string {
  const o = obj(r);
  return JSON.stringify(
    Object.keys(o)
      .sort()
      .map((k) => [k, String(o[k])]),
  );
}

// ---- SecurityGroup

const ALL_EGRESS: Props = { IpProtocol: "-1", CidrIp: "0.0.0.0/0" };

const securityGroupType: ResourceType = {
  type: "AWS::EC2::SecurityGroup",
  properties: {
    GroupDescription: REQ_STR,
    GroupName: STR,
    SecurityGroupEgress: { kind: "List", items: EGRESS_ITEM },
    SecurityGroupIngress: { kind: "List", items: INGRESS_ITEM },
    Tags: TAGS,
    VpcId: STR,
  },
  attributes: ["GroupId", "VpcId"],
  inPlace: ["SecurityGroupIngress", "SecurityGroupEgress", "Tags"],
  nameProperty: "GroupName",
  create(c, p) {
    const ingress = arr(p["SecurityGroupIngress"]).map(obj);
    const egress = arr(p["SecurityGroupEgress"]).map(obj);
    // Why: rule errors (two sources) must fail before the group exists, as AWS's check does.
    for (const r of ingress) ipPermission(r, false);
    for (const r of egress) ipPermission(r, true);
    const name = s(p["GroupName"]) ?? generatedName(c.stackName, c.logicalId);
    const out = c.ec2("CreateSecurityGroup", {
      GroupName: name,
      GroupDescription: String(p["GroupDescription"]),
      ...(p["VpcId"] === undefined ? {} : { VpcId: String(p["VpcId"]) }),
      ...tagSpec("security-group", p["Tags"]),
    });
    const groupId = String(out["groupId"]);
    try {
      authorize(c.ec2, groupId, ingress, false);
      // AWS-BEHAVIOUR CFN-24: the default allow-all egress rule goes only when egress rules are given.
      if (egress.length > 0) {
        revoke(c.ec2, groupId, [ALL_EGRESS], true);
        authorize(c.ec2, groupId, egress, true);
      }
    } catch (err) {
      ignoreNotFound(() => c.ec2("DeleteSecurityGroup", { GroupId: groupId }));
      throw err;
    }
    const described = obj(
      arr(at(c.ec2("DescribeSecurityGroups", { "GroupId.1": groupId }), "securityGroupInfo"))[0],
    );
    return {
      physicalId: groupId,
      // AWS-BEHAVIOUR CFN-25: Ref is the group id when VpcId is given, else the group name.
      ref: p["VpcId"] === undefined ? name : groupId,
      attributes: { GroupId: groupId, VpcId: described["vpcId"] },
    };
  },
  update(c, cur, p) {
    const groupId = cur.physicalId;
    for (const [prop, egress] of [
      ["SecurityGroupIngress", false],
      ["SecurityGroupEgress", true],
    ] as const) {
      const before = arr(cur.properties[prop]).map(obj);
      const after = arr(p[prop]).map(obj);
      for (const r of after) ipPermission(r, egress);
      const effBefore = egress && before.length === 0 ? [ALL_EGRESS] : before;
      const effAfter = egress && after.length === 0 ? [ALL_EGRESS] : after;
      const removed = effBefore.filter((r) => !effAfter.some((a) => ruleKey(a) === ruleKey(r)));
      const added = effAfter.filter((r) => !effBefore.some((b) => ruleKey(b) === ruleKey(r)));
      revoke(c.ec2, groupId, removed, egress);
      authorize(c.ec2, groupId, added, egress);
    }
    retag(c.ec2, groupId, cur.properties["Tags"], p["Tags"]);
    return { physicalId: groupId, ref: cur.ref, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteSecurityGroup", { GroupId: cur.physicalId }));
  },
};

// ---- SecurityGroupIngress / SecurityGroupEgress

function standaloneRule(egress: boolean): ResourceType {
  const item = (egress ? EGRESS_ITEM : INGRESS_ITEM).members as Readonly<Record<string, PropSpec>>;
  return {
    type: egress ? "AWS::EC2::SecurityGroupEgress" : "AWS::EC2::SecurityGroupIngress",
    properties: egress ? { ...item, GroupId: REQ_STR } : { ...item, GroupId: STR, GroupName: STR },
    attributes: ["Id"],
    inPlace: ["Description"],
    create(c, p) {
      const perm = ipPermission(p, egress);
      const target: Record<string, string> | undefined =
        s(p["GroupId"]) !== undefined
          ? { GroupId: String(p["GroupId"]) }
          : s(p["GroupName"]) !== undefined
            ? { GroupName: String(p["GroupName"]) }
            : undefined;
      if (target === undefined)
        throw new ResourceRuleError("The request must contain the parameter groupName or groupId");
      const ids = ruleIdsOf(
        c.ec2(egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress", {
          ...target,
          ...flattenQuery("IpPermissions", [perm]),
        }),
      );
      const id = ids[0] ?? generatedName(c.stackName, c.logicalId);
      return { physicalId: id, attributes: { Id: id, RuleIds: ids } };
    },
    update(c, cur, p) {
      const groupId = s(p["GroupId"]);
      const desc = s(p["Description"]) ?? "";
      if (groupId !== undefined) {
        const perm = ipPermission(p, egress);
        const withDesc = JSON.parse(JSON.stringify(perm)) as Record<string, unknown>;
        for (const k of ["IpRanges", "Ipv6Ranges", "PrefixListIds", "Groups"])
          for (const x of arr(withDesc[k])) (x as Record<string, unknown>)["Description"] = desc;
        c.ec2(
          egress
            ? "UpdateSecurityGroupRuleDescriptionsEgress"
            : "UpdateSecurityGroupRuleDescriptionsIngress",
          { GroupId: groupId, ...flattenQuery("IpPermissions", [withDesc]) },
        );
      }
      return { physicalId: cur.physicalId, attributes: cur.attributes };
    },
    delete(c, cur) {
      const ids = arr(cur.attributes["RuleIds"]).map(String);
      const groupId = s(cur.properties["GroupId"]);
      const target: Record<string, string> =
        groupId !== undefined
          ? { GroupId: groupId }
          : { GroupName: String(cur.properties["GroupName"]) };
      const which =
        ids.length > 0 && groupId !== undefined
          ? flattenQuery("SecurityGroupRuleId", ids)
          : flattenQuery("IpPermissions", [ipPermission(cur.properties, egress)]);
      ignoreNotFound(() =>
        c.ec2(egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", {
          ...target,
          ...which,
        }),
      );
    },
  };
}

// ---- NetworkAcl, NetworkAclEntry, SubnetNetworkAclAssociation

const networkAclType: ResourceType = {
  type: "AWS::EC2::NetworkAcl",
  properties: { Tags: TAGS, VpcId: REQ_STR },
  attributes: ["Id"],
  inPlace: ["Tags"],
  create(c, p) {
    const acl = at(
      c.ec2("CreateNetworkAcl", {
        VpcId: String(p["VpcId"]),
        ...tagSpec("network-acl", p["Tags"]),
      }),
      "networkAcl",
    ) as XmlTree;
    const id = String(acl["networkAclId"]);
    return { physicalId: id, attributes: { Id: id } };
  },
  update(c, cur, p) {
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteNetworkAcl", { NetworkAclId: cur.physicalId }));
  },
};

function aclEntryParams(p: Props): Record<string, string> {
  const icmp = obj(p["Icmp"]);
  const ports = obj(p["PortRange"]);
  return {
    NetworkAclId: String(p["NetworkAclId"]),
    RuleNumber: String(p["RuleNumber"]),
    Protocol: String(p["Protocol"]),
    RuleAction: String(p["RuleAction"]),
    Egress: String(p["Egress"] === true || p["Egress"] === "true"),
    ...(p["CidrBlock"] === undefined ? {} : { CidrBlock: String(p["CidrBlock"]) }),
    ...(p["Ipv6CidrBlock"] === undefined ? {} : { Ipv6CidrBlock: String(p["Ipv6CidrBlock"]) }),
    ...(icmp["Code"] === undefined ? {} : { "Icmp.Code": String(icmp["Code"]) }),
    ...(icmp["Type"] === undefined ? {} : { "Icmp.Type": String(icmp["Type"]) }),
    ...(ports["From"] === undefined ? {} : { "PortRange.From": String(ports["From"]) }),
    ...(ports["To"] === undefined ? {} : { "PortRange.To": String(ports["To"]) }),
  };
}

const networkAclEntryType: ResourceType = {
  type: "AWS::EC2::NetworkAclEntry",
  properties: {
    CidrBlock: STR,
    Egress: BOOL,
    Icmp: { kind: "Object", members: { Code: INT, Type: INT } },
    Ipv6CidrBlock: STR,
    NetworkAclId: REQ_STR,
    PortRange: { kind: "Object", members: { From: INT, To: INT } },
    Protocol: { kind: "Integer", required: true },
    RuleAction: REQ_STR,
    RuleNumber: { kind: "Integer", required: true },
  },
  attributes: ["Id"],
  inPlace: ["CidrBlock", "Icmp", "Ipv6CidrBlock", "PortRange", "Protocol", "RuleAction"],
  create(c, p) {
    const params = aclEntryParams(p);
    c.ec2("CreateNetworkAclEntry", params);
    // AWS-BEHAVIOUR CFN-26 [CHOICE]: the entry's physical id names its ACL, direction and number.
    const id = `${params["NetworkAclId"]}|${params["Egress"] === "true" ? "egress" : "ingress"}|${params["RuleNumber"]}`;
    return { physicalId: id, attributes: { Id: id } };
  },
  update(c, cur, p) {
    c.ec2("ReplaceNetworkAclEntry", aclEntryParams(p));
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    const p = aclEntryParams(cur.properties);
    ignoreNotFound(() =>
      c.ec2("DeleteNetworkAclEntry", {
        NetworkAclId: p["NetworkAclId"] as string,
        RuleNumber: p["RuleNumber"] as string,
        Egress: p["Egress"] as string,
      }),
    );
  },
};

function currentAssociation(
  ec2: Ec2Invoke,
  subnetId: string,
): { associationId: string; vpcId: string } {
  const acls = arr(
    at(
      ec2("DescribeNetworkAcls", {
        "Filter.1.Name": "association.subnet-id",
        "Filter.1.Value.1": subnetId,
      }),
      "networkAclSet",
    ),
  ).map(obj);
  for (const acl of acls)
    for (const a of arr(acl["associationSet"]).map(obj))
      if (a["subnetId"] === subnetId)
        return { associationId: String(a["networkAclAssociationId"]), vpcId: String(acl["vpcId"]) };
  // Why: DescribeSubnets answers InvalidSubnetID.NotFound with AWS's text for a missing subnet.
  ec2("DescribeSubnets", { "SubnetId.1": subnetId });
  throw new ResourceRuleError(`Subnet ${subnetId} has no network ACL association`, "NotFound");
}

const subnetAclAssociationType: ResourceType = {
  type: "AWS::EC2::SubnetNetworkAclAssociation",
  properties: { NetworkAclId: REQ_STR, SubnetId: REQ_STR },
  attributes: ["AssociationId"],
  inPlace: [],
  create(c, p) {
    const { associationId } = currentAssociation(c.ec2, String(p["SubnetId"]));
    const out = c.ec2("ReplaceNetworkAclAssociation", {
      AssociationId: associationId,
      NetworkAclId: String(p["NetworkAclId"]),
    });
    const id = String(out["newAssociationId"]);
    return { physicalId: id, attributes: { AssociationId: id } };
  },
  delete(c, cur) {
    // AWS-BEHAVIOUR CFN-27: removing the association puts the subnet back on its VPC's default ACL.
    ignoreNotFound(() => {
      const { associationId, vpcId } = currentAssociation(
        c.ec2,
        String(cur.properties["SubnetId"]),
      );
      const def = arr(
        at(
          c.ec2("DescribeNetworkAcls", {
            "Filter.1.Name": "vpc-id",
            "Filter.1.Value.1": vpcId,
            "Filter.2.Name": "default",
            "Filter.2.Value.1": "true",
          }),
          "networkAclSet",
        ),
      ).map(obj)[0];
      if (def === undefined) return;
      c.ec2("ReplaceNetworkAclAssociation", {
        AssociationId: associationId,
        NetworkAclId: String(def["networkAclId"]),
      });
    });
  },
};

// ---- PrefixList

const prefixListType: ResourceType = {
  type: "AWS::EC2::PrefixList",
  properties: {
    AddressFamily: REQ_STR,
    Entries: {
      kind: "List",
      items: { kind: "Object", members: { Cidr: REQ_STR, Description: STR } },
    },
    MaxEntries: INT,
    PrefixListName: REQ_STR,
    Tags: TAGS,
  },
  attributes: ["Arn", "OwnerId", "PrefixListId", "Version"],
  inPlace: ["Entries", "Tags", "PrefixListName", "MaxEntries"],
  create(c, p) {
    const entries = arr(p["Entries"]).map(obj);
    const pl = at(
      c.ec2("CreateManagedPrefixList", {
        PrefixListName: String(p["PrefixListName"]),
        AddressFamily: String(p["AddressFamily"]),
        MaxEntries: String(p["MaxEntries"] ?? Math.max(entries.length, 1)),
        ...flattenQuery(
          "Entry",
          entries.map((e) => ({ Cidr: e["Cidr"], Description: e["Description"] })),
        ),
        ...tagSpec("prefix-list", p["Tags"]),
      }),
      "prefixList",
    ) as XmlTree;
    return { physicalId: String(pl["prefixListId"]), attributes: prefixListAttributes(pl) };
  },
  update(c, cur, p) {
    const before = arr(cur.properties["Entries"]).map(obj);
    const after = arr(p["Entries"]).map(obj);
    const removed = before.filter(
      (b) => !after.some((a) => a["Cidr"] === b["Cidr"] && a["Description"] === b["Description"]),
    );
    const added = after.filter(
      (a) => !before.some((b) => a["Cidr"] === b["Cidr"] && a["Description"] === b["Description"]),
    );
    const nameChanged = s(p["PrefixListName"]) !== s(cur.properties["PrefixListName"]);
    let pl: XmlTree | undefined;
    if (removed.length + added.length > 0 || nameChanged) {
      const version = at(
        c.ec2("DescribeManagedPrefixLists", { "PrefixListId.1": cur.physicalId }),
        "prefixListSet",
        0,
        "version",
      );
      pl = at(
        c.ec2("ModifyManagedPrefixList", {
          PrefixListId: cur.physicalId,
          ...(removed.length + added.length > 0 ? { CurrentVersion: String(version) } : {}),
          ...(nameChanged ? { PrefixListName: String(p["PrefixListName"]) } : {}),
          ...flattenQuery(
            "RemoveEntry",
            removed
              .filter((r) => !added.some((a) => a["Cidr"] === r["Cidr"]))
              .map((e) => ({ Cidr: e["Cidr"] })),
          ),
          ...flattenQuery(
            "AddEntry",
            added.map((e) => ({ Cidr: e["Cidr"], Description: e["Description"] })),
          ),
        }),
        "prefixList",
      ) as XmlTree;
    }
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    return {
      physicalId: cur.physicalId,
      attributes: pl === undefined ? cur.attributes : prefixListAttributes(pl),
    };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteManagedPrefixList", { PrefixListId: cur.physicalId }));
  },
};

function prefixListAttributes(pl: XmlTree): Record<string, unknown> {
  return {
    PrefixListId: pl["prefixListId"],
    Arn: pl["prefixListArn"],
    OwnerId: pl["ownerId"],
    Version: pl["version"],
  };
}

// ---- NetworkInterface

const networkInterfaceType: ResourceType = {
  type: "AWS::EC2::NetworkInterface",
  properties: {
    ConnectionTrackingSpecification: {
      kind: "Object",
      members: { TcpEstablishedTimeout: INT, UdpStreamTimeout: INT, UdpTimeout: INT },
    },
    Description: STR,
    EnablePrimaryIpv6: UNSUPPORTED,
    GroupSet: STR_LIST,
    InterfaceType: UNSUPPORTED,
    Ipv4PrefixCount: UNSUPPORTED,
    Ipv4Prefixes: UNSUPPORTED,
    Ipv6AddressCount: INT,
    Ipv6Addresses: UNSUPPORTED,
    Ipv6PrefixCount: UNSUPPORTED,
    Ipv6Prefixes: UNSUPPORTED,
    PrivateIpAddress: STR,
    PrivateIpAddresses: UNSUPPORTED,
    SecondaryPrivateIpAddressCount: INT,
    SourceDestCheck: BOOL,
    SubnetId: REQ_STR,
    Tags: TAGS,
  },
  attributes: [
    "Id",
    "PrimaryPrivateIpAddress",
    "SecondaryPrivateIpAddresses",
    "PrimaryIpv6Address",
    "VpcId",
  ],
  inPlace: ["Description", "GroupSet", "SourceDestCheck", "Tags"],
  create(c, p) {
    const conntrack = obj(p["ConnectionTrackingSpecification"]);
    const eni = at(
      c.ec2("CreateNetworkInterface", {
        SubnetId: String(p["SubnetId"]),
        ...(p["Description"] === undefined ? {} : { Description: String(p["Description"]) }),
        ...(p["PrivateIpAddress"] === undefined
          ? {}
          : { PrivateIpAddress: String(p["PrivateIpAddress"]) }),
        ...(p["SecondaryPrivateIpAddressCount"] === undefined
          ? {}
          : { SecondaryPrivateIpAddressCount: String(p["SecondaryPrivateIpAddressCount"]) }),
        ...(p["Ipv6AddressCount"] === undefined
          ? {}
          : { Ipv6AddressCount: String(p["Ipv6AddressCount"]) }),
        ...flattenQuery("SecurityGroupId", arr(p["GroupSet"]).map(String)),
        ...flattenQuery(
          "ConnectionTrackingSpecification",
          Object.keys(conntrack).length === 0 ? undefined : conntrack,
        ),
        ...tagSpec("network-interface", p["Tags"]),
      }),
      "networkInterface",
    ) as XmlTree;
    const id = String(eni["networkInterfaceId"]);
    if (p["SourceDestCheck"] !== undefined && String(p["SourceDestCheck"]) === "false")
      c.ec2("ModifyNetworkInterfaceAttribute", {
        NetworkInterfaceId: id,
        "SourceDestCheck.Value": "false",
      });
    return { physicalId: id, attributes: eniAttributes(eni) };
  },
  update(c, cur, p) {
    const id = cur.physicalId;
    if (JSON.stringify(p["GroupSet"] ?? []) !== JSON.stringify(cur.properties["GroupSet"] ?? []))
      c.ec2("ModifyNetworkInterfaceAttribute", {
        NetworkInterfaceId: id,
        ...flattenQuery("SecurityGroupId", arr(p["GroupSet"]).map(String)),
      });
    if (s(p["Description"]) !== s(cur.properties["Description"]))
      c.ec2("ModifyNetworkInterfaceAttribute", {
        NetworkInterfaceId: id,
        "Description.Value": s(p["Description"]) ?? "",
      });
    if (s(p["SourceDestCheck"] ?? "true") !== s(cur.properties["SourceDestCheck"] ?? "true"))
      c.ec2("ModifyNetworkInterfaceAttribute", {
        NetworkInterfaceId: id,
        "SourceDestCheck.Value": s(p["SourceDestCheck"] ?? "true") as string,
      });
    retag(c.ec2, id, cur.properties["Tags"], p["Tags"]);
    return { physicalId: id, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteNetworkInterface", { NetworkInterfaceId: cur.physicalId }));
  },
};

function eniAttributes(eni: XmlTree): Record<string, unknown> {
  const ips = arr(eni["privateIpAddressesSet"]).map(obj);
  const v6 = arr(eni["ipv6AddressesSet"]).map((a) => obj(a)["ipv6Address"]);
  return {
    Id: eni["networkInterfaceId"],
    PrimaryPrivateIpAddress: eni["privateIpAddress"],
    SecondaryPrivateIpAddresses: ips
      .filter((x) => x["primary"] !== true)
      .map((x) => x["privateIpAddress"]),
    PrimaryIpv6Address: v6[0] ?? "",
    VpcId: eni["vpcId"],
  };
}

// ---- Instance

const INSTANCE_NIC: PropSpec = {
  kind: "Object",
  members: {
    AssociatePublicIpAddress: RECORDED,
    DeleteOnTermination: BOOL,
    Description: STR,
    DeviceIndex: { kind: "String", required: true },
    GroupSet: STR_LIST,
    Ipv6AddressCount: INT,
    NetworkInterfaceId: STR,
    PrivateIpAddress: STR,
    SecondaryPrivateIpAddressCount: INT,
    SubnetId: STR,
  },
};

const instanceType: ResourceType = {
  type: "AWS::EC2::Instance",
  properties: {
    AdditionalInfo: RECORDED,
    Affinity: UNSUPPORTED,
    AvailabilityZone: STR,
    BlockDeviceMappings: RECORDED,
    CpuOptions: RECORDED,
    CreditSpecification: RECORDED,
    DisableApiTermination: RECORDED,
    EbsOptimized: RECORDED,
    ElasticGpuSpecifications: UNSUPPORTED,
    ElasticInferenceAccelerators: UNSUPPORTED,
    EnclaveOptions: UNSUPPORTED,
    HibernationOptions: RECORDED,
    HostId: UNSUPPORTED,
    HostResourceGroupArn: UNSUPPORTED,
    IamInstanceProfile: RECORDED,
    ImageId: STR,
    InstanceInitiatedShutdownBehavior: RECORDED,
    InstanceType: STR,
    Ipv6AddressCount: UNSUPPORTED,
    Ipv6Addresses: UNSUPPORTED,
    KernelId: UNSUPPORTED,
    KeyName: RECORDED,
    LaunchTemplate: UNSUPPORTED,
    LicenseSpecifications: UNSUPPORTED,
    MetadataOptions: RECORDED,
    Monitoring: RECORDED,
    NetworkInterfaces: { kind: "List", items: INSTANCE_NIC },
    PlacementGroupName: UNSUPPORTED,
    PrivateDnsNameOptions: RECORDED,
    PrivateIpAddress: STR,
    PropagateTagsToVolumeOnCreation: RECORDED,
    RamdiskId: UNSUPPORTED,
    SecurityGroupIds: STR_LIST,
    SecurityGroups: STR_LIST,
    SourceDestCheck: BOOL,
    SsmAssociations: UNSUPPORTED,
    SubnetId: STR,
    Tags: TAGS,
    Tenancy: RECORDED,
    UserData: RECORDED,
    Volumes: UNSUPPORTED,
  },
  attributes: [
    "AvailabilityZone",
    "InstanceId",
    "PrivateDnsName",
    "PrivateIp",
    "PublicDnsName",
    "PublicIp",
    "VpcId",
  ],
  inPlace: [
    "SecurityGroupIds",
    "SourceDestCheck",
    "Tags",
    "UserData",
    "Monitoring",
    "DisableApiTermination",
  ],
  create(c, p) {
    const nics = arr(p["NetworkInterfaces"]).map(obj);
    const groupIds = arr(p["SecurityGroupIds"]).map(String);
    const groupNames = arr(p["SecurityGroups"]).map(String);
    const out = c.ec2("RunInstances", {
      MinCount: "1",
      MaxCount: "1",
      ImageId: s(p["ImageId"]) ?? "",
      ...(p["InstanceType"] === undefined ? {} : { InstanceType: String(p["InstanceType"]) }),
      ...(p["SubnetId"] === undefined ? {} : { SubnetId: String(p["SubnetId"]) }),
      ...(p["PrivateIpAddress"] === undefined
        ? {}
        : { PrivateIpAddress: String(p["PrivateIpAddress"]) }),
      ...(p["AvailabilityZone"] === undefined
        ? {}
        : { "Placement.AvailabilityZone": String(p["AvailabilityZone"]) }),
      ...flattenQuery("SecurityGroupId", groupIds),
      ...flattenQuery("SecurityGroup", groupNames),
      ...flattenQuery(
        "NetworkInterface",
        nics.map((n) => ({
          DeviceIndex: n["DeviceIndex"],
          SubnetId: n["SubnetId"],
          NetworkInterfaceId: n["NetworkInterfaceId"],
          PrivateIpAddress: n["PrivateIpAddress"],
          SecondaryPrivateIpAddressCount: n["SecondaryPrivateIpAddressCount"],
          Ipv6AddressCount: n["Ipv6AddressCount"],
          DeleteOnTermination: n["DeleteOnTermination"],
          Description: n["Description"],
          SecurityGroupId:
            arr(n["GroupSet"]).length === 0 ? undefined : arr(n["GroupSet"]).map(String),
        })),
      ),
      ...tagSpec("instance", p["Tags"]),
    });
    const inst = obj(arr(out["instancesSet"])[0]);
    const id = String(inst["instanceId"]);
    if (p["SourceDestCheck"] !== undefined && String(p["SourceDestCheck"]) === "false")
      c.ec2("ModifyInstanceAttribute", { InstanceId: id, "SourceDestCheck.Value": "false" });
    return { physicalId: id, attributes: instanceAttributes(inst) };
  },
  update(c, cur, p) {
    const id = cur.physicalId;
    if (
      JSON.stringify(p["SecurityGroupIds"] ?? []) !==
      JSON.stringify(cur.properties["SecurityGroupIds"] ?? [])
    )
      c.ec2("ModifyInstanceAttribute", {
        InstanceId: id,
        ...flattenQuery("GroupId", arr(p["SecurityGroupIds"]).map(String)),
      });
    if (s(p["SourceDestCheck"] ?? "true") !== s(cur.properties["SourceDestCheck"] ?? "true"))
      c.ec2("ModifyInstanceAttribute", {
        InstanceId: id,
        "SourceDestCheck.Value": s(p["SourceDestCheck"] ?? "true") as string,
      });
    retag(c.ec2, id, cur.properties["Tags"], p["Tags"]);
    return { physicalId: id, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("TerminateInstances", { "InstanceId.1": cur.physicalId }));
  },
};

function instanceAttributes(inst: Record<string, unknown>): Record<string, unknown> {
  return {
    InstanceId: inst["instanceId"],
    AvailabilityZone: obj(inst["placement"])["availabilityZone"],
    PrivateDnsName: inst["privateDnsName"],
    PrivateIp: inst["privateIpAddress"],
    // docs/routing.md EIP-6: the launch-time public IP (or Elastic IP), "" without one.
    PublicDnsName: inst["dnsName"] ?? "",
    PublicIp: inst["ipAddress"] ?? "",
    VpcId: inst["vpcId"],
  };
}

/** Every resource type vpcemu's CloudFormation answers, by type name. */
export const EC2_RESOURCE_TYPES: ReadonlyMap<string, ResourceType> = new Map(
  [
    vpcType,
    subnetType,
    securityGroupType,
    standaloneRule(false),
    standaloneRule(true),
    networkAclType,
    networkAclEntryType,
    subnetAclAssociationType,
    prefixListType,
    networkInterfaceType,
    instanceType,
    ...ROUTING_RESOURCE_TYPES,
  ].map((t) => [t.type, t]),
);

export type { Created, ResourceState, ProviderCall };
