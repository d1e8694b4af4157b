/**
 * The `vpcemu agent` command's surface: argument parsing into a validated AgentConfig, the
 * controller URL it dials, and the exit code for wrong arguments (a real process).
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hubUrl, parseAgentArgs } from "../../cli/commands/agent.js";
import { UsageError } from "../../cli/commands/usage.js";
import { AgentConfigError, sanitizeAgentConfig, tunNameFor } from "../../node-agent/config.js";

describe("vpcemu agent arguments", () => {
  it("parses the local runtime's invocation", () => {
    const c = parseAgentArgs([
      "--controller",
      "http://127.0.0.1:4566",
      "--agent-id",
      "agent-web",
      "--netns",
      "vpcemu-web",
      "--instance",
      "i-0123456789abcdef0",
      "--instance",
      "i-0fedcba9876543210",
    ])!;
    expect(c.placement).toEqual({ kind: "netns", netns: "vpcemu-web" });
    expect(c.instanceIds).toEqual(["i-0123456789abcdef0", "i-0fedcba9876543210"]);
    expect(c.tunBaseName).toBe("eth0");
    expect(c.underlayBind).toBe("127.0.0.1:0");
    expect(c.mtu).toBe(9001);
  });

  it("parses the container sidecar's invocation", () => {
    const c = parseAgentArgs([
      "--controller",
      "http://controller:4566",
      "--agent-id",
      "agent-app",
      "--external",
      "internet=198.51.100.10",
      "--in-place",
      "--underlay",
      "172.28.0.5:6081",
      "--join-token",
      "s3cret",
      "--conntrack-max",
      "100",
      "--auto-tracked",
    ])!;
    expect(c.placement).toEqual({ kind: "in-place" });
    expect(c.externals).toEqual([{ name: "internet", address: "198.51.100.10" }]);
    expect(c.tunBaseName).toBe("vpc0");
    expect([c.underlayBind, c.joinToken, c.conntrackMax, c.autoTracked]).toEqual([
      "172.28.0.5:6081",
      "s3cret",
      100,
      true,
    ]);
  });

  it.each([
    [["--agent-id", "a", "--instance", "i-1"], /--controller is required/],
    [["--controller", "http://x:1", "--instance", "i-1"], /--agent-id is required/],
    [["--controller", "http://x:1", "--agent-id", "a"], /at least one --instance/],
    [["--controller", "http://x:1", "--agent-id", "a", "--external", "internet"], /NAME=ADDRESS/],
    [
      [
        "--controller",
        "http://x:1",
        "--agent-id",
        "a",
        "--instance",
        "i-1",
        "--netns",
        "n",
        "--in-place",
      ],
      /exclude each other/,
    ],
    [
      ["--controller", "http://x:1", "--agent-id", "a", "--instance", "i-1", "--mtu", "big"],
      /--mtu must be a number/,
    ],
    [["--controller", "http://x:1", "--agent-id", "a", "--instance", "i-1", "--bogus"], /bogus/],
  ])("rejects %j", (args, message) => {
    expect(() => parseAgentArgs(args)).toThrow(UsageError);
    expect(() => parseAgentArgs(args)).toThrow(message);
  });

  it("dials the agent hub path of an http controller URL", () => {
    expect(hubUrl("http://127.0.0.1:4566")).toBe("ws://127.0.0.1:4566/v1/agents/ws");
    expect(hubUrl("https://ctl.example:443/")).toBe("wss://ctl.example/v1/agents/ws");
    expect(hubUrl("ws://h:1/custom")).toBe("ws://h:1/custom");
  });

  it("exits 2 with the reason for wrong arguments", () => {
    const r = spawnSync(process.execPath, ["bin/vpcemu.js", "agent", "--agent-id", "a"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--controller is required/);
  });
});

describe("sanitizeAgentConfig", () => {
  it.each([
    [{ agentId: "bad id" }, /agent id/],
    [{ agentId: "a", controllerUrl: "ftp://x" }, /controller URL/],
    [{ agentId: "a", instanceIds: ["x-1"] }, /instance id/],
    [
      { agentId: "a", externals: [{ name: "internet", address: "300.1.1.1" }] },
      /not an IP address/,
    ],
    [{ agentId: "a", underlayBind: "127.0.0.1" }, /HOST:PORT/],
    [{ agentId: "a", mtu: 500 }, /MTU/],
    [{ agentId: "a", tunBaseName: "eth" }, /TUN name/],
  ])("names the offending value: %j", (input, message) => {
    expect(() => sanitizeAgentConfig(input)).toThrow(AgentConfigError);
    expect(() => sanitizeAgentConfig(input)).toThrow(message);
  });

  it("numbers further TUN devices after the first", () => {
    expect([0, 1, 2].map((i) => tunNameFor("eth0", i))).toEqual(["eth0", "eth1", "eth2"]);
    expect(tunNameFor("vpc3", 1)).toBe("vpc4");
  });
});
