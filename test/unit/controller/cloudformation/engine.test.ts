/**
 * The stack engine against an in-memory StateStore and the EC2 actions in process, with stack
 * work run synchronously: update rollback, failure options, replacement rules, change sets,
 * conditions, DeletionPolicy, interrupted operations (AWS-BEHAVIOUR CFN-9, CFN-12..CFN-19, CFN-28).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inProcessEc2, type Caller } from "../../../../controller/cloudformation/ec2-invoke.js";
import {
  CloudFormationEngine,
  type StackInput,
} from "../../../../controller/cloudformation/engine.js";
import { StackStore } from "../../../../controller/cloudformation/stack-store.js";
import { StateStore } from "../../../../controller/store/state-store.js";

const caller: Caller = { accountId: "123456789012", region: "us-east-1" };
let store: StateStore;
let engine: CloudFormationEngine;

function newEngine(): CloudFormationEngine {
  return new CloudFormationEngine({
    stacks: new StackStore(store.sideDatabase()),
    ec2For: (c) => inProcessEc2(store, c),
    schedule: (work) => work(),
  });
}

beforeEach(() => {
  store = StateStore.open(":memory:");
  engine = newEngine();
});
afterEach(() => store.close());

function input(
  stackName: string,
  templateBody: string,
  extra: Partial<StackInput> = {},
): StackInput {
  return {
    stackName,
    templateBody,
    parameters: [],
    capabilities: [],
    notificationArns: [],
    ...extra,
  };
}

const ec2 = () => inProcessEc2(store, caller);

function status(name: string): string {
  return engine.requireStack(caller, name).status;
}

function resourceStatuses(name: string): string[] {
  return engine.events(engine.requireStack(caller, name)).map((e) => `${e.logicalId} ${e.status}`);
}

const GROUP = (port: number, extra = "") => `Parameters:
  Vpc: { Type: String }
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc${extra}
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: ${port}, ToPort: ${port}, CidrIp: 10.0.0.0/8 }
`;

function vpc(): string {
  return String(
    (ec2()("CreateVpc", { CidrBlock: "10.9.0.0/16" })["vpc"] as Record<string, unknown>)["vpcId"],
  );
}

function ports(groupId: string): number[] {
  const g = (
    ec2()("DescribeSecurityGroups", { "GroupId.1": groupId })["securityGroupInfo"] as Array<
      Record<string, unknown>
    >
  )[0];
  return (g?.["ipPermissions"] as Array<Record<string, unknown>>).map((p) => Number(p["fromPort"]));
}

/** The VPCs the tests made: DescribeVpcs also lists the account's default VPC. */
function nonDefaultVpcs(): unknown[] {
  return (ec2()("DescribeVpcs", {})["vpcSet"] as Array<Record<string, unknown>>).filter(
    (v) => v["isDefault"] !== true && v["isDefault"] !== "true",
  );
}

describe("CloudFormationEngine", () => {
  it("rolls an update back: the rule changed in place is restored (CFN-14)", () => {
    const v = vpc();
    engine.createStack(caller, input("web", GROUP(80), { parameters: [{ key: "Vpc", value: v }] }));
    expect(status("web")).toBe("CREATE_COMPLETE");
    const groupId = engine.requireStack(caller, "web").resources[0]?.physicalId as string;
    // The rule changes in place, then a new subnet outside the VPC fails.
    const failing = `${GROUP(8080)}  Bad:
    Type: AWS::EC2::Subnet
    DependsOn: Sg
    Properties: { VpcId: !Ref Vpc, CidrBlock: 192.168.0.0/24 }
`;
    engine.updateStack(
      caller,
      input("web", failing, { parameters: [{ key: "Vpc", usePrevious: true }] }),
    );
    expect(status("web")).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(ports(groupId)).toEqual([80]);
    const events = resourceStatuses("web");
    expect(events.slice(events.indexOf("web UPDATE_IN_PROGRESS"))).toEqual([
      "web UPDATE_IN_PROGRESS",
      "Sg UPDATE_IN_PROGRESS",
      "Sg UPDATE_COMPLETE",
      "Bad CREATE_IN_PROGRESS",
      "Bad CREATE_FAILED",
      "web UPDATE_ROLLBACK_IN_PROGRESS",
      "Sg UPDATE_IN_PROGRESS",
      "Sg UPDATE_COMPLETE",
      "web UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
      "web UPDATE_ROLLBACK_COMPLETE",
    ]);
    // UPDATE_ROLLBACK_COMPLETE is updatable again, and the rule change goes through.
    engine.updateStack(
      caller,
      input("web", GROUP(8080), { parameters: [{ key: "Vpc", usePrevious: true }] }),
    );
    expect(status("web")).toBe("UPDATE_COMPLETE");
    expect(ports(groupId)).toEqual([8080]);
  });

  it("refuses to replace a custom-named resource (CFN-14)", () => {
    const v = vpc();
    const named = (desc: string) =>
      GROUP(80, `\n      GroupName: fixed`).replace(
        "GroupDescription: web",
        `GroupDescription: ${desc}`,
      );
    engine.createStack(
      caller,
      input("named", named("one"), { parameters: [{ key: "Vpc", value: v }] }),
    );
    engine.updateStack(
      caller,
      input("named", named("two"), { parameters: [{ key: "Vpc", usePrevious: true }] }),
    );
    expect(status("named")).toBe("UPDATE_ROLLBACK_COMPLETE");
    const failed = engine
      .events(engine.requireStack(caller, "named"))
      .find((e) => e.status === "UPDATE_FAILED");
    expect(failed?.statusReason).toBe(
      "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename fixed and update the stack again.",
    );
  });

  it("replaces a resource whose create-only property changes, deleting the old one in cleanup (CFN-14)", () => {
    const body = (cidr: string) => `Resources:
  V:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: ${cidr} }
`;
    engine.createStack(caller, input("vpc", body("10.1.0.0/16")));
    const first = engine.requireStack(caller, "vpc").resources[0]?.physicalId;
    engine.updateStack(caller, input("vpc", body("10.2.0.0/16")));
    expect(status("vpc")).toBe("UPDATE_COMPLETE");
    const second = engine.requireStack(caller, "vpc").resources[0]?.physicalId;
    expect(second).not.toBe(first);
    const vpcs = (ec2()("DescribeVpcs", {})["vpcSet"] as Array<Record<string, unknown>>).map(
      (x) => x["vpcId"],
    );
    expect(vpcs).toContain(second);
    expect(vpcs).not.toContain(first);
  });

  it.each([
    [{ disableRollback: true }, "CREATE_FAILED", 1],
    [{ onFailure: "DELETE" as const }, "DELETE_COMPLETE", 0],
    [{}, "ROLLBACK_COMPLETE", 0],
  ])("applies the failure option %j (CFN-12)", (opts, final, vpcsLeft) => {
    const body = `Resources:
  V:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.5.0.0/16 }
  S:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref V, CidrBlock: 10.6.0.0/24 }
`;
    const s = engine.createStack(caller, input("fail", body, opts));
    expect(engine.findStack(caller, s.stackId)?.status).toBe(final);
    expect(nonDefaultVpcs().length).toBe(vpcsLeft);
  });

  it("creates a change set that waits in REVIEW_IN_PROGRESS, then executes it (CFN-17, CFN-19)", () => {
    const body =
      "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.7.0.0/16 }\n";
    const cs = engine.createChangeSet(caller, {
      ...input("cs", body),
      changeSetName: "first",
      changeSetType: "CREATE",
    });
    expect(status("cs")).toBe("REVIEW_IN_PROGRESS");
    expect(cs).toMatchObject({ status: "CREATE_COMPLETE", executionStatus: "AVAILABLE" });
    expect(cs.changes.map((c) => `${c.action} ${c.logicalId}`)).toEqual(["Add V"]);
    expect(() => engine.updateStack(caller, input("cs", body))).toThrow(
      /is in REVIEW_IN_PROGRESS state and can not be updated/,
    );
    const other = engine.createChangeSet(caller, {
      ...input("cs", body),
      changeSetName: "second",
      changeSetType: "CREATE",
    });
    engine.executeChangeSet(caller, cs.changeSetId);
    expect(status("cs")).toBe("CREATE_COMPLETE");
    expect(engine.requireChangeSet(caller, "first", "cs").executionStatus).toBe("EXECUTE_COMPLETE");
    expect(engine.requireChangeSet(caller, other.changeSetId).executionStatus).toBe("OBSOLETE");
    expect(() => engine.executeChangeSet(caller, other.changeSetId)).toThrow(
      /cannot be executed in its current status of \[OBSOLETE\]/,
    );
    const empty = engine.createChangeSet(caller, {
      ...input("cs", body),
      changeSetName: "same",
      changeSetType: "UPDATE",
    });
    expect(empty).toMatchObject({
      status: "FAILED",
      executionStatus: "UNAVAILABLE",
      statusReason:
        "The submitted information didn't contain changes. Submit different information to create a change set.",
    });
  });

  it("creates only the resources whose condition holds (CFN-9)", () => {
    const body = `Parameters:
  Env: { Type: String, AllowedValues: [dev, prod] }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Always:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.8.0.0/16 }
  ProdOnly:
    Type: AWS::EC2::VPC
    Condition: IsProd
    Properties: { CidrBlock: 10.9.0.0/16 }
Outputs:
  Which:
    Value: !If [IsProd, prod, dev]
`;
    engine.createStack(caller, input("cond", body, { parameters: [{ key: "Env", value: "dev" }] }));
    const s = engine.requireStack(caller, "cond");
    expect(s.resources.map((r) => r.logicalId)).toEqual(["Always"]);
    expect(s.outputs).toEqual([{ key: "Which", value: "dev" }]);
    engine.updateStack(
      caller,
      input("cond", body, { parameters: [{ key: "Env", value: "prod" }] }),
    );
    expect(engine.requireStack(caller, "cond").resources.map((r) => r.logicalId)).toEqual([
      "Always",
      "ProdOnly",
    ]);
  });

  it("keeps a Retain resource when the stack is deleted (CFN-13)", () => {
    const body =
      "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    DeletionPolicy: Retain\n    Properties: { CidrBlock: 10.10.0.0/16 }\n";
    engine.createStack(caller, input("keep", body));
    const id = engine.requireStack(caller, "keep").stackId;
    engine.deleteStack(caller, "keep");
    expect(engine.findStack(caller, id)?.status).toBe("DELETE_COMPLETE");
    expect(engine.events(engine.findStack(caller, id)!).map((e) => e.status)).toContain(
      "DELETE_SKIPPED",
    );
    expect(nonDefaultVpcs().length).toBe(1);
  });

  it("ends an operation the controller stopped in, in its failed state (CFN-28)", () => {
    const pending: Array<() => void> = [];
    const paused = new CloudFormationEngine({
      stacks: new StackStore(store.sideDatabase()),
      ec2For: (c) => inProcessEc2(store, c),
      schedule: (work) => pending.push(work),
    });
    paused.createStack(
      caller,
      input(
        "cut",
        "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.11.0.0/16 }\n",
      ),
    );
    expect(paused.requireStack(caller, "cut").status).toBe("CREATE_IN_PROGRESS");
    const restarted = newEngine();
    const s = restarted.requireStack(caller, "cut");
    expect([s.status, s.statusReason]).toEqual([
      "CREATE_FAILED",
      "The controller stopped during the operation",
    ]);
    restarted.deleteStack(caller, "cut");
    expect(restarted.findStack(caller, s.stackId)?.status).toBe("DELETE_COMPLETE");
  });
});
