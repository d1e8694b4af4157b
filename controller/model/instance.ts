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
  /** Instance attributes (Describe/ModifyInstanceAttribute); absent = AWS's default. */
  readonly attributes?: InstanceAttributes;
  /** Why it last changed state (`stateTransitionReason`, `stateReason`). */
  readonly stateReason?: { readonly code: string; readonly message: string };
  readonly stateTransitionReason?: string;
  /**
   * Revision of its last StopInstances or StartInstances (absent: never stopped). The compiler
   * makes it its ENIs' conntrack epoch, so each stop and start empties their tables (INST-3).
   */
  readonly stateRevision?: number;
  readonly tags: Tags;
}

/** Attributes an instance keeps (defaults in brackets). */
export interface InstanceAttributes {
  /** [false] TerminateInstances refuses while true. */
  readonly disableApiTermination?: boolean;
  /** [false] StopInstances refuses while true. */
  readonly disableApiStop?: boolean;
  /** ["stop"] */
  readonly instanceInitiatedShutdownBehavior?: "stop" | "terminate";
  /** Base64, as sent. */
  readonly userData?: string;
  /** [false] */
  readonly ebsOptimized?: boolean;
  /** [true on Nitro types] */
  readonly enaSupport?: boolean;
  readonly sriovNetSupport?: string;
  readonly kernel?: string;
  readonly ramdisk?: string;
  /** Burstable types: ["standard" for T2, "unlimited" for T3/T3a/T4g]. */
  readonly cpuCredits?: "standard" | "unlimited";
  /** [false] */
  readonly enclaveOptions?: boolean;
  readonly keyName?: string;
  /** [false] detailed monitoring */
  readonly monitoring?: boolean;
}
