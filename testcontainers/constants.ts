/** Constants shared by the module's files (and re-exported by index.ts). */

/** Default image: built locally by `npm run image` (scripts/build-image.sh). */
export const VPCEMU_DEFAULT_IMAGE = "vpcemu:local";
/** Port of the EC2 Query API, the JSON API (/v1) and the agent WebSocket inside the container. */
export const VPCEMU_CONTROLLER_PORT = 4566;
/** Geneve's IANA port; every agent sidecar listens on it in its app container's namespace. */
export const VPCEMU_UNDERLAY_PORT = 6081;
/** Network alias of the controller on the underlay network. */
export const VPCEMU_CONTROLLER_ALIAS = "vpcemu-controller";
/** Label on every network and container the module starts (for `docker ps --filter label=...`). */
export const VPCEMU_LABEL = "io.vpcemu.testcontainers";
/** RunInstances needs an image id; the emulator ignores it. */
export const VPCEMU_INSTANCE_IMAGE_ID = "ami-0123456789abcdef0";
