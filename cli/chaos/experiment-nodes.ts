/**
 * The nodes file of `vpcemu chaos run --nodes nodes.json` (docs/experiments.md): which Docker
 * container each node name of an experiment stands for, when the nodes are app containers with
 * agent sidecars (the testcontainers module's `runExperiment`, a compose stack) instead of the
 * local runtime's namespaces.
 *
 *   { "image": "vpcemu:local",                        (optional: image of the probe containers)
 *     "nodes": { "web": { "container": "3f2a...",     app container (its network namespace)
 *                         "address": "10.0.1.10",      private IP the probes go to
 *                         "agent": "9b1c...",          agent sidecar (process faults; optional)
 *                         "agentId": "agent-i-..." } } }   (counter probes; optional)
 *
 * Pure: parses text, checks names; every problem is an ExperimentError issue with the file, line
 * and field, naming the offending value.
 */
import { isMap, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { TopologyIssue } from "../topology/yaml-reader.js";
import { ExperimentError, type Experiment } from "./experiment-spec.js";

/** One node: an app container joined to the VPC (or an external node). */
export interface ContainerNode {
  readonly name: string;
  /** Id or name of the app container; probes and servers run in its network namespace. */
  readonly container: string;
  /** The node's private IPv4 (or external address): where probes `to` the node go. */
  readonly address: string;
  /** Id or name of the agent sidecar container (kill-agent, pause-agent, restart-agent). */
  readonly agent?: string;
  /** The agent's id at the controller (GET /v1/agents), for counter probes. */
  readonly agentId?: string;
}

export interface ContainerNodes {
  readonly file: string;
  /** Image of the probe containers; default: the image of a node's agent (or app) container. */
  readonly image?: string;
  readonly nodes: readonly ContainerNode[];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NODE_KEYS = ["container", "address", "agent", "agentId"];

/** True for a dotted-quad IPv4 address (a probe's `to` may be one instead of a node). */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** Parses and checks a nodes file's text (JSON or YAML; `file` is used in messages only). */
export function parseNodesFile(text: string, file: string): ContainerNodes {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (n: unknown): number => {
    const range = (n as YamlNode | undefined)?.range;
    return range ? lines.linePos(range[0]).line : 1;
  };
  const issues: TopologyIssue[] = [];
  const issue = (n: unknown, path: string, message: string) =>
    issues.push({ at: { file, line: lineOf(n), path }, message });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      issues.push({
        at: { file, line: e.linePos?.[0]?.line ?? 1, path: "" },
        message: `not valid JSON or YAML: ${e.message.split("\n")[0]}`,
      });
    }
    throw new ExperimentError(issues);
  }
  const root = doc.contents;
  if (!isMap(root)) {
    issue(root, "", "expected a mapping with 'nodes'");
    throw new ExperimentError(issues);
  }
  let image: string | undefined;
  const nodes: ContainerNode[] = [];
  for (const pair of root.items) {
    const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
    if (key === "image") {
      const v = (pair.value as { value?: unknown } | null)?.value;
      if (typeof v !== "string" || v === "") issue(pair.value, "image", "expected an image name");
      else image = v;
    } else if (key !== "nodes") {
      issue(pair.key, key, `unknown field (expected 'image' or 'nodes')`);
    }
  }
  const list = root.get("nodes", true) as YamlNode | undefined;
  if (list === undefined) issue(root, "nodes", "required field missing");
  else if (!isMap(list)) issue(list, "nodes", "expected a mapping from node name to container");
  else {
    for (const pair of list.items) {
      const name = String((pair.key as { value?: unknown })?.value ?? pair.key);
      const path = `nodes.${name}`;
      if (!NODE_NAME.test(name)) {
        issue(pair.key, path, `node name '${name}': letters, digits, '.', '_', '-' (at most 64)`);
      }
      const body = pair.value as YamlNode | null;
      if (!isMap(body)) {
        issue(body ?? pair.key, path, "expected { container, address, agent?, agentId? }");
        continue;
      }
      const field = (k: string): { node: unknown; value: unknown } => {
        const n = body.get(k, true) as { value?: unknown } | undefined;
        return { node: n, value: n?.value };
      };
      for (const p of body.items) {
        const k = String((p.key as { value?: unknown })?.value ?? p.key);
        if (!NODE_KEYS.includes(k)) {
          issue(p.key, `${path}.${k}`, `unknown field (expected ${NODE_KEYS.join(", ")})`);
        }
      }
      const strings: Partial<Record<string, string>> = {};
      for (const k of NODE_KEYS) {
        const f = field(k);
        if (f.node === undefined) {
          if (k === "container" || k === "address")
            issue(body, `${path}.${k}`, "required field missing");
          continue;
        }
        if (typeof f.value !== "string" || f.value === "") {
          issue(
            f.node,
            `${path}.${k}`,
            `expected a non-empty string, got ${JSON.stringify(f.value)}`,
          );
          continue;
        }
        strings[k] = f.value;
      }
      if (strings.address !== undefined && !isIpv4(strings.address)) {
        issue(
          field("address").node,
          `${path}.address`,
          `expected an IPv4 address, got '${strings.address}'`,
        );
        continue;
      }
      if (strings.container === undefined || strings.address === undefined) continue;
      nodes.push({
        name,
        container: strings.container,
        address: strings.address,
        ...(strings.agent !== undefined ? { agent: strings.agent } : {}),
        ...(strings.agentId !== undefined ? { agentId: strings.agentId } : {}),
      });
    }
  }
  if (issues.length > 0) throw new ExperimentError(issues.sort((a, b) => a.at.line - b.at.line));
  return { file, ...(image !== undefined ? { image } : {}), nodes };
}

/** A node by name, else by address; undefined when none matches. */
export function findContainerNode(nodes: ContainerNodes, ref: string): ContainerNode | undefined {
  return nodes.nodes.find((n) => n.name === ref) ?? nodes.nodes.find((n) => n.address === ref);
}

/** Every node name an experiment uses, each with where it is first used. */
export function nodeRefs(exp: Experiment): { ref: string; line: number; path: string }[] {
  const refs = new Map<string, { ref: string; line: number; path: string }>();
  const add = (ref: string, at: { line: number; path: string }) => {
    if (!refs.has(ref)) refs.set(ref, { ref, line: at.line, path: at.path });
  };
  for (const s of exp.servers) add(s.node, s.at);
  for (const p of exp.probes) {
    if (p.kind === "reach") {
      add(p.from, p.at);
      if (!isIpv4(p.to)) add(p.to, p.at);
    } else if ("node" in p.source) add(p.source.node, p.at);
  }
  for (const s of exp.steps) if (s.kind === "process") add(s.node, s.at);
  return [...refs.values()];
}

/**
 * The experiment's node names the nodes file does not have, one issue each (at the experiment's
 * line that uses it); empty when all exist.
 */
export function unknownNodeIssues(exp: Experiment, nodes: ContainerNodes): TopologyIssue[] {
  const names = nodes.nodes.map((n) => n.name).join(", ") || "none";
  return nodeRefs(exp)
    .filter((r) => !findContainerNode(nodes, r.ref))
    .map((r) => ({
      at: { file: exp.file, line: r.line, path: r.path },
      message: `unknown node '${r.ref}' (${nodes.file} has: ${names})`,
    }));
}

/** What `docker inspect` said about one container (undefined: no such container). */
export interface ContainerState {
  readonly running: boolean;
  readonly paused: boolean;
  readonly status: string;
}

/**
 * Problems with the containers the experiment needs, naming node, container and state: the app
 * container of every used node must run; an agent sidecar named in the file must exist (a
 * stopped or paused one is fine: a process fault may have left it so).
 */
export function containerProblems(
  exp: Experiment,
  nodes: ContainerNodes,
  inspect: (container: string) => ContainerState | undefined,
): string[] {
  const problems: string[] = [];
  for (const r of nodeRefs(exp)) {
    const n = findContainerNode(nodes, r.ref);
    if (!n) continue;
    const app = inspect(n.container);
    if (!app)
      problems.push(`node '${n.name}': container ${n.container} is gone (no such container)`);
    else if (!app.running)
      problems.push(`node '${n.name}': container ${n.container} is not running (${app.status})`);
    if (n.agent !== undefined && !inspect(n.agent)) {
      problems.push(`node '${n.name}': agent container ${n.agent} is gone (no such container)`);
    }
  }
  return [...new Set(problems)];
}

/** The process-fault steps' nodes that have no agent container in the file. */
export function nodesWithoutAgent(exp: Experiment, nodes: ContainerNodes): TopologyIssue[] {
  return exp.steps.flatMap((s) => {
    if (s.kind !== "process") return [];
    const n = findContainerNode(nodes, s.node);
    return n && n.agent === undefined
      ? [
          {
            at: { file: exp.file, line: s.at.line, path: s.at.path },
            message: `${s.op}: node '${n.name}' has no agent container in ${nodes.file} (add "agent")`,
          },
        ]
      : [];
  });
}
