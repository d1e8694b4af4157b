/**
 * In-memory twin of the StateStore surface the hub uses (controller/hub/agent-hub.ts
 * PolicySource): hold a PolicyState, replace it with commit(), listeners hear the change.
 */
import type { PolicySource } from "../../controller/hub/agent-hub.js";
import type { PolicyState, StateChange } from "../../controller/policy/policy-state.js";

export class FakePolicySource implements PolicySource {
  private readonly listeners = new Set<(c: StateChange) => void>();

  constructor(private state: PolicyState) {}

  revision(): number {
    return this.state.revision;
  }

  readPolicyState(): PolicyState {
    return this.state;
  }

  onChange(listener: (c: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replace the state (its revision must be the change's) and announce the change. */
  commit(state: PolicyState, change: Omit<Partial<StateChange>, "revision"> = {}): void {
    this.state = state;
    const full: StateChange = {
      revision: state.revision,
      vpcIds: [],
      subnetIds: [],
      groupIds: [],
      networkAclIds: [],
      prefixListIds: [],
      eniIds: [],
      instanceIds: [],
      ...change,
    };
    for (const l of this.listeners) l(full);
  }
}
