import { describe, expect, it } from "vitest";
import {
  containerProblems,
  findContainerNode,
  nodeRefs,
  nodesWithoutAgent,
  parseNodesFile,
  unknownNodeIssues,
  type ContainerState,
} from "../../../../cli/chaos/experiment-nodes.js";
import { ExperimentError, parseExperiment } from "../../../../cli/chaos/experiment-spec.js";
import { lastJsonLine, pingAnswer } from "../../../../cli/chaos/experiment-containers.js";

const NODES = `{
  "image": "vpcemu:local",
  "nodes": {
    "web": { "container": "app-web", "address": "10.0.1.10", "agent": "side-web", "agentId": "agent-i-1" },
    "db": { "container": "app-db", "address": "10.0.2.20" }
  }
}
`;

const EXP = `title: t
servers:
  - { node: db, tcp: 3306 }
hypothesis:
  probes:
    - name: web-to-db
      tcp: { from: web, to: db, port: 3306 }
    - name: web-to-ip
      icmp: { from: web, to: 10.0.2.20 }
    - name: db-conntrack
      counter: { node: db, name: conntrack_allowance_exceeded, max: 0 }
method:
  - kill-agent: { node: web, for: 1s }
  - restart-agent: { node: cache }
`;

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExperimentError);
    return (err as ExperimentError).message.split("\n");
  }
  throw new Error("expected an ExperimentError");
}

describe("parseNodesFile", () => {
  it("reads nodes with their container, address, agent and agent id", () => {
    const nodes = parseNodesFile(NODES, "nodes.json");
    expect(nodes).toEqual({
      file: "nodes.json",
      image: "vpcemu:local",
      nodes: [
        {
          name: "web",
          container: "app-web",
          address: "10.0.1.10",
          agent: "side-web",
          agentId: "agent-i-1",
        },
        { name: "db", container: "app-db", address: "10.0.2.20" },
      ],
    });
    expect(findContainerNode(nodes, "db")?.container).toBe("app-db");
    expect(findContainerNode(nodes, "10.0.1.10")?.name).toBe("web");
    expect(findContainerNode(nodes, "cache")).toBeUndefined();
  });

  it("takes YAML too, and two names for one container", () => {
    const nodes = parseNodesFile(
      "nodes:\n  web: { container: a, address: 10.0.1.10 }\n  frontend: { container: a, address: 10.0.1.10 }\n",
      "n.yaml",
    );
    expect(nodes.nodes.map((n) => n.name)).toEqual(["web", "frontend"]);
  });

  it("names every offending value with its line and field", () => {
    const text = `{
  "nodes": {
    "web": { "container": "a", "address": "10.0.1" },
    "db": { "address": "10.0.2.20", "agnet": "x" },
    "bad name": { "container": "c", "address": "10.0.3.3" },
    "cache": { "container": 7, "address": "10.0.4.4" }
  },
  "colour": "blue"
}`;
    expect(issuesOf(() => parseNodesFile(text, "nodes.json"))).toEqual([
      "nodes.json:3: nodes.web.address: expected an IPv4 address, got '10.0.1'",
      "nodes.json:4: nodes.db.agnet: unknown field (expected container, address, agent, agentId)",
      "nodes.json:4: nodes.db.container: required field missing",
      "nodes.json:5: nodes.bad name: node name 'bad name': letters, digits, '.', '_', '-' (at most 64)",
      "nodes.json:6: nodes.cache.container: expected a non-empty string, got 7",
      "nodes.json:8: colour: unknown field (expected 'image' or 'nodes')",
    ]);
  });

  it("refuses text that is not JSON or YAML, and a file without nodes", () => {
    expect(issuesOf(() => parseNodesFile('{ "nodes": {', "n.json"))[0]).toMatch(
      /^n\.json:1: not valid JSON or YAML: /,
    );
    expect(issuesOf(() => parseNodesFile('{ "image": "x" }', "n.json"))).toEqual([
      "n.json:1: nodes: required field missing",
    ]);
    expect(issuesOf(() => parseNodesFile("[1, 2]", "n.json"))).toEqual([
      "n.json:1: expected a mapping with 'nodes'",
    ]);
  });
});

describe("node references of an experiment", () => {
  const exp = parseExperiment(EXP, "exp.yaml");
  const nodes = parseNodesFile(NODES, "nodes.json");

  it("lists every node once, at its first use; an address is no node", () => {
    expect(nodeRefs(exp).map((r) => `${r.ref}@${r.line}`)).toEqual(["db@3", "web@6", "cache@14"]);
  });

  it("names an unknown node at the experiment line using it, with the nodes the file has", () => {
    expect(
      unknownNodeIssues(exp, nodes).map((i) => `${i.at.file}:${i.at.line}: ${i.message}`),
    ).toEqual(["exp.yaml:14: unknown node 'cache' (nodes.json has: web, db)"]);
  });

  it("names a process fault on a node without an agent container", () => {
    const e = parseExperiment(
      EXP.replace("restart-agent: { node: cache }", "pause-agent: { node: db, for: 1s }"),
      "exp.yaml",
    );
    expect(nodesWithoutAgent(e, nodes).map((i) => `${i.at.line}: ${i.message}`)).toEqual([
      `14: pause-agent: node 'db' has no agent container in nodes.json (add "agent")`,
    ]);
  });
});

describe("containerProblems", () => {
  const exp = parseExperiment(EXP.replace("  - restart-agent: { node: cache }\n", ""), "exp.yaml");
  const nodes = parseNodesFile(NODES, "nodes.json");
  const running: ContainerState = { running: true, paused: false, status: "running" };

  it("is empty when every app container runs and the agents exist (a stopped agent is fine)", () => {
    const states: Record<string, ContainerState> = {
      "app-web": running,
      "app-db": running,
      "side-web": { running: false, paused: false, status: "exited" },
    };
    expect(containerProblems(exp, nodes, (c) => states[c])).toEqual([]);
  });

  it("names the node, the container and what is wrong: gone, not running, agent gone", () => {
    const states: Record<string, ContainerState> = {
      "app-web": { running: false, paused: false, status: "exited" },
    };
    expect(containerProblems(exp, nodes, (c) => states[c])).toEqual([
      "node 'db': container app-db is gone (no such container)",
      "node 'web': container app-web is not running (exited)",
      "node 'web': agent container side-web is gone (no such container)",
    ]);
  });
});

describe("probe output", () => {
  it("reads a probe client's last JSON result line", () => {
    expect(lastJsonLine('warning: x\n{"ok":true,"ms":1.5}\n')).toEqual({ ok: true, ms: 1.5 });
    expect(lastJsonLine('{"listening":80}\n')).toBeUndefined();
    expect(lastJsonLine("")).toBeUndefined();
  });

  it("reads ping's summary: one reply and its round trip, or none", () => {
    const ok =
      "1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.402/0.402/0.402/0.000 ms\n";
    expect(pingAnswer(ok)).toEqual({ ok: true, ms: 0.402 });
    expect(pingAnswer("1 packets transmitted, 0 received, 100% packet loss, time 0ms\n")).toEqual({
      ok: false,
      error: "timeout",
    });
  });
});
