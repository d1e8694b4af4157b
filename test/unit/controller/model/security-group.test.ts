import { describe, expect, it } from "vitest";
import { sanitizeIpv4Cidr, sanitizeIpv6Cidr } from "../../../../controller/model/cidr.js";
import {
  protocolName,
  sanitizeDescription,
  sanitizeGroupName,
  sanitizePermission,
  sanitizeSgPorts,
  sanitizeSgProtocol,
} from "../../../../controller/model/security-group.js";

describe("CIDR sanitizing (RULE-8, ERR-17)", () => {
  it.each([
    ["100.68.0.18/18", "100.68.0.0/18"],
    ["10.0.0.5/24", "10.0.0.0/24"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["203.0.113.1/32", "203.0.113.1/32"],
  ])("canonicalises %s to %s", (input, out) => {
    expect(sanitizeIpv4Cidr(input).cidr).toBe(out);
  });

  it.each(["10.0.0/8", "10.0.0.0/33", "300.0.0.0/8", "::/0", "10.0.0.0", ""])(
    "rejects IPv4 %j naming it",
    (bad) => {
      expect(() => sanitizeIpv4Cidr(bad)).toThrow(`CIDR block ${bad} is malformed`);
    },
  );

  it("canonicalises IPv6 in compressed form", () => {
    expect(sanitizeIpv6Cidr("2001:db8::5/32").cidr).toBe("2001:db8::/32");
    expect(sanitizeIpv6Cidr("::/0").cidr).toBe("::/0");
    expect(() => sanitizeIpv6Cidr("2001:db8::/129")).toThrow(
      "CIDR block 2001:db8::/129 is malformed",
    );
  });
});

describe("SG rule sanitizing (RULE-4..RULE-6, RULE-10, RULE-13)", () => {
  it.each([
    ["tcp", "6"],
    ["TCP", "6"],
    ["6", "6"],
    ["udp", "17"],
    ["icmp", "1"],
    ["icmpv6", "58"],
    ["-1", "-1"],
    ["47", "47"],
  ])("stores protocol %s as %s", (p, stored) => {
    expect(sanitizeSgProtocol(p)).toBe(stored);
  });

  it("names stored protocols tcp/udp/icmp/icmpv6, others by number", () => {
    expect(["6", "17", "1", "58", "47", "-1"].map(protocolName)).toEqual([
      "tcp",
      "udp",
      "icmp",
      "icmpv6",
      "47",
      "-1",
    ]);
  });

  it("rejects 'all' and 256 (ERR-22)", () => {
    expect(() => sanitizeSgProtocol("all")).toThrow(
      "Invalid value 'all' for IP protocol. Unknown protocol.",
    );
    expect(() => sanitizeSgProtocol("256")).toThrow("Invalid value '256' for IP protocol.");
  });

  it("ignores ports for -1 and other protocols (RULE-5)", () => {
    expect(sanitizeSgPorts("-1", "22", "22")).toEqual({ fromPort: -1, toPort: -1 });
    expect(sanitizeSgPorts("47", undefined, undefined)).toEqual({ fromPort: -1, toPort: -1 });
  });

  it("keeps icmp type/code and defaults icmpv6 to all (RULE-6)", () => {
    expect(sanitizeSgPorts("1", "8", "-1")).toEqual({ fromPort: 8, toPort: -1 });
    expect(sanitizeSgPorts("58", undefined, undefined)).toEqual({ fromPort: -1, toPort: -1 });
    expect(() => sanitizeSgPorts("1", undefined, undefined)).toThrow(
      "Must specify both from and to ports with ICMP.",
    );
  });

  it("turns one permission with N peers into N specs (RULE-11)", () => {
    const specs = sanitizePermission({
      ipProtocol: "tcp",
      fromPort: "80",
      toPort: "80",
      ipRanges: [{ cidrIp: "10.0.0.1/8" }],
      ipv6Ranges: [{ cidrIpv6: "::/0" }],
      prefixListIds: [{ prefixListId: "pl-1" }],
      groups: [{ groupId: "sg-1" }, { groupName: "web" }],
    });
    expect(specs.map((s) => s.peer)).toEqual([
      { kind: "cidr4", cidr: "10.0.0.0/8" },
      { kind: "cidr6", cidr: "::/0" },
      { kind: "prefix-list", prefixListId: "pl-1" },
      { kind: "group", groupId: "sg-1" },
      { kind: "group-name", groupName: "web" },
    ]);
  });

  it("checks descriptions and group names", () => {
    expect(sanitizeDescription("ok: (web) #1 [a]+b=c&d;e{f}!$*@,/.")).toBeDefined();
    expect(() => sanitizeDescription("x".repeat(256))).toThrow();
    expect(() => sanitizeDescription("naïve")).toThrow("naïve");
    expect(() => sanitizeGroupName("Default")).toThrow("The name 'default' is reserved");
    expect(() => sanitizeGroupName("sg-web")).toThrow(
      "Value (sg-web) for parameter GroupName is invalid.",
    );
  });
});
