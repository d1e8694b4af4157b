/**
 * The network resources of a topology file: VPCs, subnets, prefix lists and instances (each
 * item's own fields; references between items are checked in check-references.ts).
 */
import { isIPv4 } from "node:net";
import { isMap, isScalar, type Node as YamlNode } from "yaml";
import { parseCidr } from "./cidr.js";
import type {
  TopologyInstance,
  TopologyPrefixList,
  TopologySubnet,
  TopologyVpc,
} from "./topology.js";
import type { MapView, Reader } from "./yaml-reader.js";

/** `vpcs:` items: a name and an IPv4 CIDR from /16 to /28. */
export function readVpcs(r: Reader, top: MapView): TopologyVpc[] {
  return top.list("vpcs", (item, path, at): TopologyVpc | undefined => {
    const m = r.map(item, path, ["name", "cidr"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const cidrText = m.string("cidr", true);
    const cidr = cidrText === undefined ? undefined : parseCidr(cidrText);
    if (
      cidrText !== undefined &&
      (!cidr || cidr.family !== 4 || cidr.prefix < 16 || cidr.prefix > 28)
    ) {
      r.issue(m.fieldAt("cidr"), `expected an IPv4 CIDR from /16 to /28, got '${cidrText}'`);
      return undefined;
    }
    return name && cidr ? { name, cidr: cidr.network, at: m.at } : undefined;
  });
}

/** `subnets:` items: a name, its VPC, an IPv4 CIDR from /16 to /28, an optional AZ. */
export function readSubnets(r: Reader, top: MapView): TopologySubnet[] {
  return top.list("subnets", (item, path, at): TopologySubnet | undefined => {
    const m = r.map(item, path, ["name", "vpc", "cidr", "availabilityZone"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const vpc = m.string("vpc", true);
    const cidrText = m.string("cidr", true);
    const az = m.string("availabilityZone");
    const cidr = cidrText === undefined ? undefined : parseCidr(cidrText);
    if (
      cidrText !== undefined &&
      (!cidr || cidr.family !== 4 || cidr.prefix < 16 || cidr.prefix > 28)
    ) {
      r.issue(m.fieldAt("cidr"), `expected an IPv4 CIDR from /16 to /28, got '${cidrText}'`);
      return undefined;
    }
    if (!name || !vpc || !cidr) return undefined;
    return {
      name,
      vpc,
      cidr: cidr.network,
      ...(az !== undefined ? { availabilityZone: az } : {}),
      at: m.at,
    };
  });
}

/** `prefixLists:` items: entries of one address family, within maxEntries. */
export function readPrefixLists(r: Reader, top: MapView): TopologyPrefixList[] {
  return top.list("prefixLists", (item, path, at): TopologyPrefixList | undefined => {
    const m = r.map(item, path, ["name", "addressFamily", "maxEntries", "entries"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const entries = m.list("entries", (e, epath, eat) => {
      let text: string | undefined;
      let description: string | undefined;
      if (isScalar(e) && typeof e.value === "string") {
        text = e.value;
      } else {
        const em = r.map(e, epath, ["cidr", "description"], eat);
        text = em?.string("cidr", true);
        description = em?.string("description");
      }
      const cidr = text === undefined ? undefined : parseCidr(text);
      if (text !== undefined && !cidr) r.issue({ ...eat, path: epath }, `malformed CIDR '${text}'`);
      return cidr ? { cidr, description } : undefined;
    });
    const familyText = m.string("addressFamily");
    if (familyText !== undefined && familyText !== "IPv4" && familyText !== "IPv6") {
      r.issue(m.fieldAt("addressFamily"), `expected 'IPv4' or 'IPv6', got '${familyText}'`);
    }
    const family: 4 | 6 =
      familyText === "IPv6" ? 6 : familyText === "IPv4" ? 4 : (entries[0]?.cidr.family ?? 4);
    entries.forEach((e, i) => {
      if (e.cidr.family !== family) {
        r.issue(
          { ...m.fieldAt("entries"), path: `${m.fieldPath("entries")}[${i}]` },
          `IPv${e.cidr.family} entry in an IPv${family} prefix list`,
        );
      }
    });
    const maxEntries = m.int("maxEntries", 1, 1000) ?? Math.max(entries.length, 1);
    if (maxEntries < entries.length) {
      r.issue(m.fieldAt("maxEntries"), `smaller than the ${entries.length} entries given`);
    }
    if (!name) return undefined;
    return {
      name,
      addressFamily: family === 6 ? ("IPv6" as const) : ("IPv4" as const),
      maxEntries,
      entries: entries.map((e) => ({
        cidr: e.cidr.network,
        ...(e.description ? { description: e.description } : {}),
      })),
      at: m.at,
    };
  });
}

/** `instances:` items: subnet, groups, addresses (private, `publicIp`), conntrack timeouts, tags. */
export function readInstances(r: Reader, top: MapView): TopologyInstance[] {
  return top.list("instances", (item, path, at): TopologyInstance | undefined => {
    const m = r.map(
      item,
      path,
      ["name", "subnet", "securityGroups", "privateIp", "publicIp", "conntrack", "tags"],
      at,
    );
    if (!m) return undefined;
    const name = m.string("name", true);
    const subnet = m.string("subnet", true);
    const groups = m.strings("securityGroups");
    const privateIp = m.string("privateIp");
    const publicIp = m.bool("publicIp");
    if (privateIp !== undefined && !isIPv4(privateIp)) {
      r.issue(m.fieldAt("privateIp"), `expected an IPv4 address, got '${privateIp}'`);
    }
    let conntrack: TopologyInstance["conntrack"];
    if (m.has("conntrack")) {
      const c = r.map(
        m.node_("conntrack"),
        m.fieldPath("conntrack"),
        ["tcpEstablishedTimeout", "udpTimeout", "udpStreamTimeout"],
        m.at,
      );
      if (c) {
        // AWS-BEHAVIOUR TO-1 ranges.
        const tcp = c.int("tcpEstablishedTimeout", 60, 432_000);
        const udp = c.int("udpTimeout", 30, 60);
        const stream = c.int("udpStreamTimeout", 60, 180);
        conntrack = {
          ...(tcp !== undefined ? { tcpEstablishedTimeout: tcp } : {}),
          ...(udp !== undefined ? { udpTimeout: udp } : {}),
          ...(stream !== undefined ? { udpStreamTimeout: stream } : {}),
        };
      }
    }
    let tags: Record<string, string> | undefined;
    if (m.has("tags")) {
      const node = m.node_("tags");
      if (!isMap(node)) {
        r.issue(m.fieldAt("tags"), "expected a mapping of tag keys to values");
      } else {
        // Why null prototype: `__proto__` is a valid tag key; on a plain object it would vanish.
        tags = Object.create(null) as Record<string, string>;
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : "";
          const value = isScalar(pair.value) ? pair.value.value : undefined;
          if (key === "Name") {
            r.issue(
              r.at(pair.key as YamlNode, `${m.fieldPath("tags")}.Name`),
              "the Name tag comes from `name`",
            );
          } else if (
            typeof value === "string" ||
            typeof value === "number" ||
            typeof value === "boolean"
          ) {
            tags[key] = String(value);
          } else {
            r.issue(
              r.at(pair.key as YamlNode, `${m.fieldPath("tags")}.${key}`),
              "expected a string value",
            );
          }
        }
      }
    }
    if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/.test(name)) {
      r.issue(
        m.fieldAt("name"),
        `'${name}' is not a usable node name (letters, digits, '.', '_', '-'; at most 41)`,
      );
      return undefined;
    }
    if (name === "internet") {
      r.issue(
        m.fieldAt("name"),
        "'internet' is the name of the runtime's internet node: pick another name",
      );
      return undefined;
    }
    if (!name || !subnet) return undefined;
    return {
      name,
      subnet,
      securityGroups: groups,
      ...(privateIp !== undefined && isIPv4(privateIp) ? { privateIp } : {}),
      ...(conntrack ? { conntrack } : {}),
      ...(tags ? { tags } : {}),
      ...(publicIp === true ? { publicIp } : {}),
      at: m.at,
    };
  });
}
