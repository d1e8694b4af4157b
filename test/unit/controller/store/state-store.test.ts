import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appliedMigrations, openDatabase } from "../../../../controller/db/database.js";
import type { StateChange } from "../../../../controller/policy/policy-state.js";
import { sanitizePermission } from "../../../../controller/model/security-group.js";
import {
  createNetworkInterface,
  modifyNetworkInterface,
} from "../../../../controller/store/eni-ops.js";
import { runInstances, terminateInstances } from "../../../../controller/store/instance-ops.js";
import { replaceNaclAssociation, createNetworkAcl } from "../../../../controller/store/nacl-ops.js";
import { authorizeRules, createSecurityGroup } from "../../../../controller/store/sg-ops.js";
import { inScopeOf } from "../../../../controller/store/scope.js";
import { StateStore, defaultStatePath } from "../../../../controller/store/state-store.js";
import { createSubnet, createVpc } from "../../../../controller/store/vpc-ops.js";

const dirs: string[] = [];
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), "vpcemu-store-"));
  dirs.push(d);
  return join(d, "state.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function seed(store: StateStore) {
  const vpc = store.mutate((tx) => createVpc(inScopeOf(tx), { cidrBlock: "10.0.0.0/16" }));
  const subnet = store.mutate((tx) =>
    createSubnet(inScopeOf(tx), {
      vpcId: vpc.vpcId,
      cidrBlock: "10.0.1.0/24",
      availabilityZone: "us-east-1a",
    }),
  );
  return { vpc, subnet };
}

describe("StateStore", () => {
  it("starts at revision 0 and bumps it once per committed mutation", () => {
    const store = StateStore.open(":memory:");
    expect(store.revision()).toBe(0);
    seed(store);
    expect(store.revision()).toBe(2);
    store.close();
  });

  it("changes nothing and keeps the revision when a mutation throws (RULE-12)", () => {
    const store = StateStore.open(":memory:");
    const { vpc } = seed(store);
    const g = store.mutate((tx) =>
      createSecurityGroup(inScopeOf(tx), { groupName: "web", description: "d", vpcId: vpc.vpcId }),
    );
    const rev = store.revision();
    const specs = [
      ...sanitizePermission({
        ipProtocol: "tcp",
        fromPort: "80",
        toPort: "80",
        ipRanges: [{ cidrIp: "0.0.0.0/0" }],
        ipv6Ranges: [],
        prefixListIds: [],
        groups: [],
      }),
      ...sanitizePermission({
        ipProtocol: "tcp",
        fromPort: "81",
        toPort: "81",
        ipRanges: [],
        ipv6Ranges: [],
        prefixListIds: [],
        groups: [{ groupId: "sg-0123456789abcdef0" }],
      }),
    ];
    expect(() =>
      store.mutate((tx) =>
        authorizeRules(inScopeOf(tx), { groupId: g.groupId, isEgress: false, specs }),
      ),
    ).toThrow("The security group 'sg-0123456789abcdef0' does not exist");
    expect(store.revision()).toBe(rev);
    expect(store.get("securityGroup", g.groupId)?.rules.filter((r) => !r.isEgress)).toEqual([]);
    store.close();
  });

  it("announces what a write touched after commit, ENI group changes naming the groups", () => {
    const store = StateStore.open(":memory:");
    const { vpc, subnet } = seed(store);
    const changes: StateChange[] = [];
    const off = store.onChange((c) => changes.push(c));
    const g = store.mutate((tx) =>
      createSecurityGroup(inScopeOf(tx), { groupName: "web", description: "d", vpcId: vpc.vpcId }),
    );
    const eni = store.mutate((tx) =>
      createNetworkInterface(inScopeOf(tx), { subnetId: subnet.subnetId }),
    );
    store.mutate((tx) =>
      modifyNetworkInterface(inScopeOf(tx), eni.eniId, { kind: "groups", groupIds: [g.groupId] }),
    );
    expect(changes[0]).toMatchObject({ revision: 3, groupIds: [g.groupId] });
    expect(changes[2]).toMatchObject({ revision: 5, eniIds: [eni.eniId] });
    expect([...(changes[2]?.groupIds ?? [])].sort()).toEqual(
      [vpc.defaultGroupId, g.groupId].sort(),
    );
    off();
    store.mutate((tx) =>
      createSecurityGroup(inScopeOf(tx), { groupName: "app", description: "d", vpcId: vpc.vpcId }),
    );
    expect(changes).toHaveLength(3);
    store.close();
  });

  it("announces the subnet and both NACLs when an association changes", () => {
    const store = StateStore.open(":memory:");
    const { vpc, subnet } = seed(store);
    const acl = store.mutate((tx) => createNetworkAcl(inScopeOf(tx), { vpcId: vpc.vpcId }));
    const changes: StateChange[] = [];
    store.onChange((c) => changes.push(c));
    store.mutate((tx) =>
      replaceNaclAssociation(inScopeOf(tx), subnet.networkAclAssociationId, acl.networkAclId),
    );
    expect(changes[0]?.subnetIds).toEqual([subnet.subnetId]);
    expect([...(changes[0]?.networkAclIds ?? [])].sort()).toEqual(
      [vpc.defaultNetworkAclId, acl.networkAclId].sort(),
    );
    store.close();
  });

  it("does not emit or bump for a DryRun, which still validates", () => {
    const store = StateStore.open(":memory:");
    let calls = 0;
    store.onChange(() => calls++);
    expect(() =>
      store.mutate((tx) => createVpc(inScopeOf(tx), { cidrBlock: "10.0.0.0/16" }), {
        dryRun: true,
      }),
    ).toThrow("Request would have succeeded, but DryRun flag is set.");
    expect(() =>
      store.mutate((tx) => createVpc(inScopeOf(tx), { cidrBlock: "10.0.0.0/8" }), { dryRun: true }),
    ).toThrow("is invalid");
    expect(store.revision()).toBe(0);
    expect(calls).toBe(0);
    expect(store.list("vpc")).toEqual([]);
    store.close();
  });

  it("reads the compiler's PolicyState: numeric protocols, NACL `*` entries, ENIs, running instances", () => {
    const store = StateStore.open(":memory:");
    const { vpc, subnet } = seed(store);
    const g = store.mutate((tx) =>
      createSecurityGroup(inScopeOf(tx), { groupName: "web", description: "d", vpcId: vpc.vpcId }),
    );
    store.mutate((tx) =>
      authorizeRules(inScopeOf(tx), {
        groupId: g.groupId,
        isEgress: false,
        specs: sanitizePermission({
          ipProtocol: "tcp",
          fromPort: "80",
          toPort: "80",
          ipRanges: [{ cidrIp: "0.0.0.0/0" }],
          ipv6Ranges: [],
          prefixListIds: [],
          groups: [],
        }),
      }),
    );
    const run = store.mutate((tx) =>
      runInstances(inScopeOf(tx), {
        imageId: "ami-1",
        instanceType: "t3.micro",
        minCount: 2,
        maxCount: 2,
        subnetId: subnet.subnetId,
        groupIds: [g.groupId],
      }),
    );
    store.mutate((tx) => terminateInstances(inScopeOf(tx), [run.instances[1]?.instanceId ?? ""]));
    const s = store.readPolicyState();
    expect(s.revision).toBe(store.revision());
    expect(s.vpcs).toEqual([{ vpcId: vpc.vpcId, cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: [] }]);
    expect(s.subnets).toEqual([
      {
        subnetId: subnet.subnetId,
        vpcId: vpc.vpcId,
        cidrBlock: "10.0.1.0/24",
        networkAclId: vpc.defaultNetworkAclId,
        availabilityZone: subnet.availabilityZone,
        // docs/routing.md RT-12: the subnet's effective table, the VPC's main one (RT-1).
        routeTableId: vpc.mainRouteTableId ?? `rtb-${vpc.vpcId.slice(4)}`,
      },
    ]);
    // RT-2: the main table's local route.
    expect(s.routeTables).toEqual([
      {
        routeTableId: vpc.mainRouteTableId ?? `rtb-${vpc.vpcId.slice(4)}`,
        vpcId: vpc.vpcId,
        routes: [{ destination: "10.0.0.0/16", target: "local", targetId: "local", active: true }],
      },
    ]);
    const web = s.securityGroups.find((x) => x.groupId === g.groupId);
    expect(web?.rules.find((r) => !r.isEgress)).toMatchObject({
      groupId: g.groupId,
      protocol: "6",
      fromPort: 80,
      toPort: 80,
      cidrIpv4: "0.0.0.0/0",
    });
    expect(s.networkAcls[0]?.entries.map((e) => e.ruleNumber)).toEqual([100, 32767, 100, 32767]);
    expect(s.networkInterfaces).toHaveLength(1);
    expect(s.networkInterfaces[0]).toMatchObject({
      privateIpv4: ["10.0.1.4"],
      groupIds: [g.groupId],
      sourceDestCheck: true,
      instanceId: run.instances[0]?.instanceId,
    });
    expect(s.instances.map((i) => i.instanceId)).toEqual([run.instances[0]?.instanceId]);
    expect(store.readPolicyState()).toBe(s);
    store.close();
  });

  it("persists state and revision across reopen, in creation order", () => {
    const path = tempDb();
    const a = StateStore.open(path);
    const { vpc } = seed(a);
    for (const name of ["c", "a", "b"])
      a.mutate((tx) =>
        createSecurityGroup(inScopeOf(tx), { groupName: name, description: "d", vpcId: vpc.vpcId }),
      );
    const rev = a.revision();
    const before = a.readPolicyState();
    a.close();
    const b = StateStore.open(path);
    expect(b.revision()).toBe(rev);
    expect(b.list("securityGroup").map((g) => g.groupName)).toEqual(["default", "c", "a", "b"]);
    expect(b.readPolicyState()).toEqual(before);
    b.close();
  });

  it("applies migrations once, recording them (append-only table)", () => {
    const path = tempDb();
    const db = openDatabase(path);
    expect(appliedMigrations(db)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    db.close();
    const again = openDatabase(path);
    expect(appliedMigrations(again)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(again.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(again.pragma("foreign_keys", { simple: true })).toBe(1);
    again.close();
  });

  it("defaults the state path to $VPCEMU_STATE, else ./.vpcemu/state.db", () => {
    expect(defaultStatePath({ VPCEMU_STATE: "/tmp/x.db" }, "/w")).toBe("/tmp/x.db");
    expect(defaultStatePath({}, "/w")).toBe("/w/.vpcemu/state.db");
  });
});
