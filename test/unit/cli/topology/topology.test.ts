import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  normaliseProtocol,
  parseCidr,
  parseTopology,
  TopologyError,
} from "../../../../cli/topology/topology.js";

const BASE = `vpcs:
  - name: main
    cidr: 10.0.0.0/16
subnets:
  - name: public
    vpc: main
    cidr: 10.0.1.0/24
securityGroups:
  - name: web-sg
    vpc: main
    ingress:
      - { protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }
`;

/** Parses `text` expecting failure; returns the formatted issue lines. */
function issuesOf(text: string, file = "topology.yaml"): string[] {
  try {
    parseTopology(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return (err as Error).message.split("\n");
  }
  throw new Error("expected a TopologyError");
}

describe("parseTopology", () => {
  it("reads the seed scenario examples/two-tier.yaml", () => {
    const t = parseTopology(readFileSync("examples/two-tier.yaml", "utf8"), "two-tier.yaml");
    expect(t.vpcs.map((v) => v.cidr)).toEqual(["10.0.0.0/16"]);
    expect(t.subnets.map((s) => s.name)).toEqual(["public", "private"]);
    expect(t.instances.map((i) => [i.name, i.subnet, i.privateIp])).toEqual([
      ["web", "public", "10.0.1.10"],
      ["db", "private", "10.0.2.20"],
    ]);
    const web = t.securityGroups.find((g) => g.name === "web-sg")!;
    expect(web.egress).toBeUndefined(); // DEF-2 default egress kept
    expect(web.ingress.map((r) => [r.protocol, r.fromPort, r.toPort, r.peer.kind])).toEqual([
      ["6", 80, 80, "cidr"],
      ["6", 443, 443, "cidr"],
      ["6", 22, 22, "prefix-list"],
      ["1", 8, -1, "cidr"],
    ]);
    const db = t.securityGroups.find((g) => g.name === "db-sg")!;
    expect(db.ingress[0]?.peer).toEqual({ kind: "sg", group: "web-sg" });
    expect(t.networkAcls[0]?.subnets).toEqual(["private"]);
    expect(t.prefixLists[0]).toMatchObject({ addressFamily: "IPv4", maxEntries: 5 });
  });

  it("names file, line and field of an unknown reference", () => {
    const text = `${BASE}instances:
  - name: web
    subnet: public
  - name: db
    subnet: db
`;
    expect(issuesOf(text)).toEqual(["topology.yaml:17: instances[1].subnet: unknown subnet 'db'"]);
  });

  it("reports every problem, sorted by line", () => {
    const text = `vpcs:
  - name: main
    cidr: 10.0.0.0/8
subnets:
  - name: a
    vpc: nope
    cidr: 10.0.1.0/24
    colour: blue
`;
    expect(issuesOf(text)).toEqual([
      "topology.yaml:3: vpcs[0].cidr: expected an IPv4 CIDR from /16 to /28, got '10.0.0.0/8'",
      "topology.yaml:6: subnets[0].vpc: unknown VPC 'nope'",
      "topology.yaml:8: subnets[0].colour: unknown field (expected one of: name, vpc, cidr, availabilityZone)",
    ]);
  });

  it.each([
    ["{ protocol: tcp, cidr: 0.0.0.0/0 }", "ports: required for tcp and udp"],
    ["{ protocol: all, ports: 80, cidr: 0.0.0.0/0 }", "protocol: unknown protocol 'all'"], // RULE-4
    ["{ protocol: tcp, ports: 90-80, cidr: 0.0.0.0/0 }", "ports: expected a port or a range"],
    ["{ protocol: tcp, ports: 70000, cidr: 0.0.0.0/0 }", "ports: expected a port or a range"],
    ["{ protocol: tcp, ports: 80 }", "exactly one peer is needed"], // RULE-7
    ["{ protocol: tcp, ports: 80, cidr: 0.0.0.0/0, sg: web-sg }", "exactly one peer is needed"],
    ["{ protocol: tcp, ports: 80, cidr: 10.0.0.300/8 }", "cidr: malformed CIDR '10.0.0.300/8'"],
    ["{ protocol: tcp, ports: 80, sg: nope }", "sg: unknown security group 'nope' in VPC 'main'"],
    ["{ protocol: tcp, ports: 80, prefixList: pl }", "prefixList: unknown prefix list 'pl'"],
    ["{ protocol: icmp, icmpCode: 3, cidr: 0.0.0.0/0 }", "icmpCode needs an icmpType"], // RULE-6
    ["{ protocol: -1, ports: 22, cidr: 0.0.0.0/0 }", "only tcp and udp rules take ports"],
  ])("rejects the rule %s", (rule, message) => {
    const text = `${BASE}      - ${rule}\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^topology\.yaml:13: securityGroups\[0\]\.ingress\[1\]/);
    expect(issues[0]).toContain(message);
  });

  it("canonicalises rule CIDRs (RULE-8) and protocol names (RULE-4)", () => {
    const t = parseTopology(
      `${BASE}      - { protocol: 17, ports: 1024-65535, cidr: 10.0.1.77/24 }\n      - { protocol: icmpv6, cidr: "2001:db8::/32" }\n`,
      "t.yaml",
    );
    const rules = t.securityGroups[0]!.ingress;
    expect(rules[1]).toMatchObject({
      protocol: "17",
      fromPort: 1024,
      toPort: 65535,
      peer: { cidr: "10.0.1.0/24" },
    });
    expect(rules[2]).toMatchObject({
      protocol: "58",
      fromPort: -1,
      toPort: -1,
      peer: { cidr: "2001:db8::/32" },
    });
  });

  it("keeps an explicit empty egress list (replaces the default egress rule)", () => {
    const t = parseTopology(BASE.replace("    ingress:", "    egress: []\n    ingress:"), "t.yaml");
    expect(t.securityGroups[0]!.egress).toEqual([]);
  });

  it.each([
    ["privateIp: 10.0.2.5", "privateIp: 10.0.2.5 is not inside subnet 'public' (10.0.1.0/24)"],
    ["privateIp: 10.0.1.2", "privateIp: 10.0.1.2 is reserved in subnet 'public'"],
    ["privateIp: 10.0.1.255", "privateIp: 10.0.1.255 is reserved in subnet 'public'"],
    ["privateIp: hello", "privateIp: expected an IPv4 address, got 'hello'"],
    ["securityGroups: [db-sg]", "securityGroups[0]: unknown security group 'db-sg'"],
    [
      "conntrack: { udpTimeout: 10 }",
      "conntrack.udpTimeout: expected an integer in 30..60, got '10'",
    ], // TO-1
  ])("rejects an instance with %s", (extra, message) => {
    const text = `${BASE}instances:\n  - name: web\n    subnet: public\n    ${extra}\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.startsWith(`topology.yaml:16: instances[0].${message}`)).toBe(true);
  });

  it("rejects duplicate names, reserved names and two instances on one address", () => {
    const text = `${BASE}  - name: Web-SG
    vpc: main
  - name: default
    vpc: main
instances:
  - name: a
    subnet: public
    privateIp: 10.0.1.10
  - name: a
    subnet: public
    privateIp: 10.0.1.10
  - name: internet
    subnet: public
`;
    const issues = issuesOf(text);
    expect(issues).toEqual([
      "topology.yaml:13: securityGroups[1].name: duplicate security group name 'Web-SG' (first at line 9)", // RULE-13
      "topology.yaml:15: securityGroups[2].name: 'default' is reserved (RULE-13): pick another name",
      "topology.yaml:21: instances[1].name: duplicate instance name 'a' (first at line 18)",
      "topology.yaml:23: instances[1].privateIp: 10.0.1.10 is already used by instance 'a'",
      "topology.yaml:24: instances[2].name: 'internet' is the name of the runtime's internet node: pick another name",
    ]);
  });

  it("validates network ACL entries and associations (NACL-1, NACL-3, NACL-6)", () => {
    const text = `${BASE}networkAcls:
  - name: a
    vpc: main
    subnets: [public]
    ingress:
      - { rule: 100, action: allow, protocol: tcp, cidr: 0.0.0.0/0 }
      - { rule: 40000, action: allow, protocol: -1, cidr: 0.0.0.0/0 }
      - { rule: 110, action: permit, protocol: -1, cidr: 0.0.0.0/0 }
  - name: b
    vpc: main
    subnets: [public, nowhere]
`;
    expect(issuesOf(text)).toEqual([
      "topology.yaml:18: networkAcls[0].ingress[0].ports: required for tcp and udp (NACL-6)",
      "topology.yaml:19: networkAcls[0].ingress[1].rule: expected an integer in 1..32766, got '40000'",
      "topology.yaml:20: networkAcls[0].ingress[2].action: expected 'allow' or 'deny', got 'permit'",
      "topology.yaml:23: networkAcls[1].subnets[0]: subnet 'public' is already associated with network ACL 'a' (NACL-1: one per subnet)",
      "topology.yaml:23: networkAcls[1].subnets[1]: unknown subnet 'nowhere'",
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const issues = issuesOf("vpcs:\n  - name: a\n   cidr: [\n");
    expect(issues[0]).toMatch(/^topology\.yaml:\d+: /);
  });

  it("rejects subnets outside their VPC or overlapping each other", () => {
    const text = BASE.replace(
      "securityGroups:",
      "  - name: b\n    vpc: main\n    cidr: 10.0.1.128/25\n  - name: c\n    vpc: main\n    cidr: 10.1.0.0/24\nsecurityGroups:",
    );
    expect(issuesOf(text)).toEqual([
      "topology.yaml:10: subnets[1].cidr: 10.0.1.128/25 overlaps subnet 'public' (10.0.1.0/24)",
      "topology.yaml:13: subnets[2].cidr: 10.1.0.0/24 is not inside VPC 'main' (10.0.0.0/16)",
    ]);
  });
});

describe("normaliseProtocol", () => {
  it.each([
    ["tcp", "6"],
    ["UDP", "17"],
    ["icmp", "1"],
    ["icmpv6", "58"],
    ["-1", "-1"],
    ["47", "47"],
    ["all", undefined],
    ["256", undefined],
  ])("%s -> %s", (input, expected) => {
    expect(normaliseProtocol(input)).toBe(expected);
  });
});

describe("parseCidr", () => {
  it("clears host bits (RULE-8)", () => {
    expect(parseCidr("100.68.0.18/18")?.network).toBe("100.68.0.0/18");
  });
  it("rejects malformed input", () => {
    expect(parseCidr("10.0.0.0")).toBeUndefined();
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("::/129")).toBeUndefined();
  });
});

describe("instance tags", () => {
  it("reads extra tags and refuses a Name tag", () => {
    const base = `${BASE}instances:\n  - name: web\n    subnet: public\n    tags:\n`;
    const t = parseTopology(`${base}      "vpcemu:conntrack-max": 2\n`, "t.yaml");
    expect(t.instances[0]!.tags).toEqual({ "vpcemu:conntrack-max": "2" });
    expect(issuesOf(`${base}      Name: x\n`)).toEqual([
      "topology.yaml:17: instances[0].tags.Name: the Name tag comes from `name`",
    ]);
  });
});
