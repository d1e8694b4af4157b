/**
 * A private local runtime for the chaos netns tests (test/integration/netns/chaos*.netns.test.ts):
 * real namespaces, TUN devices and agents, the controller a child process of the runtime, with
 * names no other suite uses: namespaces `vpcemu-chaos<tag><pid>-<node>`, its own runtime
 * directory and an ephemeral controller port. `await using` / dispose removes everything it made even when a test fails:
 * probes, agents, namespaces (a last sweep deletes any namespace left with its prefix), files.
 *
 *   VPC chaos 10.0.0.0/16
 *   public 10.0.1.0/24                       private 10.0.2.0/24
 *     web   10.0.1.10 web-sg                   db    10.0.2.20 db-sg
 *     web2  10.0.1.11 other-sg (joins later)   other 10.0.2.30 other-sg
 *   every group: all traffic in from 10.0.0.0/16 (tracked), default egress (all to 0.0.0.0/0);
 *   db-sg also tcp 80 from 0.0.0.0/0: untracked (AWS-BEHAVIOUR CT-2, CT-3)
 *   + the runtime's `internet` node 198.51.100.10 (outside the VPC)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRuntime, type StartedLocalRuntime } from "../../cli/runtime/local-runtime.js";
import { deleteNamespace, listNamespaces } from "../../cli/runtime/netns.js";
import { FaultApi } from "./chaos-api.js";
import { ChaosProbe } from "./chaos-traffic.js";
import { requireNetnsPrerequisites } from "./prerequisites.js";

export const WEB = "10.0.1.10";
export const WEB2 = "10.0.1.11";
export const DB = "10.0.2.20";
export const OTHER = "10.0.2.30";

export type ChaosInstance = "web" | "web2" | "db" | "other";

const INSTANCES: Record<ChaosInstance, string> = {
  web: "  - { name: web, subnet: public, securityGroups: [web-sg], privateIp: 10.0.1.10 }",
  web2: "  - { name: web2, subnet: public, securityGroups: [other-sg], privateIp: 10.0.1.11 }",
  db: "  - { name: db, subnet: private, securityGroups: [db-sg], privateIp: 10.0.2.20 }",
  other: "  - { name: other, subnet: private, securityGroups: [other-sg], privateIp: 10.0.2.30 }",
};

/** The topology above with the given instances. */
export function chaosTopology(instances: readonly ChaosInstance[]): string {
  return `description: chaos netns tests
vpcs:
  - { name: chaos, cidr: 10.0.0.0/16 }
subnets:
  - { name: public, vpc: chaos, cidr: 10.0.1.0/24 }
  - { name: private, vpc: chaos, cidr: 10.0.2.0/24 }
securityGroups:
  - name: web-sg
    vpc: chaos
    ingress:
      - { protocol: -1, cidr: 10.0.0.0/16 }
  - name: db-sg
    vpc: chaos
    ingress:
      - { protocol: -1, cidr: 10.0.0.0/16 }
      - { protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }
  - name: other-sg
    vpc: chaos
    ingress:
      - { protocol: -1, cidr: 10.0.0.0/16 }
instances:
${instances.map((i) => INSTANCES[i]).join("\n")}
`;
}

export interface ChaosRuntime extends AsyncDisposable {
  readonly runtime: StartedLocalRuntime;
  readonly api: FaultApi;
  /** Agents the runtime runs (the internet node's included): what waitEnforced waits for. */
  readonly agentCount: number;
  /** The node's chaos probe, started on first use. */
  probe(node: string): ChaosProbe;
  /** The node's namespace (for ping and iperf3). */
  ns(node: string): string;
  /** The node's primary ENI id. */
  eni(node: string): string;
  /** A security group id of the topology by name (`web-sg`). */
  sg(name: string): string;
}

let counter = 0;

/** A local runtime of any topology for a netns test; see startNetnsRuntime. */
export interface NetnsRuntime extends Omit<ChaosRuntime, "sg"> {
  /** A security group id by its topology key (`vpc/name`). */
  sg(key: string): string;
}

/**
 * Starts the runtime with `instances` of the chaos topology. `tag` (a few letters) keeps the
 * namespaces of each test file apart. `persistentState`: the controller keeps its state in a
 * file of the runtime directory, so it can be stopped and started again with its faults.
 */
export async function startChaosRuntime(
  tag: string,
  instances: readonly ChaosInstance[],
  opts: { extraCommands?: readonly string[]; persistentState?: boolean } = {},
): Promise<ChaosRuntime> {
  const rt = await startNetnsRuntime(tag, chaosTopology(instances), opts);
  return { ...rt, sg: (name) => rt.sg(`chaos/${name}`) };
}

/**
 * Starts a local runtime of `topology` (topology-file YAML) in namespaces named
 * `vpcemu-chaos<tag><pid>x<n>-*`, with a fault API client and chaos probes; disposing it stops
 * the probes and the runtime and sweeps the namespaces and the temp directory.
 */
export async function startNetnsRuntime(
  tag: string,
  topology: string,
  opts: {
    extraCommands?: readonly string[];
    persistentState?: boolean;
    /** The agents' flow-log aggregation window (default 60 s). */
    flowLogWindowMs?: number;
  } = {},
): Promise<NetnsRuntime> {
  requireNetnsPrerequisites(opts.extraCommands ?? []);
  const dir = mkdtempSync(join(tmpdir(), `vpcemu-chaos-${tag}-`));
  const prefix = `vpcemu-chaos${tag}${process.pid}x${counter++}-`;
  const topologyFile = join(dir, "topology.yaml");
  writeFileSync(topologyFile, topology);
  const logs: string[] = [];
  const sweep = async (): Promise<void> => {
    for (const ns of await listNamespaces(prefix).catch(() => [])) {
      await deleteNamespace(ns).catch(() => undefined);
    }
  };
  let runtime: StartedLocalRuntime;
  try {
    runtime = await new LocalRuntime({
      topologyFile,
      listen: "127.0.0.1:0",
      runtimeDir: join(dir, "run"),
      namespacePrefix: prefix,
      ...(opts.persistentState ? { statePath: join(dir, "controller-state.db") } : {}),
      ...(opts.flowLogWindowMs !== undefined ? { flowLogWindowMs: opts.flowLogWindowMs } : {}),
      log: (line) => logs.push(line),
    }).start();
  } catch (err) {
    await sweep();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\nruntime log:\n${logs.join("\n")}`,
    );
  }
  const probes = new Map<string, ChaosProbe>();
  const rt = runtime;
  const api = new FaultApi(() => rt.controllerUrl);
  return {
    runtime: rt,
    api,
    agentCount: rt.nodes().length,
    probe(node) {
      let p = probes.get(node);
      if (!p) probes.set(node, (p = new ChaosProbe(node, rt.node(node).namespace)));
      return p;
    },
    ns: (node) => rt.node(node).namespace,
    eni(node) {
      const eni = rt.applied?.instances.get(node)?.eniId;
      if (eni === undefined) throw new Error(`no instance '${node}' in the topology`);
      return eni;
    },
    sg(key) {
      const id = rt.applied?.securityGroups.get(key);
      if (id === undefined) throw new Error(`no security group '${key}' in the topology`);
      return id;
    },
    async [Symbol.asyncDispose]() {
      try {
        await Promise.all([...probes.values()].map((p) => p.stop()));
        await rt.stop();
      } finally {
        await sweep();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
