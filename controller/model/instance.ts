import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";

/** Instance lifecycle states and their codes (AWS-BEHAVIOUR API-31). */
export const INSTANCE_STATE_CODES = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
} as const;
export type InstanceStateName = keyof typeof INSTANCE_STATE_CODES;

/** An instance as stored; its ENIs carry the addresses and groups (RULE-2). */
export interface Instance extends ScopedFields {
  readonly instanceId: string;
  readonly reservationId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly state: InstanceStateName;
  /** ENI ids by device index; [0] is the primary ENI. Kept after termination for Describe. */
  readonly eniIds: readonly string[];
  readonly privateIpAddress: string;
  readonly launchTime: string;
  /** RunInstances ClientToken: a retry with the same token returns this reservation. */
  readonly clientToken?: string;
  readonly tags: Tags;
}
