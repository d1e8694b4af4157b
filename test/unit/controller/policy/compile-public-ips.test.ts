/**
 * The compiler's internet gateway part (docs/routing.md IGW-5..IGW-7): an ENI's public IPv4
 * addresses go into its policy and, as mapping entries naming the private address, into every
 * agent's mapping table; an association change recompiles the ENI though the change names it
 * not; both survive the wire.
 */
import { describe, expect, it } from "vitest";
import * as hub from "../../../../controller/hub/wire.js";
import { PolicyCompiler, type AgentPlacement } from "../../../../controller/policy/compile.js";
import type {
  NetworkInterfaceState,
  PolicyState,
  StateChange,
} from "../../../../controller/policy/policy-state.js";
import * as agent from "../../../../node-agent/control/wire.js";

const VPC = "vpc-0000000000000000a";
const SUB = "subnet-0000000000000000a";
const RTB = "rtb-0000000000000000a";

const WEB: NetworkInterfaceState = {
  eniId: "eni-00000000000000001",
  subnetId: SUB,
  vpcId: VPC,
  privateIpv4: ["10.0.1.10"],
  ipv6: [],
  groupIds: [],
  sourceDestCheck: true,
};

function state(revision: number, publicIp?: string): PolicyState {
  const web: NetworkInterfaceState =
    publicIp === undefined ? WEB : { ...WEB, publicIpv4: [{ publicIp, privateIp: "10.0.1.10" }] };
  return {
    revision,
    vpcs: [{ vpcId: VPC, cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: [] }],
    subnets: [
      {
        subnetId: SUB,
        vpcId: VPC,
        cidrBlock: "10.0.1.0/24",
        networkAclId: "acl-a",
        routeTableId: RTB,
      },
    ],
    securityGroups: [],
    networkAcls: [],
    prefixLists: [],
    networkInterfaces: [web],
    instances: [],
    routeTables: [
      {
        routeTableId: RTB,
        vpcId: VPC,
        routes: [
          { destination: "10.0.0.0/16", target: "local", targetId: "local", active: true },
          { destination: "0.0.0.0/0", target: "internet-gateway", targetId: "igw-1", active: true },
        ],
      },
    ],
  };
}

const placeWeb: AgentPlacement = {
  agentId: "agent-a",
  endpoint: "127.0.0.1:7001",
  instanceIds: [],
  eniIds: [WEB.eniId],
  externals: [],
};
const placeInternet: AgentPlacement = {
  agentId: "agent-i",
  endpoint: "127.0.0.1:7009",
  instanceIds: [],
  eniIds: [],
  externals: [{ name: "internet", address: "198.51.100.10" }],
};

const nothingNamed = (revision: number): StateChange => ({
  revision,
  vpcIds: [],
  subnetIds: [],
  groupIds: [],
  networkAclIds: [],
  prefixListIds: [],
  eniIds: [],
  instanceIds: [],
});

const publicEntry = {
  address: "198.18.0.7",
  eniId: WEB.eniId,
  subnetId: SUB,
  vpcId: VPC,
  agentId: "agent-a",
  endpoint: "127.0.0.1:7001",
  privateAddress: "10.0.1.10",
};

describe("PolicyCompiler public IPs (docs/routing.md IGW-5)", () => {
  it("puts the ENI's public IP into its policy and a mapping entry into every agent's table", () => {
    const r = new PolicyCompiler().update(state(1, "198.18.0.7"), [placeWeb, placeInternet]);
    const web = r.snapshots.get("agent-a")!;
    expect(web.enis[0]!.publicIpv4).toEqual([{ publicIp: "198.18.0.7", privateIp: "10.0.1.10" }]);
    expect(web.mapping).toContainEqual(publicEntry);
    expect(r.snapshots.get("agent-i")!.mapping).toContainEqual(publicEntry);
    // The private entry stays as it was (no privateAddress key).
    expect(web.mapping).toContainEqual({
      address: "10.0.1.10",
      eniId: WEB.eniId,
      subnetId: SUB,
      vpcId: VPC,
      agentId: "agent-a",
      endpoint: "127.0.0.1:7001",
    });
  });

  it("recompiles the ENI when an address is associated or disassociated (IGW-7)", () => {
    const c = new PolicyCompiler();
    c.update(state(1), [placeWeb, placeInternet]);
    const on = c.update(state(2, "198.18.0.9"), [placeWeb, placeInternet], nothingNamed(2));
    expect(on.recompiledEnis).toEqual([WEB.eniId]);
    expect(on.snapshots.get("agent-i")!.mapping.map((m) => m.address)).toContain("198.18.0.9");
    const off = c.update(state(3), [placeWeb, placeInternet], nothingNamed(3));
    expect(off.recompiledEnis).toEqual([WEB.eniId]);
    expect(off.snapshots.get("agent-a")!.enis[0]!.publicIpv4).toBeUndefined();
    expect(off.snapshots.get("agent-i")!.mapping.map((m) => m.address)).not.toContain("198.18.0.9");
  });

  it("carries public IPs and public mapping entries over the wire", () => {
    const snap = new PolicyCompiler()
      .update(state(1, "198.18.0.7"), [placeWeb])
      .snapshots.get("agent-a")!;
    const decoded = agent.decodeControllerFrame(hub.encodeSnapshotFrame(snap, 1));
    if (!("kind" in decoded) || decoded.kind !== "snapshot") throw new Error("not a snapshot");
    expect(decoded.snapshot.enis[0]!.publicIpv4).toEqual([
      { publicIp: "198.18.0.7", privateIp: "10.0.1.10" },
    ]);
    expect(decoded.snapshot.mapping).toContainEqual(publicEntry);
  });
});
