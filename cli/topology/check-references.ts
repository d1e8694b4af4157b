/**
 * Cross-item checks of a topology: names are unique and resolve, CIDRs nest and do not overlap,
 * groups and subnets belong to the right VPC, addresses fit their subnet. AWS-level rules the API
 * enforces anyway (quotas) are reported by apply-topology.ts.
 */
import { cidrContains, ipv4ToNumber, parseCidr, type Cidr } from "./cidr.js";
import type {
  Topology,
  TopologyInstance,
  TopologyNetworkAcl,
  TopologySecurityGroup,
  TopologySgRule,
  TopologySubnet,
} from "./topology.js";
import { field, type Reader, type SourceLocation } from "./yaml-reader.js";

/** Reports every item whose name (`key`) an earlier item has; the first of each name, by key. */
export function duplicates<T extends { name: string; at: SourceLocation }>(
  r: Reader,
  items: readonly T[],
  kind: string,
  key: (t: T) => string = (t) => t.name,
): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    const first = byName.get(k);
    if (first) {
      r.issue(
        {
          file: item.at.file,
          line: item.at.fields?.name ?? item.at.line,
          path: `${item.at.path}.name`,
        },
        `duplicate ${kind} name '${item.name}' (first at line ${first.at.line})`,
      );
    } else {
      byName.set(k, item);
    }
  }
  return byName;
}

/** Cross-item checks: names resolve, addresses fit, groups belong to the right VPC. */
export function checkReferences(r: Reader, t: Topology): void {
  const vpcs = duplicates(r, t.vpcs, "VPC");
  const subnets = duplicates(r, t.subnets, "subnet");
  const prefixLists = duplicates(r, t.prefixLists, "prefix list");
  // RULE-13: SG names are unique per VPC, case-insensitively.
  const groupsByKey = duplicates(
    r,
    t.securityGroups,
    "security group",
    (g) => `${g.vpc}\u0000${g.name.toLowerCase()}`,
  );
  duplicates(r, t.networkAcls, "network ACL");
  duplicates(r, t.instances, "instance");
  const groupIn = (vpc: string, name: string) =>
    groupsByKey.get(`${vpc}\u0000${name.toLowerCase()}`);

  const subnetCidrs: { subnet: TopologySubnet; cidr: Cidr }[] = [];
  for (const s of t.subnets) {
    const vpc = vpcs.get(s.vpc);
    if (!vpc) {
      r.issue(field(s.at, "vpc"), `unknown VPC '${s.vpc}'`);
      continue;
    }
    const cidr = parseCidr(s.cidr);
    const vpcCidr = parseCidr(vpc.cidr);
    if (cidr && vpcCidr && (cidr.first! < vpcCidr.first! || cidr.last! > vpcCidr.last!)) {
      r.issue(field(s.at, "cidr"), `${s.cidr} is not inside VPC '${vpc.name}' (${vpc.cidr})`);
    }
    for (const other of subnetCidrs) {
      if (
        cidr &&
        other.subnet.vpc === s.vpc &&
        cidr.first! <= other.cidr.last! &&
        other.cidr.first! <= cidr.last!
      ) {
        r.issue(
          field(s.at, "cidr"),
          `${s.cidr} overlaps subnet '${other.subnet.name}' (${other.subnet.cidr})`,
        );
      }
    }
    if (cidr) subnetCidrs.push({ subnet: s, cidr });
  }

  const checkRules = (g: TopologySecurityGroup, rules: readonly TopologySgRule[]) => {
    for (const rule of rules) {
      if (
        rule.peer.kind === "sg" &&
        rule.peer.group !== "default" &&
        !groupIn(g.vpc, rule.peer.group)
      ) {
        r.issue(
          field(rule.at, "sg"),
          `unknown security group '${rule.peer.group}' in VPC '${g.vpc}'`,
        );
      }
      if (rule.peer.kind === "prefix-list" && !prefixLists.has(rule.peer.prefixList)) {
        r.issue(field(rule.at, "prefixList"), `unknown prefix list '${rule.peer.prefixList}'`);
      }
    }
  };
  for (const g of t.securityGroups) {
    if (!vpcs.has(g.vpc)) r.issue(field(g.at, "vpc"), `unknown VPC '${g.vpc}'`);
    checkRules(g, g.ingress);
    checkRules(g, g.egress ?? []);
  }

  const naclOf = new Map<string, TopologyNetworkAcl>();
  for (const acl of t.networkAcls) {
    if (!vpcs.has(acl.vpc)) r.issue(field(acl.at, "vpc"), `unknown VPC '${acl.vpc}'`);
    acl.subnets.forEach((name, i) => {
      const at = { ...field(acl.at, "subnets"), path: `${acl.at.path}.subnets[${i}]` };
      const s = subnets.get(name);
      if (!s) r.issue(at, `unknown subnet '${name}'`);
      else if (s.vpc !== acl.vpc)
        r.issue(at, `subnet '${name}' is in VPC '${s.vpc}', not '${acl.vpc}'`);
      else if (naclOf.has(name))
        r.issue(
          at,
          `subnet '${name}' is already associated with network ACL '${naclOf.get(name)!.name}' (NACL-1: one per subnet)`,
        );
      else naclOf.set(name, acl);
    });
  }

  const usedIps = new Map<string, TopologyInstance>();
  for (const inst of t.instances) {
    const s = subnets.get(inst.subnet);
    if (!s) {
      r.issue(field(inst.at, "subnet"), `unknown subnet '${inst.subnet}'`);
      continue;
    }
    inst.securityGroups.forEach((name, i) => {
      if (name !== "default" && !groupIn(s.vpc, name)) {
        const other = t.securityGroups.find((g) => g.name.toLowerCase() === name.toLowerCase());
        r.issue(
          { ...field(inst.at, "securityGroups"), path: `${inst.at.path}.securityGroups[${i}]` },
          other
            ? `security group '${name}' is in VPC '${other.vpc}', subnet '${s.name}' in VPC '${s.vpc}'`
            : `unknown security group '${name}'`,
        );
      }
    });
    if (inst.securityGroups.length > 5) {
      r.issue(
        field(inst.at, "securityGroups"),
        `${inst.securityGroups.length} groups; at most 5 per network interface (Q-3)`,
      );
    }
    if (inst.privateIp !== undefined) {
      const cidr = parseCidr(s.cidr);
      if (cidr && !cidrContains(cidr, inst.privateIp)) {
        r.issue(
          field(inst.at, "privateIp"),
          `${inst.privateIp} is not inside subnet '${s.name}' (${s.cidr})`,
        );
      } else if (cidr) {
        const n = ipv4ToNumber(inst.privateIp);
        // AWS reserves the first four and the last address of every subnet (API-12).
        if (n - cidr.first! < 4 || n === cidr.last) {
          r.issue(
            field(inst.at, "privateIp"),
            `${inst.privateIp} is reserved in subnet '${s.name}' (first four and last addresses)`,
          );
        }
      }
      const other = usedIps.get(inst.privateIp);
      if (other)
        r.issue(
          field(inst.at, "privateIp"),
          `${inst.privateIp} is already used by instance '${other.name}'`,
        );
      usedIps.set(inst.privateIp, inst);
    }
  }
}
