/**
 * Intrinsic functions, condition functions and pseudo parameters (AWS-BEHAVIOUR CFN-7, CFN-8).
 */
import { describe, expect, it } from "vitest";
import {
  NO_VALUE,
  evaluate,
  evaluateCondition,
  type EvalScope,
} from "../../../../controller/cloudformation/intrinsics.js";

function scope(over: Partial<EvalScope> = {}): EvalScope {
  const conditions: Record<string, boolean> = { IsProd: false, Always: true };
  return {
    accountId: "123456789012",
    region: "eu-west-1",
    stackName: "web",
    stackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/web/1",
    parameters: new Map<string, string | readonly string[]>([
      ["Env", "dev"],
      ["Cidrs", ["10.0.0.0/24", "10.0.1.0/24"]],
    ]),
    mappings: { Region: { "eu-west-1": { Ami: "ami-123" } } },
    condition: (n) => conditions[n] ?? false,
    resourceRef: (id) => `sg-${id.toLowerCase()}`,
    resourceAttribute: (id, attr) => `${id}.${attr}`,
    isResource: (id) => id === "Sg",
    importValue: (name) => `imported-${name}`,
    availabilityZones: (r) => [`${r}a`, `${r}b`],
    ...over,
  };
}

describe("evaluate", () => {
  it.each([
    [{ Ref: "AWS::Region" }, "eu-west-1"],
    [{ Ref: "AWS::AccountId" }, "123456789012"],
    [{ Ref: "AWS::StackName" }, "web"],
    [{ Ref: "AWS::StackId" }, "arn:aws:cloudformation:eu-west-1:123456789012:stack/web/1"],
    [{ Ref: "AWS::Partition" }, "aws"],
    [{ Ref: "AWS::URLSuffix" }, "amazonaws.com"],
    [{ Ref: "Env" }, "dev"],
    [{ Ref: "Sg" }, "sg-sg"],
    [{ "Fn::GetAtt": ["Sg", "GroupId"] }, "Sg.GroupId"],
    [
      { "Fn::Sub": "${AWS::StackName}-${Env}-${Sg}-${Sg.GroupId}-${!Literal}" },
      "web-dev-sg-sg-Sg.GroupId-${Literal}",
    ],
    [{ "Fn::Sub": ["${A}-${Env}", { A: { Ref: "AWS::Region" } }] }, "eu-west-1-dev"],
    [{ "Fn::Join": [",", { Ref: "Cidrs" }] }, "10.0.0.0/24,10.0.1.0/24"],
    [{ "Fn::Select": [1, { "Fn::GetAZs": "" }] }, "eu-west-1b"],
    [{ "Fn::Split": ["|", "a|b"] }, ["a", "b"]],
    [{ "Fn::FindInMap": ["Region", { Ref: "AWS::Region" }, "Ami"] }, "ami-123"],
    [{ "Fn::If": ["IsProd", "big", "small"] }, "small"],
    [{ "Fn::ImportValue": { "Fn::Sub": "${Env}-vpc" } }, "imported-dev-vpc"],
    [{ "Fn::Base64": "hi" }, "aGk="],
    [{ "Fn::Cidr": ["10.0.0.0/16", 3, 8] }, ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]],
  ])("evaluates %j", (expr, value) => {
    expect(evaluate(expr, scope())).toEqual(value);
  });

  it("removes properties and list items that are AWS::NoValue", () => {
    expect(
      evaluate(
        {
          A: { "Fn::If": ["IsProd", "x", { Ref: "AWS::NoValue" }] },
          B: [1, { Ref: "AWS::NoValue" }, 2],
        },
        scope(),
      ),
    ).toEqual({ B: [1, 2] });
    expect(evaluate({ Ref: "AWS::NoValue" }, scope())).toBe(NO_VALUE);
  });

  it("answers Fn::Select out of range with a template error", () => {
    expect(() => evaluate({ "Fn::Select": [5, ["a"]] }, scope())).toThrow(
      /Template error: Fn::Select cannot select nonexistent value at index 5/,
    );
  });

  it("answers a missing mapping key with AWS's text", () => {
    expect(() => evaluate({ "Fn::FindInMap": ["Region", "us-east-1", "Ami"] }, scope())).toThrow(
      "Template error: Unable to get mapping for Region::us-east-1::Ami",
    );
  });
});

describe("evaluateCondition", () => {
  it.each([
    [{ "Fn::Equals": [{ Ref: "Env" }, "dev"] }, true],
    [{ "Fn::Equals": ["80", 80] }, true],
    [{ "Fn::Not": [{ "Fn::Equals": [{ Ref: "Env" }, "dev"] }] }, false],
    [{ "Fn::And": [{ Condition: "Always" }, { Condition: "IsProd" }] }, false],
    [{ "Fn::Or": [{ Condition: "Always" }, { Condition: "IsProd" }] }, true],
  ])("evaluates %j", (expr, value) => {
    expect(evaluateCondition(expr, scope())).toBe(value);
  });
});
