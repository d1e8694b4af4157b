// Helper for the compose stack (compose.yaml, docs/compose.md), run inside the vpcemu image:
//   node stack.mjs apply TOPOLOGY.yaml [--ids-dir DIR]   apply the file once, write DIR/<name> = instance id
//   node stack.mjs conntrack NAME|i-...|eni-... [--json]  the node's conntrack table (fresh report)
//   node stack.mjs public-ip NAME|i-...                   the instance's public IP (where the
//        internet node reaches it, through the internet gateway; exit 1 when it has none)
//   node stack.mjs rule authorize|revoke ingress|egress GROUP PROTO PORTS PEER
//        GROUP: group name or sg-id; PROTO: tcp|udp|icmp|-1; PORTS: 80 | 1024-65535 | -1;
//        PEER: a CIDR, a group name or sg-id
// Talks to the controller at $VPCEMU_ENDPOINT (default http://controller:4566) with the AWS SDK
// and the JSON API. `apply` reuses the cli's compiled topology parser and applier (dist/).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const endpoint = process.env.VPCEMU_ENDPOINT ?? "http://controller:4566";
const ec2 = new EC2Client({
  endpoint,
  region: process.env.AWS_REGION ?? "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});

async function waitForController(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(new URL("/v1/revision", endpoint));
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`controller at ${endpoint} did not answer`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function instancesByName() {
  const out = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }],
    }),
  );
  const byName = new Map();
  for (const r of out.Reservations ?? []) {
    for (const i of r.Instances ?? []) {
      const name = i.Tags?.find((t) => t.Key === "Name")?.Value;
      if (name) byName.set(name, i);
    }
  }
  return byName;
}

async function apply(file, idsDir) {
  await waitForController();
  const { parseTopology, formatIssue } = await import(
    pathToFileURL(join(root, "dist/cli/topology/topology.js")).href
  );
  const { applyTopology } = await import(
    pathToFileURL(join(root, "dist/cli/topology/apply-topology.js")).href
  );
  const topology = parseTopology(readFileSync(file, "utf8"), file);
  for (const w of topology.warnings ?? []) console.log(`stack: warning: ${formatIssue(w)}`);
  const vpcs = await ec2.send(
    new DescribeVpcsCommand({
      Filters: [{ Name: "tag:Name", Values: topology.vpcs.map((v) => v.name) }],
    }),
  );
  if ((vpcs.Vpcs ?? []).length > 0) {
    console.log(
      `stack: ${file} already applied (VPC ${vpcs.Vpcs[0].VpcId} exists); not re-applying`,
    );
  } else {
    const applied = await applyTopology(ec2, topology);
    console.log(`stack: applied ${file}: ${applied.instances.size} instances`);
  }
  const byName = await instancesByName();
  mkdirSync(idsDir, { recursive: true });
  for (const f of readdirSync(idsDir)) rmSync(join(idsDir, f), { force: true });
  for (const inst of topology.instances) {
    const found = byName.get(inst.name);
    if (!found) throw new Error(`instance '${inst.name}' not found after apply`);
    writeFileSync(join(idsDir, inst.name), `${found.InstanceId}\n`);
    const pub = found.PublicIpAddress ? `, public IP ${found.PublicIpAddress}` : "";
    console.log(`stack: ${inst.name} = ${found.InstanceId} (${found.PrivateIpAddress}${pub})`);
  }
}

async function resolveInstance(node) {
  if (node.startsWith("i-") || node.startsWith("eni-")) return node;
  const found = (await instancesByName()).get(node);
  if (!found) throw new Error(`no running instance named '${node}'`);
  return found.InstanceId;
}

async function conntrack(node, asJson) {
  const id = await resolveInstance(node);
  const key = id.startsWith("eni-") ? "eni" : "instance";
  const res = await fetch(new URL(`/v1/conntrack?${key}=${id}&refresh=1`, endpoint));
  const body = await res.json();
  if (!res.ok) throw new Error(`${body.code}: ${body.message}`);
  if (asJson) {
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  const proto = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6" };
  for (const eni of body.enis ?? []) {
    console.log(`# ${eni.instanceId} ${eni.eniId}: ${eni.entries.length} tracked flows`);
    for (const e of eni.entries) {
      const o = e.original;
      const r = e.reply;
      const ttl = Math.max(0, Math.round((e.expiresAtMs - Date.now()) / 1000));
      console.log(
        `${proto[e.protocol] ?? e.protocol} ${e.state} ${ttl}s src=${o.src} dst=${o.dst} sport=${o.srcPort} ` +
          `dport=${o.dstPort} packets=${e.packetsOriginal} bytes=${e.bytesOriginal} ` +
          `src=${r.src} dst=${r.dst} sport=${r.srcPort} dport=${r.dstPort} ` +
          `packets=${e.packetsReply} bytes=${e.bytesReply} rule=${e.ruleId || "-"}`,
      );
    }
  }
}

async function groupId(nameOrId) {
  if (nameOrId.startsWith("sg-")) return nameOrId;
  const out = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [nameOrId] }] }),
  );
  const g = out.SecurityGroups ?? [];
  if (g.length !== 1) throw new Error(`group name '${nameOrId}' matches ${g.length} groups`);
  return g[0].GroupId;
}

async function rule(verb, direction, group, proto, ports, peer) {
  const [from, to] = ports === "-1" ? [-1, -1] : ports.split("-").map(Number);
  const perm = { IpProtocol: proto, FromPort: from, ToPort: to ?? from };
  if (/^[0-9.]+\/\d+$/.test(peer)) perm.IpRanges = [{ CidrIp: peer }];
  else if (peer.includes(":")) perm.Ipv6Ranges = [{ CidrIpv6: peer }];
  else perm.UserIdGroupPairs = [{ GroupId: await groupId(peer) }];
  const input = { GroupId: await groupId(group), IpPermissions: [perm] };
  const Command = {
    "authorize ingress": AuthorizeSecurityGroupIngressCommand,
    "revoke ingress": RevokeSecurityGroupIngressCommand,
    "authorize egress": AuthorizeSecurityGroupEgressCommand,
    "revoke egress": RevokeSecurityGroupEgressCommand,
  }[`${verb} ${direction}`];
  if (!Command)
    throw new Error("usage: rule authorize|revoke ingress|egress GROUP PROTO PORTS PEER");
  await ec2.send(new Command(input));
  console.log(`stack: ${verb} ${direction} ${group} ${proto} ${ports} ${peer}: done`);
}

async function publicIp(node) {
  const byName = await instancesByName();
  const found = node.startsWith("i-")
    ? [...byName.values()].find((i) => i.InstanceId === node)
    : byName.get(node);
  if (!found) throw new Error(`no running instance named '${node}'`);
  if (!found.PublicIpAddress) throw new Error(`instance '${node}' has no public IP`);
  console.log(found.PublicIpAddress);
}

const [cmd, ...args] = process.argv.slice(2);
try {
  if (cmd === "apply" && args[0]) {
    const i = args.indexOf("--ids-dir");
    await apply(args[0], i >= 0 ? args[i + 1] : "/run/vpcemu-ids");
  } else if (cmd === "conntrack" && args[0]) {
    await conntrack(args[0], args.includes("--json"));
  } else if (cmd === "public-ip" && args[0]) {
    await publicIp(args[0]);
  } else if (cmd === "rule" && args.length === 6) {
    await rule(...args);
  } else {
    console.error(
      "usage: node stack.mjs apply FILE [--ids-dir DIR] | conntrack NODE [--json] | public-ip NODE |\n" +
        "       rule authorize|revoke ingress|egress GROUP PROTO PORTS PEER",
    );
    process.exit(2);
  }
} catch (err) {
  console.error(`stack: ${err.message ?? err}`);
  process.exit(1);
}
