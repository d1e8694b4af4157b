/** Files of the checkout the local runtime starts: the `vpcemu` bin and the probe apps. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The `vpcemu` bin (agents are started through it, as a user would). */
export const VPCEMU_BIN = join(REPO_ROOT, "bin", "vpcemu.js");
/** Probe apps for the demo and tests (plain JavaScript, run by `node` in a namespace). */
export const PROBE_SCRIPT = join(REPO_ROOT, "cli", "runtime", "probe.mjs");
/** The seed scenario. */
export const TWO_TIER_EXAMPLE = join(REPO_ROOT, "examples", "two-tier.yaml");
