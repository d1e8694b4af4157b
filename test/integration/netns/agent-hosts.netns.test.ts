/**
 * One agent process, many nodes (issue 15 item 4): six nodes (+ the internet node) carried by
 * two agent host processes (`vpcemu up --agent-processes 2`), on real namespaces, TUN devices
 * and loopback UDP; every check is a real ping between node namespaces.
 *
 *   VPC hosts 10.0.0.0/16          agent host 1 (pid P1)       agent host 2 (pid P2)
 *   one 10.0.1.0/24                 internet + 3 nodes          3 nodes
 *   two 10.0.2.0/24                 (least loaded first: which node lands where is read
 *                                    from the runtime, not assumed)
 *     a1 10.0.1.11 a-sg   b1 10.0.2.21 b-sg
 *     a2 10.0.2.12 a-sg   b2 10.0.1.22 b-sg
 *     a3 10.0.1.13 a-sg   b3 10.0.2.23 b-sg
 *   a-sg: ICMP from a-sg; b-sg: ICMP from a-sg (REF-1); default egress (all)
 *   later: a-sg also ICMP from b-sg (a rule change, CT-17)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthorizeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaceLinks } from "../../../cli/runtime/netns.js";
import { startTestRuntime, type TestRuntime } from "../../helpers/netns-runtime.js";
import { waitUntil } from "../../helpers/wait-until.js";

const TOPOLOGY = `description: agent hosts netns test
vpcs:
  - { name: hosts, cidr: 10.0.0.0/16 }
subnets:
  - { name: one, vpc: hosts, cidr: 10.0.1.0/24 }
  - { name: two, vpc: hosts, cidr: 10.0.2.0/24 }
securityGroups:
  - name: a-sg
    vpc: hosts
    ingress:
      - { protocol: icmp, sg: a-sg }
  - name: b-sg
    vpc: hosts
    ingress:
      - { protocol: icmp, sg: a-sg }
instances:
  - { name: a1, subnet: one, securityGroups: [a-sg], privateIp: 10.0.1.11 }
  - { name: a2, subnet: two, securityGroups: [a-sg], privateIp: 10.0.2.12 }
  - { name: a3, subnet: one, securityGroups: [a-sg], privateIp: 10.0.1.13 }
  - { name: b1, subnet: two, securityGroups: [b-sg], privateIp: 10.0.2.21 }
  - { name: b2, subnet: one, securityGroups: [b-sg], privateIp: 10.0.1.22 }
  - { name: b3, subnet: two, securityGroups: [b-sg], privateIp: 10.0.2.23 }
`;

const IP: Record<string, string> = {
  a1: "10.0.1.11",
  a2: "10.0.2.12",
  a3: "10.0.1.13",
  b1: "10.0.2.21",
  b2: "10.0.1.22",
  b3: "10.0.2.23",
};
const NODES = Object.keys(IP);
const inA = (n: string) => n.startsWith("a");

/** Before the rule change: every group admits only a-sg. After: a-sg admits b-sg too. */
let allowed = (from: string, _to: string): boolean => inA(from);

let dir: string;
let rt: TestRuntime;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-agent-hosts-"));
  const file = join(dir, "hosts.yaml");
  writeFileSync(file, TOPOLOGY);
  rt = await startTestRuntime(file, ["ping"], { agentProcesses: 2 });
}, 120_000);

afterAll(async () => {
  await rt?.[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

/** One ping from `from`'s namespace to `to`'s address: true when answered. */
async function reaches(from: string, to: string, timeoutS = 2): Promise<boolean> {
  return (await rt.probes.ping(from, IP[to]!, 1, timeoutS)).ok;
}

const hostOf = (n: string) => rt.runtime.node(n).agentPid;

/** Pings every ordered pair at once; returns the pairs whose outcome differs from `allowed`. */
async function wrongPairs(pairs: readonly [string, string][]): Promise<string[]> {
  const outcomes = await Promise.all(
    pairs.map(async ([a, b]) => {
      const want = allowed(a, b);
      const got = await reaches(a, b, want ? 3 : 1);
      return got === want ? undefined : `${a} -> ${b}: ${got ? "answered" : "no answer"}`;
    }),
  );
  return outcomes.filter((x): x is string => x !== undefined);
}

const ALL_PAIRS: [string, string][] = NODES.flatMap((a) =>
  NODES.filter((b) => b !== a).map((b): [string, string] => [a, b]),
);

describe("one agent host process carrying the agents of many nodes", () => {
  it("runs the six nodes and the internet node in two agent host processes", () => {
    const hosts = rt.runtime.agentHostPids;
    expect(hosts).toHaveLength(2);
    for (const n of rt.runtime.nodes()) {
      expect(hosts, n.name).toContain(n.agentPid);
      expect(n.agentHost).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(NODES.map(hostOf)).size).toBe(2);
    // The controller sees one agent per node, each with its own id (issue 14 credentials).
    const agents = new Set(rt.runtime.nodes().map((n) => n.agentId));
    expect(agents.size).toBe(NODES.length + 1);
  });

  it("allows and denies by SG reference within one process and across processes (REF-1, CT-11)", async () => {
    const same = ALL_PAIRS.filter(([a, b]) => hostOf(a) === hostOf(b));
    const cross = ALL_PAIRS.filter(([a, b]) => hostOf(a) !== hostOf(b));
    // Both kinds, allowed and denied, are among the pairs checked.
    for (const kind of [same, cross]) {
      expect(kind.some(([a, b]) => allowed(a, b))).toBe(true);
      expect(kind.some(([a, b]) => !allowed(a, b))).toBe(true);
    }
    expect(await wrongPairs(ALL_PAIRS)).toEqual([]);
  }, 60_000);

  it("enforces a rule change on every node once the controller's revision is enforced (CT-17)", async () => {
    const aSg = rt.runtime.applied!.securityGroups.get("hosts/a-sg")!;
    const bSg = rt.runtime.applied!.securityGroups.get("hosts/b-sg")!;
    await rt.runtime.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: aSg,
        IpPermissions: [
          { IpProtocol: "icmp", FromPort: -1, ToPort: -1, UserIdGroupPairs: [{ GroupId: bSg }] },
        ],
      }),
    );
    // settle(): every agent enforces the controller's current revision (GET /v1/revision).
    await rt.runtime.settle();
    allowed = (from, to) => inA(from) || inA(to);
    expect(await wrongPairs(ALL_PAIRS)).toEqual([]);
  }, 60_000);

  it("kill-agent cuts off only that node; its host's other nodes keep carrying traffic; restart-agent brings it back in its host", async () => {
    // A victim sharing its host with at least two other instance nodes.
    const victim = NODES.find(
      (v) => NODES.filter((n) => n !== v && hostOf(n) === hostOf(v)).length >= 2,
    )!;
    const hostPid = hostOf(victim)!;
    const siblings = NODES.filter((n) => n !== victim && hostOf(n) === hostPid);
    const others = NODES.filter((n) => hostOf(n) !== hostPid);
    const peer = [...siblings, ...others].find((n) => allowed(n, victim))!;

    const killed = await rt.runtime.killAgent(victim, 600_000);
    expect(killed.message).toMatch(new RegExp(`^killed the agent of ${victim} \\(in agent host`));
    expect(killed.pid).toBe(hostPid);
    // Its TUN went with its agent; the host process and its other nodes did not.
    expect(await namespaceLinks(rt.runtime.node(victim).namespace)).not.toContain("eth0");
    expect(rt.runtime.agentHostPids).toContain(hostPid);
    expect(await reaches(peer, victim, 1)).toBe(false);
    const pairs = [...siblings, ...others]
      .flatMap((a) =>
        [...siblings, ...others].filter((b) => b !== a).map((b): [string, string] => [a, b]),
      )
      .filter(([a, b]) => siblings.includes(a) || siblings.includes(b));
    expect(await wrongPairs(pairs)).toEqual([]);

    const back = await rt.runtime.restartAgent(victim);
    expect(back.message).toMatch(new RegExp(`^restarted the agent of ${victim}: pid \\d+ -> \\d+`));
    expect(hostOf(victim)).toBe(hostPid);
    expect(await reaches(peer, victim)).toBe(true);
  }, 90_000);

  it("pause-agent moves only that node to a process of its own and stops it; the others keep running", async () => {
    const victim = NODES.find(
      (v) => NODES.filter((n) => n !== v && hostOf(n) === hostOf(v)).length >= 2,
    )!;
    const hostPid = hostOf(victim)!;
    const siblings = NODES.filter((n) => n !== victim && hostOf(n) === hostPid);
    const peer = NODES.find((n) => n !== victim && allowed(n, victim))!;

    const paused = await rt.runtime.pauseAgent(victim, 8000);
    expect(paused.message).toMatch(
      new RegExp(`^paused the agent of ${victim} \\(pid \\d+, SIGSTOP\\)`),
    );
    const own = rt.runtime.node(victim);
    expect(own.agentPid).toBe(paused.pid);
    expect(rt.runtime.agentHostPids).not.toContain(paused.pid);
    expect(own.agentHost).toBeUndefined();
    // Why wait: a signal reaches a running process a moment after kill() returns.
    await waitUntil(
      "the node's own agent process to be stopped",
      () => stoppedProcess(paused.pid!),
      5000,
      10,
    );
    expect(await reaches(peer, victim, 1)).toBe(false);
    // The host it left still carries its other nodes, stopped by nothing.
    expect(stoppedProcess(hostPid)).toBe(false);
    for (const s of siblings) expect(hostOf(s)).toBe(hostPid);
    const pairs = ALL_PAIRS.filter(([a, b]) => a !== victim && b !== victim).filter(
      ([a, b]) => siblings.includes(a) || siblings.includes(b),
    );
    expect(await wrongPairs(pairs)).toEqual([]);

    // Resumed by the runtime's own timer (SIGCONT), not by this test.
    await waitUntil(
      "the paused agent to be resumed",
      () => !stoppedProcess(paused.pid!),
      30_000,
      100,
    );
    await rt.runtime.settle();
    expect(await reaches(peer, victim, 3)).toBe(true);
  }, 90_000);

  it("an agent host that dies is reported with the nodes it carried and started again with them", async () => {
    const hostPid = rt.runtime.agentHostPids.find((p) => NODES.some((n) => hostOf(n) === p))!;
    const carried = rt.runtime
      .nodes()
      .filter((n) => n.agentPid === hostPid)
      .map((n) => n.name);
    const elsewhere = NODES.filter((n) => !carried.includes(n));
    // The runtime started this host for the test; the test SIGKILLs it (a crash).
    process.kill(hostPid, "SIGKILL");
    const line = new RegExp(
      `^agent host \\d+ \\(pid ${hostPid}\\) exited \\(SIGKILL\\): the agents of (.+) are down`,
    );
    await waitUntil(
      "the runtime to report the dead host",
      () => rt.logs.some((l) => line.test(l)),
      10_000,
      20,
    );
    const named = line.exec(rt.logs.find((l) => line.test(l))!)![1]!.split(", ");
    expect(named.sort()).toEqual([...carried].sort());
    // Started again (after 1 s) with the same nodes, in a new process.
    await waitUntil(
      "the host's nodes to run in a new host process",
      () =>
        carried.every(
          (n) =>
            rt.runtime.node(n).agentPid !== hostPid && rt.runtime.node(n).agentPid !== undefined,
        ),
      30_000,
      50,
    );
    await rt.runtime.settle();
    expect(rt.runtime.agentHostPids).not.toContain(hostPid);
    const pairs = ALL_PAIRS.filter(([a, b]) => carried.includes(a) || carried.includes(b));
    expect(pairs.some(([a, b]) => elsewhere.includes(a) || elsewhere.includes(b))).toBe(true);
    expect(await wrongPairs(pairs)).toEqual([]);
  }, 90_000);
});

/** True while `pid` is stopped (SIGSTOP): state T in /proc/PID/stat. */
function stoppedProcess(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
}
