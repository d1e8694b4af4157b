/**
 * `vpcemu conntrack NODE [-o json]`: a node's connection tracking table like `conntrack -L`,
 * with the SG rule that admitted each flow.
 */
import { fetchConntrack, formatConntrackTable } from "../runtime/conntrack-view.js";
import { findNode, readRuntimeState, runtimeDir, stateFilePath } from "../runtime/runtime-state.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu conntrack [--runtime-dir DIR] NODE [-o json]

Shows NODE's tracked connections (NODE: instance id, Name tag or address) with the security
group rule that admitted each one. Untracked flows never appear (AWS-BEHAVIOUR CT-14).`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { output: { type: "string", short: "o" }, "runtime-dir": { type: "string" } },
    USAGE,
    true,
  );
  if (!parsed) return 0;
  const output = (parsed.values.output as string | undefined) ?? "text";
  if (output !== "text" && output !== "json")
    throw new UsageError(`-o must be 'json' or 'text'\n${USAGE}`);
  if (parsed.positionals.length !== 1) throw new UsageError(`expected one NODE\n${USAGE}`);
  const dir = runtimeDir(parsed.values["runtime-dir"] as string | undefined);
  const state = readRuntimeState(dir);
  if (!state)
    throw new Error(
      `no local runtime (${stateFilePath(dir)} does not exist): start one with 'vpcemu up'`,
    );
  const ref = parsed.positionals[0]!;
  const node = findNode(state, ref);
  if (!node)
    throw new Error(`unknown node '${ref}' (nodes: ${state.nodes.map((n) => n.name).join(", ")})`);
  if (node.instanceId === undefined) {
    throw new Error(
      `'${node.name}' is outside every VPC: it has no security groups and no conntrack table`,
    );
  }
  const reports = await fetchConntrack(state.controllerUrl, node.instanceId);
  if (output === "json") process.stdout.write(JSON.stringify(reports, null, 2) + "\n");
  else process.stdout.write(formatConntrackTable(reports, Date.now()) + "\n");
  return 0;
}
