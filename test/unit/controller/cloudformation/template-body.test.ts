/**
 * Template bodies: JSON and YAML with short-form tags (AWS-BEHAVIOUR CFN-3), and AWS's
 * "not well-formed" answers with the position.
 */
import { describe, expect, it } from "vitest";
import { parseTemplateBody } from "../../../../controller/cloudformation/template-body.js";
import { CfnError } from "../../../../controller/cloudformation/errors.js";

function failure(body: string): CfnError {
  try {
    parseTemplateBody(body);
  } catch (err) {
    if (err instanceof CfnError) return err;
    throw err;
  }
  throw new Error("expected a CfnError");
}

describe("parseTemplateBody", () => {
  it("reads JSON when the body starts with {", () => {
    expect(parseTemplateBody('  {"Resources": {"A": {"Type": "AWS::EC2::VPC"}}}')).toEqual({
      Resources: { A: { Type: "AWS::EC2::VPC" } },
    });
  });

  it.each([
    ["!Ref X", { Ref: "X" }],
    ["!GetAtt Sg.GroupId", { "Fn::GetAtt": ["Sg", "GroupId"] }],
    ["!GetAtt [Sg, GroupId]", { "Fn::GetAtt": ["Sg", "GroupId"] }],
    ["!Sub '${AWS::StackName}-sg'", { "Fn::Sub": "${AWS::StackName}-sg" }],
    ["!Join ['-', [a, !Ref B]]", { "Fn::Join": ["-", ["a", { Ref: "B" }]] }],
    ["!Select [0, !GetAZs '']", { "Fn::Select": [0, { "Fn::GetAZs": "" }] }],
    ["!Split [',', 'a,b']", { "Fn::Split": [",", "a,b"] }],
    ["!FindInMap [M, k1, k2]", { "Fn::FindInMap": ["M", "k1", "k2"] }],
    ["!If [C, 1, !Ref AWS::NoValue]", { "Fn::If": ["C", 1, { Ref: "AWS::NoValue" }] }],
    ["!Equals [a, !Ref P]", { "Fn::Equals": ["a", { Ref: "P" }] }],
    ["!Not [!Condition C]", { "Fn::Not": [{ Condition: "C" }] }],
    ["!And [!Condition A, !Condition B]", { "Fn::And": [{ Condition: "A" }, { Condition: "B" }] }],
    ["!Or [!Condition A, !Condition B]", { "Fn::Or": [{ Condition: "A" }, { Condition: "B" }] }],
    ["!ImportValue shared-vpc", { "Fn::ImportValue": "shared-vpc" }],
    ["!Base64 hello", { "Fn::Base64": "hello" }],
    ["!Cidr [10.0.0.0/16, 2, 8]", { "Fn::Cidr": ["10.0.0.0/16", 2, 8] }],
  ])("turns the short form %s into the long form", (yamlValue, expected) => {
    expect(parseTemplateBody(`V: ${yamlValue}\n`)).toEqual({ V: expected });
  });

  it("reads a block sequence under a tag", () => {
    const tree = parseTemplateBody("V: !If\n  - C\n  - !Ref A\n  - b\n");
    expect(tree).toEqual({ V: { "Fn::If": ["C", { Ref: "A" }, "b"] } });
  });

  it("answers YAML not well-formed with the line and column", () => {
    const e = failure("Resources:\n  A:\n    Type: [unclosed\n");
    expect(e.awsCode).toBe("ValidationError");
    expect(e.message).toMatch(
      /^Template format error: YAML not well-formed\. \(line \d+, column \d+\)$/,
    );
  });

  it("answers JSON not well-formed with the line and column", () => {
    const e = failure('{\n  "Resources": {\n    "A": }\n}');
    expect(e.message).toMatch(
      /^Template format error: JSON not well-formed\. \(line 3,  column \d+\)$/,
    );
  });

  it("refuses a document that is not a mapping", () => {
    expect(failure("just text").message).toBe("Template format error: unsupported structure.");
  });
});
