/** `vpcemu whatif` argv -> the POST /v1/whatif body (cli/commands/whatif.ts). */
import { describe, expect, it } from "vitest";
import { parseWhatIfArgs, pascalOf } from "../../../cli/commands/whatif.js";

describe("vpcemu whatif arguments", () => {
  it("takes an aws CLI-style call: kebab names, JSON and shorthand values, --egress/--ingress", () => {
    expect(pascalOf("revoke-security-group-ingress")).toBe("RevokeSecurityGroupIngress");
    const c = parseWhatIfArgs([
      "--recent-seconds",
      "60",
      "ec2",
      "create-network-acl-entry",
      "--network-acl-id",
      "acl-1",
      "--rule-number",
      "10",
      "--ingress",
      "--port-range",
      "From=22,To=22",
      "--protocol",
      "6",
    ]);
    expect(c?.body).toEqual({
      action: "CreateNetworkAclEntry",
      parameters: {
        NetworkAclId: "acl-1",
        RuleNumber: "10",
        Egress: false,
        PortRange: { From: "22", To: "22" },
        Protocol: "6",
      },
      recentSeconds: 60,
    });
    const r = parseWhatIfArgs([
      "ec2",
      "revoke-security-group-ingress",
      "--group-id",
      "sg-1",
      "--ip-permissions",
      '[{"IpProtocol":"tcp","FromPort":80,"ToPort":80}]',
    ]);
    expect(r?.body).toEqual({
      action: "RevokeSecurityGroupIngress",
      parameters: {
        GroupId: "sg-1",
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80 }],
      },
    });
    expect(
      parseWhatIfArgs(["ec2", "modify-network-interface-attribute", "--groups", "sg-1", "sg-2"])
        ?.body,
    ).toMatchObject({ parameters: { Groups: ["sg-1", "sg-2"] } });
  });

  it("takes the Query form as it is", () => {
    expect(
      parseWhatIfArgs(["-o", "json", "Action=DeleteNetworkAclEntry&NetworkAclId=acl-1"]),
    ).toEqual({
      body: { query: "Action=DeleteNetworkAclEntry&NetworkAclId=acl-1" },
      output: "json",
    });
  });

  it("refuses what it cannot read", () => {
    expect(() => parseWhatIfArgs(["s3", "ls"])).toThrow(/expected 'ec2 ACTION/);
    expect(() =>
      parseWhatIfArgs(["ec2", "revoke-security-group-ingress", "--ip-permissions", "[{"]),
    ).toThrow(/not valid JSON/);
  });
});
