import { describe, expect, it } from "vitest";
import { openDatabase } from "../../../../controller/db/database.js";
import {
  DEFAULT_LOG_FORMAT,
  parseLogFormat,
  type FlowLog,
} from "../../../../controller/model/flow-log.js";
import type { NetworkInterface } from "../../../../controller/model/network-interface.js";
import type { Subnet, Vpc } from "../../../../controller/model/vpc.js";
import { FlowLogDelivery } from "../../../../controller/reports/flow-log-delivery.js";
import { FlowLogStore } from "../../../../controller/store/flow-log-ops.js";
import type { StateReader } from "../../../../controller/store/transaction.js";

const scope = { ownerId: "111122223333", region: "eu-west-1" };
const vpc = {
  vpcId: "vpc-1",
  cidrBlock: "10.0.0.0/16",
  mainRouteTableId: "rtb-1",
  ...scope,
} as unknown as Vpc;
const subnet = {
  subnetId: "subnet-1",
  vpcId: "vpc-1",
  availabilityZone: "eu-west-1b",
  networkAclId: "acl-1",
  ...scope,
} as unknown as Subnet;
const eni = {
  eniId: "eni-1",
  subnetId: "subnet-1",
  vpcId: "vpc-1",
  privateIps: ["10.0.1.10", "10.0.1.11"],
  ipv6: [],
  ...scope,
} as unknown as NetworkInterface;
// The subnet's table: the VPC's main one (vpc-1 -> rtb-1), with a default route to an internet
// gateway and a peering route.
const mainTable = {
  routeTableId: "rtb-1",
  vpcId: "vpc-1",
  routes: [
    { destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-1" },
    { destinationCidrBlock: "10.1.0.0/16", vpcPeeringConnectionId: "pcx-1" },
  ],
  associations: [],
  mainAssociationId: "rtbassoc-1",
  tags: {},
  ...scope,
};
const records: Record<string, Record<string, unknown>> = {
  vpc: { "vpc-1": vpc },
  subnet: { "subnet-1": subnet },
  networkInterface: { "eni-1": eni },
  vpcPeeringConnection: {
    "pcx-1": { requester: { region: "eu-west-1" }, accepter: { region: "eu-west-1" } },
  },
};
const reader: StateReader = {
  get: ((kind: string, id: string) => records[kind]?.[id]) as StateReader["get"],
  list: ((kind: string) => (kind === "routeTable" ? [mainTable] : [])) as StateReader["list"],
};

function setup(format: string, trafficType: FlowLog["trafficType"] = "ALL") {
  const store = new FlowLogStore(openDatabase(":memory:"));
  store.add([
    {
      flowLogId: "fl-1",
      resourceId: "subnet-1",
      resourceType: "Subnet",
      trafficType,
      logDestinationType: "s3",
      logDestination: "arn:aws:s3:::b",
      logFormat: format,
      fields: parseLogFormat(format),
      maxAggregationInterval: 600,
      creationTime: "2015-05-10T17:00:00.000Z",
      sink: { kind: "api" },
      tags: {},
      ...scope,
    },
  ]);
  return new FlowLogDelivery({ flowLogs: store, reader: () => reader, log: () => {} });
}

const OK_IN =
  "2 123456789012 eni-1 10.0.2.5 10.0.1.10 443 1000 6 3 180 1431280876 1431280934 ACCEPT OK";
const OK_OUT =
  "2 123456789012 eni-1 10.0.1.10 8.8.8.8 1000 53 17 1 60 1431280876 1431280876 REJECT OK";
const NODATA = "2 123456789012 eni-1 - - - - - - - 1431280876 1431280934 - NODATA";

describe("FlowLogDelivery", () => {
  it("computes the state's fields and keeps AWS's '-' for what does not apply (FLW-2)", () => {
    const d = setup(
      "${version} ${account-id} ${region} ${az-id} ${type} ${flow-direction} ${traffic-path} ${pkt-srcaddr} ${sublocation-type} ${ecs-task-id} ${tcp-flags}",
    );
    d.deliver([
      { eniId: "eni-1", line: OK_IN },
      // A newer agent: its own direction, flags and the packet's address (a secondary IP, FL-4).
      {
        eniId: "eni-1",
        line: OK_OUT,
        flowDirection: "egress",
        tcpFlags: 0,
        pktSrcaddr: "10.0.1.11",
        pktDstaddr: "8.8.8.8",
      },
      { eniId: "eni-1", line: NODATA },
      { eniId: "eni-other", line: OK_IN },
    ]);
    expect(d.linesOf("fl-1")).toEqual([
      "7 111122223333 eu-west-1 euw1-az2 IPv4 ingress - 10.0.2.5 - - -",
      "7 111122223333 eu-west-1 euw1-az2 IPv4 egress 8 10.0.1.11 - - 0",
      "7 111122223333 eu-west-1 euw1-az2 - - - - - - -",
    ]);
  });

  it("writes the default format as the agent's line, the ENI's owner as account-id (FL-1)", () => {
    const d = setup(DEFAULT_LOG_FORMAT, "REJECT");
    d.deliver([
      { eniId: "eni-1", line: OK_IN },
      { eniId: "eni-1", line: OK_OUT },
    ]);
    expect(d.linesOf("fl-1")).toEqual([OK_OUT.replace("123456789012", "111122223333")]);
  });

  it("gives egress its traffic-path: 1 within the VPC, 4 a peering, 8 an internet gateway", () => {
    const d = setup("${traffic-path}");
    const to = (dst: string) => ({
      eniId: "eni-1",
      line: `2 1 eni-1 10.0.1.10 ${dst} 1000 443 6 1 60 1431280876 1431280876 ACCEPT OK`,
    });
    d.deliver([to("10.0.2.5"), to("10.1.0.9"), to("203.0.113.7")]);
    expect(d.linesOf("fl-1")).toEqual(["1", "4", "8"]);
  });
});
