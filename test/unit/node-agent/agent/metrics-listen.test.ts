import { describe, expect, it } from "vitest";
import { parseAgentArgs } from "../../../../cli/commands/agent.js";
import { AgentConfigError, sanitizeAgentConfig } from "../../../../node-agent/config.js";

const base = ["--controller", "http://127.0.0.1:4566", "--agent-id", "a1", "--instance", "i-1"];

describe("--metrics-listen", () => {
  it("is off by default", () => {
    expect(parseAgentArgs(base)?.metricsListen).toBeUndefined();
  });

  it.each(["127.0.0.1:9464", "localhost:0", "[::1]:9464"])("takes loopback %s", (ep) => {
    expect(parseAgentArgs([...base, "--metrics-listen", ep])?.metricsListen).toBe(ep);
  });

  it("refuses a non-loopback host without a join token, as the controller does", () => {
    expect(() => sanitizeAgentConfig({ agentId: "a1", metricsListen: "0.0.0.0:9464" })).toThrow(
      /beyond loopback.*--join-token/,
    );
  });

  it("takes a non-loopback host with a join token", () => {
    const c = sanitizeAgentConfig({ agentId: "a1", metricsListen: "0.0.0.0:9464", joinToken: "t" });
    expect(c.metricsListen).toBe("0.0.0.0:9464");
  });

  it("names a malformed endpoint", () => {
    expect(() => sanitizeAgentConfig({ agentId: "a1", metricsListen: "9464" })).toThrow(
      AgentConfigError,
    );
  });
});
