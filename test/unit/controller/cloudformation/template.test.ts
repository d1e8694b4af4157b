/**
 * Template checks, the dependency graph and parameters (AWS-BEHAVIOUR CFN-4..CFN-6, CFN-10),
 * including the seed template (shared/seeds, "Example CloudFormation Security Group") refused as
 * AWS refuses it.
 */
import { describe, expect, it } from "vitest";
import { CfnError } from "../../../../controller/cloudformation/errors.js";
import { RESOURCE_CATALOG } from "../../../../controller/cloudformation/engine.js";
import { creationOrder, dependenciesOf } from "../../../../controller/cloudformation/graph.js";
import { parseTemplateBody } from "../../../../controller/cloudformation/template-body.js";
import {
  checkTemplate,
  resolveParameterValues,
} from "../../../../controller/cloudformation/template.js";

/** The seed's resources as written, under a Resources section. */
export const SEED_AS_WRITTEN = `Resources:
  EC2SecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: !Sub '\${AWS::StackName}-sg'
      SecurityGroupIngress:
        - !Ref EC2SecurityGroupIngressHttp
        - !Ref EC2SecurityGroupIngressHttps

  EC2SecurityGroupIngressHttp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: 0.0.0.0/0
      CidrIpv6: ::/0
      Description: Allow HTTP access
      FromPort: 80
      GroupId: !GetAtt EC2SecurityGroup.GroupId
      IpProtocol: 6
      ToPort: 80

  EC2SecurityGroupIngressHttps:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: 0.0.0.0/0
      CidrIpv6: ::/0
      Description: Allow HTTP access
      FromPort: 443
      GroupId: !GetAtt EC2SecurityGroup.GroupId
      IpProtocol: 6
      ToPort: 443
`;

function check(body: string) {
  return checkTemplate(parseTemplateBody(body), RESOURCE_CATALOG);
}

function refusal(body: string): string {
  try {
    check(body);
  } catch (err) {
    if (err instanceof CfnError) {
      expect(err.awsCode).toBe("ValidationError");
      return err.message;
    }
    throw err;
  }
  throw new Error("expected a refusal");
}

const VPC = "  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n";

describe("checkTemplate", () => {
  it("refuses the seed as written: its group and ingress resources form a cycle (CFN-5)", () => {
    expect(refusal(SEED_AS_WRITTEN)).toBe(
      "Circular dependency between resources: [EC2SecurityGroup, EC2SecurityGroupIngressHttp, EC2SecurityGroupIngressHttps]",
    );
  });

  it("lists what depends on a cycle too, as AWS does", () => {
    const body = `Resources:
  A:
    Type: AWS::EC2::VPC
    DependsOn: B
    Properties: { CidrBlock: 10.0.0.0/16 }
  B:
    Type: AWS::EC2::VPC
    DependsOn: A
    Properties: { CidrBlock: 10.1.0.0/16 }
  C:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref A, CidrBlock: 10.0.0.0/24 }
  D:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.2.0.0/16 }
`;
    expect(refusal(body)).toBe("Circular dependency between resources: [A, B, C]");
  });

  it.each([
    [
      "Resources:\n  X:\n    Type: AWS::S3::Bucket\n  Y:\n    Type: AWS::IAM::Role\n",
      "Template format error: Unrecognized resource types: [AWS::S3::Bucket, AWS::IAM::Role]",
    ],
    ["Description: x\n", "Template format error: At least one Resources member must be defined."],
    [
      `Resorces:\n  A: 1\nResources:\n${VPC}`,
      "Template format error: Invalid template property or properties [Resorces]",
    ],
    [
      "Resources:\n  A:\n    Properties: {}\n",
      "Template format error: [/Resources/A] Every Resources object must contain a Type member.",
    ],
    [
      `Resources:\n${VPC}  S:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !Ref Nope, CidrBlock: 10.0.0.0/24 }\n`,
      "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template",
    ],
    [
      `Resources:\n${VPC}  S:\n    Type: AWS::EC2::Subnet\n    Properties: { VpcId: !GetAtt V.Nope, CidrBlock: 10.0.0.0/24 }\n`,
      "Template error: resource V does not support attribute type Nope in Fn::GetAtt",
    ],
    [
      `Resources:\n${VPC}  S:\n    Type: AWS::EC2::Subnet\n    DependsOn: Ghost\n    Properties: { VpcId: !Ref V, CidrBlock: 10.0.0.0/24 }\n`,
      "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template",
    ],
    [
      `Parameters:\n  P:\n    Type: Strin\nResources:\n${VPC}`,
      "Template format error: Unrecognized parameter type: Strin",
    ],
  ])("refuses %j with AWS's text", (body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it("orders creation by Ref, GetAtt, Sub and DependsOn", () => {
    const t = check(`Resources:
  Rule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: { GroupId: !GetAtt Sg.GroupId, IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 10.0.0.0/8 }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: !Sub "in \${Vpc}", VpcId: !Ref Vpc }
  Acl:
    Type: AWS::EC2::NetworkAcl
    DependsOn: Rule
    Properties: { VpcId: !Ref Vpc }
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
`);
    expect(t.order).toEqual(["Vpc", "Sg", "Rule", "Acl"]);
  });
});

describe("dependency graph", () => {
  it("follows both branches of Fn::If and ${Res.Attr} placeholders", () => {
    const ids = new Set(["A", "B", "C"]);
    expect(
      dependenciesOf(
        {
          logicalId: "X",
          properties: {
            P: { "Fn::If": ["c", { Ref: "A" }, { "Fn::Sub": "${B.GroupId}-${AWS::Region}" }] },
          },
          dependsOn: ["C"],
        },
        ids,
      ),
    ).toEqual(["A", "B", "C"]);
  });

  it("ignores Fn::Sub variables defined in its own map", () => {
    expect(
      dependenciesOf(
        { logicalId: "X", properties: { "Fn::Sub": ["${A}", { A: "x" }] }, dependsOn: [] },
        new Set(["A"]),
      ),
    ).toEqual([]);
  });

  it("keeps template order among independent resources", () => {
    expect(
      creationOrder([
        { logicalId: "B", properties: {}, dependsOn: [] },
        { logicalId: "A", properties: {}, dependsOn: [] },
      ]),
    ).toEqual(["B", "A"]);
  });
});

describe("resolveParameterValues (CFN-10)", () => {
  const decls = check(`Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Port:
    Type: Number
    MinValue: 1
    MaxValue: 65535
  Secret:
    Type: String
    NoEcho: true
    Default: hunter2
Resources:
${VPC}`).parameters;

  it("takes given values, then previous values, then defaults", () => {
    const v = resolveParameterValues(
      decls,
      [
        { key: "Port", value: "80" },
        { key: "Env", usePrevious: true },
      ],
      new Map([["Env", "prod"]]),
    );
    expect([...v]).toEqual([
      ["Env", "prod"],
      ["Port", "80"],
      ["Secret", "hunter2"],
    ]);
    expect(decls.find((d) => d.key === "Secret")?.noEcho).toBe(true);
  });

  it.each([
    [[], "Parameters: [Port] must have values"],
    [
      [
        { key: "Port", value: "80" },
        { key: "Nope", value: "x" },
      ],
      "Parameters: [Nope] do not exist in the template",
    ],
    [
      [
        { key: "Port", value: "80" },
        { key: "Env", value: "qa" },
      ],
      "Parameter 'Env' must be one of AllowedValues",
    ],
    [[{ key: "Port", value: "0" }], "Parameter 'Port' must be a number not less than 1"],
    [[{ key: "Port", value: "x" }], "Parameter 'Port' must be a number"],
  ])("refuses %j", (given, message) => {
    expect(() => resolveParameterValues(decls, given)).toThrow(message);
  });
});
