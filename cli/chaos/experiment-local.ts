/**
 * The RunEnv of `vpcemu chaos run` against a running local runtime (`vpcemu up`): probes and
 * probe servers run inside the nodes' namespaces (cli/runtime/probes.ts, as `vpcemu exec` enters
 * them), process faults go through `up`'s control socket; faults, counters, EC2 rule changes, FIS
 * and probe alarms through the controller (experiment-controller.ts, shared with the Docker
 * nodes of experiment-containers.ts).
 */
import { Probes } from "../runtime/probes.js";
import { callRuntimeControl } from "../runtime/runtime-control.js";
import { findNode, type RuntimeState } from "../runtime/runtime-state.js";
import { controllerRunEnv, probeTargetResolver } from "./experiment-controller.js";
import { nodeRefs } from "./experiment-nodes.js";
import type { RunEnv } from "./experiment-run.js";
import type { Experiment } from "./experiment-spec.js";

/** Node names the experiment uses that the runtime does not have (empty when all exist). */
export function unknownNodes(exp: Experiment, state: RuntimeState): string[] {
  return nodeRefs(exp)
    .map((r) => r.ref)
    .filter((r) => !findNode(state, r));
}

export function localRunEnv(opts: {
  state: RuntimeState;
  runtimeDir: string;
  endpoint: string;
  log: (line: string) => void;
}): RunEnv {
  const { state, runtimeDir, endpoint } = opts;
  const node = (ref: string) => {
    const n = findNode(state, ref);
    if (!n)
      throw new Error(
        `unknown node '${ref}' (nodes: ${state.nodes.map((x) => x.name).join(", ")})`,
      );
    return n;
  };
  const probes = new Probes((ref) => node(ref).namespace);
  const addressOf = (ref: string) =>
    /^\d{1,3}(\.\d{1,3}){3}$/.test(ref) ? ref : node(ref).addresses[0]!;
  const ec2Endpoint = endpoint === state.controllerUrl ? state.ec2Endpoint : endpoint;
  // RT-17: from the internet node, an instance is dialled at its public IP.
  const targetOf = probeTargetResolver(ec2Endpoint);

  return {
    ...controllerRunEnv({
      endpoint,
      ec2Endpoint,
      agentIdOf: (ref) => node(ref).agentId,
      log: opts.log,
    }),
    async startServers(servers) {
      for (const s of servers) await probes.server(s.node, s.protocol, s.port);
    },
    stopServers: () => {
      targetOf.destroy();
      return probes.stopAll();
    },
    async reach(p) {
      // Only an external node (no instance) needs the public IP; instances dial private ones.
      const external = !/^\d{1,3}(\.\d{1,3}){3}$/.test(p.from) && !node(p.from).instanceId;
      const host = external ? await targetOf(addressOf(p.from), addressOf(p.to)) : addressOf(p.to);
      switch (p.protocol) {
        case "tcp":
          return probes.tcpRequest(p.from, host, p.port!, p.timeoutMs);
        case "http":
          return probes.httpGet(p.from, host, p.port!, p.timeoutMs);
        case "udp":
          return probes.udpRequest(p.from, host, p.port!, p.timeoutMs);
        case "icmp":
          return probes.ping(p.from, host, 1, Math.max(1, Math.round(p.timeoutMs / 1000)));
      }
    },
    async processFault(op, ref, ms) {
      const body =
        op === "pause-agent"
          ? { node: ref, durationMs: ms }
          : op === "kill-agent"
            ? { node: ref, downMs: ms ?? 1000 }
            : { node: ref };
      const r = await callRuntimeControl(runtimeDir, op, body);
      return r.message;
    },
  };
}
