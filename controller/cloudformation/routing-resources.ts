/**
 * The routing resource types (docs/routing.md; AWS-BEHAVIOUR CFN-20 in docs/cloudformation.md):
 * AWS::EC2::InternetGateway, VPCGatewayAttachment, EgressOnlyInternetGateway, RouteTable, Route,
 * SubnetRouteTableAssociation, EIP, NatGateway, VPCPeeringConnection. Each creates, updates and
 * deletes through the EC2 routing actions (API only: no packet is routed by them yet). Ref and
 * Fn::GetAtt follow AWS's resource reference pages.
 */
import type { XmlTree } from "../ec2/xml.js";
import { flattenQuery, type Ec2Invoke } from "./ec2-invoke.js";
import { REQ_STR, STR, TAGS, UNSUPPORTED, RECORDED, type ResourceType } from "./resource-types.js";
import {
  ResourceRuleError,
  arr,
  at,
  ignoreNotFound,
  obj,
  retag,
  tagSpec,
} from "./ec2-resources.js";

type Props = Readonly<Record<string, unknown>>;

function str(p: Props, name: string): string | undefined {
  const v = p[name];
  return v === undefined || v === null ? undefined : String(v);
}

/** `{Name: value}` for the properties of `names` that are set. */
function params(p: Props, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = str(p, n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

// ---- InternetGateway, VPCGatewayAttachment, EgressOnlyInternetGateway

const internetGatewayType: ResourceType = {
  type: "AWS::EC2::InternetGateway",
  properties: { Tags: TAGS },
  attributes: ["InternetGatewayId"],
  inPlace: ["Tags"],
  create(c, p) {
    const g = at(
      c.ec2("CreateInternetGateway", tagSpec("internet-gateway", p["Tags"])),
      "internetGateway",
    ) as XmlTree;
    const id = String(g["internetGatewayId"]);
    return { physicalId: id, attributes: { InternetGatewayId: id } };
  },
  update(c, cur, p) {
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteInternetGateway", { InternetGatewayId: cur.physicalId }));
  },
};

/** Ref: `IGW|<vpc-id>` [CHOICE]; only internet gateways (no VPN gateways in vpcemu). */
const gatewayAttachmentType: ResourceType = {
  type: "AWS::EC2::VPCGatewayAttachment",
  properties: { VpcId: REQ_STR, InternetGatewayId: STR, VpnGatewayId: UNSUPPORTED },
  attributes: ["AttachmentType"],
  inPlace: [],
  create(c, p) {
    const igw = str(p, "InternetGatewayId");
    if (igw === undefined)
      throw new ResourceRuleError("Property InternetGatewayId cannot be empty.");
    const vpc = String(p["VpcId"]);
    c.ec2("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
    return { physicalId: `IGW|${vpc}`, attributes: { AttachmentType: "igw" } };
  },
  delete(c, cur) {
    const igw = str(cur.properties, "InternetGatewayId");
    if (igw === undefined) return;
    try {
      c.ec2("DetachInternetGateway", {
        InternetGatewayId: igw,
        VpcId: String(cur.properties["VpcId"]),
      });
    } catch (err) {
      const code = (err as { awsCode?: string }).awsCode ?? "";
      if (code.endsWith(".NotFound") || code === "Gateway.NotAttached") return;
      throw err;
    }
  },
};

const egressOnlyGatewayType: ResourceType = {
  type: "AWS::EC2::EgressOnlyInternetGateway",
  properties: { VpcId: REQ_STR, Tags: RECORDED },
  attributes: ["Id"],
  inPlace: [],
  create(c, p) {
    const g = at(
      c.ec2("CreateEgressOnlyInternetGateway", { VpcId: String(p["VpcId"]) }),
      "egressOnlyInternetGateway",
    ) as XmlTree;
    const id = String(g["egressOnlyInternetGatewayId"]);
    return { physicalId: id, attributes: { Id: id } };
  },
  delete(c, cur) {
    ignoreNotFound(() =>
      c.ec2("DeleteEgressOnlyInternetGateway", { EgressOnlyInternetGatewayId: cur.physicalId }),
    );
  },
};

// ---- RouteTable, Route, SubnetRouteTableAssociation

const routeTableType: ResourceType = {
  type: "AWS::EC2::RouteTable",
  properties: { VpcId: REQ_STR, Tags: TAGS },
  attributes: ["RouteTableId"],
  inPlace: ["Tags"],
  create(c, p) {
    const t = at(
      c.ec2("CreateRouteTable", {
        VpcId: String(p["VpcId"]),
        ...tagSpec("route-table", p["Tags"]),
      }),
      "routeTable",
    ) as XmlTree;
    const id = String(t["routeTableId"]);
    return { physicalId: id, attributes: { RouteTableId: id } };
  },
  update(c, cur, p) {
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DeleteRouteTable", { RouteTableId: cur.physicalId }));
  },
};

const ROUTE_TARGETS = [
  "GatewayId",
  "EgressOnlyInternetGatewayId",
  "NatGatewayId",
  "VpcPeeringConnectionId",
  "NetworkInterfaceId",
  "InstanceId",
] as const;

function routeDestination(p: Props): Record<string, string> {
  return params(p, ["DestinationCidrBlock", "DestinationIpv6CidrBlock"]);
}

/** Ref: `<rtb-id>|<destination>` [CHOICE]; a target change is a ReplaceRoute in place. */
const routeType: ResourceType = {
  type: "AWS::EC2::Route",
  properties: {
    RouteTableId: REQ_STR,
    DestinationCidrBlock: STR,
    DestinationIpv6CidrBlock: STR,
    GatewayId: STR,
    EgressOnlyInternetGatewayId: STR,
    NatGatewayId: STR,
    VpcPeeringConnectionId: STR,
    NetworkInterfaceId: STR,
    InstanceId: STR,
    DestinationPrefixListId: UNSUPPORTED,
    TransitGatewayId: UNSUPPORTED,
    VpcEndpointId: UNSUPPORTED,
    CarrierGatewayId: UNSUPPORTED,
    LocalGatewayId: UNSUPPORTED,
    CoreNetworkArn: UNSUPPORTED,
  },
  attributes: ["CidrBlock"],
  inPlace: [...ROUTE_TARGETS],
  create(c, p) {
    const rtb = String(p["RouteTableId"]);
    const dest = routeDestination(p);
    c.ec2("CreateRoute", { RouteTableId: rtb, ...dest, ...params(p, ROUTE_TARGETS) });
    const d = Object.values(dest)[0] ?? "";
    return { physicalId: `${rtb}|${d}`, attributes: { CidrBlock: dest["DestinationCidrBlock"] } };
  },
  update(c, cur, p) {
    c.ec2("ReplaceRoute", {
      RouteTableId: String(p["RouteTableId"]),
      ...routeDestination(p),
      ...params(p, ROUTE_TARGETS),
    });
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    ignoreNotFound(() =>
      c.ec2("DeleteRoute", {
        RouteTableId: String(cur.properties["RouteTableId"]),
        ...routeDestination(cur.properties),
      }),
    );
  },
};

/** Ref: the association id; a new RouteTableId moves the association in place. */
const subnetRouteTableAssociationType: ResourceType = {
  type: "AWS::EC2::SubnetRouteTableAssociation",
  properties: { RouteTableId: REQ_STR, SubnetId: REQ_STR },
  attributes: ["Id"],
  inPlace: ["RouteTableId"],
  create(c, p) {
    const out = c.ec2("AssociateRouteTable", {
      RouteTableId: String(p["RouteTableId"]),
      SubnetId: String(p["SubnetId"]),
    });
    const id = String(out["associationId"]);
    return { physicalId: id, attributes: { Id: id } };
  },
  update(c, cur, p) {
    const out = c.ec2("ReplaceRouteTableAssociation", {
      AssociationId: cur.physicalId,
      RouteTableId: String(p["RouteTableId"]),
    });
    const id = String(out["newAssociationId"]);
    return { physicalId: id, attributes: { Id: id } };
  },
  delete(c, cur) {
    ignoreNotFound(() => c.ec2("DisassociateRouteTable", { AssociationId: cur.physicalId }));
  },
};

// ---- EIP, NatGateway

/** The association id of Elastic IP `allocationId`, if associated. */
function eipAssociation(ec2: Ec2Invoke, allocationId: string): string | undefined {
  const a = obj(
    arr(at(ec2("DescribeAddresses", { "AllocationId.1": allocationId }), "addressesSet"))[0],
  );
  const id = a["associationId"];
  return id === undefined ? undefined : String(id);
}

/** Ref: the public IP (AWS's EIP Ref); InstanceId is associated and re-associated in place. */
const eipType: ResourceType = {
  type: "AWS::EC2::EIP",
  properties: {
    Domain: STR,
    InstanceId: STR,
    Tags: TAGS,
    NetworkBorderGroup: RECORDED,
    PublicIpv4Pool: UNSUPPORTED,
    TransferAddress: UNSUPPORTED,
    IpamPoolId: UNSUPPORTED,
    Address: UNSUPPORTED,
  },
  attributes: ["AllocationId", "PublicIp"],
  inPlace: ["Tags", "InstanceId"],
  create(c, p) {
    const out = c.ec2("AllocateAddress", {
      Domain: str(p, "Domain") ?? "vpc",
      ...tagSpec("elastic-ip", p["Tags"]),
    });
    const allocationId = String(out["allocationId"]);
    const publicIp = String(out["publicIp"]);
    const instance = str(p, "InstanceId");
    if (instance !== undefined)
      c.ec2("AssociateAddress", { AllocationId: allocationId, InstanceId: instance });
    return {
      physicalId: publicIp,
      attributes: { AllocationId: allocationId, PublicIp: publicIp },
    };
  },
  update(c, cur, p) {
    const allocationId = String(cur.attributes["AllocationId"]);
    retag(c.ec2, allocationId, cur.properties["Tags"], p["Tags"]);
    const before = str(cur.properties, "InstanceId");
    const after = str(p, "InstanceId");
    if (before !== after) {
      const assoc = eipAssociation(c.ec2, allocationId);
      if (assoc !== undefined) c.ec2("DisassociateAddress", { AssociationId: assoc });
      if (after !== undefined)
        c.ec2("AssociateAddress", { AllocationId: allocationId, InstanceId: after });
    }
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    const allocationId = String(cur.attributes["AllocationId"]);
    ignoreNotFound(() => {
      const assoc = eipAssociation(c.ec2, allocationId);
      if (assoc !== undefined) c.ec2("DisassociateAddress", { AssociationId: assoc });
      c.ec2("ReleaseAddress", { AllocationId: allocationId });
    });
  },
};

const natGatewayType: ResourceType = {
  type: "AWS::EC2::NatGateway",
  properties: {
    SubnetId: REQ_STR,
    AllocationId: STR,
    ConnectivityType: STR,
    PrivateIpAddress: STR,
    Tags: TAGS,
    SecondaryAllocationIds: UNSUPPORTED,
    SecondaryPrivateIpAddresses: UNSUPPORTED,
    SecondaryPrivateIpAddressCount: UNSUPPORTED,
    MaxDrainDurationSeconds: RECORDED,
  },
  attributes: ["NatGatewayId"],
  inPlace: ["Tags"],
  create(c, p) {
    const n = at(
      c.ec2("CreateNatGateway", {
        ...params(p, ["SubnetId", "AllocationId", "ConnectivityType", "PrivateIpAddress"]),
        ...tagSpec("natgateway", p["Tags"]),
      }),
      "natGateway",
    ) as XmlTree;
    const id = String(n["natGatewayId"]);
    return { physicalId: id, attributes: { NatGatewayId: id } };
  },
  update(c, cur, p) {
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    // Why: NatGatewayNotFound does not end in ".NotFound".
    try {
      c.ec2("DeleteNatGateway", { NatGatewayId: cur.physicalId });
    } catch (err) {
      if ((err as { awsCode?: string }).awsCode === "NatGatewayNotFound") return;
      throw err;
    }
  },
};

// ---- VPCPeeringConnection

/**
 * A peering within the stack's account is accepted at once, as CloudFormation does; one to
 * another account (`PeerOwnerId`) stays `pending-acceptance` (`PeerRoleArn`, which AWS assumes to
 * accept it, is recorded, not used).
 */
const peeringType: ResourceType = {
  type: "AWS::EC2::VPCPeeringConnection",
  properties: {
    VpcId: REQ_STR,
    PeerVpcId: REQ_STR,
    PeerOwnerId: STR,
    PeerRegion: STR,
    PeerRoleArn: RECORDED,
    Tags: TAGS,
  },
  attributes: ["Id"],
  inPlace: ["Tags"],
  create(c, p) {
    const x = at(
      c.ec2("CreateVpcPeeringConnection", {
        ...params(p, ["VpcId", "PeerVpcId", "PeerOwnerId", "PeerRegion"]),
        ...tagSpec("vpc-peering-connection", p["Tags"]),
      }),
      "vpcPeeringConnection",
    ) as XmlTree;
    const id = String(x["vpcPeeringConnectionId"]);
    const owner = str(p, "PeerOwnerId");
    const region = str(p, "PeerRegion");
    if (
      (owner === undefined || owner === c.accountId) &&
      (region === undefined || region === c.region)
    ) {
      const d = obj(
        arr(
          at(
            c.ec2("DescribeVpcPeeringConnections", flattenQuery("VpcPeeringConnectionId", [id])),
            "vpcPeeringConnectionSet",
          ),
        )[0],
      );
      if (obj(d["status"])["code"] === "failed")
        throw new ResourceRuleError(
          `VPC peering connection ${id} failed: ${String(obj(d["status"])["message"])}`,
        );
      c.ec2("AcceptVpcPeeringConnection", { VpcPeeringConnectionId: id });
    }
    return { physicalId: id, attributes: { Id: id } };
  },
  update(c, cur, p) {
    retag(c.ec2, cur.physicalId, cur.properties["Tags"], p["Tags"]);
    return { physicalId: cur.physicalId, attributes: cur.attributes };
  },
  delete(c, cur) {
    try {
      c.ec2("DeleteVpcPeeringConnection", { VpcPeeringConnectionId: cur.physicalId });
    } catch (err) {
      const code = (err as { awsCode?: string }).awsCode ?? "";
      if (code.endsWith(".NotFound") || code === "InvalidStateTransition") return;
      throw err;
    }
  },
};

/** The routing types, registered with the other EC2 types (ec2-resources.ts). */
export const ROUTING_RESOURCE_TYPES: readonly ResourceType[] = [
  internetGatewayType,
  gatewayAttachmentType,
  egressOnlyGatewayType,
  routeTableType,
  routeType,
  subnetRouteTableAssociationType,
  eipType,
  natGatewayType,
  peeringType,
];
