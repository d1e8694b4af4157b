/**
 * What explain reads on a running controller: the store's policy state, the external nodes the
 * agents host, and each ENI's policy as its agent's latest snapshot holds it (the revision the
 * hub pushed; GET /v1/revision says when agents enforce it).
 */
import type { AgentHub } from "../hub/agent-hub.js";
import type { PolicyState } from "../policy/policy-state.js";
import {
  explain,
  type ExplainRequest,
  type ExplainResult,
  type ExplainSources,
} from "./explain-service.js";

/** Explain's sources at this moment. */
export function hubExplainSources(
  hub: Pick<AgentHub, "agents" | "snapshotOf" | "hostOfEni">,
  readState: () => PolicyState,
): ExplainSources {
  const externals = hub.agents().flatMap((a) => a.externals);
  return {
    state: readState(),
    externals,
    enforcedPolicy: (eniId) => {
      const agentId = hub.hostOfEni(eniId);
      if (agentId === undefined) return undefined;
      const policy = hub.snapshotOf(agentId)?.enis.find((e) => e.eniId === eniId);
      return policy === undefined ? undefined : { policy, agentId };
    },
  };
}

/** GET /v1/explain's handler over a hub and the store. */
export function hubExplainer(
  hub: Pick<AgentHub, "agents" | "snapshotOf" | "hostOfEni">,
  readState: () => PolicyState,
): (req: ExplainRequest) => ExplainResult {
  return (req) => explain(req, hubExplainSources(hub, readState));
}
