/**
 * Scale (issue 15 item 4): many nodes on one machine, and one rule change reaching all of them.
 *
 * Part 1, the local runtime (root, real namespaces, TUNs and agents): `vpcemu up`'s LocalRuntime
 * with the generated topology (cli/topology/scale-topology.ts: --nodes instances, 10 subnets,
 * 5 security groups in a ring of references) and its agents in --agent-processes host processes.
 * Prints nodes up, time to up (start() returns once every node's TUN carries its address and
 * every agent enforces the revision), RSS in total and per node (controller + agent processes,
 * /proc/PID/status VmRSS; the bench process itself, which stands where `vpcemu up` would, is
 * printed apart), the compile and propagation of one rule change reaching every ENI (an entry
 * added to / removed from the VPC's default network ACL, which all subnets use; per ENI: the
 * controller's lastAckMs of its agent minus the moment the API call was sent, GET /v1/revision),
 * and a sampled all-pairs reachability check: ping between node namespaces, each pair expected
 * to answer exactly when the destination's group admits the source's (allowedBetween).
 *
 * Part 2, the controller alone at --controller-enis ENIs (default 1,000): in-process agents
 * (ControllerClient, as bench/propagation.bench.ts) hosting one instance each; the same rule
 * change; compile and per-ENI propagation.
 *
 *   npm run bench:scale                                   # 250 nodes, then 1,000 ENIs
 *   npm run bench:scale -- --nodes 40 --rounds 3          # smaller, to iterate
 *   npm run bench:scale -- --skip-runtime                 # part 2 only (no root needed)
 *
 * Goals (printed with ratios, never asserted): 250 nodes up <= 60 s, <= 8 GB RSS in total, one
 * rule change enforced on all 250 ENIs p99 <= 50 ms. Packets go only to the bench's own
 * namespaces (vpcemu-b<pid>-*); the controller listens on loopback.
 */
import {
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Controller } from "../controller/app.js";
import { ControllerClient } from "../node-agent/control/controller-client.js";
import {
  LocalRuntime,
  parseAgentProcesses,
  type StartedLocalRuntime,
} from "../cli/runtime/local-runtime.js";
import { runInNamespace } from "../cli/runtime/netns.js";
import {
  allowedBetween,
  scaleInstances,
  scaleTopologyYaml,
  type ScaleInstance,
} from "../cli/topology/scale-topology.js";

const { values: args } = parseArgs({
  options: {
    nodes: { type: "string", default: "250" },
    "agent-processes": { type: "string", default: String(availableParallelism()) },
    rounds: { type: "string", default: "5" },
    pairs: { type: "string", default: "200" },
    "controller-enis": { type: "string", default: "1000" },
    "skip-runtime": { type: "boolean", default: false },
    "skip-controller": { type: "boolean", default: false },
  },
});
const NODES = Number(args.nodes);
/** 0: one agent process per node (`--agent-processes per-node`). */
const AGENT_PROCESSES = parseAgentProcesses(args["agent-processes"]!);
const ROUNDS = Number(args.rounds);
const PAIRS = Number(args.pairs);
const CONTROLLER_ENIS = Number(args["controller-enis"]);
const GROUPS = 5;

const GOAL_UP_MS = 60_000;
const GOAL_RSS_BYTES = 8 * 1024 ** 3;
const GOAL_P99_MS = 50;

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

function ratio(value: number, goal: number, unit: string, lowerIsBetter = true): string {
  const met = lowerIsBetter ? value <= goal : value >= goal;
  return `goal ${goal}${unit}: ${(value / goal).toFixed(2)}x of the goal, ${met ? "met" : "NOT met"}`;
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process used so far, ms (/proc/PID/stat, 100 ticks/s). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

const mb = (b: number): string => `${(b / 1024 ** 2).toFixed(0)} MB`;

interface RevisionView {
  readonly revision: number;
  readonly compiledRevision: number;
  readonly enforced: boolean;
  readonly lastCompile?: {
    readonly revision: number;
    readonly startedAtMs: number;
    readonly compileMs: number;
    readonly atMs: number;
    readonly pushed: number;
  };
  readonly agents: readonly {
    readonly agentId: string;
    readonly enforcedRevision: number;
    readonly upToDate: boolean;
    readonly lastAckMs: number | null;
  }[];
}

async function getRevision(baseUrl: string): Promise<RevisionView> {
  const res = await fetch(`${baseUrl}/v1/revision`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /v1/revision: ${res.status}`);
  return (await res.json()) as RevisionView;
}

function ec2Client(endpoint: string): EC2Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new EC2Client({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    maxAttempts: 1,
  });
}

interface RoundFigures {
  readonly compileMs: number | undefined;
  /** API send -> each reached agent's ack at the controller, ms. */
  readonly perEni: number[];
  /** The compile's pushes done -> each ack, ms. */
  readonly afterPush: number[];
  readonly reached: number;
  /**
   * The change's timeline, ms after the API call was sent (the controller's and this process's
   * clocks are the same system clock): compile started, compile done, pushes left (every
   * snapshot handed to its socket), the API answered, the last ack arrived.
   */
  readonly timeline?: {
    readonly compileStart: number;
    readonly compileEnd: number;
    readonly pushesLeft: number;
    readonly answered: number;
    readonly lastAck: number;
  };
  /** CPU ms the controller / the agent processes used during the round (runtime part). */
  readonly controllerCpuMs?: number;
  readonly agentsCpuMs?: number;
}

/**
 * Adds (odd rounds: removes again) an entry of the VPC's default NACL, which every subnet uses,
 * so one write changes the compiled policy of every ENI; waits until GET /v1/revision says
 * enforced (polled every 20 ms; the figures come from the controller's ack times, not from the
 * poll) and returns the per-ENI times.
 */
async function ruleChangeRounds(
  ec2: EC2Client,
  baseUrl: string,
  vpcId: string,
  expectReached: number,
  rounds: number,
  pids?: { readonly controller: number; readonly agents: readonly number[] },
): Promise<RoundFigures[]> {
  const acl = (
    await ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "default", Values: ["true"] },
        ],
      }),
    )
  ).NetworkAcls![0]!.NetworkAclId!;
  const out: RoundFigures[] = [];
  for (let r = 0; r < rounds; r++) {
    const cpu0 = pids && { c: cpuMs(pids.controller), a: pids.agents.map(cpuMs) };
    const sentMs = Date.now();
    if (r % 2 === 0) {
      await ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: acl,
          RuleNumber: 50,
          Protocol: "17",
          RuleAction: "deny",
          Egress: false,
          CidrBlock: "192.0.2.0/24",
          PortRange: { From: 9999, To: 9999 },
        }),
      );
    } else {
      await ec2.send(
        new DeleteNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 50, Egress: false }),
      );
    }
    const answeredMs = Date.now();
    let view: RevisionView;
    const deadline = Date.now() + 60_000;
    for (;;) {
      view = await getRevision(baseUrl);
      if (view.enforced && view.compiledRevision >= view.revision) break;
      if (Date.now() > deadline) throw new Error("the rule change was not enforced in 60 s");
      await new Promise((res) => setTimeout(res, 20));
    }
    const acks = view.agents
      .map((a) => a.lastAckMs)
      .filter((t): t is number => t !== null && t >= sentMs);
    const lc = view.lastCompile;
    const compileMs = lc !== undefined && lc.revision === view.revision ? lc.compileMs : undefined;
    const cpu =
      pids && cpu0
        ? {
            controllerCpuMs: cpuMs(pids.controller) - cpu0.c,
            agentsCpuMs: pids.agents.reduce((sum, p, i) => sum + cpuMs(p) - cpu0.a[i]!, 0),
          }
        : {};
    const timeline =
      lc !== undefined && lc.revision === view.revision && acks.length > 0
        ? {
            compileStart: lc.startedAtMs - sentMs,
            compileEnd: lc.startedAtMs + lc.compileMs - sentMs,
            pushesLeft: lc.atMs - sentMs,
            answered: answeredMs - sentMs,
            lastAck: Math.max(...acks) - sentMs,
          }
        : undefined;
    out.push({
      ...cpu,
      ...(timeline !== undefined ? { timeline } : {}),
      compileMs,
      perEni: acks.map((t) => t - sentMs).sort((a, b) => a - b),
      afterPush: lc !== undefined ? acks.map((t) => t - lc.atMs).sort((a, b) => a - b) : [],
      reached: acks.length,
    });
    if (acks.length < expectReached) {
      console.log(
        `    round ${r + 1}: only ${acks.length} of ${expectReached} agents acked a push`,
      );
    }
  }
  return out;
}

function printRounds(label: string, rounds: readonly RoundFigures[], enis: number): number {
  const all = rounds.flatMap((r) => r.perEni).sort((a, b) => a - b);
  const push = rounds.flatMap((r) => r.afterPush).sort((a, b) => a - b);
  const compiles = rounds.flatMap((r) => (r.compileMs !== undefined ? [r.compileMs] : []));
  console.log(
    `  ${label}: ${rounds.length} rounds, reached ${rounds.map((r) => r.reached).join("/")} of ${enis} ENIs`,
  );
  console.log(
    `    compile per change: ${compiles.map((c) => c.toFixed(1)).join(", ")} ms (controller's lastCompile.compileMs)`,
  );
  console.log(
    `    per-ENI enforcement, API send -> agent's ack at the controller: p50 ${pct(all, 50).toFixed(0)} ms  p99 ${pct(all, 99).toFixed(0)} ms  max ${(all.at(-1) ?? NaN).toFixed(0)} ms  (${ratio(pct(all, 99), GOAL_P99_MS, " ms p99")})`,
  );
  console.log(
    `    of which after the compile's pushes left: p50 ${pct(push, 50).toFixed(0)} ms  p99 ${pct(push, 99).toFixed(0)} ms`,
  );
  for (const [i, r] of rounds.entries()) {
    const t = r.timeline;
    if (t === undefined) continue;
    console.log(
      `    round ${i + 1}, ms after the API call was sent: compile start ${t.compileStart.toFixed(0)}, compile end ${t.compileEnd.toFixed(0)}, pushes left ${t.pushesLeft.toFixed(0)}, API answered ${t.answered.toFixed(0)}, last ack ${t.lastAck.toFixed(0)}`,
    );
  }
  const cpuRounds = rounds.filter((r) => r.agentsCpuMs !== undefined);
  if (cpuRounds.length > 0) {
    const c = cpuRounds.reduce((s, r) => s + r.controllerCpuMs!, 0) / cpuRounds.length;
    const a = cpuRounds.reduce((s, r) => s + r.agentsCpuMs!, 0) / cpuRounds.length;
    console.log(
      `    CPU per change (10 ms ticks, includes the 20 ms /v1/revision polls): controller ${c.toFixed(0)} ms, agent processes ${a.toFixed(0)} ms = ${(a / enis).toFixed(2)} ms per ENI's snapshot`,
    );
  }
  return pct(all, 99);
}

/** ping from each sampled pair's source namespace to its destination, 16 at a time. */
async function reachability(rt: StartedLocalRuntime, insts: readonly ScaleInstance[]) {
  // A fixed pseudo-random sample (xorshift32): the same pairs every run of the same size.
  let seed = 12345;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const hostOf = new Map(rt.nodes().map((n) => [n.name, n.agentHost ?? n.agentPid]));
  const pairs: [ScaleInstance, ScaleInstance][] = [];
  const total = insts.length * (insts.length - 1);
  const want = Math.min(PAIRS, total);
  const seen = new Set<string>();
  while (pairs.length < want) {
    const a = insts[rand(insts.length)]!;
    const b = insts[rand(insts.length)]!;
    if (a === b || seen.has(`${a.name}>${b.name}`)) continue;
    seen.add(`${a.name}>${b.name}`);
    pairs.push([a, b]);
  }
  let asExpected = 0;
  let sameHost = 0;
  const wrong: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const [a, b] = pairs[next++]!;
      const expected = allowedBetween(a.group, b.group, GROUPS);
      const r = await runInNamespace(
        rt.node(a.name).namespace,
        "ping",
        ["-n", "-c", "1", "-W", expected ? "3" : "1", b.privateIp],
        { timeoutMs: 10_000 },
      );
      const ok = r.code === 0;
      if (hostOf.get(a.name) === hostOf.get(b.name)) sameHost++;
      if (ok === expected) asExpected++;
      else
        wrong.push(
          `${a.name}(g${a.group}) -> ${b.name}(g${b.group}): ${ok ? "answered" : "no answer"}, expected ${expected ? "an answer" : "none"}`,
        );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const allowed = pairs.filter(([a, b]) => allowedBetween(a.group, b.group, GROUPS)).length;
  console.log(
    `  reachability: ${pairs.length} sampled pairs of ${total} (${allowed} allowed, ${pairs.length - allowed} denied by SG; ${sameHost} within one agent process), ${asExpected} as expected${wrong.length > 0 ? `, ${wrong.length} NOT:` : ""}`,
  );
  for (const w of wrong.slice(0, 10)) console.log(`    ${w}`);
}

async function runtimePart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vpcemu-bench-scale-"));
  const file = join(dir, "scale.yaml");
  writeFileSync(file, scaleTopologyYaml({ instances: NODES, groups: GROUPS }));
  const insts = scaleInstances({ instances: NODES, groups: GROUPS });
  console.log(
    `scale, local runtime: ${NODES} instances (10 subnets, ${GROUPS} groups in a ring of references), ${AGENT_PROCESSES === 0 ? "one agent process per node" : `${AGENT_PROCESSES} agent host processes`}, load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
  );
  const t0 = Date.now();
  let rt: StartedLocalRuntime | undefined;
  try {
    rt = await new LocalRuntime({
      topologyFile: file,
      listen: "127.0.0.1:0",
      runtimeDir: join(dir, "rt"),
      namespacePrefix: `vpcemu-b${process.pid}-`,
      agentProcesses: AGENT_PROCESSES === 0 ? "per-node" : AGENT_PROCESSES,
      log: (line) => {
        if (/applied|agent host \d+:|exited|failed|giving up/.test(line))
          console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`);
      },
    }).start();
    // Why settle with a long deadline: start() settles with the default 20 s, which a loaded
    // machine may need more than for hundreds of nodes; this is where the time is measured.
    const upMs = Date.now() - t0;
    const nodes = rt.nodes().filter((n) => n.instanceId !== undefined);
    console.log(`  nodes up: ${nodes.length} of ${NODES} (+ the internet node)`);
    console.log(
      `  time to up: ${(upMs / 1000).toFixed(1)} s  (${ratio(upMs / 1000, GOAL_UP_MS / 1000, " s")})`,
    );
    const pids = new Set<number>([
      ...(rt.controllerPid !== undefined ? [rt.controllerPid] : []),
      ...rt.agentHostPids,
      ...rt.nodes().flatMap((n) => (n.agentPid !== undefined ? [n.agentPid] : [])),
    ]);
    const perPid = [...pids].map((p) => [p, rssBytes(p)] as const);
    const total = perPid.reduce((s, [, b]) => s + b, 0);
    const controllerRss = rt.controllerPid !== undefined ? rssBytes(rt.controllerPid) : 0;
    console.log(
      `  RSS total ${mb(total)} = controller ${mb(controllerRss)} + ${pids.size - 1} agent processes ${mb(total - controllerRss)}; per node ${mb(total / Math.max(1, nodes.length))} (agents only: ${mb((total - controllerRss) / Math.max(1, nodes.length))})  (${ratio(total / 1024 ** 3, GOAL_RSS_BYTES / 1024 ** 3, " GB")})`,
    );
    const upCpu = [...pids].map((p) => [p, cpuMs(p)] as const);
    const cpuController = upCpu.find(([p]) => p === rt!.controllerPid)?.[1] ?? 0;
    const cpuAgents = upCpu.reduce((sum, [, c]) => sum + c, 0) - cpuController;
    console.log(
      `  CPU used by the time it was up: controller ${(cpuController / 1000).toFixed(1)} s, agent processes ${(cpuAgents / 1000).toFixed(1)} s, this process ${(process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6).toFixed(1)} s`,
    );
    console.log(
      `  (not counted: this bench process, which supervises like 'vpcemu up' does: ${mb(rssBytes(process.pid))})`,
    );
    const ec2 = ec2Client(rt.ec2Endpoint);
    const vpcId = rt.applied!.vpcs.get("scale")!;
    const agentPids = [...pids].filter((p) => p !== rt!.controllerPid);
    const rounds = await ruleChangeRounds(ec2, rt.controllerUrl, vpcId, nodes.length, ROUNDS, {
      controller: rt.controllerPid!,
      agents: agentPids,
    });
    printRounds(`one NACL entry on all ${nodes.length} ENIs (real agents)`, rounds, nodes.length);
    ec2.destroy();
    await reachability(rt, insts);
  } finally {
    const t1 = Date.now();
    await rt?.stop();
    console.log(`  stopped in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function controllerPart(): Promise<void> {
  console.log(
    `scale, controller alone: ${CONTROLLER_ENIS} ENIs, each on an in-process agent (ControllerClient), load average ${loadavg()[0]!.toFixed(1)}`,
  );
  await using ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  const ec2 = ec2Client(ctl.ec2Endpoint);
  const t0 = Date.now();
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnets: string[] = [];
  for (let s = 0; s < 10; s++) {
    subnets.push(
      (
        await ec2.send(
          new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${(s + 1) * 4}.0/22` }),
        )
      ).Subnet!.SubnetId!,
    );
  }
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    groups.push(
      (
        await ec2.send(
          new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `g${g}`, Description: "g" }),
        )
      ).GroupId!,
    );
  }
  const { AuthorizeSecurityGroupIngressCommand } = await import("@aws-sdk/client-ec2");
  for (let g = 0; g < GROUPS; g++) {
    for (const peer of new Set([g, (g + GROUPS - 1) % GROUPS])) {
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groups[g]!,
          IpPermissions: [
            {
              IpProtocol: "icmp",
              FromPort: -1,
              ToPort: -1,
              UserIdGroupPairs: [{ GroupId: groups[peer]! }],
            },
            {
              IpProtocol: "tcp",
              FromPort: 7000,
              ToPort: 7999,
              UserIdGroupPairs: [{ GroupId: groups[peer]! }],
            },
          ],
        }),
      );
    }
  }
  const instanceIds: string[] = [];
  const perCall = Math.max(1, Math.ceil(CONTROLLER_ENIS / (subnets.length * GROUPS)));
  for (let s = 0; s < subnets.length && instanceIds.length < CONTROLLER_ENIS; s++) {
    for (let g = 0; g < GROUPS && instanceIds.length < CONTROLLER_ENIS; g++) {
      const n = Math.min(perCall, CONTROLLER_ENIS - instanceIds.length);
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: n,
          MaxCount: n,
          SubnetId: subnets[s]!,
          SecurityGroupIds: [groups[g]!],
        }),
      );
      for (const i of out.Instances ?? []) instanceIds.push(i.InstanceId!);
    }
  }
  console.log(
    `  state: ${instanceIds.length} instances in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  const clients = instanceIds.map(
    (id, i) =>
      new ControllerClient({
        url: ctl.agentUrl,
        agentId: `bench-agent-${i}`,
        hosting: {
          instanceIds: [id],
          eniIds: [],
          externals: [],
          underlayEndpoint: `127.0.0.1:${20000 + i}`,
        },
        onSnapshot: () => undefined,
      }),
  );
  const t1 = Date.now();
  for (const c of clients) c.start();
  await Promise.all(clients.map((c) => c.enforced(ctl.revision())));
  await ctl.waitForEnforced(ctl.revision(), 120_000);
  console.log(
    `  ${clients.length} agents joined and enforcing in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
  );
  const rss = rssBytes(process.pid);
  const rounds = await ruleChangeRounds(ec2, ctl.ec2Endpoint, vpcId, clients.length, ROUNDS);
  printRounds(
    `one NACL entry on all ${clients.length} ENIs (in-process agents)`,
    rounds,
    clients.length,
  );
  console.log(
    `  RSS of the process (controller + ${clients.length} in-process agent clients): ${mb(rss)}`,
  );
  await Promise.all(clients.map((c) => c.close()));
  ec2.destroy();
}

if (!args["skip-runtime"]) await runtimePart();
if (!args["skip-controller"]) await controllerPart();
console.log(
  `(figures from a shared machine: ${availableParallelism()} cores, load average now ${loadavg()[0]!.toFixed(1)}; wall-clock figures grow with load)`,
);
