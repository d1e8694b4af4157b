/**
 * `vpcemu agent-host`: one process hosting the agents of many nodes of the local runtime
 * (docs/local-runtime.md "Agent processes"). Started by `vpcemu up` with an IPC channel; each
 * node's agent is an Agent of its own (cli/runtime/agent-host-protocol.ts), started and stopped
 * by messages. Runs until SIGINT/SIGTERM or until its `up` goes away (the channel closes), then
 * stops every agent (devices removed, sessions closed) and exits 0.
 *
 * Exit codes: 0 after a signal or a closed channel, 2 when not started with an IPC channel.
 */
import type { StartedAgent } from "../../node-agent/agent.js";
import { AgentConfigError } from "../../node-agent/config.js";
import {
  AGENT_HOST_IPC_ENV,
  type AgentHostEvent,
  type AgentHostRequest,
} from "../runtime/agent-host-protocol.js";
import { agentLogger, parseAgentArgs, startNodeAgent } from "./agent.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu agent-host

Hosts the node agents of many nodes in one process. 'vpcemu up' starts it (--agent-processes)
and hands it nodes over an IPC channel; it is not meant to be run by hand.`;

interface Hosted {
  /** Settles once the agent runs (or failed to start: undefined). */
  readonly starting: Promise<StartedAgent | undefined>;
  readonly flags: { stopRequested: boolean };
}

export async function run(args: string[]): Promise<number> {
  if (!parseCommandArgs(args, {}, USAGE)) return 0;
  // Why the variable too: a process may have an IPC channel that is not up's (a test runner's).
  const send = process.env[AGENT_HOST_IPC_ENV] === "1" ? process.send?.bind(process) : undefined;
  if (send === undefined) {
    throw new UsageError(
      `vpcemu agent-host takes its nodes from 'vpcemu up' over an IPC channel\n${USAGE}`,
    );
  }
  const emit = (e: AgentHostEvent): void => {
    if (process.connected) send(e);
  };
  const stamp = (): string => new Date().toISOString();
  const log = (m: string): void => {
    process.stderr.write(`${stamp()} agent-host ${process.pid}: ${m}\n`);
  };
  const hosted = new Map<string, Hosted>();

  const start = (agentId: string, agentArgs: readonly string[], agentKey: string): void => {
    if (hosted.has(agentId)) {
      emit({ type: "start-failed", agentId, message: `agent ${agentId} already runs here` });
      return;
    }
    const alog = agentLogger(agentId);
    const flags = { stopRequested: false };
    const entry: Hosted = {
      flags,
      starting: (async () => {
        try {
          const config = parseAgentArgs(agentArgs);
          if (!config) throw new Error("no configuration");
          const agent = await startNodeAgent(config, { agentKey, keyFile: undefined }, alog);
          if (flags.stopRequested) {
            emit({ type: "start-failed", agentId, message: "stopped while starting" });
            return agent;
          }
          emit({ type: "started", agentId, underlay: agent.underlayEndpoint });
          return agent;
        } catch (err) {
          const message =
            err instanceof AgentConfigError || err instanceof UsageError
              ? err.message.split("\n")[0]!
              : (err as Error).message;
          alog.warn(message);
          hosted.delete(agentId);
          emit({ type: "start-failed", agentId, message });
          return undefined;
        }
      })(),
    };
    hosted.set(agentId, entry);
  };

  const stop = async (agentId: string): Promise<void> => {
    const entry = hosted.get(agentId);
    if (entry !== undefined) {
      entry.flags.stopRequested = true;
      const agent = await entry.starting;
      if (agent !== undefined) {
        agentLogger(agentId).info("stopping");
        await agent.stop().catch((err: unknown) => log(`${agentId}: stop: ${String(err)}`));
      }
      hosted.delete(agentId);
    }
    emit({ type: "stopped", agentId });
  };

  process.on("message", (m: AgentHostRequest) => {
    if (m.op === "start") start(m.agentId, m.args, m.agentKey);
    else if (m.op === "stop") void stop(m.agentId);
  });
  log("ready");
  emit({ type: "ready", pid: process.pid });
  const why = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("disconnect", () => resolve("its 'vpcemu up' is gone (IPC channel closed)"));
  });
  log(`${why}: stopping ${hosted.size} agents`);
  await Promise.all([...hosted.keys()].map((id) => stop(id)));
  process.removeAllListeners("message");
  if (process.connected) process.disconnect();
  return 0;
}
