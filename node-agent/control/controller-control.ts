/**
 * An AgentControl (node-agent/agent.ts) over the real ControllerClient (ws + protobuf,
 * reconnect and resync). The snapshot and conntrack handlers are bound when the agent starts.
 */
import type { AgentControl } from "../agent.js";
import type { AgentSnapshot } from "../filter/policy.js";
import { ControllerClient, type ControllerClientOptions } from "./controller-client.js";
import type { CaptureControl, EniConntrackReport, TraceControl } from "./wire.js";

/** See the module comment; `client` is exposed for tests and the CLI (connection state). */
export function controllerControl(
  opts: Omit<
    ControllerClientOptions,
    "onSnapshot" | "onConntrackRequest" | "onCaptureControl" | "onTraceControl"
  >,
): AgentControl & { readonly client: ControllerClient } {
  let onSnapshot: ((s: AgentSnapshot) => Promise<void>) | undefined;
  let onRequest: ((eniIds: readonly string[]) => readonly EniConntrackReport[]) | undefined;
  let onCapture: ((c: CaptureControl) => void) | undefined;
  let onTrace: ((c: TraceControl) => void) | undefined;
  const client = new ControllerClient({
    ...opts,
    onSnapshot: (s) => {
      if (!onSnapshot) throw new Error("snapshot before the agent started");
      return onSnapshot(s);
    },
    onConntrackRequest: (eniIds) => onRequest?.(eniIds) ?? [],
    onCaptureControl: (c) => onCapture?.(c),
    onTraceControl: (c) => onTrace?.(c),
  });
  return {
    client,
    onSnapshot: (h) => (onSnapshot = h),
    onConntrackRequest: (h) => (onRequest = h),
    sendConntrackReport: (r) => void client.sendConntrackReport(r),
    sendCounters: (c) => void client.sendCounters(c),
    sendFlowLogs: (r) => void client.sendFlowLogs(r),
    onCaptureControl: (h) => (onCapture = h),
    sendCapturedPackets: (c) => client.sendCapturedPackets(c),
    backlogBytes: () => client.bufferedBytes(),
    onTraceControl: (h) => (onTrace = h),
    sendVerdictEvents: (b) => client.sendVerdictEvents(b),
    sendAuditEvents: (b) => client.sendAuditEvents(b),
    start: async () => client.start(),
    close: () => client.close(),
  };
}
