import { describe, expect, it } from "vitest";
import * as ctl from "../../../../controller/policy/compiled-policy.js";
import * as agent from "../../../../node-agent/filter/policy.js";

// The controller duplicates node-agent/filter/policy.ts on purpose (STYLE.md §2); these
// assignments fail to type-check (`npm run typecheck`) as soon as the two shapes drift.
function toAgent(s: ctl.AgentSnapshot): agent.AgentSnapshot {
  return s;
}
function toController(s: agent.AgentSnapshot): ctl.AgentSnapshot {
  return s;
}

describe("compiled-policy (controller duplicate of node-agent/filter/policy.ts)", () => {
  it("has the same defaults as the agent side (TO-1, MET-1)", () => {
    expect(ctl.DEFAULT_CONNTRACK_TIMEOUTS).toEqual(agent.DEFAULT_CONNTRACK_TIMEOUTS);
    expect(ctl.DEFAULT_CONNTRACK_MAX).toBe(agent.DEFAULT_CONNTRACK_MAX);
  });

  it("converts both ways without loss", () => {
    const s: ctl.AgentSnapshot = { revision: 1, agentId: "a", enis: [], mapping: [] };
    expect(toController(toAgent(s))).toBe(s);
  });
});
