import { describe, expect, it } from "vitest";
import { QueryParams } from "../../../../controller/ec2/query.js";

describe("QueryParams (AWS-BEHAVIOUR API-2)", () => {
  const body =
    "Action=AuthorizeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1" +
    "&IpPermissions.2.IpProtocol=udp&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80" +
    "&IpPermissions.1.IpRanges.10.CidrIp=10.0.0.0%2F8&IpPermissions.1.IpRanges.2.CidrIp=0.0.0.0%2F0" +
    "&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-a&Filter.1.Value.2=vpc-b&DryRun=true";
  const p = QueryParams.parse(body);

  it("reads scalars, booleans and required params", () => {
    expect(p.str("Action")).toBe("AuthorizeSecurityGroupIngress");
    expect(p.bool("DryRun")).toBe(true);
    expect(() => p.req("VpcId")).toThrow("The request must contain the parameter VpcId");
  });

  it("unflattens 1-based lists in numeric index order", () => {
    const perms = p.members("IpPermissions");
    expect(perms.map((m) => m.str("IpProtocol"))).toEqual(["tcp", "udp"]);
    expect(perms[0]?.members("IpRanges").map((r) => r.str("CidrIp"))).toEqual([
      "0.0.0.0/0",
      "10.0.0.0/8",
    ]);
    expect(p.members("Filter")[0]?.list("Value")).toEqual(["vpc-a", "vpc-b"]);
  });

  it("rejects a non-boolean and a non-integer naming the value", () => {
    const bad = QueryParams.parse("DryRun=yes&MaxResults=ten");
    expect(() => bad.bool("DryRun")).toThrow("Invalid value 'yes' for DryRun.");
    expect(() => bad.int("MaxResults")).toThrow("Invalid value 'ten' for MaxResults.");
  });

  it("lets body parameters win over the query string when merged", () => {
    const merged = QueryParams.parse("Action=A&X=1").merge(QueryParams.parse("X=2"));
    expect(merged.str("X")).toBe("2");
    expect(merged.str("Action")).toBe("A");
  });
});
