/**
 * vpcemu/testcontainers: the public surface of the testcontainers module (named re-exports only).
 * See docs/testcontainers.md.
 */
export { VpcEmulatorContainer, assertImagePresent } from "./vpc-emulator-container.js";
export {
  VPCEMU_DEFAULT_IMAGE,
  VPCEMU_CONTROLLER_PORT,
  VPCEMU_UNDERLAY_PORT,
  VPCEMU_CONTROLLER_ALIAS,
  VPCEMU_LABEL,
} from "./constants.js";
export {
  StartedVpcEmulatorContainer,
  type ConntrackQuery,
  type VpcEmulatorCredentials,
} from "./started-vpc-emulator-container.js";
export type { AttachOptions, AttachExternalOptions, AttachedInstance } from "./attach.js";
export { startInternalNetwork } from "./internal-network.js";
export {
  VpcEmulatorFaults,
  type FaultSpec,
  type PartitionSpec,
  type FaultEffects,
  type FaultDelayDistribution,
  type FaultHandle,
  type FaultView,
  type FaultCounters,
  type AddFaultOptions,
  type AgentPause,
  type ControllerKill,
} from "./faults.js";
export {
  VpcEmulatorApiError,
  type ConntrackReport,
  type CountersReport,
  type EniCounters,
  type ConntrackEntry,
  type EniConntrack,
  type FlowTuple,
} from "./json-api.js";
export {
  VpcEmulatorExperimentError,
  type ExperimentSource,
  type ExperimentNode,
  type RunExperimentOptions,
  type ExperimentRun,
  type ExperimentReports,
  type ExperimentJournal,
  type ExperimentOutcome,
  type ExperimentVerdict,
} from "./experiments.js";
