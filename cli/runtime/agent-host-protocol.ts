/**
 * Messages between `vpcemu up` and its agent host processes (`vpcemu agent-host`, one per core
 * by default), over the Node.js IPC channel of the child process. A host runs one Agent per node
 * (its own agent id, key, controller session, underlay socket and TUN), so the controller sees
 * exactly what it sees from one `vpcemu agent` process per node.
 *
 *   up                                  agent-host
 *    |  <------------- ready {pid}  ------  (listening for messages)
 *    |  start {agentId, args, agentKey} ->  parseAgentArgs(args) -> startNodeAgent()
 *    |  <------ started {agentId, underlay} | start-failed {agentId, message}
 *    |  stop {agentId} ------------------->  agent.stop() (TUN removed, session closed)
 *    |  <------------------- stopped {agentId}
 *
 * `args` are the arguments a `vpcemu agent` of that node would get; the key travels only in the
 * message (never on a command line). The host exits when the channel closes (its `up` is gone)
 * or on SIGINT/SIGTERM, stopping its agents first.
 */

/** Set to 1 in the environment of a `vpcemu agent-host` that `up` spawned with an IPC channel. */
export const AGENT_HOST_IPC_ENV = "VPCEMU_AGENT_HOST_IPC";

/** up -> host. */
export type AgentHostRequest =
  | {
      readonly op: "start";
      readonly agentId: string;
      /** `vpcemu agent` arguments of the node (--controller, --agent-id, --netns, ...). */
      readonly args: readonly string[];
      readonly agentKey: string;
    }
  | { readonly op: "stop"; readonly agentId: string };

/** host -> up. */
export type AgentHostEvent =
  | { readonly type: "ready"; readonly pid: number }
  | { readonly type: "started"; readonly agentId: string; readonly underlay: string }
  | { readonly type: "start-failed"; readonly agentId: string; readonly message: string }
  | { readonly type: "stopped"; readonly agentId: string };
