/** Constants shared by the module's files (and re-exported by index.ts). */

/** Default image: built locally by `npm run image` (scripts/build-image.sh). */
export const VPCEMU_DEFAULT_IMAGE = "vpcemu:local";
/** Port of the EC2 Query API, the JSON API (/v1) and the agent WebSocket inside the container. */
export const VPCEMU_CONTROLLER_PORT = 4566;
/** Geneve's IANA port; every agent sidecar listens on it in its app container's namespace. */
export const VPCEMU_UNDERLAY_PORT = 6081;
/**
 * The controller's state file inside the emulator container (its writable layer: it lives as
 * long as the container), so a killed controller comes back with its state.
 */
export const VPCEMU_CONTROLLER_STATE_PATH = "/var/lib/vpcemu/state.db";
/**
 * The emulator container's entrypoint: a minimal supervisor (PID 1) that runs the controller and
 * starts it again after `faults.killController()`; its `kill` and `status` run through docker exec.
 */
export const VPCEMU_CONTROLLER_SUPERVISOR = "/opt/vpcemu/scripts/docker/controller-supervisor.mjs";
/** Network alias of the controller on the underlay network. */
export const VPCEMU_CONTROLLER_ALIAS = "vpcemu-controller";
/** Label on every network and container the module starts (for `docker ps --filter label=...`). */
export const VPCEMU_LABEL = "io.vpcemu.testcontainers";
/** RunInstances needs an image id; the emulator ignores it. */
export const VPCEMU_INSTANCE_IMAGE_ID = "ami-0123456789abcdef0";
