/**
 * The controller's accepted-parameter table (controller/ec2/request-shapes.ts, ERR-36) against the
 * AWS SDK's request schemas, and the checker's walk over flat Query names (API-2).
 */
import { describe, expect, it } from "vitest";
import { EC2_ACTIONS } from "../../../../controller/ec2/actions.js";
import {
  checkParameters,
  isKnownParameter,
  requestShape,
} from "../../../../controller/ec2/parameters.js";
import { QueryParams } from "../../../../controller/ec2/query.js";
import { REQUEST_SHAPES } from "../../../../controller/ec2/request-shapes.js";
import { sdkRequestShape } from "./sdk-request-shapes.js";

describe("request shapes (ERR-36, API-9..API-35)", () => {
  it("has a shape for every action vpcemu answers, and no other", () => {
    expect(Object.keys(REQUEST_SHAPES).sort()).toEqual(Object.keys(EC2_ACTIONS).sort());
  });

  it.each(Object.keys(EC2_ACTIONS).sort())("%s equals the SDK's request schema", (action) => {
    expect(REQUEST_SHAPES[action]).toEqual(sdkRequestShape(action));
  });
});

describe("isKnownParameter (ERR-36, API-2)", () => {
  const authorize = requestShape("AuthorizeSecurityGroupIngress")!;
  const known = (name: string, value = "x") => isKnownParameter(authorize, name, value);

  it("accepts top-level, list-of-structure and nested list members", () => {
    expect(known("GroupId")).toBe(true);
    expect(known("IpPermissions.1.IpProtocol")).toBe(true);
    expect(known("IpPermissions.12.IpRanges.3.CidrIp")).toBe(true);
    expect(known("IpPermissions.1.Groups.1.GroupId")).toBe(true);
    expect(known("TagSpecification.1.Tag.2.Value")).toBe(true);
  });

  it("accepts the documented UserIdGroupPairs alias (API-2 [CHOICE])", () => {
    expect(known("IpPermissions.1.UserIdGroupPairs.1.GroupId")).toBe(true);
    expect(known("IpPermissions.1.UserIdGroupPairs.1.Bogus")).toBe(false);
  });

  it("accepts Action, Version, DryRun and SigV4 query-auth parameters on every action", () => {
    for (const n of ["Action", "Version", "DryRun", "X-Amz-Signature", "x-amz-date"])
      expect(known(n)).toBe(true);
  });

  it("refuses unknown names, unknown members, bad indexes and over-deep or partial names", () => {
    expect(known("Bogus")).toBe(false);
    expect(known("IpPermissions.1.Bogus")).toBe(false);
    expect(known("IpPermissions.1.IpRanges.1.Bogus")).toBe(false);
    expect(known("IpPermissions.0.IpProtocol")).toBe(false);
    expect(known("IpPermissions.x.IpProtocol")).toBe(false);
    expect(known("IpPermissions.IpProtocol")).toBe(false);
    expect(known("GroupId.1")).toBe(false);
    expect(known("IpPermissions.1")).toBe(false);
    expect(known("groupid")).toBe(false);
    expect(known("")).toBe(false);
    expect(known("constructor")).toBe(false);
    expect(known("IpPermissions.1.__proto__")).toBe(false);
  });

  it("accepts a bare list name only with an empty value (an empty list as query serializers send it)", () => {
    expect(known("IpPermissions", "")).toBe(true);
    expect(known("IpPermissions", "x")).toBe(false);
  });
});

describe("checkParameters (ERR-36)", () => {
  it("names the first unknown parameter as sent", () => {
    const p = QueryParams.parse("Action=CreateVpc&CidrBlock=10.0.0.0/16&Foo.1.Bar=2");
    expect(() => checkParameters("CreateVpc", p)).toThrow(
      "The parameter Foo.1.Bar is not recognized",
    );
  });

  it("passes a request made only of defined parameters", () => {
    const p = QueryParams.parse(
      "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&InstanceTenancy=default" +
        "&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=k&DryRun=false",
    );
    expect(() => checkParameters("CreateVpc", p)).not.toThrow();
  });
});
