/**
 * The RunEnv of `vpcemu chaos run --nodes nodes.json`: the nodes are Docker app containers with
 * agent sidecars (the testcontainers module's `emulator.runExperiment`, a compose stack), not the
 * local runtime's namespaces. The controller half is experiment-controller.ts, as for the local
 * runtime; this file only does what needs a node, through the Docker engine (testcontainers'
 * runtime client, dockerode underneath):
 *
 *   app container netns  ──  agent sidecar (TUN, the ENI)        killed/paused/restarted by
 *                        ──  probe container (this run's)        process-fault steps
 *                             node probe.mjs servers and clients, ping
 *
 * Probes and probe servers run in a probe container the run starts in each source or server
 * node's network namespace (`--network container:<app>`, the agent's image, which has Node,
 * cli/runtime/probe.mjs, ping and ip): they see exactly what the app sees, need nothing in the
 * app's image, and outlive a killed agent the way an app does. Lifecycle: opened (containers
 * checked, probe containers started) -> the run -> close(): pending agent restarts and unpauses
 * done at once, probe containers removed (their servers with them). close() is idempotent.
 */
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { getContainerRuntimeClient, type ContainerRuntimeClient } from "testcontainers";
import { jsonApiAuthHeaders } from "../runtime/api-credentials.js";
import { VPCEMU_LABEL } from "../../testcontainers/constants.js";
import { controllerRunEnv, probeTargetResolver } from "./experiment-controller.js";
import {
  containerProblems,
  findContainerNode,
  isIpv4,
  type ContainerNode,
  type ContainerNodes,
  type ContainerState,
} from "./experiment-nodes.js";
import type { RunEnv } from "./experiment-run.js";
import type { Experiment } from "./experiment-spec.js";
import { formatDuration } from "./units.js";

/** Where probe.mjs sits in the vpcemu image (Dockerfile). */
export const IMAGE_PROBE_SCRIPT = "/opt/vpcemu/cli/runtime/probe.mjs";
/** Label value (under VPCEMU_LABEL) of the probe containers a run starts. */
export const PROBE_CONTAINER_LABEL = "probe";
const READY_TIMEOUT_MS = 45_000;

type Container = ReturnType<ContainerRuntimeClient["container"]["getById"]>;
type ProbeAnswer = { ok: boolean; ms?: number; error?: string };

export interface ContainerRunEnv {
  readonly env: RunEnv;
  /** Restores agents a process fault left down or paused, removes the probe containers. */
  close(): Promise<void>;
}

/**
 * Checks the containers (an unknown, stopped or gone one is an Error naming node, container and
 * state), starts the probe containers and returns the env.
 */
export async function openContainerRunEnv(opts: {
  exp: Experiment;
  nodes: ContainerNodes;
  endpoint: string;
  log: (line: string) => void;
}): Promise<ContainerRunEnv> {
  const { exp, nodes, log } = opts;
  let client: ContainerRuntimeClient;
  try {
    client = await getContainerRuntimeClient();
  } catch (err) {
    throw new Error(`no Docker engine answers (${(err as Error).message}): --nodes needs one`);
  }
  const inspected = new Map<string, Awaited<ReturnType<typeof inspect>>>();
  const inspect = async (ref: string) => {
    try {
      return await client.container.inspect(client.container.getById(ref));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  };
  for (const n of nodes.nodes) {
    for (const ref of [n.container, n.agent]) {
      if (ref !== undefined && !inspected.has(ref)) inspected.set(ref, await inspect(ref));
    }
  }
  const stateOf = (ref: string): ContainerState | undefined => {
    const i = inspected.get(ref);
    return i && { running: i.State.Running, paused: i.State.Paused, status: i.State.Status };
  };
  const problems = containerProblems(exp, nodes, stateOf);
  if (problems.length > 0) throw new Error(problems.join("; "));

  const node = (ref: string): ContainerNode => {
    const n = findContainerNode(nodes, ref);
    if (!n) {
      throw new Error(
        `unknown node '${ref}' (${nodes.file} has: ${nodes.nodes.map((x) => x.name).join(", ")})`,
      );
    }
    return n;
  };
  const agentIdOf = (ref: string): string => {
    const n = node(ref);
    const id =
      n.agentId ??
      (n.agent !== undefined ? inspected.get(n.agent)?.Config.Labels?.["io.vpcemu.agent-id"] : "");
    if (!id)
      throw new Error(`node '${n.name}': no agentId in ${nodes.file} (counter probes need it)`);
    return id;
  };

  // Probe containers: one per node that sends probes or hosts a server.
  const probeNodes = new Set<string>();
  for (const s of exp.servers) probeNodes.add(node(s.node).name);
  for (const p of exp.probes) if (p.kind === "reach") probeNodes.add(node(p.from).name);
  const probeContainers = new Map<string, Container>();
  const servers: NodeJS.ReadableStream[] = [];
  let closed: Promise<void> | undefined;
  const removeProbeContainers = async () => {
    for (const s of servers.splice(0)) (s as unknown as { destroy?: () => void }).destroy?.();
    const all = [...probeContainers.values()];
    probeContainers.clear();
    await Promise.all(all.map((c) => c.remove({ force: true }).catch(() => undefined)));
  };
  {
    // Why: allSettled, so a failure is cleaned up only after every creation has ended (none leaks).
    const started = await Promise.allSettled(
      [...probeNodes].map(async (name) => {
        const n = node(name);
        const app = inspected.get(n.container)!;
        const image =
          nodes.image ?? (n.agent !== undefined ? inspected.get(n.agent)?.Config.Image : undefined);
        if (!image) {
          throw new Error(
            `node '${n.name}': no image for its probe container (set "image" in ${nodes.file}, or "agent")`,
          );
        }
        const c = await client.container.create({
          Image: image,
          Entrypoint: ["sleep", "infinity"],
          Cmd: [],
          Labels: { [VPCEMU_LABEL]: PROBE_CONTAINER_LABEL, "io.vpcemu.node": n.name },
          HostConfig: { NetworkMode: `container:${app.Id}` },
        });
        probeContainers.set(n.name, c);
        await client.container.start(c);
        const has = await client.container.exec(
          c,
          ["node", "-e", "require('node:fs').accessSync(process.argv[1])", IMAGE_PROBE_SCRIPT],
          {
            log: false,
          },
        );
        if (has.exitCode !== 0) {
          throw new Error(
            `node '${n.name}': image ${image} has no ${IMAGE_PROBE_SCRIPT} (use the vpcemu image: "image" in ${nodes.file})`,
          );
        }
      }),
    );
    const failed = started.find((r) => r.status === "rejected");
    if (failed) {
      await removeProbeContainers();
      throw failed.reason;
    }
  }
  const probeContainer = (ref: string): Container => {
    const c = probeContainers.get(node(ref).name);
    if (!c) throw new Error(`node '${ref}' has no probe container`);
    return c;
  };

  /** Runs a command in a container; "timeout" when it did not end within `ms`. */
  const execIn = async (c: Container, cmd: string[], ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ms);
    });
    try {
      return await Promise.race([client.container.exec(c, cmd, { log: false }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const probe = async (from: string, args: string[], timeoutMs: number): Promise<ProbeAnswer> => {
    const r = await execIn(
      probeContainer(from),
      ["node", IMAGE_PROBE_SCRIPT, ...args],
      timeoutMs + 10_000,
    );
    if (r === "timeout") return { ok: false, error: "timeout" };
    const parsed = lastJsonLine(r.stdout);
    return parsed ?? { ok: false, error: `no result: ${r.stderr.trim() || r.output.trim()}` };
  };

  // Process faults: restores the run owes (a kill's restart, a pause's end), keyed by node.
  const pending = new Map<
    string,
    { timer: NodeJS.Timeout; what: string; run: () => Promise<void> }
  >();
  const inFlight = new Set<Promise<void>>();
  const schedule = (name: string, what: string, ms: number, run: () => Promise<void>) => {
    const fire = () => {
      pending.delete(name);
      const p = run()
        .catch((err: unknown) => log(`${what}: ${(err as Error).message}`))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      return p;
    };
    pending.set(name, { timer: setTimeout(() => void fire(), ms), what, run });
  };
  const cancelPending = (name: string) => {
    const p = pending.get(name);
    if (p) clearTimeout(p.timer);
    pending.delete(name);
  };
  const agentOf = (n: ContainerNode): Container => {
    if (n.agent === undefined)
      throw new Error(`node '${n.name}' has no agent container in ${nodes.file}`);
    return client.container.getById(n.agent);
  };
  /** Until the node's agent is connected, enforces the current revision and has its TUN back. */
  const waitReady = async (n: ContainerNode) => {
    const agent = agentOf(n);
    const agentId = (() => {
      try {
        return agentIdOf(n.name);
      } catch {
        return undefined;
      }
    })();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = "not ready";
    for (;;) {
      try {
        const ready = agentId === undefined || (await agentEnforces(opts.endpoint, agentId));
        if (!ready) last = `agent ${agentId} not connected at the current revision`;
        else {
          const addr = await client.container.exec(agent, ["ip", "-o", "addr", "show"], {
            log: false,
          });
          if (addr.exitCode === 0 && addr.output.includes(` ${n.address}/`)) return;
          last = `no interface has ${n.address} yet`;
        }
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the agent of node '${n.name}' not ready within ${READY_TIMEOUT_MS} ms (${last})`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  const startAgent = async (n: ContainerNode) => {
    const agent = agentOf(n);
    const s = (await client.container.inspect(agent)).State;
    if (s.Paused) await agent.unpause();
    else if (!s.Running) await agent.start();
    await waitReady(n);
  };

  // RT-17: from an external node, an instance is dialled at its public IP.
  const targetOf = probeTargetResolver(opts.endpoint);
  const env: RunEnv = {
    ...controllerRunEnv({ endpoint: opts.endpoint, ec2Endpoint: opts.endpoint, agentIdOf, log }),
    async startServers(list) {
      for (const s of list) {
        const c = probeContainer(s.node);
        const args =
          s.protocol === "http"
            ? ["http-server", String(s.port), `hello from ${node(s.node).name}`]
            : ["echo-server", s.protocol, String(s.port)];
        const exec = await c.exec({
          Cmd: ["node", IMAGE_PROBE_SCRIPT, ...args],
          AttachStdout: true,
          AttachStderr: true,
        });
        const stream = await exec.start({ hijack: true, stdin: false });
        servers.push(stream);
        const out = new PassThrough();
        const errOut = new PassThrough();
        client.container.dockerode.modem.demuxStream(stream, out, errOut);
        let stderr = "";
        errOut.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        await new Promise<void>((resolve, reject) => {
          const what = `${s.protocol} server on ${s.node}:${s.port}`;
          const timer = setTimeout(
            () => reject(new Error(`${what} did not start: ${stderr}`)),
            15_000,
          );
          createInterface({ input: out }).once("line", () => {
            clearTimeout(timer);
            resolve();
          });
          stream.once("end", () => {
            clearTimeout(timer);
            reject(new Error(`${what} exited: ${stderr.trim()}`));
          });
        });
      }
    },
    stopServers: async () => {
      targetOf.destroy();
      await removeProbeContainers();
    },
    async reach(p) {
      const host = await targetOf(
        isIpv4(p.from) ? p.from : node(p.from).address,
        isIpv4(p.to) ? p.to : node(p.to).address,
      );
      if (p.protocol === "icmp") {
        const s = Math.max(1, Math.round(p.timeoutMs / 1000));
        const r = await execIn(
          probeContainer(p.from),
          ["ping", "-n", "-c", "1", "-W", String(s), host],
          (s + 10) * 1000,
        );
        if (r === "timeout") return { ok: false, error: "timeout" };
        return pingAnswer(r.stdout);
      }
      const mode = { tcp: "tcp-request", http: "http-get", udp: "udp-request" }[p.protocol];
      return probe(p.from, [mode, host, String(p.port), String(p.timeoutMs)], p.timeoutMs);
    },
    async processFault(op, ref, ms) {
      const n = node(ref);
      const agent = agentOf(n);
      const short = n.agent!.slice(0, 12);
      switch (op) {
        case "kill-agent": {
          const down = ms ?? 1000;
          cancelPending(n.name);
          const s = (await client.container.inspect(agent)).State;
          if (s.Paused) await agent.unpause();
          if (s.Running) await agent.kill({ signal: "SIGKILL" });
          const deadline = Date.now() + 10_000;
          while ((await client.container.inspect(agent)).State.Running) {
            if (Date.now() > deadline)
              throw new Error(`agent ${short} of '${n.name}' still runs after docker kill`);
            await new Promise((r) => setTimeout(r, 100));
          }
          schedule(n.name, `starting the agent of '${n.name}'`, down, () => startAgent(n));
          return `killed the agent of '${n.name}' (container ${short}); it starts again after ${formatDuration(down)}`;
        }
        case "pause-agent": {
          cancelPending(n.name);
          const s = (await client.container.inspect(agent)).State;
          if (!s.Running)
            throw new Error(
              `the agent of '${n.name}' (container ${short}) is not running (${s.Status})`,
            );
          if (!s.Paused) await agent.pause();
          if (ms !== undefined) {
            schedule(n.name, `unpausing the agent of '${n.name}'`, ms, async () => {
              if ((await client.container.inspect(agent)).State.Paused) await agent.unpause();
            });
          }
          return `paused the agent of '${n.name}' (container ${short})${ms !== undefined ? ` for ${formatDuration(ms)}` : ""}`;
        }
        case "restart-agent": {
          cancelPending(n.name);
          const s = (await client.container.inspect(agent)).State;
          if (s.Paused) await agent.unpause();
          await agent.restart({ t: 2 });
          await waitReady(n);
          return `restarted the agent of '${n.name}' (container ${short}); it is ready`;
        }
      }
    },
  };

  return {
    env,
    close: () =>
      (closed ??= (async () => {
        // Why: the local runtime's `up` would restore a killed or paused agent after the run; here
        // nothing outlives the run, so what is still owed is done now.
        const owed = [...pending.entries()];
        for (const [name, p] of owed) {
          clearTimeout(p.timer);
          pending.delete(name);
          log(`end of run: ${p.what} now`);
          await p.run().catch((err: unknown) => log(`${p.what}: ${(err as Error).message}`));
        }
        await Promise.all([...inFlight]);
        await removeProbeContainers();
      })()),
  };
}

/** GET /v1/agents and /v1/revision: the agent is connected and enforces the current revision. */
async function agentEnforces(endpoint: string, agentId: string): Promise<boolean> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(new URL(path, endpoint), {
      headers: jsonApiAuthHeaders(),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const { agents } = await get<{
    agents: { agentId: string; connected: boolean; enforcedRevision: number }[];
  }>("/v1/agents");
  const { revision } = await get<{ revision: number }>("/v1/revision");
  const a = agents.find((x) => x.agentId === agentId);
  return a !== undefined && a.connected && a.enforcedRevision >= revision;
}

/** The last JSON line of a probe client's output (its result). */
export function lastJsonLine(text: string): ProbeAnswer | undefined {
  for (const line of text.trim().split("\n").reverse()) {
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === "object" && "ok" in v) return v as ProbeAnswer;
    } catch {
      // Why: not a result line (e.g. a warning); keep looking.
    }
  }
  return undefined;
}

/** `ping -c 1` output -> the probe's answer (iputils' summary lines). */
export function pingAnswer(stdout: string): ProbeAnswer {
  const received = Number(/(\d+) (?:packets )?received/.exec(stdout)?.[1] ?? 0);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(stdout)?.[1];
  return received > 0
    ? { ok: true, ...(rtt !== undefined ? { ms: Number(rtt) } : {}) }
    : { ok: false, error: "timeout" };
}
